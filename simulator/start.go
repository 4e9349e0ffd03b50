package simulator

// This file is Thread.start() (semantics.md 14.2). A CPython process's
// plain threads are started by its main thread, one at a time, in the
// order of their `at` (and of the file): the main thread creates the OS
// thread (bytecode and pthread_create, holding the GIL), then waits on an
// Event, releasing the GIL. The new thread runs a wake-up later: holding
// the GIL, it runs its bootstrap (threading's _bootstrap_inner), which
// sets the Event part way through (thread_bootstrap, then
// thread_bootstrap_tail before its target). The main thread, woken by the
// Event, needs the GIL again to return from start(). Once an earlier
// thread spins, both are waits for the GIL, so later threads start late
// (E1: 4 CPU-bound threads started at 0.13, 10.3, 46.3 and 58.5 ms).
//
// The bootstrap is the process's work, not the thread's: the thread is
// still being started (its wait), its target has not begun (its Start),
// and the core shows the process's own work.
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
// caller), which the engine charges as wake-ups, and the new thread's
// bootstrap up to the Event (thread_bootstrap), which it runs.
func (e *engine) startCPU() int64 {
	return max(e.m.ThreadStart-2*e.m.WakeupLatency-e.m.ThreadBootstrap, 0)
}

// beginStarts turns main thread t, its process's interpreter up, into the
// thread that starts the process's plain threads. It returns false when
// there are none: t is done.
func (e *engine) beginStarts(t *thread) bool {
	p := t.proc.starter
	p.toStart = make([]*thread, 0, len(t.proc.threads))
	for _, th := range t.proc.threads {
		if th.plain() {
			// its `at`, when start() is due (a thread that has not
			// arrived is in no queue: nothing reads it before then),
			// kept for the sort and mainStep: its spec is read once
			th.arrival = t.proc.startAt + th.spec.Arrival
			p.toStart = append(p.toStart, th)
		}
	}
	if len(p.toStart) == 0 {
		return false
	}
	sortThreads(p.toStart, func(a, b *thread) bool { return a.arrival < b.arrival })
	t.rt.prog = programIn(e.mainProgram(), &t.frames)
	t.rt.prog.stack[0].left = int64(len(p.toStart)) - 1
	return true
}

// mainStep carries out one of the main thread's internal steps. It
// returns false when t stops running here.
func (e *engine) mainStep(t *thread, s *Step) bool {
	p := t.proc.starter
	if p.nextStart >= len(p.toStart) {
		return true
	}
	w := p.toStart[p.nextStart]
	switch s.Op {
	case opAwaitStartTime:
		if due := w.arrival; due > e.now {
			t.os.blockWhy = BlockSleep
			return e.blockThread(t, due-e.now)
		}
		return true
	case opStartThread:
		p.nextStart++
		w.rt.announce = true
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
	if p := t.proc.starter; p.announced >= p.nextStart {
		e.run(t)
		return true
	}
	e.leaveCore(t)
	e.setState(t, stIdle)
	return false
}

// bootstrapped is started thread t done with the first part of its
// bootstrap (arrive gave it as its first segment): holding the GIL, it
// sets start()'s Event, and the rest of its bootstrap becomes its next
// segment. It returns false when t must wait for the GIL first.
func (e *engine) bootstrapped(t *thread) bool {
	if !t.gil.held && t.gil.python && !e.takeGIL(t) {
		return false
	}
	e.announce(t)
	if b := e.m.ThreadBootstrapTail; b > 0 {
		t.os.seg, t.os.segLeft = segCPU, b
		if t.os.inBurst {
			// sjf/srtf: the bootstrap's first part was in the burst
			// (ensureBurst counts the segment it finds), and so is this
			t.os.burstLeft += b
		}
	}
	return true
}

// announce is a started thread's bootstrap setting its Event: its main
// thread, waiting in start(), wakes up.
func (e *engine) announce(t *thread) {
	t.rt.announce = false
	p := t.proc.starter
	p.announced++
	if m := p.main; m != nil && m.os.state == stIdle {
		e.wake(m)
	}
}

// bootSpans reports the stretch of t's bootstrap that just ran: the
// process's own work on t's core, holding the GIL, while t itself is
// still being started (a wait, like the wait for start() to begin).
func (e *engine) bootSpans(t *thread) {
	if e.opt.Trace == nil || t.os.segStart == e.now {
		return
	}
	e.opt.Trace(Span{Entity: -1, Process: int(t.proc.idx), Kind: SpanRunning, Core: int(t.os.core), HasGIL: t.gil.held, Start: t.os.segStart, End: e.now})
	e.spanWhy(t, BlockStart, t.os.segStart)
}
