package simulator

// MachineParams is the one table of the machine's parameters: every key
// of a scenario's `machine { }` block, the Machine field it sets, its
// default (DefaultMachine is built from it), the values a scenario may
// give and what it means. The dsl's machine block, its help and
// completion, the generated docs (docs/language.md, docs/fidelity.md)
// and `gilsim calibrate`'s keys are derived from it or checked against it.

import "strconv"

// ParamKind says how a machine key's value is written and stored.
type ParamKind uint8

const (
	ParamDuration ParamKind = iota // a duration, in nanoseconds: `tick 4ms`
	ParamFactor                    // a plain factor, in thousandths: `multicore_speed 0.917`
	ParamChance                    // a probability, in thousandths: `gil_signal_race 0.77`
	ParamHandoff                   // a GILHandoff by name: `gil_handoff futex`
	ParamSize                      // a size, in bytes: `memory thread 16KB`
)

// MachineParam is one row of the table.
type MachineParam struct {
	Key   string // as written in a machine block: "tick", "memory thread"
	Field string // the Machine field it sets
	Kind  ParamKind
	// Default is the value unless a scenario sets it, in the field's unit
	// (nanoseconds, bytes, thousandths, a GILHandoff).
	Default int64
	// Min and Max bound what a scenario may write (Max 0: no bound above);
	// Range is what a value outside them is told, after the key.
	Min, Max int64
	Range    string
	// Example is a sensible value, for messages (factors and chances).
	Example string
	Doc     string // what it means
	Source  string // where the default comes from
	at      func(*Machine) *int64
}

// Get returns the parameter's value in m.
func (p MachineParam) Get(m *Machine) int64 {
	if p.Kind == ParamHandoff {
		return int64(m.GILHandoff)
	}
	return *p.at(m)
}

// Set sets the parameter in m to v.
func (p MachineParam) Set(m *Machine, v int64) {
	if p.Kind == ParamHandoff {
		m.GILHandoff = GILHandoff(v)
		return
	}
	*p.at(m) = v
}

// Format writes v for the docs and help as a scenario can write it in a
// machine block: a duration, factor, chance or hand-off, a size in binary
// units (8KiB) when three decimals hold it exactly, else in bytes (16527B,
// not 16.14KiB, which is not a whole number of bytes and would not parse).
func (p MachineParam) Format(v int64) string {
	switch p.Kind {
	case ParamFactor, ParamChance:
		return FormatNumber(float64(v) / 1000)
	case ParamHandoff:
		return GILHandoff(v).String()
	case ParamSize:
		if s := FormatSize(v); sizeExact(v) {
			return s
		}
		return strconv.FormatInt(v, 10) + "B"
	}
	return FormatDuration(v)
}

// InRange reports whether a scenario may give v.
func (p MachineParam) InRange(v int64) bool {
	return v >= p.Min && (p.Max == 0 || v <= p.Max)
}

// MachineParams returns the table, in the order of the docs and of the
// dsl's list of keys: each `memory KIND` right after `memory`.
func MachineParams() []MachineParam { return append([]MachineParam(nil), machineParams...) }

// MachineParamByKey returns the row of a key as written in a machine
// block ("tick", "memory thread").
func MachineParamByKey(key string) (MachineParam, bool) {
	for _, p := range machineParams {
		if p.Key == key {
			return p, true
		}
	}
	return MachineParam{}, false
}

