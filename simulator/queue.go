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
// It has two lanes. Most events go into a binary min-heap. Events that
// come a fixed delay after the instant they are scheduled (the OS wake-up
// latency) are pushed in time order, so they need no heap: they wait in a
// FIFO, and pop takes the earlier of the two heads. The heap is the
// engine's hottest structure, so it keeps its own sift code (moving a hole
// rather than swapping) instead of the generic heap.go.
type eventQueue struct {
	h    []event
	fifo []event // sorted by (at, seq); fifo[head:] are pending
	head int
	seq  uint64
}

func (q *eventQueue) len() int { return len(q.h) + len(q.fifo) - q.head }

// heapLen is the size of the heap lane, the part compact works on.
func (q *eventQueue) heapLen() int { return len(q.h) }

func (q *eventQueue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.h = append(q.h, e)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
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
	if q.head == len(q.fifo) {
		q.fifo, q.head = q.fifo[:0], 0
	} else if q.head >= 1024 && 2*q.head >= len(q.fifo) {
		n := copy(q.fifo, q.fifo[q.head:])
		q.fifo, q.head = q.fifo[:n], 0
	}
	q.fifo = append(q.fifo, e)
}

// peek is the next event; the queue must not be empty.
func (q *eventQueue) peek() *event {
	if q.head < len(q.fifo) && (len(q.h) == 0 || q.fifo[q.head].before(&q.h[0])) {
		return &q.fifo[q.head]
	}
	return &q.h[0]
}

// pop moves the next event into ev; the queue must not be empty. (It
// fills the caller's event rather than returning one: the copies of a
// returned struct showed in profiles of the engine's loop.)
func (q *eventQueue) pop(ev *event) {
	if q.head < len(q.fifo) && (len(q.h) == 0 || q.fifo[q.head].before(&q.h[0])) {
		*ev = q.fifo[q.head]
		q.head++
		return
	}
	*ev = q.h[0]
	n := len(q.h) - 1
	last := q.h[n]
	q.h = q.h[:n]
	if n > 0 {
		q.siftDown(0, last)
	}
}

// siftDown places e at the hole i, moving smaller children up.
func (q *eventQueue) siftDown(i int, e event) {
	h := q.h
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
		i = m
	}
	h[i] = e
}

// compact drops the heap's events for which stale says so and restores
// the heap order. Cancelled events are otherwise only dropped when they
// come up, which lets a long preempted segment's end sit in the heap for
// the whole run. (The FIFO lane holds only wake-ups, which are never
// cancelled.)
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
		q.siftDown(i, q.h[i])
	}
}
