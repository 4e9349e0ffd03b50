package simulator

// This file is Thread.start() (semantics.md 14.2). A CPython process's
// plain threads are started by its main thread, one at a time, in the
// order of their `at` (and of the file): the main thread creates the OS
// thread (thread_start of bytecode and pthread_create, holding the GIL),
// then waits on an Event, releasing the GIL, until the new thread has run
// its bootstrap, which needs the GIL; then it needs the GIL again to
// return from start(). Once an earlier thread spins, both are waits for
// the GIL, so later threads start late (E1: 4 CPU-bound threads started
// at 0.13, 10.3, 46.3 and 58.5 ms).
//
// The main thread is the process's hidden thread, the one that runs its
// interpreter's start-up (it shows in no result row). Its program is
// built here: for each thread to start, wait until the thread's `at`,
// pay thread_start, start it and wait for it.

// Internal steps of the main thread's program (never in a Scenario).
const (
	opAwaitStartTime Op = 250 + iota // sleep until the next thread's `at`
	opStartThread                    // create the next thread and wait until it has run
)

// startsThreads says whether p's plain threads are started by its main
// thread: a CPython process's are.
func startsThreads(ps *Process) bool { return !ps.Native }

// mainProgram is the step list every main thread walks, once per thread
// it starts (shared by every process of a run: its bookkeeping is in the
// process).
func (e *engine) mainProgram() []Step {
	if e.mainSteps == nil {
		e.mainSteps = []Step{{Op: opAwaitStartTime}, {Op: OpCPU, Dur: Fixed(e.startCPU())}, {Op: opStartThread}}
	}
	return e.mainSteps
}

// startCPU is the main thread's own work in one start(): thread_start is
// what a start() costs uncontended, measured from the caller (calibration:
// 80-90 us), and that includes the two wake-ups of the hand-shake (the
// kernel starting the new thread, the new thread's Event waking the
// caller), which the engine charges as wake-ups.
func (e *engine) startCPU() int64 {
	return max(e.m.ThreadStart-2*e.m.WakeupLatency, 0)
}

// beginStarts turns main thread t, its process's interpreter up, into the
// thread that starts the process's plain threads. It returns false when
// there are none: t is done.
func (e *engine) beginStarts(t *thread) bool {
	p := t.proc
	p.toStart = make([]*thread, 0, len(p.threads))
	for _, th := range p.threads {
		if th.spec.Kind == ThreadPlain {
			p.toStart = append(p.toStart, th)
		}
	}
	if len(p.toStart) == 0 {
		return false
	}
	sortThreads(p.toStart, func(a, b *thread) bool { return a.spec.Arrival < b.spec.Arrival })
	t.rt.prog = programIn(e.mainProgram(), &t.frames)
	t.rt.prog.stack[0].left = int64(len(p.toStart)) - 1
	return true
}

// mainStep carries out one of the main thread's internal steps. It
// returns false when t stops running here.
func (e *engine) mainStep(t *thread, s *Step) bool {
	p := t.proc
	if p.nextStart >= len(p.toStart) {
		return true
	}
	w := p.toStart[p.nextStart]
	switch s.Op {
	case opAwaitStartTime:
		if due := p.startAt + w.spec.Arrival; due > e.now {
			t.os.blockWhy = BlockSleep
			return e.blockThread(t, due-e.now)
		}
		return true
	case opStartThread:
		p.nextStart++
		w.rt.announce = true
		w.os.arrival = p.startAt + w.spec.Arrival // its `at`: start() was due then
		// the new OS thread runs once the kernel has started it on a core:
		// a wake-up later
		e.q.push(event{at: e.after(e.m.WakeupLatency), kind: evArrive, th: w.idx})
		if p.nextStart == len(p.toStart) {
			// the last start: what the main thread does next (return
			// from start(), join) changes no thread's start; it is done
			e.finish(t)
			return false
		}
		// started.wait(): a blocking wait, which releases the GIL, until
		// the new thread has run (announced)
		e.waitForStart(t)
		return false
	}
	return true
}

// waitForStart puts main thread t to sleep until the thread it started
// announces itself.
func (e *engine) waitForStart(t *thread) {
	t.gil.pend = pendNone
	if t.gil.held {
		t.gil.pend = pendIdle
		if e.dropGIL(t) {
			return // forced to wait for another holder first; it goes idle after
		}
		t.gil.pend = pendNone
	}
	e.idleUntilStarted(t)
}

// idleUntilStarted sends main thread t to sleep in start(), unless the
// thread it started has announced itself already (while t was still on
// its way to sleep): then it goes on.
func (e *engine) idleUntilStarted(t *thread) bool {
	if p := t.proc; p.announced >= p.nextStart {
		e.run(t)
		return true
	}
	e.leaveCore(t)
	e.setState(t, stIdle)
	return false
}

// announce is a started thread's bootstrap setting its Event: its main
// thread, waiting in start(), wakes up.
func (e *engine) announce(t *thread) {
	t.rt.announce = false
	p := t.proc
	p.announced++
	if m := p.main; m != nil && m.os.state == stIdle {
		e.wake(m)
	}
}
