package simulator

import (
	"math"
	"math/rand/v2"
	"slices"
)

// proc is one process: a native task's, or a CPython interpreter's. It is
// 128 bytes, two cache lines (the processes are one array, engine.go's
// newEngine): what its result row reads, then what its threads' events
// use; what only a process whose main thread starts threads needs is in
// its procStarter.
type proc struct {
	// what its result row reads comes first, in one cache line (at
	// 100,000 native tasks a process is seldom in cache: its row costs a
	// miss, not three)
	name    string
	gil     *gilState
	memPeak int64
	locks   []*lockState
	loops   int32 // threads[:loops] holds its threads that run a loop (result)
	native  bool  // spec.Native
	started bool  // its memory is charged

	spec     *Process
	startAt  int64 // when its threads' `at` starts counting
	memNow   int64
	threads  []*thread
	idx      int32
	nthreads int32        // threads not finished yet (of a CPython process: a native one charges no memory)
	starter  *procStarter // nil unless it has a hidden main thread
}

// procStarter is a CPython process's hidden main thread (start-up, then
// Thread.start of its plain threads), the threads it starts in order, and
// the next one.
type procStarter struct {
	main      *thread
	toStart   []*thread
	nextStart int
	announced int // started threads that have run their bootstrap
}

// mainThread is p's hidden main thread, nil when it has none.
func (p *proc) mainThread() *thread {
	if p.starter == nil {
		return nil
	}
	return p.starter.main
}

type engine struct {
	sc  *Scenario
	m   Machine
	opt Options
	rng *rand.Rand
	q   eventQueue
	// the slice ends go to the event queue's slice lane (few cores);
	// else to its heap
	lane bool
	pol  osPolicy // layer 1's scheduling policy
	// waiting counts the threads in the policy's queue (enqueue, and the
	// dispatch's next): the engine asks it at every instant
	waiting   int
	now       int64
	evs       int64
	inner     int64  // passes of loops inside events (spin)
	scans     int64  // candidates looked at by the schedulers' searches: the complexity tests bound it
	mainSteps []Step // the main threads' program (start.go)
	cores     []core
	// drawsAhead: some thread has durations drawn ahead (sjf/srtf's
	// bursts, threadRare.draws): until then a draw does not look at them
	drawsAhead bool

	threads []*thread
	slab    []thread // room for the threads still to be made (thread.go's newThread)
	first   []thread // the first slab: thread i < len(first) is &first[i] (it is made before any of another)
	procs   []*proc
	// sharedLocks are the multiprocessing locks of processes with
	// SharedLocks, by name
	sharedLocks map[string]*lockState
	units       []*unitStats
	idle        map[*Step]bool

	readyNow []*thread
	// readyMixed: readyNow is not in file order (makeReady saw a thread
	// of an earlier file come after a later one), and dispatch sorts it
	readyMixed bool
	expired    []*thread

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
	stopped    bool // failure or limit is set: the loop ends
	warnings   []Warning
	lastFinish int64
	busyCores  int       // cores with a thread on them
	unarmed    []*thread // threads whose slice began while nobody waited: its expiry is not scheduled
	idleCores  coreSet   // the cores with no thread on them
	busySet    coreSet   // the others (kept for multicore_speed only)
	// multicore_speed (multicore.go)
	slowed      bool   // it slows work down at all (set once)
	lastSpeed   uint16 // the speed at the last retime
	mixedSpeeds bool   // a segment started at another speed since
}

// Run simulates sc and returns what happened. It is deterministic: the same
// scenario gives the same Result, whatever the machine or GOMAXPROCS.
func Run(sc *Scenario, opt Options) (*Result, error) {
	if err := Validate(sc); err != nil {
		return nil, err
	}
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = DefaultMaxEvents
	}
	if opt.MaxTime <= 0 || opt.MaxTime > DefaultMaxTime {
		// past 2^62 ns a time that saturates at MaxInt64 would not pass
		// the limit, and the clock would stand still there
		opt.MaxTime = DefaultMaxTime
	}
	e, res := runEngine(sc, opt)
	if e.limit != nil {
		return nil, e.limit
	}
	return res, nil
}

