package main

import (
	"container/heap"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

// A batch is the list of scenario files that the path arguments name,
// run concurrently and reported in list order, so that its output is the
// same whatever the number of workers.

// batchItem is one entry of the file list: a scenario file, or a path
// argument that names none (missing, unreadable, a glob that matches
// nothing), which is reported in its place.
type batchItem struct {
	path  string
	err   error
	found bool // found by walking a folder, not named by an argument
}

// expandPaths turns path arguments into the file list: a file as it is
// (whatever its extension), a folder as every *.sim below it (in lexical
// order, recursively), a glob as its matches (each expanded the same way).
func expandPaths(args []string) []batchItem {
	var items []batchItem
	for _, arg := range args {
		if strings.ContainsAny(arg, "*?[") {
			if _, err := os.Lstat(arg); err != nil {
				matches, gerr := filepath.Glob(arg)
				switch {
				case gerr != nil:
					items = append(items, batchItem{path: arg, err: fmt.Errorf("bad pattern: %v", gerr)})
				case len(matches) == 0:
					items = append(items, batchItem{path: arg, err: errors.New("no file matches this pattern")})
				}
				for _, m := range matches {
					items = append(items, expandPath(m)...)
				}
				continue
			}
		}
		items = append(items, expandPath(arg)...)
	}
	return items
}

func expandPath(path string) []batchItem {
	st, err := os.Stat(path)
	if err != nil {
		return []batchItem{{path: path, err: err}}
	}
	if !st.IsDir() {
		return []batchItem{{path: path}}
	}
	var items []batchItem
	walkErr := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// An unreadable folder is reported in its place; the walk
			// goes on with its siblings.
			items = append(items, batchItem{path: p, err: err})
			if d != nil && d.IsDir() && p != path {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".sim") {
			items = append(items, batchItem{path: p, found: true})
		}
		return nil
	})
	if walkErr != nil {
		items = append(items, batchItem{path: path, err: walkErr})
	}
	if len(items) == 0 {
		items = append(items, batchItem{path: path, err: errors.New("no .sim files in this folder")})
	}
	return items
}

// shardSpec is --shard K/N: the K-th (1-based) of N slices.
type shardSpec struct{ k, n int }

func parseShard(s string) (shardSpec, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return shardSpec{}, fmt.Errorf("--shard %s: want K/N, such as 2/4", s)
	case n < 1:
		return shardSpec{}, fmt.Errorf("--shard %s: N must be at least 1", s)
	case k < 1 || k > n:
		return shardSpec{}, fmt.Errorf("--shard %s: K must be between 1 and N (%d)", s, n)
	}
	return shardSpec{k, n}, nil
}

// slice returns the shard's part of items: contiguous slices of sizes that
// differ by at most one, so that the jsonl outputs of shards 1..N,
// concatenated in order, are the output of the whole list.
func (s shardSpec) slice(items []batchItem) []batchItem {
	if s.n <= 1 {
		return items
	}
	lo := (s.k - 1) * len(items) / s.n
	hi := s.k * len(items) / s.n
	return items[lo:hi]
}

// fileOutcome is what became of one item.
type fileOutcome struct {
	path  string
	err   error // reading, parsing or --set
	sweep *dsl.Sweep
	runs  []runOutcome // one per run of the sweep, in its order
}

type runOutcome struct {
	res *simulator.Result
	err error               // a *simulator.LimitError, or a scenario the engine refused
	rec *report.Recorder    // the run's timeline, with --timeline
	cmp *compare.Comparison // a workload file's run (gilsim test), instead of res
}

// The two phases a file goes through. Tests replace them to reach every
// exit path with hand-built results.
var (
	expand    = expandPaths
	loadSweep = dsl.ParseSweepFile
	simulate  = simulator.Run
	// gilsim test also takes workload files, and compares them.
	loadAnySweep = dsl.ParseAnySweepFile
	compareRun   = compare.Run
)

// errSkippedWorkload is the outcome of a workload file that `gilsim run`
// found in a folder: not an error, a file that is not its to run.
var errSkippedWorkload = errors.New("a workload, skipped")

