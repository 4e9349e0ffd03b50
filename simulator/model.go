package simulator

// This file holds the scenario model: what the dsl package lowers a .sim
// file into and what Run consumes. It knows nothing of syntax; every name
// and number in it is already checked.

import "time"

// Pos is a position in the scenario's source, kept so that run-time
// findings (warnings, deadlocks) can point back at the file.
type Pos struct {
	Line int32
	Col  int32
}

// DistKind says how a Dist draws a duration.
type DistKind uint8

const (
	DistFixed   DistKind = iota // always A
	DistUniform                 // uniform in [A, B]
	DistExp                     // exponential with mean A
	DistNormal                  // normal with mean A and deviation B, clamped at 0
)

// Dist is a duration, fixed or drawn from a distribution. All values are
// integer nanoseconds.
type Dist struct {
	Kind DistKind
	A, B int64
}

// Fixed returns a Dist that is always d nanoseconds.
func Fixed(d int64) Dist { return Dist{Kind: DistFixed, A: d} }

// Op is the kind of a step.
type Op uint8

const (
	OpCPU        Op = iota // pure-Python bytecode (or plain CPU for a native task): core + GIL
	OpNative               // C code that releases the GIL: core only
	OpIO                   // blocking call for Dur
	OpSleep                // time.sleep(Dur); behaves as OpIO
	OpAwaitIO              // asyncio: non-blocking wait for Dur
	OpAwaitSleep           // asyncio: asyncio.sleep(Dur)
	OpYield                // hand control back (sleep(0) of the runtime)
	OpOffload              // run Body on a worker thread of the process's pool
	OpRepeat               // run Body Count times
	OpLock                 // hold lock (or a slot of semaphore) Lock while running Body
	OpSwitch               // raw greenlet switch to member Target
)

var opNames = [...]string{"cpu", "native", "io", "sleep", "await io", "await sleep", "yield", "offload", "repeat", "lock", "switch"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "op?"
}

// Step is one instruction of an entity's program. Programs are shared by
// all replicas of an entity and are never modified by a run.
type Step struct {
	Op Op
	// Blocking (io, sleep): a call the runtime cannot see, `blocking io`:
	// it blocks its OS thread and every unit multiplexed on it even under
	// a patched hub, releasing the GIL.
	Blocking bool
	Dur      Dist   // cpu, native, io, sleep, await io, await sleep
	Count    int64  // repeat
	Body     []Step // repeat, lock, offload
	Lock     int    // lock: index into Process.Locks
	Target   int    // switch: index into Thread.Members
	Pos      Pos
}

// PolicyKind is the OS scheduling policy.
type PolicyKind uint8

const (
	PolicyLinux PolicyKind = iota // per-core run queues, tick turns, fork placement and a slow balancer (the default)
	PolicyFair                    // an ideal CFS on one global queue
	PolicyFIFO
	PolicySJF
	PolicySRTF
	PolicyPriority
	PolicyRoundRobin
)

// GILMode selects the interpreter's global lock.
type GILMode uint8

const (
	GILInterval GILMode = iota // CPython >= 3.2: switch interval, drop requests, forced switching
	GILLegacy                  // CPython 2.x / <= 3.1: release every Check ticks
	GILOff                     // free-threaded build: no GIL
)

// GIL configures one process's interpreter lock.
type GIL struct {
	Mode     GILMode
	Interval int64 // ns, GILInterval only
	Check    int64 // ticks between releases, GILLegacy only
}

