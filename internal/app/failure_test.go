package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

func TestFailures(t *testing.T) {
	id := report.RunID{Params: []report.Param{{Name: "w", Value: "8", Numeric: true}, {Name: "d", Value: "5ms"}}, Varied: []string{"w"}}
	res := &simulator.Result{
		Deadlock: &simulator.Deadlock{Time: 5_000_000, Blocked: []simulator.Blocked{{Process: "app", Entity: "a"}, {Process: "app", Entity: "b"}}},
		Failure:  &simulator.Failure{Time: 1, Message: "out of memory"},
		Expectations: []simulator.ExpectResult{
			{Text: "makespan < 1s", OK: true},
			{Text: "makespan < 1ms", Actual: "1.2s", Pos: simulator.Pos{Line: 14}},
			{Text: `finish("x") < 1ms`, Err: `no entity named "x"`, Pos: simulator.Pos{Line: 15}},
		},
	}
	var lines []string
	for _, f := range Failures("pool.sim", id, res) {
		lines = append(lines, f.String())
	}
	want := []string{
		"pool.sim: DEADLOCK at 5ms: blocked app/a (waiting), app/b (waiting) [w=8]",
		"pool.sim: FAILURE at 1ns: out of memory [w=8]",
		"pool.sim:14: expect makespan < 1ms — actual 1.2s [w=8]",
		`pool.sim:15: expect finish("x") < 1ms — no entity named "x" [w=8]`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	b, _ := json.Marshal(Failures("pool.sim", id, res)[2])
	if string(b) != `{"kind":"expect","line":14,"text":"makespan \u003c 1ms","actual":"1.2s","params":{"w":"8"}}` {
		t.Errorf("json: %s", b)
	}
	res.Failure.Entity = "app"
	if got := Failures("a.sim", report.RunID{}, res)[1].String(); got != "a.sim: FAILURE at 1ns: app: out of memory" {
		t.Errorf("with an entity, outside a sweep: %q", got)
	}
}

func TestComparisonFailures(t *testing.T) {
	base := &compare.Row{Model: "sequential", Result: &simulator.Result{Deadlock: &simulator.Deadlock{}}, Problem: "deadlock at 1s"}
	c := &compare.Comparison{
		Rows: []*compare.Row{{Model: "threads", Result: &simulator.Result{}}, {Model: "asyncio"},
			{Model: "processes", NotRun: `lock "db" would not be shared`, NotPos: simulator.Pos{Line: 2, Col: 40}}},
		Baseline: base,
		Expectations: []compare.Expectation{
			{ExpectResult: simulator.ExpectResult{Text: "speedup(threads) > 2", Actual: "1.00", Pos: simulator.Pos{Line: 3}}},
			{ExpectResult: simulator.ExpectResult{Text: "lag(gevent) < 1ms"}, Skipped: true},
		},
	}
	var lines []string
	for _, f := range ComparisonFailures("w.sim", report.RunID{}, c) {
		lines = append(lines, f.Kind+" "+f.String())
	}
	want := "not_run w.sim:2: processes cannot run this workload: lock \"db\" would not be shared\n" +
		"deadlock w.sim: sequential: deadlock at 1s\nexpect w.sim:3: expect speedup(threads) > 2 — actual 1.00"
	if strings.Join(lines, "\n") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), want)
	}
}
