package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/simulator"
)

type cliCase struct {
	name       string
	args       []string
	code       int
	stdout     []string // substrings stdout must contain
	stderr     []string // substrings stderr must contain
	noStdout   bool     // stdout must be empty
	stderrLine bool     // stderr must be exactly one line
	env        *env     // the command's env; nil: the real one
}

// sharedFidelity evaluates the calibration suite once for every test that
// runs gilsim fidelity (the results are only read).
var sharedFidelity = sync.OnceValues(evaluateFidelity)

// testEnv is the real env, but for the calibration suite, which it runs
// once for all the tests.
func testEnv() *env {
	e := realEnv()
	e.fidelity = sharedFidelity
	return e
}

func (c cliCase) check(t *testing.T) {
	t.Helper()
	var out, errb bytes.Buffer
	e := c.env
	if e == nil {
		e = testEnv()
	}
	code := e.run(c.args, &out, &errb)
	if code != c.code {
		t.Errorf("run(%q) = %d, want %d\nstdout:\n%s\nstderr:\n%s", c.args, code, c.code, out.String(), errb.String())
	}
	for _, s := range c.stdout {
		if !strings.Contains(out.String(), s) {
			t.Errorf("run(%q): stdout lacks %q:\n%s", c.args, s, out.String())
		}
	}
	for _, s := range c.stderr {
		if !strings.Contains(errb.String(), s) {
			t.Errorf("run(%q): stderr lacks %q:\n%s", c.args, s, errb.String())
		}
	}
	if c.noStdout && out.Len() != 0 {
		t.Errorf("run(%q): want no stdout, got:\n%s", c.args, out.String())
	}
	if c.stderrLine && strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("run(%q): want one line on stderr, got:\n%s", c.args, errb.String())
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	cases := []cliCase{
		{name: "no arguments", args: nil, code: 2, stderr: []string{"Usage:", "gilsim run"}, noStdout: true},
		{name: "help", args: []string{"help"}, code: 0, stdout: []string{"gilsim run [flags] PATH...", "gilsim test [flags] PATH..."}},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: []string{"Usage:"}},
		{name: "--help", args: []string{"--help"}, code: 0, stdout: []string{"Usage:"}},
		{name: "help run", args: []string{"help", "run"}, code: 0, stdout: []string{"--max-time", "--per-task"}},
		{name: "help version", args: []string{"help", "version"}, code: 0, stdout: []string{"gilsim version"}},
		{name: "help language", args: []string{"help", "language"}, code: 0, stdout: []string{"# The scenario language", "## The machine block", "`wakeup_latency`"}},
		{name: "help unknown", args: []string{"help", "frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate"`}, noStdout: true},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate"`}, noStdout: true},
		{name: "file without run", args: []string{"x.sim"}, code: 2, stderr: []string{`did you mean "gilsim run x.sim"?`}},
		{name: "hostile command", args: []string{"a\x1b[2Jb"}, code: 2, stderr: []string{`a\x1b[2Jb`}},
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"gilsim "}},
		{name: "version extra", args: []string{"version", "now"}, code: 2, stderr: []string{"takes no arguments"}, noStdout: true},
		{name: "run without files", args: []string{"run"}, code: 2, stderr: []string{"no scenario file given", "Usage: gilsim run"}, noStdout: true},
		{name: "run -h", args: []string{"run", "-h"}, code: 0, stdout: []string{"Usage: gilsim run"}},
		{name: "run --help after file", args: []string{"run", "a.sim", "--help"}, code: 0, stdout: []string{"Usage: gilsim run"}},
		{name: "unknown flag", args: []string{"run", "--colour", "a.sim"}, code: 2, stderr: []string{"unknown flag --colour", "Usage: gilsim run"}, noStdout: true},
		{name: "unknown flag after file", args: []string{"run", "a.sim", "--bogus"}, code: 2, stderr: []string{"-bogus"}, noStdout: true},
		{name: "bad format", args: []string{"run", "--format", "xml", "a.sim"}, code: 2, stderr: []string{`--format must be one of table, markdown, csv, json or jsonl, not "xml"`}, noStdout: true},
		{name: "format without value", args: []string{"run", "a.sim", "--format"}, code: 2, stderr: []string{"--format needs a value"}, noStdout: true},
		{name: "bad max-time", args: []string{"run", "--max-time", "soon", "a.sim"}, code: 2, stderr: []string{`--max-time soon: want a duration`}, noStdout: true},
		{name: "max-time in minutes", args: []string{"run", "--max-time=5min", "a.sim"}, code: 2, stderr: []string{`--max-time 5min: want a duration`}, noStdout: true},
		{name: "max-time with space", args: []string{"run", "--max-time", "10 ms", "a.sim"}, code: 2, stderr: []string{"--max-time 10 ms: want a duration"}, noStdout: true},
		{name: "max-time zero", args: []string{"run", "--max-time", "0", "a.sim"}, code: 2, stderr: []string{"--max-time must be more than 0"}, noStdout: true},
		{name: "max-time fraction of ns", args: []string{"run", "--max-time", "0.5ns", "a.sim"}, code: 2, stderr: []string{"whole number of nanoseconds"}, noStdout: true},
		{name: "max-time past the clock", args: []string{"run", "--max-time", "9223372036854775807ns", "a.sim"}, code: 2, stderr: []string{"--max-time must be at most 4611686018427387904ns"}, noStdout: true},
		{name: "max-time past the clock, trace", args: []string{"trace", "-o", "-", "--max-time", "4611686018427387905ns", "a.sim"}, code: 2, stderr: []string{"--max-time must be at most"}, noStdout: true},
		{name: "max-time past the clock, compare", args: []string{"compare", "--max-time", "4611686018427387905ns", "a.sim"}, code: 2, stderr: []string{"--max-time must be at most"}, noStdout: true},
		{name: "max-events zero", args: []string{"run", "--max-events", "0", "a.sim"}, code: 2, stderr: []string{"--max-events must be at least 1"}, noStdout: true},
		{name: "max-events not a number", args: []string{"run", "--max-events", "many", "a.sim"}, code: 2, stderr: []string{`--max-events many: not a number`}, noStdout: true},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

