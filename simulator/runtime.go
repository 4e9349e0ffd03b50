package simulator

import "slices"

// This file is layer 3: the user-level schedulers that multiplex
// coroutines, greenlets, greenthreads and generators on the one OS thread
// they own (semantics.md sections 4, 5, 11, 12 and 13). The owning thread
// asks layers 1 and 2 (a core, the GIL) for every step its current unit
// runs, exactly as a plain Python thread does.

// mState is where a cooperative unit is.
type mState uint8

const (
	mNew     mState = iota // not spawned yet
	mReady                 // queued to run
	mRunning               // the loop thread is running it
	mParked                // waiting on a timer, io, offload or a cooperative lock
	mDone
)

// wakeKind distinguishes what a parked unit waits for (gevent orders timer
// and io watchers differently).
type wakeKind uint8

const (
	wakeTimer wakeKind = iota
	wakeIO
	wakeSpawn
)

// member is one cooperative unit of a loop. A loop's members are one
// contiguous slice (loop.members), in file order: with a uniform workload
// the units run round-robin, so a round walks memory in order and the
// hardware prefetcher has the next member in cache before it runs. The
// fields are laid out by use (240 bytes): first what every step touches
// (the program's stack, the ready and parked stretches, the state), then
// the program's frames, then the result row with the counters every
// switch adds to at its head; the name and the rest, read at creation and
// at the end, come last.
type member struct {
	prog     program // its frames are frames, below
	readyAt  int64   // when it last became ready, for lag and wait
	parkedAt int64
	uidx     int32 // its result row, e.units[uidx] == &own
	idx      int32 // its index in its loop's members
	state    mState
	parkWhy  BlockWhy
	parked   bool // parkedAt/parkWhy describe a stretch not yet charged
	started  bool
	hasMem   bool      // it holds its loop's memPer bytes
	frames   [2]frame  // prog's first frames
	own      unitStats // its result row
	th       int32     // its loop's thread: e.threads[th].rt.lp
}

// loopOf is the loop of unit m. (A member keeps no pointer to it, nor to
// its spec: every pointer in the members' array is one more for the
// garbage collector to follow and one more write barrier while it runs.)
func (e *engine) loopOf(m *member) *loop { return e.threads[m.th].rt.lp }

// arrivalOf is unit m's `at`, counted from its process's start.
func (l *loop) arrivalOf(m *member) int64 { return l.t.spec.Members[m.idx].Arrival }

// timerEntry is a parked unit's wake-up time in its loop. It names the
// unit by its index in the loop's members rather than by a pointer: the
// timers' arrays then hold no pointers (the garbage collector skips them
// and writing them needs no write barrier), and an entry is 32 bytes.
type timerEntry struct {
	due  int64
	seq  uint64
	pass uint64 // eventlet: the hub pass that created it
	m    int32  // the unit: an index into loop.members
	kind wakeKind
}

// timerHeap is a loop's timers in (due, seq) order. Like the event
// queue it has two lanes: a 4-ary heap, and a FIFO for timers pushed in
// order (no earlier than the last one queued there: the usual case, a
// fixed delay after the clock), which need no heap; pop takes the earlier
// of the two heads. seq is unique, so the order of the pops is the same
// whichever lane holds a timer.
type timerHeap struct {
	h    []timerEntry
	fifo []timerEntry // sorted by (due, seq); fifo[head:] are pending
	head int
	seq  uint64
}

func timerBefore(a, b *timerEntry) bool {
	if a.due != b.due {
		return a.due < b.due
	}
	return a.seq < b.seq
}

func (q *timerHeap) len() int { return len(q.h) + len(q.fifo) - q.head }

func (q *timerHeap) push(t timerEntry) {
	q.seq++
	t.seq = q.seq
	if n := len(q.fifo); n > q.head && q.fifo[n-1].due > t.due {
		q.h = append(q.h, t)
		heap4Up(q.h, len(q.h)-1, timerBefore)
		return
	}
	q.fifo, q.head = compacted(q.fifo, q.head)
	q.fifo = append(q.fifo, t)
}

// fifoFirst says whether the next timer is the FIFO's head; the queue
// must not be empty.
func (q *timerHeap) fifoFirst() bool {
	return q.head < len(q.fifo) && (len(q.h) == 0 || timerBefore(&q.fifo[q.head], &q.h[0]))
}

// peek is the next timer; the queue must not be empty.
func (q *timerHeap) peek() *timerEntry {
	if q.fifoFirst() {
		return &q.fifo[q.head]
	}
	return &q.h[0]
}

