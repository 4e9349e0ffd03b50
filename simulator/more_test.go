package simulator

import (
	"testing"
)

func TestLockHeldAcrossIO(t *testing.T) {
	// Two native tasks on two cores share lock "db"; the holder keeps it
	// across its io, so the second waits the whole critical section.
	body := []Step{cpu(1 * ms), io(10 * ms), cpu(1 * ms)}
	p := &Process{Name: "app", Locks: []string{"db"}, GIL: GIL{Mode: GILOff}, Threads: []*Thread{
		th("a", Step{Op: OpLock, Lock: 0, Body: body}),
		th("b", Step{Op: OpLock, Lock: 0, Body: body}),
	}}
	sc := scenario(2, PolicyFIFO, 0, p)
	sc.Machine.WakeupLatency = 0
	sc.Machine.FreeThreadingOverheadPermille = 1000
	r := mustRun(t, sc)
	wantFinish(t, r, map[string]int64{"a": 12 * ms, "b": 24 * ms})
}

func TestDeadlock(t *testing.T) {
	inner := func(l int) Step { return Step{Op: OpLock, Lock: l, Body: []Step{cpu(1 * ms)}} }
	p := &Process{Name: "app", Locks: []string{"x", "y"}, GIL: GIL{Mode: GILInterval, Interval: 5 * ms}, Threads: []*Thread{
		th("a", Step{Op: OpLock, Lock: 0, Body: []Step{io(5 * ms), inner(1)}}),
		th("b", Step{Op: OpLock, Lock: 1, Body: []Step{io(5 * ms), inner(0)}}),
	}}
	r := mustRun(t, scenario(2, PolicyFair, 0, p))
	if r.Deadlock == nil {
		t.Fatal("want a deadlock")
	}
	if len(r.Deadlock.Blocked) != 2 || len(r.Deadlock.Locks) != 2 {
		t.Errorf("deadlock %+v", r.Deadlock)
	}
}

func TestStartupDelaysThreads(t *testing.T) {
	p := pyproc("app", GIL{Mode: GILInterval, Interval: 5 * ms}, &Thread{Name: "w", Arrival: 2 * ms, Steps: []Step{cpu(10 * ms)}})
	p.Arrival = 1 * ms
	p.Startup = 30 * ms
	sc := scenario(1, PolicyFIFO, 0, p)
	r := mustRun(t, sc)
	// started at its `at` (2 ms after the 30 ms start-up), running a
	// wake-up later (the kernel starting the thread, start.go)
	w := sc.Machine.WakeupLatency
	if r.Tasks[0].Start != 33*ms+w || r.Tasks[0].Finish != 43*ms+w {
		t.Errorf("start %d finish %d", r.Tasks[0].Start, r.Tasks[0].Finish)
	}
}

func TestLegacyGILThrashesOnTwoCores(t *testing.T) {
	mk := func(cores int) int64 {
		sc := scenario(cores, PolicyFair, 0, pyproc("py2", GIL{Mode: GILLegacy, Check: 100},
			th("a", cpu(100*ms)), th("b", cpu(100*ms))))
		return mustRun(t, sc).Makespan
	}
	two, one := mk(2), mk(1)
	t.Logf("legacy: 2 cores %s, 1 core %s", FormatDuration(two), FormatDuration(one))
	if float64(two)/float64(200*ms) < 1.4 {
		t.Errorf("2 cores: want a large slowdown, got %s", FormatDuration(two))
	}
	if one > 205*ms {
		t.Errorf("1 core: want about sequential, got %s", FormatDuration(one))
	}
}

func TestFreeThreaded(t *testing.T) {
	sc := scenario(4, PolicyFair, 0, pyproc("ft", GIL{Mode: GILOff},
		th("a", cpu(100*ms)), th("b", cpu(100*ms)), th("c", cpu(100*ms)), th("d", cpu(100*ms))))
	r := mustRun(t, sc)
	// 8 % overhead; the main thread's start() of each thread waits for
	// the kernel to start it (a wake-up) and for it to have run (another
	// wake-up for the main thread): d, the last, runs 7 wake-ups in
	if want := 108*ms + 7*sc.Machine.WakeupLatency; r.Makespan != want {
		t.Errorf("makespan %s, want %s (8%% overhead)", FormatDuration(r.Makespan), FormatDuration(want))
	}
}

func TestContextSwitchCost(t *testing.T) {
	sc := scenario(1, PolicyRoundRobin, 4*ms, task("A", 0, 0, cpu(8*ms)), task("B", 0, 0, cpu(8*ms)))
	sc.Machine.ContextSwitch = 1 * ms
	r := mustRun(t, sc)
	// A 0-4, sw 4-5, B 5-9, sw 9-10, A 10-14, sw, B 15-19
	wantFinish(t, r, map[string]int64{"A": 14 * ms, "B": 19 * ms})
	if r.ContextSwitches != 3 {
		t.Errorf("switches %d", r.ContextSwitches)
	}
}

func TestRepeatHugeIdleBody(t *testing.T) {
	sc := scenario(1, PolicyFIFO, 0, task("A", 0, 0, repeat(1_000_000_000_000, repeat(0, cpu(ms))), cpu(ms)))
	r := mustRun(t, sc)
	if r.Makespan != ms {
		t.Errorf("makespan %d", r.Makespan)
	}
}

func TestMaxEvents(t *testing.T) {
	sc := scenario(1, PolicyFIFO, 0, task("A", 0, 0, repeat(1_000_000_000_000, cpu(1))))
	_, err := Run(sc, Options{MaxEvents: 10000})
	if _, ok := err.(*LimitError); !ok {
		t.Fatalf("want LimitError, got %v", err)
	}
}