// A usage error prints what is wrong, the command's synopsis and where to
// read more: three lines, not the whole help.
func TestUsageErrorsAreShort(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"run", "--colour", "a.sim"}, "gilsim run: unknown flag --colour"},
		{[]string{"run", "--timline", "a.sim"}, "gilsim run: unknown flag --timline; did you mean --timeline?"},
		{[]string{"test", "-fromat", "junit", "a.sim"}, "gilsim test: unknown flag --fromat; did you mean --format?"},
		{[]string{"run"}, "gilsim run: no scenario file given"},
		{[]string{"run", "a.sim", "--format"}, "gilsim run: --format needs a value"},
		{[]string{"run", "--shard", "9/x\x1b[2J", "a.sim"}, `gilsim run: --shard 9/x\x1b[2J: want K/N, such as 2/4`},
		{[]string{"run", "--\x1b[31mred", "a.sim"}, `gilsim run: unknown flag --\x1b[31mred`},
		{[]string{"test", "-j", "0", "a.sim"}, "gilsim test: -j must be at least 1"},
		{[]string{"trace", "a.sim"}, "gilsim trace: no output file given (-o FILE, or -o - for stdout)"},
		{[]string{"trace", "-o", "-", "a.sim", "b.sim"}, "gilsim trace: one scenario file at a time (got 2)"},
		{[]string{"report", "-o", "-", "--bogus"}, "gilsim report: unknown flag --bogus"},
		{[]string{"compare", "--workers", "-1", "a.sim"}, "gilsim compare: --workers must be between 1 and 4096"},
		{[]string{"atlas"}, "gilsim atlas: want one directory, got 0 arguments"},
		{[]string{"calibrate", "now"}, `gilsim calibrate: unexpected argument "now"`},
		{[]string{"fidelity", "--nope"}, "gilsim fidelity: unknown flag --nope"},
		{[]string{"version", "now"}, "gilsim version: takes no arguments"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		cmd := c.args[0]
		want := c.msg + "\nUsage: gilsim " + cmd
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		if code != exitUsage || out.Len() != 0 || len(lines) != 3 || !strings.HasPrefix(errb.String(), want) ||
			lines[2] != `Run "gilsim help `+cmd+`" for more.` {
			t.Errorf("run(%q): exit %d, stdout %q, stderr:\n%s\nwant exit 2, no stdout, and three lines starting\n%s", c.args, code, out.String(), errb.String(), want)
		}
	}
}

