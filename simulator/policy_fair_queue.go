package simulator

import (
	"cmp"
	"math"
	"math/bits"
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
	n      int   // the queued entries, wherever they are
	fairSplit
}

// fairSplit is the queue of many entries split in two: at 100,000
// waiting threads the heap is 1.6 MB, and every pop went down six levels
// of it, a miss at each of the lower ones (a quarter of such a run's
// time). Split, the heap holds only the entries of least vruntime,
// those below lo, with a sorted run of them; the others wait unsorted in
// buckets of vruntime ranges (an append each, a bucket's end in cache)
// or, past the buckets' window, in far. When the run and the heap are
// empty, the next bucket is sorted into the run; when the buckets are
// empty, far is dealt into a new window of buckets over its range. An
// entry is popped from the run or the heap, whichever has the lesser:
// every entry outside them has a vruntime of lo or more, every one in
// them less, so ties of vruntime are never split and the order is the
// heap's own, (vruntime, queue order).
type fairSplit struct {
	split bool       // the queue is split (else every entry is in h)
	run   []fairItem // run[ri:]: entries below lo, sorted
	ri    int
	lo    int64        // the entries outside h and the run have vruntimes of lo or more
	base  int64        // bucket i holds the vruntimes v ≥ lo with (v − base) >> shift = i
	shift uint         // a bucket's range, log2
	cur   int          // the buckets before cur are empty (lo is past them)
	bk    [][]fairItem // fairBuckets of them, the window's first nbk in use
	nbk   int
	nb    int        // the entries in the buckets
	far   []fairItem // the entries past the buckets' window
	tmp   []fairItem // sortRun's other half
}

// fairBuckets is the most buckets of a window: at 100,000 waiting
// threads spread evenly, a few hundred entries each, sorted in the L1
// cache; the buckets' ends, where pushes append, stay in cache. A window
// over fewer entries has fewer buckets, about one per two entries, at
// least eight (at a hundred, 256 mostly empty buckets were misses of
// the L1 cache of their own).
const fairBuckets = 256

// fairSplitMin is the most entries the queue holds unsplit; a split
// queue that comes down to a quarter of it is joined again. A queue of a
// few entries stays one heap (a split and a join cost more than its
// pops); past it, split, a thread queued behind the run's last, as one
// that has just run mostly is, costs an append, and a pop mostly the
// run's first entry, where a heap of a hundred went down two or three
// levels of eight children each. (A variable for the tests.)
var fairSplitMin = 32

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
	// (a 96-bit comparison by subtraction, as earlier's)
	_, c := bits.Sub64(uint64(a.seq), uint64(b.seq), 0)
	_, c = bits.Sub64(uint64(a.v)^1<<63, uint64(b.v)^1<<63, c)
	return int(c)
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

func (q *fairQueue) len() int { return q.n }

// peek is the entry of least vruntime; the queue must not be empty.
func (q *fairQueue) peek() *fairItem {
	if q.split {
		return q.peekSplit()
	}
	return &q.h[rqRoot]
}

// peekSplit is peek of a split queue: the run's first or the heap's
// root (one of them has an entry: refill).
func (q *fairQueue) peekSplit() *fairItem {
	if q.ri < len(q.run) && (len(q.h) == rqRoot || fairBefore(&q.run[q.ri], &q.h[rqRoot])) {
		return &q.run[q.ri]
	}
	return &q.h[rqRoot]
}

// push queues t at its vruntime.
func (q *fairQueue) push(t *thread) {
	if q.seq >= fairSeqLimit {
		q.renumber()
	}
	q.seq++
	it := fairItem{v: t.os.vruntime, seq: q.seq, tn: uint32(t.idx)<<6 | uint32(int(t.os.nice)+20)}
	q.weight += it.w()
	q.n++
	if q.split && it.v >= q.lo {
		q.pushOut(it)
		return
	}
	if q.split && (q.ri == len(q.run) || it.v >= q.run[len(q.run)-1].v) {
		// after the run's last (its sequence number is greater): the
		// run stays sorted (at the start of a run, thousands of arrivals
		// at one vruntime come here)
		if q.ri == len(q.run) {
			q.run, q.ri = q.run[:0], 0
		}
		q.run = append(q.run, it)
		return
	}
	q.h = append(q.h, it)
	fairUp(q.h, len(q.h)-1, it)
	if !q.split && q.n > fairSplitMin {
		q.splitUp()
	}
}

// pushOut puts it, of vruntime lo or more, in its bucket or in far.
func (q *fairQueue) pushOut(it fairItem) {
	// (a bucket before cur only when lo saturated at MaxInt64: deal)
	if i := uint64(it.v-q.base) >> q.shift; i < uint64(q.nbk) && int(i) >= q.cur {
		q.bk[i] = append(q.bk[i], it)
		q.nb++
	} else {
		q.far = append(q.far, it)
	}
	if q.ri == len(q.run) && len(q.h) == rqRoot {
		q.refill() // it was the only entry
	}
}

