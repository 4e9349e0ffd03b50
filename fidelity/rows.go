package fidelity

import (
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
	Data      string // the file it comes from, under ../shared/calibration
	Behaviour string // what was measured, in words
	Unit      Unit
	Value     float64 // measured value of numeric rows
	Text      string  // measured value of Order and Bool rows
	// Spread is the row's published spread_pct ((max-min)/median of the
	// underlying measurement over its repetitions), or 0 when the data
	// gives none.
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

// Data files.
const (
	outcomes = "outcomes.json"
	evgr     = "eventlet_greenlet.json"
	issue    = "issue" // a figure quoted in the fidelity issue, from E1's raw results
)

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

// e1UnitMS is E1's unit of work: countdown alone, calibration.json
// cpu_unit_alone_ms. The scenario runs `cpu 191.009ms` for it.
const e1UnitMS = 191.009

// Rows is every outcome of ../shared/calibration that gilsim predicts, in
// the order of the README's table. Values, spreads and entry names are
// copied from the data files; TestRowsMatchData checks them against the
// files when ../shared/calibration is present.
var Rows = buildRows()

func buildRows() []Row {
	var rs []Row
	add := func(r Row) { rs = append(rs, r) }

	// E1: CPU-bound countdown, k threads vs k forked processes vs k calls
	// in a row. Ratios are wall time over the unit measured alone.
	e1 := []struct {
		key    string
		what   string
		value  float64
		spread float64
	}{
		{"sequential_1", "1 call", 1.0, 12.91},
		{"threads_1", "1 thread", 1.009, 18.73},
		{"processes_1", "1 forked process", 1.066, 3.36},
		{"sequential_2", "2 calls in a row", 1.987, 8.5},
		{"threads_2", "2 threads (one GIL)", 2.048, 9.22},
		{"processes_2", "2 forked processes", 1.091, 25.79},
		{"sequential_4", "4 calls in a row", 4.048, 10.12},
		{"threads_4", "4 threads (one GIL)", 4.081, 22.97},
		{"processes_4", "4 forked processes on 2 cores", 2.24, 5.26},
	}
	for _, c := range e1 {
		var refs []string
		if c.key != "sequential_1" {
			refs = []string{"e1_sequential_1_wall_over_unit"}
		}
		add(Row{Exp: "E1", Entry: "e1_" + c.key + "_wall_over_unit", Data: outcomes,
			Behaviour: "CPU-bound countdown, " + c.what + ": wall / unit", Unit: Ratio,
			Value: c.value, Spread: c.spread, Refs: refs, Scenario: e1File,
			predict: wallOver(e1File, c.key, e1UnitMS)})
	}
	add(Row{Exp: "E1", Entry: "e1_processes_4_first_finish_over_last", Data: issue,
		Behaviour: "4 forked processes on 2 cores: first finisher / last finisher", Unit: Ratio,
		Value: 0.73, Scenario: e1File, predict: firstOverLast(e1File, "processes_4")})

	// E2: N workers x 10 x (1.12 ms countdown + time.sleep(0.02)).
	for _, n := range []int{1, 4, 16} {
		seq := fmt.Sprintf("sequential_%d", n)
		thr := fmt.Sprintf("threads_%d", n)
		e2 := map[int][4]float64{ // threads wall, spread, sequential wall, spread
			1:  {212.215, 0.4, 211.78, 0.62},
			4:  {216.693, 4.37, 849.625, 1.56},
			16: {231.866, 11.8, 3396.026, 1.82},
		}[n]
		speedup := map[int]float64{1: 0.998, 4: 3.9209, 16: 14.6465}[n]
		add(Row{Exp: "E2", Entry: "e2_" + thr + "_wall_ms", Data: outcomes,
			Behaviour: fmt.Sprintf("IO-bound, %s: wall", plural(n, "thread")), Unit: MS,
			Value: e2[0], Spread: e2[1], Scenario: e2File, predict: wallMS(e2File, thr)})
		add(Row{Exp: "E2", Entry: "e2_" + seq + "_wall_ms", Data: outcomes,
			Behaviour: fmt.Sprintf("IO-bound, %s in a row: wall", plural(n, "worker")), Unit: MS,
			Value: e2[2], Spread: e2[3], Scenario: e2File, predict: wallMS(e2File, seq)})
		add(Row{Exp: "E2", Entry: fmt.Sprintf("e2_speedup_threads_vs_sequential_%d", n), Data: outcomes,
			Behaviour: fmt.Sprintf("IO-bound, %s: speed-up as threads (in a row / threads)", plural(n, "worker")), Unit: Ratio,
			Value: speedup, Refs: []string{"e2_" + thr + "_wall_ms", "e2_" + seq + "_wall_ms"},
			Scenario: e2File, predict: wallRatio(e2File, seq, thr)})
	}

	// E3: an IO thread looping on time.sleep(0.0002), alone and beside one
	// CPU-bound thread, for 0.5 s.
	e3 := []struct {
		interval                     string
		alone, aloneSp, busy, busySp float64
		slowdown, p50                float64
	}{
		{"5ms", 3591.7, 3.97, 185.7, 1.85, 19.35, 5386.8},
		{"1ms", 3589.0, 3.41, 722.8, 4.5, 4.97, 1361.8},
		{"0.5ms", 3581.9, 1.92, 1146.3, 2.77, 3.12, 862.9},
	}
	for _, c := range e3 {
		iv := strings.TrimSuffix(c.interval, "ms") + " ms"
		base := "e3_sleep_interval_" + c.interval
		alone := "interval_" + c.interval + "_cpu_0"
		busy := "interval_" + c.interval + "_cpu_1"
		add(Row{Exp: "E3", Entry: base + "_cpu_0_ops_per_s", Data: outcomes,
			Behaviour: "sleep(200 µs) loop alone, interval " + iv, Unit: OpsPS,
			Value: c.alone, Spread: c.aloneSp, Scenario: e3File, predict: ioOpsPerS(e3File, alone)})
		add(Row{Exp: "E3", Entry: base + "_cpu_1_ops_per_s", Data: outcomes,
			Behaviour: "sleep(200 µs) loop beside a CPU thread, interval " + iv, Unit: OpsPS,
			Value: c.busy, Spread: c.busySp, Scenario: e3File, predict: ioOpsPerS(e3File, busy)})
		add(Row{Exp: "E3", Entry: base + "_cpu_1_slowdown", Data: outcomes,
			Behaviour: "convoy slowdown (ops/s alone / beside), interval " + iv, Unit: Ratio,
			Value: c.slowdown, Refs: []string{base + "_cpu_0_ops_per_s", base + "_cpu_1_ops_per_s"},
			Scenario: e3File, predict: ioSlowdown(e3File, alone, busy)})
		add(Row{Exp: "E3", Entry: base + "_cpu_1_latency_p50_us", Data: outcomes,
			Behaviour: "p50 latency of one sleep beside a CPU thread, interval " + iv, Unit: US,
			Value: c.p50, Refs: []string{base + "_cpu_1_ops_per_s"},
			Scenario: e3File, predict: ioLatencyP50(e3File, busy)})
	}

	// E4: k CPU-bound threads of ~100 ms; wall at an interval over wall at
	// the default 5 ms.
	intervals := []string{"5ms", "1ms", "0.2ms", "0.05ms", "0.01ms"}
	e4 := map[string][5][2]float64{ // per interval: value, spread
		"threads_1":             {{1.0, 7.89}, {0.9897, 6.52}, {0.967, 2.9}, {0.975, 7.98}, {1.0279, 29.46}},
		"threads_2":             {{1.0, 4.72}, {1.0008, 8.38}, {1.0125, 11.62}, {1.142, 17.24}, {1.026, 21.42}},
		"threads_4":             {{1.0, 12.8}, {1.0107, 12.85}, {1.0833, 12.44}, {1.1257, 9.78}, {1.178, 10.99}},
		"pinned_1cpu_threads_2": {{1.0, 28.02}, {1.0047, 2.23}, {1.0116, 8.9}, {1.0075, 3.24}, {1.0126, 6.33}},
	}
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
				Value: e4[k][i][0], Spread: e4[k][i][1], Refs: refs, Scenario: file,
				predict: wallRatio(file, key, k+"_interval_5ms")})
		}
	}

	// E5: asyncio.
	e5 := []struct {
		key, what     string
		value, spread float64
	}{
		{"a_100_await_sleep_50ms", "100 tasks × await asyncio.sleep(0.05)", 50.925, 0.45},
		{"b_100_blocking_sleep_5ms", "100 tasks × blocking time.sleep(0.005)", 510.829, 0.31},
		{"b2_100_blocking_5ms_then_await_50ms", "100 tasks × (time.sleep(0.005), await sleep(0.05))", 562.772, 1.62},
		{"d0_to_thread_1_cpu_50ms", "to_thread of 1 CPU job of 50 ms", 50.474, 20.02},
		{"d1_to_thread_4_cpu_50ms", "to_thread of 4 CPU jobs of 50 ms", 204.496, 9.07},
		{"d2_to_thread_4_sleep_50ms", "to_thread of 4 × time.sleep(0.05)", 50.635, 0.18},
	}
	for _, c := range e5 {
		add(Row{Exp: "E5", Entry: "e5_" + c.key + "_wall_ms", Data: outcomes,
			Behaviour: "asyncio, " + c.what + ": wall", Unit: MS,
			Value: c.value, Spread: c.spread, Scenario: e5File, predict: wallMS(e5File, c.key)})
	}

	// E6: gevent.
	e6 := []struct {
		key, what     string
		value, spread float64
	}{
		{"patched_a_100_time_sleep_50ms", "patched, 100 greenlets × time.sleep(0.05)", 52.047, 1.38},
		{"patched_a2_100_gevent_sleep_50ms", "patched, 100 greenlets × gevent.sleep(0.05)", 52.005, 0.55},
		{"unpatched_a_100_time_sleep_50ms", "unpatched, 100 greenlets × time.sleep(0.05)", 5022.337, 0.08},
		{"unpatched_a2_100_gevent_sleep_50ms", "unpatched, 100 greenlets × gevent.sleep(0.05)", 52.256, 1.83},
	}
	for _, c := range e6 {
		add(Row{Exp: "E6", Entry: "e6_" + c.key + "_wall_ms", Data: outcomes,
			Behaviour: "gevent " + c.what + ": wall", Unit: MS,
			Value: c.value, Spread: c.spread, Scenario: e6File, predict: wallMS(e6File, c.key)})
	}

	// E9: eventlet (eventlet_greenlet.json, e9_eventlet; medians of 5,
	// no spread published).
	add(Row{Exp: "E9", Entry: "e9_eventlet.a_patched_wall_over_50ms", Data: evgr,
		Behaviour: "eventlet patched, 100 greenthreads × time.sleep(0.05): wall / 50 ms", Unit: Ratio,
		Value: 1.0402, Scenario: e9File, predict: wallOver(e9File, "a_patched", 50)})
	add(Row{Exp: "E9", Entry: "e9_eventlet.a_unpatched_wall_over_5000ms", Data: evgr,
		Behaviour: "eventlet unpatched, the same: wall / 5000 ms", Unit: Ratio,
		Value: 1.0056, Scenario: e9File, predict: wallOver(e9File, "a_unpatched", 5000)})
	add(Row{Exp: "E9", Entry: "e9_eventlet.a_unpatched_over_patched", Data: evgr,
		Behaviour: "eventlet, unpatched wall / patched wall", Unit: Ratio,
		Value: 96.67, Scenario: e9File, predict: wallRatio(e9File, "a_unpatched", "a_patched")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.c_eventlet_sleep0_order", Data: evgr,
		Behaviour: "eventlet, A and B × 10 eventlet.sleep(0): order", Unit: Order,
		Text: "ABABABABABABABABABAB", Scenario: e9File, predict: stepOrder(e9File, "c_eventlet_sleep0")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.c_time_sleep0_order_patched", Data: evgr,
		Behaviour: "eventlet patched, A and B × 10 time.sleep(0): order", Unit: Order,
		Text: "ABABABABABABABABABAB", Scenario: e9File, predict: stepOrder(e9File, "c_time_sleep0_patched")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.c_time_sleep0_order_unpatched", Data: evgr,
		Behaviour: "eventlet unpatched, A and B × 10 time.sleep(0): order", Unit: Order,
		Text: "AAAAAAAAAABBBBBBBBBB", Scenario: e9File, predict: stepOrder(e9File, "c_time_sleep0_unpatched")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.f_spawn_fifo", Data: evgr,
		Behaviour: "eventlet, greenthreads start in spawn order", Unit: Bool,
		Text: "yes", Scenario: e9File, predict: spawnFIFO(e9File, "f_spawn")})
	add(Row{Exp: "E9", Entry: "e9_eventlet.t3_tpool_4_sleep_wall_ms_patched", Data: evgr,
		Behaviour: "eventlet patched, tpool of 4 × time.sleep(0.05): wall", Unit: MS,
		Value: 50.73, Scenario: e9File, predict: wallMS(e9File, "t3_tpool")})

	// E10: raw greenlets and generators (eventlet_greenlet.json,
	// e10_greenlet_generators; medians of 5, no spread published).
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.greenlet_switch_over_generator_send", Data: evgr,
		Behaviour: "greenlet switch / generator hand-off (10⁵ of each)", Unit: Ratio,
		Value: 4.933, Scenario: e10File, predict: wallRatio(e10File, "g1_pingpong", "s2_handoff")})
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.trampoline_1000x100_ms", Data: evgr,
		Behaviour: "round-robin trampoline, 1000 generators × 100 yields: wall", Unit: MS,
		Value: 5.9209, Scenario: e10TFile, predict: wallMS(e10TFile, "s3_trampoline")})
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.greenlet_blocking_sleep_gap_ms", Data: evgr,
		Behaviour: "3 greenlets, one calls time.sleep(0.05): the others' stall", Unit: MS,
		Value: 50.131, Scenario: e10File, predict: maxStepGap(e10File, "g3_greenlet_blocking", "B")})
	add(Row{Exp: "E10", Entry: "e10_greenlet_generators.trampoline_blocking_sleep_gap_ms", Data: evgr,
		Behaviour: "10 generators, one calls time.sleep(0.05): the others' stall", Unit: MS,
		Value: 50.134, Scenario: e10TFile, predict: maxStepGap(e10TFile, "s4_trampoline_blocking", "blocker")})
	return rs
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
