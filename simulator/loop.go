package simulator

// runLoop advances a runtime thread (asyncio loop, gevent or eventlet hub,
// raw greenlets, generator trampoline) that is on a core with nothing in
// progress: it picks the next unit the way the real scheduler does and
// runs that unit's steps until the thread needs time, blocks or finishes.
func (e *engine) runLoop(t *thread) {
	l := t.rt.lp
	g := t.proc.gil
	for {
		if t.os.state != stCore {
			return
		}
		if !e.runPending(t) {
			return
		}
		if t.os.segLeft > 0 {
			if !e.runSegment(t) {
				return
			}
			continue
		}
		if g != nil && !t.gil.held {
			if !e.takeGIL(t) {
				return
			}
		}
		if e.tick() {
			return
		}
		if !l.started && !e.startLoop(l) {
			return
		}
		if l.pendingM != nil {
			m := l.pendingM
			l.pendingM = nil
			e.resume(l, m)
		}
		m := l.cur
		if m == nil {
			next, ok := e.nextUnit(l)
			if !ok {
				return
			}
			if next == nil {
				continue
			}
			if l.switchC > 0 {
				// the scheduler's own work before the switch: bytecode on
				// the loop thread, charged to no unit
				l.pendingM = next
				t.os.seg, t.os.segLeft = segCPU, l.switchC
				continue
			}
			e.resume(l, next)
			m = next
		}
		k, s, lock := m.prog.next(e.idle)
		e.noteStep(l, s)
		switch k {
		case leafDone:
			e.finishUnit(l, m)
			continue
		case leafRelease:
			e.unlock(t.proc, lock)
			continue
		}
		if !e.unitStep(l, m, s) {
			return
		}
	}
}

// runPending carries out an action postponed by a forced GIL drop. It
// returns false when t is no longer on its core.
func (e *engine) runPending(t *thread) bool {
	switch t.gil.pend {
	case pendBlock:
		t.gil.pend = pendNone
		e.block(t, t.gil.pendDur)
		return false
	case pendLock:
		s := t.gil.pendStep
		t.gil.pend, t.gil.pendStep = pendNone, nil
		return e.tryLock(t, s)
	}
	return true
}

// runSegment starts or resumes t's current segment, taking the GIL first
// for bytecode. It returns false when t stops running here (segment
// started, or waiting for the GIL); true means go on with the program.
func (e *engine) runSegment(t *thread) bool {
	g := t.proc.gil
	if t.os.seg == segCPU && g != nil {
		if !t.gil.held && !e.takeGIL(t) {
			return false
		}
		if g.dropReq && g.holder == t {
			// the eval breaker: honour a drop request before running on
			return !e.dropGIL(t)
		}
		e.armLegacyCheck(t)
	}
	e.startSegment(t)
	return false
}

// cooperative says whether l's blocking calls yield to its scheduler.
func (l *loop) cooperative() bool {
	return (l.kind == ThreadGevent || l.kind == ThreadEventlet) && l.patched
}

// unitStep carries out one leaf step of unit m. It returns false when the
// thread stops running here.
func (e *engine) unitStep(l *loop, m *member, s *Step) bool {
	t := l.t
	switch s.Op {
	case OpCPU, OpNative:
		d := e.scaleCPU(t, s, e.draw(t, s))
		if d <= 0 {
			return true
		}
		t.os.segLeft = d
		if s.Op == OpCPU {
			t.os.seg = segCPU
			return true
		}
		t.os.seg = segNative
		if t.gil.held && e.dropGIL(t) {
			return false
		}
		e.startSegment(t)
		return false
	case OpIO, OpSleep:
		d := e.draw(t, s)
		if l.cooperative() {
			kind := wakeIO
			if s.Op == OpSleep {
				kind = wakeTimer
			}
			e.park(l, m, e.after(d), kind, blockWhyOf(s.Op))
			e.suspend(l)
			return true
		}
		if (l.kind == ThreadGevent || l.kind == ThreadEventlet) && !l.patched {
			e.warn(s.Pos, t.proc, m.unit, "unpatched blocking "+s.Op.String()+" blocks the hub and every "+m.unit.kind.String()+" of its thread")
		}
		if s.Op == OpSleep && t.rt.cpython {
			d = satAdd(d, e.m.TimerSlack)
		}
		t.os.blockWhy = blockWhyOf(s.Op)
		return e.blockThread(t, d)
	case OpAwaitIO, OpAwaitSleep:
		d := e.draw(t, s)
		if d == 0 {
			e.yieldUnit(l, m)
			return true
		}
		e.park(l, m, e.after(d), wakeIO, blockWhyOf(s.Op))
		e.suspend(l)
		return true
	case OpYield:
		e.yieldUnit(l, m)
		return true
	case OpLock:
		if l.cooperative() {
			lk := &t.proc.locks[s.Lock]
			if lk.holder == nil {
				lk.holder = m.unit
				m.prog.enterLock(s)
				return true
			}
			e.parkOn(m, BlockLock)
			lk.waiters = append(lk.waiters, lockWaiter{m: m, s: s})
			e.suspend(l)
			return true
		}
		return e.tryLock(t, s)
	case OpOffload:
		e.submit(l, m, s.Body)
		e.parkOn(m, BlockOffload)
		e.suspend(l)
		return true
	case OpSwitch:
		if int(s.Target) >= len(l.members) {
			return true
		}
		to := l.members[s.Target]
		if to == m {
			return true
		}
		e.parkOn(m, BlockParked)
		e.suspend(l)
		if to.state == mDone {
			// greenlet: switching to a dead greenlet goes to its parent
			e.warn(s.Pos, t.proc, m.unit, "switch to \""+to.unit.name+"\", which has finished: control goes to the parent")
			return true
		}
		if !to.started {
			if !e.spawnRaw(l, to) {
				return false
			}
		}
		to.readyAt = e.now
		l.pendingM = to
		if l.switchC > 0 {
			t.os.seg, t.os.segLeft = segCPU, l.switchC
		}
		return true
	}
	return true
}

