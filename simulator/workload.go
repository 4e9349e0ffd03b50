package simulator

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// This file holds the model-independent workload that `gilsim compare`
// runs, and Lower, which turns it into a Scenario for one concurrency
// model. Lower is pure: the same workload, model and pool size always give
// the same Scenario.

// Workload is what a program does, without saying how it runs: tasks of
// cpu, native, io, sleep, repeat and lock steps. It carries the settings of
// the file it came from (cores, policy, seed, machine) and its compare
// expectations.
type Workload struct {
	Title   string // the scenario's title
	File    string
	Name    string // the workload's own name
	Seed    uint64
	Cores   int
	Policy  PolicyKind
	Quantum int64
	Machine Machine
	// Tasks are the workload's tasks with `x N` expanded (name#1 …
	// name#N), in file order. Replicas share their Steps.
	Tasks []WorkTask
	// Locks names the workload's locks, indexed by Step.Lock: each is one
	// lock shared by every task.
	Locks []string
	// LockSizes is 0 for a lock and N for a semaphore of N, per lock (nil:
	// all locks).
	LockSizes []int64
	Expects   []Expect // metrics of CompareMetrics; Arg is a model name
	Pos       Pos
}

// WorkTask is one task of a workload.
type WorkTask struct {
	Name    string // own name, req#3 for a replica
	Arrival int64  // absolute: when the task is submitted
	Steps   []Step // cpu, native, io, sleep, repeat and lock only
	Pos     Pos
}

// The concurrency models a workload can be compared under, in the order
// `gilsim compare` shows them.
const (
	ModelSequential      = "sequential"
	ModelThreads         = "threads"
	ModelThreadsNoGIL    = "threads-nogil"
	ModelProcesses       = "processes"
	ModelAsyncio         = "asyncio"
	ModelAsyncioThreads  = "asyncio+threads"
	ModelGevent          = "gevent"
	ModelGeventUnpatched = "gevent-unpatched"
)

// Models lists every model, in the order `gilsim compare` shows them, in
// a slice of its own.
func Models() []string { return slices.Clone(models) }

var models = []string{
	ModelSequential, ModelThreads, ModelThreadsNoGIL, ModelProcesses,
	ModelAsyncio, ModelAsyncioThreads, ModelGevent, ModelGeventUnpatched,
}

// IsModel reports whether name is one of Models.
func IsModel(name string) bool { return slices.Contains(models, name) }

// LoopModel reports whether the model runs its tasks on an event loop or
// a hub, the models for which loop lag means something.
func LoopModel(model string) bool {
	switch model {
	case ModelAsyncio, ModelAsyncioThreads, ModelGevent, ModelGeventUnpatched:
		return true
	}
	return false
}

// CompareMetrics lists the metrics an expectation of a workload file may
// name. Each takes a model: `expect speedup(processes) > 3`. They mean
// nothing in a scenario, whose expectations use Metrics. The map is the
// caller's own.
func CompareMetrics() map[string]MetricInfo { return maps.Clone(compareMetrics) }

// LookupCompareMetric is the metric an expectation of a workload may name.
func LookupCompareMetric(name string) (MetricInfo, bool) {
	m, ok := compareMetrics[name]
	return m, ok
}

var compareMetrics = map[string]MetricInfo{
	"makespan":    {KindDuration, ArgRequired, "the model's makespan: when its last task finished"},
	"speedup":     {KindNumber, ArgRequired, "the sequential makespan divided by the model's"},
	"parallelism": {KindNumber, ArgRequired, "CPU time divided by makespan: how many cores were busy on average"},
	"gil_wait":    {KindDuration, ArgRequired, "time threads spent waiting for a GIL, summed over all of them"},
	"latency":     {KindDuration, ArgRequired, "the worst task latency: the largest finish minus `at` over the tasks"},
	"p50":         {KindDuration, ArgRequired, "the median task latency (finish minus `at`), nearest rank"},
	"p90":         {KindDuration, ArgRequired, "the 90th percentile task latency, nearest rank"},
	"p99":         {KindDuration, ArgRequired, "the 99th percentile task latency, nearest rank"},
	"throughput":  {KindNumber, ArgRequired, "tasks completed per second, from the first `at` to the last finish"},
	"lag":         {KindDuration, ArgRequired, "the worst lateness of a ready coroutine or greenlet (asyncio and gevent models; 0 for the others)"},
	"memory":      {KindSize, ArgRequired, "peak resident memory, the pool's parent process included"},
}

