package simulator

// This file is CPython's GIL as semantics.md sections 1 and 2 describe it.
//
// New GIL (3.2+): a thread that finds the GIL taken sleeps in timed waits
// of one switch interval. When a wait times out with no change of owner
// during the whole interval, it sets a drop request; the holder honours it
// at its next eval-breaker check (at once while it runs bytecode), drops the
// GIL and, by FORCE_SWITCHING, waits until another thread has taken it. A
// release signals one sleeping waiter, which needs the OS wake-up latency
// (and a core) before it can try; whoever finds the GIL free first takes
// it, so a releaser whose blocking call is shorter than the wake-up wins it
// back. Which sleeping waiter a release signals is drawn from the
// scenario's seeded generator (uniform), or is the longest waiter with
// `machine { gil_handoff fifo }`.
//
// Legacy GIL (2.x): gil_legacy.go.

// gilState is one process's GIL and its waiters.
type gilState struct {
	mode     GILMode
	interval int64
	check    int64

	locked     bool
	holder     *thread
	lastHolder *thread
	switchNo   uint64
	dropReq    bool
	requester  *thread   // the waiter whose timed wait set dropReq
	requestAt  int64     // when it did
	stealer    *thread   // the requester, at a forced drop whose signal it takes
	forced     *thread   // a thread in the FORCE_SWITCHING handshake
	sleeping   []*thread // waiters asleep on the condition variable, when listed (gilsleep.go)
	nsleep     int       // how many there are
	listed     bool      // the sleeping waiters are listed: the legacy GIL, or a random hand-off
	fifo       []fifoWaiter
	waiters    int     // all waiters, asleep or on their way to try
	spinner    *thread // legacy: a woken waiter spinning on a core

	handoffs     int64
	forcedN      int64
	peakSleeping int // the most waiters asleep at once (what the benchmarks' sizes reach)

	// legacy: the holder's pending check
	legacyGen   uint32
	legacyArmed uint32 // legacyGen of the pending check
	legacyAt    int64

	proc   int        // index of the process
	period int64      // interval + timer slack + wake-up latency: one timed wait
	tw     timedWaits // the waiters' timed waits (new GIL only)
}

func (g *gilState) removeWaiter(t *thread) {
	if !t.gil.waiting {
		return
	}
	g.removeSleeping(t)
	t.gil.waiting = false
	t.gil.signalled = false
	g.waiters--
}

// takeGIL is take_gil() for t, which is on a core. It returns true when t
// now holds the GIL; otherwise t has gone to sleep as a waiter.
func (e *engine) takeGIL(t *thread) bool {
	g := t.proc.gil
	if !g.locked {
		g.removeWaiter(t)
		e.lockGIL(g, t)
		return true
	}
	if g.mode == GILLegacy && g.holder != nil && g.holder.os.state == stCore && g.holder.os.running && t.gil.signalled && g.spinner == nil {
		// Woken on a core of its own while the holder runs: spin until the
		// holder's next check hands the GIL over.
		g.spinner = t
		t.gil.spinning = true
		t.os.segStart = e.now
		e.armLegacyCheck(g.holder)
		return false
	}
	if !t.gil.waiting {
		t.gil.waiting = true
		g.waiters++
	}
	t.gil.signalled = false
	if t.os.running || t.gil.spinning {
		e.stopSegment(t) // (which leaves a thread with neither alone)
	}
	e.leaveCore(t)
	e.setState(t, stGIL)
	since := t.gil.since
	if g.mode == GILInterval {
		since = e.now // sleepTimed's
	}
	g.addSleeping(t, since)
	if g.fifoOn() {
		g.compactFIFO(e)
	}
	if g.mode == GILInterval {
		e.sleepTimed(g, t)
	} else if g.holder != nil {
		e.armLegacyCheck(g.holder)
	}
	return false
}

// lockGIL makes t the holder.
func (e *engine) lockGIL(g *gilState, t *thread) {
	g.locked = true
	g.holder = t
	g.legacyGen++ // a check armed for an earlier holder is void
	t.gil.held = true
	if g.lastHolder != t {
		g.lastHolder = t
		g.switchNo++
		g.handoffs++
		e.mark(MarkHandoff, t)
		g.dropReq = false
		e.ownerChanged(g)
	}
	g.dropReq = false
	if f := g.forced; f != nil && f != t {
		// FORCE_SWITCHING: another thread has the GIL; the dropper goes on.
		g.forced = nil
		e.wake(f)
	}
}

