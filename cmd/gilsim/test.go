package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

const testUsage = `Usage: gilsim test [flags] PATH...

Runs the scenario files and checks their expect lines. A PATH is a file, a
folder (every *.sim below it) or a glob. Prints one line per scenario:

  PASS  scenarios/gil/convoy-5ms.sim  (1.2s simulated)
  FAIL  pool.sim  (4 runs, 3.1s simulated)
        pool.sim:14: expect makespan < 1s when workers == 8 — actual 1.2s [workers=8]

then a last line "N passed, N failed", counting scenarios. A sweep passes
when every one of its runs does. A workload file (see "gilsim help
compare") is compared under every model, and passes when every model
finishes and every expectation holds. A file that cannot be read or parsed
counts as failed; its error goes to stderr, and the other files still run.

Flags (before or after the paths; "--" ends the flags):
  --format FORMAT       table (default), markdown, csv, json or jsonl
  --out FILE            write the report to FILE, replaced only once it is
                        complete (its folder must exist; a device or FIFO
                        is written into, a read-only FILE refused). When
                        no file runs, FILE is left as it was, and csv
                        prints nothing
  --set NAME=VALUE      override a parameter (repeatable); every file must
                        declare NAME. NAME=V1,V2,... makes it a sweep over
                        those values
  -j N                  run N simulations at a time (default: the number
                        of cores)
  --shard K/N           test only the K-th of N equal slices of the file list
  --max-events N        stop a run after N simulation events
                        (default 1000000000). An event costs about
                        0.15 to 0.2 µs when threads time-slice (fair,
                        round_robin, the GIL's switch interval), 0.02
                        to 0.1 µs otherwise: the default limit is 2.5 to
                        4 minutes of a time-slicing run
  --max-time DURATION   stop a run that passes DURATION of simulated time

Exit status:
  0  every scenario passed
  1  an expectation failed, or a run ended in a deadlock or a modelled failure
  2  usage error, a file that cannot be read or parsed, a bad --set, or a
     run stopped by a limit
`

func testCommand(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseBatchFlags("test", testUsage, runFormats, args, stdout, stderr)
	if !ok {
		return code
	}
	return executeBatch("test", cfg, stdout, stderr, func(out io.Writer, items int) batchRenderer {
		return &testRenderer{format: cfg.format, out: out}
	})
}

// testResult is one scenario file under `gilsim test`.
type testResult struct {
	File         string        `json:"file"`
	Scenario     string        `json:"scenario"`
	Status       string        `json:"status"`          // pass, fail or error
	Error        string        `json:"error,omitempty"` // why a file did not run
	Runs         int           `json:"runs"`
	SimulatedNS  int64         `json:"simulated_ns"` // makespans, summed over the runs
	Expectations int           `json:"expectations"` // evaluated, over the runs
	Failures     []testFailure `json:"failures"`
}