// splitUp splits the queue: its entries go to far, to be dealt into
// buckets.
func (q *fairQueue) splitUp() {
	first := q.bk == nil
	if first {
		q.bk = make([][]fairItem, fairBuckets)
	}
	q.split = true
	n := len(q.e.threads)
	if cap(q.far) < n {
		// room for every thread at once, made once: grown by doublings
		// as pushes came, far was a tenth of a big run's allocations
		q.far = make([]fairItem, 0, n)
		prefaultSlice(q.far)
	}
	// (in queue order: a bucket's entries are, for sortRun)
	q.far = append(q.far, q.h[rqRoot:]...)
	slices.SortFunc(q.far, func(a, b fairItem) int { return cmp.Compare(a.seq, b.seq) })
	clear(q.h[rqRoot:])
	q.h = q.h[:rqRoot]
	q.run, q.ri = q.run[:0], 0
	q.refill()
	if first {
		// the run, a bucket's few entries, in an array with room for
		// every thread, made once: the queue splits as the arrivals of
		// a run's start come, and those at one vruntime, thousands,
		// are appended to the run (grown by appends, 100,000 of them
		// left 8 MB of copies behind). The array then goes round the
		// buckets.
		run := make([]fairItem, 0, n)
		prefaultSlice(run)
		q.run = append(run, q.run...)
	}
}

// refill brings the next entries into the run, the heap and the run
// being empty: the next bucket's, sorted, or, with the buckets empty,
// those of the first bucket of a new window over far. A queue come down
// to a quarter of fairSplitMin is joined into the heap again.
func (q *fairQueue) refill() {
	q.run, q.ri = q.run[:0], 0
	if q.n <= fairSplitMin/4 {
		q.join()
		return
	}
	for {
		for q.cur < q.nbk && len(q.bk[q.cur]) == 0 {
			q.cur++
		}
		if q.cur < q.nbk {
			// (the bucket becomes the run, and the run's array the
			// bucket's: no copy)
			b := q.bk[q.cur]
			from := q.base + int64(uint64(q.cur)<<q.shift) // (its entries are from here on: no overflow)
			q.run, q.bk[q.cur] = b, q.run[:0]
			q.nb -= len(b)
			q.cur++
			q.lo = math.MaxInt64 // (the bucket's end, unless past it)
			if end := uint64(q.cur) << q.shift; end <= uint64(math.MaxInt64-q.base) {
				q.lo = q.base + int64(end)
			}
			q.sortRun(from)
			return
		}
		q.deal()
	}
}

// deal makes a window of buckets over far's vruntimes and deals far's
// entries into them; far must not be empty.
func (q *fairQueue) deal() {
	lo, hi := q.far[0].v, q.far[0].v
	for i := range q.far {
		lo, hi = min(lo, q.far[i].v), max(hi, q.far[i].v)
	}
	nbk := 8
	for nbk < fairBuckets && 2*nbk < len(q.far) {
		nbk *= 2
	}
	q.nbk = nbk
	// the least shift whose buckets span lo to hi (an unsigned
	// difference: it does not overflow)
	shift := uint(0)
	for uint64(hi-lo)>>shift >= uint64(nbk) {
		shift++
	}
	q.base, q.lo, q.shift, q.cur = lo, lo, shift, 0
	if len(q.far) >= 1024 {
		// each bucket of a big window grown once to what it gets, and
		// half as much again for the window's pushes, rather than by
		// doublings as entries come
		var cnt [fairBuckets]int32
		for i := range q.far {
			cnt[uint64(q.far[i].v-lo)>>shift]++
		}
		for i, c := range cnt[:nbk] {
			if c := int(c); cap(q.bk[i]) < c {
				q.bk[i] = slices.Grow(q.bk[i], c+c/2)
			}
		}
	}
	for _, it := range q.far {
		i := uint64(it.v-lo) >> shift
		q.bk[i] = append(q.bk[i], it)
	}
	q.nb += len(q.far)
	clear(q.far)
	q.far = q.far[:0]
}

// join puts the entries of a split queue back into the heap (the run is
// empty).
func (q *fairQueue) join() {
	q.split = false
	for i := range q.bk {
		for _, it := range q.bk[i] {
			q.h = append(q.h, it)
			fairUp(q.h, len(q.h)-1, it)
		}
		clear(q.bk[i])
		q.bk[i] = q.bk[i][:0]
	}
	for _, it := range q.far {
		q.h = append(q.h, it)
		fairUp(q.h, len(q.h)-1, it)
	}
	clear(q.far)
	q.far = q.far[:0]
	q.nb, q.cur = 0, q.nbk
}

