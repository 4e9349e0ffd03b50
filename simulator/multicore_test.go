package simulator

import "testing"

// TestMulticoreSpeed: two CPython processes on 2 cores at a multicore
// speed of 0.9. Hand-computed: while both run, each does 0.9 ms of work a
// ms; b's 50ms of work ends at 50/0.9 = 55.555556ms (rounded up to the
// ns), when a has done 50ms of its 100; a then runs alone at full speed
// and ends 50ms later. CPU time is time on a core, so a's is 105.555556ms.
// A native task beside them keeps textbook speed.
func TestMulticoreSpeed(t *testing.T) {
	a := pyproc("a", GIL{Mode: GILInterval, Interval: 5 * ms}, th("a", cpu(100*ms)))
	b := pyproc("b", GIL{Mode: GILInterval, Interval: 5 * ms}, th("b", cpu(50*ms)))
	sc := scenario(2, PolicyFIFO, 0, a, b)
	sc.Machine.MulticoreSpeedPermille = 900
	r := mustRun(t, sc)
	w := sc.Machine.WakeupLatency // each thread runs a wake-up after its process arrives (start.go)
	wantFinish(t, r, map[string]int64{"b": w + 55_555_556, "a": w + 105_555_556})
	for _, tr := range r.Tasks {
		if want := tr.Finish - w; tr.CPU != want {
			t.Errorf("%s: CPU %s, want its whole turnaround %s", tr.Name, FormatDuration(tr.CPU), FormatDuration(want))
		}
	}

	n := task("n", 0, 0, cpu(100*ms))
	sc = scenario(2, PolicyFIFO, 0, n, pyproc("b", GIL{Mode: GILInterval, Interval: 5 * ms}, th("b", cpu(50*ms))))
	sc.Machine.MulticoreSpeedPermille = 900
	r = mustRun(t, sc)
	wantFinish(t, r, map[string]int64{"n": 100 * ms, "b": w + 55_555_556})
}

// TestMulticoreSpeedPreempted: a segment cut short keeps the work it did.
// One core would run nothing slowed, so 2 cores, round robin with a 10ms
// quantum and three processes of 30ms each: every slice is 10ms of time
// at 0.9 (9ms of work) while two cores are busy.
func TestMulticoreSpeedPreempted(t *testing.T) {
	var ps []*Process
	for _, n := range []string{"a", "b", "c"} {
		ps = append(ps, pyproc(n, GIL{Mode: GILInterval, Interval: 5 * ms}, th(n, cpu(30*ms))))
	}
	sc := scenario(2, PolicyRoundRobin, 10*ms, ps...)
	sc.Machine.MulticoreSpeedPermille = 900
	r := mustRun(t, sc)
	var work int64
	for _, tr := range r.Tasks {
		work += tr.CPU
	}
	// 90ms of work: all of it at 0.9 but what runs alone at the end
	if work <= 90*ms || work > 100*ms+2 {
		t.Errorf("CPU %s for 90ms of work at 0.9", FormatDuration(work))
	}
	if r.Cores[0].Busy+r.Cores[1].Busy != work {
		t.Errorf("cores busy %s, CPU %s", FormatDuration(r.Cores[0].Busy+r.Cores[1].Busy), FormatDuration(work))
	}
}

// TestMulticoreLegacyCheckRetimed: a legacy-GIL holder's pending check is
// moved with its speed. Here the native task makes the busy cores go
// from 2 to 3 and back every 10us, so the holder's bytecode keeps
// changing speed; a check armed at full speed and left there came before
// the slowed holder had done the signal cost it adds, and the holder
// never got through its 2ms (found by the invariant suite: millions of
// checks).
func TestMulticoreLegacyCheckRetimed(t *testing.T) {
	p := pyproc("p", GIL{Mode: GILLegacy, Check: 23}, th("a", cpu(2*ms)), th("b", cpu(2*ms)))
	n := task("n", 0, 0, repeat(200, cpu(10_000), io(10_000)))
	sc := scenario(3, PolicyFIFO, 0, p, n)
	sc.Machine.MulticoreSpeedPermille = 500
	sc.Machine.WakeupLatency = 0
	r, err := Run(sc, Options{MaxEvents: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	// 4ms of bytecode at half speed, plus the 1.9us signal cost of each
	// check every 575ns of it: about 17ms
	if r.Makespan > 25*ms {
		t.Errorf("makespan %s", FormatDuration(r.Makespan))
	}
}

// TestBusyCoresCounted: the count of busy cores behind multicore_speed
// matches the cores, through every way a thread gets on and off one
// (here the legacy GIL running a woken waiter in its holder's place, on a
// machine with no idle core), and is 0 once everything is done.
func TestBusyCoresCounted(t *testing.T) {
	p := pyproc("p", GIL{Mode: GILLegacy, Check: 100}, th("a", cpu(3*ms)), th("b", cpu(3*ms)))
	q := pyproc("q", GIL{Mode: GILLegacy, Check: 100}, th("c", cpu(3*ms)), th("d", cpu(3*ms)))
	sc := scenario(2, PolicyFair, 0, p, q)
	sc.Machine.MulticoreSpeedPermille = 900
	e := newEngine(sc, Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime})
	e.loop()
	busy := 0
	for _, c := range e.cores {
		if c.cur >= 0 {
			busy++
		}
	}
	if e.busyCores != busy || busy != 0 || e.unfinished != 0 {
		t.Errorf("busy cores counted %d, cores busy %d, unfinished %d", e.busyCores, busy, e.unfinished)
	}
}
