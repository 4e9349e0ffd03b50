package simulator

import (
	"errors"
	"strings"
	"testing"
)

// A hand-built Scenario that the engine cannot run is refused by Run with
// an error naming the entity and the field, never a panic and never a
// silent run to makespan 0.
func TestValidate(t *testing.T) {
	withLocks := func(p *Process, locks ...string) *Process { p.Locks = locks; return p }
	raw := func(ms ...*Member) *Thread { return &Thread{Name: "g", Kind: ThreadGreenlets, Members: ms} }
	py := GIL{Mode: GILInterval, Interval: 5 * ms}
	cases := []struct {
		name string
		sc   *Scenario
		want []string // in the error, in order
	}{
		{"nil scenario", nil, []string{"Scenario: is nil"}},
		{"zero cores", scenario(0, PolicyFIFO, 0, task("a", 0, 0, cpu(ms))), []string{"Cores: is 0; a scenario needs at least one core"}},
		{"nil process", scenario(1, PolicyFIFO, 0, task("a", 0, 0, cpu(ms)), nil), []string{"Processes[1]: is nil"}},
		{"nil thread", scenario(1, PolicyFIFO, 0, pyproc("p", py, nil)), []string{`process "p": Processes[0].Threads[0]: is nil`}},
		{"lock out of range", scenario(1, PolicyFIFO, 0, withLocks(pyproc("p", py, th("t", Step{Op: OpLock, Lock: 2, Body: []Step{cpu(ms)}})), "L")),
			[]string{`process "p" thread "t": Processes[0].Threads[0].Steps[0].Lock: lock 2 is out of range: the process has 1 lock(s)`}},
		{"switch to no greenlet", scenario(1, PolicyFIFO, 0, pyproc("p", py, raw(&Member{Name: "a", Steps: []Step{{Op: OpSwitch, Target: 5}}}))),
			[]string{`process "p" greenlets "g" greenlet "a": Processes[0].Threads[0].Members[0].Steps[0].Target: greenlet 5 does not exist: the block has 1 greenlet(s)`}},
		{"await in a plain thread", scenario(1, PolicyFIFO, 0, pyproc("p", py, th("t", Step{Op: OpAwaitIO, Dur: Fixed(ms)}))),
			[]string{`process "p" thread "t": Processes[0].Threads[0].Steps[0].Op: ` + "`await io` cannot stand in a thread"}},
		{"negative duration", scenario(1, PolicyFIFO, 0, task("a", 0, 0, cpu(-1))), []string{`task "a": Processes[0].Threads[0].Steps[0].Dur.A: is -1; it must not be negative`}},
		{"negative repeat", scenario(1, PolicyFIFO, 0, task("a", 0, 0, Step{Op: OpRepeat, Count: -3, Body: []Step{cpu(ms)}})),
			[]string{`Processes[0].Threads[0].Steps[0].Count: is -3`}},
		{"nested", scenario(1, PolicyFIFO, 0, task("a", 0, 0, Step{Op: OpRepeat, Count: 2, Body: []Step{cpu(ms), {Op: OpIO, Dur: Dist{Kind: DistUniform, A: 5, B: 2}}}})),
			[]string{`Processes[0].Threads[0].Steps[0].Body[1].Dur.B: is 2, below A (5)`}},
		{"round robin without quantum", scenario(1, PolicyRoundRobin, 0, task("a", 0, 0, cpu(ms))), []string{"Quantum: is 0; policy round_robin needs a quantum"}},
		{"no such policy", scenario(1, PolicyKind(200), 0, task("a", 0, 0, cpu(ms))), []string{"Policy: 200 is no policy"}},
		{"negative machine cost", func() *Scenario {
			sc := scenario(1, PolicyFIFO, 0, task("a", 0, 0, cpu(ms)))
			sc.Machine.WakeupLatency = -5
			return sc
		}(), []string{"Machine.WakeupLatency: is -5"}},
		{"steps of a runtime thread", scenario(1, PolicyFIFO, 0, pyproc("p", py, &Thread{Name: "l", Kind: ThreadAsyncio, Steps: []Step{cpu(ms)}})),
			[]string{`process "p" asyncio "l": Processes[0].Threads[0].Steps: a asyncio thread runs its members`}},
		{"yield in a gen is fine, lock is not", scenario(1, PolicyFIFO, 0, withLocks(pyproc("p", py, &Thread{Name: "c", Kind: ThreadCoroutines,
			Members: []*Member{{Name: "g", Steps: []Step{{Op: OpYield}, {Op: OpLock, Lock: 0}}}}}), "L")),
			[]string{"Members[0].Steps[1].Op: `lock` cannot stand in a gen"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Run(c.sc, Options{})
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("want an *InvalidError, got %v (result %v)", err, res)
			}
			msg := err.Error()
			at := 0
			for _, w := range c.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error\n  %s\nlacks\n  %s", msg, w)
				}
				at += i + len(w)
			}
		})
	}
}

// Validate reports every problem, up to a bound, not only the first (30
// tasks arriving at -1: the process and its thread each).
func TestValidateListsProblems(t *testing.T) {
	var ps []*Process
	for range 30 {
		ps = append(ps, task("a", -1, 0, cpu(ms)))
	}
	err := Validate(scenario(1, PolicyFIFO, 0, ps...))
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != maxProblems || inv.More != 60-maxProblems {
		t.Fatalf("want %d problems and %d more, got %v", maxProblems, 60-maxProblems, err)
	}
	if !strings.HasSuffix(err.Error(), "; and 40 more") {
		t.Errorf("error ends %q", err.Error()[len(err.Error())-30:])
	}
}
