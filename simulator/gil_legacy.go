package simulator

// This file is the legacy GIL of CPython 2 (semantics.md section 2): the
// holder releases and re-takes the GIL every `check` ticks. On a machine
// with an idle core the signalled waiter wakes there and spins until the
// holder's next check, and every contended check costs the holder
// LegacySignalCost; with no idle core the OS runs the woken waiter in the
// releaser's place (wake-up preemption).

// armLegacyCheck schedules the holder's next check (legacy GIL) while there
// are waiters.
func (e *engine) armLegacyCheck(h *thread) {
	g := h.proc.gil
	if g == nil || g.mode != GILLegacy || g.waiters == 0 || h.os.state != stCore || !h.gil.held {
		return
	}
	if g.legacyArmed == g.legacyGen && g.legacyAt > e.now {
		return // a check is already due; a new waiter does not postpone it
	}
	e.legacyArm(h, e.after(e.wallNow(satMul(g.check, e.m.LegacyTick))))
}

func (e *engine) legacyArm(h *thread, at int64) {
	g := h.proc.gil
	g.legacyGen++
	g.legacyArmed, g.legacyAt = g.legacyGen, at
	e.q.push(event{at: at, kind: evLegacyCheck, th: h.idx, gen: g.legacyGen})
}

// legacyCheck is the holder's release-and-retake every `check` ticks.
func (e *engine) legacyCheck(h *thread) {
	g := h.proc.gil
	if g.waiters == 0 {
		return
	}
	if s := g.spinner; s != nil {
		// an awake waiter grabs the GIL in the release window; h tries
		// again at once and finds it taken
		e.stopSegment(h)
		g.spinner = nil
		e.stopSegment(s)
		g.locked, g.holder, h.gil.held = false, nil, false
		g.lastHolder = h
		g.removeWaiter(s)
		e.lockGIL(g, s)
		e.takeGIL(h)
		e.run(s)
		return
	}
	if len(g.sleeping) > 0 && !e.idleCore() {
		// no core for the woken waiter: the OS runs it in h's place
		var w *thread
		if e.m.GILHandoff == GILHandoffFIFO || len(g.sleeping) == 1 {
			w = g.sleeping[0]
		} else {
			w = g.sleeping[e.rng.IntN(len(g.sleeping))]
		}
		c := int(h.os.core)
		e.stopSegment(h)
		g.locked, g.holder, h.gil.held = false, nil, false
		g.lastHolder = h
		e.leaveCore(h)
		e.setState(h, stReady)
		e.enqueue(h)
		g.removeWaiter(w)
		e.setState(w, stReady)
		e.lockGIL(g, w)
		e.place(w, c)
		return
	}
	inFlight := g.waiters > len(g.sleeping)
	if !inFlight && len(g.sleeping) > 0 {
		e.signal(g)
	}
	// a contended release costs the holder the signal and the bounce
	e.stopSegment(h)
	if h.os.seg != segCPU {
		// its bytecode ended at this very instant: it goes on with its
		// program (the segment's end event is void now)
		e.run(h)
		return
	}
	h.os.segLeft += e.m.LegacySignalCost
	e.startSegment(h)
	e.legacyArm(h, e.after(e.wallNow(satAdd(e.m.LegacySignalCost, satMul(g.check, e.m.LegacyTick)))))
}

// unspin sends a spinning legacy waiter to sleep: the holder it waited for
// has left its core, so no check will come soon.
func (e *engine) unspin(g *gilState) {
	s := g.spinner
	if s == nil {
		return
	}
	e.stopSegment(s) // ends the spin and clears g.spinner
	e.leaveCore(s)
	s.gil.signalled = false
	e.setState(s, stGIL)
	g.addSleeping(s)
}
