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

// phaseKey orders sleeping waiters by the phase of their deadlines (or,
// in timedWaits.fSince, by when they went to sleep after the last change
// of owner).
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

// The queries' tie rules come in two modes. With few sleeping waiters
// ("scan" mode, up to treeAbove, back below treeBelow) a query is the
// earliest instant over every waiter, the lower thread index on a tie.
// Past treeAbove ("tree" mode) the waiters from before the last change of
// owner are taken in phase order from the pivot, their first counting as
// the earliest (even when it went to sleep at the pivot itself), and the
// drop request's fresh waiter is the first in the order they went to
// sleep, winning a tie. Both modes are answered from the same sets, in
// O(log n); the mode only picks the rule (the results of every scenario
// depend on it).
const (
	treeAbove = 64
	treeBelow = 16
)

// gilShortcuts turns on the answers the timed waits give without their
// general searches: nextDeadline's last answer kept and its usual case,
// signalReleased, and a change of owner's skipped search. Each answers
// as the general path would; a test compares runs with and without them.
var gilShortcuts = true

// timedWaits is the per-GIL bookkeeping.
type timedWaits struct {
	sets    *waitSets // the sleeping waiters, in ordered sets (nil until the first)
	fresh   []int32   // waiters that went to sleep after the last change of owner, in order (thread indices: no pointers to clear)
	head    int
	h       int64  // the last change of owner
	checkAt int64  // the pending check event's time (-1: none)
	gen     uint32 // the pending check's generation: an earlier one is stale
	on      bool   // the new GIL: waiters wait in timed waits
	tree    bool   // tree mode (past treeAbove sleeping waiters)
	last    lastDeadline
}

// lastDeadline is nextDeadline's last answer, (idx, at) for x = from,
// kept while no waiter comes or goes and the owner stays: any x in
// [from, at] then has the same answer (no waiter has a deadline in
// [from, at) but idx, whose first deadline at or after x is still at).
// It is kept only when nNow and fNow are empty: every answer is then the
// earliest deadline, with no waiter asleep since the pivot itself. The
// GIL's check, due at the deadline of a waiter signalled since, finds the
// next one here (a release computed it) instead of searching again.
type lastDeadline struct {
	from, at int64
	idx      int32
	ok       bool
}

// waitSets holds the sleeping waiters. The fresh ones (asleep since the
// last change of owner h) are ordered by when they went to sleep, in
// fSince: while the owner has held for at most one period, that is also
// the order of their next deadlines, each one period after it went to
// sleep. The others are ordered by phase, in nOld, or in nNow when they
// went to sleep at nowT, the instant of the last change of owner (their
// first deadline is a whole period away when the pivot is that instant;
// they join nOld once the clock has moved on). When an owner holds for
// longer than a period (preempted by the OS, say), the fresh waiters are
// put in phase order too, in fOld and fNow ("long" until the next
// change of owner).
type waitSets struct {
	nOld, nNow phaseSet // not fresh: (since mod period, index)
	fSince     phaseSet // fresh: (since - h, index)
	fOld, fNow phaseSet // fresh, while long: as nOld and nNow
	nowT       int64    // -1: nNow and fNow are empty
	long       bool
}

func (g *gilState) initWaits() {
	g.tw.checkAt = -1
	g.tw.on = true
}

// waitSets are g's sets, made on first use.
func (g *gilState) waitSets() *waitSets {
	if w := g.tw.sets; w != nil {
		return w // (inline)
	}
	return g.newWaitSets()
}

func (g *gilState) newWaitSets() *waitSets {
	w := &waitSets{nowT: -1}
	for _, s := range []*phaseSet{&w.nOld, &w.nNow, &w.fOld, &w.fNow} {
		s.init(g.period)
	}
	g.tw.sets = w
	return w
}

// settle moves the waiters of an instant now past into the old sets
// (inline: mostly there are none).
func (w *waitSets) settle(now int64) {
	if w.nowT >= 0 && w.nowT < now {
		w.settleNow()
	}
}

func (w *waitSets) settleNow() {
	w.nNow.moveTo(&w.nOld)
	w.fNow.moveTo(&w.fOld)
	w.nowT = -1
}

// goLong puts the fresh waiters in phase order as well, h being the last
// change of owner.
func (g *gilState) goLong(now int64) {
	w := g.tw.sets
	w.long = true
	g.tw.last.ok = false
	w.fSince.each(func(k phaseKey) {
		since := g.tw.h + k.phase
		pk := phaseKey{phase: since % g.period, idx: k.idx}
		if since == now {
			w.nowT = now
			w.fNow.insert(pk)
		} else {
			w.fOld.insert(pk)
		}
	})
}

