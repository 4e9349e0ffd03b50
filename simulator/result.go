package simulator

import "strconv"

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
	Blocked []Blocked  // entities that could not move, in entity order
	Locks   []HeldLock // locks and full semaphores something holds
}

// Wait says what a blocked entity of a Deadlock waits for.
type Wait uint8

const (
	WaitOther        Wait = iota // a thread or task, for an event that never comes
	WaitParked                   // a coroutine, greenlet or task parked by its runtime
	WaitLock                     // a lock, named by Blocked.On
	WaitSemaphore                // a semaphore, named by Blocked.On
	WaitGIL                      // the GIL
	WaitNeverStarted             // a thread that never got to start
)

// Blocked is one entity a deadlocked run left unable to move. Its String
// is the line gilsim prints: `app/w#1 (waiting for lock "db")`.
type Blocked struct {
	Process string // its process; "" for a top-level task
	Entity  string // its name, with its replica number: "w#1"
	Wait    Wait
	On      string // WaitLock, WaitSemaphore: the lock's or semaphore's name
}

// Who is the entity's path, "process/name", or the name of a top-level
// task.
func (b Blocked) Who() string {
	if b.Process == "" {
		return b.Entity
	}
	return b.Process + "/" + b.Entity
}

// String is the entity's path and what it waits for.
func (b Blocked) String() string {
	var w string
	switch b.Wait {
	case WaitParked:
		w = "parked"
	case WaitLock:
		w = "waiting for lock \"" + b.On + "\""
	case WaitSemaphore:
		w = "waiting for semaphore \"" + b.On + "\""
	case WaitGIL:
		w = "waiting for the GIL"
	case WaitNeverStarted:
		w = "never started"
	default:
		w = "waiting"
	}
	return b.Who() + " (" + w + ")"
}

// HeldLock is a lock, or a semaphore with every slot taken, that something
// held when a run deadlocked. Its String is the line gilsim prints:
// `lock "app/db" held by app/w#1`.
type HeldLock struct {
	Name      string // "process/lock", or the lock's name when shared or top-level
	Semaphore bool
	Count     int64  // semaphore: slots taken (all of them)
	Size      int64  // semaphore: slots
	Holder    string // the holder's path (for a semaphore, the last to take a slot)
}

// String says which lock is held and by whom.
func (h HeldLock) String() string {
	if h.Semaphore {
		return "semaphore \"" + h.Name + "\" full: " + strconv.FormatInt(h.Count, 10) + " of " + strconv.FormatInt(h.Size, 10) + " slots taken, the last by " + h.Holder
	}
	return "lock \"" + h.Name + "\" held by " + h.Holder
}

// BlockedStrings is each blocked entity's String, for a caller that prints them joined.
func (d *Deadlock) BlockedStrings() []string {
	out := make([]string, len(d.Blocked))
	for i, b := range d.Blocked {
		out[i] = b.String()
	}
	return out
}

// LockStrings is each held lock's String.
func (d *Deadlock) LockStrings() []string {
	out := make([]string, len(d.Locks))
	for i, l := range d.Locks {
		out[i] = l.String()
	}
	return out
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
	Actual string // formatted in the metric's unit, as gilsim shows it
	Value  Value  // the actual value, exact; zero when Err is set
	Err    string // set when the metric could not be computed (unknown name)
}
