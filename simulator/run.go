package simulator

import "fmt"

// Default limits of a run. They are large enough for a million entities
// doing a few hundred steps each.
const (
	DefaultMaxEvents int64 = 1_000_000_000
	DefaultMaxTime   int64 = 1 << 62 // ns of simulated time, about 146 years; also the most a run allows
	// MaxEntities bounds a scenario after expansion (docs/language.md, Limits).
	MaxEntities = 1_000_000
)

// Options bound and observe a run.
type Options struct {
	MaxEvents int64 // stop with a *LimitError after this many events; 0 = DefaultMaxEvents
	MaxTime   int64 // stop with a *LimitError past this simulated time; 0 (or more than DefaultMaxTime) = DefaultMaxTime
	// Trace, when set, receives every stretch of time an entity spent in
	// one state, in the order the stretches end. Used by timelines and by
	// the invariant tests; a nil Trace costs nothing.
	Trace func(Span)
	// Mark, when set, receives instants of note (GIL drop requests, forced
	// switches, hand-offs) as they happen.
	Mark func(Mark)
}

// MarkKind is what happened at a Mark.
type MarkKind uint8

const (
	MarkDropRequest MarkKind = iota // a GIL waiter asked the holder to drop
	MarkForcedDrop                  // the holder dropped the GIL because of a drop request
	MarkHandoff                     // the GIL changed owner
)

var markNames = [...]string{"drop-request", "forced-drop", "gil-handoff"}

func (k MarkKind) String() string {
	if int(k) < len(markNames) {
		return markNames[k]
	}
	return "?"
}

// Mark is one instant of note. Entity is an index into Result.Tasks, or -1
// when no step-running entity is involved (a loop thread between units).
type Mark struct {
	Kind    MarkKind
	At      int64
	Process int
	Entity  int
}

// SpanKind is what an entity was doing during a Span.
type SpanKind uint8

const (
	SpanRunning   SpanKind = iota // on a core, making progress on a step
	SpanSwitching                 // on a core, paying the context-switch cost
	SpanReady                     // runnable, waiting for a core
	SpanGILWait                   // asleep, waiting for its process's GIL
	SpanBlocked                   // in io, sleep, or waiting for a lock
	// SpanLoopWait: a coroutine, greenlet, greenthread or generator that
	// is ready (arrived, due, woken) and waits for its loop or hub to
	// resume it: the loop is running another member, or its thread waits
	// for a core or the GIL meanwhile. Counted as wait, and as lag.
	SpanLoopWait
)

var spanNames = [...]string{"running", "switching", "ready", "gil-wait", "blocked", "loop-wait"}

func (k SpanKind) String() string {
	if int(k) < len(spanNames) {
		return spanNames[k]
	}
	return "?"
}

// BlockWhy says what a SpanBlocked waited for.
type BlockWhy uint8

const (
	BlockIO      BlockWhy = iota // a blocking call (io), or an awaited/patched io for a unit
	BlockSleep                   // sleep (time.sleep, asyncio.sleep, gevent.sleep)
	BlockLock                    // a lock held by someone else
	BlockOffload                 // a unit waiting for its offloaded work
	BlockParked                  // a raw greenlet switched away from, or not started yet
	BlockStart                   // a thread that its process's main thread is starting (Thread.start), counted as wait
)

var blockNames = [...]string{"io", "sleep", "lock", "offload", "parked", "start"}

func (w BlockWhy) String() string {
	if int(w) < len(blockNames) {
		return blockNames[w]
	}
	return "?"
}

// Span is one stretch [Start, End) of an entity in one state. Entity -1
// is a process's own work on a core, done for no task: its interpreter's
// start-up, or a runtime thread's scheduler (an asyncio loop, a gevent or
// eventlet hub, a trampoline) between units, and the context switches to
// it; such spans are SpanRunning or SpanSwitching. With them, the running
// and switching spans on a core add up to its busy time (except a legacy
// GIL waiter's spin, which shows as its SpanGILWait).
type Span struct {
	Entity  int // index into Result.Tasks, or -1 (see above)
	Process int // index into Result.Processes
	Kind    SpanKind
	Core    int      // core id for SpanRunning and SpanSwitching, else -1
	HasGIL  bool     // SpanRunning while holding the process's GIL
	Why     BlockWhy // SpanBlocked: what it waited for
	Start   int64
	End     int64
}

// LimitError reports that a run hit --max-events or --max-time.
type LimitError struct {
	What  string // "events" or "time"
	Limit int64
	At    int64 // simulated time when it stopped
}

func (e *LimitError) Error() string {
	if e.What == "events" {
		return fmt.Sprintf("simulation stopped after %d events at t=%s (raise --max-events if the scenario really needs more)", e.Limit, FormatDuration(e.At))
	}
	return fmt.Sprintf("simulation passed the time limit of %s (raise --max-time if the scenario really runs that long)", FormatDuration(e.Limit))
}
