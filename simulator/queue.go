package simulator

import (
	"math"
	"math/bits"
	"slices"
)

// eventKind says what an event does when it fires.
type eventKind uint8

const (
	evArrive      eventKind = iota // a thread (or a process's startup) arrives
	evSegment                      // a thread's segment on a core ends
	evBlockDone                    // io, sleep or a lock wait's wake-up completes
	evWake                         // a sleeping thread becomes runnable after the OS wake-up latency
	evGILCheck                     // a GIL's pending check: a waiter's timed wait that matters (th is the process index)
	evSlice                        // a thread's quantum or fair slice ends
	evLegacyCheck                  // legacy GIL: the holder reaches its next check
	evGoOn                         // a thread handed the GIL on its core goes on with its program, at this instant
	evTick                         // a scheduler tick the OS policy asked for
)

// event is one entry of the queue. It is a small value type so the queue
// never allocates per event.
type event struct {
	at   int64
	seq  uint64
	kind eventKind
	th   int32  // thread index
	gen  uint32 // must match the thread's generation for the kind, else the event is stale
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// eventQueue orders events by (at, seq). seq is assigned at push time, so
// events at the same instant fire in the order they were scheduled:
// deterministic whatever the machine.
//
// It has three lanes. Most events go into the heap lane: an array sorted
// latest first while it holds at most smallMax events (the next event
// is the last, and a new one goes in after the later ones), a 4-ary
// min-heap past that, until it is down to smallMin. Events that
// come a fixed delay after the instant they are scheduled (the OS wake-up
// latency), and the arrivals queued before the run (in file order, mostly
// in time order too), are pushed in time order, so they need no heap:
// they wait in a FIFO (one out of order goes to the heap), and pop takes
// the earliest of the heads. The heap is the
// engine's hottest structure, so it keeps its own sift code (moving a hole
// rather than swapping) instead of the generic heap.go.
//
// The third lane holds the ends of the running threads' time slices: a
// slot per core, and a tournament tree over the slots keeps the
// earliest. A core's thread has at most one live slice end (a new slice
// makes the one before it stale, engine.pushSlice), so a slot is
// overwritten rather than left behind, and the engine empties a slot
// whose event went stale (its thread left the core, or began a slice
// anew). A slice end goes stale whenever its thread blocks before its
// slice is up, at every round of a contended run of short bursts: in the
// lane it neither sits in nor comes up through the heap. An update costs
// a comparison per level of the tree, with no bookkeeping of places.
// On at most 4 cores the lane has a second slot a core, for the end of
// its running thread's segment (one live at a time), while the heap has
// 16 events or more (in a heap of a few events a segment's end, seldom
// stale, costs less than the lane's look at its slots at every event).
// A lane of at most laneScanMax slots keeps only its earliest slot, and
// finds it again by a scan only when that slot is emptied or moved later
// (a segment's end when it fires; a slice end, later than the segments,
// mostly goes stale without ever being the earliest).
type eventQueue struct {
	h    []event
	big  bool    // h is a heap; while small it is sorted latest first
	fifo []event // sorted by (at, seq); fifo[head:] are pending
	head int
	seq  uint64

	lane  []event // the slice lane's slots: slot c is core c's; an empty one is noEvent
	win   []int32 // the tournament: win[i] is the earlier slot of win[2i] and win[2i+1]; win[len(lane)+s] = s
	nlane int     // the filled slots
	// the slots changed since the tree was last brought up to date (a
	// round of a thread on a core empties and fills its slot before the
	// next look at the root)
	dirty   []int32
	isDirty []bool
	// a lane of at most laneScanMax slots keeps no tree: win[1] is its
	// earliest slot, found again by settle's scan when it was emptied or
	// moved later (moved)
	scan, moved bool
	// segBase is the first slot of the segment ends, slot segBase+c core
	// c's, when they have slots (0 when not)
	segBase int32
}

// laneScanMax is the most slots of a slice lane found by a scan: three
// comparisons for four cores cost less than the tree's bookkeeping of
// the changed slots.
const laneScanMax = 8

// noEvent fills an empty slot: later than every event.
var noEvent = event{at: math.MaxInt64, seq: math.MaxUint64}

// initCores makes the slice lane's slots for n cores (a power of two of
// them, at least 2, the ones past n never filled), and as many again for
// the segment ends if seg.
func (q *eventQueue) initCores(n int, seg bool) {
	l := 2
	for l < n {
		l *= 2
	}
	if seg {
		q.segBase = int32(l)
		l *= 2
	}
	q.lane = make([]event, l)
	q.win = make([]int32, 2*l)
	q.isDirty = make([]bool, l)
	q.scan = l <= laneScanMax
	for s := range q.lane {
		q.lane[s] = noEvent
		q.win[l+s] = int32(s)
	}
	for i := l - 1; i >= 1; i-- {
		q.win[i] = q.win[2*i]
	}
}

func (q *eventQueue) len() int { return len(q.h) + len(q.fifo) - q.head + q.nlane }

// heapLen is the size of the heap lane, the part compact works on.
func (q *eventQueue) heapLen() int { return len(q.h) }

func (q *eventQueue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.pushKeep(e)
}

// pushKeep puts e, its sequence number given, in the heap.
func (q *eventQueue) pushKeep(e event) {
	q.h = append(q.h, e)
	if !q.big {
		if len(q.h) <= smallMax {
			// sorted latest first: an event goes in after the later ones
			placeSorted(q.h, len(q.h)-1, &e)
			return
		}
		slices.Reverse(q.h[:len(q.h)-1]) // (earliest first, it is a heap)
		q.big = true
	}
	siftUp(q.h, len(q.h)-1, e)
}

// The heap lane is sorted while it holds at most smallMax events, and a
// heap from then on until it is down to smallMin. In a run of threads
// under a GIL on 2 cores it holds about ten (the threads in their
// blocking calls, the segment on the core, the GIL's check): a pop
// takes the last event rather than filling the root's hole, with three
// matches a level and a sift up, and a push, most often of an event
// earlier than most, moves the few earlier ones.
const (
	smallMax = 16
	smallMin = 8
)

// siftUp puts e in the heap h at the hole i or above it, moving the
// events later than e down.
func siftUp(h []event, i int, e event) {
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// pushInOrder queues an event no earlier than any event pushed in order
// before it; one that would break the order goes to the heap instead.
func (q *eventQueue) pushInOrder(e event) {
	if n := len(q.fifo); n > q.head && q.fifo[n-1].at > e.at {
		q.push(e)
		return
	}
	q.seq++
	e.seq = q.seq
	q.fifo, q.head = compacted(q.fifo, q.head)
	q.fifo = append(q.fifo, e)
}

// peek is the next event; the queue must not be empty. (Small enough
// to be inlined when only a big heap has events.)
func (q *eventQueue) peek() *event {
	if q.big && q.nlane == 0 && q.head == len(q.fifo) {
		return &q.h[0]
	}
	return q.peekLanes()
}

// first is the heap lane's first event; the lane must not be empty.
func (q *eventQueue) first() *event {
	if q.big {
		return &q.h[0]
	}
	return &q.h[len(q.h)-1]
}

// peekLanes is peek when the FIFO or the slice lane has events, or the
// heap lane is small.
func (q *eventQueue) peekLanes() *event {
	var b *event
	if len(q.h) > 0 {
		b = q.first()
	}
	if q.head < len(q.fifo) && (b == nil || q.fifo[q.head].before(b)) {
		b = &q.fifo[q.head]
	}
	if q.nlane > 0 {
		q.settle()
		if x := &q.lane[q.win[1]]; b == nil || x.before(b) {
			b = x
		}
	}
	return b
}

// pop moves the next event into ev; the queue must not be empty. (It
// fills the caller's event rather than returning one: the copies of a
// returned struct showed in profiles of the engine's loop.)
func (q *eventQueue) pop(ev *event) {
	if q.nlane > 0 {
		q.settle()
		if s := q.win[1]; (len(q.h) == 0 || q.lane[s].before(q.first())) &&
			(q.head == len(q.fifo) || q.lane[s].before(&q.fifo[q.head])) {
			*ev = q.lane[s]
			q.clearSlot(s)
			return
		}
	}
	if q.head < len(q.fifo) && (len(q.h) == 0 || q.fifo[q.head].before(q.first())) {
		*ev = q.fifo[q.head]
		q.head++
		return
	}
	n := len(q.h) - 1
	if !q.big {
		*ev = q.h[n]
		q.h = q.h[:n]
		return
	}
	*ev = q.h[0]
	last := q.h[n]
	q.h = q.h[:n]
	if n > 0 {
		q.fill(last)
	}
	if n <= smallMin {
		q.sortSmall()
	}
}

// placeSorted puts e at h[i] or before it in h[:i+1], h[:i] sorted
// latest first, moving the events earlier than e up a place.
func placeSorted(h []event, i int, e *event) {
	for i > 0 && h[i-1].before(e) {
		h[i] = h[i-1]
		i--
	}
	h[i] = *e
}

// sortSmall sorts the heap lane, down to smallMin events, latest first
// (an insertion sort).
func (q *eventQueue) sortSmall() {
	h := q.h
	for i := 1; i < len(h); i++ {
		e := h[i]
		placeSorted(h, i, &e)
	}
	q.big = false
}

// earlier is 1 if a comes before b, else 0, computed without a branch:
// which of a heap's children comes first is a coin toss to the CPU's
// predictor, and a wrong guess costs more than the comparisons.
//
// (at, seq) is compared as one 128-bit unsigned number, at's sign bit
// flipped so that its order is the signed one: the borrow out of the
// subtraction, a SUB and an SBB, is the answer (three comparisons and
// their flags took twice the instructions).
func earlier(a, b *event) int {
	_, c := bits.Sub64(a.seq, b.seq, 0)
	_, c = bits.Sub64(uint64(a.at)^1<<63, uint64(b.at)^1<<63, c)
	return int(c)
}

// b2i is 1 for true, 0 for false (a SETcc, no branch).
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// fill places e, the heap's last event, with the root taken out: the
// hole at the root goes down to a leaf along the earlier children, and e
// goes up from there (it came from the bottom, where it mostly stays:
// three comparisons a level instead of four).
func (q *eventQueue) fill(e event) {
	h := q.h
	n := len(h)
	i := 0
	for {
		c := 4*i + 1
		if c+3 < n {
			// the earliest of the four in a tournament: its first two
			// matches are independent of each other
			ch := h[c : c+4 : c+4]
			a := earlier(&ch[1], &ch[0])
			b := 2 + earlier(&ch[3], &ch[2])
			a ^= (a ^ b) & -earlier(&ch[b&3], &ch[a&3])
			h[i] = ch[a&3]
			i = c + a
			continue
		}
		if c < n {
			m := c
			for j := c + 1; j < n; j++ {
				if h[j].before(&h[m]) {
					m = j
				}
			}
			h[i] = h[m]
			i = m
		}
		break
	}
	siftUp(h, i, e)
}

// slot is the event in slot s of the slice lane, or nil.
func (q *eventQueue) slot(s int32) *event {
	if q.lane[s].seq == noEvent.seq {
		return nil
	}
	return &q.lane[s]
}

// setSlot puts e in slot s of the slice lane, with the next sequence
// number, in place of the event there (the caller has seen to it).
func (q *eventQueue) setSlot(s int32, e event) {
	q.seq++
	e.seq = q.seq
	if q.lane[s].seq == noEvent.seq {
		q.nlane++
	}
	if q.scan {
		// the earliest slot stays known unless it moves later
		if !q.moved {
			if m := q.win[1]; s == m {
				q.moved = !e.before(&q.lane[s])
			} else if e.before(&q.lane[m]) {
				q.win[1] = s
			}
		}
		q.lane[s] = e
		return
	}
	q.lane[s] = e
	q.touch(s)
}

// clearSlot empties the filled slot s.
func (q *eventQueue) clearSlot(s int32) {
	q.lane[s] = noEvent
	q.nlane--
	if q.scan {
		// (an empty lane's earliest slot is any, all noEvent)
		q.moved = q.nlane > 0 && (q.moved || s == q.win[1])
		return
	}
	q.touch(s)
}

// touch notes that slot s of a lane with a tree changed.
func (q *eventQueue) touch(s int32) {
	if !q.isDirty[s] {
		q.isDirty[s] = true
		q.dirty = append(q.dirty, s)
	}
}

// settle plays the matches on the ways from the changed slots to the
// root again. A way stops at a match whose winner stays the same and is
// not the changed slot: nothing above it changes (a slice end later than
// most, the usual case, goes up a level or two).
func (q *eventQueue) settle() {
	w, l := q.win, q.lane
	if q.scan {
		if q.moved {
			// (the filled slots' events have distinct sequence numbers:
			// the earliest is the tree's winner)
			q.moved = false
			m := 0
			for s := 1; s < len(l); s++ {
				m ^= (m ^ s) & -earlier(&l[s], &l[m])
			}
			w[1] = int32(m)
		}
		return
	}
	for _, s := range q.dirty {
		q.isDirty[s] = false
		for i := (uint(len(l)) + uint(s)) / 2; i >= 1; i >>= 1 {
			a, b := w[2*i], w[2*i+1]
			if l[b].before(&l[a]) {
				a = b
			}
			if a == w[i] && a != s {
				break
			}
			w[i] = a
		}
	}
	q.dirty = q.dirty[:0]
}

// siftDown places e at the hole i, moving smaller children up. The heap
// is 4-ary (heap.go says why; (at, seq) is a total order).
func (q *eventQueue) siftDown(i int, e event) {
	h := q.h
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n || c < 0 {
			break
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}

// compact drops the heap's events for which stale says so and restores
// the heap order. Cancelled events are otherwise only dropped when they
// come up, which lets a long preempted segment's end sit in the heap for
// the whole run. (The FIFO lane holds only wake-ups and arrivals, which
// are never cancelled.)
func (q *eventQueue) compact(stale func(*event) bool) {
	n := 0
	for i := range q.h {
		if !stale(&q.h[i]) {
			q.h[n] = q.h[i]
			n++
		}
	}
	clear(q.h[n:])
	q.h = q.h[:n]
	if !q.big {
		return // (still sorted)
	}
	for i := (n - 2) / 4; n > 1 && i >= 0; i-- {
		q.siftDown(i, q.h[i])
	}
}
