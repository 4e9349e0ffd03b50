package fidelity

import (
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/simulator"
)

// Runs holds one simulation of every calibration scenario, with the trace
// of each entity (the E3, E9 and E10 rows read the order and timing of
// steps from it).
type Runs struct {
	files map[string]*run
}

type run struct {
	sc    *simulator.Scenario
	res   *simulator.Result
	spans [][]simulator.Span // per index of res.Tasks, sorted by Start
}

// Load parses and runs every .sim file at the top of fsys, side by side
// (the application layer's runner), each with the trace of its spans.
func Load(fsys fs.FS) (*Runs, error) {
	if _, err := rows(); err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "*.sim")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .sim files")
	}
	items := make([]app.Item, len(names))
	for i, name := range names {
		items[i] = app.Item{Path: name}
	}
	runner := app.Runner{
		Workers: runtime.GOMAXPROCS(0),
		Load: func(it app.Item) (*dsl.Sweep, error) {
			src, err := fs.ReadFile(fsys, it.Path)
			if err != nil {
				return nil, err
			}
			return dsl.ParseSweep(path.Join("scenarios/calibration", it.Path), src, nil)
		},
		Observe: func(*simulator.Scenario) (func(simulator.Span), any) {
			spans := &[]simulator.Span{}
			return func(s simulator.Span) { *spans = append(*spans, s) }, spans
		},
		KeepScenarios: true,
	}
	rs := &Runs{files: map[string]*run{}}
	var firstErr error
	runner.Run(items, func(_ int, f *app.File) {
		if firstErr != nil {
			return
		}
		if f.Err != nil {
			firstErr = f.Err
			return
		}
		if len(f.Runs) != 1 {
			firstErr = fmt.Errorf("%s: a calibration scenario is one run, not a sweep of %d", f.Path, len(f.Runs))
			return
		}
		o := f.Runs[0]
		switch {
		case o.Err != nil:
			firstErr = fmt.Errorf("%s: %w", f.Path, o.Err)
			return
		case o.Result.Deadlock != nil || o.Result.Failure != nil:
			firstErr = fmt.Errorf("%s: the run did not finish cleanly", f.Path)
			return
		}
		r := &run{sc: f.Sweep.Runs[0].Scenario, res: o.Result}
		r.spans = make([][]simulator.Span, len(o.Result.Tasks))
		for _, s := range *o.Kept.(*[]simulator.Span) {
			if s.Entity >= 0 { // not a process's own work
				r.spans[s.Entity] = append(r.spans[s.Entity], s)
			}
		}
		for i := range r.spans {
			slices.SortStableFunc(r.spans[i], func(a, b simulator.Span) int {
				return cmpInt64(a.Start, b.Start)
			})
		}
		rs.files[f.Path] = r
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return rs, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (rs *Runs) file(name string) (*run, error) {
	r := rs.files[name]
	if r == nil {
		return nil, fmt.Errorf("scenario %s was not loaded", name)
	}
	return r, nil
}

// group strips a replica suffix: "processes_4#3" -> "processes_4".
func group(name string) string {
	if i := strings.LastIndexByte(name, '#'); i >= 0 {
		return name[:i]
	}
	return name
}

// origin is when configuration cfg (a process or a group of replicas)
// was started: its earliest `at`.
func (r *run) origin(cfg string) (int64, error) {
	at := int64(-1)
	for _, p := range r.sc.Processes {
		if group(p.Name) == cfg && (at < 0 || p.Arrival < at) {
			at = p.Arrival
		}
	}
	if at < 0 {
		return 0, fmt.Errorf("%s has no process %q", r.sc.File, cfg)
	}
	return at, nil
}

// tasks are the indices of cfg's tasks in the result.
func (r *run) tasks(cfg string) []int {
	var out []int
	for i, t := range r.res.Tasks {
		if group(t.Process) == cfg {
			out = append(out, i)
		}
	}
	return out
}

// task is the index of the one task called name in cfg.
func (r *run) task(cfg, name string) (int, error) {
	for _, i := range r.tasks(cfg) {
		if r.res.Tasks[i].Name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: no task %q in %q", r.sc.File, name, cfg)
}

// wall is cfg's wall time in ns: from its start to its last finish.
func (r *run) wall(cfg string) (int64, error) {
	at, err := r.origin(cfg)
	if err != nil {
		return 0, err
	}
	ts := r.tasks(cfg)
	if len(ts) == 0 {
		return 0, fmt.Errorf("%s: %q has no tasks", r.sc.File, cfg)
	}
	end := int64(0)
	for _, i := range ts {
		t := r.res.Tasks[i]
		if !t.Finished {
			return 0, fmt.Errorf("%s: %s/%s did not finish", r.sc.File, t.Process, t.Name)
		}
		end = max(end, t.Finish)
	}
	return end - at, nil
}

func wallNS(rs *Runs, file, cfg string) (int64, error) {
	r, err := rs.file(file)
	if err != nil {
		return 0, err
	}
	return r.wall(cfg)
}

// wallMS predicts cfg's wall time in ms.
func wallMS(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		w, err := wallNS(rs, file, cfg)
		return Prediction{Value: float64(w) / 1e6}, err
	}
}

// wallOver predicts cfg's wall time over a unit of unitMS.
func wallOver(file, cfg string, unitMS float64) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		w, err := wallNS(rs, file, cfg)
		return Prediction{Value: float64(w) / 1e6 / unitMS}, err
	}
}