// blockThread blocks the whole loop thread in a blocking call of d.
func (e *engine) blockThread(t *thread, d int64) bool {
	if t.gil.held {
		t.gil.pend, t.gil.pendDur = pendBlock, d
		if e.dropGIL(t) {
			return false
		}
		t.gil.pend = pendNone
	}
	e.block(t, d)
	return false
}

// yieldUnit is the runtime's sleep(0).
func (e *engine) yieldUnit(l *loop, m *member) {
	switch l.kind {
	case ThreadEventlet:
		// a zero-delay timer: runs at the next pass, after a poll
		e.park(l, m, e.now, wakeTimer, BlockSleep)
	default:
		// asyncio: call_soon to the tail (next iteration); gevent:
		// run_callback (may run in this pass); trampoline: next in turn
		e.makeUnitReady(l, m, false, e.now)
	}
	e.suspend(l)
}

// nextUnit picks the unit l runs next. It returns (nil, true) when the
// thread should go round again, (nil, false) when it stopped running here
// (blocked in its poll, or finished).
func (e *engine) nextUnit(l *loop) (*member, bool) {
	switch l.kind {
	case ThreadAsyncio:
		return e.nextAsyncio(l)
	case ThreadGevent:
		return e.nextGevent(l)
	case ThreadEventlet:
		return e.nextEventlet(l)
	case ThreadGreenlets:
		return e.nextGreenlet(l)
	}
	return e.nextTrampoline(l)
}

// nextAsyncio is BaseEventLoop._run_once: poll, move due timers to the
// ready queue, then run the callbacks that were ready when the iteration
// began, FIFO. A due timer first runs its future's done-callback, which
// schedules the task for the following iteration.
func (e *engine) nextAsyncio(l *loop) (*member, bool) {
	for {
		if l.batch > 0 && l.ready.len() > 0 {
			r := l.ready.pop()
			l.batch--
			if r.wakeup {
				e.makeUnitReady(l, r.m, false, r.at)
				continue
			}
			return r.m, true
		}
		if !l.polled {
			l.polled = true
			if l.ready.len() == 0 {
				if stop, ok := e.pollBlock(l); stop {
					return nil, ok
				}
			} else if e.pollRelease(l) {
				return nil, false
			}
		}
		l.polled = false
		for len(l.timers.h) > 0 && l.timers.h[0].due <= e.now {
			te := l.timers.pop()
			if te.kind == wakeSpawn {
				if !e.spawn(l, te.m) {
					return nil, false
				}
				continue
			}
			l.ready.push(readyEntry{m: te.m, wakeup: true, at: te.due})
		}
		l.batch = l.ready.len()
		if l.batch == 0 && l.left == 0 && len(l.timers.h) == 0 {
			return e.loopDone(l)
		}
	}
}

