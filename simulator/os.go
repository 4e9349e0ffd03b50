package simulator

import (
	"cmp"
	"slices"
	"unsafe"
)

// This file is layer 1, the machine and the OS: cores, which thread runs
// where (dispatch, placement, preemption, time slices; the policy itself
// is osPolicy, policy.go), the segments a thread runs on its core, and
// blocking and waking. A thread waiting for its GIL is asleep to the OS.

type core struct {
	cur  int32
	last int32
	busy int64
}

// setState moves t to s and charges the time spent in the old state.
func (e *engine) setState(t *thread, s thState) {
	if u := t.rt.unit; u != nil {
		d := e.now - t.os.since
		switch t.os.state {
		case stReady:
			u.wait += d
		case stIO:
			u.io += d
		case stLock:
			u.lockWait += d
		case stGIL:
			u.gil += d
			u.wait += d
		}
		if e.opt.Trace != nil {
			e.traceState(t)
		}
	}
	t.os.state = s
	t.os.since = e.now
}

// traceState reports the span of t's state that ends now (setState).
func (e *engine) traceState(t *thread) {
	switch t.os.state {
	case stReady:
		e.span(t, SpanReady, t.os.since)
	case stIO:
		e.spanWhy(t, t.os.blockWhy, t.os.since)
	case stLock:
		e.spanWhy(t, BlockLock, t.os.since)
	case stGIL:
		e.span(t, SpanGILWait, t.os.since)
	}
}

func (e *engine) spanWhy(t *thread, why BlockWhy, start int64) {
	if e.opt.Trace == nil || t.rt.unit == nil || start == e.now {
		return
	}
	e.opt.Trace(Span{Entity: int(t.rt.uidx), Process: int(t.proc.idx), Kind: SpanBlocked, Core: -1, Why: why, Start: start, End: e.now})
}

func (e *engine) span(t *thread, k SpanKind, start int64) {
	if e.opt.Trace == nil || start == e.now {
		return
	}
	c := -1
	if k == SpanRunning || k == SpanSwitching {
		c = int(t.os.core)
	}
	ent := -1
	if t.rt.unit != nil {
		ent = int(t.rt.uidx)
	} else if c < 0 {
		return // only the core time of a process's own work is shown
	}
	e.opt.Trace(Span{Entity: ent, Process: int(t.proc.idx), Kind: k, Core: c, HasGIL: t.gil.held && k == SpanRunning, Start: start, End: e.now})
}

// makeReady makes t runnable. woke says it comes back from sleeping (for
// the fair policy's placement).
func (e *engine) makeReady(t *thread, woke bool) {
	e.pol.admit(t, woke)
	e.setState(t, stReady)
	if n := len(e.readyNow); n > 0 && t.file < e.readyNow[n-1].file {
		e.readyMixed = true
	}
	e.readyNow = append(e.readyNow, t)
}

// dispatch gives idle cores to ready threads and applies preemption.
// It goes round until a pass would find nothing to do: it preempted no
// victim, left nothing to queue, and placed no thread or left no idle
// core that a waiting thread could take (a core freed below the one the
// pass was placing on). Another pass would then place nothing and ask
// the victim, the most frequent question of a contended run, again with
// nothing changed.
func (e *engine) dispatch() {
	if len(e.readyNow) == 0 && len(e.expired) == 0 && e.waiting == 0 {
		return // nobody to queue or place, and no victim to ask for
	}
	for {
		changed, placed := false, false
		if len(e.readyNow) > 0 {
			rn := e.readyNow
			if len(rn) > 1 {
				e.enqueueMany(rn)
			} else {
				e.enqueue(rn[0])
			}
			e.readyNow = rn[:0]
		}
		if len(e.expired) > 0 {
			ex := e.expired
			if len(ex) > 1 {
				sortThreads(ex, func(a, b *thread) bool { return a.os.core < b.os.core })
			}
			for _, t := range ex {
				if t.os.state != stCore {
					continue
				}
				if e.pol.contended(t) {
					e.preempt(t)
				} else {
					e.beginSlice(t, e.now)
				}
			}
			e.expired = ex[:0]
		}
		// the idle cores in order, each offered the thread the policy
		// has for it (the policy names only cores it may have one for)
		for c := e.nextCore(0); c >= 0; c = e.nextCore(c + 1) {
			if t := e.pol.next(c); t != nil {
				e.waiting--
				e.place(t, c)
				placed = true
			}
		}
		if e.waiting > 0 {
			// someone waits for a core: every running slice now matters
			// (those begun while nobody waited are not scheduled yet)
			if len(e.unarmed) > 0 {
				e.armUnarmed()
			}
			if v := e.pol.victim(); v != nil {
				e.preempt(v)
				changed = true
			}
		}
		if !changed && len(e.readyNow) == 0 && len(e.expired) == 0 && (!placed || e.nextCore(0) < 0) {
			return
		}
	}
}

