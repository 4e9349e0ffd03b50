package simulator

// thState is where an OS thread is, as the OS sees it.
type thState uint8

const (
	stNew   thState = iota // not arrived yet
	stReady                // runnable, waiting for a core
	stCore                 // on a core (running a segment, switching, or spinning)
	stIO                   // blocked in io or sleep (including the wake-up after it)
	stLock                 // blocked on a lock
	stGIL                  // asleep waiting for the GIL (or in a forced drop's handshake)
	stIdle                 // asleep with nothing to do (an idle pool worker, a loop polling with no timers)
	stDone
)

// segKind is what a thread does on its core.
type segKind uint8

const (
	segNone    segKind = iota
	segCPU             // bytecode: progress needs the GIL
	segNative          // GIL-free C code
	segStartup         // interpreter start-up of a process
	segSwitch          // the OS context-switch cost
)

// pendKind is an action a thread postponed because a forced GIL drop made
// it wait until another thread took the GIL.
type pendKind uint8

const (
	pendNone pendKind = iota
	pendBlock
	pendLock
	pendIdle // a main thread waiting in Thread.start for the thread it started
)

// thread is one OS thread: a native task, a Python thread, or a hidden
// start-up thread that runs a process's interpreter start-up. Its state is
// split by the layer that owns it: what the OS knows of it (os), its place
// in its process's GIL (gil), and what its interpreter or runtime is doing
// (rt); a plain thread's result row is its own.
type thread struct {
	// With thousands of threads a thread is seldom in cache when its
	// turn comes, and each of its cache lines is a miss. A thread is 384
	// bytes, six lines (a slab of them is line-aligned): what a round of
	// a plain thread or of a native task touches fills the first four;
	// the fifth holds pendDur and the counters of its result row (own's
	// head), the sixth what is read only at its start, at its end, or by
	// a few policies.
	os     threadOS
	gil    threadGIL
	rt     threadRT
	frames [2]frame // rt.prog's first frames
	proc   *proc
	idx    int32
	file   int32 // expanded file order, for tie rules

	pendDur int64     // gil.pend == pendBlock: the blocking call's duration
	own     unitStats // the result row of a plain thread
	spec    *Thread
	arrival int64
	rare    *threadRare // made on first use
}

// threadRare is what few threads ever use: a pool worker's pool, the
// acquire a forced GIL drop made a thread postpone, the durations sjf and
// srtf draw ahead.
type threadRare struct {
	pool     *worker // pool workers: their pool and current job
	pendStep *Step   // gil.pend == pendLock: the acquire to retry
	draws    []int64 // sjf/srtf: pre-drawn durations of the current burst (engine.drawsAhead)
}

// plain says whether t, one of its process's listed threads, is a plain
// thread: newLoop gave every other kind its loop. (Asked of the thread's
// own first lines, not of its spec: at 100,000 threads, a miss less.)
func (t *thread) plain() bool { return t.rt.lp == nil }

// rareOf is t's rare part, made on first use.
func (t *thread) rareOf() *threadRare {
	if t.rare == nil {
		t.rare = new(threadRare)
	}
	return t.rare
}

// pool is t's pool when t is a pool worker, else nil.
func (t *thread) pool() *worker {
	if t.rare == nil {
		return nil
	}
	return t.rare.pool
}

// threadOS is layer 1's view of a thread: where it is, what it runs on its
// core, and the policy's bookkeeping. (The fields of the thread's parts are
// ordered to pack: a million threads are the biggest scenario allowed.)
type threadOS struct {
	segLeft    int64
	segStart   int64
	vruntime   int64
	onSince    int64
	sliceBase  int64 // when the current quantum/slice began counting
	burstLeft  int64 // CPU left in the current burst (sjf/srtf order by it)
	since      int64 // when it entered its state
	core       int32
	segGen     uint32
	ioGen      uint32 // generation of the block-done event (a poll can be cut short)
	sliceGen   uint32
	priority   int32
	segSpeed   uint16 // the running work segment's speed in thousandths (multicore_speed); 0 = full
	state      thState
	seg        segKind
	afterSw    segKind // segment to start once a switch cost is paid
	blockWhy   BlockWhy
	nice       int8 // -20..19; its fair weight is weight()
	running    bool // a segment end event is live
	sliceArmed bool // its expiry event is scheduled
	inBurst    bool
	wokeUp     bool // linux policy: it is being queued after a sleep
	memCharged bool // its stack's memory is charged to its process
}

