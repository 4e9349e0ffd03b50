package fidelity

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Unit is what a row's value measures.
type Unit string

const (
	Ratio Unit = "ratio" // a plain ratio (wall over unit, speed-up, slowdown)
	MS    Unit = "ms"
	US    Unit = "µs"
	OpsPS Unit = "ops/s"
	Order Unit = "order" // the order steps ran in, one letter per step
	Bool  Unit = "yes/no"
	KiB   Unit = "KiB"
)

// exact reports whether rows of this unit must match exactly (no band).
func (u Unit) exact() bool { return u == Order || u == Bool }

// Row is one measured outcome and how gilsim predicts it.
type Row struct {
	Exp       string // experiment: E1 ... E10
	Entry     string // the entry's name in Data
	Data      string // the file of fidelity/data it comes from
	Behaviour string // what was measured, in words
	Unit      Unit
	// List is set when the entry's value is a list (sorted per-worker
	// times): the row compares element Index of it.
	List  bool
	Index int
	Value float64 // measured value of numeric rows, read from Data
	Text  string  // measured value of Order and Bool rows, read from Data
	// Spread is the entry's spread_pct in Data ((max-min)/median of the
	// measurement over its repetitions), or 0 when the data gives none.
	Spread float64
	// Refs names the rows (by ID) whose measurements this one is divided
	// by (the unit of a ratio, the baseline of a speed-up): their spread
	// adds to this row's, since a ratio is as uncertain as both its terms.
	Refs []string
	// Scenario is the file under scenarios/calibration that predicts it.
	Scenario string
	predict  func(*Runs) (Prediction, error)
}

// ID names the row: its entry, and for an element of a list entry the
// element's position, from 0: e1_threads_4_start_times_ms[2].
func (r Row) ID() string {
	if r.List {
		return fmt.Sprintf("%s[%d]", r.Entry, r.Index)
	}
	return r.Entry
}

// Prediction is gilsim's value for a row.
type Prediction struct {
	Value float64
	Text  string
}

// Scenario files.
const (
	e1File   = "e1-cpu-threads-vs-processes.sim"
	e2File   = "e2-io-bound-threads.sim"
	e3File   = "e3-convoy.sim"
	e4File   = "e4-switch-interval.sim"
	e4PFile  = "e4-switch-interval-pinned.sim"
	e5File   = "e5-asyncio.sim"
	e6File   = "e6-gevent.sim"
	e7File   = "e7-os-timeslicing.sim"
	e9File   = "e9-eventlet.sim"
	e10File  = "e10-greenlets-generators.sim"
	e10TFile = "e10-trampoline.sim"
)

// Rows is every measured outcome that gilsim predicts, in the order of
// the table of docs/fidelity.md. The rows say which entry of Data each
// compares with, in words, and which scenario predicts it; the measured
// values and spreads are read from Data, on first use. It is nil when an
// entry is missing from the data (rows says which; TestRowsMatchData).
func Rows() []Row {
	r, _ := rows()
	return r
}

// rows builds Rows once.
var rows = sync.OnceValues(func() ([]Row, error) {
	ds, err := loadedDataset()
	return buildRows(ds, err)
})

