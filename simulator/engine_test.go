package simulator

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

const ms = int64(1_000_000)

func cpu(d int64) Step    { return Step{Op: OpCPU, Dur: Fixed(d)} }
func io(d int64) Step     { return Step{Op: OpIO, Dur: Fixed(d)} }
func sleepS(d int64) Step { return Step{Op: OpSleep, Dur: Fixed(d)} }
func repeat(n int64, body ...Step) Step {
	return Step{Op: OpRepeat, Count: n, Body: body}
}

// task builds a native task.
func task(name string, at int64, prio int, steps ...Step) *Process {
	return &Process{Name: name, Native: true, Arrival: at,
		Threads: []*Thread{{Name: name, Arrival: at, Priority: prio, Steps: steps}}}
}

func pyproc(name string, gil GIL, threads ...*Thread) *Process {
	return &Process{Name: name, GIL: gil, Threads: threads}
}

func th(name string, steps ...Step) *Thread { return &Thread{Name: name, Steps: steps} }

// scenario is a hand-computed test's scenario: the default machine, but
// with no thread_start and no bootstrap, so that a process's first thread
// starts at once (its main thread's start() of it costs nothing; a second
// thread still waits for the main thread's hand-shake, start.go).
func scenario(cores int, pol PolicyKind, q int64, ps ...*Process) *Scenario {
	m := DefaultMachine()
	m.ThreadStart, m.ThreadBootstrap, m.ThreadBootstrapTail = 0, 0, 0
	return &Scenario{Title: "t", Seed: 1, Cores: cores, Policy: pol, Quantum: q, Machine: m, Processes: ps}
}

func mustRun(t *testing.T, sc *Scenario) *Result {
	t.Helper()
	r, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func finishes(r *Result) map[string]int64 {
	m := map[string]int64{}
	for _, t := range r.Tasks {
		m[t.Name] = t.Finish
	}
	return m
}

func wantFinish(t *testing.T, r *Result, want map[string]int64) {
	t.Helper()
	got := finishes(r)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("finish(%s) = %s, want %s", k, FormatDuration(got[k]), FormatDuration(v))
		}
	}
}

func TestFIFOConvoy(t *testing.T) {
	r := mustRun(t, scenario(1, PolicyFIFO, 0,
		task("P1", 0, 0, cpu(24*ms)), task("P2", 0, 0, cpu(3*ms)), task("P3", 0, 0, cpu(3*ms))))
	wantFinish(t, r, map[string]int64{"P1": 24 * ms, "P2": 27 * ms, "P3": 30 * ms})
	if r.Makespan != 30*ms {
		t.Errorf("makespan %d", r.Makespan)
	}
}

func TestSJF(t *testing.T) {
	r := mustRun(t, scenario(1, PolicySJF, 0,
		task("P1", 0, 0, cpu(24*ms)), task("P2", 0, 0, cpu(3*ms)), task("P3", 0, 0, cpu(3*ms))))
	wantFinish(t, r, map[string]int64{"P1": 30 * ms, "P2": 3 * ms, "P3": 6 * ms})
}

func TestRoundRobin(t *testing.T) {
	r := mustRun(t, scenario(1, PolicyRoundRobin, 4*ms,
		task("P1", 0, 0, cpu(24*ms)), task("P2", 0, 0, cpu(3*ms)), task("P3", 0, 0, cpu(3*ms))))
	wantFinish(t, r, map[string]int64{"P1": 30 * ms, "P2": 7 * ms, "P3": 10 * ms})
}

func TestSRTF(t *testing.T) {
	r := mustRun(t, scenario(1, PolicySRTF, 0,
		task("P1", 0, 0, cpu(8*ms)), task("P2", 1*ms, 0, cpu(4*ms)),
		task("P3", 2*ms, 0, cpu(9*ms)), task("P4", 3*ms, 0, cpu(5*ms))))
	wantFinish(t, r, map[string]int64{"P1": 17 * ms, "P2": 5 * ms, "P3": 26 * ms, "P4": 10 * ms})
}