// Every command that takes --set refuses a list that repeats a value.
func TestSetRefusesRepeatedValues(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"run", "--set", "w=1,1", "a.sim"},
		{"test", "--set", "w=1, 1", "a.sim"},
		{"compare", "--set", "w=1,1", "a.sim"},
		{"report", "-o", "-", "--set", "w=1,1", "a.sim"},
		{"trace", "-o", "-", "--set", "w=1,1", "a.sim"},
	} {
		cliCase{args: args, code: 2, stderr: []string{"1 is listed twice; give each value once: w=1\n"}, noStdout: true}.check(t)
	}
	cliCase{args: []string{"run", "--set", "w=1,2", "--set", "w=3", "a.sim"}, code: 2, stderr: []string{"w is set twice"}, noStdout: true}.check(t)
	cliCase{args: []string{"trace", "-o", "-", "--set", "w=1", "--set", "w=3", "a.sim"}, code: 2, stderr: []string{"w is set twice"}, noStdout: true}.check(t)
	for list, want := range map[string]string{
		"1,2,3":            "",
		"5ms,1s,5000us":    "5000us is the same as 5ms; give each value once: w=5ms,1s",
		"0,0ms":            "0ms is the same as 0; give each value once: w=0",
		"a,b,a,b,c":        "a is listed twice; give each value once: w=a,b,c",
		"10%,10%":          "10% is listed twice; give each value once: w=10%",
		"1.5s, 1500ms ,2s": "1500ms is the same as 1.5s; give each value once: w=1.5s,2s",
	} {
		err := distinctValues("w", list)
		if got := fmt.Sprint(err); (err == nil) != (want == "") || err != nil && got != want {
			t.Errorf("distinctValues(w, %q) = %v, want %q", list, err, want)
		}
	}
}

// TestMissingFiles goes through the real parser.
func TestMissingFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.sim")
	other := filepath.Join(dir, "other.sim")
	cliCase{name: "one", args: []string{"run", missing}, code: 2, stderr: []string{missing}, noStdout: true, stderrLine: true}.check(t)

	var out, errb bytes.Buffer
	if code := run([]string{"run", "--format", "json", missing, other}, &out, &errb); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], missing) || !strings.Contains(lines[1], other) {
		t.Errorf("want one line per missing file, in order; got:\n%s", errb.String())
	}
	if strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("several files in json give an array, even an empty one; got %q", out.String())
	}
}

// --max-time reads durations as the language does (dsl.ParseDuration,
// whose tests hold the cases), and refuses what the clock cannot hold.
func TestDurationFlag(t *testing.T) {
	t.Parallel()
	var d durationFlag
	if err := d.Set("1.5s"); err != nil || d.ns != 1_500_000_000 || !d.set {
		t.Errorf("Set(1.5s): %+v, %v", d, err)
	}
	if err := d.Set("5min"); err == nil || !strings.Contains(err.Error(), "want a duration like 500ms") {
		t.Errorf("Set(5min): %v", err)
	}
	if maxTimeError(simulator.DefaultMaxTime) != nil || maxTimeError(simulator.DefaultMaxTime+1) == nil || maxTimeError(0) == nil {
		t.Error("maxTimeError: wrong bounds")
	}
}

// fakeRun replaces the parser and the engine for one test: each file name
// maps to what parsing and running it gives.
type fakeFile struct {
	parseErr error
	runErr   error
	result   *simulator.Result
}

// fakes is an env whose parser and engine are fakes; seen collects the
// options of every run.
type fakes struct {
	*env
	mu   sync.Mutex
	seen []simulator.Options
}

