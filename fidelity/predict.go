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
	if rowsErr != nil {
		return nil, rowsErr
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

func ioOpsPerS(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		n, _, err := sleepOps(rs, file, cfg)
		return Prediction{Value: float64(n) / (e3Window / 1e9)}, err
	}
}

func ioSlowdown(file, alone, busy string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		a, _, err := sleepOps(rs, file, alone)
		if err != nil {
			return Prediction{}, err
		}
		b, _, err := sleepOps(rs, file, busy)
		if err != nil {
			return Prediction{}, err
		}
		if b == 0 {
			return Prediction{}, fmt.Errorf("%s: %q completed no operation", file, busy)
		}
		return Prediction{Value: float64(a) / float64(b)}, nil
	}
}

func ioLatencyP50(file, cfg string) func(*Runs) (Prediction, error) {
	return func(rs *Runs) (Prediction, error) {
		_, lats, err := sleepOps(rs, file, cfg)
		if err != nil {
			return Prediction{}, err
		}
		return Prediction{Value: median(lats) / 1e3}, nil
	}
}

// median is statistics.median: the middle value, or the mean of the two
// middle ones.
func median(v []int64) float64 {
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
