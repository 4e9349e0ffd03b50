package simulator

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"
)

// Regressions from the red-team report (issue 13). Each scenario here hung,
// livelocked or went quadratic before its fix.

// manyGILThreads is one process of n CPU-bound threads under the new GIL.
func manyGILThreads(cores, n int, interval, work int64) *Scenario {
	var ts []*Thread
	for i := range n {
		ts = append(ts, th(fmt.Sprintf("t#%d", i+1), cpu(work)))
	}
	return scenario(cores, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: interval}, ts...))
}

// A waiter that went to sleep at the instant the GIL's waiters moved into
// the ordered set was both put in the set and marked fresh; woken while
// fresh, it was never taken out, and the check woke the ghost forever
// inside one event. 72 threads: the 65th sleeper crosses treeAbove.
func TestGILWaiterEnteringOrderedSetLeaves(t *testing.T) {
	for _, cores := range []int{2, 3, 8} {
		for _, iv := range []int64{1, 5_000, ms, 5 * ms} {
			for _, n := range []int{63, 64, 65, 66, 72, 100} {
				sc := manyGILThreads(cores, n, iv, 2*ms)
				r, err := Run(sc, Options{MaxEvents: 5_000_000})
				if err != nil {
					t.Fatalf("cores %d interval %d, %d threads: %v", cores, iv, n, err)
				}
				if got := len(r.Tasks); got != n {
					t.Fatalf("%d tasks, want %d", got, n)
				}
				for _, tr := range r.Tasks {
					if tr.Finish < 0 {
						t.Fatalf("cores %d interval %d, %d threads: %s never finished", cores, iv, n, tr.Name)
					}
				}
			}
		}
	}
}

// --max-events bounds the work done inside one event, not only the count
// of events: a GIL check whose ordered set holds a waiter that is not
// asleep (the corruption the bug above left) wakes it again and again
// inside one event; the check must stop at the limit.
func TestMaxEventsBoundsWorkInsideAnEvent(t *testing.T) {
	sc := manyGILThreads(2, 72, ms, 10*ms)
	e := newEngine(sc, Options{MaxEvents: 2000, MaxTime: DefaultMaxTime})
	e.loop()
	g := e.procs[0].gil
	if e.limit == nil || g.holder == nil && g.lastHolder == nil {
		t.Fatalf("setup: want a run stopped with the GIL taken (limit %v, %d events)", e.limit, e.evs)
	}
	if g.tw.phases == nil {
		g.tw.phases = newPhaseSet(g.period) // the waiters' ordered set, as past treeAbove
	}
	ghost := g.holder
	if ghost == nil {
		ghost = g.lastHolder
	}
	// a ghost whose deadline is now: the check wakes it, and finds it again
	ghost.gil.since = e.now - g.period
	g.tw.phases.insert(phaseKey{phase: e.now % g.period, idx: ghost.idx})
	g.locked, g.holder = false, nil
	e.limit, e.evs, e.inner = nil, 0, 0
	e.opt.MaxEvents = 1000
	e.gilCheck(g)
	var le *LimitError
	if e.limit == nil || !errors.As(error(e.limit), &le) || le.What != "events" {
		t.Fatalf("want the event limit, got %v", e.limit)
	}
}

// The raw greenlets' parent finds its next greenlet in amortized constant
// work per greenlet, whatever the arrivals and switches: it used to rescan
// every finished greenlet at every return of control (9.4 s at 100,000).
// scans counts the candidates its searches look at.
func TestRawGreenletParentLinear(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{1, 2, 3, 100, 1000, 5000}).Draw(rt, "greenlets")
		lateFirst := rapid.Bool().Draw(rt, "late_first")
		var members []*Member
		for i := range n {
			var at int64
			if lateFirst {
				at = int64(n-i) * 1000 // later members arrive first
			} else {
				at = int64(rapid.IntRange(0, 3).Draw(rt, "at_us")) * 1000
			}
			steps := []Step{cpu(1_000)}
			if rapid.IntRange(0, 9).Draw(rt, "switch") == 0 {
				steps = append(steps, Step{Op: OpSwitch, Target: rapid.IntRange(0, n-1).Draw(rt, "target")}, cpu(1_000))
			}
			members = append(members, &Member{Name: fmt.Sprintf("g#%d", i+1), Arrival: at, Steps: steps})
		}
		sc := scenario(1, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, invLoopThread(ThreadGreenlets, false, members...)))
		e := newEngine(sc, Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime})
		e.loop()
		if e.limit != nil || e.failure != nil {
			rt.Fatalf("run stopped: %v %v", e.limit, e.failure)
		}
		if max := int64(6*n + 10); e.scans > max {
			rt.Fatalf("%d greenlets: the parent looked at %d candidates (more than %d)", n, e.scans, max)
		}
	})
}