// runEngine runs a validated sc with opt's limits set, and returns the
// engine after the run (for the benchmarks' measures) and its Result (nil
// when a limit stopped it).
func runEngine(sc *Scenario, opt Options) (*engine, *Result) {
	e := newEngine(sc, opt)
	e.loop()
	if e.limit != nil {
		return e, nil
	}
	res := e.result()
	Evaluate(sc, res)
	return e, res
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
		warnings:  append([]Warning(nil), sc.Warnings...),
		slowed:    sc.Machine.MulticoreSpeedPermille > 0 && sc.Machine.MulticoreSpeedPermille < 1000 && cores > 1,
		cores:     make([]core, cores),
		idle:      map[*Step]bool{},
	}
	e.idleCores = newCoreSet(cores)
	if cores <= sliceLaneMax {
		e.lane = true
		e.q.initCores(cores, 2*cores <= laneScanMax)
	}
	if e.slowed {
		e.busySet = newCoreSet(cores)
	}
	for i := range e.cores {
		e.cores[i] = core{cur: -1, last: -1}
		e.idleCores.add(i)
	}
	e.pol = newPolicy(e)
	// the entities' slices at their final sizes: grown by appends, their
	// copies were a third of a big run's allocations
	// (counted from the processes alone, not from each thread: at
	// 100,000 native tasks, 100,000 misses fewer; newLoop makes room for
	// its members' rows)
	nt, npt := 0, 0
	for _, ps := range sc.Processes {
		nt += len(ps.Threads)
		npt += len(ps.Threads)
		if hasStartup(ps) {
			nt++
		}
	}
	e.procs = make([]*proc, 0, len(sc.Processes))
	e.threads = make([]*thread, 0, nt)
	e.units = make([]*unitStats, 0, npt)
	// the processes cut from one array (at 100,000 native tasks,
	// 100,000 objects fewer to make and mark), each one's list of
	// threads a part of e.threads (newEngine's threads are made in
	// process order, after the process's start-up thread); the
	// arrivals' FIFO lane and the ready lists at their sizes
	procs := make([]proc, len(sc.Processes))
	mapIn(procs)
	e.q.fifo = make([]event, 0, nt)
	e.readyNow = make([]*thread, 0, nt)
	// (the lists are filled as the entities are made, or by the
	// arrivals of one instant: their pages mapped in at once too)
	prefaultSlice(e.threads)
	prefaultSlice(e.readyNow)
	prefaultSlice(e.units)
	prefaultSlice(e.q.fifo)
	if fp, ok := e.pol.(*fairPolicy); ok {
		fp.h = slices.Grow(fp.h, min(nt, fairSplitMin+1))
	}
	seen := map[*Step]bool{}
	var file int32
	for pi, ps := range sc.Processes {
		p := &procs[pi]
		e.newProc(p, pi, ps, file)
		at, k := len(e.threads), len(ps.Threads)
		p.threads = e.threads[at : at : at+k]
		for _, ts := range ps.Threads {
			file++
			e.markIdleOnce(ts, seen)
			e.addThread(p, ts, file)
		}
	}
	e.compactAt = max(minCompact, 4*e.q.heapLen())
	return e
}

