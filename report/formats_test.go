package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// sweepRuns is a sweep of three runs over workers, with a fixed switch.
func sweepRuns() []Run {
	var runs []Run
	for i, w := range []string{"1", "2", "4"} {
		r := basicResult()
		r.Makespan = int64(3-i) * 100 * ms
		if w == "2" {
			r.Expectations = r.Expectations[:1]
		}
		if w == "4" {
			r.Deadlock = &simulator.Deadlock{Time: 5 * ms, Blocked: []simulator.Blocked{{Process: "app", Entity: "a"}, {Process: "app", Entity: "b"}}}
		}
		runs = append(runs, Run{Result: r, RunID: RunID{Params: []Param{{"workers", w, true}, {"switch", "5ms", false}}, Varied: []string{"workers"}}})
	}
	return runs
}

func TestMarkdownGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		r    *simulator.Result
	}{{"basic.md", basicResult()}, {"grouped.md", groupedResult()}, {"evil.md", evilResult()}} {
		var b bytes.Buffer
		if err := Markdown(&b, c.r, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		golden(t, c.name, b.Bytes())
	}
}

func TestSweepGolden(t *testing.T) {
	var b bytes.Buffer
	if err := SweepTable(&b, sweepRuns(), []string{"workers"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep.txt", b.Bytes())
	b.Reset()
	if err := SweepMarkdown(&b, sweepRuns(), []string{"workers"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep.md", b.Bytes())
	b.Reset()
	if err := SummaryGrid(sweepRuns()).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep.csv", b.Bytes())
	b.Reset()
	if err := TasksGrid([]Run{{Result: evilResult()}}).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "evil-tasks.csv", b.Bytes())
}

func TestJSONRunsMatchesJSON(t *testing.T) {
	for _, rs := range [][]*simulator.Result{nil, {basicResult()}, {basicResult(), groupedResult(), evilResult()}} {
		var want, got bytes.Buffer
		if err := JSON(&want, rs); err != nil {
			t.Fatal(err)
		}
		runs := make([]Run, len(rs))
		for i, r := range rs {
			runs[i] = Run{Result: r}
		}
		if err := JSONRuns(&got, runs); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%d results: JSONRuns differs from JSON\n--- got\n%s\n--- want\n%s", len(rs), got.String(), want.String())
		}
	}
}

func TestJSONParams(t *testing.T) {
	var b bytes.Buffer
	if err := JSONRuns(&b, sweepRuns()); err != nil {
		t.Fatal(err)
	}
	var arr []struct {
		Params   map[string]any `json:"params"`
		Makespan int64          `json:"makespan_ns"`
	}
	if err := json.Unmarshal(b.Bytes(), &arr); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(arr) != 3 || arr[1].Params["workers"] != 2.0 || arr[1].Params["switch"] != "5ms" {
		t.Errorf("params: %+v", arr)
	}
	if !strings.Contains(b.String(), "\"params\": {\n      \"workers\": 1,\n      \"switch\": \"5ms\"\n    }") {
		t.Errorf("params keep their declaration order:\n%s", b.String())
	}
}

func TestJSONLine(t *testing.T) {
	var b bytes.Buffer
	for _, r := range append(sweepRuns(), Run{Result: evilResult()}) {
		if err := JSONLine(&b, r); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 lines, got %d:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Errorf("line is not one JSON object: %v\n%s", err, l)
		}
		if strings.ContainsAny(l, "\x1b\u202e") {
			t.Errorf("terminal controls in JSON line: %q", l)
		}
	}
	if _, ok := map[string]any{}["params"]; ok || strings.Contains(lines[3], `"params"`) {
		t.Errorf("a run without parameters has no params field: %s", lines[3])
	}
}

func TestCSVSafe(t *testing.T) {
	cases := map[string]string{
		"plain":              "plain",
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"+1":                 "'+1",
		"-2+3":               "'-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"a=b":                "a=b",
		"'quoted":            "''quoted",
		"\t=x":               "'\t=x",
		"\r=x":               "'\r=x",
		"rtl \u202e":         "rtl \u202e",
		"zero\u200bwidth":    "zero\u200bwidth",
		"":                   "",
	}
	for in, want := range cases {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
	// Numeric columns keep their sign; text columns are guarded; the
	// output parses back as CSV with one record per row.
	g := &Grid{}
	g.AddColumn("name", false)
	g.AddColumn("start_ns", true)
	g.Rows = [][]string{{"-evil", "-1"}, {"a,\"b\"\nc", "5"}}
	var b bytes.Buffer
	if err := g.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][0] != "'-evil" || recs[1][1] != "-1" || recs[2][0] != "a,\"b\"\nc" {
		t.Errorf("csv: %q %v", recs, err)
	}
}

func TestMarkdownEscape(t *testing.T) {
	cases := map[string]string{
		"w#1..4 (x4)":               `w\#1..4 (x4)`,
		"a|b":                       `a\|b`,
		"<img src=x onerror=y>":     `\<img src=x onerror=y\>`,
		"*bold* _it_ `code` [l](u)": "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](u)",
		"line\nbreak":               `line\\nbreak`,
		"&amp;":                     `\&amp;`,
	}
	for in, want := range cases {
		if got := MarkdownEscape(in); got != want {
			t.Errorf("MarkdownEscape(%q) = %q, want %q", in, got, want)
		}
	}
	// A hostile name cannot add a column to a Markdown table.
	g := &Grid{}
	g.AddColumn("task", false)
	g.AddColumn("n", true)
	g.Rows = [][]string{{"a|b|c", "1"}}
	var b bytes.Buffer
	if err := g.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if n := strings.Count(line, "|") - strings.Count(line, `\|`); n != 3 {
			t.Errorf("row %q has %d cell separators, want 3", line, n)
		}
	}
}

