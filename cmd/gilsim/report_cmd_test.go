package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// gilsim report, with the real parser and engine.

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	// The workers=4 run of the sweep fails an expectation: exit 1, page written.
	cliCase{name: "report", args: []string{"report", "-o", out, "testdata/fcfs.sim", "testdata/replicas.sim", "testdata/sweep.sim"}, code: 1, noStdout: true}.check(t)
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "fcfs convoy", `<svg class="gantt"`, `class="s-run"`, "w#4", "[workers=4]"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := bytes.Count(page, []byte(`<svg class="gantt"`)); n < 4 {
		t.Errorf("%d charts, want one per run (at least 4)", n)
	}

	old := []byte("<p>the previous report</p>\n")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []cliCase{
		{name: "a bad file writes nothing", args: []string{"report", "-o", out, "testdata/fcfs.sim", "testdata/syntax.sim", "testdata/nope.sim"}, code: 2,
			stderr: []string{"testdata/syntax.sim:3:", "testdata/nope.sim: "}, noStdout: true},
		{name: "a limit writes nothing", args: []string{"report", "-o", out, "--max-time", "1ms", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"testdata/fcfs.sim: simulation passed the time limit"}, stderrLine: true, noStdout: true},
		{name: "missing folder", args: []string{"report", "-o", filepath.Join(dir, "nope", "r.html"), "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"gilsim report: --out ", "does not exist"}, stderrLine: true, noStdout: true},
		{name: "no files", args: []string{"report", "-o", out}, code: 2, stderr: []string{"no scenario file given"}, noStdout: true},
		{name: "help", args: []string{"help", "report"}, code: 0, stdout: []string{"Usage: gilsim report", "self-"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
	if data, _ := os.ReadFile(out); !bytes.Equal(data, old) {
		t.Errorf("a failed report changed the existing file:\n%s", data)
	}
	if got := dirEntries(t, dir); len(got) != 1 {
		t.Errorf("the folder holds %q, want only report.html", got)
	}
	cliCase{name: "failed expectation", args: []string{"report", "-o", "-", "testdata/failing.sim"}, code: 1,
		stdout: []string{"FAIL", "too optimistic"}}.check(t)
}
