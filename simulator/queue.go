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
)

// event is one entry of the queue. It is a small value type so the heap
// never allocates per event.
type event struct {
	at   int64
	seq  uint64
	kind eventKind
	th   int32  // thread index
	gen  uint32 // must match the thread's generation for the kind, else the event is stale
}

// eventQueue is a binary min-heap ordered by (at, seq). It is the engine's
// hottest structure, so it keeps its own sift code with an inlined
// comparison rather than the generic heapUp/heapDown of heap.go. seq is assigned at
// push time, so events at the same instant fire in the order they were
// scheduled: deterministic whatever the machine.
type eventQueue struct {
	h   []event
	seq uint64
}

func (q *eventQueue) len() int { return len(q.h) }

func (q *eventQueue) push(e event) {
	q.seq++
	e.seq = q.seq
	q.h = append(q.h, e)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *eventQueue) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *eventQueue) peek() *event { return &q.h[0] }

// compact drops the events for which stale says so and restores the heap
// order. Cancelled events are otherwise only dropped when they come up,
// which lets a long preempted segment's end sit in the heap for the whole
// run.
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
		q.down(i)
	}
}

func (q *eventQueue) down(i int) {
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			return
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
}

func (q *eventQueue) pop() event {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	q.down(0)
	return top
}
