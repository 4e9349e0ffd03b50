package simulator

// runLoop advances a runtime thread (asyncio loop, gevent or eventlet hub,
// raw greenlets, generator trampoline) that is on a core with nothing in
// progress: it picks the next unit the way the real scheduler does and
// runs that unit's steps until the thread needs time, blocks or finishes.
func (e *engine) runLoop(t *thread) {
	l := t.rt.lp
	for {
		if (t.busy() && !e.prologue(t)) || !e.stepBegins(t) {
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
			next, ok := l.sched.next(e)
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
		if l.coop && !s.Blocking {
			kind := wakeIO
			if s.Op == OpSleep {
				kind = wakeTimer
			}
			e.park(l, m, e.after(d), kind, blockWhyOf(s.Op))
			e.suspend(l)
			return true
		}
		e.warnBlocking(l, m, s)
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
		if l.coopLock(t.proc.locks[s.Lock]) {
			e.parkOnLock(l, m, s)
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
		to := &l.members[s.Target]
		if to == m {
			return true
		}
		e.parkOn(m, BlockParked)
		e.suspend(l)
		if to.state == mDone {
			// greenlet: switching to a dead greenlet goes to its parent
			e.warn(s.Pos, t.proc, &m.own, "switch to \""+to.own.name+"\", which has finished: control goes to the parent")
			return true
		}
		if !to.started {
			if !e.spawnRaw(l, to) {
				return false
			}
		}
		to.readyAt = e.now
		if !to.started {
			to.readyAt = to.own.arrival // it waited from its arrival
		}
		l.pendingM = to
		if l.switchC > 0 {
			t.os.seg, t.os.segLeft = segCPU, l.switchC
		}
		return true
	}
	return true
}

// warnBlocking warns about a blocking call that blocks a loop's thread
// where the program means its loop to go on: under a hub (unpatched, or a
// call the patch does not reach), or in an asyncio coroutine. Raw
// greenlets and generators have no loop to block.
func (e *engine) warnBlocking(l *loop, m *member, s *Step) {
	t := l.t
	call := "`" + s.Op.String() + "`"
	if s.Blocking {
		call = "`blocking " + s.Op.String() + "`"
	}
	switch {
	case l.hub && s.Blocking && l.coop:
		e.warn(s.Pos, t.proc, &m.own, call+" is a call the patch does not reach: it blocks the hub and every "+m.own.kind.String()+" of its thread")
	case l.hub:
		e.warn(s.Pos, t.proc, &m.own, "unpatched "+call+" blocks the hub and every "+m.own.kind.String()+" of its thread")
	case l.unitKind == kindCoroutine:
		e.warn(s.Pos, t.proc, &m.own, call+" in a coroutine blocks its event loop and every task on it (an asyncio call is `await "+s.Op.String()+"`)")
	}
}

// blockThread blocks the whole loop thread in a blocking call of d.
func (e *engine) blockThread(t *thread, d int64) bool {
	if t.gil.held {
		t.gil.pend, t.pendDur = pendBlock, d
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
	l.sched.yielded(e, m)
	e.suspend(l)
}

// pollBlock is the loop's poll with a timeout: it sleeps (releasing the
// GIL) until the earliest timer, rounded up to whole milliseconds as
// epoll's timeout is, or until woken from outside. stop is true when the
// thread stopped here; ok is false then, true when the caller may go on
// at once (a timer is already due).
func (e *engine) pollBlock(l *loop) (stop, ok bool) {
	t := l.t
	if l.timers.len() == 0 {
		if l.left == 0 {
			return false, true
		}
		// waiting only on other threads (offload, a lock): sleep until woken
		t.rt.polling = true
		if t.gil.held {
			t.gil.pend, t.pendDur = pendNone, 0
			if e.dropGIL(t) {
				t.rt.polling = true
				return true, false
			}
		}
		e.leaveCore(t)
		e.setState(t, stIdle)
		return true, false
	}
	due := l.timers.peek().due
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
