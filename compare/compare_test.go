package compare

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

func workload(t *testing.T, src string) *simulator.Workload {
	t.Helper()
	w, err := dsl.ParseWorkload("w.sim", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

const cpuBound = `scenario "cpu" {
  cores 4
  workload "w" { task "job" x 4 { cpu 50ms } }
  expect speedup(processes) > 3
  expect speedup(threads) > 3
  expect makespan(asyncio) ~= 200ms within 1%
}`

func TestRunRowsAndExpectations(t *testing.T) {
	c, err := Run(workload(t, cpuBound), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var models []string
	for _, r := range c.Rows {
		models = append(models, r.Model)
	}
	if !reflect.DeepEqual(models, simulator.Models()) {
		t.Errorf("rows %v", models)
	}
	if c.Baseline != c.Rows[0] || c.Baseline.Makespan != 200_000_000 || c.Baseline.Speedup != 1 {
		t.Errorf("baseline %+v", c.Baseline)
	}
	if c.Tasks != 4 || c.Cores != 4 || c.Workers != 4 || c.Workload != "w" || c.File != "w.sim" {
		t.Errorf("header %+v", c)
	}
	byModel := map[string]*Row{}
	for _, r := range c.Rows {
		byModel[r.Model] = r
		if !r.OK() || r.Result == nil || r.Verdict == "" {
			t.Errorf("%s: %+v", r.Model, r)
		}
	}
	p := byModel[simulator.ModelProcesses]
	if p.Speedup < 3.8 || p.Parallelism < 3.8 || p.GILWait != 0 {
		t.Errorf("processes: speedup %v parallelism %v", p.Speedup, p.Parallelism)
	}
	// Four worker interpreters and the parent.
	m := simulator.DefaultMachine()
	if want := 5*m.MemProcess + 5*m.MemThread; p.Memory != want {
		t.Errorf("processes memory %d, want %d", p.Memory, want)
	}
	th := byModel[simulator.ModelThreads]
	if th.Speedup > 1.01 || th.GILWait < 100_000_000 || th.HasLag {
		t.Errorf("threads: %+v", th)
	}
	if a := byModel[simulator.ModelAsyncio]; !a.HasLag || a.LoopLag < 100_000_000 {
		t.Errorf("asyncio lag %d", a.LoopLag)
	}
	if got := byModel[simulator.ModelSequential].Latency; got != 200_000_000 {
		t.Errorf("sequential worst latency %d", got)
	}
	// one after another: latencies 50, 100, 150 and 200 ms; nearest rank
	// makes the p50 the 2nd, the p90 and p99 the 4th; 4 tasks in 200 ms
	want := simulator.Latency{Tasks: 4, Finished: 4, P50: 100_000_000, P90: 200_000_000, P99: 200_000_000, Max: 200_000_000, Throughput: 20}
	if got := byModel[simulator.ModelSequential].LatencyDist; got != want {
		t.Errorf("sequential latencies %+v, want %+v", got, want)
	}
	if v, ok := Metric(byModel[simulator.ModelSequential], "p50"); !ok || v.Int != 100_000_000 {
		t.Errorf("p50(sequential) = %v", v)
	}
	var status []string
	for _, e := range c.Expectations {
		s := "pass"
		switch {
		case e.Skipped:
			s = "skip"
		case !e.OK:
			s = "fail"
		}
		status = append(status, e.Model+":"+s)
	}
	if got := strings.Join(status, " "); got != "processes:pass threads:fail asyncio:pass" {
		t.Errorf("expectations %s", got)
	}
	if !c.Failed() {
		t.Error("a failed expectation should fail the comparison")
	}
}

func TestRunChosenModels(t *testing.T) {
	w := workload(t, cpuBound)
	c, err := Run(w, Options{Models: []string{"threads", "processes"}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rows) != 2 || c.Rows[0].Model != "threads" || c.Rows[1].Model != "processes" {
		t.Fatalf("rows %+v", c.Rows)
	}
	// sequential runs anyway, as the baseline
	if c.Baseline == nil || c.Baseline.Makespan != 200_000_000 || c.Workers != 2 {
		t.Errorf("baseline %+v, workers %d", c.Baseline, c.Workers)
	}
	if s := c.Rows[1].Speedup; s < 1.9 || s > 2 {
		t.Errorf("2 workers: speedup %v", s)
	}
	// the asyncio expectation is skipped, the others evaluated
	if e := c.Expectations[2]; !e.Skipped || e.Model != "asyncio" {
		t.Errorf("asyncio expectation %+v", e)
	}
	// two workers: under 2x, so speedup(processes) > 3 fails
	if c.Expectations[0].Skipped || c.Expectations[0].OK || c.Expectations[0].Actual != "1.955" || c.Expectations[1].OK {
		t.Errorf("expectations %+v", c.Expectations)
	}
	if v := c.Expectations[0].Value; v.Kind != simulator.KindNumber || v.Num != c.Rows[1].Speedup {
		t.Errorf("speedup(processes) value %+v, want the row's %v", v, c.Rows[1].Speedup)
	}
}

func TestRunIsDeterministic(t *testing.T) {
	w := workload(t, `scenario "m" {
  cores 2
  workload "w" { task "t" x 6 at uniform(0, 10ms) { repeat 3 { cpu exp(2ms)  io exp(5ms) } } }
}`)
	a, err := Run(w, Options{Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(w, Options{Jobs: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Rows {
		x, y := *a.Rows[i], *b.Rows[i]
		x.Result, y.Result, x.Lowered, y.Lowered = nil, nil, nil, nil
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s differs:\n%+v\n%+v", x.Model, x, y)
		}
	}
}

const locked = `scenario "db" {
  cores 2
  workload "w" { task "q" x 4 { cpu 1ms  lock "db" { io 2ms } } }
}`

// A lock held across io used to keep processes and both asyncio models
// from running; each model now has a lock of its own (multiprocessing.Lock,
// asyncio.Lock), so every row runs.
func TestRunLockedWorkload(t *testing.T) {
	c, err := Run(workload(t, locked), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rows {
		if r.NotRun != "" || r.Result == nil || r.Result.Deadlock != nil {
			t.Errorf("%s: %+v", r.Model, r)
		}
	}
	if c.Failed() {
		t.Error("failed")
	}
}

func TestCheckModels(t *testing.T) {
	var me *ModelError
	if err := CheckModels([]string{"threads", "fibers"}); !errors.As(err, &me) || me.Name != "fibers" {
		t.Errorf("got %v", err)
	}
	if err := CheckModels([]string{"threads", "threads"}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("got %v", err)
	}
	if err := CheckModels(simulator.Models()); err != nil {
		t.Error(err)
	}
	if _, err := Run(workload(t, cpuBound), Options{Models: []string{"fibers"}}); !errors.As(err, &me) {
		t.Errorf("Run: %v", err)
	}
}

func TestRunStopsAtALimit(t *testing.T) {
	_, err := Run(workload(t, cpuBound), Options{Sim: simulator.Options{MaxEvents: 10}})
	var re *RunError
	var le *simulator.LimitError
	if !errors.As(err, &re) || !errors.As(err, &le) {
		t.Errorf("got %T %v", err, err)
	}
}

func TestDeadlockIsAProblem(t *testing.T) {
	// Crossed locks deadlock the threads model: its row says so and the
	// comparison fails; the latency of a model that did not finish is not
	// measured. (Each holds its first lock across a blocking call, so that
	// the second thread has started, and taken its lock, by then.)
	w := workload(t, `scenario "crossed" {
  cores 2
  workload "w" {
    task "a" { lock "x" { io 10ms  lock "y" { cpu 1ms } } }
    task "b" { lock "y" { io 10ms  lock "x" { cpu 1ms } } }
  }
}`)
	c, err := Run(w, Options{Models: []string{"threads"}})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rows[0]
	if !strings.HasPrefix(r.Problem, "deadlock at ") || !strings.HasPrefix(r.Verdict, "did not finish: deadlock") || !c.Failed() {
		t.Errorf("row %+v", r)
	}
}

func TestHolds(t *testing.T) {
	num := func(op simulator.CmpOp, v float64) *simulator.Expect {
		return &simulator.Expect{Op: op, Value: simulator.Value{Kind: simulator.KindNumber, Num: v}}
	}
	d := func(op simulator.CmpOp, v int64) *simulator.Expect {
		return &simulator.Expect{Op: op, Value: simulator.Value{Kind: simulator.KindDuration, Int: v}}
	}
	n := func(f float64) simulator.Value { return simulator.Value{Kind: simulator.KindNumber, Num: f} }
	ns := func(i int64) simulator.Value { return simulator.Value{Kind: simulator.KindDuration, Int: i} }
	approx := d(simulator.CmpApprox, 100)
	approx.TolIsPercent, approx.TolPercent = true, 10
	approxN := num(simulator.CmpApprox, 4)
	approxN.TolAbs = n(0.5)
	for i, tc := range []struct {
		v    simulator.Value
		x    *simulator.Expect
		want bool
	}{
		{n(3.5), num(simulator.CmpGT, 3), true},
		{n(3), num(simulator.CmpGT, 3), false},
		{n(3), num(simulator.CmpGE, 3), true},
		{n(3), num(simulator.CmpEQ, 3), true},
		{ns(5), d(simulator.CmpLT, 5), false},
		{ns(5), d(simulator.CmpLE, 5), true},
		{ns(110), approx, true},
		{ns(111), approx, false},
		{n(4.5), approxN, true},
		{n(3.4), approxN, false},
	} {
		if got := simulator.Holds(tc.v, tc.x); got != tc.want {
			t.Errorf("case %d: holds = %v", i, got)
		}
	}
}

// TestLatencyIsTurnaround: a model's worst latency (finish minus `at`) is
// the worst turnaround its run reports, because every task of the run
// arrives at its `at`, members of a busy loop included (issue 15). The
// workload is the issue's: a task keeps one core busy for 90 ms from
// 10 ms, and b, at 10 ms too, needs 50 ms: under asyncio and gevent b
// waits for the loop, and its latency is about 140 ms. The processes
// model is left out: its workers are forked first, so a task arrives at
// its `at` or when its worker is up, whichever is later.
func TestLatencyIsTurnaround(t *testing.T) {
	c, err := Run(workload(t, `scenario "late" {
  cores 1
  workload "w" { task "a" at 10ms { cpu 90ms }  task "b" at 10ms { cpu 50ms } }
}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Rows {
		if r.Model == simulator.ModelProcesses {
			continue
		}
		var worst int64
		for _, tk := range r.Result.Tasks {
			if tk.Name == "a" || tk.Name == "b" {
				worst = max(worst, tk.Turnaround)
			}
		}
		if r.Latency != worst {
			t.Errorf("%s: latency %s, worst turnaround %s", r.Model, simulator.FormatDuration(r.Latency), simulator.FormatDuration(worst))
		}
		switch r.Model {
		case simulator.ModelAsyncio, simulator.ModelGevent:
			if r.Latency < 140*1e6 || r.Latency > 140.2*1e6 || r.LoopLag < 90*1e6 || r.LoopLag > 90.2*1e6 {
				t.Errorf("%s: latency %s lag %s, want about 140ms and 90ms", r.Model,
					simulator.FormatDuration(r.Latency), simulator.FormatDuration(r.LoopLag))
			}
		}
	}
}

// TestBlockingInAWorkload: `blocking io` is a call no model's runtime
// sees: asyncio keeps it a blocking call (it is not made an await) and a
// patched gevent hub does not make it cooperative, so four 20 ms calls
// take 80 ms there, while four threads overlap them (about 20 ms), and
// plain io overlaps everywhere.
func TestBlockingInAWorkload(t *testing.T) {
	for _, blocking := range []bool{false, true} {
		step := "io 20ms"
		if blocking {
			step = "blocking io 20ms"
		}
		c, err := Run(workload(t, `scenario "b" { cores 4  workload "w" { task "q" x 4 { `+step+` } } }`), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Rows {
			serial := blocking && (r.Model == simulator.ModelAsyncio || r.Model == simulator.ModelAsyncioThreads || r.Model == simulator.ModelGevent) ||
				r.Model == simulator.ModelGeventUnpatched || r.Model == simulator.ModelSequential
			lo, hi := int64(20e6), int64(25e6)
			if serial {
				lo, hi = 80e6, 82e6
			}
			if r.Makespan < lo || r.Makespan > hi {
				t.Errorf("%s: %s: makespan %s, want %s to %s", step, r.Model, simulator.FormatDuration(r.Makespan), simulator.FormatDuration(lo), simulator.FormatDuration(hi))
			}
		}
	}
}