// wallRatio predicts wall(num) / wall(den).
func wallRatio(file, num, den string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		a, err := wallNS(rs, file, num)
		if err != nil {
			return Prediction{}, err
		}
		b, err := wallNS(rs, file, den)
		if err != nil {
			return Prediction{}, err
		}
		if b == 0 {
			return Prediction{}, fmt.Errorf("%s: %q took no time", file, den)
		}
		return Prediction{Value: float64(a) / float64(b)}, nil
	}
}

// firstOverLast predicts, for a group of replicas, when the first one
// finished over when the last one did (both counted from the start).
func firstOverLast(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		r, err := rs.file(file)
		if err != nil {
			return Prediction{}, err
		}
		at, err := r.origin(cfg)
		if err != nil {
			return Prediction{}, err
		}
		first, last := int64(-1), int64(0)
		for _, i := range r.tasks(cfg) {
			f := r.res.Tasks[i].Finish - at
			if first < 0 || f < first {
				first = f
			}
			last = max(last, f)
		}
		if last <= 0 {
			return Prediction{}, fmt.Errorf("%s: %q has no finished tasks", file, cfg)
		}
		return Prediction{Value: float64(first) / float64(last)}, nil
	}
}

// e3Window is how long E3 counted operations.
const e3Window = 500_000_000

// sleepOps reads E3's measurements from the trace of cfg's "io" thread:
// an operation is one time.sleep call, from the end of the bytecode before
// it to the start of the bytecode after it (what a perf_counter around the
// call measures). It returns the number of operations completed within
// the first 0.5 s of the thread and their latencies in ns.
func sleepOps(rs *Runs, file, cfg string) (int, []int64, error) {
	r, err := rs.file(file)
	if err != nil {
		return 0, nil, err
	}
	i, err := r.task(cfg, "io")
	if err != nil {
		return 0, nil, err
	}
	t0 := r.res.Tasks[i].Start
	lastRun, inCall := t0, false
	var lats []int64
	for _, s := range r.spans[i] {
		switch s.Kind {
		case simulator.SpanBlocked:
			inCall = true
		case simulator.SpanRunning:
			if inCall {
				if s.Start > t0+e3Window {
					return len(lats), lats, nil
				}
				lats = append(lats, s.Start-lastRun)
				inCall = false
			}
			lastRun = s.End
		}
	}
	return 0, nil, fmt.Errorf("%s: %q's io thread ran for less than %v ms", file, cfg, e3Window/1e6)
}

