package app

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

// Failure is one thing that went wrong in a run that finished: an
// expectation that does not hold, a deadlock, a modelled failure, or a
// model of a comparison that did not finish. String is the line a user
// reads (`gilsim test`, gilsimtest); the JSON fields are what `gilsim
// test --format json` writes.
type Failure struct {
	File   string            `json:"-"`
	Kind   string            `json:"kind"`           // expect, deadlock, failure or not_run (a model that cannot run the workload)
	Line   int               `json:"line,omitempty"` // of the expect line, or of the step a model cannot run
	Text   string            `json:"text"`           // the expectation, or what happened
	Actual string            `json:"actual,omitempty"`
	Error  string            `json:"error,omitempty"`  // why an expectation could not be evaluated
	Params map[string]string `json:"params,omitempty"` // the varied parameters of the run
	Label  string            `json:"-"`                // the same, as "workers=8 switch=5ms"
}

// String is the failure as one line: "pool.sim:14: expect makespan < 1s —
// actual 1.2s [workers=8]", "app.sim: DEADLOCK at 5ms: blocked a, b".
func (f Failure) String() string {
	var s string
	switch f.Kind {
	case "expect":
		s = f.File + ":" + strconv.Itoa(f.Line) + ": expect " + f.Text + " — "
		if f.Error != "" {
			s += f.Error
		} else {
			s += "actual " + f.Actual
		}
	default:
		s = f.File
		if f.Line > 0 {
			s += ":" + strconv.Itoa(f.Line)
		}
		s += ": " + f.Text
	}
	if f.Label != "" {
		s += " [" + f.Label + "]"
	}
	return s
}

// Failures lists what went wrong in a scenario's run: a deadlock, a
// modelled failure, then each expectation that does not hold, in file
// order. file names the scenario in the lines.
func Failures(file string, id report.RunID, res *simulator.Result) []Failure {
	var out []Failure
	add := failureAdder(file, id, &out)
	if d := res.Deadlock; d != nil {
		add(Failure{Kind: "deadlock", Text: "DEADLOCK at " + simulator.FormatDuration(d.Time) + ": blocked " + strings.Join(d.BlockedStrings(), ", ")})
	}
	if f := res.Failure; f != nil {
		who := ""
		if f.Entity != "" {
			who = f.Entity + ": "
		}
		add(Failure{Kind: "failure", Text: "FAILURE at " + simulator.FormatDuration(f.Time) + ": " + who + f.Message})
	}
	for _, e := range res.Expectations {
		if !e.OK {
			add(Failure{Kind: "expect", Line: int(e.Pos.Line), Text: e.Text, Actual: e.Actual, Error: e.Err})
		}
	}
	return out
}

// ComparisonFailures lists what went wrong in a workload's comparison: a
// shown model that cannot run the workload ("not run": gilsim test
// promises that every model finishes), a model that ran and did not finish
// (the sequential baseline included, shown or not), then each expectation
// that does not hold. Expectations about a model left out are skipped, not
// failures.
func ComparisonFailures(file string, id report.RunID, c *compare.Comparison) []Failure {
	var out []Failure
	add := failureAdder(file, id, &out)
	for _, r := range ComparisonRows(c) {
		if r.NotRun != "" {
			add(Failure{Kind: "not_run", Line: int(r.NotPos.Line), Text: r.Model + " cannot run this workload: " + r.NotRun})
			continue
		}
		if r.Result == nil || r.Problem == "" {
			continue
		}
		kind := "failure"
		if r.Result.Deadlock != nil {
			kind = "deadlock"
		}
		add(Failure{Kind: kind, Text: r.Model + ": " + r.Problem})
	}
	for _, e := range c.Expectations {
		if !e.Skipped && !e.OK {
			add(Failure{Kind: "expect", Line: int(e.Pos.Line), Text: e.Text, Actual: e.Actual, Error: e.Err})
		}
	}
	return out
}

// ComparisonRows are the rows of a comparison that ran or were asked
// for: those shown, and the sequential baseline, which always runs.
func ComparisonRows(c *compare.Comparison) []*compare.Row {
	rows := slices.Clone(c.Rows)
	if c.Baseline != nil && !slices.Contains(rows, c.Baseline) {
		rows = append(rows, c.Baseline)
	}
	return rows
}

func failureAdder(file string, id report.RunID, out *[]Failure) func(Failure) {
	label := id.Label()
	var params map[string]string
	if len(id.Varied) > 0 {
		params = map[string]string{}
		for _, name := range id.Varied {
			params[name], _ = id.Value(name)
		}
	}
	return func(f Failure) {
		f.File, f.Label, f.Params = file, label, maps.Clone(params)
		*out = append(*out, f)
	}
}