// popDue pops the next timer if it is due by now: one comparison of the
// two lanes' heads where peek then pop made two.
func (q *timerHeap) popDue(now int64) (timerEntry, bool) {
	if q.head < len(q.fifo) && (len(q.h) == 0 || timerBefore(&q.fifo[q.head], &q.h[0])) {
		if q.fifo[q.head].due > now {
			return timerEntry{}, false
		}
		t := q.fifo[q.head]
		q.head++
		return t, true
	}
	if len(q.h) == 0 || q.h[0].due > now {
		return timerEntry{}, false
	}
	return heap4Pop(&q.h, timerBefore), true
}

// readyEntry is one callback in a loop's ready queue: a unit to resume
// (an index into loop.members, for the reasons timerEntry gives), or
// (asyncio) a future's done-callback that schedules the unit next.
type readyEntry struct {
	at     int64
	m      int32
	wakeup bool
}

// fifo is a user-level scheduler's ready queue.
type fifo = queue[readyEntry]

// queue is a FIFO, amortised O(1) a push or a pop; its backing array is
// compacted once more than half of it is spent.
type queue[T any] struct {
	q    []T
	head int
}

func (f *queue[T]) len() int { return len(f.q) - f.head }
func (f *queue[T]) push(r T) {
	f.q = append(f.q, r)
}
func (f *queue[T]) front() *T { return &f.q[f.head] }
func (f *queue[T]) pop() T {
	var zero T
	r := f.q[f.head]
	f.q[f.head] = zero
	f.q, f.head = compacted(f.q, f.head+1)
	return r
}

// compacted is a FIFO s whose entries before head are spent, with its
// array reused: emptied when nothing is pending, and the pending entries
// copied to its front once more than half of a large array is spent
// (each entry is copied at most once on average: O(1) a push, amortised).
func compacted[T any](s []T, head int) ([]T, int) {
	if head == len(s) {
		return s[:0], 0
	}
	if head > 1024 && 2*head > len(s) {
		n := copy(s, s[head:])
		return s[:n], 0
	}
	return s, head
}

// unitScheduler is one kind of user-level scheduler, in a file of its own
// (rt_asyncio.go, rt_gevent.go, rt_eventlet.go, rt_greenlets.go,
// rt_coroutines.go): how it picks the unit to run next, and where a unit
// goes when it is created, yields, is handed a lock, or comes back from an
// offload. The shared machinery (loop.go and this file) calls it.
type unitScheduler interface {
	// next picks the unit to run: (nil, true) asks to go round again,
	// (nil, false) says the thread stopped running here (it blocked in
	// its poll, or finished).
	next(e *engine) (*member, bool)
	spawned(e *engine, m *member)   // m was just created
	yielded(e *engine, m *member)   // the running m did its runtime's sleep(0)
	woken(e *engine, m *member)     // m, parked, was handed a lock by another unit or thread
	offloaded(e *engine, m *member) // m's offloaded work is done
	resumed(m *member)              // m runs now
	timerPass() uint64              // the pass a timer set now belongs to (eventlet; 0 elsewhere)
}

// loop is what every runtime thread's scheduler has: its units, the one
// running, its ready queue and timers, and the traits its runtime sets.
type loop struct {
	sched    unitScheduler // the runtime: an asyncio loop, a gevent hub, ...
	t        *thread
	members  []member // never grown after newLoop: &members[i] is stable
	cur      *member
	ready    fifo
	timers   timerHeap
	left     int // units not finished
	started  bool
	pendingM *member // unit to resume once the switch overhead is paid
	lastStep *Step
	pool     *pool

	// traits, set by the runtime's constructor
	unitKind  unitKind
	switchC   int64 // the scheduler's own work at each switch
	memPer    int64 // the resident cost of one unit
	coop      bool  // blocking io, sleep and locks park the unit (a patched gevent or eventlet hub)
	hub       bool  // a gevent or eventlet hub: a blocking call it does not see is a misuse
	coopLk    bool  // a lock parks the unit (asyncio.Lock, a patched hub's lock)
	coopSem   bool  // a semaphore parks the unit (asyncio, gevent, eventlet)
	lag       bool  // how late units run is measured (loop lag)
	allWait   bool  // raw greenlets: every other unfinished unit waits for the running one
	slowLimit int64 // a callback that holds the loop longer is warned about (0: never)
	slowMsg   string
	workers   workerPool // where `offload` runs

	// metrics
	cbStart  int64
	lagMax   int64
	lagSum   int64
	lagN     int64
	stallMax int64
	longStep int64 // longest step of the current callback
	longPos  Pos
	longAt   int64
}

// runtimes builds each kind of runtime thread's scheduler.
var runtimes = map[ThreadKind]func(e *engine, l *loop) unitScheduler{
	ThreadAsyncio:    newAsyncioLoop,
	ThreadGevent:     newGeventHub,
	ThreadEventlet:   newEventletHub,
	ThreadGreenlets:  newGreenletParent,
	ThreadCoroutines: newTrampoline,
}