// reps are the runs of an E3 configuration: the process cfg, or, for a
// configuration run several times like the experiment, its processes
// cfg_rep1, cfg_rep2, ... (in file order).
func (r *run) reps(cfg string) []string {
	var out []string
	for _, p := range r.sc.Processes {
		name := group(p.Name)
		if (name == cfg || strings.HasPrefix(name, cfg+"_rep")) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// convoy reads E3's outcomes of cfg like the experiment: ops/s and the
// p50 latency of each run, and their medians over the runs.
func convoy(rs *Runs, file, cfg string) (opsPerS, p50 float64, err error) {
	r, err := rs.file(file)
	if err != nil {
		return 0, 0, err
	}
	names := r.reps(cfg)
	if len(names) == 0 {
		return 0, 0, fmt.Errorf("%s has no process %q", file, cfg)
	}
	var ops, lat []float64
	for _, name := range names {
		n, lats, err := sleepOps(rs, file, name)
		if err != nil {
			return 0, 0, err
		}
		ops = append(ops, float64(n)/(e3Window/1e9))
		lat = append(lat, median(lats))
	}
	return median(ops), median(lat), nil
}

func ioOpsPerS(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		ops, _, err := convoy(rs, file, cfg)
		return Prediction{Value: ops}, err
	}
}

func ioSlowdown(file, alone, busy string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		a, _, err := convoy(rs, file, alone)
		if err != nil {
			return Prediction{}, err
		}
		b, _, err := convoy(rs, file, busy)
		if err != nil {
			return Prediction{}, err
		}
		if b == 0 {
			return Prediction{}, fmt.Errorf("%s: %q completed no operation", file, busy)
		}
		return Prediction{Value: a / b}, nil
	}
}

func ioLatencyP50(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		_, p50, err := convoy(rs, file, cfg)
		return Prediction{Value: p50 / 1e3}, err
	}
}

// median is statistics.median: the middle value, or the mean of the two
// middle ones.
func median[T int64 | float64](v []T) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// stepOrder predicts the order in which cfg's units ran their steps: the
// first letter of each unit's name, once per stretch of bytecode, in time
// order.
func stepOrder(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		r, err := rs.file(file)
		if err != nil {
			return Prediction{}, err
		}
		type step struct {
			at   int64
			name string
		}
		var steps []step
		for _, i := range r.tasks(cfg) {
			for _, s := range r.spans[i] {
				if s.Kind == simulator.SpanRunning {
					steps = append(steps, step{s.Start, r.res.Tasks[i].Name[:1]})
				}
			}
		}
		slices.SortStableFunc(steps, func(a, b step) int { return cmpInt64(a.at, b.at) })
		var b strings.Builder
		for _, s := range steps {
			b.WriteString(s.name)
		}
		return Prediction{Text: b.String()}, nil
	}
}

// spawnFIFO predicts whether cfg's units started in the order they were
// spawned (file order).
func spawnFIFO(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		r, err := rs.file(file)
		if err != nil {
			return Prediction{}, err
		}
		ts := r.tasks(cfg)
		if len(ts) < 2 {
			return Prediction{}, fmt.Errorf("%s: %q needs two units", file, cfg)
		}
		ok := true
		for k := 1; k < len(ts); k++ {
			if r.res.Tasks[ts[k]].Start <= r.res.Tasks[ts[k-1]].Start {
				ok = false
			}
		}
		return Prediction{Text: map[bool]string{true: "yes", false: "no"}[ok]}, nil
	}
}

// maxStepGap predicts the longest time any unit of cfg other than the
// blocker waited between two consecutive steps, in ms.
func maxStepGap(file, cfg, blocker string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		r, err := rs.file(file)
		if err != nil {
			return Prediction{}, err
		}
		var gap int64
		for _, i := range r.tasks(cfg) {
			if r.res.Tasks[i].Name == blocker {
				continue
			}
			prev := int64(-1)
			for _, s := range r.spans[i] {
				if s.Kind != simulator.SpanRunning {
					continue
				}
				if prev >= 0 {
					gap = max(gap, s.Start-prev)
				}
				prev = s.Start
			}
		}
		if gap == 0 {
			return Prediction{}, fmt.Errorf("%s: %q has no steps to measure", file, cfg)
		}
		return Prediction{Value: float64(gap) / 1e6}, nil
	}
}

