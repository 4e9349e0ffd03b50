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
	h      []fairItem // an 8-ary min-heap, from h[rqRoot] on (heapOf)
	seq    uint32
	weight int64 // sum of the queued threads' fair weights
}

// The heap is 8-ary (at 100,000 waiting threads a pop goes down 6
// levels rather than 9, each a miss) and starts at h[rqRoot]: the seven
// entries before it are unused, so that a node's eight children, h[8p-48]
// to h[8p-41], begin a pair of cache lines whenever h does (a big
// slice's array is page-aligned), and a level of a pop reads one pair of
// lines. A node's parent is h[p/8+6].
const rqRoot = 7

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

// fairFirst is fairBefore as 1 or 0, computed without a branch.
func fairFirst(a, b *fairItem) int {
	return b2i(a.v < b.v) | b2i(a.v == b.v)&b2i(a.seq < b.seq)
}

// fairBranchFree is the size of queue below which pop chooses a child
// without branches: a queue in the caches pays for the predictor's
// wrong guesses, while in a bigger one, whose levels are misses, a
// predicted branch lets the load of the next level begin early. (A
// variable for the tests, which try both ways.)
var fairBranchFree = 1 << 14

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
	fairUp(q.h, len(q.h)-1, it)
}

// fairUp puts it in the heap h at the hole i or above it, moving the
// entries that come after it down.
func fairUp(h []fairItem, i int, it fairItem) {
	for i > rqRoot {
		p := i/8 + 6
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
// to a leaf along the least children, and the last entry goes up from
// there (it came from the bottom, where it mostly stays).
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
		c := 8*i - 48
		if c+7 < n {
			// the least of the eight in a tournament: its matches are
			// independent of each other, (v, seq) orders them all
			ch := h[c : c+8 : c+8]
			if n < fairBranchFree {
				// (with no branches: which child is least is a coin
				// toss to the CPU's predictor)
				a := fairFirst(&ch[1], &ch[0])
				b := 2 + fairFirst(&ch[3], &ch[2])
				d := 4 + fairFirst(&ch[5], &ch[4])
				f := 6 + fairFirst(&ch[7], &ch[6])
				a ^= (a ^ b) & -fairFirst(&ch[b&7], &ch[a&7])
				d ^= (d ^ f) & -fairFirst(&ch[f&7], &ch[d&7])
				a ^= (a ^ d) & -fairFirst(&ch[d&7], &ch[a&7])
				h[i] = ch[a&7]
				i = c + a
				continue
			}
			a, b, d, f := 0, 2, 4, 6
			if fairBefore(&ch[1], &ch[0]) {
				a = 1
			}
			if fairBefore(&ch[3], &ch[2]) {
				b = 3
			}
			if fairBefore(&ch[5], &ch[4]) {
				d = 5
			}
			if fairBefore(&ch[7], &ch[6]) {
				f = 7
			}
			if fairBefore(&ch[b], &ch[a]) {
				a = b
			}
			if fairBefore(&ch[f], &ch[d]) {
				d = f
			}
			if fairBefore(&ch[d], &ch[a]) {
				a = d
			}
			h[i] = ch[a]
			i = c + a
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
	fairUp(h, i, last)
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
