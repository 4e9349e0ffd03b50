// Package dsl reads gilsim scenario files (.sim) and turns them into a
// checked, fully expanded *simulator.Scenario.
//
//	sc, err := dsl.ParseFile("pool.sim")
//	if err != nil {
//		fmt.Fprintln(os.Stderr, err) // file:line:col: message, the line, a caret
//		os.Exit(2)
//	}
//
// Parsing runs in phases: lex (scan.go finds the tokens, lexer.go checks
// them: every lexical error), parse (participle, with the grammar of
// package internal/grammar, whose EBNF is kept in testdata/grammar.ebnf),
// check (check.go: every semantic error, values converted, steps built
// once) and lower (lower.go: `x N` expanded). Errors come back as an
// ErrorList: the first syntax error, or up to MaxErrors lexical or
// semantic errors, sorted by position.
//
// participle parses every file. The scanner's tokens go straight into
// its PeekingLexer; the tree's outer nodes (grammar.go) are the
// grammar's, and an entity, what a large file is made of, is read by
// entityNode's Parse method, participle's Parseable (entity.go), into the
// tree the grammar would give, as is each leaf, a node of one token
// (leaves.go). A file that parser refuses is parsed again
// with the grammar whole, which words its error. participle's parsers
// are built on first use.
//
// # The language in brief
//
// This is the reference for what the parser accepts; the full contract is
// docs/language.md of the project.
//
// Lexical. Files are UTF-8; a leading byte-order mark is skipped; a line
// ends at \n, \r\n or a lone \r (positions count lines the same way
// whatever the file's line endings); `#` starts a comment to the end of
// the line; whitespace only separates tokens. Strings are double-quoted on
// one line with `\"` and `\\` as the only escapes, and hold no control
// character (C0, DEL, C1, U+2028, U+2029; a tab neither): each is an error
// at its column. Keywords are lower-case and reserved:
//
//	scenario seed cores policy quantum context_switch task process thread
//	x at priority nice gil interval legacy check off startup asyncio gevent
//	eventlet greenlets coroutines patched unpatched greenlet greenthread gen
//	cpu native io sleep await yield offload repeat lock switch send recv
//	semaphore start uniform exp normal expect within machine workload param
//	vary in when and
//
// A number is `[0-9]+(\.[0-9]+)?`, glued to its unit: durations take ns,
// us, µs (U+00B5 or U+03BC), ms or s; sizes B, KB, MB or GB (powers of
// 1024, also spelled KiB, MiB and GiB: 1KB and 1KiB are both 1024 bytes);
// a percentage takes %. A bare 0 stands for any duration or size.
// Values convert exactly as decimals (1.005ms is 1005000 ns); a duration
// that is not a whole number of nanoseconds, a size that is not a whole
// number of bytes, anything of 2^63 or more, `10 ms`, `5min`, `1e3ms`,
// `0x10` and `1_000` are errors. Only the values of `nice` and `priority`
// take a sign, glued to the number (`nice -5`).
//
// Structure:
//
//	scenario "title" {
//	  seed 42                          # default 1
//	  cores 2                          # default 1
//	  policy round_robin quantum 10ms  # fair (default), fifo, sjf, srtf, priority, round_robin
//	  context_switch 5us               # default 0
//	  machine { wakeup_latency 24us  memory thread 16KB  memory 8GB }
//
//	  task "P1" x 2 at 0ms priority 3 nice 0 { cpu 24ms io 5ms }
//	  process "app" x 2 at 0 nice 0 {
//	    gil interval 5ms               # or: gil legacy [check 100], gil off
//	    startup 30ms
//	    thread "w" x 4 at 0 priority 0 nice 0 { cpu 1ms lock "db" { io 2ms } }
//	    asyncio { task "c" x 10 at 1ms { await io 5ms offload { cpu 1ms } } }
//	    gevent patched { greenlet "g" { io 5ms } }   # or unpatched
//	    eventlet unpatched { greenthread "e" { sleep 1ms } }
//	    greenlets { greenlet "A" { cpu 1ms switch "B" } greenlet "B" { switch "A" } }
//	    coroutines { gen "a" { repeat 3 { cpu 1ms yield } } gen "b" { yield } }
//	  }
//
//	  expect makespan < 900ms
//	  expect finish("app#1/w#2") ~= 40ms within 5%
//	}
//
// Settings, entities and expect lines come in any order; each setting at
// most once in its scope. `quantum` goes with `policy round_robin`, which
// requires it; it may follow the policy name or stand on its own. A
// top-level `context_switch` and the machine block's are one setting.
//
// Modifiers follow a name in any order, each at most once: a top-level
// `task` and a `thread` take x, at, priority and nice; a `process` takes x,
// at and nice (its threads and runtime threads inherit its nice); an
// asyncio `task`, a `greenlet`, a `greenthread` and a `gen` take x and
// at. `x N` (N >= 1) names replicas name#1 … name#N, even for x 1,
// expanded in place and depth first. `at` takes a duration or a
// distribution; a process's `at` is absolute, other `at`s count from the
// end of the process's startup. A distribution in `at` is drawn once per
// replica when the file is loaded, in expanded file order, from a
// generator seeded by `seed` (the model holds arrivals as instants).
//
// Names are non-empty and contain neither # nor /. They are unique at the
// top level (tasks, processes, workloads) and within one process (its
// threads, its members, and the thread of each runtime block, which is
// named after the block: "asyncio", "gevent", "eventlet", "greenlets",
// "coroutines").
//
// A process holds at most one block of each runtime. `gevent` and
// `eventlet` need `patched` or `unpatched`; a patched one excludes plain
// threads, `asyncio` and the other of the two in its process. A
// `coroutines` block whose only generator yields is an error (it yields to
// nothing).
//
// Steps: `cpu D`, `native D`, `io D`, `sleep D`, `blocking io D`,
// `blocking sleep D` (a call the runtime cannot see: it blocks a patched
// hub too; wherever io stands), `await io D`, `await sleep D` (D a
// duration or `uniform(a, b)`, `exp(mean)`, `normal(mean, sd)`; a normal
// whose clamping at 0 raises its mean by over 5 % is warned about),
// `yield`, `offload { }`, `repeat N { }` (N >= 0,
// never expanded), `lock "name" { }` (per process, not re-entrant: a lock
// nested in itself is an error; asyncio.Lock in an asyncio task),
// `semaphore "name" N { }` (N >= 1 slots, per process; one name is one
// lock or semaphore of one size), `send SIZE` and `recv SIZE` (one side of a
// pipe transfer each, lowered to a cpu and a native step by
// simulator.Machine.IPC once the machine block is read) and `switch "name"`
// (a greenlet of the same `greenlets` block; a replicated one is named
// g#k). A process takes `start [fork|forkserver|spawn]` among its
// modifiers: its startup then defaults to the machine's cost of the method.
// Where each may stand (semaphore, send and recv wherever lock may, but a
// workload task takes no send or recv):
//
//	native task                cpu io sleep repeat
//	thread                     cpu native io sleep yield repeat lock
//	asyncio task               all but switch
//	gevent greenlet,
//	eventlet greenthread       all but await and switch
//	greenlet of greenlets      cpu native io sleep repeat lock switch
//	gen                        cpu native io sleep repeat yield
//	inside offload             cpu native io sleep repeat lock
//
// Expectations: `expect METRIC [ ("name") ] OP VALUE [within TOL]` with OP
// one of < <= > >= == ~=. METRIC is a name of simulator.Metrics; its
// argument is a string or a bare word (`memory(app)`). VALUE has the
// metric's type: a duration, a size, or a plain number (`utilization` also
// accepts a trailing %, which changes nothing: it is a percentage
// already). `~=` requires `within P%` (relative to VALUE) or `within` a
// value of the metric's type (absolute); `within` goes with `~=` only. The
// argument names a top-level task or process (with or without #k), a
// thread or member that only one process defines (with or without #k), or
// "process/name" (either part with or without #k); a native task may be
// written "name/name" (it is its own process). A bare name that is both a
// top-level task and a thread or member of a process is an error that
// lists the qualified names. The metrics measured per process
// (gil_handoffs, gil_forced_switches, memory, lag, stall) take a
// top-level name only; lock_wait also takes a lock's name ("db", or
// "app/db" for one process's), which means every wait on that lock.
// p50, p90 and p99 are nearest-rank percentiles of the latencies (finish
// minus arrival) of the tasks the name means, and throughput their
// completions per second from the first arrival to the last finish. Expect.Text is the line after `expect` with
// whitespace and comments between tokens collapsed to one space.
// ParseExpect reads one expectation on its own, for Go tests that check a
// result with simulator.Evaluate.
//
// The machine block takes wakeup_latency, context_switch, timer_slack,
// thread_start, thread_bootstrap, thread_bootstrap_tail, legacy_tick (> 0), legacy_signal_cost, asyncio_switch,
// gevent_switch, eventlet_switch, greenlet_switch, generator_switch,
// trampoline_dispatch, process_start_fork, process_start_forkserver,
// process_start_spawn, ipc_base and ipc_per_mib (durations), freethreading_overhead F (a factor >= 1
// with at most three decimals: 1.08), multicore_speed F (a factor in
// (0, 1] with at most three decimals: 0.917), gil_handoff random|fifo,
// `memory KIND SIZE` with KIND one of process, thread, coroutine, greenlet,
// greenthread, raw_greenlet, gen, and `memory SIZE` (the machine's total; 0 = unlimited). Each key at most
// once; unset keys keep simulator.DefaultMachine.
//
// Limits: cores 1..1000000; at most simulator.MaxEntities entities after
// expansion (every task, process, thread, runtime thread and member
// counts one), refused before anything is expanded; files up to 16 MiB;
// blocks nested at most 200 deep.
//
// # Parameters and sweeps
//
//	scenario "pool size" {
//	  param workers = 4        # a number, a duration, a size or a percentage
//	  param switch = 5ms
//	  process "app" {
//	    gil interval $switch
//	    thread "w" x $workers { repeat 10 { cpu 1ms io 20ms } }
//	  }
//	  vary workers in [1, 2, 4, 8]
//	  vary switch in [1ms, 5ms]
//	  expect makespan < 2s                       # holds in every run
//	  expect makespan < 300ms when workers == 8  # in the runs that meet the condition
//	}
//
// `param NAME = VALUE` declares a parameter and its default; VALUE is a
// literal, and its unit fixes the parameter's kind (a bare 0 fits any
// kind). The name may be a keyword (`switch`), since it is only used as
// `$NAME`. `$NAME` stands wherever a quantity does: counts (`x`, `repeat`,
// `cores`, `seed`, `check`, `priority`, `nice`), durations (steps, `at`,
// the arguments of a distribution, `quantum`, `context_switch`, `gil
// interval`, `startup`, machine keys), sizes (`memory`), and the value and
// tolerance of an expectation. The slot checks the value as if it were
// written there, and an error caused by a value names it: "`x` must be at
// least 1 ($workers = 0)".
//
// `vary NAME in [v1, v2, ...]` makes one run per value; several vary lines
// make the cross product, in the order of the vary lines, the first one
// outermost. Values are literals of the parameter's kind, each listed
// once. A sweep makes at most MaxRuns runs. Every run has the file's seed.
// `param` and `vary` lines stand at the top level, in any order; a
// parameter may be used before its `param` line.
//
// `expect ... when COND [and COND]...` applies only to the runs whose
// parameters meet every condition: NAME (with or without `$`), one of ==
// < <= > >=, and a literal of the parameter's kind; values compare by
// magnitude (1s == 1000ms). An expectation without `when` must hold in
// every run. A `when` that no run of the file meets is an error, unless
// --set changed one of its parameters.
//
// ParseSweep returns every run (a plain file is a sweep of one run), with
// --set style overrides: a value, or a comma-separated list that replaces
// the parameter's vary list (a fixed parameter given a list becomes
// varied, innermost). Parse and ParseFile return one scenario with every
// parameter at its default: they check the vary lines but run none of
// them, and keep the `when` expectations that the defaults meet.
//
// # Workloads
//
//	scenario "crawler" {
//	  cores 4
//	  workload "fetch" {
//	    task "req" x 200 at uniform(0, 1s) { cpu 200us  io 100ms  lock "db" { cpu 100us } }
//	  }
//	  expect speedup(processes) > 3
//	  expect makespan(asyncio) < 1s
//	}
//
// A `workload` says what a program does without saying how it runs:
// `gilsim compare` runs it under each concurrency model (simulator.Lower
// says what each step becomes). It holds `task`s, which take x and at, and
// whose steps are cpu, native, io, sleep, repeat and lock (a lock of the
// workload, shared by every task); await, offload, yield and switch are
// the models' business and errors here. A file holds at most one
// workload, and nothing beside it but settings, param and vary lines and
// expectations: a task or process next to it is an error. The
// expectations of a workload file name a metric of
// simulator.CompareMetrics (makespan, speedup, parallelism, gil_wait,
// latency, p50, p90, p99, throughput, lag, memory) and a model: sequential, threads, threads-nogil,
// processes, asyncio, asyncio+threads, gevent or gevent-unpatched, bare
// (keywords included: `lag(asyncio)`) or quoted (`"threads-nogil"`). A
// scenario's expectations may not use them, nor a workload file's the
// scenario metrics.
//
// Parse, ParseFile and ParseSweep take scenarios only: a workload file is
// an error at its `workload` that says to compare it. ParseWorkload and
// ParseWorkloadSweep take workload files only (Run.Workload set,
// Run.Scenario nil); ParseAnySweep takes either (Sweep.IsWorkload says
// which). Arrivals are drawn as for a scenario, once per replica in file
// order.
//
// # Tools
//
// Format lays a file that parses out canonically (`gilsim fmt`), keeping
// its comments and its meaning: only the space between tokens changes.
// Tokens lexes any text, comments included, without failing. NewOutline
// reads the structure of a file from its tokens, so that it works on a
// half-typed file too; its Complete, HelpAt and DefinitionAt tell an
// editor which words may stand at a point, what a word means (with the
// defaults of settings and machine keys), and what a name in an
// expectation or a switch refers to (`gilsim lsp`).
package dsl
