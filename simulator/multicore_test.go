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
	wantFinish(t, r, map[string]int64{"b": 55_555_556, "a": 105_555_556})
	for _, tr := range r.Tasks {
		if want := tr.Finish; tr.CPU != want {
			t.Errorf("%s: CPU %s, want its whole turnaround %s", tr.Name, FormatDuration(tr.CPU), FormatDuration(want))
		}
	}

	n := task("n", 0, 0, cpu(100*ms))
	sc = scenario(2, PolicyFIFO, 0, n, pyproc("b", GIL{Mode: GILInterval, Interval: 5 * ms}, th("b", cpu(50*ms))))
	sc.Machine.MulticoreSpeedPermille = 900
	r = mustRun(t, sc)
	wantFinish(t, r, map[string]int64{"n": 100 * ms, "b": 55_555_556})
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