// treeMode switches between the two modes' rules as waiters come and go.
func (g *gilState) treeMode() {
	n := g.nsleep
	switch {
	case !g.tw.tree && n > treeAbove:
		g.tw.tree = true
	case g.tw.tree && n < treeBelow:
		g.tw.tree = false
	}
}

func (g *gilState) key(t *thread) phaseKey {
	return phaseKey{phase: t.gil.since % g.period, idx: t.idx}
}

// sleepTimed registers t as a sleeping waiter from now. Until the next
// change of owner it is "fresh": its clock starts from its own start.
func (e *engine) sleepTimed(g *gilState, t *thread) {
	t.gil.since = e.now
	t.gil.fresh = true
	g.tw.last.ok = false
	g.treeMode()
	g.tw.fresh = append(g.tw.fresh, t.idx)
	w := g.waitSets()
	if k := (phaseKey{phase: e.now - g.tw.h, idx: t.idx}); !w.fSince.insertLeaf(k) {
		w.fSince.insert(k)
	}
	if w.long {
		w.settle(e.now)
		w.nowT = e.now
		w.fNow.insert(g.key(t))
	}
	if g.locked && !g.dropReq {
		e.scheduleGILCheck(g, e.after(g.period))
	}
}

// wakeTimed removes t from the timed waits (signalled, or taking the GIL).
func (g *gilState) wakeTimed(t *thread) {
	if !g.tw.on {
		return
	}
	w := g.tw.sets
	g.tw.last.ok = false
	now := w.nowT >= 0 && t.gil.since == w.nowT
	switch {
	case t.gil.fresh:
		w.fSince.delete(phaseKey{phase: t.gil.since - g.tw.h, idx: t.idx})
		if w.long && now {
			w.fNow.delete(g.key(t))
		} else if w.long {
			w.fOld.delete(g.key(t))
		}
	case now:
		w.nNow.delete(g.key(t))
	default:
		w.nOld.delete(g.key(t))
	}
	t.gil.fresh = false
}

// ownerChanged restarts the drop-request clock at a change of owner.
func (e *engine) ownerChanged(g *gilState) {
	if !g.tw.on {
		return
	}
	g.tw.last.ok = false
	if w := g.tw.sets; w != nil {
		w.settle(e.now)
		// the fresh waiters join the others (those asleep since this very
		// instant in nNow)
		for _, i := range g.tw.fresh[g.tw.head:] {
			t := e.thread(i)
			if !t.gil.fresh {
				continue
			}
			t.gil.fresh = false
			if t.gil.since == e.now {
				w.nowT = e.now
				w.nNow.insert(g.key(t))
			} else if k := g.key(t); !w.nOld.insertLeaf(k) {
				w.nOld.insert(k)
			}
		}
		w.fSince.clear()
		if w.long { // fOld and fNow are empty unless the last owner held long
			w.fOld.clear()
			w.fNow.clear()
			w.long = false
		}
	}
	g.tw.h = e.now
	g.tw.fresh, g.tw.head = g.tw.fresh[:0], 0
	// every drop request comes a whole period after h (now) or later: a
	// check pending by then stands, and nextDropRequest's answer would
	// not move it (scheduleGILCheck)
	if c := g.tw.checkAt; c >= e.now && c <= e.now+g.period && gilShortcuts {
		return
	}
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
	if c := g.tw.checkAt; c >= e.now && c <= at {
		return // an earlier check is pending; it reschedules itself
	}
	e.pushGILCheck(g, at)
}

// pushGILCheck makes the GIL's pending check one at at.
func (e *engine) pushGILCheck(g *gilState, at int64) {
	g.tw.gen++
	g.tw.checkAt = at
	e.q.push(event{at: at, kind: evGILCheck, th: int32(g.proc), gen: g.tw.gen})
}

// firstFrom is the first waiter of a or b in phase order from pivot: the
// least distance forward from the pivot, then the lower index; inB says
// it is b's.
func firstFrom(a, b *phaseSet, pivot, P int64) (k phaseKey, inB, ok bool) {
	ka, oka := a.from(pivot)
	if b.empty() {
		return ka, false, oka
	}
	kb, okb := b.from(pivot)
	if !okb {
		return ka, false, oka
	}
	if !oka {
		return kb, true, true
	}
	da, db := ahead(ka.phase, pivot, P), ahead(kb.phase, pivot, P)
	if db < da || (db == da && kb.idx < ka.idx) {
		return kb, true, true
	}
	return ka, false, true
}