// sortRun sorts the run, a bucket's entries, in queue order, of
// vruntimes from from on, less than from + 2^shift: by the vruntime's
// offset from from, a byte at a time, a stable counting sort (a few
// instructions an entry where a comparison sort took hundreds); a bucket
// of a wide range, or of a few entries, by comparisons.
func (q *fairQueue) sortRun(from int64) {
	r := q.run
	if len(r) < 2 {
		return
	}
	if q.shift > 16 || len(r) < 12 {
		if len(r) < 12 {
			for i := 1; i < len(r); i++ {
				for j := i; j > 0 && fairBefore(&r[j], &r[j-1]); j-- {
					r[j], r[j-1] = r[j-1], r[j]
				}
			}
			return
		}
		slices.SortFunc(r, fairCmp)
		return
	}
	tmp := q.tmp
	if cap(tmp) < len(r) {
		tmp = make([]fairItem, len(r), 2*len(r))
	}
	tmp = tmp[:len(r)]
	for sh := uint(0); sh < q.shift; sh += 8 {
		var at [256]int32
		for i := range r {
			at[uint8(uint64(r[i].v-from)>>sh)]++
		}
		if int(at[uint8(uint64(r[0].v-from)>>sh)]) == len(r) {
			continue // one digit: in order already
		}
		sum := int32(0)
		for d := range at {
			at[d], sum = sum, sum+at[d]
		}
		for i := range r {
			d := uint8(uint64(r[i].v-from) >> sh)
			tmp[at[d]] = r[i]
			at[d]++
		}
		r, tmp = tmp, r
	}
	q.run, q.tmp = r, tmp[:0]
}

func fairCmp(a, b fairItem) int {
	if c := cmp.Compare(a.v, b.v); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
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
// their order, which leaves every comparison, and so the heap and the
// run, as they were.
func (q *fairQueue) renumber() {
	var all []*fairItem
	add := func(s []fairItem) {
		for i := range s {
			all = append(all, &s[i])
		}
	}
	add(q.h[rqRoot:])
	add(q.run[q.ri:])
	for _, b := range q.bk {
		add(b)
	}
	add(q.far)
	slices.SortFunc(all, func(a, b *fairItem) int { return cmp.Compare(a.seq, b.seq) })
	for r, it := range all {
		it.seq = uint32(r + 1)
	}
	q.seq = uint32(len(all))
}

// pop takes the thread of least vruntime. The hole at the root goes down
// to a leaf along the least children, and the last entry goes up from
// there (it came from the bottom, where it mostly stays).
func (q *fairQueue) pop() int32 {
	q.n--
	if q.split {
		return q.popSplit()
	}
	top := q.popHeap()
	q.weight -= top.w()
	return top.th()
}

// popSplit is pop of a split queue.
func (q *fairQueue) popSplit() int32 {
	var top fairItem
	if q.ri < len(q.run) && (len(q.h) == rqRoot || fairBefore(&q.run[q.ri], &q.h[rqRoot])) {
		top = q.run[q.ri]
		q.ri++
	} else {
		top = q.popHeap()
	}
	q.weight -= top.w()
	if q.ri == len(q.run) && len(q.h) == rqRoot && q.n > 0 {
		q.refill()
	}
	return top.th()
}

// popHeap takes the root of the heap, which must not be empty.
func (q *fairQueue) popHeap() fairItem {
	h := q.h
	top := h[rqRoot]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	if n == rqRoot {
		return top
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
	return top
}

// next takes the thread of least vruntime, and has the thread that
// comes after it brought into the caches (it runs at the next placing).
//
// At 100,000 threads a thread's 4 KiB page is seldom in the TLB when its
// turn comes, and its first touch waits for a page-table walk (100–150 ns
// in a VM's nested paging) that prefetching that one thread does not hide:
// the walk holds the prefetch, however early it is issued (a profile's
// stall moved with it). The walks of prefetches issued together overlap,
// so every fairWalkAhead pops from the sorted run the first lines of the
// next fairWalkAhead threads in it are fetched at once: one wait for
// eight walks (at 100,000 native tasks the samples of the prefetches fell
// from about 0.5 s to 0.2 s in 10 runs).
func (q *fairQueue) next(int) *thread {
	t := q.e.thread(q.pop())
	if q.split && uint(q.ri)%fairWalkAhead == 0 && q.ri+fairWalkAhead < len(q.run) {
		for _, it := range q.run[q.ri+1 : q.ri+1+fairWalkAhead] {
			prefetchLine(unsafe.Pointer(q.e.thread(it.th())))
		}
	}
	if q.len() > 0 {
		prefetchThread(unsafe.Pointer(q.e.thread(q.peek().th())))
	}
	return t
}

// fairWalkAhead is how many threads of the sorted run next has fetched
// at once (their page-table walks overlap).
const fairWalkAhead = 8

// What the fair policy's queue does as every global queue does.
func (q *fairQueue) nextCore(from int) int  { return q.e.idleCores.next(from) }
func (q *fairQueue) contended(*thread) bool { return q.len() > 0 }
func (q *fairQueue) tick()                  {}
