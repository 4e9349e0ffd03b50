package fidelity

import (
	"errors"
	"fmt"
	"strings"
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
	Value     float64 // measured value of numeric rows, read from Data
	Text      string  // measured value of Order and Bool rows, read from Data
	// Spread is the entry's spread_pct in Data ((max-min)/median of the
	// measurement over its repetitions), or 0 when the data gives none.
	Spread float64
	// Refs names the rows whose measurements this one is divided by (the
	// unit of a ratio, the baseline of a speed-up): their spread adds to
	// this row's, since a ratio is as uncertain as both its terms.
	Refs []string
	// Scenario is the file under scenarios/calibration that predicts it.
	Scenario string
	predict  func(*Runs) (Prediction, error)
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
	e9File   = "e9-eventlet.sim"
	e10File  = "e10-greenlets-generators.sim"
	e10TFile = "e10-trampoline.sim"
)

// Rows is every measured outcome that gilsim predicts, in the order of
// the table of docs/fidelity.md. The rows say which entry of Data each
// compares with, in words, and which scenario predicts it; the measured
// values and spreads are read from Data. rowsErr is nil unless an entry
// is missing from the data (TestRowsMatchData).
var Rows, rowsErr = buildRows(data, dataErr)

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
	// CPU-bound thread, for 0.5 s.
	for _, interval := range []string{"5ms", "1ms", "0.5ms"} {
		iv := strings.TrimSuffix(interval, "ms") + " ms"
		base := "e3_sleep_interval_" + interval
		alone := "interval_" + interval + "_cpu_0"
		busy := "interval_" + interval + "_cpu_1"
		add(Row{Exp: "E3", Entry: base + "_cpu_0_ops_per_s", Data: outcomes,
			Behaviour: "sleep(200 µs) loop alone, interval " + iv, Unit: OpsPS,
			Scenario: e3File, predict: ioOpsPerS(e3File, alone)})
		add(Row{Exp: "E3", Entry: base + "_cpu_1_ops_per_s", Data: outcomes,
			Behaviour: "sleep(200 µs) loop beside a CPU thread, interval " + iv, Unit: OpsPS,
			Scenario: e3File, predict: ioOpsPerS(e3File, busy)})
		add(Row{Exp: "E3", Entry: base + "_cpu_1_slowdown", Data: outcomes,
			Behaviour: "convoy slowdown (ops/s alone / beside), interval " + iv, Unit: Ratio,
			Refs:     []string{base + "_cpu_0_ops_per_s", base + "_cpu_1_ops_per_s"},
			Scenario: e3File, predict: ioSlowdown(e3File, alone, busy)})
		add(Row{Exp: "E3", Entry: base + "_cpu_1_latency_p50_us", Data: outcomes,
			Behaviour: "p50 latency of one sleep beside a CPU thread, interval " + iv, Unit: US,
			Refs:     []string{base + "_cpu_1_ops_per_s"},
			Scenario: e3File, predict: ioLatencyP50(e3File, busy)})
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

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// rowByEntry finds a row of Rows.
func rowByEntry(entry string) (Row, bool) {
	for _, r := range Rows {
		if r.Entry == entry {
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
		if rr, ok := rowByEntry(ref); ok {
			s += rr.Spread
		}
	}
	return min(max(s/2, minBand), maxBand)
}

const (
	minBand = 5.0
	maxBand = 25.0
)