// ahead is how far phase is past pivot, both in [0, P), going round.
func ahead(phase, pivot, P int64) int64 {
	if d := phase - pivot; d >= 0 {
		return d
	}
	return phase - pivot + P
}

// soonest is the earliest of the candidates (index, instant) offered to
// it, the lower index on a tie. It looks at no thread: with thousands of
// waiters, their threads are far apart in memory.
type soonest struct {
	idx int32
	at  int64
	ok  bool
}

func (s *soonest) offer(idx int32, at int64) {
	if !s.ok || at < s.at || (at == s.at && idx < s.idx) {
		s.idx, s.at, s.ok = idx, at, true
	}
}

// deadline is the first deadline at or after x (of phase xp) of waiter k
// of an old set, or of a now set (asleep since nowT).
func (w *waitSets) deadline(k phaseKey, inNow bool, x, xp, P int64) int64 {
	if inNow && w.nowT >= x {
		return w.nowT + P
	}
	return x + ahead(k.phase, xp, P)
}

// nextDeadline is the first deadline at or after x (now or the instant
// after) of any sleeping waiter. Walking the waiters in phase order from
// x's phase gives their deadlines in increasing order, except for a waiter
// that went to sleep at x itself, whose first deadline is a whole interval
// later. (The waiters of the old sets went to sleep before now; those of
// the now sets, at nowT, which is now.)
func (e *engine) nextDeadline(g *gilState, x int64) (*thread, int64) {
	w := g.tw.sets
	if w == nil {
		return nil, 0
	}
	w.settle(e.now)
	P := g.period
	if l := &g.tw.last; l.ok && gilShortcuts && x >= l.from && x <= l.at && (w.long || x-g.tw.h <= P) {
		return e.thread(l.idx), l.at
	}
	if !w.long && x-g.tw.h > P {
		g.goLong(e.now)
	}
	xp := x % P
	if !w.long && w.nowT < 0 && gilShortcuts {
		// the usual case, nNow empty (the two modes then agree): the
		// first of nOld from x's phase, and the first to go to sleep
		// since the last change of owner
		idx, at := int32(-1), int64(0)
		if k, ok := w.nOld.from(xp); ok {
			idx, at = k.idx, x+ahead(k.phase, xp, P)
		}
		if !w.fSince.empty() {
			k, _ := w.fSince.min()
			if a := g.tw.h + k.phase + P; idx < 0 || a < at || (a == at && k.idx < idx) {
				idx, at = k.idx, a
			}
		}
		if idx < 0 {
			return nil, 0
		}
		g.tw.last = lastDeadline{from: x, at: at, idx: idx, ok: true}
		return e.thread(idx), at
	}
	var best soonest
	if g.tw.tree {
		// the first of the waiters from before the last change of owner
		// in phase order counts as their earliest
		if k, inNow, ok := firstFrom(&w.nOld, &w.nNow, xp, P); ok {
			best.offer(k.idx, w.deadline(k, inNow, x, xp, P))
		}
	} else {
		if k, ok := w.nOld.from(xp); ok {
			best.offer(k.idx, w.deadline(k, false, x, xp, P))
		}
		if w.nowT >= 0 { // (nNow is empty otherwise)
			if k, ok := w.nNow.from(xp); ok {
				best.offer(k.idx, w.deadline(k, true, x, xp, P))
			}
		}
	}
	if w.long {
		if k, ok := w.fOld.from(xp); ok {
			best.offer(k.idx, w.deadline(k, false, x, xp, P))
		}
		if k, ok := w.fNow.from(xp); ok {
			best.offer(k.idx, w.deadline(k, true, x, xp, P))
		}
	} else if !w.fSince.empty() {
		k, _ := w.fSince.min()
		// asleep at or after x-P: each one's next deadline is a period
		// after it went to sleep
		best.offer(k.idx, g.tw.h+k.phase+P)
	}
	if !best.ok {
		return nil, 0
	}
	if w.nowT < 0 {
		g.tw.last = lastDeadline{from: x, at: best.at, idx: best.idx, ok: true}
	}
	return e.thread(best.idx), best.at
}

