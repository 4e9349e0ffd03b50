package simulator

import (
	"math"
	"slices"
)

// fairQueue is the fair policy's ready queue: the runnable threads by
// virtual runtime, then by the order they were queued (the readyQueue's
// order for a key (vruntime, 0, 0)). It is the one structure of a run of
// thousands of waiting tasks that does not fit in cache, so its entries
// are 16 bytes, with everything a comparison or the victim's test needs
// copied in (the vruntime, the queue order and the weight): four of
// them, a node's children, share a cache line, and no comparison looks
// at a thread. (A readyQueue entry is 48 bytes and compares through a
// function value.)
type fairQueue struct {
	e      *engine
	h      []fairItem // a 4-ary min-heap
	seq    uint32
	weight int64 // sum of the queued threads' fair weights
}

// fairItem is a queued thread: its vruntime, its place in the queue
// order, and its index and nice level (thread index << 6 | nice+20:
// MaxEntities keeps indexes far below 2^26).
type fairItem struct {
	v   int64
	seq uint32
	tn  uint32
}

func (it *fairItem) th() int32 { return int32(it.tn >> 6) }

// w is the thread's fair weight.
func (it *fairItem) w() int64 { return niceWeight[it.tn&63] }

func fairBefore(a, b *fairItem) bool { return a.v < b.v || (a.v == b.v && a.seq < b.seq) }

// fairSeqLimit is the last sequence number before the queue's are dealt
// anew (a variable for the tests, which make it small).
var fairSeqLimit uint32 = math.MaxUint32

func (q *fairQueue) len() int { return len(q.h) }

func (q *fairQueue) peek() *fairItem { return &q.h[0] }

// push queues t at its vruntime.
func (q *fairQueue) push(t *thread) {
	if q.seq >= fairSeqLimit {
		q.renumber()
	}
	q.seq++
	it := fairItem{v: t.os.vruntime, seq: q.seq, tn: uint32(t.idx)<<6 | uint32(int(t.os.nice)+20)}
	q.weight += it.w()
	q.h = append(q.h, it)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !fairBefore(&it, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
}

// renumber deals the queued entries the sequence numbers 1, 2, ... in
// their order, which leaves every comparison, and so the heap, as it was.
func (q *fairQueue) renumber() {
	idx := make([]int32, len(q.h))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if q.h[a].seq < q.h[b].seq {
			return -1
		}
		return 1
	})
	for r, i := range idx {
		q.h[i].seq = uint32(r + 1)
	}
	q.seq = uint32(len(q.h))
}

// pop takes the thread of least vruntime.
func (q *fairQueue) pop() int32 {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	q.weight -= top.w()
	if n > 0 {
		i := 0
		for {
			c := 4*i + 1
			if c >= n {
				break
			}
			m := c
			for j := c + 1; j < c+4 && j < n; j++ {
				if fairBefore(&h[j], &h[m]) {
					m = j
				}
			}
			if !fairBefore(&h[m], &last) {
				break
			}
			h[i] = h[m]
			i = m
		}
		h[i] = last
	}
	return top.th()
}

// What the fair policy's queue does as every global queue does.
func (q *fairQueue) next(int) *thread       { return q.e.threads[q.pop()] }
func (q *fairQueue) nextCore(from int) int  { return q.e.idleCores.next(from) }
func (q *fairQueue) contended(*thread) bool { return len(q.h) > 0 }
func (q *fairQueue) tick()                  {}
