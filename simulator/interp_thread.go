package simulator

// This file is the step interpreter of a plain OS thread (a native task or
// a Python thread): it turns steps into demands on the OS layer (a core)
// and the GIL layer.

// runOnCore advances t, which is on a core with nothing in progress, until
// it starts a segment, blocks, waits for the GIL, or finishes.
func (e *engine) runOnCore(t *thread) {
	for {
		if t.busy() && !e.prologue(t) {
			return
		}
		if t.rt.announce {
			// a started thread's bootstrap (start.go)
			if !e.bootstrapped(t) {
				return
			}
			continue
		}
		if t.rt.prog.atEnd() {
			e.drainReleases(t)
			if t.pool() != nil {
				if !e.jobDone(t) {
					return
				}
				continue
			}
			e.finish(t)
			return
		}
		if !e.stepBegins(t) {
			return
		}
		if t.rt.unit != nil && t.rt.unit.start < 0 {
			t.rt.unit.start = e.now
		}
		kind, s, lock := t.rt.prog.next(e.idle)
		switch kind {
		case leafDone:
			continue // atEnd above decides
		case leafRelease:
			e.unlock(t.proc, lock)
			continue
		}
		switch s.Op {
		case OpCPU, OpNative:
			d := e.scaleCPU(t, s, e.draw(t, s))
			if d <= 0 {
				continue
			}
			if !t.os.inBurst {
				t.os.inBurst, t.os.burstLeft = true, d
			}
			t.os.segLeft = d
			if s.Op == OpCPU {
				t.os.seg = segCPU
				continue // the segment path above takes the GIL and checks drop requests
			}
			t.os.seg = segNative
			if t.gil.held && e.dropGIL(t) {
				return
			}
			e.startSegment(t)
			return
		case OpIO, OpSleep:
			d := e.draw(t, s)
			if s.Op == OpSleep && t.rt.cpython {
				d = satAdd(d, e.m.TimerSlack)
			}
			t.os.inBurst = false
			t.os.blockWhy = blockWhyOf(s.Op)
			if t.gil.held {
				t.gil.pend, t.pendDur = pendBlock, d
				if e.dropGIL(t) {
					return
				}
				t.gil.pend = pendNone
			}
			e.block(t, d)
			return
		case OpYield:
			// time.sleep(0): release and take again; the signalled waiter
			// wakes too late to win unless a drop request forces the switch.
			t.os.inBurst = false
			if t.gil.held && e.dropGIL(t) {
				return
			}
			continue
		case OpLock:
			t.os.inBurst = false
			if !e.tryLock(t, s) {
				return
			}
			continue
		case opAwaitStartTime, opStartThread:
			t.os.inBurst = false
			if !e.mainStep(t, s) {
				return
			}
			continue
		default:
			// await, offload and switch never reach a plain thread:
			// Validate refuses them.
			continue
		}
	}
}

// finish ends t at the current instant.
func (e *engine) finish(t *thread) {
	if t.rt.announce {
		e.announce(t) // a thread with nothing to run still sets start()'s Event
	}
	if t.gil.held {
		g := t.proc.gil
		g.dropReq = false
		e.releaseGIL(t)
	}
	if t.gil.waiting {
		// (the thread's flag first: a native task's process, often not
		// in cache, is not looked at)
		if g := t.proc.gil; g != nil {
			g.removeWaiter(t)
		}
	}
	e.leaveCore(t)
	e.setState(t, stDone)
	t.os.seg, t.os.segLeft = segNone, 0
	p := t.proc
	if u := t.rt.unit; u != nil && t.rt.lp == nil {
		u.finish = e.now
		u.done = true
		e.unfinished--
		if e.now > e.lastFinish {
			e.lastFinish = e.now
		}
	}
	if !t.rt.startup && t.rt.cpython {
		// (a native task's process charged no memory, and is not looked
		// at: at 100,000 tasks, a miss each)
		if t.os.memCharged {
			e.release(p, e.m.MemThread)
			t.os.memCharged = false
		}
		p.nthreads--
		if p.nthreads == 0 && p.started {
			e.release(p, e.m.MemProcess)
		}
	}
}

// atEnd reports whether the program has no leaf step left (only lock
// releases, which take no time).
func (p *program) atEnd() bool {
	for i := range p.stack {
		f := &p.stack[i]
		if int(f.i) < len(f.steps) {
			return false
		}
		if f.left > 0 {
			return false
		}
	}
	return true
}

// blockWhyOf is what a blocking step waits for.
func blockWhyOf(op Op) BlockWhy {
	if op == OpSleep || op == OpAwaitSleep {
		return BlockSleep
	}
	return BlockIO
}
