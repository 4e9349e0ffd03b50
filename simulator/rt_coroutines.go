package simulator

// trampoline is a generator-based coroutine scheduler (semantics.md
// section 13): a round-robin driver sends into each generator in turn.
type trampoline struct{ *loop }

func newTrampoline(e *engine, l *loop) unitScheduler {
	l.unitKind, l.switchC, l.memPer = kindGen, satAdd(e.m.GeneratorSwitch, e.m.TrampolineDispatch), e.m.MemGenerator
	l.workers = executorPool{}
	return &trampoline{loop: l}
}

// A generator created, woken or yielding goes to the back of the round.
func (tr *trampoline) spawned(e *engine, m *member) {
	e.makeUnitReady(tr.loop, m, false, m.own.arrival)
}
func (tr *trampoline) yielded(e *engine, m *member) { e.makeUnitReady(tr.loop, m, false, e.now) }
func (tr *trampoline) woken(e *engine, m *member)   { e.makeUnitReady(tr.loop, m, false, e.now) }
func (tr *trampoline) offloaded(e *engine, m *member) {
	tr.timers.push(timerEntry{due: e.now, m: m.idx, kind: wakeIO})
}
func (tr *trampoline) resumed(*member)   {}
func (tr *trampoline) timerPass() uint64 { return 0 }

// next is PEP 342's round-robin trampoline: pop the first
// generator, run it to its next yield, append it again unless it finished.
func (tr *trampoline) next(e *engine) (*member, bool) {
	l := tr
	// generators created later (`at`) join the round when their time comes
	for {
		te, ok := l.timers.popDue(e.now)
		if !ok {
			break
		}
		if !e.spawn(l.loop, &l.members[te.m], te.due) {
			return nil, false
		}
	}
	if l.ready.len() > 0 {
		return &l.members[l.ready.pop().m], true
	}
	if l.timers.len() > 0 {
		// nothing to run yet: the driver sleeps until the next one exists
		e.blockThread(l.t, l.timers.peek().due-e.now)
		return nil, false
	}
	return e.loopDone(l.loop)
}
