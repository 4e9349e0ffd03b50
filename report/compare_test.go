package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/simulator"
)

// fixtureComparison is a hand-made comparison (the engine's numbers move
// with its rules; these do not): a baseline, models that ran, one with a
// loop, one that could not run, one that deadlocked, notes, and
// expectations that pass, fail and were skipped.
func fixtureComparison(title string) Comparison {
	res := &simulator.Result{}
	row := func(model string, makespan, cpu, gilWait, lag, mem int64, verdict string, notes ...string) *compare.Row {
		r := &compare.Row{Model: model, Result: res, Makespan: makespan, CPU: cpu, GILWait: gilWait, Latency: makespan,
			LoopLag: lag, HasLag: simulator.LoopModel(model), Memory: mem, Verdict: verdict, Notes: notes}
		r.Speedup = float64(800*ms) / float64(makespan)
		r.Parallelism = float64(cpu) / float64(makespan)
		return r
	}
	seq := row("sequential", 800*ms, 800*ms, 0, 0, 9_250_000, "the baseline: one task after another")
	c := &compare.Comparison{
		Title: title, File: "compare/cpu.sim", Workload: "crunch", Tasks: 8, Cores: 4, Workers: 4,
		Baseline: seq,
		Rows: []*compare.Row{
			seq,
			row("threads", 803_901_000, 800*ms, 5_467_000_000, 0, 9_332_000, "CPU work is serialised by the GIL"),
			row("processes", 202_291_000, 809_164_000, 0, 0, 46_081_000, "CPU work runs in parallel, on 4.0 cores on average; 5.0× the memory of asyncio",
				"a pool of 4 worker processes, each forked in 1.977ms"),
			row("asyncio", 800_012_000, 800_012_000, 0, 700_012_000, 9_224_000, "CPU work runs on the one event loop thread, one coroutine at a time"),
			{Model: "asyncio+threads", HasLag: true, NotRun: `lock "db" is held across io`, Verdict: `not run: lock "db" is held across io`},
			{Model: "gevent", HasLag: true, Result: res, Makespan: 10 * ms, Problem: "deadlock at 10ms: main/job#1", Verdict: "did not finish: deadlock at 10ms: main/job#1"},
		},
		Expectations: []compare.Expectation{
			{ExpectResult: simulator.ExpectResult{Text: "speedup(processes) > 3.5", Pos: simulator.Pos{Line: 12}, OK: true, Actual: "3.955"}, Model: "processes"},
			{ExpectResult: simulator.ExpectResult{Text: "speedup(threads) > 2", Pos: simulator.Pos{Line: 13}, Actual: "0.995"}, Model: "threads"},
			{ExpectResult: simulator.ExpectResult{Text: "lag(gevent) < 1s", Pos: simulator.Pos{Line: 14}, Actual: "?", Err: "gevent: deadlock at 10ms: main/job#1"}, Model: "gevent"},
			{ExpectResult: simulator.ExpectResult{Text: `makespan("threads-nogil") < 300ms`, Pos: simulator.Pos{Line: 15}, OK: true, Actual: "?"}, Model: "threads-nogil", Skipped: true},
		},
	}
	return Comparison{Comparison: c}
}

func TestCompareGoldens(t *testing.T) {
	plain := fixtureComparison("cpu-bound")
	evil := fixtureComparison("=cmd|' *bold* <b>\x1b[31m")
	evil.Params = []Param{{Name: "n", Value: "8", Numeric: true}, {Name: "d", Value: "5ms"}}
	evil.Varied = []string{"n"}
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"compare.txt", func(b *bytes.Buffer) error { return CompareTable(b, plain) }},
		{"compare-evil.txt", func(b *bytes.Buffer) error { return CompareTable(b, evil) }},
		{"compare.md", func(b *bytes.Buffer) error { return CompareMarkdown(b, evil) }},
		{"compare.csv", func(b *bytes.Buffer) error { return CompareGrid([]Comparison{plain, evil}).WriteCSV(b) }},
		{"compare.json", func(b *bytes.Buffer) error { return CompareJSON(b, []Comparison{plain, evil}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestCompareJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := CompareJSON(&b, []Comparison{fixtureComparison("c")}); err != nil {
		t.Fatal(err)
	}
	var models []map[string]any
	if err := json.Unmarshal(b.Bytes(), &models); err != nil {
		t.Fatal(err)
	}
	if len(models) != 6 {
		t.Fatalf("%d objects, want one per model", len(models))
	}
	for _, m := range models {
		for _, key := range []string{"model", "makespan_ns", "speedup"} {
			if _, ok := m[key]; !ok {
				t.Errorf("%v lacks %s", m["model"], key)
			}
		}
	}
	if m := models[2]; m["model"] != "processes" || m["makespan_ns"] != float64(202_291_000) || m["speedup"] != 3.955 || m["workers"] != float64(4) {
		t.Errorf("processes: %v", m)
	}
	if m := models[1]; m["loop_lag_ns"] != nil {
		t.Errorf("threads has no loop: %v", m["loop_lag_ns"])
	}
	if m := models[3]; m["loop_lag_ns"] != float64(700_012_000) {
		t.Errorf("asyncio lag: %v", m["loop_lag_ns"])
	}
	if m := models[4]; m["ran"] != false || m["not_run"] == "" || m["makespan_ns"] != float64(0) {
		t.Errorf("asyncio+threads: %v", m)
	}
	if m := models[5]; m["latency_ns"] != float64(-1) || m["problem"] == "" {
		t.Errorf("gevent: %v", m)
	}
	// expectations go with the model they are about
	if e := models[1]["expectations"].([]any); len(e) != 1 || e[0].(map[string]any)["ok"] != false {
		t.Errorf("threads expectations: %v", e)
	}
}

func TestCompareHTML(t *testing.T) {
	c := fixtureComparison("cpu <bound>")
	var b bytes.Buffer
	if err := HTML(&b, []*HTMLSection{NewCompareHTMLSection(c)}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var svgs, rects, scripts int
	var cells []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "svg":
			svgs++
		case "rect":
			rects++
		case "script":
			scripts++
		case "td":
			if n.FirstChild != nil {
				cells = append(cells, n.FirstChild.Data)
			}
		}
		for _, a := range n.Attr {
			if (a.Key == "href" || a.Key == "src") && !strings.HasPrefix(a.Val, "#") {
				t.Errorf("external reference %s=%q", a.Key, a.Val)
			}
		}
	})
	// two charts (makespan, memory), a bar for each of the 5 models that ran
	if svgs != 2 || rects != 2*6 || scripts != 0 {
		t.Errorf("%d svg, %d rect, %d script", svgs, rects, scripts)
	}
	for _, want := range []string{"processes", "202.291ms", "3.95×", "4.00", "43.946MiB"} {
		found := false
		for _, c := range cells {
			found = found || c == want
		}
		if !found {
			t.Errorf("no table cell %q", want)
		}
	}
	for _, want := range []string{
		"cpu &lt;bound&gt;", `width="600"`, "not run",
		"<b>threads</b>: CPU work is serialised by the GIL",
		`<span class="fail">FAIL</span> expect speedup(threads) &gt; 2`,
		`<span class="skip">SKIP</span>`,
		"a pool of 4 worker processes",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
