package simulator

import (
	"math"
	"math/rand/v2"
)

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
)

// thread is one OS thread: a native task, a Python thread, or a hidden
// start-up thread that runs a process's interpreter start-up. Its state is
// split by the layer that owns it: what the OS knows of it (os), its place
// in its process's GIL (gil), and what its interpreter or runtime is doing
// (rt); a plain thread's result row is its own.
type thread struct {
	proc *proc
	spec *Thread
	idx  int32
	file int32 // expanded file order, for tie rules

	os  threadOS
	gil threadGIL
	rt  threadRT
	own unitStats // the result row of a plain thread
}

// threadOS is layer 1's view of a thread: where it is, what it runs on its
// core, and the policy's bookkeeping. (The fields of the thread's parts are
// ordered to pack: a thread is 320 bytes, and a million of them are the
// biggest scenario allowed.)
type threadOS struct {
	draws *[]int64 // sjf/srtf: pre-drawn durations of the current burst

	segLeft    int64
	segStart   int64
	arrival    int64
	vruntime   int64
	onSince    int64
	sliceBase  int64 // when the current quantum/slice began counting
	burstLeft  int64 // sjf/srtf: CPU left in the current burst
	since      int64 // when it entered its state
	core       int32
	priority   int32
	segGen     uint32
	ioGen      uint32 // generation of the block-done event (a poll can be cut short)
	sliceGen   uint32
	segSpeed   uint16 // the running work segment's speed in thousandths (multicore_speed); 0 = full
	state      thState
	seg        segKind
	afterSw    segKind // segment to start once a switch cost is paid
	blockWhy   BlockWhy
	nice       int8 // -20..19; its fair weight is weight()
	running    bool // a segment end event is live
	sliceArmed bool // its expiry event is scheduled
	inBurst    bool
	memCharged bool // its stack's memory is charged to its process
}

// threadGIL is layer 2's view of a thread: whether it holds its process's
// GIL, how it waits for it, and what it will do once through a forced
// drop's handshake.
type threadGIL struct {
	since     int64 // when its current series of timed waits began
	pendDur   int64
	pendStep  *Step
	sleepPos  int32 // index in gilState.sleeping, -1 if not there
	pend      pendKind
	python    bool // runs under its process's GIL
	held      bool
	waiting   bool // registered as a waiter
	signalled bool // woken by a signal or a timeout, on its way to try again
	fresh     bool // went to sleep after the GIL's last change of owner
	spinning  bool // legacy GIL: awake on a core waiting for the holder's check
}

// threadRT is what runs on the thread: its program, or the runtime (loop,
// hub, pool) it serves, and the unit whose result row it charges now.
type threadRT struct {
	lp      *loop      // runtime threads: the scheduler they run
	pool    *worker    // pool workers: their pool and current job
	unit    *unitStats // the unit it runs now (own, or a loop's current unit); nil for the start-up thread
	prog    program
	uidx    int32 // index of unit in engine.units
	polling bool  // a loop thread asleep in its poll
	startup bool  // the hidden start-up thread of its process
	cpython bool  // a thread of a CPython process (pays the machine's costs), GIL or not
}

// weight is the thread's fair weight (its nice level's).
func (t *thread) weight() int64 { return niceWeight[int(t.os.nice)+20] }

// clampNice is a nice level within Linux's range.
func clampNice(n int) int8 { return int8(max(-20, min(19, n))) }

