package simulator

import (
	"cmp"
	"math"
	"slices"
	"unsafe"
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
	h      []fairItem // a 4-ary min-heap, from h[rqRoot] on (heapOf)
	seq    uint32
	weight int64 // sum of the queued threads' fair weights
}

// The heap starts at h[rqRoot]: the three entries before it are unused,
// so that a node's four children, h[4p-8] to h[4p-5], begin a cache line
// whenever h does (a big slice's array is page-aligned), and a level of
// a pop reads one line, not two. A node's parent is h[p/4+2].
const rqRoot = 3

func newFairQueue(e *engine) fairQueue {
	return fairQueue{e: e, h: make([]fairItem, rqRoot, 64)}
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

func (q *fairQueue) len() int { return len(q.h) - rqRoot }

func (q *fairQueue) peek() *fairItem { return &q.h[rqRoot] }

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
	for i > rqRoot {
		p := i/4 + 2
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
	h := q.h[rqRoot:]
	idx := make([]int32, len(h))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(h[a].seq, h[b].seq) })
	for r, i := range idx {
		h[i].seq = uint32(r + 1)
	}
	q.seq = uint32(len(h))
}

// pop takes the thread of least vruntime. The hole at the root goes down
// to a leaf along the lesser children, and the last entry goes up from
// there (it came from the bottom, where it mostly stays): three
// comparisons a level instead of four.
func (q *fairQueue) pop() int32 {
	h := q.h
	top := h[rqRoot]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	q.weight -= top.w()
	if n == rqRoot {
		return top.th()
	}
	i := rqRoot
	for {
		c := 4*i - 8
		if c+3 < n {
			m := c
			if fairBefore(&h[c+1], &h[m]) {
				m = c + 1
			}
			if fairBefore(&h[c+2], &h[m]) {
				m = c + 2
			}
			if fairBefore(&h[c+3], &h[m]) {
				m = c + 3
			}
			h[i] = h[m]
			i = m
			continue
		}
		if c < n {
			m := c
			for j := c + 1; j < n; j++ {
				if fairBefore(&h[j], &h[m]) {
					m = j
				}
			}
			h[i] = h[m]
			i = m
		}
		break
	}
	for i > rqRoot {
		p := i/4 + 2
		if !fairBefore(&last, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = last
	return top.th()
}

// next takes the thread of least vruntime, and has the thread that
// comes after it brought into the caches (it runs at the next placing).
func (q *fairQueue) next(int) *thread {
	t := q.e.thread(q.pop())
	if q.len() > 0 {
		prefetchThread(unsafe.Pointer(q.e.thread(q.peek().th())))
	}
	return t
}

// What the fair policy's queue does as every global queue does.
func (q *fairQueue) nextCore(from int) int  { return q.e.idleCores.next(from) }
func (q *fairQueue) contended(*thread) bool { return q.len() > 0 }
func (q *fairQueue) tick()                  {}