// sideBySideRuns is a sweep of a scenario that runs two variants of a
// service as processes side by side (s4 replicated twice, s16) and an
// asyncio one; in the second run a thread of s16 never finishes, and a
// process named "=cmd" tests the escaping of the column names.
func sideBySideRuns() []Run {
	var runs []Run
	for i, load := range []string{"4", "8"} {
		k := int64(i + 1)
		r := &simulator.Result{
			Scenario: "4 vs 16 threads", File: "side.sim", Makespan: 90 * ms * k,
			Tasks: []simulator.TaskResult{
				{Name: "w#1", Group: "w", Kind: "thread", Process: "s4#1", Finish: 20 * ms * k, Finished: true},
				{Name: "w#1", Group: "w", Kind: "thread", Process: "s4#2", Finish: 30 * ms * k, Finished: true},
				{Name: "w#1", Group: "w", Kind: "thread", Process: "s16", Finish: 90 * ms * k, Finished: i == 0},
				{Name: "c", Group: "c", Kind: "coroutine", Process: "=cmd", Finish: 40 * ms * k, Finished: true},
				{Name: "P", Group: "P", Kind: "task", Process: "P", Finish: 5 * ms, Finished: true},
			},
			Processes: []simulator.ProcessResult{
				{Name: "s4#1", Group: "s4", GILWait: 1 * ms * k},
				{Name: "s4#2", Group: "s4", GILWait: 2 * ms * k},
				{Name: "s16", Group: "s16", GILWait: 40 * ms * k},
				{Name: "=cmd", Group: "=cmd", LoopLagMax: 3 * ms * k},
				{Name: "P", Group: "P", Native: true},
			},
		}
		runs = append(runs, Run{Result: r, RunID: RunID{Params: []Param{{"load", load, true}}, Varied: []string{"load"}}})
	}
	return runs
}

// A sweep of two or more CPython process groups gets the makespan, GIL
// wait and loop lag of each: s4 is the latest finish of its two
// replicas (30 ms, 60 ms) and their summed GIL wait (3 ms, 6 ms); s16
// shows "-" when a thread of it never finished.
func TestSweepProcessColumnsGolden(t *testing.T) {
	var b bytes.Buffer
	if err := SweepTable(&b, sideBySideRuns(), []string{"load"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep-procs.txt", b.Bytes())
	b.Reset()
	if err := SummaryGrid(sideBySideRuns()).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "sweep-procs.csv", b.Bytes())
	// one process group: no columns of its own
	one := sideBySideRuns()
	for _, run := range one {
		run.Result.Processes = run.Result.Processes[:2]
	}
	if g := SweepGrid(one, []string{"load"}); len(g.Columns) != 8 { // load, six run columns, expect
		t.Errorf("one process group: %d columns", len(g.Columns))
	}
}
