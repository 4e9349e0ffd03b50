package simulator

import (
	"fmt"
	"sort"
	"testing"
)

// Hand-worked tests of the contention rules (semantics.md 14): who takes
// the GIL at a forced drop, Thread.start's hand-shake, and the linux
// policy's placement and balancing.

// gilRun runs one CPython process of the given threads on cores cores
// under a fixed machine: 1 ms intervals, 10 us wake-ups, no timer slack.
func gilRun(t *testing.T, cores int, race int64, ts ...*Thread) (*Result, []Span) {
	t.Helper()
	sc := scenario(cores, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: ms}, ts...))
	sc.Machine.WakeupLatency = 10_000
	sc.Machine.TimerSlack = 0
	sc.Machine.GILSignalRace = race
	sc.Machine.GILStealCost = 2_000
	var spans []Span
	r, err := Run(sc, Options{Trace: func(s Span) { spans = append(spans, s) }})
	if err != nil {
		t.Fatal(err)
	}
	return r, spans
}

// firstRun is when entity i first ran after from.
func firstRun(spans []Span, i int, from int64) int64 {
	at := int64(-1)
	for _, s := range spans {
		if s.Entity == i && s.Kind == SpanRunning && s.Start >= from && (at < 0 || s.Start < at) {
			at = s.Start
		}
	}
	return at
}

// Two CPU-bound threads a and b, and c, which sleeps 300 us and then
// needs the GIL for 1 ms of bytecode. The timed waits last 1.01 ms (1 ms
// interval, 10 us wake-up). Once c is back from its sleep and waiting,
// a and b keep asking for forced drops, each right after it lost the GIL
// (its timed wait starts at the switch, so it expires first). At such a
// drop, with a requester that always wins the race (gil_signal_race 1),
// the requester takes the GIL gil_steal_cost (2 us) after the drop; with
// one that never does, the futex wakes
// the waiter blocked longest since its latest entry, c (the requester
// re-entered its wait at that very instant), one wake-up (10 us) later.
func TestForcedDropWhoTakesTheGIL(t *testing.T) {
	for _, c := range []struct {
		race     int64
		cFirst   bool
		takeCost int64
	}{{1000, false, 2_000}, {0, true, 10_000}} {
		r, spans := gilRun(t, 2, c.race, th("a", cpu(20*ms)), th("b", cpu(20*ms)), th("c", sleepS(300_000), cpu(ms)))
		back := int64(-1) // c's sleep ends
		for _, s := range spans {
			if s.Entity == 2 && s.Kind == SpanBlocked && s.Why == BlockSleep {
				back = s.End
			}
		}
		// the first forced drop after it: a running stretch of a or b
		// that ends then, and who runs next
		drop, next, at := int64(-1), -1, int64(-1)
		for _, s := range spans {
			if (s.Entity == 0 || s.Entity == 1) && s.Kind == SpanRunning && s.End > back && (drop < 0 || s.End < drop) {
				drop = s.End
			}
		}
		for i := range 3 {
			if f := firstRun(spans, i, drop); f >= 0 && (at < 0 || f < at) {
				next, at = i, f
			}
		}
		if got := next == 2; got != c.cFirst {
			t.Errorf("gil_signal_race %d: after the drop at %s, %s ran first (at %s)", c.race, FormatDuration(drop), r.Tasks[next].Name, FormatDuration(at))
		}
		if at != drop+c.takeCost {
			t.Errorf("gil_signal_race %d: the GIL was taken at %s, want %s", c.race, FormatDuration(at), FormatDuration(drop+c.takeCost))
		}
	}
}