// Every task makes progress whatever the context-switch cost, under the
// time-slicing policies: under fair, a switch of a slice or more was
// charged to the incoming thread's vruntime, which then lost the core the
// instant its switch ended, again and again (two `cpu 10ms` tasks and a
// 5 ms switch never finished).
func TestSwitchCostNeverLivelocks(t *testing.T) {
	for _, c := range []struct {
		tasks int
		sw    int64
	}{{2, 5 * ms}, {8, 2 * ms}, {2, 50 * ms}} {
		var ps []*Process
		for i := range c.tasks {
			ps = append(ps, task(fmt.Sprintf("t%d", i), 0, 0, cpu(10*ms)))
		}
		sc := scenario(1, PolicyFair, 0, ps...)
		sc.Machine.ContextSwitch = c.sw
		r, err := Run(sc, Options{MaxEvents: 100_000})
		if err != nil {
			t.Fatalf("%d tasks, switch %d: %v", c.tasks, c.sw, err)
		}
		if r.CPUTime != int64(c.tasks)*10*ms {
			t.Errorf("%d tasks, switch %d: cpu %d", c.tasks, c.sw, r.CPUTime)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		pol := rapid.SampledFrom([]PolicyKind{PolicyFair, PolicyRoundRobin}).Draw(rt, "policy")
		n := rapid.IntRange(1, 16).Draw(rt, "tasks")
		var ps []*Process
		var work int64
		for i := range n {
			d := int64(rapid.IntRange(1, 20).Draw(rt, "cpu_ms")) * ms
			work += d
			ps = append(ps, task(fmt.Sprintf("t%d", i), int64(rapid.IntRange(0, 5).Draw(rt, "at_ms"))*ms, 0, cpu(d), io(ms), cpu(d)))
			work += d
		}
		sc := scenario(rapid.IntRange(1, 3).Draw(rt, "cores"), pol, int64(rapid.IntRange(1, 10).Draw(rt, "quantum_ms"))*ms, ps...)
		sc.Machine.ContextSwitch = rapid.SampledFrom([]int64{0, 1_000, ms, 3 * ms, 6 * ms, 20 * ms, 100 * ms}).Draw(rt, "switch")
		r, err := Run(sc, Options{MaxEvents: 1_000_000})
		if err != nil {
			rt.Fatalf("%v", err)
		}
		if r.CPUTime != work {
			rt.Fatalf("cpu %d, want %d", r.CPUTime, work)
		}
	})
}

// A drawn duration past the time limit stops the run at the time limit,
// as a fixed one does (a huge draw was cut just below the default limit,
// and the run finished 146 years later); a limit past the clock's range
// is the clock's range, so a saturated time cannot slip under it.
func TestHugeDurationsDrawnOrFixedHitTheTimeLimit(t *testing.T) {
	over := DefaultMaxTime + 1
	for name, d := range map[string]Dist{
		"fixed":  Fixed(over),
		"normal": {Kind: DistNormal, A: over, B: 1},
		"exp":    {Kind: DistExp, A: math.MaxInt64},
	} {
		for _, limit := range []int64{0, DefaultMaxTime, math.MaxInt64} {
			sc := scenario(1, PolicyFIFO, 0, task("t", 0, 0, Step{Op: OpCPU, Dur: d}), task("u", 0, 0, cpu(ms)))
			_, err := Run(sc, Options{MaxTime: limit, MaxEvents: 1000})
			var le *LimitError
			if !errors.As(err, &le) || le.What != "time" {
				t.Errorf("%s, limit %d: want the time limit, got %v", name, limit, err)
			}
		}
	}
}
