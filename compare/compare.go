// Package compare runs one workload under several concurrency models and
// measures each: the numbers behind `gilsim compare`.
//
// A simulator.Workload says what a program does (tasks of cpu, native,
// io, sleep, repeat and lock steps) without saying how it runs.
// simulator.Lower turns it into a Scenario for one model (sequential,
// threads, threads-nogil, processes, asyncio, asyncio+threads, gevent,
// gevent-unpatched); Run lowers and simulates it under every model asked
// for, plus the sequential baseline that speed-ups are measured against,
// and returns one Row per model:
//
//	makespan      when the model's last task finished
//	speedup       the sequential makespan divided by the model's
//	parallelism   CPU time divided by makespan: cores busy on average
//	gil wait      time threads waited for a GIL, summed over all of them
//	latency       the worst task latency: the largest finish minus `at`
//	p50 p90 p99   percentiles of the task latencies (nearest rank)
//	throughput    completions per second from the first `at` to the
//	              last finish
//	loop lag      the worst lateness of a ready coroutine or greenlet
//	              (asyncio and gevent models only)
//	memory        peak resident memory (processes: the parent included)
//
// and a verdict: one sentence, in plain words, made from those numbers by
// the rules written at verdict (verdict.go) and in docs/compare.md. The
// workload's expectations (`expect speedup(processes) > 3`) are evaluated
// against the rows; one about a model left out of Options.Models is
// skipped.
//
// Run is deterministic: the same workload and options give the same
// Comparison, whatever Options.Jobs is.
package compare

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gilsim/gilsim/simulator"
)

// Options choose the models and bound the runs.
type Options struct {
	// Models are the models to show, in this order; nil means every
	// model of simulator.Models. A model the workload cannot run as is an
	// error when it is named here, and a row that says why when Models is
	// nil.
	Models []string
	// Workers is the processes model's pool size; 0 means the workload's
	// cores (Pool's default, os.cpu_count()).
	Workers int
	// Sim bounds every simulation (MaxEvents, MaxTime); Trace and Mark
	// are not used.
	Sim simulator.Options
	// Jobs is how many simulations run at a time (0 or 1: one by one).
	Jobs int
}

// Comparison is a workload run under several models.
type Comparison struct {
	Title    string // the scenario's title
	File     string
	Workload string // the workload's name
	Tasks    int    // tasks after `x N`
	Cores    int
	Workers  int // the processes model's pool size
	// Rows are the models shown, in the order asked for.
	Rows []*Row
	// Baseline is the sequential run, shown in Rows or not.
	Baseline *Row
	// Expectations are the workload's expect lines, evaluated, in file
	// order.
	Expectations []Expectation
}

// Expectation is one evaluated expect line of a workload file.
type Expectation struct {
	simulator.ExpectResult
	// Skipped is set when the model it names was left out of
	// Options.Models (sequential always runs, as the baseline).
	Skipped bool
	Model   string
}

// Row is one model's run.
type Row struct {
	Model string
	// NotRun says why the workload cannot run as this model ("" when it
	// ran); only models left to the default list get such a row.
	NotRun string
	NotPos simulator.Pos // the step NotRun is about

	Makespan    int64
	Speedup     float64 // baseline makespan / Makespan
	CPU         int64   // core time of every step, start-up and scheduler work
	Parallelism float64 // CPU / Makespan
	GILWait     int64
	Latency     int64 // the worst task latency (LatencyDist.Max)
	// LatencyDist is the distribution of the task latencies (finish
	// minus `at`) and the throughput: completions per second from the
	// earliest `at` to the last finish.
	LatencyDist simulator.Latency
	LoopLag     int64
	HasLag      bool // the model has a loop or hub (asyncio, gevent)
	Memory      int64
	Verdict     string
	Notes       []string // from simulator.Lower: where the model changes what a step means
	// Problem says how the run went wrong: a deadlock, a modelled
	// failure, a task that never finished ("" when all is well).
	Problem string

	Result  *simulator.Result
	Lowered *simulator.Lowered
}

// OK reports whether the model ran and finished every task.
func (r *Row) OK() bool { return r.NotRun == "" && r.Problem == "" }

// Failed reports whether a shown model did not finish (a deadlock, a
// modelled failure) or an expectation failed: `gilsim compare` exits 1.
func (c *Comparison) Failed() bool {
	for _, r := range c.Rows {
		if r.Problem != "" {
			return true
		}
	}
	for _, e := range c.Expectations {
		if !e.Skipped && !e.OK {
			return true
		}
	}
	return false
}

// ModelError is a model name that is not one of simulator.Models.
type ModelError struct {
	Name string
}

func (e *ModelError) Error() string {
	return fmt.Sprintf("unknown model %q (models: %s)", e.Name, strings.Join(simulator.Models(), ", "))
}