func withFakes(files map[string]fakeFile) *fakes {
	f := &fakes{env: realEnv()}
	f.expand = func(paths []string) []app.Item {
		items := make([]app.Item, len(paths))
		for i, p := range paths {
			items[i] = app.Item{Path: p}
		}
		return items
	}
	f.parse = func(path string, _ map[string]string) (*dsl.Sweep, error) {
		f, ok := files[path]
		if !ok {
			return nil, &os.PathError{Op: "open", Path: path, Err: os.ErrNotExist}
		}
		if f.parseErr != nil {
			return nil, f.parseErr
		}
		sc := &simulator.Scenario{Title: path, File: path}
		return &dsl.Sweep{File: path, Title: path, Runs: []dsl.Run{{Scenario: sc}}}, nil
	}
	f.simulate = func(sc *simulator.Scenario, opt simulator.Options) (*simulator.Result, error) {
		f.mu.Lock()
		f.seen = append(f.seen, opt)
		f.mu.Unlock()
		file := files[sc.File]
		if file.runErr != nil {
			return nil, file.runErr
		}
		r := *file.result
		return &r, nil
	}
	return f
}

func okResult(title string) *simulator.Result {
	return &simulator.Result{
		Scenario: title, Makespan: 30_000_000, Utilization: 100,
		Tasks:        []simulator.TaskResult{{Name: "P1", Group: "P1", Kind: "task", Process: "P1", Finish: 30_000_000, Turnaround: 30_000_000, CPU: 30_000_000, Finished: true}},
		Processes:    []simulator.ProcessResult{{Name: "P1", Group: "P1", Native: true}},
		Cores:        []simulator.CoreResult{{ID: 0, Busy: 30_000_000}},
		Expectations: []simulator.ExpectResult{{Text: "makespan < 900ms", OK: true, Actual: "30ms"}},
	}
}

func TestRunWithFakes(t *testing.T) {
	t.Parallel()
	failing := okResult("failing")
	failing.Expectations = []simulator.ExpectResult{{Text: "makespan < 10ms", OK: false, Actual: "30ms"}}
	deadlocked := okResult("deadlocked")
	deadlocked.Deadlock = &simulator.Deadlock{Time: 5_000_000, Blocked: []simulator.Blocked{{Process: "app", Entity: "a"}, {Process: "app", Entity: "b"}}}
	oom := okResult("oom")
	oom.Failure = &simulator.Failure{Time: 1, Entity: "app", Message: "out of memory"}
	parseErr := errors.New("bad.sim:3:7: unexpected \"}\"\n  cpu }\n      ^")
	files := map[string]fakeFile{
		"ok.sim":       {result: okResult("fine")},
		"ok2.sim":      {result: okResult("also fine")},
		"failing.sim":  {result: failing},
		"deadlock.sim": {result: deadlocked},
		"oom.sim":      {result: oom},
		"bad.sim":      {parseErr: parseErr},
		"endless.sim":  {runErr: &simulator.LimitError{What: "events", Limit: 10, At: 3_000_000}},
	}
	cases := []cliCase{
		{name: "ok", args: []string{"run", "ok.sim"}, code: 0, stdout: []string{"== fine (ok.sim) ==", "PASS  expect makespan < 900ms  (actual 30ms)"}},
		{name: "flags after file", args: []string{"run", "ok.sim", "--format", "json"}, code: 0, stdout: []string{`"scenario": "fine"`}},
		{name: "failed expectation", args: []string{"run", "failing.sim"}, code: 1, stdout: []string{"FAIL  expect makespan < 10ms  (actual 30ms)"}},
		{name: "deadlock", args: []string{"run", "deadlock.sim"}, code: 1, stdout: []string{"DEADLOCK at 5ms", "blocked: app/a"}},
		{name: "deadlock json", args: []string{"run", "--format=json", "deadlock.sim"}, code: 1, stdout: []string{`"deadlock": {`}},
		{name: "modelled failure", args: []string{"run", "oom.sim"}, code: 1, stdout: []string{"FAILURE at 1ns: app: out of memory"}},
		{name: "parse error", args: []string{"run", "bad.sim"}, code: 2, stderr: []string{"bad.sim:3:7: unexpected \"}\"\n  cpu }\n      ^\n"}, noStdout: true},
		{name: "parse error does not stop the others", args: []string{"run", "bad.sim", "ok.sim"}, code: 2, stdout: []string{"== fine (ok.sim) =="}, stderr: []string{"bad.sim:3:7"}},
		{name: "limit", args: []string{"run", "endless.sim", "ok.sim"}, code: 2, stdout: []string{"== fine"}, stderr: []string{"endless.sim: simulation stopped after 10 events at t=3ms"}, stderrLine: true},
		{name: "2 beats 1", args: []string{"run", "failing.sim", "endless.sim"}, code: 2},
		{name: "1 beats 0", args: []string{"run", "ok.sim", "failing.sim", "ok2.sim"}, code: 1},
		{name: "missing file beside good ones", args: []string{"run", "ok.sim", "gone.sim"}, code: 2, stderr: []string{"gone.sim: file does not exist"}, stderrLine: true},
		{name: "double dash", args: []string{"run", "--", "--per-task"}, code: 2, stderr: []string{"--per-task: file does not exist"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.env = withFakes(files).env
			c.check(t)
		})
	}
}

