package simulator

// This file is the step-walking core that both interpreters share: the
// plain thread's (thread.go: a native task or a Python thread) and the
// runtime thread's (loop.go: an asyncio loop, a gevent or eventlet hub,
// raw greenlets, a generator trampoline). Each turn of either one first
// finishes what is in progress on the thread (prologue), then takes the
// GIL and counts a step (stepBegins), then takes its next step in its own
// way.

// busy says whether t has something in progress that prologue must
// finish before t's next step. Callers ask it first: on the common path
// (nothing in progress) it costs a few compares, inline.
func (t *thread) busy() bool {
	return t.os.segLeft > 0 || t.os.state != stCore || t.gil.pend != pendNone || t.os.seg == segStartup
}

// prologue carries out what is in progress on t, which is on a core: an
// action a forced GIL drop postponed, the interpreter's start-up, or the
// current segment (cpu or native work, or the scheduler's own work). It
// returns true when t is free to take its next step, false when t stopped
// running here (it started a segment, blocked, or waits for the GIL).
func (e *engine) prologue(t *thread) bool {
	for {
		if t.os.state != stCore || (t.gil.pend != pendNone && !e.runPending(t)) {
			return false
		}
		if t.os.seg == segStartup {
			if t.os.segLeft <= 0 {
				// a main thread whose process has no start-up to run
				t.os.seg = segNone
				e.startupDone(t)
				return false
			}
			e.startSegment(t)
			return false
		}
		if t.os.segLeft <= 0 {
			return true
		}
		if !e.runSegment(t) {
			return false
		}
	}
}

// stepBegins takes the GIL for t's next step (a Python thread needs it to
// run any bytecode) and counts the step against --max-events. It returns
// false when t must wait for the GIL, or the event limit is reached.
func (e *engine) stepBegins(t *thread) bool {
	if !t.gil.held && t.gil.python && !e.takeGIL(t) {
		return false
	}
	return !e.tick()
}

// runPending carries out an action postponed by a forced GIL drop. It
// returns false when t is no longer on its core.
func (e *engine) runPending(t *thread) bool {
	switch t.gil.pend {
	case pendBlock:
		t.gil.pend = pendNone
		e.block(t, t.pendDur)
		return false
	case pendLock:
		s := t.rare.pendStep
		t.gil.pend, t.rare.pendStep = pendNone, nil
		return e.tryLock(t, s)
	case pendIdle:
		t.gil.pend = pendNone
		if p := t.proc.starter; p.announced >= p.nextStart {
			return true // the thread it started ran already: go on
		}
		e.leaveCore(t)
		e.setState(t, stIdle)
		return false
	}
	return true
}

// runSegment starts or resumes t's current segment, taking the GIL first
// for bytecode. It returns false when t stops running here (segment
// started, or waiting for the GIL); true means go on with the program.
func (e *engine) runSegment(t *thread) bool {
	// t.gil.python is t.proc.gil != nil, at hand in t: a native task's
	// process (one per task, often not in cache) is not looked at
	if t.os.seg == segCPU && t.gil.python {
		g := t.proc.gil
		if !t.gil.held && !e.takeGIL(t) {
			return false
		}
		if g.dropReq && g.holder == t {
			// the eval breaker: honour a drop request before running on
			return !e.dropGIL(t)
		}
		if g.mode == GILLegacy {
			e.armLegacyCheck(t)
		}
	}
	e.startSegment(t)
	return false
}
