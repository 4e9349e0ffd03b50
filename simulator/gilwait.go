package simulator

// This file schedules the timed waits of the new GIL's waiters without an
// event per waiter per interval.
//
// A timed wait of one switch interval is a futex wait with a timeout: the
// kernel ends it late by the thread's timer slack, and the waiter then
// needs the OS wake-up latency before it runs again to look at the GIL and
// start its next wait. So the waits of a waiter come one every
// I = interval + timer_slack + wakeup_latency, not every interval (this is
// why CPython's observed time slices are longer than the interval).
//
// Every sleeping waiter w waits in timed waits of one interval I from the
// instant it went to sleep, start(w): its deadlines are start(w) + k·I.
// A deadline does something in only two cases:
//
//   - the GIL is locked, no drop request is pending, and the owner has not
//     changed since w's previous deadline (or since start(w)): w sets the
//     drop request;
//   - the GIL is free: w wakes up and tries to take it.
//
// Every other deadline only re-arms the wait. So instead of firing them
// all, each GIL keeps one event at the next instant where one of the two
// cases can happen, computed from the waiters' phases (start mod I, in an
// ordered set) and the time of the last change of owner h:
//
//   - drop request: min over waiters of (first deadline at or after h) + I,
//     where a waiter that went to sleep after h counts from start(w);
//   - GIL free since r: the first deadline at or after r.
//
// The event is recomputed when the owner changes, when the GIL is
// released, and (cheaply, as a minimum) when a waiter goes to sleep; a
// waiter leaving can only make it later, which the event discovers when it
// fires and reschedules itself. The outcome is the same as firing every
// timed wait, at the cost of a few searches of the ordered set per change
// of owner (phaseset.go).

// phaseKey orders sleeping waiters by the phase of their deadlines.
type phaseKey struct {
	phase int64
	idx   int32 // the thread's index
}

func phaseLess(a, b phaseKey) bool {
	if a.phase != b.phase {
		return a.phase < b.phase
	}
	return a.idx < b.idx
}

// Few waiters are simply scanned; past treeAbove sleeping waiters the
// phases go into an ordered set, and back to scanning below treeBelow.
const (
	treeAbove = 64
	treeBelow = 16
)

// timedWaits is the per-GIL bookkeeping.
type timedWaits struct {
	phases  *phaseSet // nil while the waiters are few
	fresh   []*thread // waiters that went to sleep after the last change of owner, in order
	head    int
	h       int64  // the last change of owner
	checkAt int64  // the pending check event's time (-1: none)
	gen     uint32 // the pending check's generation: an earlier one is stale
	on      bool   // the new GIL: waiters wait in timed waits
}

func (g *gilState) initWaits() {
	g.tw.checkAt = -1
	g.tw.on = true
}

// treeMode switches between scanning and the ordered set as waiters come and go.
func (g *gilState) treeMode() {
	n := len(g.sleeping)
	switch {
	case g.tw.phases == nil && n > treeAbove:
		g.tw.phases = newPhaseSet(g.period)
		for _, t := range g.sleeping {
			if !t.gil.fresh {
				g.tw.phases.insert(g.key(t))
			}
		}
	case g.tw.phases != nil && n < treeBelow:
		g.tw.phases = nil
	}
}

func (g *gilState) key(t *thread) phaseKey {
	return phaseKey{phase: t.gil.since % g.period, idx: t.idx}
}

// sleepTimed registers t as a sleeping waiter from now. Until the next
// change of owner it is "fresh": kept in a list in the order waiters went
// to sleep, out of the ordered set, since its clock starts from its own start.
func (e *engine) sleepTimed(g *gilState, t *thread) {
	t.gil.since = e.now
	// fresh before treeMode: a move to the ordered set at this instant
	// must leave t out of it, as it does every other fresh waiter (in
	// the set and marked fresh, t would never be taken out again)
	t.gil.fresh = true
	g.treeMode()
	g.tw.fresh = append(g.tw.fresh, t)
	if g.locked && !g.dropReq {
		e.scheduleGILCheck(g, e.after(g.period))
	}
}

// wakeTimed removes t from the timed waits (signalled, or taking the GIL).
func (g *gilState) wakeTimed(t *thread) {
	if !g.tw.on {
		return
	}
	if g.tw.phases != nil && !t.gil.fresh {
		g.tw.phases.delete(g.key(t))
	}
	t.gil.fresh = false
}

// ownerChanged restarts the drop-request clock at a change of owner.
func (e *engine) ownerChanged(g *gilState) {
	if !g.tw.on {
		return
	}
	g.tw.h = e.now
	for _, t := range g.tw.fresh[g.tw.head:] {
		if t.gil.fresh && g.tw.phases != nil {
			g.tw.phases.insert(g.key(t))
		}
		t.gil.fresh = false
	}
	g.tw.fresh, g.tw.head = g.tw.fresh[:0], 0
	if t, at := e.nextDropRequest(g); t != nil {
		e.scheduleGILCheck(g, at)
	}
}