// Thread.start: the main thread starts a, then b. A start() costs
// thread_start (50 us) uncontended, as measured from the caller: its own
// work (thread_start less the two wake-ups of the hand-shake, 30 us, with
// the GIL), then the new thread runs a wake-up (10 us) later, taking the
// free GIL: a runs at 40 us. Its first step tells the main thread, which
// wakes (another 10 us) and needs the GIL back, held by a, which spins:
// it asks after one timed wait (1.01 ms) and takes it at the forced drop
// (it is the only waiter: no race to lose) gil_steal_cost (2 us) later,
// then does its 30 us and creates b, which runs a wake-up later.
func TestThreadStartWaitsForTheGIL(t *testing.T) {
	r := mustRun(t, startScenario(0, 0))
	a, b := r.Tasks[0], r.Tasks[1]
	if want := int64(30_000 + 10_000); a.Start != want {
		t.Errorf("a started at %s, want %s", FormatDuration(a.Start), FormatDuration(want))
	}
	if want := int64(40_000 + 10_000 + 1_010_000 + 2_000 + 30_000 + 10_000); b.Start != want {
		t.Errorf("b started at %s, want %s", FormatDuration(b.Start), FormatDuration(want))
	}
	if b.Arrival != 0 || a.Arrival != 0 {
		t.Errorf("arrivals %s and %s, want 0: `at` is when start() is due", FormatDuration(a.Arrival), FormatDuration(b.Arrival))
	}
}

// startScenario is the Thread.start tests' process: threads a (20 ms of
// CPU) and b (1 ms) under a 1 ms interval on 2 cores, with 10 us
// wake-ups, no timer slack, a 50 us thread_start, a 2 us steal and the
// bootstrap's two parts as given.
func startScenario(boot, tail int64) *Scenario {
	sc := scenario(2, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: ms}, th("a", cpu(20*ms)), th("b", cpu(ms))))
	sc.Machine.WakeupLatency = 10_000
	sc.Machine.TimerSlack = 0
	sc.Machine.ThreadStart = 50_000
	sc.Machine.ThreadBootstrap, sc.Machine.ThreadBootstrapTail = boot, tail
	sc.Machine.GILStealCost = 2_000
	return sc
}

