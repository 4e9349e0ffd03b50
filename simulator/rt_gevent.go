package simulator

// geventHub is gevent's hub on libev (semantics.md section 5): greenlets
// switch to the hub when they block on a patched call or sleep.
type geventHub struct {
	*loop
	batch  int          // callbacks run this pass
	watch  []readyEntry // watchers due this iteration (unit, due), run last first
	passT  int64        // when this callback pass began
	inPass bool         // the watcher phase of an iteration is under way
	tms    []readyEntry // scratch: the timer watchers due this iteration
}

func newGeventHub(e *engine, l *loop) unitScheduler {
	l.unitKind, l.switchC, l.memPer, l.lag, l.hub = kindGreenlet, e.m.GeventSwitch, e.m.MemGreenlet, true, true
	l.slowLimit, l.slowMsg = 100_000_000, "blocked its hub for %s without switching (gevent's max_blocking_time is 0.1s)"
	l.workers = hubThreadpool{}
	return &geventHub{loop: l}
}

// spawn, sleep(0) and a lock hand-off are run_callback: the callback queue.
func (h *geventHub) spawned(e *engine, m *member) { e.makeUnitReady(h.loop, m, false, m.own.arrival) }
func (h *geventHub) yielded(e *engine, m *member) { e.makeUnitReady(h.loop, m, false, e.now) }
func (h *geventHub) woken(e *engine, m *member)   { e.makeUnitReady(h.loop, m, false, e.now) }

// offloaded: the threadpool's result comes back through an async watcher.
func (h *geventHub) offloaded(e *engine, m *member) {
	h.timers.push(timerEntry{due: e.now, m: m.idx, kind: wakeIO})
}

func (h *geventHub) resumed(*member)   {}
func (h *geventHub) timerPass() uint64 { return 0 }

// next is one libev iteration with gevent's hooks: the callback
// queue first (spawns, sleep(0), wake-ups; FIFO, callbacks added meanwhile
// run in the same pass, the pass checks the clock every 50 callbacks and
// stops after one switch interval), then a poll, then the due watchers,
// last queued first.
func (h *geventHub) next(e *engine) (*member, bool) {
	l := h
	for {
		if l.inPass {
			// the watcher phase of this iteration: libev invokes pending
			// watchers last fed first; expired timers are fed in reverse
			// (feed_reverse), so they run earliest first, before the io
			// watchers, which run in the reverse of the poll's order
			if n := len(l.watch); n > 0 {
				w := l.watch[n-1]
				l.watch = l.watch[:n-1]
				m := &l.members[w.m]
				m.readyAt = w.at // a spawn timer is due at its arrival
				return m, true
			}
			l.inPass = false
			l.batch = 0 // the next iteration begins with a callback pass
		}
		if l.ready.len() > 0 && !(l.batch > 0 && l.batch%50 == 0 && e.now-l.passT >= 5_000_000) {
			if l.batch == 0 {
				l.passT = e.now
			}
			l.batch++
			return &l.members[l.ready.pop().m], true
		}
		if l.ready.len() == 0 {
			if stop, ok := e.pollBlock(l.loop); stop {
				return nil, ok
			}
		} else if e.pollRelease(l.loop) {
			return nil, false
		}
		// the watch list is empty here (the last iteration ran it all):
		// the io watchers go straight into it, the timers after them,
		// reversed; a watcher is its unit and when it was due (16 bytes,
		// half a timer: at 100,000 greenlets the list is megabytes)
		tms := l.tms[:0]
		for {
			te, ok := l.timers.popDue(e.now)
			if !ok {
				break
			}
			if te.kind == wakeIO {
				l.watch = append(l.watch, readyEntry{at: te.due, m: te.m})
			} else {
				if te.kind == wakeSpawn && !e.spawnWatcher(l.loop, &l.members[te.m], te.due) {
					return nil, false
				}
				tms = append(tms, readyEntry{at: te.due, m: te.m})
			}
		}
		for i := len(tms) - 1; i >= 0; i-- {
			l.watch = append(l.watch, tms[i])
		}
		l.tms = tms[:0]
		l.inPass = true
		if len(l.watch) == 0 && l.ready.len() == 0 && l.left == 0 && l.timers.len() == 0 {
			return e.loopDone(l.loop)
		}
	}
}