// Lowered is a workload made into a Scenario for one model.
type Lowered struct {
	Model    string
	Scenario *Scenario
	// Tasks says, for each task of the workload in order, the process and
	// the entity that run it in the Scenario's Result.
	Tasks []TaskRef
	// Notes say, in plain words, where the model changes what a step
	// means (native under asyncio blocks the loop, io under unpatched
	// gevent blocks every greenlet) and what the model adds.
	Notes []string
	// ExtraMemory is memory the model holds that the Scenario does not
	// simulate: the processes model's parent interpreter.
	ExtraMemory int64
	// Workers is the pool size of the processes model (0 for the others).
	Workers int
	// Chunk is the processes model's Pool.map chunk size.
	Chunk int
}

// TaskRef names the entity that runs a workload task.
type TaskRef struct {
	Process string
	Name    string
}

// LowerError says why a workload cannot run under a model: a step whose
// meaning the model has no equivalent for. Pos points at the step.
type LowerError struct {
	Model string
	Pos   Pos
	Msg   string
}

func (e *LowerError) Error() string { return "cannot run as " + e.Model + ": " + e.Msg }

var defaultGIL = GIL{Mode: GILInterval, Interval: 5_000_000}

// Lower builds the Scenario that runs w under model. workers is the
// processes model's pool size (0 for w.Cores). The mapping of each step
// under each model is documented in README.md ("Comparing concurrency
// models"); in short:
//
//   - sequential: one Python thread runs the tasks one after another, in
//     file order among those that have arrived;
//   - threads, threads-nogil: one process, one thread per task (the
//     default GIL, or none), started one after another by the main thread
//     at thread_start each;
//   - processes: a pool of workers forked at process_start_fork each, to
//     which the tasks are dealt like Pool.map: chunks of
//     ceil(n / 4·workers) in order, chunk i to worker i mod workers, each
//     chunk paying Machine.PoolRoundTrip; a worker runs its tasks one
//     after another;
//   - asyncio: one loop, a coroutine per task; io and sleep are awaited,
//     cpu and native run on the loop;
//   - asyncio+threads: as asyncio, but every burst of cpu and native steps
//     goes through asyncio.to_thread (the default executor);
//   - gevent, gevent-unpatched: one hub, a greenlet per task; patched, io
//     and sleep are cooperative; unpatched, they block the hub.
//
// The error is a *LowerError when a step has no meaning under the model.
func Lower(w *Workload, model string, workers int) (*Lowered, error) {
	if workers <= 0 {
		workers = w.Cores
	}
	if workers <= 0 {
		workers = 1
	}
	lw := &lowering{w: w, model: model, out: &Lowered{Model: model}}
	lw.scan()
	sc := &Scenario{
		Title: w.Title + " [" + model + "]", File: w.File, Seed: w.Seed, Cores: w.Cores,
		Policy: w.Policy, Quantum: w.Quantum, Machine: w.Machine,
	}
	lw.out.Scenario = sc
	var err error
	switch model {
	case ModelSequential:
		err = lw.sequential()
	case ModelThreads, ModelThreadsNoGIL:
		err = lw.threads(model == ModelThreadsNoGIL)
	case ModelProcesses:
		err = lw.processes(workers)
	case ModelAsyncio, ModelAsyncioThreads:
		err = lw.asyncio(model == ModelAsyncioThreads)
	case ModelGevent, ModelGeventUnpatched:
		err = lw.gevent(model == ModelGevent)
	default:
		return nil, &LowerError{Model: model, Pos: w.Pos, Msg: "unknown model " + strconv.Quote(model) + " (models: " + strings.Join(models, ", ") + ")"}
	}
	if err != nil {
		return nil, err
	}
	return lw.out, nil
}