// signalReleased is signal then released for a futex hand-off in the
// usual case, one search of nOld's leaf serving both: the waiter whose
// deadline comes first after now is signalled, and the GIL's check is
// scheduled at the first deadline, from now, of those left. The usual
// case is that of nextDeadline's (no waiter asleep since the instant of
// the last change of owner, the owner not holding past a period), with
// nOld one leaf of packed pairs; false, having done nothing, in any
// other.
func (e *engine) signalReleased(g *gilState) bool {
	w := g.tw.sets
	if g.nsleep == 0 || w == nil || g.mode != GILInterval || e.m.GILHandoff != GILHandoffFutex || !gilShortcuts {
		return false
	}
	w.settle(e.now)
	P, h, x := g.period, g.tw.h, e.now+1
	old, fs := &w.nOld.s, &w.fSince.s
	if w.long || w.nowT >= 0 || x-h > P || w.nOld.bt != nil || w.fSince.bt != nil ||
		(old.root != nil && old.root.kids != nil) || (old.n == 0 && fs.n == 0) {
		return false
	}
	// the waiter signalled: the first deadline at or after now+1
	xp := x % P
	idx, at, j := int32(-1), int64(0), -1
	if old.n > 0 {
		ks := old.root.keys
		if j = seek(ks, xp<<phaseIdxBits, old.fIdx); j == len(ks) {
			j = 0
		}
		k := unpack(ks[j])
		idx, at = k.idx, x+ahead(k.phase, xp, P)
	}
	if fs.n > 0 {
		k := unpack(fs.root.keys[0])
		if a := h + k.phase + P; idx < 0 || a < at || (a == at && k.idx < idx) {
			idx, j = k.idx, -1
		}
	}
	t := e.thread(idx)
	switch {
	case j >= 0 || fs.root.kids == nil:
		// removeSleeping's work, the pair's place known: j in nOld's
		// leaf, or the first of fSince's
		if j >= 0 {
			l := old.root
			copy(l.keys[j:], l.keys[j+1:])
			l.keys = l.keys[:len(l.keys)-1]
			old.n--
			old.fIdx = j
		} else {
			l := fs.root
			copy(l.keys, l.keys[1:])
			l.keys = l.keys[:len(l.keys)-1]
			fs.n--
			t.gil.fresh = false
		}
		g.tw.last.ok = false
		g.nsleep--
		t.gil.sleepPos = -1
		g.treeMode()
	default:
		g.removeSleeping(t)
	}
	t.gil.signalled = true
	e.wake(t)
	// released's search: the first deadline at or after now of those
	// left (one exactly now is the pair before the place found above)
	x = e.now
	xp = x % P
	idx = -1
	if old.n > 0 {
		ks := old.root.keys
		i := seek(ks, xp<<phaseIdxBits, max(j, 0))
		if i == len(ks) {
			i = 0
		} else {
			old.fIdx = i
		}
		k := unpack(ks[i])
		idx, at = k.idx, x+ahead(k.phase, xp, P)
	}
	if fs.n > 0 {
		k := unpack(fs.root.keys[0])
		if a := h + k.phase + P; idx < 0 || a < at || (a == at && k.idx < idx) {
			idx, at = k.idx, a
		}
	}
	if idx >= 0 {
		g.tw.last = lastDeadline{from: x, at: at, idx: idx, ok: true}
		e.scheduleGILCheck(g, at)
	}
	return true
}

// nextDropRequest is when the first waiter will have seen a whole interval
// with no change of owner, and which waiter it is: a fresh waiter an
// interval after it went to sleep, another at its first deadline at or
// after the last change of owner h, plus an interval.
func (e *engine) nextDropRequest(g *gilState) (*thread, int64) {
	w := g.tw.sets
	if w == nil {
		return nil, 0
	}
	w.settle(e.now)
	P, h := g.period, g.tw.h
	var best soonest
	if g.tw.tree {
		// the first fresh waiter in the order they went to sleep
		for g.tw.head < len(g.tw.fresh) && !e.thread(g.tw.fresh[g.tw.head]).gil.fresh {
			g.tw.head++
		}
		if g.tw.head < len(g.tw.fresh) {
			t := e.thread(g.tw.fresh[g.tw.head])
			best.offer(t.idx, t.gil.since+P)
		}
	} else if !w.fSince.empty() {
		k, _ := w.fSince.min()
		best.offer(k.idx, h+k.phase+P)
	}
	hp := h % P
	if k, _, ok := firstFrom(&w.nOld, &w.nNow, hp, P); ok {
		// the tree rule: a fresh waiter wins a tie
		if at := h + ahead(k.phase, hp, P) + P; !g.tw.tree || !best.ok || at < best.at {
			best.offer(k.idx, at)
		}
	}
	if !best.ok {
		return nil, 0
	}
	return e.threads[best.idx], best.at
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