func buildRows(ds dataset, dsErr error) ([]Row, error) {
	if dsErr != nil {
		return nil, dsErr
	}
	var rs []Row
	var errs []error
	add := func(r Row) {
		if err := rowValue(ds, &r); err != nil {
			errs = append(errs, err)
		}
		rs = append(rs, r)
	}
	// addList adds one row per element of a list entry (sorted per-worker
	// times), element i predicted by predict(i).
	addList := func(r Row, predict func(i int) func(*Runs) (Prediction, error)) {
		n, err := listLen(ds, r.Data, r.Entry)
		if err != nil {
			errs = append(errs, err)
			return
		}
		behaviour := r.Behaviour
		for i := range n {
			e := r
			e.List, e.Index = true, i
			e.Behaviour = fmt.Sprintf("%s, %s", behaviour, ordinal(i, n))
			e.predict = predict(i)
			add(e)
		}
	}

	// E1: CPU-bound countdown, k threads vs k forked processes vs k calls
	// in a row. Ratios are wall time over the unit measured alone
	// (calibration.json cpu_unit_alone_ms), which the scenario runs as one
	// `cpu` step.
	e1Unit, err := unitCost(ds, "cpu_unit_alone_ms")
	if err != nil {
		errs = append(errs, err)
	}
	e1 := []struct{ key, what string }{
		{"sequential_1", "1 call"},
		{"threads_1", "1 thread"},
		{"processes_1", "1 forked process"},
		{"sequential_2", "2 calls in a row"},
		{"threads_2", "2 threads (one GIL)"},
		{"processes_2", "2 forked processes"},
		{"sequential_4", "4 calls in a row"},
		{"threads_4", "4 threads (one GIL)"},
		{"processes_4", "4 forked processes on 2 cores"},
	}
	for _, c := range e1 {
		var refs []string
		if c.key != "sequential_1" {
			refs = []string{"e1_sequential_1_wall_over_unit"}
		}
		add(Row{Exp: "E1", Entry: "e1_" + c.key + "_wall_over_unit", Data: outcomes,
			Behaviour: "CPU-bound countdown, " + c.what + ": wall / unit", Unit: Ratio,
			Refs: refs, Scenario: e1File, predict: wallOver(e1File, c.key, e1Unit)})
	}
	add(Row{Exp: "E1", Entry: "e1_processes_4_first_finish_over_last", Data: quoted,
		Behaviour: "4 forked processes on 2 cores: first finisher / last finisher", Unit: Ratio,
		Scenario: e1File, predict: firstOverLast(e1File, "processes_4")})

	// The same runs' per-worker start and finish times
	// (outcomes-released.json): finishes over the unit, starts in ms from
	// just before the first start().
	for _, c := range []struct {
		key, what string
	}{
		{"threads_1", "1 thread"}, {"threads_2", "2 threads"}, {"threads_4", "4 threads"},
		{"processes_1", "1 forked process"}, {"processes_2", "2 forked processes"}, {"processes_4", "4 forked processes"},
	} {
		addList(Row{Exp: "E1", Entry: "e1_" + c.key + "_finish_times_over_unit", Data: released,
			Behaviour: "CPU-bound countdown, " + c.what + ": finish / unit", Unit: Ratio,
			Refs: []string{"e1_sequential_1_wall_over_unit"}, Scenario: e1File},
			func(i int) func(*Runs) (Prediction, error) { return finishOver(e1File, c.key, i, e1Unit) })
		addList(Row{Exp: "E1", Entry: "e1_" + c.key + "_start_times_ms", Data: released,
			Behaviour: "CPU-bound countdown, " + c.what + ": start", Unit: MS, Scenario: e1File},
			func(i int) func(*Runs) (Prediction, error) { return startMS(e1File, c.key, i) })
	}

	// E2: N workers x 10 x (1.12 ms countdown + time.sleep(0.02)).
	for _, n := range []int{1, 4, 16} {
		seq := fmt.Sprintf("sequential_%d", n)
		thr := fmt.Sprintf("threads_%d", n)
		add(Row{Exp: "E2", Entry: "e2_" + thr + "_wall_ms", Data: outcomes,
			Behaviour: fmt.Sprintf("IO-bound, %s: wall", plural(n, "thread")), Unit: MS,
			Scenario: e2File, predict: wallMS(e2File, thr)})
		add(Row{Exp: "E2", Entry: "e2_" + seq + "_wall_ms", Data: outcomes,
			Behaviour: fmt.Sprintf("IO-bound, %s in a row: wall", plural(n, "worker")), Unit: MS,
			Scenario: e2File, predict: wallMS(e2File, seq)})
		add(Row{Exp: "E2", Entry: fmt.Sprintf("e2_speedup_threads_vs_sequential_%d", n), Data: outcomes,
			Behaviour: fmt.Sprintf("IO-bound, %s: speed-up as threads (in a row / threads)", plural(n, "worker")), Unit: Ratio,
			Refs:     []string{"e2_" + thr + "_wall_ms", "e2_" + seq + "_wall_ms"},
			Scenario: e2File, predict: wallRatio(e2File, seq, thr)})
	}

	// E3: an IO thread looping on time.sleep(0.0002), alone and beside one
	// CPU-bound thread, for 0.5 s (outcomes.json), and beside two
	// (outcomes-released.json: each configuration run five times, like the
	// experiment, the rows taking the median of the runs).
	for _, e3 := range []struct {
		cpus, beside, slowdown string
		data                   string
	}{
		{"1", "a CPU thread", "convoy slowdown", outcomes},
		{"2", "two CPU threads", "convoy slowdown beside two CPU threads", released},
	} {
		for _, interval := range []string{"5ms", "1ms", "0.5ms"} {
			iv := strings.TrimSuffix(interval, "ms") + " ms"
			base := "e3_sleep_interval_" + interval
			alone := "interval_" + interval + "_cpu_0"
			busy := "interval_" + interval + "_cpu_" + e3.cpus
			cpu := base + "_cpu_" + e3.cpus
			if e3.cpus == "1" {
				add(Row{Exp: "E3", Entry: base + "_cpu_0_ops_per_s", Data: outcomes,
					Behaviour: "sleep(200 µs) loop alone, interval " + iv, Unit: OpsPS,
					Scenario: e3File, predict: ioOpsPerS(e3File, alone)})
			}
			add(Row{Exp: "E3", Entry: cpu + "_ops_per_s", Data: e3.data,
				Behaviour: "sleep(200 µs) loop beside " + e3.beside + ", interval " + iv, Unit: OpsPS,
				Scenario: e3File, predict: ioOpsPerS(e3File, busy)})
			add(Row{Exp: "E3", Entry: cpu + "_slowdown", Data: e3.data,
				Behaviour: e3.slowdown + " (ops/s alone / beside), interval " + iv, Unit: Ratio,
				Refs:     []string{base + "_cpu_0_ops_per_s", cpu + "_ops_per_s"},
				Scenario: e3File, predict: ioSlowdown(e3File, alone, busy)})
			add(Row{Exp: "E3", Entry: cpu + "_latency_p50_us", Data: e3.data,
				Behaviour: "p50 latency of one sleep beside " + e3.beside + ", interval " + iv, Unit: US,
				Refs:     []string{cpu + "_ops_per_s"},
				Scenario: e3File, predict: ioLatencyP50(e3File, busy)})
		}
	}

	// E4: k CPU-bound threads of ~100 ms; wall at an interval over wall at
	// the default 5 ms.
	intervals := []string{"5ms", "1ms", "0.2ms", "0.05ms", "0.01ms"}
	for _, k := range []string{"threads_1", "threads_2", "threads_4", "pinned_1cpu_threads_2"} {
		file, what := e4File, map[string]string{"threads_1": "1 thread", "threads_2": "2 threads", "threads_4": "4 threads"}[k]
		if k == "pinned_1cpu_threads_2" {
			file, what = e4PFile, "2 threads pinned to 1 CPU"
		}
		for i, iv := range intervals {
			key := k + "_interval_" + iv
			ivText := strings.TrimSuffix(iv, "ms") + " ms"
			var refs []string
			if i > 0 {
				refs = []string{"e4_" + k + "_interval_5ms_wall_over_default"}
			}
			add(Row{Exp: "E4", Entry: "e4_" + key + "_wall_over_default", Data: outcomes,
				Behaviour: "CPU-bound, " + what + ", interval " + ivText + ": wall / wall at 5 ms", Unit: Ratio,
				Refs: refs, Scenario: file, predict: wallRatio(file, key, k+"_interval_5ms")})
		}
	}

	// E5: asyncio.
	e5 := []struct{ key, what string }{
		{"a_100_await_sleep_50ms", "100 tasks × await asyncio.sleep(0.05)"},
		{"b_100_blocking_sleep_5ms", "100 tasks × blocking time.sleep(0.005)"},
		{"b2_100_blocking_5ms_then_await_50ms", "100 tasks × (time.sleep(0.005), await sleep(0.05))"},
		{"d0_to_thread_1_cpu_50ms", "to_thread of 1 CPU job of 50 ms"},
		{"d1_to_thread_4_cpu_50ms", "to_thread of 4 CPU jobs of 50 ms"},
		{"d2_to_thread_4_sleep_50ms", "to_thread of 4 × time.sleep(0.05)"},
	}
	for _, c := range e5 {
		add(Row{Exp: "E5", Entry: "e5_" + c.key + "_wall_ms", Data: outcomes,
			Behaviour: "asyncio, " + c.what + ": wall", Unit: MS,
			Scenario: e5File, predict: wallMS(e5File, c.key)})
	}

	// E5's sleepers beside a CPU-bound task (outcomes-released.json): how
	// late ten `await asyncio.sleep(0.01)` wake, against their own
	// deadlines and against the configuration's start plus 10 ms, and when
	// the CPU-bound task is done.
	for _, c := range []struct{ key, what string }{
		{"c1_sleepers_first", "10 sleepers of 10 ms created before a 100 ms CPU task"},
		{"c2_cpu_first", "a 100 ms CPU task created before 10 sleepers of 10 ms"},
	} {
		add(Row{Exp: "E5", Entry: "e5_" + c.key + "_sleeper_lateness_own_deadline_ms", Data: released,
			Behaviour: "asyncio, " + c.what + ": a sleeper's lateness (median)", Unit: MS,
			Scenario: e5File, predict: lateOwnMS(e5File, c.key, "sleeper", 10_000_000)})
		add(Row{Exp: "E5", Entry: "e5_" + c.key + "_sleeper_lateness_vs_t0_plus_10ms_ms", Data: released,
			Behaviour: "asyncio, " + c.what + ": a sleeper's wake-up − 10 ms (median)", Unit: MS,
			Scenario: e5File, predict: lateT0MS(e5File, c.key, "sleeper", 10_000_000)})
		add(Row{Exp: "E5", Entry: "e5_" + c.key + "_cpu_task_done_ms", Data: released,
			Behaviour: "asyncio, " + c.what + ": the CPU task done", Unit: MS,
			Scenario: e5File, predict: groupFinishMS(e5File, c.key, "cpu")})
	}

	// E6: gevent.
	e6 := []struct{ key, what string }{
		{"patched_a_100_time_sleep_50ms", "patched, 100 greenlets × time.sleep(0.05)"},
		{"patched_a2_100_gevent_sleep_50ms", "patched, 100 greenlets × gevent.sleep(0.05)"},
		{"unpatched_a_100_time_sleep_50ms", "unpatched, 100 greenlets × time.sleep(0.05)"},
		{"unpatched_a2_100_gevent_sleep_50ms", "unpatched, 100 greenlets × gevent.sleep(0.05)"},
	}
	for _, c := range e6 {
		add(Row{Exp: "E6", Entry: "e6_" + c.key + "_wall_ms", Data: outcomes,
			Behaviour: "gevent " + c.what + ": wall", Unit: MS,
			Scenario: e6File, predict: wallMS(e6File, c.key)})
	}

	// E7: k forked CPU-bound processes of one unit (about 300 ms) on the
	// 2 cores: wall and finishes over the unit, first finish over last.
	for k := 1; k <= 4; k++ {
		cfg := fmt.Sprintf("processes_%d", k)
		what := plural(k, "forked process")
		if k == 1 {
			what = "1 forked process"
		}
		add(Row{Exp: "E7", Entry: "e7_" + cfg + "_wall_over_unit", Data: released,
			Behaviour: "CPU-bound, " + what + " on 2 cores: wall / unit", Unit: Ratio,
			Scenario: e7File, predict: wallOver(e7File, cfg, e7Unit)})
		addList(Row{Exp: "E7", Entry: "e7_" + cfg + "_finish_times_over_unit", Data: released,
			Behaviour: "CPU-bound, " + what + " on 2 cores: finish / unit", Unit: Ratio,
			Scenario: e7File},
			func(i int) func(*Runs) (Prediction, error) { return finishOver(e7File, cfg, i, e7Unit) })
		add(Row{Exp: "E7", Entry: "e7_" + cfg + "_first_over_last_finish", Data: released,
			Behaviour: "CPU-bound, " + what + " on 2 cores: first finisher / last finisher", Unit: Ratio,
			Scenario: e7File, predict: firstOverLast(e7File, cfg)})
	}

	// More of E6's runs (outcomes-released.json).
	for _, mode := range []string{"patched", "unpatched"} {
		for _, c := range []struct{ key, what string }{
			{"b_gevent_sleep", "10 greenlets × gevent.sleep(0.01) spawned before a 100 ms CPU greenlet"},
			{"b_time_sleep", "10 greenlets × time.sleep(0.01) spawned before a 100 ms CPU greenlet"},
			{"b_gevent_sleep_cpu_first", "a 100 ms CPU greenlet spawned before 10 greenlets × gevent.sleep(0.01)"},
		} {
			cfg := mode + "_" + c.key
			what := "gevent " + mode + ", " + c.what
			add(Row{Exp: "E6", Entry: "e6_" + cfg + "_wall_ms", Data: released,
				Behaviour: what + ": wall", Unit: MS,
				Scenario: e6File, predict: wallMS(e6File, cfg)})
			add(Row{Exp: "E6", Entry: "e6_" + cfg + "_sleeper_lateness_own_deadline_ms", Data: released,
				Behaviour: what + ": a sleeper's lateness (median)", Unit: MS,
				Scenario: e6File, predict: lateOwnMS(e6File, cfg, "sleeper", 10_000_000)})
			add(Row{Exp: "E6", Entry: "e6_" + cfg + "_sleeper_lateness_vs_t0_plus_10ms_ms", Data: released,
				Behaviour: what + ": a sleeper's wake-up − 10 ms (median)", Unit: MS,
				Scenario: e6File, predict: lateT0MS(e6File, cfg, "sleeper", 10_000_000)})
		}
		for _, c := range []struct{ key, what string }{
			{"c_gevent_sleep0", "gevent.sleep(0)"}, {"c_time_sleep0", "time.sleep(0)"},
		} {
			cfg := mode + "_" + c.key
			add(Row{Exp: "E6", Entry: "e6_" + cfg + "_order", Data: released,
				Behaviour: "gevent " + mode + ", A and B × 10 (1 ms of CPU, " + c.what + "): order", Unit: Order,
				Scenario: e6File, predict: stepOrder(e6File, cfg)})
		}
		cfg := mode + "_two_threading_threads"
		addList(Row{Exp: "E6", Entry: "e6_" + cfg + "_finish_ms", Data: released,
			Behaviour: "gevent " + mode + ", two threading.Thread of a 100 ms countdown: finish", Unit: MS,
			Scenario: e6File},
			func(i int) func(*Runs) (Prediction, error) { return finishMS(e6File, cfg, i) })
	}

	// E9: eventlet (eventlet_greenlet.json, e9_eventlet; medians of 5,
	// no spread published).
	add(Row{Exp: "E9", Entry: "e9_eventlet.a_patched_wall_over_50ms", Data: evgr,
		Behaviour: "eventlet patched, 100 greenthreads × time.sleep(0.05): wall / 50 ms", Unit: Ratio,
		Scenario: e9File, predict: wallOver(e9File, "a_patched", 50)})
	add(Row{Exp: "E9", Entry: "e9_eventlet.a_unpatched_wall_over_5000ms", Data: evgr,
		Behaviour: "eventlet unpatched, the same: wall / 5000 ms", Unit: Ratio,
		Scenario: e9File, predict: wallOver(e9File, "a_unpatched", 5000)})
	add(Row{Exp: "E9", Entry: "e9_eventlet.a_unpatched_over_patched", Data: evgr,
		Behaviour: "eventlet, unpatched wall / patched wall", Unit: Ratio,
		Scenario: e9File, predict: wallRatio(e9File, "a_unpatched", "a_patched")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.c_eventlet_sleep0_order", Data: evgr,
		Behaviour: "eventlet, A and B × 10 eventlet.sleep(0): order", Unit: Order,
		Scenario: e9File, predict: stepOrder(e9File, "c_eventlet_sleep0")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.c_time_sleep0_order_patched", Data: evgr,
		Behaviour: "eventlet patched, A and B × 10 time.sleep(0): order", Unit: Order,
		Scenario: e9File, predict: stepOrder(e9File, "c_time_sleep0_patched")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.c_time_sleep0_order_unpatched", Data: evgr,
		Behaviour: "eventlet unpatched, A and B × 10 time.sleep(0): order", Unit: Order,
		Scenario: e9File, predict: stepOrder(e9File, "c_time_sleep0_unpatched")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.f_spawn_fifo", Data: evgr,
		Behaviour: "eventlet, greenthreads start in spawn order", Unit: Bool,
		Scenario: e9File, predict: spawnFIFO(e9File, "f_spawn")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.t3_tpool_4_sleep_wall_ms_patched", Data: evgr,
		Behaviour: "eventlet patched, tpool of 4 × time.sleep(0.05): wall", Unit: MS,
		Scenario: e9File, predict: wallMS(e9File, "t3_tpool")})

	// More of E9's runs (outcomes-released.json; medians of 5, no spread
	// published).
	add(Row{Exp: "E9", Entry: "e9_b_patched_sleeper_lateness_ms", Data: released,
		Behaviour: "eventlet patched, 10 greenthreads × eventlet.sleep(0.01) spawned before a 100 ms CPU greenthread: a sleeper's lateness (median)", Unit: MS,
		Scenario: e9File, predict: lateOwnMS(e9File, "b_patched_eventlet_sleep", "sleeper", 10_000_000)})
	add(Row{Exp: "E9", Entry: "e9_b_patched_cpu_first_lateness_vs_t0_ms", Data: released,
		Behaviour: "eventlet patched, the CPU greenthread spawned first: a sleeper's wake-up − 10 ms (median)", Unit: MS,
		Scenario: e9File, predict: lateT0MS(e9File, "b_patched_eventlet_sleep_cpu_first", "sleeper", 10_000_000)})
	add(Row{Exp: "E9", Entry: "e9_b_unpatched_time_sleep_wall_ms", Data: released,
		Behaviour: "eventlet unpatched, 10 greenthreads × time.sleep(0.01) beside a 100 ms CPU greenthread: wall", Unit: MS,
		Scenario: e9File, predict: wallMS(e9File, "b_unpatched_time_sleep")})
	add(Row{Exp: "E9", Entry: "e9_b_patched_time_sleep_wall_ms", Data: released,
		Behaviour: "eventlet patched, the same: wall", Unit: MS,
		Scenario: e9File, predict: wallMS(e9File, "b_patched_time_sleep")})
	for _, mode := range []string{"patched", "unpatched"} {
		cfg := "d_" + mode
		addList(Row{Exp: "E9", Entry: "e9_d_" + mode + "_thread_finish_ms", Data: released,
			Behaviour: "eventlet " + mode + ", two threading.Thread of a 100 ms countdown: finish", Unit: MS,
			Scenario: e9File},
			func(i int) func(*Runs) (Prediction, error) { return finishMS(e9File, cfg, i) })
	}
	add(Row{Exp: "E9", Entry: "e9_t2_tpool_4cpu_over_1cpu_patched", Data: released,
		Behaviour: "eventlet patched, tpool of 4 × 50 ms countdown (a 1 ms ticker beside) / tpool of 1", Unit: Ratio,
		Scenario: e9File, predict: groupFinishRatio(e9File, "t2_tpool", "t1_tpool", "g")})
	add(Row{Exp: "E9", Entry: "e9_rss_kib_per_greenthread_slope_1000_to_10000", Data: released,
		Behaviour: "eventlet, memory per parked greenthread, slope from 1,000 to 10,000", Unit: KiB,
		Scenario: e9File, predict: memorySlope(e9File, "rss_1000", "rss_10000")})

	// E10: raw greenlets and generators (eventlet_greenlet.json,
	// e10_greenlet_generators; medians of 5, no spread published).
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.greenlet_switch_over_generator_send", Data: evgr,
		Behaviour: "greenlet switch / generator hand-off (10⁵ of each)", Unit: Ratio,
		Scenario: e10File, predict: wallRatio(e10File, "g1_pingpong", "s2_handoff")})
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.trampoline_1000x100_ms", Data: evgr,
		Behaviour: "round-robin trampoline, 1000 generators × 100 yields: wall", Unit: MS,
		Scenario: e10TFile, predict: wallMS(e10TFile, "s3_trampoline")})
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.greenlet_blocking_sleep_gap_ms", Data: evgr,
		Behaviour: "3 greenlets, one calls time.sleep(0.05): the others' stall", Unit: MS,
		Scenario: e10File, predict: maxStepGap(e10File, "g3_greenlet_blocking", "B")})
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.trampoline_blocking_sleep_gap_ms", Data: evgr,
		Behaviour: "10 generators, one calls time.sleep(0.05): the others' stall", Unit: MS,
		Scenario: e10TFile, predict: maxStepGap(e10TFile, "s4_trampoline_blocking", "blocker")})
	return rs, errors.Join(errs...)
}