// Machine holds the costs of the real machine a scenario stands for. They
// apply to CPython processes; native tasks only pay ContextSwitch.
type Machine struct {
	ContextSwitch int64 // charged when a core starts an entity other than the last one it ran
	WakeupLatency int64 // OS wake-up of a sleeping thread (GIL signal, io completion) until it is runnable
	TimerSlack    int64 // added to a CPython thread's sleep (Linux timer slack)
	ThreadStart   int64 // what Thread.start() costs its caller uncontended, the hand-shake's two wake-ups and ThreadBootstrap included
	// A started Python thread's own bootstrap, holding the GIL, before its
	// target: up to setting start()'s Event, and from there to the target.
	ThreadBootstrap     int64
	ThreadBootstrapTail int64
	// Legacy GIL: the time of one "tick" (about one bytecode instruction)
	// and the cost a contended release adds for the releasing thread.
	LegacyTick       int64
	LegacySignalCost int64
	// FreeThreadingOverheadPermille multiplies cpu steps of `gil off`
	// processes (1000 = no overhead).
	FreeThreadingOverheadPermille int64
	// MulticoreSpeedPermille is how fast a core runs a CPython thread's
	// work while another core is busy too, in thousandths of its speed
	// alone (shared caches and memory bandwidth, a VM's vCPUs sharing
	// physical cores); 1000, or 0, is no slowdown. Native tasks keep
	// textbook speed.
	MulticoreSpeedPermille int64
	// The linux policy (semantics.md 14.3): the scheduler tick (HZ=250),
	// the base slice per ilog2(ncpus)+1 (EEVDF), how long a new task's
	// load takes to show at fork placement, and how long an imbalance
	// lasts before the balancer moves a waiting task: from a busy core to
	// an idle one, to a core behind by two or more, and (drawn within
	// ±15 % of it) to one behind by one.
	Tick        int64
	BaseSlice   int64
	ForkRamp    int64
	BalanceIdle int64
	BalanceBusy int64
	BalanceFlip int64
	// GILHandoff is how a GIL release picks the waiter it wakes (new GIL).
	GILHandoff GILHandoff
	// GILSignalRace is, in thousandths, the chance that the waiter whose
	// timed wait asked for a forced drop, still awake on a core of its
	// own, takes the drop's signal before the futex wakes anyone (the
	// nanosecond-scale race between its re-entering the wait and the
	// holder's signal, semantics.md 14.1). GILHandoffFutex only.
	GILSignalRace int64
	// GILStealCost is how long after the drop a requester that took the
	// signal runs with the GIL (the holder's drop and signal, the
	// requester's mutex and take: no OS wake-up).
	GILStealCost int64
	// GILReentry is how long after its timed wait expired the requester
	// is still awake, re-entering the wait: a drop later than that finds
	// it blocked again, and the futex's order decides.
	GILReentry int64
	// Switch costs of the cooperative runtimes (CPU time on the loop thread).
	AsyncioSwitch   int64
	GeventSwitch    int64
	EventletSwitch  int64
	GreenletSwitch  int64
	GeneratorSwitch int64
	// TrampolineDispatch is the `coroutines` scheduler's own work per
	// step on top of the send (pop the generator from its deque, catch
	// StopIteration, append it again), CPU time on the thread.
	TrampolineDispatch int64
	// Process start-up by multiprocessing start method (CPU time on one
	// core before the child's first entity runs): a `process` with
	// `start fork|forkserver|spawn` and no `startup` pays it, and the
	// compare processes model's forked workers pay ProcessStartFork.
	ProcessStartFork       int64
	ProcessStartForkserver int64
	ProcessStartSpawn      int64
	// One side of a pipe or queue transfer (see Machine.IPC): IPCBase of
	// CPU under the GIL per message, plus IPCPerMiB per 1 MiB (1 048 576
	// bytes) of payload copied with the GIL released.
	IPCBase   int64
	IPCPerMiB int64
	// Resident memory per unit, in bytes.
	MemProcess     int64
	MemThread      int64
	MemCoroutine   int64
	MemGreenlet    int64
	MemGreenthread int64
	MemRawGreenlet int64
	MemGenerator   int64
	MemTotal       int64 // the machine's memory; 0 = unlimited
}

// GILHandoff is how a release of the new GIL picks the waiter it wakes.
type GILHandoff uint8

const (
	// GILHandoffFutex is what Linux and glibc do (semantics.md 14.1): at
	// a forced drop the waiter that asked for it may take the signal
	// while still awake; otherwise, and at every other release, the
	// futex wakes the waiter blocked longest since it last (re-)entered
	// its wait.
	GILHandoffFutex GILHandoff = iota
	// GILHandoffRandom wakes a waiter drawn uniformly from the scenario's
	// seeded generator.
	GILHandoffRandom
	// GILHandoffFIFO wakes the waiter that began waiting first.
	GILHandoffFIFO
)

var gilHandoffNames = [...]string{"futex", "random", "fifo"}

func (h GILHandoff) String() string {
	if int(h) < len(gilHandoffNames) {
		return gilHandoffNames[h]
	}
	return "handoff?"
}

// GILHandoffByName is the hand-off a scenario's `gil_handoff` names.
func GILHandoffByName(name string) (GILHandoff, bool) {
	for i, n := range gilHandoffNames {
		if n == name {
			return GILHandoff(i), true
		}
	}
	return 0, false
}

// GILHandoffNames lists the hand-offs' names.
func GILHandoffNames() []string { return append([]string(nil), gilHandoffNames[:]...) }

// ThreadKind says what an OS thread runs.
type ThreadKind uint8

const (
	ThreadPlain      ThreadKind = iota // a native task or a Python thread running Steps
	ThreadAsyncio                      // an asyncio event loop running Members (coroutines)
	ThreadGevent                       // a gevent hub running Members (greenlets)
	ThreadEventlet                     // an eventlet hub running Members (greenthreads)
	ThreadGreenlets                    // raw greenlets, no hub
	ThreadCoroutines                   // generator coroutines on a trampoline
)