// released notes that the GIL is free: a waiter whose deadline comes before
// anyone takes it will wake and try.
func (e *engine) released(g *gilState) {
	if !g.tw.on {
		return
	}
	if t, at := e.nextDeadline(g, e.now); t != nil {
		e.scheduleGILCheck(g, at)
	}
}

func (e *engine) scheduleGILCheck(g *gilState, at int64) {
	if g.tw.checkAt >= e.now && g.tw.checkAt <= at {
		return // an earlier check is pending; it reschedules itself
	}
	g.tw.gen++
	g.tw.checkAt = at
	e.q.push(event{at: at, kind: evGILCheck, th: int32(g.proc), gen: g.tw.gen})
}

// nextDeadline is the first deadline at or after x of any sleeping waiter.
// Walking the waiters in phase order from x's phase gives their deadlines
// in increasing order, except for a waiter that went to sleep at x itself,
// whose first deadline is a whole interval later.
func (e *engine) nextDeadline(g *gilState, x int64) (*thread, int64) {
	P := g.period
	var best *thread
	var bestAt int64
	deadline := func(t *thread, phase int64) int64 {
		if t.gil.since >= x {
			return t.gil.since + P
		}
		return x + (phase-x%P+P)%P
	}
	if g.tw.phases == nil {
		for _, t := range g.sleeping {
			if at := deadline(t, t.gil.since%P); best == nil || at < bestAt || (at == bestAt && t.idx < best.idx) {
				best, bestAt = t, at
			}
		}
		return best, bestAt
	}
	// the tree holds the waiters from before the last change of owner;
	// the first in phase order from x has the earliest deadline of them
	if k, ok := g.tw.phases.from(x % P); ok {
		best = e.threads[k.idx]
		bestAt = deadline(best, k.phase)
	}
	for _, t := range g.tw.fresh[g.tw.head:] {
		if !t.gil.fresh {
			continue
		}
		if at := deadline(t, t.gil.since%P); best == nil || at < bestAt || (at == bestAt && t.idx < best.idx) {
			best, bestAt = t, at
		}
	}
	return best, bestAt
}

// nextDropRequest is when the first waiter will have seen a whole interval
// with no change of owner, and which waiter it is.
func (e *engine) nextDropRequest(g *gilState) (*thread, int64) {
	P := g.period
	var best *thread
	var bestAt int64
	h := g.tw.h
	if g.tw.phases == nil {
		for _, t := range g.sleeping {
			at := t.gil.since + P
			if !t.gil.fresh {
				at = h + (t.gil.since%P-h%P+P)%P + P
			}
			if best == nil || at < bestAt || (at == bestAt && t.idx < best.idx) {
				best, bestAt = t, at
			}
		}
		return best, bestAt
	}
	// waiters that went to sleep after the last change count from then
	for g.tw.head < len(g.tw.fresh) && !g.tw.fresh[g.tw.head].gil.fresh {
		g.tw.head++
	}
	if g.tw.head < len(g.tw.fresh) {
		t := g.tw.fresh[g.tw.head]
		best, bestAt = t, t.gil.since+P
	}
	// the others save the new owner at their first deadline at or after h
	if k, ok := g.tw.phases.from(h % P); ok {
		if at := h + (k.phase-h%P+P)%P + P; best == nil || at < bestAt {
			best, bestAt = e.threads[k.idx], at
		}
	}
	return best, bestAt
}

// gilCheck is the GIL's pending check: a waiter's timed wait that matters.
func (e *engine) gilCheck(g *gilState) {
	g.tw.checkAt = -1
	if !g.locked {
		// deadlines while the GIL is free: those waiters wake and try
		for pass := 0; ; pass++ {
			if pass > 0 && e.spin() {
				return
			}
			t, at := e.nextDeadline(g, e.now)
			if t == nil {
				return
			}
			if at > e.now {
				e.scheduleGILCheck(g, at)
				return
			}
			g.removeSleeping(t)
			t.gil.signalled = true
			e.wake(t)
		}
	}
	if g.dropReq {
		return // nothing more until the owner changes
	}
	t, at := e.nextDropRequest(g)
	if t == nil {
		return
	}
	if at > e.now {
		e.scheduleGILCheck(g, at)
		return
	}
	g.dropReq = true
	g.requester, g.requestAt = t, e.now
	e.mark(MarkDropRequest, t)
	if h := g.holder; h != nil && h.os.state == stCore && h.os.running && h.os.seg == segCPU {
		e.forceDrop(h)
	}
}
