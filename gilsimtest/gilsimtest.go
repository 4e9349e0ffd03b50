// Package gilsimtest runs gilsim scenarios from Go tests.
//
// The one-line helper runs every .sim file under a folder as a subtest
// and fails it with positioned messages, one per failed expectation,
// deadlock or modelled failure:
//
//	func TestScenarios(t *testing.T) {
//		gilsimtest.RunDir(t, "testdata/scenarios")
//	}
//
//	--- FAIL: TestScenarios/pool.sim
//	    pool.sim:14: expect makespan < 1s when workers == 8 — actual 1.2s [workers=8]
//
// For finer checks, Run and RunFile parse a scenario (a plain file or a
// sweep) and run it, and a RunResult reads what happened: the makespan,
// any metric of the scenario language (per task, per process, loop lag,
// memory), the raw simulator.Result, and expectations written as in a
// file (Check). Runs are deterministic: the same file gives the same
// numbers on every machine.
//
// A workload file (`gilsim compare`) is compared under every model
// instead: its Outcome holds Comparisons rather than Runs, and fails on a
// model that does not finish or an expectation that does not hold.
package gilsimtest

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

// Option tunes Run, RunFile, Test and RunDir.
type Option func(*config)

type config struct {
	set           map[string]string
	opts          simulator.Options
	requireExpect bool
}

// Set overrides a parameter, as `gilsim --set name=value` does; a
// comma-separated list makes it a sweep over those values.
func Set(name, value string) Option {
	return func(c *config) {
		if c.set == nil {
			c.set = map[string]string{}
		}
		c.set[name] = value
	}
}

// Limits bounds every run (see simulator.Options).
func Limits(maxEvents, maxTime int64) Option {
	return func(c *config) { c.opts.MaxEvents, c.opts.MaxTime = maxEvents, maxTime }
}

// RequireExpectations makes Test and RunDir fail a scenario that has no
// expect lines: for a folder of scenarios that each state what they show.
func RequireExpectations() Option { return func(c *config) { c.requireExpect = true } }