func TestRunOutputOrderAndShape(t *testing.T) {
	t.Parallel()
	run := withFakes(map[string]fakeFile{
		"a.sim": {result: okResult("first")},
		"b.sim": {result: okResult("second")},
	}).run
	var out, errb bytes.Buffer
	if code := run([]string{"run", "b.sim", "--format", "json", "a.sim"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var arr []struct{ Scenario, File string }
	if err := json.Unmarshal(out.Bytes(), &arr); err != nil {
		t.Fatalf("several files must give one JSON array: %v\n%s", err, out.String())
	}
	if len(arr) != 2 || arr[0].Scenario != "second" || arr[1].Scenario != "first" || arr[0].File != "b.sim" {
		t.Errorf("want results in the order of the files; got %+v", arr)
	}

	out.Reset()
	if code := run([]string{"run", "a.sim", "b.sim"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	i, j := strings.Index(text, "== second"), strings.Index(text, "== first")
	if j < 0 || i < j || !strings.Contains(text, "\n\n== second") {
		t.Errorf("want tables in file order, separated by a blank line:\n%s", text)
	}

	out.Reset()
	if code := run([]string{"run", "--format", "json", "a.sim"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var obj map[string]any
	if err := json.Unmarshal(out.Bytes(), &obj); err != nil {
		t.Errorf("one file must give one JSON object: %v\n%s", err, out.String())
	}
}

func TestRunPassesOptions(t *testing.T) {
	t.Parallel()
	f := withFakes(map[string]fakeFile{"a.sim": {result: okResult("a")}})
	run, seen := f.run, &f.seen
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--max-events", "5000", "a.sim", "--max-time", "1.5s"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if code := run([]string{"run", "a.sim"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := []simulator.Options{
		{MaxEvents: 5000, MaxTime: 1_500_000_000},
		{MaxEvents: simulator.DefaultMaxEvents, MaxTime: simulator.DefaultMaxTime},
	}
	if len(*seen) != 2 {
		t.Fatalf("simulate called %d times, want 2", len(*seen))
	}
	for i, w := range want {
		if g := (*seen)[i]; g.MaxEvents != w.MaxEvents || g.MaxTime != w.MaxTime {
			t.Errorf("run %d: options %+v, want %+v", i, g, w)
		}
	}
}

func TestRunPerTask(t *testing.T) {
	t.Parallel()
	r := okResult("replicas")
	r.Tasks = nil
	for _, n := range []string{"w#1", "w#2", "w#3"} {
		r.Tasks = append(r.Tasks, simulator.TaskResult{Name: n, Group: "w", Kind: "thread", Process: "app", Finish: 1, Finished: true})
	}
	r.Processes = []simulator.ProcessResult{{Name: "app", Group: "app"}}
	e := withFakes(map[string]fakeFile{"a.sim": {result: r}}).env
	cliCase{args: []string{"run", "a.sim"}, stdout: []string{"w#1..3 (x3)"}, env: e}.check(t)
	cliCase{args: []string{"run", "a.sim", "--per-task"}, stdout: []string{"| w#2 "}, env: e}.check(t)
}
