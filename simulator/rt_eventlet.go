package simulator

// eventletHub is eventlet's hub (semantics.md section 11): greenthreads
// switch to it on patched blocking calls; it runs timers in passes.
type eventletHub struct {
	*loop
	pass   uint64       // hub pass counter
	watch  []timerEntry // watchers due this iteration, run in order
	wHead  int          // next watcher to run
	inPass bool         // a timer pass is under way
	bufA   []timerEntry
	bufB   []timerEntry
	bufC   []timerEntry
}

func newEventletHub(e *engine, l *loop) unitScheduler {
	l.unitKind, l.switchC, l.memPer, l.lag, l.hub = kindGreenthread, e.m.EventletSwitch, e.m.MemGreenthread, true, true
	l.workers = tpool{}
	return &eventletHub{loop: l}
}

// spawn is a zero-delay timer: the greenthread first runs at the next
// timer pass.
func (h *eventletHub) spawned(e *engine, m *member) {
	m.state = mParked
	h.timers.push(timerEntry{due: e.now, m: m.idx, kind: wakeSpawn, pass: h.pass})
}

// sleep(0) is a zero-delay timer too: it runs at the next pass, after a
// poll.
func (h *eventletHub) yielded(e *engine, m *member) { e.park(h.loop, m, e.now, wakeTimer, BlockSleep) }

// woken: a lock handed over schedules the waiter with a zero-delay timer.
func (h *eventletHub) woken(e *engine, m *member) {
	h.timers.push(timerEntry{due: e.now, m: m.idx, kind: wakeTimer, pass: h.pass})
}

// offloaded: tpool's result comes back through its socket, an io watcher.
func (h *eventletHub) offloaded(e *engine, m *member) {
	h.timers.push(timerEntry{due: e.now, m: m.idx, kind: wakeIO, pass: h.pass})
}

func (h *eventletHub) resumed(*member)   {}
func (h *eventletHub) timerPass() uint64 { return h.pass }

// next is one BaseHub.run iteration: fire the timers due at the
// start of the pass (created in an earlier pass), in due order, each
// greenthread running to its next switch; then poll and run the
// greenthreads whose io completed.
func (h *eventletHub) next(e *engine) (*member, bool) {
	l := h
	for {
		if l.wHead < len(l.watch) {
			w := l.watch[l.wHead]
			l.wHead++
			m := &l.members[w.m]
			m.readyAt = w.due
			if w.kind == wakeSpawn {
				// spawned when its loop started, after its `at`: ready
				// since it arrived
				m.readyAt = min(w.due, m.own.arrival)
			}
			return m, true
		}
		l.watch, l.wHead = l.watch[:0], 0
		l.pass++
		keep, tms, ios := l.bufC[:0], l.bufA[:0], l.bufB[:0]
		for {
			te, ok := l.timers.popDue(e.now)
			if !ok {
				break
			}
			switch {
			case te.pass >= l.pass-1 && te.pass == l.pass-1 && te.due == e.now && l.inPass:
				keep = append(keep, te)
			case te.kind == wakeIO:
				ios = append(ios, te)
			default:
				if te.kind == wakeSpawn && !e.spawnWatcher(l.loop, &l.members[te.m], te.due) {
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
			if len(tms) == 0 && e.pollRelease(l.loop) {
				return nil, false
			}
			continue
		}
		if l.left == 0 && l.timers.len() == 0 {
			return e.loopDone(l.loop)
		}
		l.inPass = false
		if stop, ok := e.pollBlock(l.loop); stop {
			return nil, ok
		}
	}
}