// nextGevent is one libev iteration with gevent's hooks: the callback
// queue first (spawns, sleep(0), wake-ups; FIFO, callbacks added meanwhile
// run in the same pass, the pass checks the clock every 50 callbacks and
// stops after one switch interval), then a poll, then the due watchers,
// last queued first.
func (e *engine) nextGevent(l *loop) (*member, bool) {
	for {
		if l.inPass {
			// the watcher phase of this iteration: libev invokes pending
			// watchers last fed first; expired timers are fed in reverse
			// (feed_reverse), so they run earliest first, before the io
			// watchers, which run in the reverse of the poll's order
			if n := len(l.watch); n > 0 {
				w := l.watch[n-1]
				l.watch = l.watch[:n-1]
				w.m.readyAt = max(w.due, w.m.unit.arrival)
				return w.m, true
			}
			l.inPass = false
			l.batch = 0 // the next iteration begins with a callback pass
		}
		if l.ready.len() > 0 && !(l.batch > 0 && l.batch%50 == 0 && e.now-l.passT >= 5_000_000) {
			if l.batch == 0 {
				l.passT = e.now
			}
			l.batch++
			return l.ready.pop().m, true
		}
		if l.ready.len() == 0 {
			if stop, ok := e.pollBlock(l); stop {
				return nil, ok
			}
		} else if e.pollRelease(l) {
			return nil, false
		}
		ios, tms := l.bufA[:0], l.bufB[:0]
		for len(l.timers.h) > 0 && l.timers.h[0].due <= e.now {
			te := l.timers.pop()
			if te.kind == wakeIO {
				ios = append(ios, te)
			} else {
				if te.kind == wakeSpawn && !e.spawnWatcher(l, te.m) {
					return nil, false
				}
				tms = append(tms, te)
			}
		}
		l.watch = append(l.watch, ios...)
		for i := len(tms) - 1; i >= 0; i-- {
			l.watch = append(l.watch, tms[i])
		}
		l.bufA, l.bufB = ios[:0], tms[:0]
		l.inPass = true
		if len(l.watch) == 0 && l.ready.len() == 0 && l.left == 0 && len(l.timers.h) == 0 {
			return e.loopDone(l)
		}
	}
}

// nextEventlet is one BaseHub.run iteration: fire the timers due at the
// start of the pass (created in an earlier pass), in due order, each
// greenthread running to its next switch; then poll and run the
// greenthreads whose io completed.
func (e *engine) nextEventlet(l *loop) (*member, bool) {
	for {
		if l.wHead < len(l.watch) {
			w := l.watch[l.wHead]
			l.wHead++
			w.m.readyAt = max(w.due, w.m.unit.arrival)
			return w.m, true
		}
		l.watch, l.wHead = l.watch[:0], 0
		l.pass++
		keep, tms, ios := l.bufC[:0], l.bufA[:0], l.bufB[:0]
		for len(l.timers.h) > 0 && l.timers.h[0].due <= e.now {
			te := l.timers.pop()
			switch {
			case te.pass >= l.pass-1 && te.pass == l.pass-1 && te.due == e.now && l.inPass:
				keep = append(keep, te)
			case te.kind == wakeIO:
				ios = append(ios, te)
			default:
				if te.kind == wakeSpawn && !e.spawnWatcher(l, te.m) {
					return nil, false
				}
				tms = append(tms, te)
			}
		}
		for _, te := range keep {
			l.timers.push(te)
		}
		l.watch = append(append(l.watch[:0], tms...), ios...)
		l.bufA, l.bufB, l.bufC = tms[:0], ios[:0], keep[:0]
		l.inPass = true
		if len(l.watch) > 0 {
			if len(tms) == 0 && e.pollRelease(l) {
				return nil, false
			}
			continue
		}
		if l.left == 0 && len(l.timers.h) == 0 {
			return e.loopDone(l)
		}
		l.inPass = false
		if stop, ok := e.pollBlock(l); stop {
			return nil, ok
		}
	}
}

// nextGreenlet is the parent of a raw greenlet block: whenever control
// comes back to it, it switches to the first unfinished greenlet in file
// order, of those that have arrived or were started by a switch. The
// candidates are kept in a min-heap of file indexes, fed from a heap of
// arrivals, so that finding the next one does not rescan the finished
// ones (finished members leave the heap when they come to its top).
func (e *engine) nextGreenlet(l *loop) (*member, bool) {
	if !l.rawInit {
		l.rawInit = true
		for _, m := range l.members {
			l.rawDue = append(l.rawDue, rawArrival{due: l.t.proc.startAt + m.spec.Arrival, idx: m.idx})
			if m.started {
				l.pushRawCandidate(m.idx)
			}
		}
		for i := len(l.rawDue)/2 - 1; i >= 0; i-- {
			heapDown(l.rawDue, i, rawArrivalLess)
		}
	}
	for len(l.rawDue) > 0 && l.rawDue[0].due <= e.now {
		e.scans++
		a := heapPop(&l.rawDue, rawArrivalLess)
		l.pushRawCandidate(a.idx)
	}
	for len(l.rawElig) > 0 {
		e.scans++
		m := l.members[l.rawElig[0]]
		if m.state == mDone {
			heapPop(&l.rawElig, int32Less)
			continue
		}
		if !m.started && m.mem == 0 && !e.spawnRaw(l, m) {
			return nil, false
		}
		m.readyAt = e.now // a raw greenlet is never "ready": it runs when switched to
		return m, true
	}
	// arrivals of members already started by a switch (or finished) do
	// not make the parent wait
	for len(l.rawDue) > 0 {
		e.scans++
		if m := l.members[l.rawDue[0].idx]; m.state == mDone || m.started {
			heapPop(&l.rawDue, rawArrivalLess)
			continue
		}
		break
	}
	if len(l.rawDue) == 0 {
		return e.loopDone(l)
	}
	// nothing has arrived yet: the parent sleeps until the next one does
	e.blockThread(l.t, l.rawDue[0].due-e.now)
	return nil, false
}

