package fidelity

import (
	"fmt"
	"strconv"

	"github.com/gilsim/gilsim/simulator"
)

// Param documents one key of a scenario's `machine { }` block: its
// default (read from simulator.DefaultMachine), where that default comes
// from, and what `gilsim calibrate` measures for it.
type Param struct {
	Key       string // as written in a machine block
	Example   string // a value that parses, for the test of Key
	Default   func(simulator.Machine) string
	Source    string
	Calibrate string // what `gilsim calibrate` measures, or why it does not
}

func dur(f func(simulator.Machine) int64) func(simulator.Machine) string {
	return func(m simulator.Machine) string { return simulator.FormatDuration(f(m)) }
}

func size(f func(simulator.Machine) int64) func(simulator.Machine) string {
	return func(m simulator.Machine) string {
		return simulator.FormatSize(f(m)) + " (" + strconv.FormatInt(f(m), 10) + " B)"
	}
}

// Params lists the machine block's keys. TestParamsParse checks that
// each key exists.
var Params = []Param{
	{"wakeup_latency", "24us", dur(func(m simulator.Machine) int64 { return m.WakeupLatency }),
		"docs/semantics.md §6.3 and §9.3: a C pipe ping-pong between two threads pinned to different cores of the reference VM, 24 µs a hop",
		"pipe ping-pong between two processes pinned to different CPUs, per hop"},
	{"context_switch", "3us", dur(func(m simulator.Machine) int64 { return m.ContextSwitch }),
		"0 so that textbook answers for native tasks come out exact (docs/language.md); the reference VM switches threads on one core in 2.2–2.7 µs (docs/semantics.md §6.3)",
		"pipe ping-pong between two processes pinned to the same CPU, per hop"},
	{"timer_slack", "50us", dur(func(m simulator.Machine) int64 { return m.TimerSlack }),
		"Linux's default timer slack for a normal thread; calibration.json sleep_op_alone_us = 278 µs for time.sleep(200 µs) is 200 + 50 + the 24 µs wake-up + ~4 µs of interpreter",
		"median time.sleep(200 µs) alone, minus 200 µs and the measured wake-up latency"},
	{"thread_start", "85us", dur(func(m simulator.Machine) int64 { return m.ThreadStart }),
		"calibration.json thread_start_join_empty_k1_ms = 0.119 ms, of which Thread.start is 80–90 µs (docs/semantics.md §6.2); charged when an executor or thread pool grows",
		"threading.Thread(target=noop).start(), median (the join not counted)"},
	{"asyncio_switch", "1.5us", dur(func(m simulator.Machine) int64 { return m.AsyncioSwitch }),
		"calibration.json asyncio_await_sleep0_us = 1.499",
		"`await asyncio.sleep(0)` between two tasks, per call (fastest of 7 repetitions)"},
	{"gevent_switch", "1.17us", dur(func(m simulator.Machine) int64 { return m.GeventSwitch }),
		"calibration.json gevent_sleep0_us_patched = 1.17",
		"gevent.sleep(0) between two greenlets, per call, fastest of 7 (skipped without gevent)"},
	{"eventlet_switch", "2.6us", dur(func(m simulator.Machine) int64 { return m.EventletSwitch }),
		"docs/semantics.md §11.8: eventlet.sleep(0) 2.6 µs",
		"eventlet.sleep(0) between two greenthreads, per call, fastest of 7 (skipped without eventlet)"},
	{"greenlet_switch", "117ns", dur(func(m simulator.Machine) int64 { return m.GreenletSwitch }),
		"0 so that docs/language.md's `greenlets` example comes out exact; measured 0.117 µs (eventlet_greenlet.json greenlet_switch_us = 0.1174), which the calibration scenario sets",
		"raw greenlet ping-pong, per switch, fastest of 7 (skipped without greenlet)"},
	{"generator_switch", "24ns", dur(func(m simulator.Machine) int64 { return m.GeneratorSwitch }),
		"0 so that docs/language.md's `coroutines` example comes out exact; measured 0.024 µs (eventlet_greenlet.json generator_send_us = 0.0238), which the calibration scenario sets",
		"g.send(x) into a generator, per send (fastest of 7 repetitions)"},
	{"trampoline_dispatch", "35ns", dur(func(m simulator.Machine) int64 { return m.TrampolineDispatch }),
		"0 so that docs/language.md's `coroutines` example comes out exact; a round-robin trampoline's step is 59 ns, of which 24 ns is the send (docs/semantics.md §13.2: 10⁵ steps in 5.9 ms), which the trampoline calibration scenario sets",
		"a round-robin trampoline's step over 1000 generators, minus generator_switch"},
	{"legacy_tick", "25ns", dur(func(m simulator.Machine) int64 { return m.LegacyTick }),
		"an estimate: one bytecode of the countdown loop on Python 2.7 (docs/semantics.md §2), not measured",
		"not measured: needs a Python 2 interpreter"},
	{"legacy_signal_cost", "1900ns", dur(func(m simulator.Machine) int64 { return m.LegacySignalCost }),
		"fitted to docs/semantics.md §2: two CPU threads 1.77× slower than sequential on 2.7, 2 cores",
		"not measured: needs a Python 2 interpreter"},
	{"freethreading_overhead", "1.08", func(m simulator.Machine) string {
		return fmt.Sprintf("%d.%03d", m.FreeThreadingOverheadPermille/1000, m.FreeThreadingOverheadPermille%1000)
	},
		"docs/semantics.md §8.1: 3.14t on x86-64 Linux, about 8 %",
		"not measured: needs a free-threaded build"},
	{"multicore_speed", "0.917", func(m simulator.Machine) string {
		return fmt.Sprintf("%d.%03d", m.MulticoreSpeedPermille/1000, m.MulticoreSpeedPermille%1000)
	},
		"1 (no slowdown) so that textbook answers come out exact; on the reference VM two CPU-bound processes take 1.091 units of one (calibration.json E1 processes_2), 0.917 of one's speed each, which the E1 calibration scenario sets",
		"a countdown in 1 process, then in 2 processes at once: t1 / t2"},
	{"gil_handoff", "futex", func(m simulator.Machine) string { return m.GILHandoff.String() },
		"docs/semantics.md §14.1: CPython 3.11 take_gil/drop_gil, glibc's condition variable (a waiter not yet blocked consumes a signal) and the futex's FIFO wake order",
		"not measured"},
	{"gil_signal_race", "0.77", func(m simulator.Machine) string {
		return fmt.Sprintf("%d.%03d", m.GILSignalRace/1000, m.GILSignalRace%1000)
	},
		"fitted to the E3 convoy rows beside one and two CPU-bound threads; docs/semantics.md §14.1: traced 73–80 % for a requester on another core with one other waiter",
		"the ops/s of a time.sleep(200 µs) loop beside one, two and three CPU-bound threads (0.5 s windows, the default switch interval), then the value with which gilsim's own model, on the rest of the printed block, comes closest to the runs beside two and three"},
	{"gil_reentry", "2us", func(m simulator.Machine) string { return simulator.FormatDuration(m.GILReentry) },
		"docs/semantics.md §14.1: the holder signals about a microsecond after the request; fitted with gil_signal_race",
		"not measured"},
	{"gil_steal_cost", "5us", dur(func(m simulator.Machine) int64 { return m.GILStealCost }),
		"fitted to the E4 rows of two CPU-bound threads at 0.05 and 0.01 ms intervals",
		"not measured"},
	{"tick", "4ms", dur(func(m simulator.Machine) int64 { return m.Tick }),
		"HZ=250 on the reference VM: CPU-bound tasks on one CPU alternated in 4.11–4.15 ms turns (docs/semantics.md §14.3)",
		"the turns of two spinners pinned to one CPU (the gaps in each one's run), as the tick of the usual HZ (1000, 300, 250, 100) whose whole ticks make that turn, else the turn itself"},
	{"base_slice", "0.7ms", dur(func(m simulator.Machine) int64 { return m.BaseSlice }),
		"Linux 6.15+ sysctl_sched_base_slice (docs/semantics.md §14.3)",
		"not measured"},
	{"fork_ramp", "10ms", dur(func(m simulator.Machine) int64 { return m.ForkRamp }),
		"fitted to the traced fork placements of the reference VM: 4 of 5 runs put 3 of 4 children on one CPU (docs/semantics.md §14.3)",
		"not measured"},
	{"balance_idle", "5ms", dur(func(m simulator.Machine) int64 { return m.BalanceIdle }),
		"an idle CPU pulled a waiting task after 3–8 ms on the reference VM (docs/semantics.md §14.3)",
		"3 spinners, 2 on one CPU and 1 on another, which exits: the median delay until the idle CPU pulls one"},
	{"balance_busy", "100ms", dur(func(m simulator.Machine) int64 { return m.BalanceBusy }),
		"a 3-vs-1 imbalance lasted 56–120 ms on the reference VM (docs/semantics.md §14.3)",
		"4 spinners, 3 on one CPU and 1 on another: the median delay until the 3 become 2"},
	{"balance_flip", "130ms", dur(func(m simulator.Machine) int64 { return m.BalanceFlip }),
		"3 tasks on 2 CPUs changed pairs every 116–148 ms on the reference VM, median about 130 ms (docs/semantics.md §14.3)",
		"3 spinners on 2 CPUs: the median time between changes of the one running alone (each one's CPU from /proc/self/stat)"},
	{"process_start_fork", "2ms", dur(func(m simulator.Machine) int64 { return m.ProcessStartFork }),
		"calibration.json process_start_join_empty_k1_ms = 1.977 (fork, start and join of an empty target); also each worker of the compare processes model",
		"printed as the comment `# process_start` (fork, start and join of an empty target): copy its value to this key"},
	{"process_start_forkserver", "8ms", dur(func(m simulator.Machine) int64 { return m.ProcessStartForkserver }),
		"docs/semantics.md §7.2: 8.2 ms on CPython 3.11 with the server running (measured on a machine where fork took 1.4 ms)",
		"not measured"},
	{"process_start_spawn", "26ms", dur(func(m simulator.Machine) int64 { return m.ProcessStartSpawn }),
		"docs/semantics.md §7.2: 26 ms on CPython 3.11 (measured on a machine where fork took 1.4 ms)",
		"not measured"},
	{"ipc_base", "38us", dur(func(m simulator.Machine) int64 { return m.IPCBase }),
		"fitted to docs/semantics.md §7.3's Pool(2).apply round trips on 3.11 (1 KB: 157 µs, 10 MB: 53 ms), four sides each; the fit puts 100 KB at 668 µs against ~410 µs measured",
		"not measured"},
	{"ipc_per_mib", "1.3ms", dur(func(m simulator.Machine) int64 { return m.IPCPerMiB }),
		"fitted with ipc_base: 1.321 ms a MiB (1.26 ns a byte)",
		"not measured"},
	{"memory process", "10MB", size(func(m simulator.Machine) int64 { return m.MemProcess }),
		"an estimate of a fresh CPython 3.11 interpreter's RSS (not in the calibration data)",
		"RSS of a fresh interpreter after start-up"},
	{"memory thread", "16KB", size(func(m simulator.Machine) int64 { return m.MemThread }),
		"calibration.json rss_kib_per_threads_10000 = 16.14 KiB",
		"RSS per threading.Thread parked on an Event, slope between 200 and 1000 threads"},
	{"memory coroutine", "1KB", size(func(m simulator.Machine) int64 { return m.MemCoroutine }),
		"calibration.json rss_kib_per_tasks_10000 = 1.177 KiB",
		"RSS per asyncio task parked on an Event, slope between 1000 and 10000"},
	{"memory greenlet", "8KB", size(func(m simulator.Machine) int64 { return m.MemGreenlet }),
		"calibration.json rss_kib_per_greenlets_10000 = 8.314 KiB",
		"RSS per gevent greenlet parked on an Event (skipped without gevent)"},
	{"memory greenthread", "7KB", size(func(m simulator.Machine) int64 { return m.MemGreenthread }),
		"eventlet_greenlet.json rss_kib_per_greenthread_at_10000 = 7.39 KiB",
		"RSS per eventlet greenthread parked on an Event (skipped without eventlet)"},
	{"memory raw_greenlet", "5KB", size(func(m simulator.Machine) int64 { return m.MemRawGreenlet }),
		"eventlet_greenlet.json rss_kib_per_raw_greenlet_at_10000 = 5.684 KiB",
		"RSS per raw greenlet parked after one switch (skipped without greenlet)"},
	{"memory gen", "200B", size(func(m simulator.Machine) int64 { return m.MemGenerator }),
		"eventlet_greenlet.json rss_kib_per_generator_at_10000 = 0.172 KiB",
		"RSS per suspended generator"},
	{"memory", "8GB", size(func(m simulator.Machine) int64 { return m.MemTotal }),
		"the reference machine's memory",
		"the physical memory (os.sysconf)"},
}

// Missing lists machine parameters the issue asks for, or the fidelity
// table shows a need for, that a scenario cannot set yet. `gilsim
// calibrate` measures them and prints them as comments.
var Missing = []struct{ Name, Reference, Note string }{
	{"GIL take/drop overhead", "≈ 0 µs",
		"no parameter: the engine charges only the waiter's wake-up. On the reference VM a Python-thread pipe round trip (44–47 µs, 2 wake-ups and 2 GIL hand-offs, docs/semantics.md §6.3) is no more than two cross-core hops (2 × 24 µs), so the take/drop itself is within the noise. `gilsim calibrate` prints it as `# gil_handoff_overhead`: a pipe hop between two threads on one CPU minus one between two processes on one CPU"},
	{"wake-up of a core that just went idle", "≈ 2 µs",
		"inferred from E4 (2 threads at a 10 µs interval, 3 % slower than at 5 ms)"},
}