// releaseGIL unlocks the GIL held by t and signals one sleeping waiter.
func (e *engine) releaseGIL(t *thread) {
	g := t.proc.gil
	g.locked = false
	g.holder = nil
	g.lastHolder = t
	t.gil.held = false
	if g.mode == GILLegacy && g.spinner != nil {
		// the spinning waiter grabs it at once, and goes on with its
		// program once t has finished what it is doing at this instant
		// (t is mid-step: running s here could act on t's behalf, e.g. a
		// pool worker waking a loop thread that is about to go to sleep)
		s := g.spinner
		g.spinner = nil
		e.stopSegment(s)
		g.removeWaiter(s)
		e.lockGIL(g, s)
		s.os.segGen++
		e.q.push(event{at: e.now, kind: evGoOn, th: s.idx, gen: s.os.segGen})
		return
	}
	if r := g.stealer; r != nil {
		// the requester takes the signal: it is awake on a core of its
		// own, and tries at once, with no wake-up to wait for
		g.stealer = nil
		g.removeSleeping(r)
		r.gil.signalled = true
		if d := e.m.GILStealCost; d > 0 {
			e.q.push(event{at: e.after(d), kind: evWake, th: r.idx})
		} else {
			e.makeReady(r, true)
		}
	} else if e.signalReleased(g) {
		return
	} else {
		e.signal(g)
	}
	e.released(g)
}

// signal wakes one sleeping waiter: the one blocked longest since its
// latest entry into the wait, as the futex wakes (every expiry of a timed
// wait re-enters it); or, as the machine says, one drawn uniformly by the
// seeded generator, or the one that began waiting first.
func (e *engine) signal(g *gilState) {
	n := g.nsleep
	if n == 0 {
		return
	}
	var w *thread
	switch {
	case e.m.GILHandoff == GILHandoffFIFO:
		w = g.firstAsleep(e)
	case n == 1 && g.listed:
		w = g.sleeping[0]
	case e.m.GILHandoff == GILHandoffRandom || g.mode != GILInterval:
		w = g.sleeping[e.rng.IntN(n)]
	default:
		w = e.futexPick(g)
	}
	g.removeSleeping(w)
	w.gil.signalled = true
	e.wake(w)
}

// futexPick is the sleeping waiter the futex wakes: the one blocked
// longest since its latest entry into the wait. A waiter's latest entry
// is its latest deadline (or when it went to sleep), so the oldest is the
// one whose next deadline comes first, one that entered at this very
// instant counting as newest.
func (e *engine) futexPick(g *gilState) *thread {
	w, _ := e.nextDeadline(g, e.now+1)
	return w
}

// requesterTakesSignal decides, at a forced drop, whether the waiter that
// asked for it takes the drop's signal before the futex wakes anyone
// (semantics.md 14.1). It must still be awake (the drop comes within
// GILReentry of its request, so it has not blocked in the futex again)
// and have a core to be awake on: an idle core, shared with every other
// thread that is awake and wants one (waiters of this GIL on their way to
// try, threads waiting for a core); the holder's core is not free until
// the holder has dropped. Which cores the requester and the waiter the
// futex would wake instead are on decides next (gilcore.go): a
// requester that woke on the holder's core takes nothing; one whose rival
// would wake there takes the signal. The remainder, the nanosecond race
// between its re-entering the wait and the signal, is drawn from the
// seeded generator with GILSignalRace for the race against the futex's
// wake of each waiter blocked in it: traced, a requester won 73–80 % of
// forced switches with one other waiter and about 46 % with three
// (0.77³).
func (e *engine) requesterTakesSignal(g *gilState) *thread {
	r := g.requester
	if r == nil || e.m.GILHandoff != GILHandoffFutex || g.mode != GILInterval || r.gil.sleepPos < 0 ||
		e.now-g.requestAt > e.m.GILReentry {
		return nil
	}
	free := int64(len(e.cores) - e.busyCores)
	if free <= 0 || e.onHoldersCore(g, r) {
		return nil // it woke behind the holder: blocked again by now
	}
	if w := e.futexHead(g, r); w != nil && e.onHoldersCore(g, w) {
		return r // the futex's pick wakes behind the dropping holder
	}
	awake := 1 + int64(g.waiters-g.nsleep) + int64(e.waiting)
	chance := 1000 * min(free, awake) / awake
	// each other waiter blocked in the futex is one the wake may reach
	// first: the requester must beat them all
	if race := e.m.GILSignalRace; race < 1000 {
		for k := g.nsleep - 1; k > 0 && chance > 0; k-- {
			chance = chance * race / 1000
		}
	}
	if e.rng.Int64N(1000) >= chance {
		return nil
	}
	return r
}

// dropGIL is drop_gil() for t before a blocking call, a GIL-free C call,
// or at the eval breaker. It returns true when a pending drop request
// forces t to wait until another thread has taken the GIL; t is then off
// its core and resumes (its pend action first) once released.
func (e *engine) dropGIL(t *thread) bool {
	g := t.proc.gil
	forced := g.dropReq
	g.dropReq = false
	if forced {
		g.forcedN++
		e.mark(MarkForcedDrop, t)
		g.stealer = e.requesterTakesSignal(g)
	}
	g.requester = nil
	e.releaseGIL(t)
	if !forced || g.waiters == 0 || g.holder != nil {
		// nobody could take it, or someone already has (legacy spinner)
		return false
	}
	g.forced = t
	e.stopSegment(t)
	e.leaveCore(t)
	e.setState(t, stGIL)
	return true
}

// forceDrop makes the running holder h honour a drop request now.
func (e *engine) forceDrop(h *thread) {
	e.stopSegment(h)
	if !e.dropGIL(h) {
		// nobody to hand over to after all: keep running
		e.run(h)
	}
}