// newProc builds process pi in p (zero): its GIL, its locks, and the hidden thread of
// its interpreter's start-up.
func (e *engine) newProc(p *proc, pi int, ps *Process, file int32) {
	p.idx, p.spec, p.name, p.startAt, p.native = int32(pi), ps, ps.Name, ps.Arrival, ps.Native
	if !ps.Native && ps.GIL.Mode != GILOff {
		p.gil = &gilState{mode: ps.GIL.Mode, interval: ps.GIL.Interval, check: ps.GIL.Check, proc: pi,
			listed: ps.GIL.Mode != GILInterval || e.m.GILHandoff == GILHandoffRandom}
		if e.m.GILHandoff == GILHandoffFIFO {
			p.gil.fifo = []fifoWaiter{}
		}
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
	p.locks = make([]*lockState, len(ps.Locks))
	own := make([]lockState, len(ps.Locks))
	for i, n := range ps.Locks {
		l := &own[i]
		l.name, l.size = n, 1
		if i < len(ps.LockSizes) && ps.LockSizes[i] > 0 {
			l.sem, l.size = true, ps.LockSizes[i]
		}
		if ps.SharedLocks {
			if e.sharedLocks == nil {
				e.sharedLocks = map[string]*lockState{}
			}
			if sl, ok := e.sharedLocks[n]; ok {
				l = sl
			} else {
				l.shared = true
				e.sharedLocks[n] = l
			}
		}
		p.locks[i] = l
	}
	e.procs = append(e.procs, p)
	if hasStartup(ps) {
		t := e.newThread(p, nil, file)
		t.rt.startup = true
		t.arrival = ps.Arrival
		t.os.seg, t.os.segLeft = segStartup, ps.Startup
		e.q.pushInOrder(event{at: ps.Arrival, kind: evArrive, th: t.idx})
		p.startAt = -1 // set when start-up ends
		p.starter = &procStarter{main: t}
	}
}

// hasStartup says whether ps has a hidden start-up thread (newProc).
func hasStartup(ps *Process) bool {
	return !ps.Native && (ps.Startup > 0 || (startsThreads(ps) && hasPlainThread(ps)))
}

func hasPlainThread(ps *Process) bool {
	for _, ts := range ps.Threads {
		if ts.Kind == ThreadPlain {
			return true
		}
	}
	return false
}

// markIdleOnce finds the idle repeat bodies of ts's programs (shared by
// replicas: each list is looked at once).
func (e *engine) markIdleOnce(ts *Thread, seen map[*Step]bool) {
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
}

// addThread builds thread ts of p, its result row or its runtime's, and
// schedules its arrival (after p's start-up, when p has one).
func (e *engine) addThread(p *proc, ts *Thread, file int32) {
	ps := p.spec
	t := e.newThread(p, ts, file)
	p.threads = append(p.threads, t)
	p.nthreads++
	if ts.Kind != ThreadPlain {
		t.rt.uidx = -1
		e.newLoop(t, ts, p)
		p.loops = int32(len(p.threads))
	} else {
		kind := kindThread
		if ps.Native {
			kind = kindTask
		}
		// field by field: the thread is fresh (zero), and a whole-struct
		// copy of a type with pointers is a bulk write barrier when the
		// collector runs, which the threads' slab itself often starts
		t.own.name, t.own.kind, t.own.proc = ts.Name, kind, p.idx
		t.own.start, t.own.finish = -1, -1
		t.rt.unit = &t.own
		t.rt.uidx = int32(len(e.units))
		e.units = append(e.units, t.rt.unit)
		e.unfinished++
	}
	if p.startAt >= 0 {
		t.arrival = p.startAt + ts.Arrival
		if ps.Native {
			t.arrival = ts.Arrival
		}
		// the arrivals mostly come in time order (often all at 0): in
		// the FIFO lane they cost no heap of thousands
		e.q.pushInOrder(event{at: t.arrival, kind: evArrive, th: t.idx})
	}
}

// loop pops events in (time, sequence) order. All events of an instant are
// applied before the dispatch of that instant.
//
// The next event is popped before the dispatch that may come first: when
// it is of the same instant no dispatch is due, and when the dispatch
// queues nothing (the sequence counter stands still) it is still the
// next, with no look at the queue's heads in between; one that the
// dispatch's events come before goes back, its sequence number kept.
func (e *engine) loop() {
	var ev event
	next := false // ev is the next event, popped already
	for {
		if !next {
			if e.q.len() == 0 {
				if len(e.readyNow) > 0 || len(e.expired) > 0 || (e.waiting > 0 && e.idleCore()) {
					e.dispatch()
					if e.stopped {
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
				e.compact()
			}
			e.q.pop(&ev)
		}
		next = false
		var t *thread
		live := true
		switch ev.kind {
		case evGILCheck:
			g := e.procs[ev.th].gil
			live = g != nil && ev.gen == g.tw.gen
		case evTick:
		default:
			t = e.thread(ev.th)
			switch ev.kind { // live's cases, inline
			case evSegment:
				live = ev.gen == t.os.segGen && t.os.state == stCore && t.os.running
			case evBlockDone:
				live = ev.gen == t.os.ioGen && t.os.state == stIO
			case evArrive, evWake:
			default:
				live = e.live(&ev, t)
			}
		}
		// only an event that still matters can pass the time limit: a
		// cancelled slice end, or a tick while no task waits for a core,
		// is not work left to do
		if live && ev.at > e.opt.MaxTime && (ev.kind != evTick || e.waiting > 0) {
			e.limit, e.stopped = &LimitError{What: "time", Limit: e.opt.MaxTime, At: e.now}, true
			return
		}
		if live {
			e.now = ev.at
			if e.tick() {
				return
			}
			switch ev.kind { // (inline: the loop's hottest call)
			case evArrive:
				e.arrive(t)
			case evSegment: // the end of a segment (work, or a switch's cost)
				startup := t.os.seg == segStartup
				e.stopSegment(t)
				if startup {
					e.startupDone(t)
				} else {
					e.run(t)
				}
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
			case evTick:
				e.pol.tick()
			}
			if e.stopped {
				return
			}
		}
		// a stale last event of an instant must not skip its dispatch
		if e.q.len() > 0 {
			if e.q.heapLen() > e.compactAt {
				e.compact()
			}
			e.q.pop(&ev)
			next = true
			if ev.at == e.now {
				continue
			}
		}
		seq := e.q.seq
		e.dispatch()
		if e.stopped {
			return
		}
		if e.slowed {
			e.retime()
		}
		if next && e.q.seq != seq && e.q.len() > 0 && e.q.peek().before(&ev) {
			e.q.pushKeep(ev)
			next = false
		}
	}
}

// compact sweeps the stale events out of the heap, grown past
// compactAt.
func (e *engine) compact() {
	e.q.compact(e.stale)
	e.compactAt = max(minCompact, 4*e.q.heapLen())
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
	case evArrive, evWake, evTick:
		return false
	}
	t := e.thread(ev.th)
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

// pushSlice queues ev, the end of the slice of the thread on core c, in
// the slice lane. The slot's event before it is stale, as a rule (a
// core's thread has one live slice end, and a new one makes the one
// before stale); one that is not, which the rule does not foresee, keeps
// its place in the order, in the heap.
func (e *engine) pushSlice(c int32, ev event) {
	if !e.lane {
		e.q.push(ev)
		return
	}
	if old := e.q.slot(c); old != nil && !e.stale(old) {
		e.q.pushKeep(*old)
	}
	e.q.setSlot(c, ev)
}

// pushSeg queues ev, the end of the segment of the thread on core c, in
// the core's segment slot, like pushSlice (startSegment sees to it that
// the lane has one).
func (e *engine) pushSeg(c int32, ev event) {
	s := e.q.segBase + c
	if old := e.q.slot(s); old != nil && !e.stale(old) {
		e.q.pushKeep(*old)
	}
	e.q.setSlot(s, ev)
}

// segLaneFrom is the least size of the heap at which a segment's end
// goes to the lane: in a smaller heap it costs less than the lane's
// look at its slots at every event (a variable for the tests).
var segLaneFrom = 16

// dropSeg empties core c's segment slot if its event went stale.
func (e *engine) dropSeg(c int32) {
	if old := e.q.slot(e.q.segBase + c); old != nil && e.stale(old) {
		e.q.clearSlot(e.q.segBase + c)
	}
}

// sliceLaneMax is the most cores whose slice ends go to the slice lane.
// The lane saves the heap the slice ends that go stale, which a run of
// many tasks on a few cores has at every round; on many cores a change
// of a slot replays a deeper tree, and the lane saves less than it costs
// (a variable for the tests, which compare runs with and without it).
var sliceLaneMax = 16

// dropSlice empties core c's slot of the slice lane if its event went
// stale, so that it does not come up.
func (e *engine) dropSlice(c int32) {
	if e.q.nlane > 0 { // (never so without the lane: inline)
		e.dropStaleSlot(c)
	}
}

func (e *engine) dropStaleSlot(c int32) {
	if old := e.q.slot(c); old != nil && e.stale(old) {
		e.q.clearSlot(c)
	}
}

// tick counts one unit of simulation work and enforces --max-events.
func (e *engine) tick() bool {
	e.evs++
	return e.evs+e.inner > e.opt.MaxEvents && e.eventLimit()
}

// eventLimit stops the run at --max-events.
func (e *engine) eventLimit() bool {
	if e.limit == nil {
		e.limit, e.stopped = &LimitError{What: "events", Limit: e.opt.MaxEvents, At: e.now}, true
	}
	return true
}

// spin counts one pass of a loop inside an event that is not an event of
// its own (a GIL check waking several waiters), so that
// --max-events bounds the work of a run even if such a loop were to go on
// without end. The passes are not reported as events.
func (e *engine) spin() bool {
	e.inner++
	return e.evs+e.inner > e.opt.MaxEvents && e.eventLimit()
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

func (e *engine) arrive(t *thread) {
	p := t.proc
	// (a native task's process, often not in cache, is not looked at:
	// it charges no memory)
	if t.rt.cpython && !p.started {
		p.started = true
		if !e.alloc(p, p.name, e.m.MemProcess) {
			return
		}
	}
	if !t.rt.startup && t.rt.cpython {
		who := "" // named only for the failure that says it (100,000 strings at 100,000 threads)
		if !e.fits(e.m.MemThread) {
			who = p.name + "/" + t.name()
		}
		if !e.alloc(p, who, e.m.MemThread) {
			return
		}
		t.os.memCharged = true
	}
	if t.rt.unit != nil {
		t.rt.unit.arrival = e.now
	}
	if w := t.pool(); w != nil && t.os.state == stNew {
		w.pool.starting--
	}
	t.os.since = e.now
	if t.rt.announce {
		// started by its process's main thread: it arrived when its `at`
		// came, and waited to be started since (start.go)
		u := t.rt.unit
		u.arrival = t.arrival
		u.wait += e.now - t.arrival
		e.spanWhy(t, BlockStart, t.arrival)
		if b := e.m.ThreadBootstrap; b > 0 {
			t.os.seg, t.os.segLeft = segCPU, b // its bootstrap, up to start()'s Event
		}
	}
	e.makeReady(t, false)
}

// alloc charges n bytes of resident memory to p, and fails the run the way
// the real system would when the machine has no room left.
func (e *engine) alloc(p *proc, who string, n int64) bool {
	if n <= 0 {
		return true
	}
	if !e.fits(n) {
		e.failure = &Failure{Time: e.now, Entity: who,
			Message: "out of memory: cannot create " + who + " (needs " + FormatSize(n) + ", " +
				FormatSize(e.m.MemTotal-e.memNow) + " free of " + FormatSize(e.m.MemTotal) + ")"}
		e.stopped = true
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

// fits says whether n bytes more fit in the machine's memory.
func (e *engine) fits(n int64) bool { return e.m.MemTotal <= 0 || n <= e.m.MemTotal-e.memNow }

// release gives back n bytes of p's memory.
func (e *engine) release(p *proc, n int64) {
	e.memNow -= n
	p.memNow -= n
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
	// t's own flags before its process's spec (two pointers away, not
	// in cache when there is a process per task); cpython is !Native
	if s.Op != OpCPU || !t.rt.cpython || t.rt.startup || t.proc.spec.GIL.Mode != GILOff {
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

// mark reports an instant of note about t to Options.Mark.
func (e *engine) mark(k MarkKind, t *thread) {
	if e.opt.Mark != nil { // (inline)
		e.markNow(k, t)
	}
}

func (e *engine) markNow(k MarkKind, t *thread) {
	ent := -1
	if t.rt.unit != nil {
		ent = int(t.rt.uidx)
	}
	e.opt.Mark(Mark{Kind: k, At: e.now, Process: int(t.proc.idx), Entity: ent})
}