// newLoop builds the scheduler of a runtime thread.
func (e *engine) newLoop(t *thread, ts *Thread, p *proc) {
	l := &loop{t: t}
	t.rt.lp = l
	build := runtimes[ts.Kind]
	if build == nil {
		build = newAsyncioLoop // Validate refuses other kinds before a run
	}
	l.sched = build(e, l)
	l.coop = l.hub && ts.Patched
	// asyncio.Lock and asyncio.Semaphore park the task; gevent's and
	// eventlet's semaphores park the greenlet, patched or not, and their
	// locks do once threading is patched
	l.coopLk = l.coop || ts.Kind == ThreadAsyncio
	l.coopSem = l.hub || ts.Kind == ThreadAsyncio
	l.members = make([]member, len(ts.Members))
	prefaultSlice(l.members)
	e.units = slices.Grow(e.units, len(ts.Members)) // (newEngine counted threads only)
	for i, ms := range ts.Members {
		m := &l.members[i]
		// field by field: the array is fresh (zero), and a whole-struct
		// copy of a type with pointers is a bulk write barrier when the
		// collector runs, which this allocation itself often starts
		m.idx, m.th = int32(i), t.idx
		m.prog = programIn(ms.Steps, &m.frames)
		m.own.name, m.own.kind, m.own.proc = ms.Name, l.unitKind, p.idx
		m.own.start, m.own.finish = -1, -1
		m.uidx = int32(len(e.units))
		e.units = append(e.units, &m.own)
		e.unfinished++
	}
	// a loop's ready queue and timers hold at most one entry for each
	// unit (two in the ready queue while asyncio turns done-callbacks
	// into tasks): sized once, they are not grown copy by copy
	l.ready.q = make([]readyEntry, 0, 2*len(l.members))
	l.timers.fifo = make([]timerEntry, 0, len(l.members))
	l.left = len(l.members)
}

// startLoop runs when the loop thread first gets a core: every unit is
// created (spawned) at once, in file order; a unit with `at` is scheduled
// for later (call_later / spawn_later).
func (e *engine) startLoop(l *loop) bool {
	l.started = true
	base := l.t.proc.startAt
	for i := range l.members {
		m := &l.members[i]
		due := base + l.arrivalOf(m)
		if due <= e.now {
			if !e.spawn(l, m, due) {
				return false
			}
			continue
		}
		l.timers.push(timerEntry{due: due, m: m.idx, kind: wakeSpawn})
	}
	return true
}

// spawn creates unit m (its memory and arrival) and queues its first run.
// at is its arrival, its `at`, which may lie before now when its loop got
// round to it late (the loop thread waited for a core, or was busy): the
// unit is ready from then, so its turnaround, wait and lag count from its
// `at`, as a thread's do.
func (e *engine) spawn(l *loop, m *member, at int64) bool {
	if !e.allocUnit(l, m) {
		return false
	}
	m.own.arrival = at
	l.sched.spawned(e, m)
	return true
}

// allocUnit charges the resident cost of unit m to its process. Only a
// failure names the unit (the test is alloc's): building "proc/unit" for
// every unit created was a string allocation each, a fifth of a 100,000
// unit run's garbage.
func (e *engine) allocUnit(l *loop, m *member) bool {
	p, n := l.t.proc, l.memPer
	who := ""
	if n > 0 && e.m.MemTotal > 0 && n > e.m.MemTotal-e.memNow {
		who = p.name + "/" + m.own.name
	}
	if !e.alloc(p, who, n) {
		return false
	}
	m.hasMem = n > 0
	return true
}

// spawnWatcher creates a unit whose spawn timer, due at its arrival at,
// fired.
func (e *engine) spawnWatcher(l *loop, m *member, at int64) bool {
	if m.hasMem {
		return true
	}
	if !e.allocUnit(l, m) {
		return false
	}
	m.own.arrival = at
	return true
}

// makeUnitReady queues m to run. wakeup marks an asyncio future's
// done-callback, which schedules m one iteration later.
func (e *engine) makeUnitReady(l *loop, m *member, wakeup bool, at int64) {
	m.state = mReady
	m.readyAt = at
	l.ready.push(readyEntry{m: m.idx, wakeup: wakeup, at: at})
}

// park suspends the current unit until due (kind says which watcher).
func (e *engine) park(l *loop, m *member, due int64, kind wakeKind, why BlockWhy) {
	e.parkOn(m, why)
	l.timers.push(timerEntry{due: due, m: m.idx, kind: kind, pass: l.sched.timerPass()})
}

// parkOn marks m parked from now, waiting for why.
func (e *engine) parkOn(m *member, why BlockWhy) {
	m.state = mParked
	m.parked, m.parkedAt, m.parkWhy = true, e.now, why
}

