package simulator

import (
	"errors"
	"math"
	"testing"
)

// Hostile inputs end with a clear error or a modelled failure, never a
// panic, a wrapped clock or an unbounded heap.

func TestHostileWideUniform(t *testing.T) {
	sc := scenario(1, PolicyFIFO, 0, task("t", 0, 0, Step{Op: OpCPU, Dur: Dist{Kind: DistUniform, A: 0, B: math.MaxInt64}}))
	var le *LimitError
	if _, err := Run(sc, Options{}); err != nil && !errors.As(err, &le) {
		t.Fatalf("want a result or a limit, got %v", err)
	}
}

func TestHostileHugeDurationsHitTheTimeLimit(t *testing.T) {
	cases := map[string]*Scenario{
		"cpu":        scenario(1, PolicyFIFO, 0, task("t", 1_000_000_000, 0, cpu(math.MaxInt64))),
		"arrival+io": scenario(1, PolicyFIFO, 0, task("t", math.MaxInt64/2, 0, io(math.MaxInt64))),
	}
	cs := scenario(1, PolicyFIFO, 0, task("a", 0, 0, cpu(ms)), task("b", 0, 0, cpu(ms)))
	cs.Machine.ContextSwitch = math.MaxInt64
	cases["context switch"] = cs
	wl := scenario(2, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, th("a", cpu(10*ms), io(ms)), th("b", cpu(10*ms), io(ms))))
	wl.Machine.WakeupLatency = math.MaxInt64
	cases["wake-up latency"] = wl
	for name, sc := range cases {
		_, err := Run(sc, Options{})
		var le *LimitError
		if !errors.As(err, &le) || le.What != "time" {
			t.Errorf("%s: want the time limit, got %v", name, err)
		}
	}
}

// TestHostileHugeLegacyCheck: a legacy GIL that never reaches its check
// lets each thread run to its end: the pending check beyond the time
// limit is no work left.
func TestHostileHugeLegacyCheck(t *testing.T) {
	lg := scenario(2, PolicyFair, 0, pyproc("p", GIL{Mode: GILLegacy, Check: math.MaxInt64}, th("a", cpu(10*ms)), th("b", cpu(10*ms))))
	r := mustRun(t, lg)
	if r.Makespan < 20*ms || r.Makespan > 21*ms {
		t.Errorf("makespan %s, want about 20ms (a, then b)", FormatDuration(r.Makespan))
	}
}

func TestHostileMemoryOverflowFails(t *testing.T) {
	sc := scenario(1, PolicyFIFO, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, th("a", cpu(ms)), th("b", cpu(ms))))
	sc.Machine.MemThread = math.MaxInt64
	r := mustRun(t, sc)
	if r.Failure == nil {
		t.Fatal("a thread bigger than the machine must fail the run")
	}
}

func TestStaleEventsAreSwept(t *testing.T) {
	// two endless tasks preempting each other leave a cancelled segment end
	// far in the future at every slice; the heap must not keep them all
	sc := scenario(1, PolicyRoundRobin, 1_000, task("t", 0, 0, cpu(math.MaxInt64/4)), task("u", 0, 0, cpu(math.MaxInt64/4)))
	e := newEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
	e.compactAt = max(minCompact, 4*e.q.len())
	e.loop()
	if e.limit == nil || e.limit.What != "events" {
		t.Fatalf("want the event limit, got %v", e.limit)
	}
	if n := e.q.len(); n > 4*minCompact {
		t.Errorf("%d events in the heap after a million slices", n)
	}
}

func TestDeadlockedRunLastsUntilStuck(t *testing.T) {
	inner := func(l int) Step { return Step{Op: OpLock, Lock: l, Body: []Step{cpu(1 * ms)}} }
	p := &Process{Name: "app", Locks: []string{"x", "y"}, GIL: GIL{Mode: GILOff}, Threads: []*Thread{
		th("a", Step{Op: OpLock, Lock: 0, Body: []Step{io(5 * ms), inner(1)}}),
		th("b", Step{Op: OpLock, Lock: 1, Body: []Step{io(5 * ms), inner(0)}}),
	}}
	sc := scenario(2, PolicyFair, 0, p)
	sc.Machine.WakeupLatency = 0
	r := mustRun(t, sc)
	if r.Deadlock == nil || r.Makespan != r.Deadlock.Time || r.Makespan != 5*ms {
		t.Errorf("makespan %d, deadlock %+v", r.Makespan, r.Deadlock)
	}
}

func TestFailedEqualityShowsExactValue(t *testing.T) {
	sc := scenario(1, PolicyFIFO, 0, task("t", 0, 0, cpu(9_000_192)))
	sc.Expects = []Expect{{Text: "makespan == 9ms", Metric: "makespan", Op: CmpEQ, Value: Value{Kind: KindDuration, Int: 9 * ms}}}
	r := mustRun(t, sc)
	if x := r.Expectations[0]; x.OK || x.Actual != "9000192ns" {
		t.Errorf("got %+v", x)
	}
}
