package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
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
runs and finishes and every expectation holds (a model that cannot run
the workload, shown "not run" by compare, fails it). A file that cannot be read or parsed
counts as failed; its error goes to stderr, and the other files still run.

Flags (before or after the paths; "--" ends the flags):
  --format FORMAT       table (default), markdown, csv, json, jsonl or
                        junit (JUnit XML for CI: a testsuite per file, a
                        testcase per expectation, failures at file:line)
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

var testFormats = append(append([]string{}, runFormats...), "junit")

func testCommand(e *env, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseBatchFlags(e, "test", testUsage, testFormats, args, stdout, stderr)
	if !ok {
		return code
	}
	return e.executeBatch("test", cfg, stdout, stderr, func(out io.Writer, items int) batchRenderer {
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
	Failures     []app.Failure `json:"failures"`
}

// judge turns a file's outcome into a testResult; stderr gets what could
// not run. code is the item's exit status.
func judge(f *app.File, stderr io.Writer) (t testResult, code int) {
	t = testResult{File: f.Path, Failures: []app.Failure{}}
	if f.Err != nil {
		writeParseError(stderr, f.Path, f.Err)
		t.Status, t.Error = "error", errorKind(f.Err)
		return t, exitUsage
	}
	t.Scenario = f.Sweep.Title
	t.Runs = len(f.Runs)
	for _, o := range f.Runs {
		if o.Err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", safe(f.Path+o.Tag()), safe(oneLine(o.Err.Error())))
			t.Error = "stopped by a limit"
			var le *simulator.LowerError
			if errors.As(o.Err, &le) {
				t.Error = "cannot compare"
			}
			code = exitUsage
			continue
		}
		if c := o.Comparison; c != nil {
			for _, r := range app.ComparisonRows(c) {
				if r.Result != nil {
					t.SimulatedNS += r.Makespan
				}
			}
			for _, e := range c.Expectations {
				if !e.Skipped {
					t.Expectations++
				}
			}
			t.Failures = append(t.Failures, app.ComparisonFailures(f.Path, o.RunID, c)...)
			continue
		}
		t.SimulatedNS += o.Result.Makespan
		t.Expectations += len(o.Result.Expectations)
		t.Failures = append(t.Failures, app.Failures(f.Path, o.RunID, o.Result)...)
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

func errorKind(err error) string {
	var pathErr *fs.PathError
	var list dsl.ErrorList
	switch {
	case errors.As(err, &pathErr):
		return "cannot read"
	case app.IsSetError(err):
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
	junit          []junitSuite
	jsonN          int
}

func (r *testRenderer) file(f *app.File, stderr io.Writer) int {
	t, code := judge(f, stderr)
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
			b.WriteString("      " + safe(f.String()) + "\n")
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
	case "junit":
		r.junit = append(r.junit, junitSuiteOf(f, t))
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
	case "junit":
		return writeJUnit(r.out, r.junit)
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
			details = append(details, f.String())
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
