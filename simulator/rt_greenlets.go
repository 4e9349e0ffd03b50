package simulator

// greenletParent is a raw greenlet block (semantics.md section 12): the
// greenlets switch to one another explicitly, and control comes back to
// their parent when one finishes or switches to a finished one.
type greenletParent struct {
	*loop
	// the members the parent may switch to (file indexes, a min-heap) and
	// the arrivals not yet among them
	rawElig []int32
	rawDue  []rawArrival
	rawInit bool
}

func newGreenletParent(e *engine, l *loop) unitScheduler {
	l.unitKind, l.switchC, l.memPer, l.allWait = kindGreenlet, e.m.GreenletSwitch, e.m.MemRawGreenlet, true
	l.workers = executorPool{}
	return &greenletParent{loop: l}
}

// spawned: a raw greenlet has no queue; it waits, parked, until the parent
// or another greenlet switches to it.
func (p *greenletParent) spawned(e *engine, m *member) { e.parkOn(m, BlockParked) }
func (p *greenletParent) yielded(e *engine, m *member) { e.makeUnitReady(p.loop, m, false, e.now) }
func (p *greenletParent) woken(e *engine, m *member)   { e.makeUnitReady(p.loop, m, false, e.now) }
func (p *greenletParent) offloaded(e *engine, m *member) {
	p.timers.push(timerEntry{due: e.now, m: m.idx, kind: wakeIO})
}

// resumed: a greenlet started by a switch is one the parent may switch to.
func (p *greenletParent) resumed(m *member) {
	if p.rawInit {
		p.pushCandidate(m.idx)
	}
}

func (p *greenletParent) timerPass() uint64 { return 0 }

// next is the parent of a raw greenlet block: whenever control
// comes back to it, it switches to the first unfinished greenlet in file
// order, of those that have arrived or were started by a switch. The
// candidates are kept in a min-heap of file indexes, fed from a heap of
// arrivals, so that finding the next one does not rescan the finished
// ones (finished members leave the heap when they come to its top).
func (p *greenletParent) next(e *engine) (*member, bool) {
	l := p
	if !l.rawInit {
		l.rawInit = true
		for i := range l.members {
			m := &l.members[i]
			l.rawDue = append(l.rawDue, rawArrival{due: l.t.proc.startAt + l.arrivalOf(m), idx: m.idx})
			if m.started {
				l.pushCandidate(m.idx)
			}
		}
		for i := len(l.rawDue)/2 - 1; i >= 0; i-- {
			heapDown(l.rawDue, i, rawArrivalLess)
		}
	}
	for len(l.rawDue) > 0 && l.rawDue[0].due <= e.now {
		e.scans++
		a := heapPop(&l.rawDue, rawArrivalLess)
		l.pushCandidate(a.idx)
	}
	for len(l.rawElig) > 0 {
		e.scans++
		m := &l.members[l.rawElig[0]]
		if m.state == mDone {
			heapPop(&l.rawElig, int32Less)
			continue
		}
		if !m.started && !m.hasMem && !e.spawnRaw(l.loop, m) {
			return nil, false
		}
		// a raw greenlet is never "ready": it runs when switched to; but
		// one that has not run yet has waited for the parent since it
		// arrived
		m.readyAt = e.now
		if !m.started {
			m.readyAt = m.own.arrival
		}
		return m, true
	}
	// arrivals of members already started by a switch (or finished) do
	// not make the parent wait
	for len(l.rawDue) > 0 {
		e.scans++
		if m := &l.members[l.rawDue[0].idx]; m.state == mDone || m.started {
			heapPop(&l.rawDue, rawArrivalLess)
			continue
		}
		break
	}
	if len(l.rawDue) == 0 {
		return e.loopDone(l.loop)
	}
	// nothing has arrived yet: the parent sleeps until the next one does
	e.blockThread(l.t, l.rawDue[0].due-e.now)
	return nil, false
}

// rawArrival is when a raw greenlet becomes one the parent may switch to.
type rawArrival struct {
	due int64
	idx int32
}

func rawArrivalLess(a, b *rawArrival) bool { return a.due < b.due || (a.due == b.due && a.idx < b.idx) }

func int32Less(a, b *int32) bool { return *a < *b }

// pushCandidate makes the raw greenlet of index i one the parent may
// switch to (it arrived, or a switch started it). A member can be pushed
// twice (arrived, and started before that); the copy is harmless.
func (p *greenletParent) pushCandidate(i int32) {
	p.rawElig = append(p.rawElig, i)
	heapUp(p.rawElig, len(p.rawElig)-1, int32Less)
}

// spawnRaw creates a raw greenlet on first use: it arrived at its `at`,
// or now when a switch creates it before that.
func (e *engine) spawnRaw(l *loop, m *member) bool {
	if m.hasMem || m.started {
		return true
	}
	if !e.allocUnit(l, m) {
		return false
	}
	m.own.arrival = min(e.now, l.t.proc.startAt+l.arrivalOf(m))
	m.readyAt = m.own.arrival
	e.parkOn(m, BlockParked)
	return true
}
