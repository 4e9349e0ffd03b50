package simulator

// srtfPolicy is shortest remaining time first: sjf's order, and a thread
// that becomes runnable with a shorter burst than what a running thread
// has left takes its core.
type srtfPolicy struct{ sjfPolicy }

func newSRTFPolicy(e *engine) osPolicy { return &srtfPolicy{sjfPolicy{readyQueue{e: e}}} }

func (p *srtfPolicy) victim() *thread {
	e := p.e
	worst, left := e.worstRunning(e.remaining)
	if worst == nil || p.peek().k1 >= left {
		return nil
	}
	return worst
}