// loadScenario reads an item for `gilsim run`, which runs scenarios. A
// workload file named by an argument is the parser's error, which says to
// compare it; one found by walking a folder is skipped
// (errSkippedWorkload), so that a folder of scenarios may hold workloads
// too. A found file is parsed once, accepting either kind.
func loadScenario(it batchItem, set map[string]string) (*dsl.Sweep, error) {
	if !it.found {
		return loadSweep(it.path, set)
	}
	sw, err := loadAnySweep(it.path, set)
	if err == nil && sw.IsWorkload() {
		return nil, errSkippedWorkload
	}
	if err != nil && isSetError(err) {
		// --set is checked before the kind of file is known: a workload
		// without the parameter is still skipped, not a bad --set.
		if w, werr := loadAnySweep(it.path, nil); werr == nil && w.IsWorkload() {
			return nil, errSkippedWorkload
		}
	}
	return sw, err
}

// loadAny reads an item for `gilsim test`: a scenario or a workload file.
func loadAny(it batchItem, set map[string]string) (*dsl.Sweep, error) {
	return loadAnySweep(it.path, set)
}

// isSetError reports whether err is about --set (a name the file does
// not declare, a value of the wrong kind), not about the file's text.
func isSetError(err error) bool {
	var list dsl.ErrorList
	return errors.As(err, &list) && len(list) > 0 && list[0].Line == 0 && strings.HasPrefix(list[0].Msg, "--set")
}

// runBatch parses and simulates every item on `workers` goroutines and
// calls emit(i, outcome) for each item in list order, on the calling
// goroutine, as soon as the items before it are done. Runs of a sweep
// are spread over the workers too. Whatever the number of workers, emit
// sees the same outcomes in the same order.
func runBatch(items []batchItem, set map[string]string, opts simulator.Options, workers int, record func(*simulator.Scenario) *report.Recorder, prog *progress, emit func(int, *fileOutcome)) {
	runBatchWith(loadScenario, items, set, opts, workers, record, prog, emit)
}

// runBatchWith is runBatch with the items read by load: loadScenario takes
// scenarios only, loadAny workload files too, whose runs are compared
// under every model (compare.Run) instead of simulated once.
func runBatchWith(load func(batchItem, map[string]string) (*dsl.Sweep, error), items []batchItem, set map[string]string, opts simulator.Options, workers int, record func(*simulator.Scenario) *report.Recorder, prog *progress, emit func(int, *fileOutcome)) {
	n := len(items)
	outcomes := make([]*fileOutcome, n)
	done := make([]chan struct{}, n)
	remaining := make([]int, n) // runs still to simulate, guarded by mu
	for i := range done {
		done[i] = make(chan struct{})
	}
	prog.add(n)

	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	var runs runHeap // ready runs, earliest file first
	nextParse := 0   // next item to parse
	parsing := 0     // parses in flight, which may still add runs
	// the memory of the runs under way (simulator.Footprint), which
	// budget bounds: a run that does not fit waits until others end,
	// unless nothing else runs
	budget, inUse := memBudget(), int64(0)
	fits := func(j runJob) bool { return inUse == 0 || inUse+j.need <= budget }
	// more goroutines than this only wait: -j is capped
	for range min(max(1, workers), 1024) {
		go func() {
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
					job := heap.Pop(&runs).(runJob)
					inUse += job.need
					mu.Unlock()
					o := outcomes[job.file]
					if w := o.sweep.Runs[job.run].Workload; w != nil {
						c, err := compareRun(w, compare.Options{Sim: opts})
						mu.Lock()
						o.runs[job.run] = runOutcome{cmp: c, err: err}
						remaining[job.file]--
						last := remaining[job.file] == 0
						inUse -= job.need
						cond.Broadcast()
						mu.Unlock()
						prog.step(1)
						if last {
							close(done[job.file])
						}
						continue
					}
					sc := o.sweep.Runs[job.run].Scenario
					runOpts, rec := opts, (*report.Recorder)(nil)
					if record != nil {
						rec = record(sc)
						runOpts.Trace = rec.Trace
					}
					res, err := simulate(sc, runOpts)
					if err == nil && res.File == "" {
						res.File = o.path
					}
					o.sweep.Runs[job.run].Scenario = nil // free the model
					mu.Lock()
					o.runs[job.run] = runOutcome{res: res, err: err, rec: rec}
					remaining[job.file]--
					last := remaining[job.file] == 0
					inUse -= job.need
					cond.Broadcast()
					mu.Unlock()
					prog.step(1)
					if last {
						close(done[job.file])
					}
					continue
				}
				i := nextParse
				nextParse++
				parsing++
				mu.Unlock()
				o := &fileOutcome{path: items[i].path, err: items[i].err}
				if o.err == nil {
					o.sweep, o.err = load(items[i], set)
				}
				var needs []int64
				if o.err == nil {
					o.runs = make([]runOutcome, len(o.sweep.Runs))
					prog.add(len(o.sweep.Runs) - 1) // the file counted one
					for _, r := range o.sweep.Runs {
						needs = append(needs, runFootprint(r))
					}
				}
				mu.Lock()
				outcomes[i] = o
				parsing--
				if o.err == nil {
					remaining[i] = len(o.sweep.Runs)
					for k := range o.sweep.Runs {
						heap.Push(&runs, runJob{i, k, needs[k]})
					}
				}
				cond.Broadcast()
				mu.Unlock()
				if o.err != nil {
					prog.step(1)
					close(done[i])
				}
			}
		}()
	}
	for i := range n {
		<-done[i]
		mu.Lock()
		o := outcomes[i]
		outcomes[i] = nil
		mu.Unlock()
		emit(i, o)
	}
}