func TestPriorityPreemptive(t *testing.T) {
	r := mustRun(t, scenario(1, PolicyPriority, 0,
		task("low", 0, 5, cpu(10*ms)), task("high", 2*ms, 1, cpu(3*ms))))
	wantFinish(t, r, map[string]int64{"high": 5 * ms, "low": 13 * ms})
}

func TestGILSerialisesThreads(t *testing.T) {
	sc := scenario(2, PolicyFair, 0, pyproc("app", GIL{Mode: GILInterval, Interval: 5 * ms},
		th("a", cpu(100*ms)), th("b", cpu(100*ms))))
	r := mustRun(t, sc)
	if r.Makespan < 200*ms || r.Makespan > 202*ms {
		t.Errorf("makespan %s, want about 200ms", FormatDuration(r.Makespan))
	}
	h := r.Processes[0].GILHandoffs
	if h < 30 || h > 45 {
		t.Errorf("handoffs %d, want about 40", h)
	}
	t.Logf("makespan %s handoffs %d forced %d events %d", FormatDuration(r.Makespan), h, r.Processes[0].GILForcedSwitches, r.Events)
}

func TestProcessesRunInParallel(t *testing.T) {
	sc := scenario(2, PolicyFair, 0,
		pyproc("a", GIL{Mode: GILInterval, Interval: 5 * ms}, th("main", cpu(100*ms))),
		pyproc("b", GIL{Mode: GILInterval, Interval: 5 * ms}, th("main", cpu(100*ms))))
	r := mustRun(t, sc)
	// each main thread's start() of its thread: one wake-up (start.go)
	if want := 100*ms + sc.Machine.WakeupLatency; r.Makespan != want {
		t.Errorf("makespan %s, want %s", FormatDuration(r.Makespan), FormatDuration(want))
	}
}

func TestConvoy(t *testing.T) {
	for _, iv := range []int64{5 * ms, 1 * ms} {
		sc := scenario(2, PolicyFair, 0, pyproc("app", GIL{Mode: GILInterval, Interval: iv},
			th("cpu", cpu(2000*ms)), th("io", repeat(100, sleepS(200_000)))))
		r := mustRun(t, sc)
		f := finishes(r)
		t.Logf("interval %s: io thread 100 ops in %s (%.0f ops/s)", FormatDuration(iv), FormatDuration(f["io"]), 100/(float64(f["io"])/1e9))
	}
}

// TestFairManyCoresHeap: on more than runVScanMax cores the fair policy
// keeps the running threads' vruntimes in a heap instead of scanning the
// cores; the result must be the same either way. 70 cores and 300 tasks
// of mixed nice values, cpu/io rounds and arrivals up to 120ms, so that
// the minimum vruntime, which places late arrivals and sleepers, moves
// (a heap that kept stale entries would hold it back and change the run).
func TestFairManyCoresHeap(t *testing.T) {
	var ps []*Process
	for i := 0; i < 300; i++ {
		ps = append(ps, &Process{Name: "p" + itoa(i), Native: true,
			Threads: []*Thread{{Name: "t" + itoa(i), Nice: i%5 - 2, Arrival: int64(i%13) * 10_000_000,
				Steps: []Step{repeat(int64(3+i%4), cpu(int64(1+i%9)*3_000_000), io(int64(1+i%11)*2_000_000))}}}})
	}
	sc := scenario(70, PolicyFair, 0, ps...)
	heap := mustRun(t, sc)
	old := runVScanMax
	runVScanMax = 1 << 30
	defer func() { runVScanMax = old }()
	scan := mustRun(t, sc)
	if !reflect.DeepEqual(heap, scan) {
		t.Errorf("the heap and the scan disagree: makespan %d vs %d, %d vs %d context switches", heap.Makespan, scan.Makespan, heap.ContextSwitches, scan.ContextSwitches)
	}
	if heap.ContextSwitches <= 300 {
		t.Errorf("%d context switches: the cores were never contended", heap.ContextSwitches)
	}
}

