package simulator

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
)

// event is one entry of the queue. It is a small value type so the queue
// never allocates per event.
type event struct {
	at   int64
	seq  uint64
	kind eventKind
	th   int32  // thread index (process index for evGILCheck)
	gen  uint32 // must match the thread's generation for the kind, else the event is stale
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// eventQueue orders events by (at, seq). seq is assigned when an event is
// scheduled, so events at the same instant fire in the order they were
// scheduled: deterministic whatever the machine.
//
// It has three lanes, and pop takes the earliest of their heads:
//
//   - a binary min-heap for most events;
//   - a FIFO for events that come a fixed delay after the instant they are
//     scheduled (the OS wake-up latency): they arrive in time order and
//     need no heap;
//   - a small indexed heap of GIL checks, at most one per process, which
//     are moved rather than cancelled and pushed again when a GIL's next
//     check changes (they are about half of what a busy GIL schedules).
//
// The heaps are the engine's hottest structures, so they keep their own
// sift code (moving a hole rather than swapping) instead of heap.go's.
type eventQueue struct {
	h        []event
	fifo     []event // sorted by (at, seq); fifo[head:] are pending
	head     int
	checks   []event // GIL checks; th is the process
	checkPos []int32 // process -> its check's index in checks, or -1
	seq      uint64
}

func (q *eventQueue) len() int { return len(q.h) + len(q.fifo) - q.head + len(q.checks) }

// heapLen is the size of the heap lane, the part compact works on.
func (q *eventQueue) heapLen() int { return len(q.h) }

func (q *eventQueue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.h = append(q.h, e)
	siftUp(q.h, len(q.h)-1, e, nil)
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
	if q.head == len(q.fifo) {
		q.fifo, q.head = q.fifo[:0], 0
	} else if q.head >= 1024 && 2*q.head >= len(q.fifo) {
		n := copy(q.fifo, q.fifo[q.head:])
		q.fifo, q.head = q.fifo[:n], 0
	}
	q.fifo = append(q.fifo, e)
}

// setCheck schedules process p's GIL check at at, replacing its pending
// one if any (the replaced check takes the order of a new event).
func (q *eventQueue) setCheck(p int32, at int64) {
	for int(p) >= len(q.checkPos) {
		q.checkPos = append(q.checkPos, -1)
	}
	q.seq++
	e := event{at: at, seq: q.seq, kind: evGILCheck, th: p}
	i := int(q.checkPos[p])
	if i < 0 {
		q.checks = append(q.checks, e)
		siftUp(q.checks, len(q.checks)-1, e, q.checkPos)
		return
	}
	if e.before(&q.checks[i]) {
		siftUp(q.checks, i, e, q.checkPos)
	} else {
		siftDown(q.checks, i, e, q.checkPos)
	}
}

// peek is the next event; the queue must not be empty.
func (q *eventQueue) peek() *event {
	var best *event
	if len(q.h) > 0 {
		best = &q.h[0]
	}
	if q.head < len(q.fifo) && (best == nil || q.fifo[q.head].before(best)) {
		best = &q.fifo[q.head]
	}
	if len(q.checks) > 0 && (best == nil || q.checks[0].before(best)) {
		best = &q.checks[0]
	}
	return best
}

// pop removes and returns the next event; the queue must not be empty.
func (q *eventQueue) pop() event {
	lane := 0
	var best *event
	if len(q.h) > 0 {
		best = &q.h[0]
	}
	if q.head < len(q.fifo) && (best == nil || q.fifo[q.head].before(best)) {
		best, lane = &q.fifo[q.head], 1
	}
	if len(q.checks) > 0 && (best == nil || q.checks[0].before(best)) {
		lane = 2
	}
	switch lane {
	case 1:
		e := q.fifo[q.head]
		q.head++
		return e
	case 2:
		return popHeap(&q.checks, q.checkPos)
	}
	return popHeap(&q.h, nil)
}

// popHeap removes the root of the heap *hp. pos, when not nil, tracks
// where each event (by th) is.
func popHeap(hp *[]event, pos []int32) event {
	h := *hp
	top := h[0]
	n := len(h) - 1
	last := h[n]
	*hp = h[:n]
	if pos != nil {
		pos[top.th] = -1
	}
	if n > 0 {
		siftDown(h[:n], 0, last, pos)
	}
	return top
}

// siftUp places e at the hole i, moving larger parents down.
func siftUp(h []event, i int, e event, pos []int32) {
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		if pos != nil {
			pos[h[i].th] = int32(i)
		}
		i = p
	}
	h[i] = e
	if pos != nil {
		pos[e.th] = int32(i)
	}
}

// siftDown places e at the hole i, moving smaller children up.
func siftDown(h []event, i int, e event, pos []int32) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n || l < 0 {
			break
		}
		m := l
		if r := l + 1; r < n && h[r].before(&h[l]) {
			m = r
		}
		if !h[m].before(&e) {
			break
		}
		h[i] = h[m]
		if pos != nil {
			pos[h[i].th] = int32(i)
		}
		i = m
	}
	h[i] = e
	if pos != nil {
		pos[e.th] = int32(i)
	}
}

// compact drops the main heap's events for which stale says so and
// restores the heap order. Cancelled events are otherwise only dropped
// when they come up, which lets a long preempted segment's end sit in the
// heap for the whole run. (The other lanes hold no stale events: wake-ups
// are never cancelled, and GIL checks are moved in place.)
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
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(q.h, i, q.h[i], nil)
	}
}