// Each default names where it comes from: docs/semantics.md (section) or
// fidelity/data (entry), both measured on a 2-vCPU Linux 6.18 VM with
// CPython 3.11.2.
var machineParams = []MachineParam{
	// semantics.md 6.3 and 9.3: OS wake-up on another core, 24 us
	// measured on the calibration VM.
	{Key: "wakeup_latency", Field: "WakeupLatency", Default: 24_000, at: func(m *Machine) *int64 { return &m.WakeupLatency },
		Doc:    "How long the OS takes to wake a thread on another core.",
		Source: "docs/semantics.md §6.3 and §9.3: 24 us measured on the calibration VM"},
	// semantics.md 6.3: 2.2-2.7 us for a same-core thread switch
	// including two syscalls; the scenario language's default is 0 so
	// that textbook answers come out exactly. Scenarios set it.
	{Key: "context_switch", Field: "ContextSwitch", Default: 0, at: func(m *Machine) *int64 { return &m.ContextSwitch },
		Doc:    "Core time charged whenever a core starts an entity other than the one it ran last; a core's first dispatch is free (the top-level `context_switch` is the same setting).",
		Source: "0 so that textbook answers come out exactly; a same-core switch costs 2.2-2.7 us (docs/semantics.md §6.3)"},
	// Linux default timer slack for normal threads (50 us);
	// calibration sleep_op_alone_us = 278 us for time.sleep(200 us)
	// is 200 + 50 + wake-up + interpreter overhead.
	{Key: "timer_slack", Field: "TimerSlack", Default: 50_000, at: func(m *Machine) *int64 { return &m.TimerSlack },
		Doc:    "How late a timed sleep may wake.",
		Source: "Linux's default timer slack for normal threads, 50 us"},
	// calibration thread_start_join_empty_k1_ms = 0.119 ms; about
	// 80-90 us of it is Thread.start (semantics.md 6.2).
	{Key: "thread_start", Field: "ThreadStart", Default: 85_000, at: func(m *Machine) *int64 { return &m.ThreadStart },
		Doc:    "What Thread.start costs its caller uncontended: its own work, the two wake-ups of the hand-shake and the new thread's thread_bootstrap (the caller's own work is what is left, at least 0: set lower than those, a start costs more).",
		Source: "calibration: starting and joining an empty thread takes 0.119 ms, about 85 us of it Thread.start (docs/semantics.md §6.2)"},
	// semantics.md 14.2: threading's _bootstrap_inner sets start()'s
	// Event after the thread's ident, tstate lock and native id, then
	// runs run(). Timed on a 2-vCPU development machine (CPython 3.11.7),
	// whose start() does 35-41 us of work besides the two wake-ups, as
	// the reference's does 37 us (thread_start less two wake-ups).
	{Key: "thread_bootstrap", Field: "ThreadBootstrap", Default: 6_000, at: func(m *Machine) *int64 { return &m.ThreadBootstrap },
		Doc:    "What a started Python thread runs, holding the GIL, before it sets start()'s Event (its ident, tstate lock and native id); part of thread_start.",
		Source: "timed on a development machine, not the reference VM: 5-6 us of the 35-41 us of work in a start() there (docs/semantics.md §14.2)"},
	{Key: "thread_bootstrap_tail", Field: "ThreadBootstrapTail", Default: 12_000, at: func(m *Machine) *int64 { return &m.ThreadBootstrapTail },
		Doc:    "What a started Python thread runs, holding the GIL, after setting start()'s Event and before its target (the active-thread table, the trace and profile hooks, run()).",
		Source: "timed on a development machine, not the reference VM: 12.5 us from the Event to the target's first line (docs/semantics.md §14.2)"},
	// Python 2.7: a tick is about one bytecode instruction; about
	// 25 ns on the calibration VM's countdown loop (4 instructions per
	// 10 ns iteration at 3.11 speed, ~2.5x slower on 2.7).
	{Key: "legacy_tick", Field: "LegacyTick", Default: 25, Min: 1, Range: "must be greater than 0", at: func(m *Machine) *int64 { return &m.LegacyTick },
		Doc:    "The time of one tick (about one bytecode) of the Python 2 GIL's check counter; > 0.",
		Source: "about 25 ns on the calibration VM's countdown loop at 2.7 speed"},
	// semantics.md 2: 2.7 runs two CPU threads 1.77x slower than
	// sequential on 2 cores; a contended release that signals a
	// sleeping waiter (futex wake, cache-line bounce) costs the
	// releaser about this much per check.
	{Key: "legacy_signal_cost", Field: "LegacySignalCost", Default: 1_900, at: func(m *Machine) *int64 { return &m.LegacySignalCost },
		Doc:    "What a contended release of the Python 2 GIL costs the releaser per check (a futex wake, a cache-line bounce).",
		Source: "docs/semantics.md §2: 2.7 runs two CPU threads 1.77x slower than one on 2 cores"},
	// semantics.md 8.1: 3.14t, about 8 % on x86-64 Linux.
	{Key: "freethreading_overhead", Field: "FreeThreadingOverheadPermille", Kind: ParamFactor, Default: 1080, Min: 1000,
		Range: "must be at least 1 (1 = no overhead)", Example: "1.08", at: func(m *Machine) *int64 { return &m.FreeThreadingOverheadPermille },
		Doc:    "How much slower bytecode runs under `gil off` (a factor >= 1, at most 3 decimals).",
		Source: "docs/semantics.md §8.1: 3.14t is about 8 % slower on x86-64 Linux"},
	// 1000 (no slowdown) so that textbook answers come out exact; the
	// reference VM's two vCPUs run two CPU-bound processes at 0.917
	// of one's speed each (calibration E1: 2 processes take 1.09
	// units; `gilsim calibrate` measures it), which the calibration
	// scenarios set.
	{Key: "multicore_speed", Field: "MulticoreSpeedPermille", Kind: ParamFactor, Default: 1000, Min: 1, Max: 1000,
		Range: "must be above 0 and at most 1 (1 = no slowdown)", Example: "0.917", at: func(m *Machine) *int64 { return &m.MulticoreSpeedPermille },
		Doc:    "The speed of a core running CPython work while another core is busy too (a factor in (0, 1], at most 3 decimals).",
		Source: "1 so that textbook answers come out exactly; the reference VM's two vCPUs measure 0.917 (calibration E1, `gilsim calibrate`)"},
	// semantics.md 14.1: who takes the new GIL at a forced drop; the
	// cores of the requester and of the futex's pick decide first
	// (gilcore.go), then the nanosecond race, at the traced share,
	// checked against the convoy rows (calibration E3 beside one and
	// two CPU-bound threads).
	{Key: "gil_handoff", Field: "GILHandoff", Kind: ParamHandoff, Default: int64(GILHandoffFutex),
		Doc:    "Which waiter a release of the new GIL wakes: as the futex and glibc do (at a forced drop the requester may take the signal while still awake; otherwise the waiter blocked longest since its latest timed-wait re-entry), a random one, or the one that began waiting first.",
		Source: "futex: CPython 3.11 take_gil/drop_gil, glibc pthread_cond_*, Linux futex wake order (semantics.md 14.1)"},
	{Key: "gil_signal_race", Field: "GILSignalRace", Kind: ParamChance, Default: 770, Max: 1000,
		Range: "is a chance: at most 1", Example: "0.77", at: func(m *Machine) *int64 { return &m.GILSignalRace },
		Doc:    "The chance that a requester still awake on a core of its own takes a forced drop's signal before the futex wakes a sleeper (a probability, at most 3 decimals).",
		Source: "the middle of the traced share, 73-80 % for a requester on another core than the holder with one other waiter (semantics.md 14.1); with where the threads woke decided apart (a requester or a rival woken on the holder's core), the convoy rows beside two CPU-bound threads (calibration E3) at 5 and 1 ms are within their bands at it"},
	{Key: "gil_reentry", Field: "GILReentry", Default: 2_000, at: func(m *Machine) *int64 { return &m.GILReentry },
		Doc:    "How long after its timed wait expired a GIL waiter is still awake re-entering the wait: a forced drop later than that finds it blocked again.",
		Source: "a few hundred ns to a µs between the request and the holder's signal (semantics.md 14.1); fitted with gil_signal_race"},
	{Key: "gil_steal_cost", Field: "GILStealCost", Default: 5_000, at: func(m *Machine) *int64 { return &m.GILStealCost },
		Doc:    "How long after a forced drop a requester that took the signal runs with the GIL (the drop, the signal, the take; no OS wake-up).",
		Source: "5us, fitted to the E4 rows of two CPU-bound threads at 0.05 and 0.01 ms intervals (calibration E4)"},
	// semantics.md 14.3: Linux 6.18 with HZ=250 on the reference VM;
	// the balancer's delays are those traced there (an idle CPU pulls
	// after 3-8 ms, a 3-vs-1 imbalance lasts 56-120 ms, three tasks on
	// two CPUs change pairs every 116-148 ms).
	{Key: "tick", Field: "Tick", Default: 4_000_000, Min: 1, Range: "must be greater than 0", at: func(m *Machine) *int64 { return &m.Tick },
		Doc:    "The scheduler tick of the linux policy: a CPU-bound task gives its core up to another waiting on the same core only at a tick.",
		Source: "4ms: HZ=250 on the reference VM; CPU-bound tasks on one CPU alternated in 4.11-4.15 ms turns (semantics.md 14.3)"},
	{Key: "base_slice", Field: "BaseSlice", Default: 700_000, at: func(m *Machine) *int64 { return &m.BaseSlice },
		Doc:    "EEVDF's base slice of the linux policy, multiplied by 1 + ilog2(min(cores, 8)): a task keeps its core at least that long in a turn.",
		Source: "0.7ms: Linux 6.15+ sysctl_sched_base_slice (semantics.md 14.3)"},
	{Key: "fork_ramp", Field: "ForkRamp", Default: 10_000_000, at: func(m *Machine) *int64 { return &m.ForkRamp },
		Doc:    "How long a new task must have been on a core before the linux policy's fork placement counts it there: children forked closer together than this pile up on one core.",
		Source: "10ms, fitted to the traced placements of the reference VM (PELT ramps over ~32 ms; semantics.md 14.3)"},
	{Key: "balance_idle", Field: "BalanceIdle", Default: 5_000_000, at: func(m *Machine) *int64 { return &m.BalanceIdle },
		Doc:    "How long a core stays idle before it pulls a task waiting on a busy core (linux policy).",
		Source: "5ms: an idle CPU pulled a waiting task after 3-8 ms on the reference VM (semantics.md 14.3)"},
	{Key: "balance_busy", Field: "BalanceBusy", Default: 100_000_000, at: func(m *Machine) *int64 { return &m.BalanceBusy },
		Doc:    "How long a busy core stays two or more tasks behind another before the balancer pulls one (linux policy).",
		Source: "100ms: a 3-vs-1 imbalance lasted 56-120 ms on the reference VM (semantics.md 14.3)"},
	{Key: "balance_flip", Field: "BalanceFlip", Default: 130_000_000, at: func(m *Machine) *int64 { return &m.BalanceFlip },
		Doc:    "The mean time, drawn within ±15 %, before a core one task behind pulls a waiting task from the other (linux policy): three CPU-bound tasks on two cores change pairs this often.",
		Source: "130ms: 116-148 ms on the reference VM (semantics.md 14.3)"},
	// semantics.md 13.3 / 6.3 hand-off costs.
	{Key: "asyncio_switch", Field: "AsyncioSwitch", Default: 1_500, at: func(m *Machine) *int64 { return &m.AsyncioSwitch },
		Doc:    "What an asyncio hand-off costs: a task that awaits sleep(0) and is resumed.",
		Source: "calibration: asyncio_await_sleep0_us = 1.499"},
	{Key: "gevent_switch", Field: "GeventSwitch", Default: 1_170, at: func(m *Machine) *int64 { return &m.GeventSwitch },
		Doc:    "What a switch through the gevent hub costs.",
		Source: "calibration: gevent_sleep0_us_patched = 1.17"},
	{Key: "eventlet_switch", Field: "EventletSwitch", Default: 2_600, at: func(m *Machine) *int64 { return &m.EventletSwitch },
		Doc:    "What a switch through the eventlet hub costs.",
		Source: "docs/semantics.md §11.8: eventlet.sleep(0) takes 2.6 us"},
	// Raw greenlet and generator hand-offs cost 0.117 us and 0.024 us
	// (semantics.md 12.2, 13.2), but default to 0, like context_switch,
	// so that docs/language.md's examples of `greenlets` and `coroutines`
	// come out exactly as it states; set them in `machine { }` (the
	// calibration scenarios do, and `gilsim calibrate` prints them).
	{Key: "greenlet_switch", Field: "GreenletSwitch", Default: 0, at: func(m *Machine) *int64 { return &m.GreenletSwitch },
		Doc:    "What a raw greenlet switch costs.",
		Source: "0 so that the language's examples come out exactly; measured 0.117 us (docs/semantics.md §12.2)"},
	{Key: "generator_switch", Field: "GeneratorSwitch", Default: 0, at: func(m *Machine) *int64 { return &m.GeneratorSwitch },
		Doc:    "What resuming a generator costs.",
		Source: "0 so that the language's examples come out exactly; measured 0.024 us (docs/semantics.md §13.2)"},
	// semantics.md 13.2: a round-robin trampoline's step is 59 ns
	// (10^5 steps in 5.9 ms), of which the send is 24 ns; the deque
	// and StopIteration handling make the other 35 ns. 0 by default
	// for the same reason as generator_switch.
	{Key: "trampoline_dispatch", Field: "TrampolineDispatch", Default: 0, at: func(m *Machine) *int64 { return &m.TrampolineDispatch },
		Doc:    "What the trampoline of a `coroutines` block costs per step, besides the switch.",
		Source: "0 by default, as generator_switch; measured 35 ns (docs/semantics.md §13.2)"},
	// Process start-up by start method. fork: calibration
	// process_start_join_empty_k1_ms = 1.977 ms (fork, start and join
	// of an empty target, CPython 3.11 on the reference VM).
	// forkserver (server already running) and spawn: semantics.md 7.2,
	// Process(target=noop).start() and join on 3.11, 8.2 ms and 26 ms
	// (measured on another machine, where fork took 1.4 ms).
	{Key: "process_start_fork", Field: "ProcessStartFork", Default: 1_977_000, at: func(m *Machine) *int64 { return &m.ProcessStartFork },
		Doc:    "The start-up of a process with `start fork` (or bare `start`) and no `startup`, and of each worker of the compare processes model.",
		Source: "calibration: process_start_join_empty_k1_ms = 1.977 (fork, start and join of an empty target, CPython 3.11)"},
	{Key: "process_start_forkserver", Field: "ProcessStartForkserver", Default: 8_200_000, at: func(m *Machine) *int64 { return &m.ProcessStartForkserver },
		Doc:    "The start-up of a process with `start forkserver` and no `startup` (the server already running).",
		Source: "docs/semantics.md §7.2: 8.2 ms on CPython 3.11"},
	{Key: "process_start_spawn", Field: "ProcessStartSpawn", Default: 26_000_000, at: func(m *Machine) *int64 { return &m.ProcessStartSpawn },
		Doc:    "The start-up of a process with `start spawn` and no `startup`: a fresh interpreter that re-imports __main__.",
		Source: "docs/semantics.md §7.2: 26 ms on CPython 3.11"},
	// One side of a pipe transfer, fitted to semantics.md 7.3's
	// Pool(2).apply round trips on 3.11 (a round trip is four sides:
	// send and receive, each way): 1 KB in 157 us and 10 MB in 53 ms
	// give 37.96 us a message and 1.321 ms per MiB. The fit
	// overestimates the 100 KB round trip (668 us against ~410 us).
	{Key: "ipc_base", Field: "IPCBase", Default: 37_960, at: func(m *Machine) *int64 { return &m.IPCBase },
		Doc:    "CPU under the GIL that one `send` or `recv` costs per message (pickling and Connection's own code), whatever its size; the compare processes model charges four of them per chunk.",
		Source: "fitted to Pool(2).apply round trips of 1 KB (157 us) and 10 MB (53 ms) on CPython 3.11, four sides each (docs/semantics.md §7.3)"},
	{Key: "ipc_per_mib", Field: "IPCPerMiB", Default: 1_321_000, at: func(m *Machine) *int64 { return &m.IPCPerMiB },
		Doc:    "What copying 1 MiB of a `send` or `recv` payload through the pipe costs, on a core with the GIL released.",
		Source: "fitted with ipc_base: 1.321 ms a MiB, about 1.26 ns a byte (docs/semantics.md §7.3)"},
	// Memory: calibration e8 (RSS per idle unit at N = 10 000) and
	// semantics.md.
	{Key: "memory", Field: "MemTotal", Kind: ParamSize, Default: 24 << 30, at: func(m *Machine) *int64 { return &m.MemTotal },
		Doc:    "The machine's total memory (0 = unlimited), or what one unit of a kind takes: process, thread, coroutine, greenlet, greenthread, raw_greenlet, gen.",
		Source: "the reference machine has 24 GiB"},
	// 8.8 MiB: RSS of a fresh Debian CPython 3.11.2 (`gilsim calibrate`
	// on the reference VM).
	{Key: "memory process", Field: "MemProcess", Kind: ParamSize, Default: 9_199_616, at: func(m *Machine) *int64 { return &m.MemProcess },
		Doc:    "Resident memory of one CPython process.",
		Source: "RSS of a fresh CPython 3.11.2 (`gilsim calibrate` on the reference VM)"},
	// 16.14 KiB (rss_kib_per_threads_10000)
	{Key: "memory thread", Field: "MemThread", Kind: ParamSize, Default: 16_527, at: func(m *Machine) *int64 { return &m.MemThread },
		Doc:    "Memory of one thread.",
		Source: "calibration E8: RSS per thread at 10,000 threads"},
	// 1.177 KiB (rss_kib_per_tasks_10000)
	{Key: "memory coroutine", Field: "MemCoroutine", Kind: ParamSize, Default: 1_205, at: func(m *Machine) *int64 { return &m.MemCoroutine },
		Doc:    "Memory of one asyncio task.",
		Source: "calibration E8: RSS per task at 10,000 tasks"},
	// 8.314 KiB (rss_kib_per_greenlets_10000)
	{Key: "memory greenlet", Field: "MemGreenlet", Kind: ParamSize, Default: 8_513, at: func(m *Machine) *int64 { return &m.MemGreenlet },
		Doc:    "Memory of one gevent greenlet.",
		Source: "calibration E8: RSS per greenlet at 10,000 greenlets"},
	// 7.39 KiB (semantics.md 11.8)
	{Key: "memory greenthread", Field: "MemGreenthread", Kind: ParamSize, Default: 7_567, at: func(m *Machine) *int64 { return &m.MemGreenthread },
		Doc:    "Memory of one eventlet greenthread.",
		Source: "docs/semantics.md §11.8"},
	// 5.68 KiB (semantics.md 12.2)
	{Key: "memory raw_greenlet", Field: "MemRawGreenlet", Kind: ParamSize, Default: 5_816, at: func(m *Machine) *int64 { return &m.MemRawGreenlet },
		Doc:    "Memory of one greenlet of a `greenlets` block.",
		Source: "docs/semantics.md §12.2"},
	// 0.17 KiB (semantics.md 13.2)
	{Key: "memory gen", Field: "MemGenerator", Kind: ParamSize, Default: 174, at: func(m *Machine) *int64 { return &m.MemGenerator },
		Doc:    "Memory of one generator.",
		Source: "docs/semantics.md §13.2"},
}