// finishTimes are the finishes of cfg's tasks counted from its start,
// sorted, in ns.
func (r *run) finishTimes(cfg string) ([]int64, error) {
	return r.taskTimes(cfg, func(t *simulator.TaskResult) (int64, string) {
		if !t.Finished {
			return 0, "did not finish"
		}
		return t.Finish, ""
	})
}

// startTimes are when cfg's tasks first ran, counted from its start,
// sorted, in ns.
func (r *run) startTimes(cfg string) ([]int64, error) {
	return r.taskTimes(cfg, func(t *simulator.TaskResult) (int64, string) {
		if t.Start < 0 {
			return 0, "never ran"
		}
		return t.Start, ""
	})
}

// taskTimes are, for each of cfg's tasks, the instant when picks,
// counted from cfg's start and sorted; an error names the first task
// that has none.
func (r *run) taskTimes(cfg string, when func(*simulator.TaskResult) (int64, string)) ([]int64, error) {
	at, err := r.origin(cfg)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, i := range r.tasks(cfg) {
		t := &r.res.Tasks[i]
		v, why := when(t)
		if why != "" {
			return nil, fmt.Errorf("%s: %s/%s %s", r.sc.File, t.Process, t.Name, why)
		}
		out = append(out, v-at)
	}
	slices.Sort(out)
	return out, nil
}

// nth predicts element i of a sorted per-worker list of cfg, in ns,
// divided by div ns.
func nth(file, cfg string, i int, times func(*run, string) ([]int64, error), div float64) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		r, err := rs.file(file)
		if err != nil {
			return Prediction{}, err
		}
		ts, err := times(r, cfg)
		if err != nil {
			return Prediction{}, err
		}
		if i >= len(ts) {
			return Prediction{}, fmt.Errorf("%s: %q has %d workers, not %d", file, cfg, len(ts), i+1)
		}
		return Prediction{Value: float64(ts[i]) / div}, nil
	}
}

// finishOver predicts the i-th earliest finish of cfg's workers over a
// unit of unitMS.
func finishOver(file, cfg string, i int, unitMS float64) func(*Runs) (Prediction, error) {
	return nth(file, cfg, i, (*run).finishTimes, unitMS*1e6)
}

// startMS predicts when the i-th earliest of cfg's workers began running,
// in ms from cfg's start.
func startMS(file, cfg string, i int) func(*Runs) (Prediction, error) {
	return nth(file, cfg, i, (*run).startTimes, 1e6)
}

// finishMS predicts the i-th earliest finish of cfg's workers, in ms from
// cfg's start.
func finishMS(file, cfg string, i int) func(*Runs) (Prediction, error) {
	return nth(file, cfg, i, (*run).finishTimes, 1e6)
}

// lateness reads, for every unit of cfg named name (a sleeper: it sleeps
// for sleep ns and then logs), when it started and when it woke, counted
// from cfg's start: the start of its first and of its last stretch of
// bytecode (the log after the sleep). It returns the medians
// (statistics.median) over the sleepers of woke - start - sleep (lateness
// against its own deadline) and of woke - sleep (against the start of the
// configuration plus the sleep).
func lateness(rs *Runs, file, cfg, name string, sleep int64) (own, vsT0 float64, err error) {
	r, err := rs.file(file)
	if err != nil {
		return 0, 0, err
	}
	at, err := r.origin(cfg)
	if err != nil {
		return 0, 0, err
	}
	var lo, lt []int64
	for _, i := range r.tasks(cfg) {
		if r.res.Tasks[i].Group != name {
			continue
		}
		var running []simulator.Span
		for _, s := range r.spans[i] {
			if s.Kind == simulator.SpanRunning {
				running = append(running, s)
			}
		}
		start := r.res.Tasks[i].Start
		if len(running) == 0 || start < 0 || running[len(running)-1].Start <= start {
			return 0, 0, fmt.Errorf("%s: %s/%s has no step after its sleep", file, cfg, r.res.Tasks[i].Name)
		}
		woke := running[len(running)-1].Start
		lo = append(lo, woke-start-sleep)
		lt = append(lt, woke-at-sleep)
	}
	if len(lo) == 0 {
		return 0, 0, fmt.Errorf("%s: %q has no unit %q", file, cfg, name)
	}
	return median(lo), median(lt), nil
}

