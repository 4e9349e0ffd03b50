package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// run --timeline and --width, with the real parser and engine.

// fakeTerminal is an env whose stdout looks like a terminal of cols
// columns (cols 0: not a terminal); stderr is never one, so that no
// progress bar is drawn.
func fakeTerminal(cols int) *env {
	e := realEnv()
	e.terminal = func(w io.Writer) (int, bool) {
		if _, isStdout := w.(*stdoutWriter); isStdout {
			return cols, cols > 0
		}
		return 0, false
	}
	return e
}

func TestRunTimeline(t *testing.T) {
	t.Parallel()
	e := fakeTerminal(0)
	dir := t.TempDir()
	cases := []cliCase{
		{name: "timeline", args: []string{"run", "--timeline", "testdata/fcfs.sim"}, code: 0,
			stdout: []string{"== fcfs convoy", "timeline (one column = ", "core 0 ", "|", "# running"}},
		{name: "width", args: []string{"run", "--timeline", "--width", "60", "testdata/fcfs.sim"}, code: 0,
			stdout: []string{"timeline (one column = "}},
		{name: "replicas", args: []string{"run", "--timeline", "testdata/replicas.sim"}, code: 0,
			stdout: []string{"app/w#1 ", "app/w#4 "}},
		// One timeline per run; the workers=4 run fails an expectation.
		{name: "sweep", args: []string{"run", "--timeline", "testdata/sweep.sim"}, code: 1,
			stdout: []string{"[workers=1] timeline (one column", "[workers=4] timeline (one column", "app/w#4 "}},
		{name: "width too small", args: []string{"run", "--timeline", "--width", "39", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"--width must be between 40 and 1000 columns, not 39"}, noStdout: true},
		{name: "width too large", args: []string{"run", "--timeline", "--width=1001", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"--width must be between 40 and 1000 columns, not 1001"}, noStdout: true},
		{name: "width not a number", args: []string{"run", "--timeline", "--width", "wide", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"want a number of columns"}, noStdout: true},
		{name: "width without timeline", args: []string{"run", "--width", "80", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"--width sets the width of --timeline; add --timeline"}, noStdout: true},
		{name: "timeline as json", args: []string{"run", "--timeline", "--format", "json", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"use it with --format table, not json"}, noStdout: true},
		{name: "timeline into a file", args: []string{"run", "--timeline", "--out", filepath.Join(dir, "out.txt"), "testdata/fcfs.sim"}, code: 0,
			noStdout: true},
	}
	for _, c := range cases {
		c.env = e
		t.Run(c.name, c.check)
	}
	data, err := os.ReadFile(filepath.Join(dir, "out.txt"))
	if err != nil || !bytes.Contains(data, []byte("timeline (one column")) {
		t.Errorf("--out file: %v\n%s", err, data)
	}
	// Without a terminal and without --width, lines are 100 columns.
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "core 0 ") && utf8.RuneCountInString(line) != defaultTimelineWidth {
			t.Errorf("chart line is %d columns, want %d: %q", utf8.RuneCountInString(line), defaultTimelineWidth, line)
		}
	}
}

func TestRunTimelineTerminal(t *testing.T) {
	t.Parallel()
	t.Run("follows the terminal", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := fakeTerminal(73).run([]string{"run", "--timeline", "testdata/fcfs.sim"}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		found := false
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, "core 0 ") {
				found = true
				if n := utf8.RuneCountInString(line); n != 73 {
					t.Errorf("chart line is %d columns on a 73-column terminal: %q", n, line)
				}
			}
		}
		if !found {
			t.Errorf("no timeline:\n%s", out.String())
		}
	})
	cases := []struct {
		cols int
		c    cliCase
	}{
		{80, cliCase{name: "wider than the terminal", args: []string{"run", "--timeline", "--width", "120", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"--width 120 is wider than the terminal (80 columns)"}, noStdout: true}},
		{30, cliCase{name: "terminal too narrow", args: []string{"run", "--timeline", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"the terminal is 30 columns wide; --timeline needs at least 40"}, noStdout: true}},
		{30, cliCase{name: "narrow terminal, output to a file", args: []string{"run", "--timeline", "--out", filepath.Join(t.TempDir(), "x"), "testdata/fcfs.sim"}, code: 0,
			noStdout: true}},
	}
	for _, c := range cases {
		t.Run(c.c.name, func(t *testing.T) {
			c.c.env = fakeTerminal(c.cols)
			c.c.check(t)
		})
	}
}