// rawArrival is when a raw greenlet becomes one the parent may switch to.
type rawArrival struct {
	due int64
	idx int32
}

func rawArrivalLess(a, b *rawArrival) bool { return a.due < b.due || (a.due == b.due && a.idx < b.idx) }

func int32Less(a, b *int32) bool { return *a < *b }

// pushRawCandidate makes the raw greenlet of index i one the parent may
// switch to (it arrived, or a switch started it). A member can be pushed
// twice (arrived, and started before that); the copy is harmless.
func (l *loop) pushRawCandidate(i int32) {
	l.rawElig = append(l.rawElig, i)
	heapUp(l.rawElig, len(l.rawElig)-1, int32Less)
}

// spawnRaw creates a raw greenlet or generator on first use.
func (e *engine) spawnRaw(l *loop, m *member) bool {
	if m.mem > 0 || m.started {
		return true
	}
	n := e.memFor(l)
	if !e.alloc(l.t.proc, l.t.proc.name+"/"+m.unit.name, n) {
		return false
	}
	m.mem = n
	m.unit.arrival = e.now
	m.readyAt = e.now
	e.parkOn(m, BlockParked)
	return true
}

// spawnWatcher creates a unit whose spawn timer fired.
func (e *engine) spawnWatcher(l *loop, m *member) bool {
	if m.mem > 0 {
		return true
	}
	n := e.memFor(l)
	if !e.alloc(l.t.proc, l.t.proc.name+"/"+m.unit.name, n) {
		return false
	}
	m.mem = n
	m.unit.arrival = e.now
	return true
}

// nextTrampoline is PEP 342's round-robin trampoline: pop the first
// generator, run it to its next yield, append it again unless it finished.
func (e *engine) nextTrampoline(l *loop) (*member, bool) {
	// generators created later (`at`) join the round when their time comes
	for len(l.timers.h) > 0 && l.timers.h[0].due <= e.now {
		if te := l.timers.pop(); !e.spawn(l, te.m) {
			return nil, false
		}
	}
	if l.ready.len() > 0 {
		return l.ready.pop().m, true
	}
	if len(l.timers.h) > 0 {
		// nothing to run yet: the driver sleeps until the next one exists
		e.blockThread(l.t, l.timers.h[0].due-e.now)
		return nil, false
	}
	return e.loopDone(l)
}

// pollBlock is the loop's poll with a timeout: it sleeps (releasing the
// GIL) until the earliest timer, rounded up to whole milliseconds as
// epoll's timeout is, or until woken from outside. stop is true when the
// thread stopped here; ok is false then, true when the caller may go on
// at once (a timer is already due).
func (e *engine) pollBlock(l *loop) (stop, ok bool) {
	t := l.t
	if len(l.timers.h) == 0 {
		if l.left == 0 {
			return false, true
		}
		// waiting only on other threads (offload, a lock): sleep until woken
		t.rt.polling = true
		if t.gil.held {
			t.gil.pend, t.gil.pendDur = pendNone, 0
			if e.dropGIL(t) {
				t.rt.polling = true
				return true, false
			}
		}
		e.leaveCore(t)
		e.setState(t, stIdle)
		return true, false
	}
	due := l.timers.h[0].due
	if due <= e.now {
		return false, true
	}
	d := due - e.now
	if r := d % 1_000_000; r != 0 {
		d += 1_000_000 - r
	}
	t.rt.polling = true
	e.blockThread(t, d)
	return true, false
}

// pollRelease is a poll with timeout 0: select() releases the GIL around
// the syscall even then, which matters when other threads want it. It
// returns true when a forced switch took the thread off its core.
func (e *engine) pollRelease(l *loop) bool {
	t := l.t
	g := t.proc.gil
	if g == nil || !t.gil.held || g.waiters == 0 {
		return false
	}
	return e.dropGIL(t)
}

// loopDone finishes the loop thread once every unit has finished.
func (e *engine) loopDone(l *loop) (*member, bool) {
	if l.left > 0 {
		// units remain but nothing can run them: they wait for something
		// that never comes (a deadlock, reported at the end)
		t := l.t
		if t.gil.held {
			e.releaseGIL(t)
		}
		e.leaveCore(t)
		e.setState(t, stIdle)
		t.rt.polling = true
		return nil, false
	}
	e.finish(l.t)
	return nil, false
}