var threadKindNames = [...]string{"thread", "asyncio", "gevent", "eventlet", "greenlets", "coroutines"}

func (k ThreadKind) String() string {
	if int(k) < len(threadKindNames) {
		return threadKindNames[k]
	}
	return "thread?"
}

// Scenario is one fully expanded, checked scenario.
type Scenario struct {
	Title   string
	File    string
	Seed    uint64
	Cores   int
	Policy  PolicyKind
	Quantum int64 // ns; required for round_robin, otherwise 0 (policy default)
	Machine Machine
	// Processes holds the top-level entities in expanded file order. A
	// native `task` is a Process with Native set and exactly one Thread.
	Processes []*Process
	Expects   []Expect
	// Warnings are the misuse warnings found when the file was checked
	// (a normal distribution whose clamping at 0 moves its mean); a run
	// reports them before its own.
	Warnings []Warning
}

// Process is one OS process: a native task, or a CPython interpreter with
// its own GIL.
type Process struct {
	Name    string
	Native  bool
	Arrival int64 // absolute
	Nice    int
	GIL     GIL
	Startup int64 // CPU time on one core before the first thread runs
	Threads []*Thread
	Locks   []string // names of the process's locks, indexed by Step.Lock
	// LockSizes says, per lock, 0 for a lock (threading.Lock, asyncio.Lock
	// in a coroutine, a gevent or eventlet lock when patched) or N for a
	// semaphore of N (threading.Semaphore, asyncio.Semaphore in a
	// coroutine, gevent's or eventlet's own semaphore in a greenlet, which
	// is cooperative even unpatched); nil when every lock is a lock.
	LockSizes []int64
	// SharedLocks makes the process's locks multiprocessing locks: one
	// lock (or semaphore) of each name for every process of the scenario
	// that sets it (the compare processes model's pool workers).
	SharedLocks bool
	Pos         Pos
}

// Thread is one OS thread of a process. For a native task it is the task.
type Thread struct {
	Name     string
	Kind     ThreadKind
	Patched  bool  // gevent/eventlet: monkey-patched
	Arrival  int64 // native task: absolute; otherwise counted from the end of the process's startup
	Priority int
	Nice     int
	Steps    []Step    // ThreadPlain
	Members  []*Member // cooperative units of a runtime thread, expanded in file order
	Pos      Pos
}

// Member is a coroutine, greenlet, greenthread or generator run by a
// runtime thread.
type Member struct {
	Name    string
	Arrival int64 // counted from the end of the process's startup
	Steps   []Step
	Pos     Pos
}

// CmpOp is the comparison of an expectation.
type CmpOp uint8

const (
	CmpLT CmpOp = iota
	CmpLE
	CmpGT
	CmpGE
	CmpEQ
	CmpApprox // ~= within Tol
)

var cmpNames = [...]string{"<", "<=", ">", ">=", "==", "~="}

func (c CmpOp) String() string {
	if int(c) < len(cmpNames) {
		return cmpNames[c]
	}
	return "?"
}

// ValueKind is the type of a metric's value.
type ValueKind uint8

const (
	KindDuration ValueKind = iota // integer nanoseconds
	KindSize                      // integer bytes
	KindNumber                    // a plain number (counts, percentages)
)

// Value is a typed number. Durations and sizes are exact integers in Int;
// plain numbers are in Num.
type Value struct {
	Kind ValueKind
	Int  int64
	Num  float64
}

// String is the value in its unit, as gilsim prints it: 1.5ms, 8MiB, 83.333.
func (v Value) String() string { return FormatValue(v) }

// Duration is a KindDuration value as a time.Duration (0 for other kinds).
func (v Value) Duration() time.Duration {
	if v.Kind != KindDuration {
		return 0
	}
	return time.Duration(v.Int)
}

// Bytes is a KindSize value in bytes (0 for other kinds).
func (v Value) Bytes() int64 {
	if v.Kind != KindSize {
		return 0
	}
	return v.Int
}

// Float is the value as a number: a KindNumber's, or a duration's
// nanoseconds and a size's bytes.
func (v Value) Float() float64 {
	if v.Kind == KindNumber {
		return v.Num
	}
	return float64(v.Int)
}

// Expect is one `expect` line.
type Expect struct {
	Text   string // source text with whitespace collapsed
	Pos    Pos
	Metric string // e.g. "makespan", "finish"
	Arg    string // the metric's argument (entity name), "" when none
	HasArg bool
	Op     CmpOp
	Value  Value
	// Tolerance of ~=: a percentage (TolPercent) or an absolute value of the
	// metric's type (TolAbs).
	TolIsPercent bool
	TolPercent   float64
	TolAbs       Value
}