// RunError is a simulation that stopped (a *simulator.LimitError, or a
// scenario the engine refused) under one model.
type RunError struct {
	Model string
	Err   error
}

func (e *RunError) Error() string { return e.Model + ": " + e.Err.Error() }
func (e *RunError) Unwrap() error { return e.Err }

// CheckModels returns a *ModelError for the first name that is not a
// model, and an error for a name given twice.
func CheckModels(names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		if !simulator.IsModel(n) {
			return &ModelError{Name: n}
		}
		if seen[n] {
			return fmt.Errorf("model %q is given twice", n)
		}
		seen[n] = true
	}
	return nil
}

// plan is what Run will simulate.
type plan struct {
	shown  []string
	all    []string // shown, then the baseline if it is not
	lowers map[string]*simulator.Lowered
	notRun map[string]*simulator.LowerError
}

// Plan lowers w under every model Run would simulate, without running
// anything: the errors Run would return before simulating (an unknown
// model; a model named in Options.Models, or by an expectation when
// Options.Models is nil, that the workload cannot run as) come back here.
func Plan(w *simulator.Workload, o Options) error {
	_, err := makePlan(w, o)
	return err
}

func makePlan(w *simulator.Workload, o Options) (*plan, error) {
	explicit := o.Models != nil
	shown := o.Models
	if !explicit {
		shown = simulator.Models()
	}
	if err := CheckModels(shown); err != nil {
		return nil, err
	}
	p := &plan{shown: shown, lowers: map[string]*simulator.Lowered{}, notRun: map[string]*simulator.LowerError{}}
	add := func(m string, mustRun bool) error {
		if _, done := p.lowers[m]; done {
			return nil
		}
		if _, done := p.notRun[m]; done {
			if mustRun {
				return p.notRun[m]
			}
			return nil
		}
		lo, err := simulator.Lower(w, m, o.Workers)
		if err != nil {
			le, ok := err.(*simulator.LowerError)
			if !ok || mustRun {
				return err
			}
			p.notRun[m] = le
			p.all = append(p.all, m)
			return nil
		}
		p.lowers[m] = lo
		p.all = append(p.all, m)
		return nil
	}
	for _, m := range shown {
		if err := add(m, explicit); err != nil {
			return nil, err
		}
	}
	if err := add(simulator.ModelSequential, true); err != nil {
		return nil, err
	}
	for _, x := range w.Expects {
		if !simulator.IsModel(x.Arg) {
			return nil, &ModelError{Name: x.Arg}
		}
		if !slices.Contains(shown, x.Arg) && x.Arg != simulator.ModelSequential {
			continue // skipped
		}
		if err := add(x.Arg, true); err != nil {
			if le, ok := err.(*simulator.LowerError); ok {
				return nil, &simulator.LowerError{Model: le.Model, Pos: le.Pos, Msg: le.Msg + " (needed by `expect " + x.Text + "`, line " + fmt.Sprint(x.Pos.Line) + ")"}
			}
			return nil, err
		}
	}
	return p, nil
}

// Run simulates w under the models of o and measures each. The error is a
// *ModelError, a *simulator.LowerError (see Plan: nothing is simulated)
// or a *RunError.
func Run(w *simulator.Workload, o Options) (*Comparison, error) {
	p, err := makePlan(w, o)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Title: w.Title, File: w.File, Workload: w.Name, Tasks: len(w.Tasks), Cores: w.Cores}
	if lo := p.lowers[simulator.ModelProcesses]; lo != nil {
		c.Workers = lo.Workers
	} else {
		c.Workers = o.Workers
		if c.Workers <= 0 {
			c.Workers = w.Cores
		}
	}
	rows := make([]*Row, len(p.all))
	var jobs []int
	for i, m := range p.all {
		rows[i] = &Row{Model: m, HasLag: simulator.LoopModel(m)}
		if le := p.notRun[m]; le != nil {
			rows[i].NotRun, rows[i].NotPos = le.Msg, le.Pos
			continue
		}
		rows[i].Lowered = p.lowers[m]
		rows[i].Notes = p.lowers[m].Notes
		jobs = append(jobs, i)
	}
	errs := make([]error, len(rows))
	simulate := func(i int) {
		sim := o.Sim
		sim.Trace, sim.Mark = nil, nil
		res, err := simulator.Run(rows[i].Lowered.Scenario, sim)
		if err != nil {
			errs[i] = &RunError{Model: rows[i].Model, Err: err}
			return
		}
		if res.File == "" {
			res.File = w.File
		}
		rows[i].Result = res
		measure(rows[i], w)
	}
	runAll(jobs, o.Jobs, simulate)
	for _, i := range jobs {
		if errs[i] != nil {
			return nil, errs[i]
		}
	}
	byModel := map[string]*Row{}
	for _, r := range rows {
		byModel[r.Model] = r
	}
	c.Baseline = byModel[simulator.ModelSequential]
	for _, r := range rows {
		if r.NotRun == "" && r.Makespan > 0 && c.Baseline.Makespan > 0 {
			r.Speedup = float64(c.Baseline.Makespan) / float64(r.Makespan)
		}
	}
	for _, m := range p.shown {
		c.Rows = append(c.Rows, byModel[m])
	}
	f := factsOf(w, c.Baseline)
	for _, r := range rows {
		r.Verdict = verdict(r, c.Rows, f)
	}
	for i := range w.Expects {
		x := &w.Expects[i]
		e := Expectation{Model: x.Arg}
		if r := byModel[x.Arg]; r == nil {
			e.ExpectResult = simulator.ExpectResult{Text: x.Text, Pos: x.Pos, OK: true, Actual: "?"}
			e.Skipped = true
		} else {
			e.ExpectResult = evaluate(x, r)
		}
		c.Expectations = append(c.Expectations, e)
	}
	return c, nil
}