// A thread that arrives to a machine without room for its stack fails
// the run, named: the process and one thread fit, the second (started
// while the first still runs) does not.
func TestThreadOutOfMemoryNamed(t *testing.T) {
	p := &Process{Name: "app", Threads: []*Thread{th("w#1", cpu(10*ms)), th("w#2", cpu(10*ms)), th("w#3", cpu(10*ms))}}
	sc := scenario(2, PolicyFair, 0, p)
	sc.Machine.MemTotal = sc.Machine.MemProcess + sc.Machine.MemThread
	r := mustRun(t, sc)
	if r.Failure == nil || r.Failure.Entity != "app/w#2" || !strings.HasPrefix(r.Failure.Message, "out of memory: cannot create app/w#2 (needs ") {
		t.Fatalf("failure %+v, want app/w#2 out of memory", r.Failure)
	}
}

// The scenario's threads come from one slab, in order; a thread made
// later (a pool's worker) takes a small slab of its own, not one the size
// of the scenario.
func TestThreadSlabs(t *testing.T) {
	p := &Process{Name: "app"}
	for i := range 1000 {
		p.Threads = append(p.Threads, th("w#"+strconv.Itoa(i+1), cpu(ms)))
	}
	e := newEngine(scenario(2, PolicyFair, 0, p), Options{})
	for i := 1; i < len(e.threads); i++ {
		if uintptr(unsafe.Pointer(e.threads[i]))-uintptr(unsafe.Pointer(e.threads[i-1])) != unsafe.Sizeof(thread{}) {
			t.Fatalf("thread %d is not next to thread %d", i, i-1)
		}
	}
	left := len(e.slab)
	for range 17 {
		e.newThread(e.procs[0], p.Threads[0], 1<<30)
	}
	if left > 1 || len(e.slab) != 15 {
		t.Fatalf("slab: %d threads left after the scenario's, %d after 17 more (want at most 1, then 15)", left, len(e.slab))
	}
}

// The threads made ready at one instant are queued in file order,
// whatever order makeReady saw them in: makeReady notes when one comes
// before the thread of a later file (readyMixed), and only then does
// dispatch sort them. On one core under fifo the first in file order
// runs and the others wait in file order.
func TestReadyFileOrder(t *testing.T) {
	for _, c := range []struct {
		order []int32 // the threads (file order 0..4) in makeReady's order
		mixed bool
	}{
		{[]int32{0, 1, 2, 3, 4}, false},
		{[]int32{2}, false},
		{[]int32{1, 3}, false},
		{[]int32{3, 1}, true},
		{[]int32{2, 0, 4, 3, 1}, true},
		{[]int32{4, 3, 2, 1, 0}, true},
		{[]int32{0, 1, 2, 4, 3}, true},
	} {
		e := newEngine(genNative(PolicyFIFO, 1, 5, 1), Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime})
		for _, i := range c.order {
			e.makeReady(e.thread(i), false)
		}
		if e.readyMixed != c.mixed {
			t.Errorf("%v: readyMixed %v, want %v", c.order, e.readyMixed, c.mixed)
		}
		e.dispatch()
		if e.readyMixed || len(e.readyNow) != 0 {
			t.Errorf("%v: after dispatch readyMixed %v, %d ready", c.order, e.readyMixed, len(e.readyNow))
		}
		got := []int32{e.cores[0].cur}
		for range len(c.order) - 1 {
			got = append(got, e.pol.next(0).idx)
		}
		if want := slices.Sorted(slices.Values(c.order)); !reflect.DeepEqual(got, want) {
			t.Errorf("%v: core, then queue %v, want %v", c.order, got, want)
		}
	}
}
