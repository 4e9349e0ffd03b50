package fidelity

import "slices"

// Limit is an effect of real CPython that gilsim does not reproduce yet:
// the rows it spoils, and the rule of semantics.md that is missing.
type Limit struct {
	ID      string
	Title   string
	Rows    []string // IDs of the rows that leave their band because of it
	Missing string   // the rule the engine lacks, and what it would take
}

// Known lists the known limitations. The fidelity test skips asserting
// the bands of exactly these rows, and fails when one of them comes back
// within its band (it is then no longer a limitation: remove it here).
//
// The slice is the caller's own.
func Known() []Limit {
	out := slices.Clone(known)
	for i := range out {
		out[i].Rows = slices.Clone(out[i].Rows)
	}
	return out
}

var known = []Limit{
	{
		ID:    "L1",
		Title: "a thread's start after the cores sat idle",
		Rows: []string{
			"e1_threads_1_start_times_ms[0]",
			"e1_threads_2_start_times_ms[0]",
			"e1_threads_4_start_times_ms[0]",
		},
		Missing: "gilsim runs a started thread's bootstrap (threading's _bootstrap_inner) as its process's work on the new thread, holding the GIL, before its target: thread_bootstrap (6 µs) up to setting start()'s Event, which wakes the caller, and thread_bootstrap_tail (12 µs) after it (docs/semantics.md §14.2). The first worker begins 73 µs after start(): 31 µs of the caller's own work, a 24 µs wake-up and 18 µs of bootstrap. Measured, it begins 0.12–0.22 ms after start(). The parts were timed on a development machine from starts one after another, as thread_start (85 µs) was; there, a start after the cores sat idle for 2 ms took 1.4 times as long to reach its target (104 µs for 72 µs), in the caller's work, the bootstrap and the wake-ups alike, and E1's first start follows 0.2–0.8 s of work on one core, the other vCPU idle. The missing rule is a wake-up and start cost that grows with how long a core sat idle (a halted vCPU's wake-up, cold caches), which wakeup_latency and thread_start take as constants.",
	},
	{
		ID:    "L2",
		Title: "the hand-off among three or more GIL waiters",
		Rows: []string{
			"e1_threads_4_start_times_ms[2]",
			"e1_threads_4_start_times_ms[3]",
			"e1_threads_4_finish_times_over_unit[0]",
			"e1_threads_4_finish_times_over_unit[1]",
			"e1_threads_4_finish_times_over_unit[2]",
			"e3_sleep_interval_0.5ms_cpu_2_ops_per_s",
			"e3_sleep_interval_0.5ms_cpu_2_slowdown",
		},
		Missing: "When two CPU-bound threads spin, a third thread that needs the GIL waits several switch intervals: a forced drop's requester (a CPU thread, whose timed wait starts right at each switch) usually takes the signal. gilsim derives that from where the threads are at the signal (docs/semantics.md §14.1): a requester that woke on the holder's core takes nothing, and one whose rival, the waiter the futex would wake, last ran on the holder's core takes the signal; otherwise gil_signal_race decides. That brings the E3 rows beside two CPU threads at 5 and 1 ms within their bands; at 0.5 ms the IO thread now does 7 % too few operations (290 ops/s for 313; it did 23 % too many). The E1 rows: with the bootstrap (L1), the main thread, woken in start() by the Event 6 µs after the new thread took the GIL, no longer ties with the worker that thread preempted; it waits behind it, but only by those 6 µs, so when that worker's request fails its own timed wait expires before the other spinner's and it wins the next: the third and fourth workers start at 20.6 and 35.9 ms (were 15.5 and 30.8; measured 46.3 and 58.5), and the first three finish at 2.66, 2.89 and 3.36 units (measured 3.56, 3.73 and 4.00). Besides, a new thread that arrives at the instant a waiter signalled by the starter's release wakes up takes the GIL first when it lands on the lower core: the third worker gets the GIL at once, where the second waited a whole interval (tried with the signalled waiter first on that tie: the third and fourth workers start at 25.7 and 46.1 ms, medians over 40 seeds, and the finishes barely move, so the finishes need more than the starts). The missing rules are the order of a new thread's arrival and a signalled waiter's wake-up, and, for 0.5 ms, whatever costs the IO thread another switch now and then (not traced).",
	},
	{
		ID:    "L3",
		Title: "a forked child's start-up as one block",
		Rows: []string{
			"e1_processes_1_start_times_ms[0]",
			"e1_processes_2_start_times_ms[0]",
			"e1_processes_2_start_times_ms[1]",
			"e1_processes_4_start_times_ms[0]",
			"e1_processes_4_start_times_ms[1]",
			"e1_processes_4_start_times_ms[2]",
			"e1_processes_4_start_times_ms[3]",
			"e1_processes_4_finish_times_over_unit[0]",
			"e7_processes_4_finish_times_over_unit[0]",
		},
		Missing: "A scenario's forked workers arrive at one instant and each runs its `startup` (calibration.json process_start_join_empty_k1_ms = 1.977 ms: fork, interpreter, exit and join of an empty child) on a core before its target. multiprocessing forks them one after another from the parent, each fork costing the parent's own time, and a child's target begins before the exit and join that the 1.977 ms includes: measured, one child starts at 1.74 ms, four at 1.90, 2.21, 6.47 and 9.96 ms (gilsim: 2.04; 2.22, 4.00, 10.6 and 12.0 ms), and the first of four finishes 5–9 % earlier than gilsim's, which places and balances them from the later starts. The missing rules are the parent's fork as its own work (docs/semantics.md §14.3: children forked close together pile onto one core) and a start-up split into the part before the target and the exit after it, each measured (E1 gives only their sum).",
	},
	{
		ID:    "L4",
		Title: "a timed wait's overshoot",
		Rows: []string{
			"e5_c2_cpu_first_sleeper_lateness_own_deadline_ms",
			"e6_patched_b_gevent_sleep_cpu_first_sleeper_lateness_own_deadline_ms",
			"e6_unpatched_b_gevent_sleep_cpu_first_sleeper_lateness_own_deadline_ms",
			"e6_unpatched_b_time_sleep_sleeper_lateness_own_deadline_ms",
		},
		Missing: "gilsim adds one constant, timer_slack (50 µs), to a CPython thread's sleep, and nothing to the timed poll of an idle asyncio loop or gevent hub, which it wakes on the whole millisecond with only the wake-up latency: a sleeper of 10 ms woken by an idle loop is 40 µs late in gilsim. Measured, the overshoot grows with the wait (time.sleep: 78 µs at 200 µs, calibration.json sleep_op_alone_us; 99 µs at 10 ms, E6; 170 µs at 20 ms, sleep_20ms_actual_ms), and a sleeper woken by an idle loop's or hub's timer is 174–216 µs late. The missing rule is the OS timer's overshoot as a function of the wait's length (Linux's timer slack and hrtimer expiry), applied to every timed wait: a thread's sleep and a loop's or hub's poll alike.",
	},
	{
		ID:    "L5",
		Title: "two CPU-bound threads under one GIL take more than two units",
		Rows: []string{
			"e6_unpatched_two_threading_threads_finish_ms[0]",
			"e9_d_unpatched_thread_finish_ms[0]",
			"e9_d_unpatched_thread_finish_ms[1]",
		},
		Missing: "Two OS threads running the same countdown take 2.05 units in E1, 2.10 in E6's unpatched interpreter (95.5 ms alone, finishes at 198 and 201 ms) and about 2.2 in E9's (finishes at 207 and 213 ms for a countdown that takes 97 ms as a greenthread); gilsim runs them in two units plus the GIL hand-offs (finishes at 183 and 191 ms in E6, 192 and 200 ms in E9). The missing rule is a cost that CPU-bound threads pay for taking turns on the GIL beyond the waiter's wake-up (after each forced switch the new holder often runs on the other core, its caches cold); the machine parameters list it as the GIL take/drop overhead, not settable yet, and no experiment measures it apart.",
	},
	{
		ID:      "L6",
		Title:   "tpool's CPU jobs beside a ticking hub",
		Rows:    []string{"e9_t2_tpool_4cpu_over_1cpu_patched"},
		Missing: "Four 50 ms countdowns through eventlet's tpool, with a greenthread ticking every millisecond on the hub, took 4.45 times one job patched (226 ms, runs from 205 to 291 ms, docs/semantics.md §11.7) and 4.0 times unpatched (204 ms); gilsim predicts 4.01, the four worker threads and the hub thread sharing the GIL with nothing added for their contention. What the patched runs add is not identified; the candidates are the cost of the hub's forced GIL switches to the workers (see L5) and the tpool's reply to the caller (the worker's write to a loopback socket pair, a trampoline greenthread's read), which gilsim models as an io event that wakes the caller through the hub.",
	},
}

