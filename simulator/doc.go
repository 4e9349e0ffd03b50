// Package simulator is gilsim's engine: it replays what Linux, CPython's
// GIL and the user-level schedulers of asyncio, gevent, eventlet, raw
// greenlets and generator coroutines do with a Scenario, and returns a
// Result that says what happened to every task, thread, process and core.
//
// Build a Scenario (the dsl package lowers a .sim file into one; Go code
// may build one by hand, which Validate checks) and call Run:
//
//	res, err := simulator.Run(sc, simulator.Options{})
//
// A run is pure and deterministic: integer-nanosecond time, one event
// queue ordered by (time, sequence), randomness only from the scenario's
// seed, no I/O, no goroutines, no clock. The same Scenario gives the same
// Result on any machine. Options bound a run (MaxEvents, MaxTime) and
// observe it (Trace receives the spans of every entity's life, Mark the
// GIL's instants of note).
//
// # Three layers
//
// The engine stacks its schedulers as the real systems do, each one the
// scheduler of the layer above:
//
//	  coroutines, greenlets, greenthreads, generators      (units)
//	┌──────────────────────────────────────────────────────────────┐
//	│ 3  user-level schedulers: an asyncio loop, a gevent or       │  runtime.go, rt_*.go,
//	│    eventlet hub, a greenlet parent, a trampoline; each runs  │  loop.go, pool.go
//	│    its units on the one OS thread it owns                    │
//	├──────────────────────────────────────────────────────────────┤
//	│ 2  the GIL of each CPython process: which of its threads may │  gil.go, gilwait.go,
//	│    run bytecode; a waiter sleeps in timed waits (new GIL) or │  phaseset.go,
//	│    the holder checks every N ticks (legacy GIL)              │  gil_legacy.go
//	├──────────────────────────────────────────────────────────────┤
//	│ 1  the machine and the OS: cores, runnable OS threads and a  │  os.go, policy.go,
//	│    policy (fair, fifo, sjf, srtf, priority, round_robin)     │  policy_*.go, burst.go,
//	│    that picks which runs where; blocking, waking, slices     │  multicore.go
//	└──────────────────────────────────────────────────────────────┘
//	  cores
//
// OS threads are everything the kernel sees: native tasks, Python
// threads, the thread of a loop or hub, pool workers. A thread waiting for
// its GIL is asleep to layer 1; a loop thread asks layers 1 and 2 for a
// core and the GIL for every step its current unit runs, exactly as a
// plain Python thread does.
//
// Each entity walks its steps with a small program counter (program.go;
// repeats are never expanded). A step becomes a demand on the layers, "run
// this long on a core, with the GIL", "block until t", "wait for the
// lock", "switch to that greenlet", and the layers turn demands into
// events. Two interpreters take the steps: a plain thread's
// (interp_thread.go) and a runtime thread's (loop.go), around one shared
// core (interp.go). A thread's state is split by the layer that owns it
// (thread.go: threadOS, threadGIL, threadRT).
//
// # Files
//
//	engine.go      the engine, its event loop, arrivals and memory
//	queue.go       the event queue; heap.go, the small heaps
//	validate.go    what Run refuses in a hand-built Scenario
//	model.go       Scenario and its parts; machine.go, the default costs
//	run.go         Options, spans, marks and limits; result.go, Result
//	collect.go     Result from the engine's counters; expect.go and
//	               metrics.go, the `expect` lines
//	lock.go        locks; draw.go, drawn durations; footprint.go, what a
//	               run costs the machine that simulates it
//	workload.go    a workload lowered to one Scenario per concurrency model
//
// A new OS policy is a PolicyKind, a file with its type (osPolicy), and a
// line in policies; a new user-level runtime is a ThreadKind, a file with
// its type (unitScheduler), and a line in runtimes.
//
// The rules each layer follows, and where they come from (CPython's
// ceval_gil.c, asyncio's base_events.py, gevent's hub, the Linux
// scheduler, measurements of CPython on a 2-core machine), are described
// in semantics.md, which the comments cite by section.
package simulator