// unitStats accumulates one result row.
type unitStats struct {
	name     string
	arrival  int64
	start    int64
	finish   int64
	cpu      int64
	wait     int64
	gil      int64
	io       int64
	lockWait int64
	switches int64
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

type core struct {
	cur  int32
	last int32
	busy int64
}

type lockState struct {
	name    string
	holder  *unitStats // the thread or unit holding it
	waiters []lockWaiter
	head    int
}

// lockWaiter is a thread blocked on a lock (m set when it is a loop thread
// blocked on behalf of its unit m), or a cooperative unit parked on it (t
// nil).
type lockWaiter struct {
	t *thread
	m *member
	s *Step
}

type proc struct {
	idx      int
	spec     *Process
	name     string
	gil      *gilState
	locks    []lockState
	startAt  int64 // when its threads' `at` starts counting
	memNow   int64
	memPeak  int64
	nthreads int  // threads not finished yet
	started  bool // its memory is charged
	threads  []*thread
}

type engine struct {
	sc    *Scenario
	m     Machine
	opt   Options
	rng   *rand.Rand
	q     eventQueue
	pol   osPolicy // layer 1's scheduling policy
	now   int64
	evs   int64
	inner int64 // passes of loops inside events (spin)
	scans int64 // candidates looked at by the schedulers' searches: the complexity tests bound it
	cores []core

	threads []*thread
	procs   []*proc
	units   []*unitStats
	idle    map[*Step]bool

	readyNow []*thread
	expired  []*thread

	unfinished int
	compactAt  int // heap size at which stale events are swept out
	warned     map[warnKey]bool
	memNow     int64
	memPeak    int64
	ctxSwitch  int64
	cpuTime    int64
	swTime     int64
	failure    *Failure
	limit      *LimitError
	warnings   []Warning
	lastFinish int64
	busyCores  int  // cores with a thread on them
	unarmed    bool // a slice began while nobody waited: its expiry is not scheduled
	// multicore_speed (multicore.go)
	slowed      bool   // it slows work down at all (set once)
	lastSpeed   uint16 // the speed at the last retime
	mixedSpeeds bool   // a segment started at another speed since
}

// Run simulates sc and returns what happened. It is deterministic: the same
// scenario gives the same Result, whatever the machine or GOMAXPROCS.
func Run(sc *Scenario, opt Options) (*Result, error) {
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = DefaultMaxEvents
	}
	if opt.MaxTime <= 0 || opt.MaxTime > DefaultMaxTime {
		// past 2^62 ns a time that saturates at MaxInt64 would not pass
		// the limit, and the clock would stand still there
		opt.MaxTime = DefaultMaxTime
	}
	e := newEngine(sc, opt)
	e.compactAt = max(minCompact, 4*e.q.heapLen())
	e.loop()
	if e.limit != nil {
		return nil, e.limit
	}
	res := e.result()
	Evaluate(sc, res)
	return res, nil
}

func newEngine(sc *Scenario, opt Options) *engine {
	cores := sc.Cores
	if cores < 1 {
		cores = 1
	}
	e := &engine{
		sc:        sc,
		m:         sc.Machine,
		opt:       opt,
		rng:       rand.New(rand.NewPCG(sc.Seed, 0x9e3779b97f4a7c15)),
		lastSpeed: 1000,
		slowed:    sc.Machine.MulticoreSpeedPermille > 0 && sc.Machine.MulticoreSpeedPermille < 1000 && cores > 1,
		cores:     make([]core, cores),
		idle:      map[*Step]bool{},
	}
	for i := range e.cores {
		e.cores[i] = core{cur: -1, last: -1}
	}
	e.pol = newPolicy(e)
	// the entities' slices at their final sizes: grown by appends, their
	// copies were a third of a big run's allocations
	nt, nu := 0, 0
	for _, ps := range sc.Processes {
		nt += len(ps.Threads) + 1
		for _, ts := range ps.Threads {
			nu += 1 + len(ts.Members)
		}
	}
	e.procs = make([]*proc, 0, len(sc.Processes))
	e.threads = make([]*thread, 0, nt)
	e.units = make([]*unitStats, 0, nu)
	seen := map[*Step]bool{}
	var file int32
	for pi, ps := range sc.Processes {
		p := &proc{idx: pi, spec: ps, name: ps.Name, startAt: ps.Arrival}
		if !ps.Native && ps.GIL.Mode != GILOff {
			p.gil = &gilState{mode: ps.GIL.Mode, interval: ps.GIL.Interval, check: ps.GIL.Check, proc: pi}
			if p.gil.interval <= 0 {
				p.gil.interval = 5_000_000
			}
			if p.gil.check <= 0 {
				p.gil.check = 100
			}
			if p.gil.mode == GILInterval {
				// capped so that phase arithmetic cannot overflow
				p.gil.period = min(satAdd(satAdd(p.gil.interval, e.m.TimerSlack), e.m.WakeupLatency), 1<<60)
				p.gil.initWaits()
			}
		}
		p.locks = make([]lockState, len(ps.Locks))
		for i, n := range ps.Locks {
			p.locks[i].name = n
		}
		e.procs = append(e.procs, p)
		if !ps.Native && ps.Startup > 0 {
			t := e.newThread(p, nil, file)
			t.rt.startup = true
			t.os.arrival = ps.Arrival
			t.os.seg, t.os.segLeft = segStartup, ps.Startup
			e.q.push(event{at: ps.Arrival, kind: evArrive, th: t.idx})
			p.startAt = -1 // set when start-up ends
		}
		for _, ts := range ps.Threads {
			file++
			mark := func(steps []Step) {
				if len(steps) > 0 && !seen[&steps[0]] {
					seen[&steps[0]] = true
					markIdle(steps, e.idle)
				}
			}
			mark(ts.Steps)
			for _, m := range ts.Members {
				mark(m.Steps)
			}
			t := e.newThread(p, ts, file)
			p.threads = append(p.threads, t)
			p.nthreads++
			if ts.Kind != ThreadPlain {
				t.rt.uidx = -1
				e.newLoop(t, ts, p)
			} else {
				kind := kindThread
				if ps.Native {
					kind = kindTask
				}
				t.own = unitStats{name: ts.Name, kind: kind, proc: int32(pi), start: -1, finish: -1}
				t.rt.unit = &t.own
				t.rt.uidx = int32(len(e.units))
				e.units = append(e.units, t.rt.unit)
				e.unfinished++
			}
			if p.startAt >= 0 {
				t.os.arrival = p.startAt + ts.Arrival
				if ps.Native {
					t.os.arrival = ts.Arrival
				}
				e.q.push(event{at: t.os.arrival, kind: evArrive, th: t.idx})
			}
		}
	}
	return e
}

