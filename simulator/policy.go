package simulator

// This file is the OS layer's choice of which runnable thread runs next:
// one ready queue for the whole machine, ordered by a policy-specific key.
// (Linux keeps one queue per core and balances them; a single queue is the
// textbook model and is what LANGUAGE.md's tie rules describe.)

// readyQueue is a min-heap of runnable threads ordered by (k1, k2, k3, seq).
type readyQueue struct {
	h      []rqItem
	seq    uint64
	weight int64 // sum of the queued threads' fair weights
}

type rqItem struct {
	k1, k2, k3 int64
	seq        uint64
	th         int32
	w          int64
}

func rqLess(a, b *rqItem) bool {
	if a.k1 != b.k1 {
		return a.k1 < b.k1
	}
	if a.k2 != b.k2 {
		return a.k2 < b.k2
	}
	if a.k3 != b.k3 {
		return a.k3 < b.k3
	}
	return a.seq < b.seq
}

func (q *readyQueue) len() int { return len(q.h) }

func (q *readyQueue) push(it rqItem) {
	q.weight += it.w
	q.seq++
	it.seq = q.seq
	q.h = append(q.h, it)
	heapUp(q.h, len(q.h)-1, rqLess)
}

func (q *readyQueue) peek() *rqItem { return &q.h[0] }

func (q *readyQueue) pop() rqItem {
	top := heapPop(&q.h, rqLess)
	q.weight -= top.w
	return top
}

// niceWeight is Linux's sched_prio_to_weight (kernel/sched/core.c), index
// nice+20: nice 0 weighs 1024 and each step is about 1.25x.
var niceWeight = [40]int64{
	88761, 71755, 56483, 46273, 36291,
	29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906,
	3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423,
	335, 272, 215, 172, 137,
	110, 87, 70, 56, 45,
	36, 29, 23, 18, 15,
}

// fairParams are CFS's tunables scaled by the CPU count
// (SCHED_TUNABLESCALING_LOG: f = 1 + floor(log2(min(ncpus, 8)))),
// semantics.md 9.1.
type fairParams struct {
	latency, minGran, wakeupGran int64
}

func newFairParams(cores int) fairParams {
	n := cores
	if n > 8 {
		n = 8
	}
	f := int64(1)
	for n > 1 {
		n >>= 1
		f++
	}
	return fairParams{latency: 6_000_000 * f, minGran: 750_000 * f, wakeupGran: 1_000_000 * f}
}

// runV is a thread's vruntime when it was put on its core (it changes
// only when the thread leaves the core). The fair policy's minimum
// vruntime needs the least of those of the threads on cores. On a machine
// of many cores a min-heap of them, whose stale entries (threads gone from
// their core since, or with another vruntime) are dropped when they come
// to the top, gives it without a pass over every core at every placement.
type runV struct {
	v  int64
	th int32
}

func runVLess(a, b *runV) bool { return a.v < b.v || (a.v == b.v && a.th < b.th) }

// pushRunV records that t went on a core (fair policy).
func (e *engine) pushRunV(t *thread) {
	e.runV = append(e.runV, runV{v: t.os.vruntime, th: t.idx})
	heapUp(e.runV, len(e.runV)-1, runVLess)
	if len(e.runV) > 2*e.busyCores+64 {
		// drop the stale entries that have not come up yet
		n := 0
		for _, r := range e.runV {
			if e.runVLive(r) {
				e.runV[n] = r
				n++
			}
		}
		e.runV = e.runV[:n]
		for i := n/2 - 1; i >= 0; i-- {
			heapDown(e.runV, i, runVLess)
		}
	}
}

func (e *engine) runVLive(r runV) bool {
	t := e.threads[r.th]
	return t.os.core >= 0 && e.cores[t.os.core].cur == t.idx && t.os.vruntime == r.v
}

// runVScanMax is the most cores whose threads' vruntimes are simply
// scanned; past it they are kept in the runV heap.
var runVScanMax = 64 // a variable for the tests, which compare the two ways

// minRunV is the least vruntime of the threads on cores.
func (e *engine) minRunV() (int64, bool) {
	if len(e.cores) <= runVScanMax {
		v, ok := int64(0), false
		for c := range e.cores {
			if id := e.cores[c].cur; id >= 0 {
				if r := e.threads[id]; !ok || r.os.vruntime < v {
					v, ok = r.os.vruntime, true
				}
			}
		}
		return v, ok
	}
	for len(e.runV) > 0 {
		if r := e.runV[0]; e.runVLive(r) {
			return r.v, true
		}
		heapPop(&e.runV, runVLess)
	}
	return 0, false
}