// lowering is the state of one Lower call.
type lowering struct {
	w     *Workload
	model string
	out   *Lowered
	// what the workload's steps use, anywhere: has by op, blocking io or
	// sleep, and io and sleep the runtime sees (seen[0] io, seen[1] sleep)
	has      [OpSwitch + 1]bool
	blocking bool
	seen     [2]bool
	// converted programs, by their source's first step: replicas share
	// their steps, and so do their conversions
	cache map[*Step][]Step
}

func (lw *lowering) scan() {
	var walk func([]Step)
	seen := map[*Step]bool{}
	walk = func(steps []Step) {
		if len(steps) == 0 || seen[&steps[0]] {
			return
		}
		seen[&steps[0]] = true
		for i := range steps {
			s := &steps[i]
			lw.has[s.Op] = true
			switch {
			case (s.Op == OpIO || s.Op == OpSleep) && s.Blocking:
				lw.blocking = true
			case s.Op == OpIO:
				lw.seen[0] = true
			case s.Op == OpSleep:
				lw.seen[1] = true
			}
			walk(s.Body)
		}
	}
	for i := range lw.w.Tasks {
		walk(lw.w.Tasks[i].Steps)
	}
}

func (lw *lowering) note(s string) { lw.out.Notes = append(lw.out.Notes, s) }

// pyProcess is a CPython process with the default GIL and the workload's
// locks.
func (lw *lowering) pyProcess(name string) *Process {
	return &Process{Name: name, GIL: defaultGIL, Locks: lw.w.Locks, LockSizes: lw.w.LockSizes, Pos: lw.w.Pos}
}

// members makes one cooperative unit per task, with steps transformed by
// conv (nil keeps them), and points the task refs at process proc.
func (lw *lowering) members(proc string, idx []int, arrival func(int) int64, conv func([]Step) ([]Step, error)) ([]*Member, error) {
	block := make([]Member, len(idx))
	out := make([]*Member, len(idx))
	for j, i := range idx {
		t := &lw.w.Tasks[i]
		steps := t.Steps
		if conv != nil {
			var err error
			if steps, err = conv(steps); err != nil {
				return nil, err
			}
		}
		block[j] = Member{Name: t.Name, Arrival: arrival(i), Steps: steps, Pos: t.Pos}
		out[j] = &block[j]
		lw.out.Tasks[i] = TaskRef{Process: proc, Name: t.Name}
	}
	return out, nil
}