// e7Unit is E7's unit of work in ms: the script sizes its countdown to
// 300 ms alone, and every E7 row is a ratio to it.
const e7Unit = 300.0

// ordinal names element i of a sorted list of n workers.
func ordinal(i, n int) string {
	switch {
	case n == 1:
		return "the worker"
	case i == 0:
		return "earliest"
	case i == n-1:
		return "latest"
	}
	suffix := "th"
	switch (i + 1) % 10 {
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	if (i+1)%100 >= 11 && (i+1)%100 <= 13 {
		suffix = "th"
	}
	return fmt.Sprintf("%d%s earliest", i+1, suffix)
}

func plural(n int, what string) string {
	switch {
	case n == 1:
		return "1 " + what
	case strings.HasSuffix(what, "s"):
		return fmt.Sprintf("%d %ses", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// rowByID finds a row of Rows.
func rowByID(id string) (Row, bool) {
	for _, r := range Rows() {
		if r.ID() == id {
			return r, true
		}
	}
	return Row{}, false
}

// Band is the tolerance of a numeric row, in percent of the measured
// value: half the row's spread plus half the spread of each row it is
// divided by, never below 5 % (the repetitions of a median rarely agree
// better than that on a shared VM) and never above 25 %. Rows without a
// published spread get the 5 % floor.
func Band(r Row) float64 {
	s := r.Spread
	for _, ref := range r.Refs {
		if rr, ok := rowByID(ref); ok {
			s += rr.Spread
		}
	}
	return min(max(s/2, minBand), maxBand)
}

const (
	minBand = 5.0
	maxBand = 25.0
)