// testFailure is one thing that went wrong in a run.
type testFailure struct {
	Kind   string            `json:"kind"` // expect, deadlock or failure
	Line   int               `json:"line,omitempty"`
	Text   string            `json:"text"`
	Actual string            `json:"actual,omitempty"`
	Error  string            `json:"error,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	label  string
}

// message is the failure as one line: file:line: expect ... — actual V.
func (f testFailure) message(file string) string {
	var s string
	switch f.Kind {
	case "expect":
		s = file + ":" + strconv.Itoa(f.Line) + ": expect " + f.Text + " — "
		if f.Error != "" {
			s += f.Error
		} else {
			s += "actual " + f.Actual
		}
	default:
		s = file + ": " + f.Text
	}
	if f.label != "" {
		s += " [" + f.label + "]"
	}
	return s
}

// judge turns an outcome into a testResult; stderr gets what could not
// run. code is the item's exit status.
func judge(o *fileOutcome, stderr io.Writer) (t testResult, code int) {
	t = testResult{File: o.path, Failures: []testFailure{}}
	if o.err != nil {
		writeParseError(stderr, o.path, o.err)
		t.Status, t.Error = "error", errorKind(o.err)
		return t, exitUsage
	}
	t.Scenario = o.sweep.Title
	t.Runs = len(o.runs)
	for k, ro := range o.runs {
		sr := o.sweep.Runs[k]
		if ro.err != nil {
			where := o.path
			if l := sr.Label(); l != "" {
				where += " [" + l + "]"
			}
			fmt.Fprintf(stderr, "%s: %s\n", safe(where), safe(oneLine(ro.err.Error())))
			t.Error = "stopped by a limit"
			var le *simulator.LowerError
			if errors.As(ro.err, &le) {
				t.Error = "cannot compare"
			}
			code = exitUsage
			continue
		}
		add := func(f testFailure) {
			f.label = sr.Label()
			if len(sr.Varied) > 0 {
				f.Params = map[string]string{}
				for _, b := range sr.Varied {
					f.Params[b.Name] = b.Value
				}
			}
			t.Failures = append(t.Failures, f)
		}
		if c := ro.cmp; c != nil {
			judgeComparison(c, &t, add)
			continue
		}
		r := ro.res
		t.SimulatedNS += r.Makespan
		t.Expectations += len(r.Expectations)
		if d := r.Deadlock; d != nil {
			add(testFailure{Kind: "deadlock", Text: "DEADLOCK at " + simulator.FormatDuration(d.Time) + ": blocked " + strings.Join(d.Blocked, ", ")})
		}
		if f := r.Failure; f != nil {
			who := ""
			if f.Entity != "" {
				who = f.Entity + ": "
			}
			add(testFailure{Kind: "failure", Text: "FAILURE at " + simulator.FormatDuration(f.Time) + ": " + who + f.Message})
		}
		for _, e := range r.Expectations {
			if !e.OK {
				add(testFailure{Kind: "expect", Line: int(e.Pos.Line), Text: e.Text, Actual: e.Actual, Error: e.Err})
			}
		}
	}
	switch {
	case t.Error != "":
		t.Status = "error"
	case len(t.Failures) > 0:
		t.Status = "fail"
		code = max(code, exitFailed)
	default:
		t.Status = "pass"
	}
	return t, code
}

// judgeComparison adds a workload file's comparison to t: the models'
// makespans to the simulated time, a failure per model that did not
// finish and per expectation that failed (skipped ones never are: test
// compares every model).
func judgeComparison(c *compare.Comparison, t *testResult, add func(testFailure)) {
	rows := append([]*compare.Row{}, c.Rows...)
	if !slices.Contains(rows, c.Baseline) {
		rows = append(rows, c.Baseline)
	}
	for _, r := range rows {
		if r.Result == nil {
			continue
		}
		t.SimulatedNS += r.Makespan
		if r.Problem != "" {
			kind := "failure"
			if r.Result.Deadlock != nil {
				kind = "deadlock"
			}
			add(testFailure{Kind: kind, Text: r.Model + ": " + r.Problem})
		}
	}
	for _, e := range c.Expectations {
		if e.Skipped {
			continue
		}
		t.Expectations++
		if !e.OK {
			add(testFailure{Kind: "expect", Line: int(e.Pos.Line), Text: e.Text, Actual: e.Actual, Error: e.Err})
		}
	}
}

// errorKind says in a few words why a file did not run.
func errorKind(err error) string {
	var pathErr *fs.PathError
	var list dsl.ErrorList
	switch {
	case errors.As(err, &pathErr):
		return "cannot read"
	case isSetError(err):
		return "bad --set"
	case errors.As(err, &list) && len(list) > 0 && list[0].Line == 0:
		return "cannot read"
	case errors.As(err, &list):
		return "does not parse"
	}
	return "cannot read"
}

// summary is the parenthesis of a result line: "(4 runs, 1.2s simulated)".
func (t testResult) summary() string {
	if t.Status == "error" {
		return "[" + t.Error + "]"
	}
	s := simulator.FormatDuration(t.SimulatedNS) + " simulated"
	if t.Runs > 1 {
		s = strconv.Itoa(t.Runs) + " runs, " + s
	}
	if t.Expectations == 0 {
		s += ", no expect lines"
	}
	return "(" + s + ")"
}

// testRenderer writes the report of `gilsim test`.
type testRenderer struct {
	format         string
	out            io.Writer
	passed, failed int
	ran            int          // files that ran (passed or failed, not an error)
	all            []testResult // markdown and csv are written at the end
	json           *report.JSONStream
	jsonN          int
}

func (r *testRenderer) file(o *fileOutcome, stderr io.Writer) int {
	t, code := judge(o, stderr)
	if t.Status == "pass" {
		r.passed++
	} else {
		r.failed++
	}
	if t.Status != "error" {
		r.ran++
	}
	switch r.format {
	case "table":
		var b strings.Builder
		status := "PASS"
		if t.Status != "pass" {
			status = "FAIL"
		}
		b.WriteString(status + "  " + safe(t.File) + "  " + safe(t.summary()) + "\n")
		for _, f := range t.Failures {
			b.WriteString("      " + safe(f.message(t.File)) + "\n")
		}
		io.WriteString(r.out, b.String())
	case "json":
		if r.jsonN == 0 {
			io.WriteString(r.out, "[\n  ")
		} else {
			io.WriteString(r.out, ",\n  ")
		}
		r.jsonN++
		b, _ := report.MarshalJSON(t, "  ", "  ")
		r.out.Write(b)
	case "jsonl":
		b, _ := report.MarshalJSON(t, "", "")
		r.out.Write(append(b, '\n'))
	default:
		r.all = append(r.all, t)
	}
	return code
}

func (r *testRenderer) close() error {
	counts := fmt.Sprintf("%d passed, %d failed\n", r.passed, r.failed)
	switch r.format {
	case "table":
		_, err := io.WriteString(r.out, counts)
		return err
	case "json":
		end := "\n]\n"
		if r.jsonN == 0 {
			end = "[]\n"
		}
		_, err := io.WriteString(r.out, end)
		return err
	case "markdown":
		if err := r.grid(false).WriteMarkdown(r.out); err != nil {
			return err
		}
		_, err := io.WriteString(r.out, "\n"+counts)
		return err
	case "csv":
		if r.ran == 0 && len(r.all) > 0 {
			// Every file failed to run (on stderr), as with gilsim run:
			// rows of errors alone would read as results.
			return nil
		}
		return r.grid(true).WriteCSV(r.out)
	}
	return nil
}

// grid is the report as a table: one row per scenario.
func (r *testRenderer) grid(machine bool) *report.Grid {
	g := &report.Grid{}
	g.AddColumn("status", false)
	g.AddColumn("file", false)
	g.AddColumn("scenario", false)
	g.AddColumn("runs", true)
	if machine {
		g.AddColumn("simulated_ns", true)
		g.AddColumn("expectations", true)
		g.AddColumn("failed", true)
	} else {
		g.AddColumn("simulated", true)
	}
	g.AddColumn("details", false)
	for _, t := range r.all {
		var details []string
		if t.Error != "" {
			details = append(details, t.Error)
		}
		for _, f := range t.Failures {
			details = append(details, f.message(t.File))
		}
		row := []string{strings.ToUpper(t.Status), t.File, t.Scenario, strconv.Itoa(t.Runs)}
		if machine {
			row = append(row, strconv.FormatInt(t.SimulatedNS, 10), strconv.Itoa(t.Expectations), strconv.Itoa(len(t.Failures)))
		} else {
			row = append(row, simulator.FormatDuration(t.SimulatedNS))
		}
		g.Rows = append(g.Rows, append(row, strings.Join(details, "; ")))
	}
	return g
}
