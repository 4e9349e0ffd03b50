package simulator

// priorityPolicy runs the waiting thread of the lowest `priority` number
// first (then the earliest arrival, then file order), and a runnable
// thread of a better priority takes the core of the worst running one.
type priorityPolicy struct{ readyQueue }

func newPriorityPolicy(e *engine) osPolicy { return &priorityPolicy{readyQueue{e: e}} }

func (p *priorityPolicy) enqueue(t *thread) {
	p.push(t, int64(t.os.priority), t.os.arrival, int64(t.file))
}

func (p *priorityPolicy) victim() *thread {
	worst, prio := p.e.worstRunning(func(r *thread) int64 { return int64(r.os.priority) })
	if worst == nil || p.peek().k1 >= prio {
		return nil
	}
	return worst
}
