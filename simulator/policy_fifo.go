package simulator

// fifoPolicy is first come, first served: threads run in the order they
// became runnable, each until it blocks or ends.
type fifoPolicy struct{ readyQueue }

func newFIFOPolicy(e *engine) osPolicy { return &fifoPolicy{readyQueue{e: e}} }

func (p *fifoPolicy) enqueue(t *thread) { p.push(t, 0, 0, 0) }