func configure(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Outcome is a scenario file after running it: one RunResult per run of
// its sweep (one for a plain file).
type Outcome struct {
	File  string
	Title string
	Runs  []*RunResult
	// Comparisons are a workload file's runs, each compared under every
	// model (one per run of its sweep); Runs is empty then.
	Comparisons []*Comparison
}

// Comparison is one run of a workload file, compared under every model.
// Its report.RunID says which run of the sweep it is (Label()).
type Comparison struct {
	report.Comparison
}

// RunResult is one run: its identity in the sweep (report.RunID: every
// parameter's value, Label() the varied ones, "workers=8 switch=5ms"), its
// scenario and its result.
type RunResult struct {
	report.Run
	Scenario *simulator.Scenario
}

// Run parses src (named name in messages) and runs every run. The error
// is a dsl.ErrorList when src does not parse, or a *simulator.LimitError
// when a run stops at a limit.
func Run(name string, src []byte, opts ...Option) (*Outcome, error) {
	c := configure(opts)
	sw, err := dsl.ParseAnySweep(name, src, c.set)
	if err != nil {
		return nil, err
	}
	return run(sw, c)
}

// RunFile is Run for a file on disk.
func RunFile(path string, opts ...Option) (*Outcome, error) {
	c := configure(opts)
	sw, err := dsl.ParseAnySweepFile(path, c.set)
	if err != nil {
		return nil, err
	}
	return run(sw, c)
}

// run runs a parsed sweep's runs side by side, as gilsim run does.
func run(sw *dsl.Sweep, c config) (*Outcome, error) {
	o := &Outcome{File: sw.File, Title: sw.Title}
	r := app.Runner{
		Workers:       runtime.GOMAXPROCS(0),
		Load:          func(app.Item) (*dsl.Sweep, error) { return sw, nil },
		Options:       c.opts,
		KeepScenarios: true,
	}
	var err error
	r.Run([]app.Item{{Path: sw.File}}, func(_ int, f *app.File) {
		for k, run := range f.Runs {
			switch {
			case err != nil:
			case run.Err != nil:
				err = fmt.Errorf("%s%s: %w", sw.File, run.Tag(), run.Err)
			case run.Comparison != nil:
				o.Comparisons = append(o.Comparisons, &Comparison{report.Comparison{RunID: run.RunID, Comparison: run.Comparison}})
			default:
				o.Runs = append(o.Runs, &RunResult{Run: report.Run{RunID: run.RunID, Result: run.Result}, Scenario: sw.Runs[k].Scenario})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Failures lists what went wrong in every run, one positioned line each,
// as gilsim test prints them: "pool.sim:14: expect makespan < 1s — actual
// 1.2s [workers=8]".
func (o *Outcome) Failures() []string {
	var out []string
	for _, r := range o.Runs {
		out = append(out, r.Failures()...)
	}
	for _, c := range o.Comparisons {
		out = append(out, c.Failures()...)
	}
	return out
}

// Failures lists what went wrong in a comparison: a model that ran and
// did not finish (the sequential baseline too), an expectation that
// failed.
func (c *Comparison) Failures() []string {
	return lines(app.ComparisonFailures(c.File, c.RunID, c.Comparison.Comparison))
}

// Row returns the comparison's row of a model ("threads"), shown or the
// sequential baseline.
func (c *Comparison) Row(model string) (*compare.Row, bool) {
	for _, r := range app.ComparisonRows(c.Comparison.Comparison) {
		if r.Model == model {
			return r, true
		}
	}
	return nil, false
}

// Failures lists what went wrong in this run: a deadlock, a modelled
// failure, failed expectations.
func (r *RunResult) Failures() []string {
	return lines(app.Failures(r.Result.File, r.RunID, r.Result))
}

func lines(fs []app.Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// Makespan is the latest finish of the run.
func (r *RunResult) Makespan() time.Duration { return time.Duration(r.Result.Makespan) }

// Metric computes a metric of the scenario language: Metric("makespan"),
// Metric("finish", "w#2"), Metric("lag", "app"), Metric("memory").
// Names address entities as in expect lines (a group, "process/name").
func (r *RunResult) Metric(metric string, arg ...string) (simulator.Value, error) {
	if len(arg) > 1 {
		return simulator.Value{}, errors.New("a metric takes at most one argument")
	}
	name := ""
	if len(arg) == 1 {
		name = arg[0]
	}
	return simulator.MetricValue(r.Result, metric, name, len(arg) == 1)
}

// Duration is Metric for the metrics measured in time.
func (r *RunResult) Duration(metric string, arg ...string) (time.Duration, error) {
	v, err := r.Metric(metric, arg...)
	if err == nil && v.Kind != simulator.KindDuration {
		err = fmt.Errorf("%s is not a duration", metric)
	}
	return v.Duration(), err
}

// Task returns the task, thread, coroutine or greenlet named exactly name
// ("w#2"; a thread of a replicated process as "app#1/w").
func (r *RunResult) Task(name string) (simulator.TaskResult, bool) {
	proc, task, qualified := strings.Cut(name, "/")
	for _, t := range r.Result.Tasks {
		if qualified && t.Process == proc && t.Name == task || !qualified && t.Name == name {
			return t, true
		}
	}
	return simulator.TaskResult{}, false
}

// Process returns the process (or native task) named exactly name.
func (r *RunResult) Process(name string) (simulator.ProcessResult, bool) {
	for _, p := range r.Result.Processes {
		if p.Name == name {
			return p, true
		}
	}
	return simulator.ProcessResult{}, false
}

// Check evaluates an expectation written as in a scenario file,
// `finish("w") < 30ms`, against the run. The error is a dsl.ErrorList
// when the text does not parse; an unknown entity name is reported in the
// result's Err.
func (r *RunResult) Check(expect string) (simulator.ExpectResult, error) {
	x, err := dsl.ParseExpect(expect)
	if err != nil {
		return simulator.ExpectResult{}, err
	}
	res := *r.Result
	res.Expectations = nil
	simulator.Evaluate(&simulator.Scenario{Expects: []simulator.Expect{x}}, &res)
	return res.Expectations[0], nil
}

// Test runs one scenario file and fails t with a line per failure (or the
// parse error). It returns the outcome, nil when the file did not run.
func Test(t testing.TB, path string, opts ...Option) *Outcome {
	t.Helper()
	c := configure(opts)
	o, err := RunFile(path, opts...)
	if err != nil {
		t.Error(err)
		return nil
	}
	if c.requireExpect {
		n := 0
		for _, r := range o.Runs {
			n += len(r.Scenario.Expects)
		}
		for _, c := range o.Comparisons {
			n += len(c.Expectations)
		}
		if n == 0 {
			t.Errorf("%s has no expect lines: it should state what it shows", path)
		}
	}
	for _, f := range o.Failures() {
		t.Error(f)
	}
	return o
}

// RunDir runs every .sim file below dir (recursively, in lexical order)
// with Test, each as a parallel subtest named by its path relative to dir
// when t is a *testing.T. It fails t when dir holds no .sim file, and
// returns the files it ran.
func RunDir(t testing.TB, dir string, opts ...Option) []string {
	t.Helper()
	var files []string
	for _, it := range app.Expand([]string{dir}) {
		switch {
		case errors.Is(it.Err, app.ErrNoScenarios):
			t.Fatalf("no .sim files below %s", dir)
		case it.Err != nil:
			t.Fatal(it.Err)
		}
		files = append(files, it.Path)
	}
	for _, f := range files {
		name, err := filepath.Rel(dir, f)
		if err != nil {
			name = f
		}
		if tt, ok := t.(*testing.T); ok {
			tt.Run(filepath.ToSlash(name), func(t *testing.T) {
				t.Parallel()
				Test(t, f, opts...)
			})
			continue
		}
		Test(t, f, opts...)
	}
	return files
}
