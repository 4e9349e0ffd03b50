package simulator

// Result is everything a run measured. It holds no pointers back into the
// Scenario and is safe to render, compare or serialise.
type Result struct {
	Scenario        string
	File            string
	Makespan        int64   // ns, latest finish counted from t = 0
	Utilization     float64 // percent 0-100 of all cores busy over the makespan
	Events          int64   // simulation events processed
	CPUTime         int64   // ns of core time spent on steps, all entities
	SwitchTime      int64   // ns of core time spent on context switches
	ContextSwitches int64
	MemoryPeak      int64 // bytes, whole machine
	Tasks           []TaskResult
	Processes       []ProcessResult
	Cores           []CoreResult
	Warnings        []Warning
	Deadlock        *Deadlock // non-nil when the run ended with nothing able to move
	Failure         *Failure  // non-nil when the run stopped on a modelled failure (e.g. out of memory)
	Expectations    []ExpectResult
}

// TaskResult is one entity that runs steps: a native task, a Python
// thread, a coroutine, a greenlet, a greenthread or a generator.
type TaskResult struct {
	Name       string // own name, w#3 for a replica
	Group      string // name without the replica suffix (w for w#3)
	Kind       string // task, thread, coroutine, greenlet, greenthread, gen
	Process    string // process name (a native task's own name)
	Arrival    int64
	Start      int64 // -1 if it never ran
	Finish     int64 // -1 if it never finished
	Turnaround int64
	CPU        int64
	Wait       int64 // runnable but not on a core, plus GIL wait
	GILWait    int64
	IO         int64
	LockWait   int64 // blocked waiting for a lock
	Switches   int64
	Finished   bool
}

// ProcessResult is one process.
type ProcessResult struct {
	Name              string
	Group             string
	Native            bool
	GILHandoffs       int64
	GILForcedSwitches int64
	GILWait           int64
	MemoryPeak        int64
	LoopLagMax        int64
	LoopLagMean       int64
	LoopStallMax      int64
	Locks             []LockResult // the process's locks, in order of first use in the file
}

// LockResult is one lock of a process instance.
type LockResult struct {
	Name string
	// Wait is the time tasks spent waiting for it, summed: from asking
	// for the lock to being handed it (or to the end of the run).
	Wait int64
	// Contended counts the acquisitions that had to wait.
	Contended int64
	// Shared marks a multiprocessing lock shared by several processes:
	// each of them lists it, with the waits of all.
	Shared bool
}

// CoreResult is one core.
type CoreResult struct {
	ID   int
	Busy int64 // ns running steps or paying switch costs
}

// Warning is a misuse finding, pointing at the step that caused it.
type Warning struct {
	Pos     Pos
	Entity  string
	Process string
	Message string
}

// Deadlock describes a run that could not finish.
type Deadlock struct {
	Time    int64
	Blocked []string // entities that could not move, "process/name"
	Locks   []string // locks involved, "process/lock held by X"
}

// Failure is a modelled failure of the simulated system (not of gilsim).
type Failure struct {
	Time    int64
	Entity  string
	Message string
}

// ExpectResult is one evaluated expectation.
type ExpectResult struct {
	Text   string
	Pos    Pos
	OK     bool
	Actual string // formatted in the metric's unit
	Err    string // set when the metric could not be computed (unknown name)
}