func (lw *lowering) all() []int {
	idx := make([]int, len(lw.w.Tasks))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func (lw *lowering) absolute(i int) int64 { return lw.w.Tasks[i].Arrival }

// sequential runs every task on one thread, one after another. The tasks
// are the greenlets of a raw `greenlets` block that never switch: its
// parent runs the first unfinished task that has arrived, in file order,
// to its end, then the next, which is a plain loop over the tasks. The
// greenlets' memory and switch cost are set to 0: they stand for plain
// function calls.
func (lw *lowering) sequential() error {
	sc := lw.out.Scenario
	sc.Machine.MemRawGreenlet, sc.Machine.GreenletSwitch = 0, 0
	lw.out.Tasks = make([]TaskRef, len(lw.w.Tasks))
	p := lw.pyProcess("main")
	ms, _ := lw.members(p.Name, lw.all(), lw.absolute, nil)
	p.Threads = []*Thread{{Name: "main", Kind: ThreadGreenlets, Members: ms, Pos: lw.w.Pos}}
	sc.Processes = []*Process{p}
	return nil
}

// threads runs one Python thread per task, each arriving at its task's
// `at`. The process's main thread starts them one after another as they
// arrive, as the engine does for every CPython process (start.go): each
// start costs thread_start and waits for the new thread to run.
func (lw *lowering) threads(nogil bool) error {
	sc := lw.out.Scenario
	tasks := lw.w.Tasks
	lw.out.Tasks = make([]TaskRef, len(tasks))
	p := lw.pyProcess("main")
	if nogil {
		p.GIL = GIL{Mode: GILOff}
		if lw.has[OpCPU] {
			lw.note("cpu runs " + permille(sc.Machine.FreeThreadingOverheadPermille) + " slower on the free-threaded build (freethreading_overhead)")
		}
	}
	block := make([]Thread, len(tasks))
	p.Threads = make([]*Thread, len(tasks))
	for i := range tasks {
		t := &tasks[i]
		block[i] = Thread{Name: t.Name, Kind: ThreadPlain, Arrival: t.Arrival, Steps: t.Steps, Pos: t.Pos}
		p.Threads[i] = &block[i]
		lw.out.Tasks[i] = TaskRef{Process: p.Name, Name: t.Name}
	}
	if n := int64(len(tasks)); n > 1 && n*sc.Machine.ThreadStart >= 1_000_000 {
		lw.note("the main thread starts the " + strconv.FormatInt(n, 10) + " threads one by one, " +
			FormatDuration(sc.Machine.ThreadStart) + " each (thread_start): " + FormatDuration(n*sc.Machine.ThreadStart) + " in all")
	}
	sc.Processes = []*Process{p}
	return nil
}

func permille(p int64) string {
	if p <= 1000 {
		return "0%"
	}
	return FormatNumber(float64(p-1000)/10) + "%"
}

// processes deals the tasks to a pool of forked workers like Pool.map.
func (lw *lowering) processes(workers int) error {
	w := lw.w
	sc := lw.out.Scenario
	sc.Machine.MemRawGreenlet, sc.Machine.GreenletSwitch = 0, 0
	n := len(w.Tasks)
	lw.out.Tasks = make([]TaskRef, n)
	chunk := (n + 4*workers - 1) / (4 * workers)
	if chunk < 1 {
		chunk = 1
	}
	lw.out.Workers, lw.out.Chunk = workers, chunk
	dealt := make([][]int, workers)
	for c, i := 0, 0; i < n; c, i = c+1, i+chunk {
		k := c % workers
		for j := i; j < min(i+chunk, n); j++ {
			dealt[k] = append(dealt[k], j)
		}
	}
	// The first task of each chunk pays the chunk's round trip.
	firsts := map[int]bool{}
	for i := 0; i < n; i += chunk {
		firsts[i] = true
	}
	start, roundTrip := sc.Machine.ProcessStartFork, sc.Machine.PoolRoundTrip()
	cost := Step{Op: OpCPU, Dur: Fixed(roundTrip), Pos: w.Pos}
	names := make([]string, workers)
	for k := range names {
		names[k] = "worker#" + strconv.Itoa(k+1)
	}
	for k := 0; k < workers; k++ {
		p := lw.pyProcess(names[k])
		p.SharedLocks = true
		p.Startup = start
		idx := dealt[k]
		ms, _ := lw.members(p.Name, idx, func(i int) int64 {
			return max(0, w.Tasks[i].Arrival-start)
		}, nil)
		for j, i := range idx {
			if firsts[i] {
				steps := make([]Step, 0, len(ms[j].Steps)+1)
				ms[j].Steps = append(append(steps, cost), ms[j].Steps...)
			}
		}
		p.Threads = []*Thread{{Name: "main", Kind: ThreadGreenlets, Members: ms, Pos: w.Pos}}
		sc.Processes = append(sc.Processes, p)
	}
	lw.out.ExtraMemory = sc.Machine.MemProcess + sc.Machine.MemThread
	nchunks := (n + chunk - 1) / chunk
	lw.note("a pool of " + strconv.Itoa(workers) + " worker processes, each forked in " + FormatDuration(start) +
		"; the " + strconv.Itoa(n) + " tasks go in " + strconv.Itoa(nchunks) + " chunks of " + strconv.Itoa(chunk) +
		" (Pool.map), dealt round robin, each chunk paying " + FormatDuration(roundTrip) + " of pickling and pipes; peak memory counts the parent process")
	if lw.has[OpIO] || lw.has[OpSleep] {
		lw.note("io and sleep block only their worker: a worker waits through them before its next task")
	}
	lw.lockNote("multiprocessing.Lock", "multiprocessing.Semaphore", "one for the whole pool; a waiting worker blocks")
	return nil
}

// lockNote says what the workload's locks and semaphores are under the
// model, when it has any.
func (lw *lowering) lockNote(lock, sem, how string) {
	var locks, sems []string
	for i, name := range lw.w.Locks {
		if i < len(lw.w.LockSizes) && lw.w.LockSizes[i] > 0 {
			sems = append(sems, strconv.Quote(name))
		} else {
			locks = append(locks, strconv.Quote(name))
		}
	}
	var parts []string
	if len(locks) > 0 {
		parts = append(parts, plural(len(locks), "lock ", "locks ")+strings.Join(locks, ", ")+" "+plural(len(locks), "is "+article(lock), "are ")+lock)
	}
	if len(sems) > 0 {
		parts = append(parts, plural(len(sems), "semaphore ", "semaphores ")+strings.Join(sems, ", ")+" "+plural(len(sems), "is "+article(sem), "are ")+sem)
	}
	if len(parts) > 0 {
		lw.note(strings.Join(parts, "; ") + ": " + how)
	}
}

// article is "an " before a vowel, "a " otherwise.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an "
	}
	return "a "
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// asyncio runs one coroutine per task on one loop. io and sleep become
// awaits; with offload, every burst of cpu and native steps goes through
// asyncio.to_thread.
func (lw *lowering) asyncio(offload bool) error {
	sc := lw.out.Scenario
	lw.out.Tasks = make([]TaskRef, len(lw.w.Tasks))
	lw.cache = map[*Step][]Step{}
	p := lw.pyProcess("main")
	conv := lw.awaitSteps
	if offload {
		conv = lw.offloadSteps
	}
	ms, err := lw.members(p.Name, lw.all(), lw.absolute, conv)
	if err != nil {
		return err
	}
	p.Threads = []*Thread{{Name: "asyncio", Kind: ThreadAsyncio, Members: ms, Pos: lw.w.Pos}}
	sc.Processes = []*Process{p}
	lw.asyncioLockNote()
	if lw.seen[0] {
		lw.note("io becomes `await io`: it assumes an asyncio client library for every blocking call")
	}
	if lw.seen[1] {
		lw.note("sleep becomes `await asyncio.sleep`")
	}
	if lw.blocking {
		lw.note("blocking io and sleep stay blocking calls: each blocks the loop and every coroutine on it")
	}
	if offload {
		if lw.has[OpCPU] || lw.has[OpNative] {
			lw.note("every burst of cpu and native steps runs through asyncio.to_thread on the default executor (" +
				strconv.Itoa(min(32, sc.Cores+4)) + " threads), whose threads share the process's GIL")
		}
		return nil
	}
	if lw.has[OpNative] {
		lw.note("native runs on the loop thread: it releases the GIL but blocks the loop")
	}
	return nil
}