func limitOf(id string) (Limit, bool) {
	for _, l := range known {
		for _, e := range l.Rows {
			if e == id {
				return l, true
			}
		}
	}
	return Limit{}, false
}

// Omission is a group of measured entries that no row predicts, and why.
type Omission struct {
	Entries []string // entries of outcomes-released.json
	Reason  string   // what gilsim cannot express, in words
}

// LeftOut lists every entry of outcomes-released.json that has no row,
// with the reason. TestReleasedCovered fails on an entry that is neither
// a row nor here, so a new measurement cannot be ignored silently.
//
// The slice is the caller's own.
func LeftOut() []Omission {
	out := slices.Clone(leftOut)
	for i := range out {
		out[i].Entries = slices.Clone(out[i].Entries)
	}
	return out
}

var leftOut = []Omission{
	{
		Entries: echoEntries(),
		Reason:  "E3's echo variant: each operation is a 1-byte round trip over a socket pair to a forked echo process, so it completes when another process has been scheduled, received and sent. gilsim has no message between processes: a blocking step (`io D`) completes after a duration fixed in advance, so the echo process's own wake-up and its competition for a core with the CPU-bound threads cannot be expressed. The missing rule is a channel between processes (a send that wakes the peer's blocking receive).",
	},
	{
		Entries: []string{"e9_f_nested_order"},
		Reason:  "E9's nested spawn: a greenthread calls eventlet.spawn and then eventlet.sleep(0), and the experiment logs whether the child runs before the spawner resumes. A scenario declares every unit of a hub up front; the language has no step that spawns a unit from inside another, so where the child enters the hub's queue relative to its spawner cannot be expressed (declaring the child beside the spawner would only restate the declaration order). The missing rule is a spawn step.",
	},
}

// echoEntries are the 18 entries of E3's echo variant.
func echoEntries() []string {
	var out []string
	for _, iv := range []string{"5ms", "1ms", "0.5ms"} {
		b := "e3_echo_interval_" + iv
		out = append(out, b+"_cpu_0_ops_per_s")
		for _, k := range []string{"cpu_1", "cpu_2"} {
			out = append(out, b+"_"+k+"_ops_per_s", b+"_"+k+"_slowdown", b+"_"+k+"_latency_p50_us")
		}
	}
	return out
}