// runAll calls f for every index of jobs, n at a time.
func runAll(jobs []int, n int, f func(int)) {
	if n <= 1 || len(jobs) <= 1 {
		for _, i := range jobs {
			f(i)
		}
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for _, i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
}

// measure fills r's numbers from its Result.
func measure(r *Row, w *simulator.Workload) {
	res, lo := r.Result, r.Lowered
	r.Makespan = res.Makespan
	r.CPU = res.CPUTime
	if r.Makespan > 0 {
		r.Parallelism = float64(r.CPU) / float64(r.Makespan)
	}
	for _, p := range res.Processes {
		r.GILWait += p.GILWait
		r.LoopLag = max(r.LoopLag, p.LoopLagMax)
	}
	r.Memory = res.MemoryPeak + lo.ExtraMemory
	index := make(map[simulator.TaskRef]int, len(res.Tasks))
	for i, t := range res.Tasks {
		index[simulator.TaskRef{Process: t.Process, Name: t.Name}] = i
	}
	unfinished := 0
	lat := make([]int64, len(lo.Tasks))
	arr := make([]int64, len(lo.Tasks))
	done := make([]bool, len(lo.Tasks))
	for i, ref := range lo.Tasks {
		arr[i] = w.Tasks[i].Arrival
		k, ok := index[ref]
		if !ok || !res.Tasks[k].Finished {
			unfinished++
			continue
		}
		lat[i], done[i] = res.Tasks[k].Finish-w.Tasks[i].Arrival, true
		r.Latency = max(r.Latency, lat[i])
	}
	r.LatencyDist = simulator.LatencyOf(lat, arr, done)
	switch {
	case res.Deadlock != nil:
		r.Problem = "deadlock at " + simulator.FormatDuration(res.Deadlock.Time) + ": " + strings.Join(res.Deadlock.BlockedStrings(), ", ")
	case res.Failure != nil:
		r.Problem = "failure at " + simulator.FormatDuration(res.Failure.Time) + ": " + res.Failure.Message
	case unfinished > 0:
		r.Problem = fmt.Sprintf("%d tasks never finished", unfinished)
	}
}

// evaluate checks one expectation against the row of its model.
func evaluate(x *simulator.Expect, r *Row) simulator.ExpectResult {
	out := simulator.ExpectResult{Text: x.Text, Pos: x.Pos, Actual: "?"}
	switch {
	case r.NotRun != "":
		out.Err = x.Arg + " cannot run this workload: " + r.NotRun
		return out
	case r.Problem != "":
		out.Err = x.Arg + ": " + r.Problem
		return out
	}
	v, ok := Metric(r, x.Metric)
	if !ok {
		out.Err = "unknown metric " + x.Metric
		return out
	}
	out.OK = simulator.Holds(v, x)
	out.Actual = simulator.ActualText(v, x, out.OK)
	out.Value = v
	return out
}

// Metric is the value of a metric of simulator.CompareMetrics for row r.
func Metric(r *Row, metric string) (simulator.Value, bool) {
	info, ok := simulator.LookupCompareMetric(metric)
	if !ok {
		return simulator.Value{}, false
	}
	v := simulator.Value{Kind: info.Kind}
	switch metric {
	case "makespan":
		v.Int = r.Makespan
	case "speedup":
		v.Num = r.Speedup
	case "parallelism":
		v.Num = r.Parallelism
	case "gil_wait":
		v.Int = r.GILWait
	case "latency":
		v.Int = r.Latency
	case "p50":
		v.Int = r.LatencyDist.P50
	case "p90":
		v.Int = r.LatencyDist.P90
	case "p99":
		v.Int = r.LatencyDist.P99
	case "throughput":
		v.Num = r.LatencyDist.Throughput
	case "lag":
		v.Int = r.LoopLag
	case "memory":
		v.Int = r.Memory
	default:
		return v, false
	}
	return v, true
}