// Thread.start with the new thread's bootstrap (semantics.md 14.2): as
// above, but 5 us of it (thread_bootstrap) runs on the new thread before
// it sets start()'s Event, and 8 us more (thread_bootstrap_tail) before
// its target. The main thread's own work is thread_start less the two
// wake-ups and the 5 us: 25 us. a arrives a wake-up later (35 us), takes
// the free GIL, sets the Event at 40 us and begins its target at 48 us.
// The main thread wakes at 50 us (a wake-up after the Event, not after
// the target's start), asks for the GIL after one timed wait (1.01 ms),
// takes it at 1.062 ms, does its 25 us and creates b, which arrives at
// 1.097 ms, takes the GIL and begins its target 13 us later. The
// bootstrap is the process's work, not the threads': a's CPU is its
// 20 ms, and its 13 us of bootstrap count as wait.
func TestThreadBootstrap(t *testing.T) {
	sc := startScenario(5_000, 8_000)
	var own, boot int64 // the process's own running time; a's start wait
	r, err := Run(sc, Options{Trace: func(s Span) {
		if s.Entity < 0 && s.Kind == SpanRunning {
			own += s.End - s.Start
		}
		if s.Entity == 0 && s.Kind == SpanBlocked && s.Why == BlockStart {
			boot += s.End - s.Start
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := r.Tasks[0], r.Tasks[1]
	if want := int64(25_000 + 10_000 + 5_000 + 8_000); a.Start != want {
		t.Errorf("a started at %s, want %s", FormatDuration(a.Start), FormatDuration(want))
	}
	if want := int64(40_000 + 10_000 + 1_010_000 + 2_000 + 25_000 + 10_000 + 5_000 + 8_000); b.Start != want {
		t.Errorf("b started at %s, want %s", FormatDuration(b.Start), FormatDuration(want))
	}
	if a.CPU != 20*ms || b.CPU != ms {
		t.Errorf("CPU %s and %s, want 20ms and 1ms: the bootstrap is not the target's", FormatDuration(a.CPU), FormatDuration(b.CPU))
	}
	if want := int64(35_000 + 13_000); boot != want {
		t.Errorf("a was being started for %s, want %s (until it arrived, then its bootstrap)", FormatDuration(boot), FormatDuration(want))
	}
	if want := int64(2 * (25_000 + 13_000)); own != want {
		t.Errorf("the process's own work ran %s, want %s (two starts and two bootstraps)", FormatDuration(own), FormatDuration(want))
	}
}

// The linux policy: four processes forked at once. t0 and t1 take the
// two idle cores; with none idle, t2 and t3 pile onto the core of the
// previous fork (core 1): none has run long enough to count. On core 1
// they take 4 ms turns at the ticks (t2 at 4 ms, t3 at 8 ms). The first
// tick (4 ms) sees three against one, and balance_busy (100 ms) later,
// at 104 ms, core 0 pulls the longest waiting task of core 1: t3.
func TestLinuxPlacementAndBalance(t *testing.T) {
	var ps []*Process
	for i := range 4 {
		ps = append(ps, task(fmt.Sprintf("t%d", i), 0, 0, cpu(400*ms)))
	}
	sc := scenario(2, PolicyLinux, 0, ps...)
	var spans []Span
	if _, err := Run(sc, Options{Trace: func(s Span) { spans = append(spans, s) }}); err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(spans, func(i, j int) bool {
		return spans[i].Start < spans[j].Start || (spans[i].Start == spans[j].Start && spans[i].Core < spans[j].Core)
	})
	var moves []string
	last := map[int]int{}
	for _, s := range spans {
		if s.Kind != SpanRunning {
			continue
		}
		c, seen := last[s.Entity]
		if !seen || c != s.Core {
			moves = append(moves, fmt.Sprintf("t%d on core %d at %s", s.Entity, s.Core, FormatDuration(s.Start)))
		}
		last[s.Entity] = s.Core
	}
	want := []string{"t0 on core 0 at 0", "t1 on core 1 at 0", "t2 on core 1 at 4ms", "t3 on core 1 at 8ms", "t3 on core 0 at 104ms"}
	if fmt.Sprint(moves[:min(len(moves), len(want))]) != fmt.Sprint(want) {
		t.Errorf("placements %v, want %v first", moves, want)
	}
}

// TestLinuxIdleCoresPullEach: on three cores, a core that went idle a
// moment ago (it cannot pull yet) does not stop another that has been
// idle for balance_idle from pulling: a and b, sharing core 2, are split
// at the first tick after core 1 has been idle 5 ms (before: 400 ms).
func TestLinuxIdleCoresPullEach(t *testing.T) {
	blink := []Step{sleepS(500_000), repeat(400, cpu(50_000), sleepS(950_000))}
	sc := scenario(3, PolicyLinux, 0,
		task("blinker", 0, 0, blink...),
		task("short", 0, 0, cpu(ms)),
		task("a", 0, 0, cpu(200*ms)),
		task("b", 0, 0, cpu(200*ms)))
	r := mustRun(t, sc)
	f := finishes(r)
	for _, n := range []string{"a", "b"} {
		if f[n] > 210*ms {
			t.Errorf("%s finished at %s; an idle core should have pulled it within a few ticks (about 204ms)", n, FormatDuration(f[n]))
		}
	}
}

// TestLinuxMostlyIdleCorePulls: a core kept busy 5 % of the time by a
// task that wakes every millisecond is never idle for balance_idle in one
// go, yet it pulls one of two tasks sharing another core, as the kernel's
// newly-idle balance does (they shared it to the end: 304 ms).
func TestLinuxMostlyIdleCorePulls(t *testing.T) {
	blink := []Step{sleepS(500_000), repeat(400, cpu(50_000), sleepS(950_000))}
	sc := scenario(3, PolicyLinux, 0,
		task("blinker", 0, 0, blink...),
		task("a", 0, 0, cpu(200*ms)),
		task("b", 0, 0, cpu(200*ms)),
		task("c", 0, 0, cpu(200*ms)))
	f := finishes(mustRun(t, sc))
	for _, n := range []string{"a", "b", "c"} {
		if f[n] > 215*ms {
			t.Errorf("%s finished at %s; the mostly idle core should have pulled one of the pair within a few ticks", n, FormatDuration(f[n]))
		}
	}
}

// TestLinuxWokenTasksCannotStarve: two tasks that wake every 1.1 ms go
// ahead of a preempted CPU-bound one only while it has not waited a tick
// longer than they have, so the hog gets about a third of the core (it
// finished at 450 ms, after both of them, when woken tasks always went
// first; fair's answer is 146 ms).
func TestLinuxWokenTasksCannotStarve(t *testing.T) {
	loop := repeat(200, cpu(ms), sleepS(100_000))
	sc := scenario(1, PolicyLinux, 0,
		task("hog", 0, 0, cpu(50*ms)),
		task("x", 0, 0, loop),
		task("y", 500_000, 0, loop))
	f := finishes(mustRun(t, sc))
	if f["hog"] > 160*ms {
		t.Errorf("hog finished at %s: starved by tasks that keep waking", FormatDuration(f["hog"]))
	}
}

// TestLinuxSliceEdges: a base slice of 0 still runs every turn to the
// next tick (it froze the clock at 0), huge base slices and balancing
// delays saturate instead of overflowing (one panicked), the slice factor
// counts at most 8 cores (64 cores: 4 ms turns, not 8 ms), and a pending
// tick beyond --max-time is no work left (it failed a finished run).
// (A scenario file refuses `tick 0`; a hand-built Machine's zero tick
// means no tick: no turns and no balancing.)
func TestLinuxSliceEdges(t *testing.T) {
	three := func() []*Process {
		return []*Process{task("p1", 0, 0, cpu(100*ms)), task("p2", 0, 0, cpu(100*ms)), task("p3", 0, 0, cpu(100*ms))}
	}
	sc := scenario(2, PolicyLinux, 0, three()...)
	sc.Machine.BaseSlice = 0
	if r, err := Run(sc, Options{MaxEvents: 100_000}); err != nil || r.Makespan < 150*ms || r.Makespan > 160*ms {
		t.Errorf("base_slice 0: makespan %v, err %v; want about 152ms", r.Makespan, err)
	}
	huge := int64(1) << 61
	sc = scenario(2, PolicyLinux, 0, three()...)
	sc.Machine.BaseSlice, sc.Machine.BalanceFlip, sc.Machine.BalanceBusy = huge, huge, huge
	if _, err := Run(sc, Options{}); err != nil {
		t.Errorf("huge base_slice and balance delays: %v", err)
	}
	var ps []*Process
	for i := range 65 {
		ps = append(ps, task(fmt.Sprintf("t%d", i), 0, 0, cpu(40*ms)))
	}
	latest := int64(0)
	for _, tr := range mustRun(t, scenario(64, PolicyLinux, 0, ps...)).Tasks {
		latest = max(latest, tr.Start)
	}
	if latest != 4*ms {
		t.Errorf("65 tasks on 64 cores: the last starts at %s, want 4ms (the first turn on its core: 0.7 ms x 4 rounded up to the tick)", FormatDuration(latest))
	}
	sc = scenario(2, PolicyLinux, 0, three()...)
	sc.Machine.Tick = 2_000 * ms
	if _, err := Run(sc, Options{MaxTime: 1_000 * ms}); err != nil {
		t.Errorf("a 2 s tick beyond a 1 s limit failed a 200 ms run: %v", err)
	}
}

// TestLinuxWakeupsCannotLivelock: with a base slice of 0 and a 1 ms
// context switch as long as the GIL's interval, every GIL waiter woken
// during a switch took the core the instant the switch ended, so nothing
// ever ran (5,000,000 events at 2,500 s); a task now runs at least
// minGranularity before a woken one preempts it.
func TestLinuxWakeupsCannotLivelock(t *testing.T) {
	var ts []*Thread
	for i := range 4 {
		ts = append(ts, &Thread{Name: fmt.Sprintf("t%d", i), Arrival: 10 * ms, Steps: []Step{cpu(4 * ms)}})
	}
	sc := scenario(1, PolicyLinux, 0, pyproc("p", GIL{Mode: GILInterval, Interval: ms}, ts...))
	sc.Machine.ContextSwitch, sc.Machine.BaseSlice, sc.Machine.WakeupLatency, sc.Machine.TimerSlack = ms, 0, 0, 0
	r, err := Run(sc, Options{MaxEvents: 100_000})
	if err != nil {
		t.Fatalf("no progress: %v", err)
	}
	if r.Makespan > 200*ms {
		t.Errorf("makespan %s for 16 ms of work and 1 ms switches", FormatDuration(r.Makespan))
	}
}

// TestLinuxTurnsCannotShrinkToNothing: with a base slice of 6 ns, a
// 20 ms context switch and a 100.001 us tick (20.0002 ms is 200 ticks),
// a turn ended at the first tick 1 ns after its switch: 200 ns of work
// every 20 ms (4 ms of work took about 400 s). A turn now lasts to the
// first tick 0.1 ms (minGranularity) after the switch: a runs from 0 to
// the tick at 100.001 us, the switch to b ends at 20.100001 ms, and b
// runs to the first tick at or after 20.200001 ms, 202 ticks: 20.200202 ms.
func TestLinuxTurnsCannotShrinkToNothing(t *testing.T) {
	sc := scenario(1, PolicyLinux, 0, task("a", 0, 0, cpu(2*ms)), task("b", 0, 0, cpu(2*ms)))
	sc.Machine.ContextSwitch, sc.Machine.Tick, sc.Machine.BaseSlice = 20*ms, 100_001, 6
	var runs []Span
	r, err := Run(sc, Options{MaxEvents: 100_000, Trace: func(s Span) {
		if s.Kind == SpanRunning {
			runs = append(runs, s)
		}
	}})
	if err != nil {
		t.Fatalf("no progress: %v", err)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].Start < runs[j].Start })
	want := []Span{{Entity: 0, Start: 0, End: 100_001}, {Entity: 1, Start: 20_100_001, End: 20_200_202}}
	for i, w := range want {
		if i >= len(runs) || runs[i].Entity != w.Entity || runs[i].Start != w.Start || runs[i].End != w.End {
			t.Fatalf("turns %+v, want %+v first", runs[:min(len(runs), 3)], want)
		}
	}
	// 4 ms of work in turns of at least 0.1 ms: at most 40 switches
	if r.Makespan > 40*(20*ms+200_000)+4*ms {
		t.Errorf("makespan %s", FormatDuration(r.Makespan))
	}
}

// Under srtf a started thread's burst is its bootstrap and its target's
// CPU, and both parts are taken off as they run: a native task of 8 ms
// that arrives when a has exactly 8 ms of its 20 ms target left does not
// preempt it (srtf preempts for a strictly shorter burst), and one that
// arrives a microsecond earlier does. With a 5 ms bootstrap counted into
// the burst but never taken off, the second task preempted a with 3 ms
// of its target left; with the tail added to no burst, a 5 ms tail made
// the cut-off 5 ms late the other way.
func TestSRTFCountsBootstrap(t *testing.T) {
	for _, c := range []struct {
		name       string
		boot, tail int64
	}{{"bootstrap", 5 * ms, 0}, {"tail", 0, 5 * ms}, {"both", 3 * ms, 2 * ms}} {
		t.Run(c.name, func(t *testing.T) {
			run := func(nAt int64) (a, n TaskResult) {
				ps := []*Process{pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, th("a", cpu(20*ms)))}
				if nAt >= 0 {
					ps = append(ps, task("n", nAt, 0, cpu(8*ms)))
				}
				sc := scenario(1, PolicySRTF, 0, ps...)
				sc.Machine.ThreadBootstrap, sc.Machine.ThreadBootstrapTail = c.boot, c.tail
				r := mustRun(t, sc)
				a = r.Tasks[0]
				if nAt >= 0 {
					n = r.Tasks[1]
				}
				return a, n
			}
			alone, _ := run(-1)
			s0 := alone.Start
			if alone.Finish != s0+20*ms {
				t.Fatalf("alone: a ran %s to %s, want 20ms", FormatDuration(s0), FormatDuration(alone.Finish))
			}
			if a, n := run(s0 + 12*ms); a.Finish != s0+20*ms || n.Finish != s0+28*ms {
				t.Errorf("n at 8ms left: a finished at %s and n at %s, want %s and %s (no preemption)",
					FormatDuration(a.Finish), FormatDuration(n.Finish), FormatDuration(s0+20*ms), FormatDuration(s0+28*ms))
			}
			if a, n := run(s0 + 12*ms - 1_000); n.Finish != s0+20*ms-1_000 || a.Finish != s0+28*ms {
				t.Errorf("n at 8.001ms left: a finished at %s and n at %s, want %s and %s (n preempts)",
					FormatDuration(a.Finish), FormatDuration(n.Finish), FormatDuration(s0+28*ms), FormatDuration(s0+20*ms-1_000))
			}
		})
	}
}
