package report

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"

	"github.com/gilsim/gilsim/simulator"
)

// widthNames are names whose width on a terminal is easy to get wrong:
// invisible characters (which terminals give 0, 1 or 2 columns), a
// combining accent, wide CJK, an emoji, an East Asian ambiguous dash.
var widthNames = []string{
	"plain",
	"zero\u200bwidth",
	"soft\u00adhyphen",
	"\u200djoiner",
	"bom\ufeff",
	"selector\ufe0f",
	"filler\u3164",
	"tag\U000e0041",
	"e\u0301accent",
	"日本語",
	"ok 👍",
	"en–dash",
}

func widthsResult() *simulator.Result {
	r := &simulator.Result{
		Scenario: "widths\u200b", File: "widths.sim", Makespan: 12 * ms, Utilization: 100,
		Cores: []simulator.CoreResult{{ID: 0, Busy: 12 * ms}},
	}
	for i, n := range widthNames {
		at := int64(i) * ms
		r.Tasks = append(r.Tasks, simulator.TaskResult{Name: n, Group: n, Kind: "thread", Process: "p" + n,
			Arrival: at, Start: at, Finish: at + ms, Turnaround: ms, CPU: ms, Finished: true})
		r.Processes = append(r.Processes, simulator.ProcessResult{Name: "p" + n, Group: "p" + n})
	}
	return r
}

// Names with invisible, combining, wide or ambiguous characters leave the
// columns of every table aligned: every line of a table is as wide as its
// border, with its | at the border's + columns.
func TestTableWidths(t *testing.T) {
	var b bytes.Buffer
	if err := Tables(&b, widthsResult(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "widths.txt", b.Bytes())
	checkAligned(t, b.String())

	var g bytes.Buffer
	if err := TasksGrid([]Run{{Result: widthsResult()}}).WriteTable(&g); err != nil {
		t.Fatal(err)
	}
	checkAligned(t, g.String())
}

// checkAligned checks each table (a block of lines starting with + or |)
// of out, measuring in terminal columns. Measuring means nothing for a
// character terminals disagree on, so there must be none.
func checkAligned(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && needsEscape(r) {
			t.Errorf("%U reaches the terminal, whose width for it is anyone's guess", r)
		}
	}
	var border []int // columns of the + in the block's first border
	for _, line := range strings.Split(out, "\n") {
		if line == "" || (line[0] != '+' && line[0] != '|') {
			border = nil
			continue
		}
		var seps []int
		col := 0
		for _, g := range graphemes(line) {
			if g == "+" || g == "|" {
				seps = append(seps, col)
			}
			col += displaywidth.String(g)
		}
		if border == nil {
			border = seps
			continue
		}
		if !equalInts(seps, border) {
			t.Errorf("misaligned:\n%s\nseparators at %v, border at %v", line, seps, border)
		}
	}
}

// graphemes splits s into runes, keeping a combining mark with its base.
func graphemes(s string) []string {
	var out []string
	for _, r := range s {
		if n := len(out); n > 0 && (r >= 0x300 && r <= 0x36f) {
			out[n-1] += string(r)
			continue
		}
		out = append(out, string(r))
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The tables are the same whatever the locale says of East Asian widths.
func TestTableWidthsIgnoreLocale(t *testing.T) {
	if os.Getenv("GILSIM_WIDTHS_CHILD") == "1" {
		Tables(os.Stdout, widthsResult(), TableOptions{})
		return
	}
	run := func(env ...string) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTableWidthsIgnoreLocale$")
		cmd.Env = append(os.Environ(), append(env, "GILSIM_WIDTHS_CHILD=1")...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return string(out)
	}
	plain := run("LANG=C.UTF-8", "RUNEWIDTH_EASTASIAN=0")
	cjk := run("LANG=ja_JP.UTF-8", "LC_ALL=ja_JP.UTF-8", "RUNEWIDTH_EASTASIAN=1")
	if plain != cjk {
		t.Errorf("a CJK locale changes the tables:\n%s\nvs\n%s", plain, cjk)
	}
}