func (e *engine) newThread(p *proc, ts *Thread, file int32) *thread {
	t := &thread{idx: int32(len(e.threads)), file: file, proc: p, spec: ts}
	t.os.core, t.gil.sleepPos = -1, -1
	t.gil.python = p.gil != nil
	t.rt.cpython = !p.spec.Native
	nice := p.spec.Nice
	if ts != nil {
		t.rt.prog = newProgram(ts.Steps)
		t.os.priority = int32(ts.Priority)
		if ts.Nice != 0 {
			nice = ts.Nice
		}
	}
	t.os.nice = clampNice(nice)
	e.threads = append(e.threads, t)
	return t
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

// loop pops events in (time, sequence) order. All events of an instant are
// applied before the dispatch of that instant.
func (e *engine) loop() {
	var ev event
	for {
		if e.q.len() == 0 {
			if len(e.readyNow) > 0 || len(e.expired) > 0 || (e.pol.waiting() > 0 && e.idleCore()) {
				e.dispatch()
				if e.failure != nil || e.limit != nil {
					return
				}
				if e.slowed {
					e.retime()
				}
				if e.q.len() > 0 {
					continue
				}
			}
			break
		}
		if e.q.heapLen() > e.compactAt {
			e.q.compact(e.stale)
			e.compactAt = max(minCompact, 4*e.q.heapLen())
		}
		e.q.pop(&ev)
		if ev.at > e.opt.MaxTime {
			e.limit = &LimitError{What: "time", Limit: e.opt.MaxTime, At: e.now}
			return
		}
		var t *thread
		var live bool
		if ev.kind == evGILCheck {
			g := e.procs[ev.th].gil
			live = g != nil && ev.gen == g.tw.gen
		} else {
			t = e.threads[ev.th]
			live = e.live(&ev, t)
		}
		if live {
			e.now = ev.at
			if e.tick() {
				return
			}
			e.handle(&ev, t)
			if e.failure != nil || e.limit != nil {
				return
			}
		}
		// a stale last event of an instant must not skip its dispatch
		if e.q.len() == 0 || e.q.peek().at != e.now {
			e.dispatch()
			if e.failure != nil || e.limit != nil {
				return
			}
			if e.slowed {
				e.retime()
			}
		}
	}
}

// minCompact is the event-heap size below which stale events are left to
// come up on their own.
const minCompact = 1 << 16

// stale says whether ev was cancelled for good: its generation is behind
// its target's (generations only grow).
func (e *engine) stale(ev *event) bool {
	switch ev.kind {
	case evGILCheck:
		g := e.procs[ev.th].gil
		return g == nil || ev.gen != g.tw.gen
	case evArrive, evWake:
		return false
	}
	t := e.threads[ev.th]
	switch ev.kind {
	case evSegment:
		return ev.gen != t.os.segGen
	case evSlice:
		return ev.gen != t.os.sliceGen
	case evBlockDone:
		return ev.gen != t.os.ioGen
	case evLegacyCheck:
		return t.proc.gil == nil || ev.gen != t.proc.gil.legacyGen
	}
	return false
}

// tick counts one unit of simulation work and enforces --max-events.
func (e *engine) tick() bool {
	e.evs++
	if e.evs+e.inner > e.opt.MaxEvents {
		e.limit = &LimitError{What: "events", Limit: e.opt.MaxEvents, At: e.now}
		return true
	}
	return false
}

// spin counts one pass of a loop inside an event that is not an event of
// its own (a GIL check waking several waiters), so that
// --max-events bounds the work of a run even if such a loop were to go on
// without end. The passes are not reported as events.
func (e *engine) spin() bool {
	e.inner++
	if e.evs+e.inner > e.opt.MaxEvents {
		if e.limit == nil {
			e.limit = &LimitError{What: "events", Limit: e.opt.MaxEvents, At: e.now}
		}
		return true
	}
	return false
}

func (e *engine) live(ev *event, t *thread) bool {
	switch ev.kind {
	case evSegment:
		return ev.gen == t.os.segGen && t.os.state == stCore && t.os.running
	case evSlice:
		return ev.gen == t.os.sliceGen && t.os.state == stCore
	case evBlockDone:
		return ev.gen == t.os.ioGen && t.os.state == stIO
	case evLegacyCheck:
		return t.proc.gil != nil && ev.gen == t.proc.gil.legacyGen && t.os.state == stCore && t.os.running && t.os.seg == segCPU && t.gil.held
	case evGoOn:
		return ev.gen == t.os.segGen && t.os.state == stCore && !t.os.running && !t.gil.spinning
	}
	return true
}

func (e *engine) handle(ev *event, t *thread) {
	switch ev.kind {
	case evArrive:
		e.arrive(t)
	case evSegment:
		e.segmentDone(t)
	case evBlockDone:
		e.blockDone(t)
	case evWake:
		e.makeReady(t, true)
	case evGILCheck:
		e.gilCheck(e.procs[ev.th].gil)
	case evSlice:
		e.expired = append(e.expired, t)
	case evLegacyCheck:
		e.legacyCheck(t)
	case evGoOn:
		e.run(t)
	}
}

func (e *engine) arrive(t *thread) {
	p := t.proc
	if !p.spec.Native && !p.started {
		p.started = true
		if !e.alloc(p, p.name, e.m.MemProcess) {
			return
		}
	}
	if !t.rt.startup && !p.spec.Native {
		if !e.alloc(p, p.name+"/"+t.name(), e.m.MemThread) {
			return
		}
		t.os.memCharged = true
	}
	if t.rt.unit != nil {
		t.rt.unit.arrival = e.now
	}
	t.os.since = e.now
	e.makeReady(t, false)
}

// alloc charges n bytes of resident memory to p, and fails the run the way
// the real system would when the machine has no room left.
func (e *engine) alloc(p *proc, who string, n int64) bool {
	if n <= 0 {
		return true
	}
	if e.m.MemTotal > 0 && n > e.m.MemTotal-e.memNow {
		e.failure = &Failure{Time: e.now, Entity: who,
			Message: "out of memory: cannot create " + who + " (needs " + FormatSize(n) + ", " +
				FormatSize(e.m.MemTotal-e.memNow) + " free of " + FormatSize(e.m.MemTotal) + ")"}
		return false
	}
	e.memNow += n
	p.memNow += n
	if p.memNow > p.memPeak {
		p.memPeak = p.memNow
	}
	if e.memNow > e.memPeak {
		e.memPeak = e.memNow
	}
	return true
}

// release gives back n bytes of p's memory.
func (e *engine) release(p *proc, n int64) {
	e.memNow -= n
	p.memNow -= n
}

// setState moves t to s and charges the time spent in the old state.
func (e *engine) setState(t *thread, s thState) {
	if u := t.rt.unit; u != nil {
		d := e.now - t.os.since
		switch t.os.state {
		case stReady:
			u.wait += d
			e.span(t, SpanReady, t.os.since)
		case stIO:
			u.io += d
			e.spanWhy(t, t.os.blockWhy, t.os.since)
		case stLock:
			u.lockWait += d
			e.spanWhy(t, BlockLock, t.os.since)
		case stGIL:
			u.gil += d
			u.wait += d
			e.span(t, SpanGILWait, t.os.since)
		}
	}
	t.os.state = s
	t.os.since = e.now
}

func (e *engine) spanWhy(t *thread, why BlockWhy, start int64) {
	if e.opt.Trace == nil || t.rt.unit == nil || start == e.now {
		return
	}
	e.opt.Trace(Span{Entity: int(t.rt.uidx), Process: t.proc.idx, Kind: SpanBlocked, Core: -1, Why: why, Start: start, End: e.now})
}

func (e *engine) span(t *thread, k SpanKind, start int64) {
	if e.opt.Trace == nil || start == e.now {
		return
	}
	c := -1
	if k == SpanRunning || k == SpanSwitching {
		c = int(t.os.core)
	}
	ent := -1
	if t.rt.unit != nil {
		ent = int(t.rt.uidx)
	} else if c < 0 {
		return // only the core time of a process's own work is shown
	}
	e.opt.Trace(Span{Entity: ent, Process: t.proc.idx, Kind: k, Core: c, HasGIL: t.gil.held && k == SpanRunning, Start: start, End: e.now})
}

// makeReady makes t runnable. woke says it comes back from sleeping (for
// the fair policy's placement).
func (e *engine) makeReady(t *thread, woke bool) {
	e.pol.admit(t, woke)
	e.setState(t, stReady)
	e.readyNow = append(e.readyNow, t)
}

// dispatch gives idle cores to ready threads and applies preemption.
func (e *engine) dispatch() {
	for {
		changed := false
		if len(e.readyNow) > 0 {
			rn := e.readyNow
			sortThreads(rn, func(a, b *thread) bool { return a.file < b.file })
			for _, t := range rn {
				e.pol.enqueue(t)
			}
			e.readyNow = rn[:0]
			changed = true
		}
		if len(e.expired) > 0 {
			ex := e.expired
			sortThreads(ex, func(a, b *thread) bool { return a.os.core < b.os.core })
			for _, t := range ex {
				if t.os.state != stCore {
					continue
				}
				if e.pol.waiting() > 0 {
					e.preempt(t)
				} else {
					e.beginSlice(t, e.now)
				}
			}
			e.expired = ex[:0]
			changed = true
		}
		for c := range e.cores {
			if e.pol.waiting() == 0 {
				break
			}
			if e.cores[c].cur < 0 {
				if t := e.pol.next(c); t != nil {
					e.place(t, c)
					changed = true
				}
			}
		}
		if e.pol.waiting() > 0 {
			// someone waits for a core: every running slice now matters
			// (those begun while nobody waited are not scheduled yet)
			if e.unarmed {
				e.unarmed = false
				for c := range e.cores {
					if id := e.cores[c].cur; id >= 0 {
						e.armSlice(e.threads[id])
					}
				}
			}
			if v := e.pol.victim(); v != nil {
				e.preempt(v)
				changed = true
			}
		}
		if !changed && len(e.readyNow) == 0 && len(e.expired) == 0 {
			return
		}
	}
}

// sortThreads is a stable insertion sort: the lists sorted per instant are
// short and mostly in order already, and it allocates nothing.
func sortThreads(ts []*thread, less func(a, b *thread) bool) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && less(ts[j], ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// remaining is a running thread's CPU left in its burst (srtf).
func (e *engine) remaining(t *thread) int64 {
	r := t.os.burstLeft
	if t.os.seg == segCPU || t.os.seg == segNative {
		r -= e.segWork(t)
	}
	return r
}

// place puts t on core c.
func (e *engine) place(t *thread, c int) {
	cr := &e.cores[c] // idle: dispatch and the legacy GIL's hand-over place on idle cores only
	e.busyCores++
	cr.cur = t.idx
	t.os.core = int32(c)
	e.setState(t, stCore)
	t.os.onSince = e.now
	if t.rt.unit != nil {
		t.rt.unit.switches++
	}
	e.pol.onCore(t)
	switched := cr.last >= 0 && cr.last != t.idx
	cr.last = t.idx
	if switched {
		e.ctxSwitch++
	}
	if switched && e.m.ContextSwitch > 0 {
		// the fair policy counts t's run from the end of the switch: the
		// cost is the kernel's, and charged to t's vruntime it made t look
		// worse than the thread it replaced, which then took the core back
		// the instant the switch ended (a switch cost of a slice or more
		// livelocked two threads, each paying it without ever running)
		t.os.onSince = e.after(e.m.ContextSwitch)
		t.os.afterSw = t.os.seg
		left := t.os.segLeft
		t.os.seg = segSwitch
		t.os.segLeft = e.m.ContextSwitch
		e.beginSlice(t, e.after(e.m.ContextSwitch))
		e.startSegment(t)
		t.os.segLeft = left
		return
	}
	e.beginSlice(t, e.now)
	e.run(t)
}

// run advances t on its core with the interpreter its kind needs.
func (e *engine) run(t *thread) {
	if t.rt.lp != nil {
		e.runLoop(t)
		return
	}
	e.runOnCore(t)
}

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

// beginSlice starts t's quantum (round_robin) or fair slice at from. Its
// expiry is scheduled only once another thread waits for a core, so a
// machine with spare cores spends no events on slices.
func (e *engine) beginSlice(t *thread, from int64) {
	t.os.sliceBase = from
	t.os.sliceArmed = false
	t.os.sliceGen++
	if e.pol.waiting() > 0 {
		e.armSlice(t)
	} else {
		e.unarmed = true
	}
}

// armSlice schedules the end of t's current slice, if its policy has
// slices; a slice already used up ends now.
func (e *engine) armSlice(t *thread) {
	if t.os.sliceArmed {
		return
	}
	at, ok := e.pol.sliceEnd(t)
	if !ok {
		return
	}
	if at < e.now {
		at = e.now
	}
	t.os.sliceArmed = true
	e.q.push(event{at: at, kind: evSlice, th: t.idx, gen: t.os.sliceGen})
}

// startSegment runs t's current segment on its core until it ends.
func (e *engine) startSegment(t *thread) {
	t.os.running = true
	t.os.segStart = e.now
	t.os.segGen++
	d := t.os.segLeft
	t.os.segSpeed = 0
	if e.slowed && t.scalable() {
		s := e.speedNow()
		if s < 1000 {
			t.os.segSpeed = s
			d = wallFor(d, s)
		}
		if s != e.lastSpeed {
			e.mixedSpeeds = true
		}
	}
	e.q.push(event{at: e.after(d), kind: evSegment, th: t.idx, gen: t.os.segGen})
}

// stopSegment charges the part of t's running segment done so far and
// cancels its end event. A thread with no running segment is left alone.
func (e *engine) stopSegment(t *thread) {
	if t.gil.spinning {
		e.stopSpin(t)
	}
	if !t.os.running {
		return
	}
	t.os.running = false
	d := e.now - t.os.segStart
	w := e.segWork(t) // d, unless multicore_speed slows the segment
	t.os.segSpeed = 0
	t.os.segGen++
	if t.os.core >= 0 {
		e.cores[t.os.core].busy += d
	}
	switch t.os.seg {
	case segCPU, segNative:
		t.os.segLeft -= w
		e.cpuTime += d
		if t.rt.unit != nil {
			t.rt.unit.cpu += d
		}
		if t.os.inBurst {
			t.os.burstLeft -= w
		}
		e.span(t, SpanRunning, t.os.segStart)
	case segStartup:
		t.os.segLeft -= w
		e.cpuTime += d
		e.span(t, SpanRunning, t.os.segStart)
	case segSwitch:
		e.swTime += d
		e.span(t, SpanSwitching, t.os.segStart)
		// a switch cut short is paid again next time
		t.os.seg = t.os.afterSw
		t.os.afterSw = segNone
		return
	}
	if t.os.segLeft <= 0 {
		t.os.seg = segNone
		t.os.segLeft = 0
	}
}

// stopSpin ends a legacy waiter's spin on its core.
func (e *engine) stopSpin(t *thread) {
	t.gil.spinning = false
	d := e.now - t.os.segStart
	if t.os.core >= 0 {
		e.cores[t.os.core].busy += d
	}
	if t.rt.unit != nil {
		t.rt.unit.gil += d
		t.rt.unit.wait += d
	}
	e.span(t, SpanGILWait, t.os.segStart)
	if g := t.proc.gil; g != nil && g.spinner == t {
		g.spinner = nil
	}
}

// leaveCore takes t off its core without touching its state.
func (e *engine) leaveCore(t *thread) {
	if t.os.core < 0 {
		return
	}
	e.cores[t.os.core].cur = -1
	e.busyCores--
	e.pol.offCore(t)
	t.os.core = -1
	t.os.sliceGen++
	if g := t.proc.gil; g != nil && t.gil.held {
		g.legacyGen++ // the holder's pending check is void off its core
	}
}

// preempt is the OS taking the core from t; t stays runnable.
func (e *engine) preempt(t *thread) {
	e.stopSegment(t)
	e.leaveCore(t)
	if g := t.proc.gil; g != nil && t.gil.held && g.spinner != nil {
		e.unspin(g)
	}
	e.setState(t, stReady)
	e.pol.enqueue(t)
}

func (e *engine) segmentDone(t *thread) {
	switch t.os.seg {
	case segSwitch:
		e.stopSegment(t)
		e.run(t)
		return
	case segStartup:
		e.stopSegment(t)
		e.startupDone(t)
		return
	}
	e.stopSegment(t)
	e.run(t)
}

// startupDone releases a process's threads once its interpreter is up.
func (e *engine) startupDone(t *thread) {
	p := t.proc
	p.startAt = e.now
	e.leaveCore(t)
	e.setState(t, stDone)
	for _, th := range p.threads {
		th.os.arrival = e.after(th.spec.Arrival)
		e.q.push(event{at: th.os.arrival, kind: evArrive, th: th.idx})
	}
}

// blockDone is the end of t's blocking call (or of a loop's poll).
func (e *engine) blockDone(t *thread) {
	if l := t.rt.lp; l != nil {
		t.rt.polling = false
		if m := l.cur; m != nil && m.prog.atEnd() {
			// the unit's last step ended with this blocking call: charge
			// the call to it, then finish it
			e.setState(t, stIO)
			for {
				k, _, lock := m.prog.next(e.idle)
				if k != leafRelease {
					break
				}
				e.unlock(t.proc, lock)
			}
			e.finishUnit(l, m)
			if l.left == 0 && len(l.timers.h) == 0 && l.ready.len() == 0 {
				e.finish(t) // nothing left for the loop: its thread ends here
				return
			}
		}
		e.wake(t)
		return
	}
	if t.rt.pool == nil && t.rt.prog.atEnd() {
		e.drainReleases(t)
		e.finish(t)
		return
	}
	e.wake(t)
}

// block puts t to sleep for d (io or sleep).
func (e *engine) block(t *thread, d int64) {
	e.leaveCore(t)
	e.setState(t, stIO)
	t.os.ioGen++
	e.q.push(event{at: e.after(d), kind: evBlockDone, th: t.idx, gen: t.os.ioGen})
}

// wake makes a sleeping thread runnable after the OS wake-up latency (a
// blocking call returned, or a GIL waiter was signalled). The latency is
// one constant, so wake-ups are pushed in time order.
func (e *engine) wake(t *thread) {
	if t.rt.cpython && e.m.WakeupLatency > 0 {
		e.q.pushInOrder(event{at: e.after(e.m.WakeupLatency), kind: evWake, th: t.idx})
		return
	}
	e.makeReady(t, true)
}

// draw returns the duration of step s for t.
func (e *engine) draw(t *thread, s *Step) int64 {
	if s.Dur.Kind == DistFixed {
		return s.Dur.A
	}
	if (s.Op == OpCPU || s.Op == OpNative) && t.os.draws != nil && len(*t.os.draws) > 0 {
		d := (*t.os.draws)[0]
		*t.os.draws = (*t.os.draws)[1:]
		return d
	}
	return Draw(s.Dur, e.rng)
}

// Draw draws one duration of d from r, in whole nanoseconds: uniform
// over [A, B] inclusive, exponential of mean A, normal of mean A and
// deviation B; negative draws are 0, and huge ones are cut at drawCap,
// which is past every time limit: such a draw stops the run at the time
// limit, as a fixed duration of that size does.
// The engine draws steps with it from the run's generator, and the dsl
// draws `at` distributions with it when a file is loaded.
func Draw(d Dist, r *rand.Rand) int64 {
	var v float64
	switch d.Kind {
	case DistFixed:
		return d.A
	case DistUniform:
		if d.B <= d.A {
			return d.A
		}
		return d.A + int64(r.Uint64N(uint64(d.B-d.A)+1))
	case DistExp:
		v = r.ExpFloat64() * float64(d.A)
	case DistNormal:
		v = float64(d.A) + r.NormFloat64()*float64(d.B)
	}
	if v < 0 || math.IsNaN(v) {
		return 0
	}
	if v >= float64(drawCap) {
		return drawCap
	}
	return int64(math.Round(v))
}

// drawCap is the largest duration Draw returns: one past the longest time
// limit (DefaultMaxTime). The engine adds durations to times with
// saturating arithmetic, so a capped draw runs into the time limit.
const drawCap = DefaultMaxTime + 1

// maxBurstDraws bounds how far ahead a burst is drawn for sjf/srtf; past
// it the distributions' means stand in for the estimate.
const maxBurstDraws = 1024

// ensureBurst computes t's next CPU burst (sjf, srtf) when it is at the
// start of one: the run of cpu/native steps up to the next blocking step,
// with its distributions drawn now.
func (e *engine) ensureBurst(t *thread) {
	if t.os.inBurst || t.rt.unit == nil {
		if t.rt.unit == nil && !t.os.inBurst {
			t.os.burstLeft, t.os.inBurst = t.os.segLeft, true
		}
		return
	}
	t.os.inBurst = true
	if t.os.draws == nil {
		t.os.draws = new([]int64)
	}
	draws := (*t.os.draws)[:0]
	total := t.os.segLeft
	cp := program{stack: append([]frame(nil), t.rt.prog.stack...)}
	n := 0
	for n < 1<<20 {
		n++
		k, s, _ := cp.next(e.idle)
		if k != leafStep || (s.Op != OpCPU && s.Op != OpNative) {
			break
		}
		var d int64
		if s.Dur.Kind == DistFixed {
			d = s.Dur.A
		} else if len(draws) < maxBurstDraws {
			d = Draw(s.Dur, e.rng)
			draws = append(draws, d)
		} else {
			d = mean(s.Dur)
		}
		total = satAdd(total, e.scaleCPU(t, s, d))
	}
	*t.os.draws = draws
	t.os.burstLeft = total
}

func mean(d Dist) int64 {
	switch d.Kind {
	case DistUniform:
		return d.A + (d.B-d.A)/2
	}
	return d.A
}

// after is the instant d from now, saturated so that an absurd duration
// runs into the time limit instead of wrapping around.
func (e *engine) after(d int64) int64 { return satAdd(e.now, d) }

// satMul is a*b for a, b >= 0, saturated at MaxInt64.
func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// scaleCPU applies the free-threaded build's overhead to bytecode.
func (e *engine) scaleCPU(t *thread, s *Step, d int64) int64 {
	if s.Op != OpCPU || t.proc.spec.Native || t.proc.spec.GIL.Mode != GILOff {
		return d
	}
	pm := e.m.FreeThreadingOverheadPermille
	if pm <= 0 || pm == 1000 {
		return d
	}
	if d > math.MaxInt64/pm {
		return math.MaxInt64 / 1000
	}
	return (d*pm + 500) / 1000
}
