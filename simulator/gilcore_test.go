package simulator

import "testing"

// Hand-worked cases of the cores rule at a forced drop (gilcore.go,
// semantics.md 14.1). Two cores; holder a runs on core 0. The GIL's
// timed waits last P = 1 ms interval + 50 us slack + 24 us wake-up =
// 1.074 ms. Requester b went to sleep at 3 ms - P, so its wait expired
// at 3 ms, with no change of owner: it asks then, re-entering its wait,
// and a drops 1 us later (within gil_reentry). Waiter c went to sleep
// at 1 ms: its latest entry is its expiry at 2.074 ms, before b's, so
// the futex would wake c (its next deadline, 3.148 ms, is the first);
// or, in one case, at 3.0005 ms, after b's, when the futex would wake b
// itself. One core is free and b is the only thread awake: the share of
// cores is whole, and what decides is where b and c last ran, then
// gil_signal_race (race 0: the requester always loses the nanosecond
// race to the futex; 1: it always wins).
func TestForcedDropCores(t *testing.T) {
	for _, c := range []struct {
		name    string
		pol     PolicyKind
		race    int64
		bCore   int32 // where the requester last ran
		cCore   int32 // where the futex's pick last ran
		cFirst  bool  // c went to sleep before b (else after: b is the futex's pick)
		takesIt bool
	}{
		// both woke away from the holder: the race decides
		{"apart, race lost", PolicyLinux, 0, 1, 1, true, false},
		{"apart, race won", PolicyLinux, 1000, 1, 1, true, true},
		// c would wake behind the dropping holder: b takes it, race or not
		{"rival on the holder's core", PolicyLinux, 0, 1, 0, true, true},
		// b's timed wait woke it behind the holder: it is blocked again
		{"requester on the holder's core", PolicyLinux, 1000, 0, 1, true, false},
		{"both on the holder's core", PolicyLinux, 1000, 0, 0, true, false},
		// the futex would wake b itself (c entered later): only the
		// race against c counts, wherever c is
		{"rival newer than the requester", PolicyLinux, 0, 1, 0, false, false},
		// a policy that keeps no core per thread: the race decides
		{"fair policy", PolicyFair, 0, 1, 0, true, false},
	} {
		sc := scenario(2, c.pol, 0, pyproc("p", GIL{Mode: GILInterval, Interval: ms},
			th("a", cpu(ms)), th("b", cpu(ms)), th("c", cpu(ms))))
		sc.Machine.GILSignalRace = c.race
		e := newEngine(sc, Options{})
		p := e.procs[0]
		g := p.gil
		a, b, w := p.threads[0], p.threads[1], p.threads[2]
		if lp, ok := e.pol.(*linuxPolicy); ok {
			lp.coreOf(a)
			lp.coreOf(b)
			lp.coreOf(w)
			lp.qcore[b.idx], lp.qcore[w.idx] = c.bCore, c.cCore
		}
		g.locked, g.holder, g.lastHolder = true, a, a
		a.gil.held, a.os.core, a.os.state = true, 0, stCore
		e.busyCores = 1
		asleep := func(t *thread, at int64) {
			e.now = at
			t.gil.waiting = true
			g.waiters++
			g.addSleeping(t, at)
			e.sleepTimed(g, t)
		}
		if g.period != 1_074_000 {
			t.Fatalf("period %d, want 1.074 ms", g.period)
		}
		if c.cFirst {
			asleep(w, ms)
			asleep(b, 3*ms-g.period)
		} else {
			asleep(b, 3*ms-g.period)
			asleep(w, 3*ms+500)
		}
		g.requester, g.requestAt = b, 3*ms
		e.now = 3*ms + 1_000
		got := e.requesterTakesSignal(g)
		if (got == b) != c.takesIt || (got != nil && got != b) {
			t.Errorf("%s: the requester takes the signal: %v, want %v", c.name, got == b, c.takesIt)
		}
	}
}