// threadGIL is layer 2's view of a thread: whether it holds its process's
// GIL, how it waits for it, and what it will do once through a forced
// drop's handshake (pend; what it postponed: thread.pendDur, threadRare).
type threadGIL struct {
	since     int64  // when its current series of timed waits began
	sleepPos  int32  // index in gilState.sleeping (0 when not listed), -1 if not asleep
	sleeps    uint32 // times it went to sleep as a waiter (gilState.fifo's entries)
	pend      pendKind
	python    bool // runs under its process's GIL
	held      bool
	waiting   bool // registered as a waiter
	signalled bool // woken by a signal or a timeout, on its way to try again
	fresh     bool // went to sleep after the GIL's last change of owner
	spinning  bool // legacy GIL: awake on a core waiting for the holder's check
}

// threadRT is what runs on the thread: its program, or the runtime (loop,
// hub) it serves, and the unit whose result row it charges now. (A pool
// worker's pool is in its threadRare.)
type threadRT struct {
	lp       *loop      // runtime threads: the scheduler they run
	unit     *unitStats // the unit it runs now (own, or a loop's current unit); nil for the start-up thread
	prog     program
	uidx     int32 // index of unit in engine.units
	polling  bool  // a loop thread asleep in its poll
	startup  bool  // its process's hidden main thread: start-up, then Thread.start of the others
	announce bool  // started by the main thread, whose start() waits for its first step
	cpython  bool  // a thread of a CPython process (pays the machine's costs), GIL or not
}

// newThread makes a thread of p (of spec ts; nil for a process's hidden
// start-up thread) and gives it the next index. Threads are cut from
// slabs: the first holds every thread the engine's list was made for (the
// scenario's threads, one allocation in file order, not one each: at
// 100,000 threads, 100,000 objects fewer to make and for the collector to
// mark, and neighbours in memory that run in order); the pools' workers,
// made as the run goes, come in slabs of a few.
func (e *engine) newThread(p *proc, ts *Thread, file int32) *thread {
	if len(e.slab) == 0 {
		n := 16
		if len(e.threads) == 0 {
			n = max(cap(e.threads), n)
		}
		e.slab = make([]thread, n)
		mapIn(e.slab)
		if len(e.threads) == 0 {
			e.first = e.slab
		}
	}
	t := &e.slab[0] // zero: a slab is never reused
	e.slab = e.slab[1:]
	t.idx, t.file, t.proc, t.spec = int32(len(e.threads)), file, p, ts
	t.os.core, t.gil.sleepPos = -1, -1
	t.gil.python = p.gil != nil
	t.rt.cpython = !p.spec.Native
	nice := p.spec.Nice
	if ts != nil {
		t.rt.prog = programIn(ts.Steps, &t.frames)
		t.os.priority = int32(ts.Priority)
		if ts.Nice != 0 {
			nice = ts.Nice
		}
	}
	t.os.nice = clampNice(nice)
	e.threads = append(e.threads, t)
	return t
}

// thread is thread i. Those of the first slab are found by their
// place in it, with no load of a pointer from e.threads (at 100,000
// threads a miss of its own before the thread's).
func (e *engine) thread(i int32) *thread {
	if uint(i) < uint(len(e.first)) {
		return &e.first[i]
	}
	return e.threads[i]
}

// weight is the thread's fair weight (its nice level's).
func (t *thread) weight() int64 { return niceWeight[int(t.os.nice)+20] }

// clampNice is a nice level within Linux's range.
func clampNice(n int) int8 { return int8(max(-20, min(19, n))) }

// unitStats accumulates one result row. The fields charged at changes of
// state come first, 56 bytes (in a thread, the rest of the fifth cache
// line after pendDur); those set once, or read only when the row is made,
// after.
type unitStats struct {
	start    int64
	cpu      int64
	wait     int64
	gil      int64
	io       int64
	switches int64
	lockWait int64
	name     string
	arrival  int64
	finish   int64
	proc     int32
	kind     unitKind
	done     bool
}

// unitKind is what a result row is.
type unitKind uint8

const (
	kindTask unitKind = iota
	kindThread
	kindCoroutine
	kindGreenlet
	kindGreenthread
	kindGen
)

var unitKindNames = [...]string{"task", "thread", "coroutine", "greenlet", "greenthread", "gen"}

func (k unitKind) String() string { return unitKindNames[k] }

// name is how results and messages call t.
func (t *thread) name() string {
	switch {
	case t.rt.unit != nil && t.rt.lp == nil:
		return t.rt.unit.name
	case t.spec != nil:
		return t.spec.Name
	}
	return "startup"
}

// groupName strips a replica suffix: "w#3" -> "w".
func groupName(n string) string {
	for i := len(n) - 1; i >= 0; i-- {
		if n[i] == '#' {
			return n[:i]
		}
	}
	return n
}
