package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// gilsim report, with the real parser and engine.

func TestReportCommand(t *testing.T) {
	t.Parallel()
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

// gilsim report takes folders and globs, as run and test do.
func TestReportFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, title := range map[string]string{"a.sim": "alpha", "sub/b.sim": "beta", "other/c.sim": "gamma"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(`scenario "`+title+`" { task "t" { cpu 1ms } expect makespan == 1ms }`), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "sub", "notes.txt"), []byte("not a scenario"), 0o644)
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	out := filepath.Join(t.TempDir(), "r.html")

	cliCase{name: "folder and glob", args: []string{"report", "-o", out, filepath.Join(dir, "sub"), filepath.Join(dir, "*.sim")}, code: 0, noStdout: true}.check(t)
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"alpha", "beta"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("gamma")) {
		t.Errorf("the page holds a file no path named")
	}
	if i, j := bytes.Index(page, []byte("beta")), bytes.Index(page, []byte("alpha")); i > j {
		t.Errorf("want the sections in the order of the paths (beta, then alpha)")
	}

	cliCase{name: "folder without scenarios", args: []string{"report", "-o", "-", dir, filepath.Join(dir, "empty")}, code: 2,
		stderr: []string{"empty: no .sim files in this folder"}, stderrLine: true, noStdout: true}.check(t)
	cliCase{name: "glob without matches", args: []string{"report", "-o", "-", filepath.Join(dir, "*.txt")}, code: 2,
		stderr: []string{"*.txt: no file matches this pattern"}, stderrLine: true, noStdout: true}.check(t)
	// --out inside the folder, as one of its files: refused.
	cliCase{name: "out is a file of the folder", args: []string{"report", "-o", filepath.Join(dir, "a.sim"), dir}, code: 2,
		stderr: []string{"that is an input file"}, stderrLine: true, noStdout: true}.check(t)
}
