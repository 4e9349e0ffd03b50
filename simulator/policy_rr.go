package simulator

// roundRobinPolicy is first come, first served with time slices: a thread
// that runs a whole quantum while another waits goes to the back of the
// queue.
type roundRobinPolicy struct {
	readyQueue
	quantum int64
}

func newRoundRobinPolicy(e *engine) osPolicy {
	return &roundRobinPolicy{readyQueue: readyQueue{e: e}, quantum: e.sc.Quantum}
}

func (p *roundRobinPolicy) enqueue(t *thread) { p.push(t, 0, 0, 0) }

// sliceEnd is the end of t's quantum: on a multiple of the quantum since
// the slice began, since the quantum restarts whenever it expires with
// nobody waiting.
func (p *roundRobinPolicy) sliceEnd(t *thread) (int64, bool) {
	q := p.quantum
	if q <= 0 {
		return 0, false
	}
	at := t.os.sliceBase + q
	if now := p.e.now; at < now {
		k := (now - t.os.sliceBase + q - 1) / q
		at = t.os.sliceBase + k*q
	}
	return at, true
}