// asyncioLockNote says that the workload's locks are asyncio's.
func (lw *lowering) asyncioLockNote() {
	lw.lockNote("asyncio.Lock", "asyncio.Semaphore", "a waiting task parks and the loop runs the others")
}

// awaitSteps turns io and sleep into awaits.
func (lw *lowering) awaitSteps(steps []Step) ([]Step, error) {
	if len(steps) == 0 {
		return steps, nil
	}
	if out, ok := lw.cache[&steps[0]]; ok {
		return out, nil
	}
	out := make([]Step, len(steps))
	for i, s := range steps {
		s, err := awaitStep(s, lw.awaitSteps)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	lw.cache[&steps[0]] = out
	return out, nil
}

// awaitStep is one step as a coroutine runs it: io and sleep become
// awaits, a blocking call (which asyncio does not see) stays one and
// blocks the loop's thread, and the body of a repeat or a lock (an
// asyncio.Lock, held by the coroutine) is converted by conv.
func awaitStep(s Step, conv func([]Step) ([]Step, error)) (Step, error) {
	switch {
	case s.Blocking:
	case s.Op == OpIO:
		s.Op = OpAwaitIO
	case s.Op == OpSleep:
		s.Op = OpAwaitSleep
	case s.Op == OpRepeat || s.Op == OpLock:
		body, err := conv(s.Body)
		if err != nil {
			return s, err
		}
		s.Body = body
	}
	return s, nil
}

// offloadSteps turns io and sleep into awaits, and every maximal run of
// steps that only compute (cpu, native, and repeat blocks of them) into
// one `offload`; a lock block stays on the coroutine, its body converted.
func (lw *lowering) offloadSteps(steps []Step) ([]Step, error) {
	if len(steps) == 0 {
		return steps, nil
	}
	if out, ok := lw.cache[&steps[0]]; ok {
		return out, nil
	}
	var out []Step
	for i := 0; i < len(steps); {
		if computeOnly(&steps[i]) {
			j := i
			for j < len(steps) && computeOnly(&steps[j]) {
				j++
			}
			out = append(out, Step{Op: OpOffload, Body: steps[i:j:j], Pos: steps[i].Pos})
			i = j
			continue
		}
		// a lock stays on the coroutine, around its body's offloaded
		// bursts
		s, err := awaitStep(steps[i], lw.offloadSteps)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		i++
	}
	lw.cache[&steps[0]] = out
	return out, nil
}

// computeOnly reports whether s only computes: cpu, native, or a repeat
// whose body only computes. A lock is not: under asyncio it is an
// asyncio.Lock, which the coroutine holds around offloaded work.
func computeOnly(s *Step) bool {
	switch s.Op {
	case OpCPU, OpNative:
		return true
	case OpRepeat:
		for i := range s.Body {
			if !computeOnly(&s.Body[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// gevent runs one greenlet per task on one hub, monkey-patched or not.
func (lw *lowering) gevent(patched bool) error {
	sc := lw.out.Scenario
	lw.out.Tasks = make([]TaskRef, len(lw.w.Tasks))
	p := lw.pyProcess("main")
	ms, _ := lw.members(p.Name, lw.all(), lw.absolute, nil)
	p.Threads = []*Thread{{Name: "gevent", Kind: ThreadGevent, Patched: patched, Members: ms, Pos: lw.w.Pos}}
	sc.Processes = []*Process{p}
	waits := lw.seen[0] || lw.seen[1]
	if patched && lw.blocking {
		lw.note("blocking io and sleep are calls the patch does not reach: each blocks the hub and every greenlet")
	}
	switch {
	case patched && waits:
		lw.note("io and sleep are cooperative (monkey.patch_all): the hub runs other greenlets meanwhile")
	case !patched && waits:
		lw.note("io and sleep block the hub (no monkey patching): every greenlet stops while one waits")
	}
	if lw.has[OpNative] {
		lw.note("native runs on the hub's thread: it releases the GIL but no other greenlet runs meanwhile")
	}
	if patched {
		lw.lockNote("gevent lock (monkey-patched threading.Lock)", "gevent BoundedSemaphore", "a waiting greenlet parks and the hub runs the others")
	} else {
		lw.lockNote("threading.Lock", "gevent BoundedSemaphore", "a greenlet waiting for a lock blocks the hub; one waiting for a semaphore parks")
	}
	return nil
}