// wakeLoop is called when something outside the loop thread (a pool
// worker, a lock released by another thread) makes one of its units
// runnable: a loop asleep in its poll wakes up.
func (e *engine) wakeLoop(l *loop) {
	t := l.t
	if t.rt.polling {
		t.rt.polling = false
		t.os.ioGen++
		if t.os.state == stIO || t.os.state == stIdle {
			e.wake(t)
		}
	}
}

// resume makes m the unit running on l's thread.
func (e *engine) resume(l *loop, m *member) {
	t := l.t
	l.cur = m
	m.state = mRunning
	u := &m.own
	if m.parked {
		// the parked stretch ends when m became ready
		m.parked = false
		end := max(m.readyAt, m.parkedAt)
		d := end - m.parkedAt
		switch m.parkWhy {
		case BlockIO, BlockSleep:
			u.io += d
		case BlockLock:
			u.lockWait += d
		}
		if d > 0 && e.opt.Trace != nil {
			e.opt.Trace(Span{Entity: int(m.uidx), Process: int(t.proc.idx), Kind: SpanBlocked, Core: -1, Why: m.parkWhy, Start: m.parkedAt, End: end})
		}
	}
	late := e.now - m.readyAt
	if late > 0 {
		u.wait += late
		if e.opt.Trace != nil {
			e.opt.Trace(Span{Entity: int(m.uidx), Process: int(t.proc.idx), Kind: SpanLoopWait, Core: -1, Start: m.readyAt, End: e.now})
		}
	}
	if l.lag {
		if late > l.lagMax {
			l.lagMax = late
		}
		l.lagSum += late
		l.lagN++
	}
	if !m.started {
		m.started = true
		u.start = e.now
		l.sched.resumed(m)
	}
	u.switches++
	t.rt.unit, t.rt.uidx = u, m.uidx
	l.cbStart = e.now
	l.longStep, l.longAt = 0, e.now
}

// suspend ends the current callback of l (m parked, queued or finished).
func (e *engine) suspend(l *loop) {
	m := l.cur
	if m == nil {
		return
	}
	e.noteStep(l, nil)
	l.cur = nil
	t := l.t
	t.rt.unit, t.rt.uidx = nil, -1
	// stall: how long this callback kept some other due unit waiting
	earliest := int64(-1)
	if l.ready.len() > 0 {
		earliest = l.ready.front().at
	}
	if l.timers.len() > 0 {
		if te := l.timers.peek(); te.kind != wakeSpawn && (earliest < 0 || te.due < earliest) {
			earliest = te.due
		}
	}
	if l.allWait && l.left > 1 {
		// raw greenlets have no queue: every other unfinished greenlet
		// waits for this one to switch
		earliest = l.cbStart
	}
	if earliest >= 0 && earliest < e.now {
		from := l.cbStart
		if earliest > from {
			from = earliest
		}
		if s := e.now - from; s > l.stallMax {
			l.stallMax = s
		}
	}
	if held := e.now - l.cbStart; l.slowLimit > 0 && held > l.slowLimit {
		e.warn(l.longPos, t.proc, &m.own, replaceD(l.slowMsg, FormatDuration(held)))
	}
}

func replaceD(f, d string) string {
	for i := 0; i+1 < len(f); i++ {
		if f[i] == '%' && f[i+1] == 's' {
			return f[:i] + d + f[i+2:]
		}
	}
	return f
}

// noteStep tracks the longest step of the current callback, so a warning
// about the callback can point at the step that made it long.
func (e *engine) noteStep(l *loop, s *Step) {
	if d := e.now - l.longAt; d > l.longStep || l.longStep == 0 {
		if l.cur != nil && l.lastStep != nil {
			l.longStep = d
			l.longPos = l.lastStep.Pos
		}
	}
	l.longAt = e.now
	l.lastStep = s
}

// warn records a misuse warning once per step position and unit group.
func (e *engine) warn(pos Pos, p *proc, u *unitStats, msg string) {
	key := warnKey{pos: pos, proc: p.spec, group: groupName(u.name), msg: msg[:min(len(msg), 24)]}
	if e.warned == nil {
		e.warned = map[warnKey]bool{}
	}
	if e.warned[key] {
		return
	}
	e.warned[key] = true
	e.warnings = append(e.warnings, Warning{Pos: pos, Entity: u.name, Process: p.name, Message: msg})
}

type warnKey struct {
	pos   Pos
	proc  *Process
	group string
	msg   string
}

// finishUnit ends m at the current instant.
func (e *engine) finishUnit(l *loop, m *member) {
	e.suspend(l)
	m.state = mDone
	u := &m.own
	u.finish = e.now
	u.done = true
	e.unfinished--
	if e.now > e.lastFinish {
		e.lastFinish = e.now
	}
	if m.hasMem {
		e.release(l.t.proc, l.memPer)
		m.hasMem = false
	}
	l.left--
}
