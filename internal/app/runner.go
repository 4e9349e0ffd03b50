package app

import (
	"container/heap"
	"sync"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

// Runner runs a batch: it parses the items of a file list and runs every
// run of their sweeps on Workers goroutines — scenarios simulated once,
// workloads compared under every model — and hands each file's outcome
// back in list order, as soon as the files before it are done. Whatever
// the number of workers, the outcomes and their order are the same.
//
// Its dependencies are fields, so that a caller (or a test) passes its
// own: nothing is swapped through package variables.
type Runner struct {
	// Workers is how many runs go at once (at least 1; more than 1024
	// only wait, so they are not started).
	Workers int
	// Budget bounds the memory of the runs under way, as
	// simulator.Footprint estimates it: a run that does not fit waits until
	// others end, unless nothing else runs. 0 sets no bound.
	Budget int64
	// Load reads an item into its sweep (see ScenarioLoader, AnyLoader).
	Load Loader
	// Simulate runs a scenario; nil is simulator.Run.
	Simulate func(*simulator.Scenario, simulator.Options) (*simulator.Result, error)
	// Compare runs a workload under every model; nil is compare.Run.
	Compare func(*simulator.Workload, compare.Options) (*compare.Comparison, error)
	// Options are every run's limits.
	Options simulator.Options
	// Observe, when set, is called before each scenario runs: it returns
	// the run's trace function (simulator.Options.Trace) and a value
	// kept in the run's Outcome (a timeline recorder, say).
	Observe func(*simulator.Scenario) (trace func(simulator.Span), keep any)
	// KeepScenarios keeps each run's model in its sweep after it ran;
	// by default it is dropped, so that a batch holds one model per run
	// under way rather than one per run.
	KeepScenarios bool
	// Progress, when set, learns how many runs there are and how many
	// are done.
	Progress Progress
}

// Progress follows a batch: Add announces runs to come, Step runs done.
type Progress interface {
	Add(n int)
	Step(n int)
}

// File is what became of one item of the list.
type File struct {
	Path  string
	Err   error // reading, parsing or --set; the item's own Err
	Sweep *dsl.Sweep
	Runs  []Outcome // one per run of the sweep, in its order
}

// Outcome is one run of a file.
type Outcome struct {
	report.RunID
	Result     *simulator.Result   // a scenario's run
	Comparison *compare.Comparison // a workload's run, instead of Result
	Kept       any                 // what Observe returned for the run
	// Err is why the run has no result: a *simulator.LimitError, a
	// scenario the engine refused, a workload a model cannot run.
	Err error
}

// Finished reports whether some run of f finished (met its expectations
// or not) rather than stopping on an error.
func (f *File) Finished() bool {
	if f.Err != nil {
		return false
	}
	for _, o := range f.Runs {
		if o.Err == nil {
			return true
		}
	}
	return false
}

// Run parses and runs every item and calls emit(i, file) for each item in
// list order, on the calling goroutine. Runs of a sweep are spread over
// the workers too.
func (r Runner) Run(items []Item, emit func(i int, f *File)) {
	simulate, compareRun := r.Simulate, r.Compare
	if simulate == nil {
		simulate = simulator.Run
	}
	if compareRun == nil {
		compareRun = compare.Run
	}
	prog := r.Progress
	if prog == nil {
		prog = noProgress{}
	}
	n := len(items)
	files := make([]*File, n)
	done := make([]chan struct{}, n)
	remaining := make([]int, n) // runs still to do, guarded by mu
	for i := range done {
		done[i] = make(chan struct{})
	}
	prog.Add(n)

	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	var runs jobHeap // ready runs, earliest file first
	nextParse := 0   // next item to parse
	parsing := 0     // parses in flight, which may still add runs
	inUse := int64(0)
	fits := func(j job) bool { return r.Budget <= 0 || inUse == 0 || inUse+j.need <= r.Budget }
	finish := func(j job, o Outcome) {
		mu.Lock()
		files[j.file].Runs[j.run] = o
		remaining[j.file]--
		last := remaining[j.file] == 0
		inUse -= j.need
		cond.Broadcast()
		mu.Unlock()
		prog.Step(1)
		if last {
			close(done[j.file])
		}
	}
	work := func() {
		for {
			mu.Lock()
			for (runs.Len() == 0 && nextParse >= n && parsing > 0) || (runs.Len() > 0 && !fits(runs[0])) {
				cond.Wait()
			}
			if runs.Len() == 0 && nextParse >= n {
				mu.Unlock()
				return // nothing left, and nothing can come
			}
			// A ready run comes before parsing ahead: memory stays
			// bounded and output flows in order.
			if runs.Len() > 0 {
				j := heap.Pop(&runs).(job)
				inUse += j.need
				mu.Unlock()
				f := files[j.file]
				sr := &f.Sweep.Runs[j.run]
				o := f.Runs[j.run] // its RunID, set when it was parsed
				if sr.Workload != nil {
					o.Comparison, o.Err = compareRun(sr.Workload, compare.Options{Sim: r.Options})
					finish(j, o)
					continue
				}
				opts := r.Options
				if r.Observe != nil {
					opts.Trace, o.Kept = r.Observe(sr.Scenario)
				}
				o.Result, o.Err = simulate(sr.Scenario, opts)
				if o.Err == nil && o.Result.File == "" {
					o.Result.File = f.Path
				}
				if !r.KeepScenarios {
					sr.Scenario = nil // free the model
				}
				finish(j, o)
				continue
			}
			i := nextParse
			nextParse++
			parsing++
			mu.Unlock()
			f := &File{Path: items[i].Path, Err: items[i].Err}
			if f.Err == nil {
				f.Sweep, f.Err = r.Load(items[i])
			}
			var needs []int64
			if f.Err == nil {
				f.Runs = make([]Outcome, len(f.Sweep.Runs))
				for k := range f.Sweep.Runs {
					f.Runs[k].RunID = Identify(f.Sweep, k)
					needs = append(needs, footprint(f.Sweep.Runs[k]))
				}
				prog.Add(len(f.Sweep.Runs) - 1) // the file counted one
			}
			mu.Lock()
			files[i] = f
			parsing--
			if f.Err == nil {
				remaining[i] = len(f.Sweep.Runs)
				for k := range f.Sweep.Runs {
					heap.Push(&runs, job{i, k, needs[k]})
				}
			}
			cond.Broadcast()
			mu.Unlock()
			if f.Err != nil || len(f.Sweep.Runs) == 0 {
				prog.Step(1)
				close(done[i])
			}
		}
	}
	for range min(max(1, r.Workers), 1024) {
		go work()
	}
	for i := range n {
		<-done[i]
		mu.Lock()
		f := files[i]
		files[i] = nil
		mu.Unlock()
		emit(i, f)
	}
}

type noProgress struct{}

func (noProgress) Add(int)  {}
func (noProgress) Step(int) {}

// job is one run to do: the file's index, the run's index in its sweep,
// and the memory it needs (footprint).
type job struct {
	file, run int
	need      int64
}

// footprint is the memory a run of a sweep needs: simulator.Footprint of
// its scenario, or for a workload that of its largest lowering (a thread
// or coroutine per task), once per model run at a time.
func footprint(r dsl.Run) int64 {
	if r.Scenario != nil {
		return simulator.Footprint(r.Scenario)
	}
	if w := r.Workload; w != nil {
		n := int64(len(w.Tasks))
		return simulator.FootprintOf(1, 1+n, n)
	}
	return 0
}

type jobHeap []job

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if h[i].file != h[j].file {
		return h[i].file < h[j].file
	}
	return h[i].run < h[j].run
}
func (h jobHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(job)) }
func (h *jobHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
