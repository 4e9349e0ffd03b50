package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// gilsim trace, with the real parser and engine.

// dirEntries lists the names in dir, to show that a failed command left
// nothing behind (no temporary file either).
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestTraceCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "trace.json")
	cliCase{name: "trace", args: []string{"trace", "testdata/fcfs.sim", "-o", out}, code: 0, noStdout: true}.check(t)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var tf struct {
		TraceEvents []struct {
			Name string `json:"name"`
			Ph   string `json:"ph"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	phases := map[string]int{}
	for _, ev := range tf.TraceEvents {
		phases[ev.Ph]++
	}
	if phases["X"] == 0 || phases["M"] == 0 {
		t.Errorf("events by phase: %v", phases)
	}
	if got := dirEntries(t, dir); len(got) != 1 {
		t.Errorf("the folder holds %q, want only trace.json", got)
	}

	old := []byte("the previous trace\n")
	cases := []cliCase{
		{name: "stdout", args: []string{"trace", "--out", "-", "testdata/fcfs.sim"}, code: 0, stdout: []string{`"traceEvents":[`, `"ph":"X"`}},
		{name: "failed expectation still writes", args: []string{"trace", "testdata/failing.sim", "-o", filepath.Join(dir, "failing.json")}, code: 1},
		{name: "missing folder", args: []string{"trace", "testdata/fcfs.sim", "-o", filepath.Join(dir, "nope", "t.json")}, code: 2,
			stderr: []string{"gilsim trace: --out ", "the folder ", "does not exist"}, stderrLine: true, noStdout: true},
		{name: "output is a folder", args: []string{"trace", "testdata/fcfs.sim", "-o", dir}, code: 2,
			stderr: []string{"is a folder"}, stderrLine: true, noStdout: true},
		{name: "no output", args: []string{"trace", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"no output file given"}, noStdout: true},
		{name: "two files", args: []string{"trace", "testdata/fcfs.sim", "testdata/failing.sim", "-o", out}, code: 2,
			stderr: []string{"one scenario file at a time"}, noStdout: true},
		{name: "sweep", args: []string{"trace", "testdata/sweep.sim", "-o", out}, code: 2,
			stderr: []string{"a sweep of", "--set"}, stderrLine: true, noStdout: true},
		{name: "syntax error", args: []string{"trace", "testdata/syntax.sim", "-o", filepath.Join(dir, "syntax.json")}, code: 2,
			stderr: []string{"testdata/syntax.sim:3:"}, noStdout: true},
		{name: "missing file", args: []string{"trace", "testdata/nope.sim", "-o", filepath.Join(dir, "nope.json")}, code: 2,
			stderr: []string{"testdata/nope.sim: "}, stderrLine: true, noStdout: true},
		{name: "bad set", args: []string{"trace", "--set", "x", "testdata/fcfs.sim", "-o", out}, code: 2,
			stderr: []string{"want NAME=VALUE"}, noStdout: true},
		{name: "help", args: []string{"help", "trace"}, code: 0, stdout: []string{"Usage: gilsim trace", "Perfetto"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}

	// A run stopped by a limit leaves an existing trace as it was.
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	cliCase{name: "limit", args: []string{"trace", "testdata/fcfs.sim", "--max-events", "3", "-o", out}, code: 2,
		stderr: []string{"testdata/fcfs.sim: simulation stopped after 3 events"}, stderrLine: true, noStdout: true}.check(t)
	if data, _ := os.ReadFile(out); !bytes.Equal(data, old) {
		t.Errorf("a failed trace changed the existing file:\n%s", data)
	}
	if got := dirEntries(t, dir); len(got) != 2 { // trace.json, failing.json
		t.Errorf("the folder holds %q, want trace.json and failing.json", got)
	}
}

// A trace larger than --max-trace-size stops the run and writes nothing:
// the existing file stays, stdout gets nothing, no temporary file is
// left. So does a run stopped by --max-events into stdout.
func TestTraceSizeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "trace.json")
	old := []byte("the previous trace\n")
	os.WriteFile(out, old, 0o644)
	big := filepath.Join(dir, "big.sim")
	os.WriteFile(big, []byte(`scenario "big" { cores 4 task "t" x 8 { repeat 100000000 { cpu 1us io 1us } } }`), 0o644)
	cases := []cliCase{
		{name: "file", args: []string{"trace", big, "-o", out, "--max-trace-size", "1MB"}, code: 2, noStdout: true, stderrLine: true,
			stderr: []string{"gilsim trace: " + big + ": the trace would be larger than --max-trace-size 1MB; raise it (--max-trace-size 2MB)"}},
		{name: "stdout", args: []string{"trace", big, "-o", "-", "--max-trace-size", "64KB"}, code: 2, noStdout: true, stderrLine: true,
			stderr: []string{"larger than --max-trace-size 64KB"}},
		{name: "default", args: []string{"trace", big, "-o", out}, code: 2, noStdout: true, stderrLine: true,
			stderr: []string{"larger than --max-trace-size 256MB"}},
		{name: "small trace, large enough", args: []string{"trace", "testdata/fcfs.sim", "-o", "-", "--max-trace-size", "3KB"}, code: 0,
			stdout: []string{`"traceEvents":[`}},
		{name: "close past the limit", args: []string{"trace", "testdata/fcfs.sim", "-o", "-", "--max-trace-size", "2KB"}, code: 2, noStdout: true,
			stderr: []string{"larger than --max-trace-size 2KB"}},
		{name: "event limit into stdout", args: []string{"trace", big, "-o", "-", "--max-events", "1000"}, code: 2, noStdout: true, stderrLine: true,
			stderr: []string{"simulation stopped after 1000 events"}},
		{name: "too small", args: []string{"trace", big, "-o", out, "--max-trace-size", "100B"}, code: 2, noStdout: true,
			stderr: []string{"--max-trace-size must be at least 1KB"}},
		{name: "not a size", args: []string{"trace", big, "-o", out, "--max-trace-size", "1.5 MB"}, code: 2, noStdout: true,
			stderr: []string{"want a size like 256MB or 2GB"}},
		{name: "report has no such flag", args: []string{"report", big, "-o", out, "--max-trace-size", "1MB"}, code: 2, noStdout: true,
			stderr: []string{"unknown flag --max-trace-size"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, old) {
		t.Errorf("the existing trace was changed: %.100q", b)
	}
	if got := dirEntries(t, dir); len(got) != 2 {
		t.Errorf("the folder holds %q, want big.sim and trace.json", got)
	}
}

// --max-trace-size reads sizes as the language does (dsl.ParseSize), and
// formatSize writes them back.
func TestSizeFlag(t *testing.T) {
	t.Parallel()
	good := map[string]int64{"1KB": 1024, "256MB": 256 << 20, "2GB": 2 << 30, "1500B": 1500, "0B": 0, "1.5MB": 3 << 19}
	for in, want := range good {
		var f sizeFlag
		if err := f.Set(in); err != nil || f.bytes != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, f.bytes, err, want)
		}
		if in != "1500B" && in != "0B" && in != "1.5MB" {
			if s := formatSize(want); s != in {
				t.Errorf("formatSize(%d) = %q, want %q", want, s, in)
			}
		}
	}
	for _, in := range []string{"", "MB", "1 MB", "0.5B", "-1MB", "1mb", "1TB", "9999999999999GB", "1e3KB"} {
		var f sizeFlag
		if err := f.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, f.bytes)
		}
	}
}