type runJob struct {
	file, run int
	need      int64 // its memory (runFootprint)
}

// memBudget is the memory a batch's concurrent runs may hold together
// (runBudget); tests replace it.
var memBudget = runBudget

// runFootprint is the memory a run of a sweep needs: simulator.Footprint
// of its scenario, or for a workload that of its largest lowering (a
// thread or coroutine per task), once per model run at a time.
func runFootprint(r dsl.Run) int64 {
	if r.Scenario != nil {
		return simulator.Footprint(r.Scenario)
	}
	if w := r.Workload; w != nil {
		n := int64(len(w.Tasks))
		return simulator.FootprintOf(1, 1+n, n)
	}
	return 0
}

type runHeap []runJob

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if h[i].file != h[j].file {
		return h[i].file < h[j].file
	}
	return h[i].run < h[j].run
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(runJob)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// setFlag is the repeatable --set NAME=VALUE[,VALUE...].
type setFlag map[string]string

func (s setFlag) String() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k+"="+s[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func (s setFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return errors.New("want NAME=VALUE, such as workers=16")
	}
	if _, dup := s[name]; dup {
		return fmt.Errorf("%s is set twice", name)
	}
	if err := distinctValues(name, value); err != nil {
		return err
	}
	s[name] = value
	return nil
}

// distinctValues refuses a list of values that names one twice, which
// would run the same simulation twice (a vary list may not either).
// Durations are compared by value (1s is 1000ms), other values as written.
// The error suggests the list without its repeats.
func distinctValues(name, list string) error {
	var keep []string
	seen := map[string]string{} // a value's key -> its first spelling
	problem := ""
	for v := range strings.SplitSeq(list, ",") {
		v = strings.TrimSpace(v)
		key := v
		if ns, err := dsl.ParseDuration(v); err == nil {
			key = "duration " + strconv.FormatInt(ns, 10)
		}
		first, dup := seen[key]
		switch {
		case !dup:
			seen[key] = v
			keep = append(keep, v)
		case problem != "":
		case first == v:
			problem = v + " is listed twice"
		default:
			problem = v + " is the same as " + first
		}
	}
	if problem == "" {
		return nil
	}
	return fmt.Errorf("%s; give each value once: %s=%s", problem, name, strings.Join(keep, ","))
}
