package simulator

// This file is the locks of a process (threading.Lock, or gevent's and
// eventlet's lock under monkey patching): who holds each, and who waits.

type lockState struct {
	name    string
	holder  *unitStats // the thread or unit holding it
	waiters []lockWaiter
	head    int
}

// lockWaiter is a thread blocked on a lock (m set when it is a loop thread
// blocked on behalf of its unit m), or a cooperative unit parked on it (t
// nil).
type lockWaiter struct {
	t *thread
	m *member
	s *Step
}

// tryLock acquires s's lock for t, or makes t wait for it (releasing the
// GIL first, since a blocking acquire does). It returns true when t holds
// the lock and can go on.
func (e *engine) tryLock(t *thread, s *Step) bool {
	l := &t.proc.locks[s.Lock]
	prog, who := &t.rt.prog, t.rt.unit
	var m *member
	if t.rt.lp != nil {
		m = t.rt.lp.cur
		prog, who = &m.prog, m.unit
	}
	if l.holder == nil {
		l.holder = who
		prog.enterLock(s)
		return true
	}
	if t.gil.held {
		t.gil.pend, t.gil.pendStep = pendLock, s
		if e.dropGIL(t) {
			return false
		}
		t.gil.pend, t.gil.pendStep = pendNone, nil
	}
	e.leaveCore(t)
	e.setState(t, stLock)
	l.waiters = append(l.waiters, lockWaiter{t: t, m: m, s: s})
	return false
}

// unlock releases lock i of p and hands it to the longest waiter: a
// thread (woken by the OS) or a cooperative unit (queued on its hub).
func (e *engine) unlock(p *proc, i int) {
	l := &p.locks[i]
	l.holder = nil
	if l.head >= len(l.waiters) {
		return
	}
	w := l.waiters[l.head]
	l.waiters[l.head] = lockWaiter{}
	l.head++
	if l.head == len(l.waiters) {
		l.waiters, l.head = l.waiters[:0], 0
	}
	switch {
	case w.t != nil && w.m != nil: // a loop thread blocked on behalf of a unit
		l.holder = w.m.unit
		w.m.prog.enterLock(w.s)
		e.wake(w.t)
	case w.t != nil:
		l.holder = w.t.rt.unit
		w.t.rt.prog.enterLock(w.s)
		e.wake(w.t)
	default: // gevent/eventlet patched: a cooperative wait
		l.holder = w.m.unit
		w.m.prog.enterLock(w.s)
		lp := w.m.lp
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
