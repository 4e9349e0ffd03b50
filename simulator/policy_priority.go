package simulator

import "github.com/google/btree"

// priorityPolicy runs the waiting thread of the lowest `priority` number
// first (then the earliest arrival, then file order), and a runnable
// thread of a better priority takes the core of the worst running one.
// Past runVScanMax cores, the running threads are kept ordered by
// priority and core, so that the worst is found without a pass over the
// cores.
type priorityPolicy struct {
	readyQueue
	running *btree.BTreeG[prioKey]
}

type prioKey struct{ prio, core int32 }

func prioLess(a, b prioKey) bool { return a.prio < b.prio || (a.prio == b.prio && a.core < b.core) }

func newPriorityPolicy(e *engine) osPolicy {
	p := &priorityPolicy{readyQueue: readyQueue{e: e}}
	if len(e.cores) > runVScanMax {
		p.running = btree.NewG(16, prioLess)
	}
	return p
}

func (p *priorityPolicy) enqueue(t *thread) {
	p.push(t, int64(t.os.priority), t.arrival, int64(t.file))
}

func (p *priorityPolicy) onCore(t *thread) {
	if p.running != nil {
		p.running.ReplaceOrInsert(prioKey{t.os.priority, t.os.core})
	}
}

func (p *priorityPolicy) offCore(t *thread) {
	if p.running != nil {
		p.running.Delete(prioKey{t.os.priority, t.os.core})
	}
}

func (p *priorityPolicy) victim() *thread {
	var worst *thread
	var prio int64
	if p.running != nil {
		// the worst running priority, the later core on a tie
		if p.e.busyCores < len(p.e.cores) {
			return nil
		}
		k, _ := p.running.Max()
		worst, prio = p.e.threads[p.e.cores[k.core].cur], int64(k.prio)
	} else {
		worst, prio = p.e.worstRunning(func(r *thread) int64 { return int64(r.os.priority) })
	}
	if worst == nil || p.peek().k1 >= prio {
		return nil
	}
	return worst
}
