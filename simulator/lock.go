package simulator

// This file is the locks and semaphores of a process: threading.Lock and
// threading.Semaphore for threads, asyncio.Lock and asyncio.Semaphore in a
// coroutine, gevent's or eventlet's lock under monkey patching and their
// own semaphores in greenlets; and the multiprocessing locks shared by the
// processes that set SharedLocks. Who holds each, and who waits.

type lockState struct {
	name    string
	size    int64      // slots: 1 for a lock, N for a semaphore
	count   int64      // slots taken
	sem     bool       // a semaphore (`semaphore "name" N`)
	shared  bool       // a multiprocessing lock, shared by processes
	holder  *unitStats // the thread or unit that took a slot last
	waiters []lockWaiter
	head    int
	// waited sums, over the waiters handed the lock, how long each
	// waited; contended counts them
	waited, contended int64
}

// lockWaiter is a thread blocked on a lock (m set when it is a loop thread
// blocked on behalf of its unit m), or a cooperative unit parked on it (t
// nil).
type lockWaiter struct {
	t     *thread
	m     *member
	s     *Step
	since int64 // when it asked for the lock
}

// take gives a free slot of l to who, if there is one.
func (l *lockState) take(who *unitStats) bool {
	if l.count >= l.size {
		return false
	}
	l.count++
	l.holder = who
	return true
}

// coopLock reports whether unit code on loop lp waiting for l parks the
// unit instead of blocking the thread: a lock under a patched hub or in
// an asyncio task (asyncio.Lock), a semaphore under any hub or loop
// (asyncio.Semaphore, gevent's and eventlet's own semaphores). Raw
// greenlets and generators have no runtime: theirs block the thread.
func (lp *loop) coopLock(l *lockState) bool {
	if l.shared {
		return false // multiprocessing.Lock blocks the thread
	}
	if l.sem {
		return lp.coopSem
	}
	return lp.coopLk
}

// tryLock acquires s's lock for t, or makes t wait for it (releasing the
// GIL first, since a blocking acquire does). It returns true when t holds
// the lock and can go on.
func (e *engine) tryLock(t *thread, s *Step) bool {
	l := t.proc.locks[s.Lock]
	prog, who := &t.rt.prog, t.rt.unit
	var m *member
	if t.rt.lp != nil {
		m = t.rt.lp.cur
		prog, who = &m.prog, &m.own
	}
	if l.take(who) {
		prog.enterLock(s)
		return true
	}
	if t.gil.held {
		t.gil.pend, t.rareOf().pendStep = pendLock, s
		if e.dropGIL(t) {
			return false
		}
		t.gil.pend, t.rare.pendStep = pendNone, nil
	}
	e.leaveCore(t)
	e.setState(t, stLock)
	l.waiters = append(l.waiters, lockWaiter{t: t, m: m, s: s, since: e.now})
	return false
}

// parkOnLock takes a slot of s's lock for the running unit m of loop lp,
// or parks m on it (a cooperative wait: the loop runs other units).
func (e *engine) parkOnLock(lp *loop, m *member, s *Step) {
	l := lp.t.proc.locks[s.Lock]
	if l.take(&m.own) {
		m.prog.enterLock(s)
		return
	}
	e.parkOn(m, BlockLock)
	l.waiters = append(l.waiters, lockWaiter{m: m, s: s, since: e.now})
	e.suspend(lp)
}

// unlock releases a slot of lock i of p and hands it to the longest
// waiter: a thread (woken by the OS) or a cooperative unit (queued on
// its hub or loop).
func (e *engine) unlock(p *proc, i int) {
	l := p.locks[i]
	l.count--
	if l.count == 0 {
		l.holder = nil
	}
	if l.head >= len(l.waiters) {
		return
	}
	w := l.waiters[l.head]
	l.waiters[l.head] = lockWaiter{}
	l.waited += e.now - w.since
	l.contended++
	l.head++
	if l.head == len(l.waiters) {
		l.waiters, l.head = l.waiters[:0], 0
	}
	l.count++
	switch {
	case w.t != nil && w.m != nil: // a loop thread blocked on behalf of a unit
		l.holder = &w.m.own
		w.m.prog.enterLock(w.s)
		e.wake(w.t)
	case w.t != nil:
		l.holder = w.t.rt.unit
		w.t.rt.prog.enterLock(w.s)
		e.wake(w.t)
	default: // a cooperative wait: asyncio, or a gevent/eventlet primitive
		l.holder = &w.m.own
		w.m.prog.enterLock(w.s)
		lp := e.loopOf(w.m)
		lp.sched.woken(e, w.m)
		e.wakeLoop(lp)
	}
}

// drainReleases releases the locks of blocks that end with the program.
func (e *engine) drainReleases(t *thread) {
	for {
		k, _, lock := t.rt.prog.next(e.idle)
		if k != leafRelease {
			return
		}
		e.unlock(t.proc, lock)
	}
}
