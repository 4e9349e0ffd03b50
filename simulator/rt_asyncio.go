package simulator

// asyncioLoop is an asyncio event loop (semantics.md section 4): one
// thread runs its tasks' steps; a task runs until it awaits.
type asyncioLoop struct {
	*loop
	batch  int  // callbacks left in this iteration
	polled bool // the poll of this iteration is done
}

func newAsyncioLoop(e *engine, l *loop) unitScheduler {
	l.unitKind, l.switchC, l.memPer, l.lag = kindCoroutine, e.m.AsyncioSwitch, e.m.MemCoroutine, true
	l.slowLimit, l.slowMsg = 100_000_000, "held its event loop for %s without awaiting (asyncio's slow_callback_duration is 100ms)"
	l.workers = executorPool{}
	return &asyncioLoop{loop: l}
}

// A task is scheduled with call_soon: created, woken by a lock hand-off,
// or after asyncio.sleep(0), it goes to the tail of the ready queue.
func (a *asyncioLoop) spawned(e *engine, m *member) {
	e.makeUnitReady(a.loop, m, false, m.own.arrival)
}
func (a *asyncioLoop) yielded(e *engine, m *member) { e.makeUnitReady(a.loop, m, false, e.now) }
func (a *asyncioLoop) woken(e *engine, m *member)   { e.makeUnitReady(a.loop, m, false, e.now) }

// offloaded: run_in_executor's future completes through
// call_soon_threadsafe: its done-callback runs, and schedules the task
// for the next iteration.
func (a *asyncioLoop) offloaded(e *engine, m *member) {
	a.ready.push(readyEntry{m: m.idx, wakeup: true, at: e.now})
	m.state = mReady
	m.readyAt = e.now
}

func (a *asyncioLoop) resumed(*member)   {}
func (a *asyncioLoop) timerPass() uint64 { return 0 }

// next is BaseEventLoop._run_once: poll, move due timers to the
// ready queue, then run the callbacks that were ready when the iteration
// began, FIFO. A due timer first runs its future's done-callback, which
// schedules the task for the following iteration.
func (a *asyncioLoop) next(e *engine) (*member, bool) {
	l := a
	for {
		if l.batch > 0 && l.ready.len() > 0 {
			r := l.ready.pop()
			l.batch--
			if r.wakeup {
				// the done-callback schedules the task: its entry carries
				// when it became ready, which the task takes when it is
				// popped (not now: a round of 100,000 tasks would touch
				// each one's memory once more, far from when it runs)
				l.ready.push(readyEntry{m: r.m, at: r.at})
				continue
			}
			m := &l.members[r.m]
			m.readyAt = r.at
			return m, true
		}
		if !l.polled {
			l.polled = true
			if l.ready.len() == 0 {
				if stop, ok := e.pollBlock(l.loop); stop {
					return nil, ok
				}
			} else if e.pollRelease(l.loop) {
				return nil, false
			}
		}
		l.polled = false
		for {
			te, ok := l.timers.popDue(e.now)
			if !ok {
				break
			}
			if te.kind == wakeSpawn {
				if !e.spawn(l.loop, &l.members[te.m], te.due) {
					return nil, false
				}
				continue
			}
			l.ready.push(readyEntry{m: te.m, wakeup: true, at: te.due})
		}
		l.batch = l.ready.len()
		if l.batch == 0 && l.left == 0 && l.timers.len() == 0 {
			return e.loopDone(l.loop)
		}
	}
}