// lateOwnMS predicts the median lateness of cfg's sleepers against their
// own deadlines, in ms.
func lateOwnMS(file, cfg, name string, sleep int64) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		own, _, err := lateness(rs, file, cfg, name, sleep)
		return Prediction{Value: own / 1e6}, err
	}
}

// lateT0MS predicts the median of cfg's sleepers' wake-ups minus the
// sleep, counted from cfg's start, in ms.
func lateT0MS(file, cfg, name string, sleep int64) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		_, t0, err := lateness(rs, file, cfg, name, sleep)
		return Prediction{Value: t0 / 1e6}, err
	}
}

// groupFinish is when the last unit of cfg named name finished, in ns from
// cfg's start.
func groupFinish(rs *Runs, file, cfg, name string) (int64, error) {
	r, err := rs.file(file)
	if err != nil {
		return 0, err
	}
	at, err := r.origin(cfg)
	if err != nil {
		return 0, err
	}
	end := int64(-1)
	for _, i := range r.tasks(cfg) {
		t := r.res.Tasks[i]
		if t.Group != name {
			continue
		}
		if !t.Finished {
			return 0, fmt.Errorf("%s: %s/%s did not finish", file, t.Process, t.Name)
		}
		end = max(end, t.Finish-at)
	}
	if end < 0 {
		return 0, fmt.Errorf("%s: %q has no unit %q", file, cfg, name)
	}
	return end, nil
}

// groupFinishMS predicts when the units of cfg named name are all done, in
// ms from cfg's start.
func groupFinishMS(file, cfg, name string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		f, err := groupFinish(rs, file, cfg, name)
		return Prediction{Value: float64(f) / 1e6}, err
	}
}

// groupFinishRatio predicts groupFinish(num) / groupFinish(den) of the
// units named name.
func groupFinishRatio(file, num, den, name string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		a, err := groupFinish(rs, file, num, name)
		if err != nil {
			return Prediction{}, err
		}
		b, err := groupFinish(rs, file, den, name)
		if err != nil {
			return Prediction{}, err
		}
		if b <= 0 {
			return Prediction{}, fmt.Errorf("%s: %q took no time", file, den)
		}
		return Prediction{Value: float64(a) / float64(b)}, nil
	}
}

// memorySlope predicts the memory of one more unit, in KiB: the
// difference of the memory peaks of processes small and big over the
// difference of their numbers of units.
func memorySlope(file, small, big string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		r, err := rs.file(file)
		if err != nil {
			return Prediction{}, err
		}
		peak := func(cfg string) (int64, int, error) {
			for _, p := range r.res.Processes {
				if p.Group == cfg {
					return p.MemoryPeak, len(r.tasks(cfg)), nil
				}
			}
			return 0, 0, fmt.Errorf("%s has no process %q", file, cfg)
		}
		ma, na, err := peak(small)
		if err != nil {
			return Prediction{}, err
		}
		mb, nb, err := peak(big)
		if err != nil {
			return Prediction{}, err
		}
		if nb == na {
			return Prediction{}, fmt.Errorf("%s: %q and %q have as many units", file, small, big)
		}
		return Prediction{Value: float64(mb-ma) / float64(nb-na) / 1024}, nil
	}
}