// nextCore is the policy's next idle core at or after from that may
// have a thread to run, or -1 (at once when no core is idle, as the
// policy names idle cores only, or nobody waits).
func (e *engine) nextCore(from int) int {
	if e.busyCores == len(e.cores) || e.waiting == 0 {
		return -1
	}
	return e.pol.nextCore(from)
}

// enqueue hands runnable t to the policy's queue.
func (e *engine) enqueue(t *thread) {
	e.pol.enqueue(t)
	e.waiting++
}

// sortThreads is a stable sort: an insertion sort for the short lists
// sorted per instant, mostly in order already (it allocates nothing), and
// a merge sort, O(n log n), for a long one out of order (many threads
// made ready at one instant, or started in reverse order of `at`).
func sortThreads(ts []*thread, less func(a, b *thread) bool) {
	if len(ts) > 32 {
		for i := 1; i < len(ts); i++ {
			if less(ts[i], ts[i-1]) {
				slices.SortStableFunc(ts, func(a, b *thread) int {
					switch {
					case less(a, b):
						return -1
					case less(b, a):
						return 1
					}
					return 0
				})
				return
			}
		}
		return
	}
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && less(ts[j], ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// place puts t on core c.
func (e *engine) place(t *thread, c int) {
	cr := &e.cores[c] // idle: dispatch and the legacy GIL's hand-over place on idle cores only
	e.busyCores++
	e.idleCores.remove(c)
	if e.slowed {
		e.busySet.add(c)
	}
	cr.cur = t.idx
	t.os.core = int32(c)
	e.setState(t, stCore)
	t.os.onSince = e.now
	if t.rt.unit != nil {
		t.rt.unit.switches++
	}
	e.pol.onCore(t)
	switched := cr.last >= 0 && cr.last != t.idx
	cr.last = t.idx
	if switched {
		e.ctxSwitch++
	}
	if switched && e.m.ContextSwitch > 0 {
		// the fair policy counts t's run from the end of the switch: the
		// cost is the kernel's, and charged to t's vruntime it made t look
		// worse than the thread it replaced, which then took the core back
		// the instant the switch ended (a switch cost of a slice or more
		// livelocked two threads, each paying it without ever running)
		t.os.onSince = e.after(e.m.ContextSwitch)
		t.os.afterSw = t.os.seg
		left := t.os.segLeft
		t.os.seg = segSwitch
		t.os.segLeft = e.m.ContextSwitch
		e.beginSlice(t, e.after(e.m.ContextSwitch))
		e.startSegment(t)
		t.os.segLeft = left
		return
	}
	e.beginSlice(t, e.now)
	e.run(t)
}

// run advances t on its core with the interpreter its kind needs.
func (e *engine) run(t *thread) {
	if t.rt.lp != nil {
		e.runLoop(t)
		return
	}
	e.runOnCore(t)
}

// beginSlice starts t's quantum (round_robin) or fair slice at from. Its
// expiry is scheduled only once another thread waits for a core, so a
// machine with spare cores spends no events on slices.
func (e *engine) beginSlice(t *thread, from int64) {
	t.os.sliceBase = from
	t.os.sliceArmed = false
	t.os.sliceGen++
	if t.os.core >= 0 {
		e.dropSlice(t.os.core)
	}
	e.pol.sliceBegan(t)
	if e.waiting > 0 {
		e.armSlice(t)
		return
	}
	e.unarmed = append(e.unarmed, t)
	if len(e.unarmed) > 2*e.busyCores+64 {
		e.unarmed = e.stillUnarmed()
	}
}

// stillUnarmed is e.unarmed without the threads gone from their cores or
// armed since, each once, in core order.
func (e *engine) stillUnarmed() []*thread {
	n := 0
	for _, t := range e.unarmed {
		if c := t.os.core; c >= 0 && e.cores[c].cur == t.idx && !t.os.sliceArmed {
			e.unarmed[n] = t
			n++
		}
	}
	clear(e.unarmed[n:])
	ts := e.unarmed[:n]
	slices.SortFunc(ts, func(a, b *thread) int { return cmp.Compare(a.os.core, b.os.core) })
	return slices.CompactFunc(ts, func(a, b *thread) bool { return a == b })
}

// armUnarmed schedules the ends of the running slices begun while nobody
// waited, in core order.
func (e *engine) armUnarmed() {
	ts := e.stillUnarmed()
	for _, t := range ts {
		e.armSlice(t)
	}
	clear(ts)
	e.unarmed = ts[:0]
}

// armSlice schedules the end of t's current slice, if its policy has
// slices; a slice already used up ends now.
func (e *engine) armSlice(t *thread) {
	if t.os.sliceArmed {
		return
	}
	at, ok := e.pol.sliceEnd(t)
	if !ok {
		return
	}
	if at < e.now {
		at = e.now
	}
	t.os.sliceArmed = true
	ev := event{at: at, kind: evSlice, th: t.idx, gen: t.os.sliceGen}
	if c := t.os.core; c >= 0 {
		e.pushSlice(c, ev)
		return
	}
	e.q.push(ev)
}

// startSegment runs t's current segment on its core until it ends.
func (e *engine) startSegment(t *thread) {
	t.os.running = true
	t.os.segStart = e.now
	t.os.segGen++
	d := t.os.segLeft
	t.os.segSpeed = 0
	if e.slowed && t.scalable() {
		s := e.speedNow()
		if s < 1000 {
			t.os.segSpeed = s
			d = wallFor(d, s)
		}
		if s != e.lastSpeed {
			e.mixedSpeeds = true
		}
	}
	ev := event{at: e.after(d), kind: evSegment, th: t.idx, gen: t.os.segGen}
	if c := t.os.core; e.q.segBase != 0 && c >= 0 && len(e.q.h) >= segLaneFrom {
		e.pushSeg(c, ev)
		return
	}
	e.q.push(ev)
}

// stopSegment charges the part of t's running segment done so far and
// cancels its end event. A thread with no running segment is left alone.
func (e *engine) stopSegment(t *thread) {
	if t.gil.spinning {
		e.stopSpin(t)
	}
	if !t.os.running {
		return
	}
	t.os.running = false
	d := e.now - t.os.segStart
	w := e.segWork(t) // d, unless multicore_speed slows the segment
	t.os.segSpeed = 0
	t.os.segGen++
	if t.os.core >= 0 {
		e.cores[t.os.core].busy += d
		if e.q.nlane > 0 {
			e.dropSeg(t.os.core)
		}
	}
	switch t.os.seg {
	case segCPU, segNative:
		t.os.segLeft -= w
		e.cpuTime += d
		if t.os.inBurst {
			t.os.burstLeft -= w
		}
		if u := t.rt.unit; u != nil {
			if u.start < 0 && t.rt.lp == nil {
				// a started thread's bootstrap, before its target
				// (start.go): the process's own work, while the thread
				// is still being started
				u.wait += d
				e.bootSpans(t)
				break
			}
			u.cpu += d
		}
		if e.opt.Trace != nil {
			e.span(t, SpanRunning, t.os.segStart)
		}
	case segStartup:
		t.os.segLeft -= w
		e.cpuTime += d
		e.span(t, SpanRunning, t.os.segStart)
	case segSwitch:
		e.swTime += d
		e.span(t, SpanSwitching, t.os.segStart)
		// a switch cut short is paid again next time
		t.os.seg = t.os.afterSw
		t.os.afterSw = segNone
		return
	}
	if t.os.segLeft <= 0 {
		t.os.seg = segNone
		t.os.segLeft = 0
	}
}

// stopSpin ends a legacy waiter's spin on its core.
func (e *engine) stopSpin(t *thread) {
	t.gil.spinning = false
	d := e.now - t.os.segStart
	if t.os.core >= 0 {
		e.cores[t.os.core].busy += d
	}
	if t.rt.unit != nil {
		t.rt.unit.gil += d
		t.rt.unit.wait += d
	}
	e.span(t, SpanGILWait, t.os.segStart)
	if g := t.proc.gil; g != nil && g.spinner == t {
		g.spinner = nil
	}
}

// leaveCore takes t off its core without touching its state.
func (e *engine) leaveCore(t *thread) {
	if t.os.core < 0 {
		return
	}
	e.cores[t.os.core].cur = -1
	e.busyCores--
	e.idleCores.add(int(t.os.core))
	if e.slowed {
		e.busySet.remove(int(t.os.core))
	}
	e.pol.offCore(t)
	c := t.os.core
	t.os.core = -1
	t.os.sliceGen++
	e.dropSlice(c)
	if t.gil.held {
		if g := t.proc.gil; g != nil {
			g.legacyGen++ // the holder's pending check is void off its core
		}
	}
}

// preempt is the OS taking the core from t; t stays runnable.
func (e *engine) preempt(t *thread) {
	e.stopSegment(t)
	e.leaveCore(t)
	if t.gil.held {
		// (a native task's process, often not in cache, is not looked at)
		if g := t.proc.gil; g != nil && g.spinner != nil {
			e.unspin(g)
		}
	}
	e.setState(t, stReady)
	e.enqueue(t)
}

// startupDone releases a process's threads once its interpreter is up.
func (e *engine) startupDone(t *thread) {
	p := t.proc
	p.startAt = e.now
	if p.spec.Startup == 0 {
		p.startAt = p.spec.Arrival // no start-up: `at` counts from the process's arrival
	}
	starts := startsThreads(p.spec)
	for _, th := range p.threads {
		if starts && th.plain() {
			continue // the main thread starts it (start.go)
		}
		th.arrival = e.after(th.spec.Arrival)
		e.q.push(event{at: th.arrival, kind: evArrive, th: th.idx})
	}
	if starts && e.beginStarts(t) {
		e.run(t)
		return
	}
	e.leaveCore(t)
	e.setState(t, stDone)
}

// blockDone is the end of t's blocking call (or of a loop's poll).
func (e *engine) blockDone(t *thread) {
	if l := t.rt.lp; l != nil {
		t.rt.polling = false
		if m := l.cur; m != nil && m.prog.atEnd() {
			// the unit's last step ended with this blocking call: charge
			// the call to it, then finish it
			e.setState(t, stIO)
			for {
				k, _, lock := m.prog.next(e.idle)
				if k != leafRelease {
					break
				}
				e.unlock(t.proc, lock)
			}
			e.finishUnit(l, m)
			if l.left == 0 && l.timers.len() == 0 && l.ready.len() == 0 {
				e.finish(t) // nothing left for the loop: its thread ends here
				return
			}
		}
		e.wake(t)
		return
	}
	// (the program's frames first, in the lines a round touches: the
	// pool is in t's last line, which a round does not otherwise touch,
	// a miss at every wake-up of a run of 100,000 tasks)
	if t.rt.prog.atEnd() && t.pool() == nil {
		e.drainReleases(t)
		e.finish(t)
		return
	}
	if t.rt.startup {
		// a main thread waited for a thread's `at`: it calls start() then
		e.makeReady(t, true)
		return
	}
	e.wake(t)
}

// block puts t to sleep for d (io or sleep).
func (e *engine) block(t *thread, d int64) {
	e.leaveCore(t)
	e.setState(t, stIO)
	t.os.ioGen++
	e.q.push(event{at: e.after(d), kind: evBlockDone, th: t.idx, gen: t.os.ioGen})
}

// wake makes a sleeping thread runnable after the OS wake-up latency (a
// blocking call returned, or a GIL waiter was signalled). The latency is
// one constant, so wake-ups are pushed in time order.
func (e *engine) wake(t *thread) {
	if t.rt.cpython && e.m.WakeupLatency > 0 {
		e.q.pushInOrder(event{at: e.after(e.m.WakeupLatency), kind: evWake, th: t.idx})
		return
	}
	e.makeReady(t, true)
}

// idleCore says whether some core has no thread on it.
func (e *engine) idleCore() bool { return e.busyCores < len(e.cores) }

// enqueueMany queues the threads of ts, readyNow, in file order: sorted
// only if makeReady saw them come out of it (at 100,000 arrivals at one
// instant, a check of the order was a pass over 38 MB of threads, each a
// miss), and each brought into the caches readyAhead threads ahead of its
// turn.
func (e *engine) enqueueMany(ts []*thread) {
	if e.readyMixed {
		sortThreads(ts, func(a, b *thread) bool { return a.file < b.file })
		e.readyMixed = false
	}
	for i, t := range ts {
		if i+readyAhead < len(ts) {
			prefetchThread(unsafe.Pointer(ts[i+readyAhead]))
		}
		e.enqueue(t)
	}
}

// readyAhead is how many threads ahead enqueueMany has a thread brought
// into the caches.
const readyAhead = 8
