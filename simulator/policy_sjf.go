package simulator

// sjfPolicy is shortest job first: the waiting thread whose next CPU burst
// (the cpu and native steps up to its next blocking step, drawn when it
// becomes runnable) is shortest runs next, then the earliest arrival,
// then file order. It never preempts.
type sjfPolicy struct{ readyQueue }

func newSJFPolicy(e *engine) osPolicy { return &sjfPolicy{readyQueue{e: e}} }

func (p *sjfPolicy) enqueue(t *thread) {
	p.e.ensureBurst(t)
	p.push(t, t.os.burstLeft, t.arrival, int64(t.file))
}
