package simulator

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// A small workload: two replicas of a request (the second arriving
// later) and a batch job, sharing their programs as dsl makes them.
func testWorkload() *Workload {
	req := []Step{
		{Op: OpCPU, Dur: Fixed(1_000_000)},
		{Op: OpNative, Dur: Fixed(2_000_000)},
		{Op: OpIO, Dur: Fixed(10_000_000)},
		{Op: OpRepeat, Count: 2, Body: []Step{
			{Op: OpCPU, Dur: Fixed(500_000)},
			{Op: OpSleep, Dur: Fixed(1_000_000)},
		}},
	}
	batch := []Step{{Op: OpRepeat, Count: 3, Body: []Step{{Op: OpCPU, Dur: Fixed(4_000_000)}}}}
	return &Workload{
		Title: "t", Name: "w", Seed: 1, Cores: 2, Machine: DefaultMachine(),
		Tasks: []WorkTask{
			{Name: "req#1", Arrival: 0, Steps: req},
			{Name: "req#2", Arrival: 5_000_000, Steps: req},
			{Name: "batch", Arrival: 0, Steps: batch},
		},
		Pos: Pos{Line: 2, Col: 3},
	}
}

// describe renders a scenario's shape: processes, threads, members and
// their steps, one per line.
func describe(sc *Scenario) string {
	var b strings.Builder
	for _, p := range sc.Processes {
		b.WriteString("process " + p.Name)
		switch p.GIL.Mode {
		case GILOff:
			b.WriteString(" gil off")
		case GILInterval:
			b.WriteString(" gil " + FormatDuration(p.GIL.Interval))
		}
		if p.Startup > 0 {
			b.WriteString(" startup " + FormatDuration(p.Startup))
		}
		b.WriteByte('\n')
		for _, t := range p.Threads {
			b.WriteString("  " + t.Kind.String() + " " + t.Name)
			if t.Kind == ThreadGevent && t.Patched {
				b.WriteString(" patched")
			}
			if t.Kind == ThreadPlain {
				b.WriteString(" at " + FormatDuration(t.Arrival) + ": " + steps(t.Steps))
			}
			b.WriteByte('\n')
			for _, m := range t.Members {
				b.WriteString("    " + m.Name + " at " + FormatDuration(m.Arrival) + ": " + steps(m.Steps) + "\n")
			}
		}
	}
	return b.String()
}

func steps(ss []Step) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		switch s.Op {
		case OpRepeat:
			parts[i] = "repeat " + strconv.FormatInt(s.Count, 10) + " {" + steps(s.Body) + "}"
		case OpOffload:
			parts[i] = "offload {" + steps(s.Body) + "}"
		case OpLock:
			parts[i] = "lock " + strconv.Itoa(s.Lock) + " {" + steps(s.Body) + "}"
		default:
			parts[i] = s.Op.String() + " " + FormatDuration(s.Dur.A)
		}
	}
	return strings.Join(parts, "; ")
}

const (
	reqSteps   = "cpu 1ms; native 2ms; io 10ms; repeat 2 {cpu 500us; sleep 1ms}"
	batchSteps = "repeat 3 {cpu 4ms}"
)

func TestLowerShapes(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  string
	}{
		{ModelSequential, `process main gil 5ms
  greenlets main
    req#1 at 0: ` + reqSteps + `
    req#2 at 5ms: ` + reqSteps + `
    batch at 0: ` + batchSteps + `
`},
		// started one by one by the main thread, 85 us each, as they arrive
		{ModelThreads, `process main gil 5ms
  thread req#1 at 0: ` + reqSteps + `
  thread req#2 at 5ms: ` + reqSteps + `
  thread batch at 0: ` + batchSteps + `
`},
		{ModelThreadsNoGIL, `process main gil off
  thread req#1 at 0: ` + reqSteps + `
  thread req#2 at 5ms: ` + reqSteps + `
  thread batch at 0: ` + batchSteps + `
`},
		// chunks of ceil(3 / 8) = 1 dealt round robin; each chunk's first
		// task pays the round trip; arrivals count from the end of start-up
		{ModelProcesses, `process worker#1 gil 5ms startup 1.977ms
  greenlets main
    req#1 at 0: cpu 157us; ` + reqSteps + `
    batch at 0: cpu 157us; ` + batchSteps + `
process worker#2 gil 5ms startup 1.977ms
  greenlets main
    req#2 at 3.023ms: cpu 157us; ` + reqSteps + `
`},
		{ModelAsyncio, `process main gil 5ms
  asyncio asyncio
    req#1 at 0: cpu 1ms; native 2ms; await io 10ms; repeat 2 {cpu 500us; await sleep 1ms}
    req#2 at 5ms: cpu 1ms; native 2ms; await io 10ms; repeat 2 {cpu 500us; await sleep 1ms}
    batch at 0: ` + batchSteps + `
`},
		// every run of compute-only steps is one to_thread call
		{ModelAsyncioThreads, `process main gil 5ms
  asyncio asyncio
    req#1 at 0: offload {cpu 1ms; native 2ms}; await io 10ms; repeat 2 {offload {cpu 500us}; await sleep 1ms}
    req#2 at 5ms: offload {cpu 1ms; native 2ms}; await io 10ms; repeat 2 {offload {cpu 500us}; await sleep 1ms}
    batch at 0: offload {` + batchSteps + `}
`},
		{ModelGevent, `process main gil 5ms
  gevent gevent patched
    req#1 at 0: ` + reqSteps + `
    req#2 at 5ms: ` + reqSteps + `
    batch at 0: ` + batchSteps + `
`},
		{ModelGeventUnpatched, `process main gil 5ms
  gevent gevent
    req#1 at 0: ` + reqSteps + `
    req#2 at 5ms: ` + reqSteps + `
    batch at 0: ` + batchSteps + `
`},
	} {
		t.Run(tc.model, func(t *testing.T) {
			w := testWorkload()
			lo, err := Lower(w, tc.model, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(lo.Scenario); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if len(lo.Tasks) != len(w.Tasks) {
				t.Fatalf("%d task refs", len(lo.Tasks))
			}
			// Every task ref names an entity of the result, and the
			// lowered scenario runs to the end.
			res, err := Run(lo.Scenario, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Deadlock != nil || res.Failure != nil {
				t.Fatalf("run: %+v %+v", res.Deadlock, res.Failure)
			}
			for i, ref := range lo.Tasks {
				found := false
				for _, tr := range res.Tasks {
					if tr.Process == ref.Process && tr.Name == ref.Name {
						found = tr.Finished
					}
				}
				if !found || ref.Name != w.Tasks[i].Name {
					t.Errorf("task %d: ref %+v did not finish in the result", i, ref)
				}
			}
			// The workload is not modified, and replicas still share.
			if &w.Tasks[0].Steps[0] != &w.Tasks[1].Steps[0] || w.Tasks[0].Steps[2].Op != OpIO {
				t.Error("Lower changed the workload")
			}
		})
	}
}

func TestLowerSharesConvertedPrograms(t *testing.T) {
	lo, err := Lower(testWorkload(), ModelAsyncioThreads, 0)
	if err != nil {
		t.Fatal(err)
	}
	ms := lo.Scenario.Processes[0].Threads[0].Members
	if &ms[0].Steps[0] != &ms[1].Steps[0] {
		t.Error("replicas should share their converted program")
	}
}

func TestLowerSequentialCostsNothingExtra(t *testing.T) {
	// The sequential model's greenlets stand for plain calls: no memory,
	// no switch cost. A sequential run takes the sum of the tasks.
	w := &Workload{Title: "t", Cores: 4, Machine: DefaultMachine(), Tasks: []WorkTask{
		{Name: "a", Steps: []Step{{Op: OpCPU, Dur: Fixed(3_000_000)}}},
		{Name: "b", Steps: []Step{{Op: OpNative, Dur: Fixed(2_000_000)}}},
	}}
	lo, err := Lower(w, ModelSequential, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(lo.Scenario, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Makespan != 5_000_000 {
		t.Errorf("makespan %s, want 5ms", FormatDuration(res.Makespan))
	}
	if want := w.Machine.MemProcess + w.Machine.MemThread; res.MemoryPeak != want {
		t.Errorf("memory %d, want %d (a process and its thread)", res.MemoryPeak, want)
	}
}

func TestLowerProcessesChunks(t *testing.T) {
	// Ten tasks on two workers: chunks of ceil(10 / 8) = 2, dealt round
	// robin: worker 1 gets chunks 1, 3, 5 and worker 2 chunks 2 and 4.
	w := &Workload{Title: "t", Cores: 2, Machine: DefaultMachine()}
	for i := range 10 {
		w.Tasks = append(w.Tasks, WorkTask{Name: "t#" + strconv.Itoa(i+1), Steps: []Step{{Op: OpCPU, Dur: Fixed(1_000_000)}}})
	}
	lo, err := Lower(w, ModelProcesses, 2)
	if err != nil {
		t.Fatal(err)
	}
	if lo.Workers != 2 || lo.Chunk != 2 || lo.ExtraMemory != w.Machine.MemProcess+w.Machine.MemThread {
		t.Errorf("workers %d chunk %d extra %d", lo.Workers, lo.Chunk, lo.ExtraMemory)
	}
	var got []string
	for _, p := range lo.Scenario.Processes {
		var names []string
		for _, m := range p.Threads[0].Members {
			name := m.Name
			if len(m.Steps) == 2 {
				name += "+" // pays its chunk's round trip
			}
			names = append(names, name)
		}
		got = append(got, p.Name+": "+strings.Join(names, " "))
	}
	want := "worker#1: t#1+ t#2 t#5+ t#6 t#9+ t#10 | worker#2: t#3+ t#4 t#7+ t#8"
	if g := strings.Join(got, " | "); g != want {
		t.Errorf("got  %s\nwant %s", g, want)
	}
	// More workers than tasks: the idle ones are still forked.
	lo, err = Lower(w, ModelProcesses, 16)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lo.Scenario.Processes); n != 16 || len(lo.Scenario.Processes[15].Threads[0].Members) != 0 {
		t.Errorf("%d processes", n)
	}
	if _, err := Run(lo.Scenario, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestLowerLocks(t *testing.T) {
	locked := func(body ...Step) *Workload {
		w := &Workload{Title: "t", Cores: 2, Machine: DefaultMachine(), Locks: []string{"db"}}
		st := []Step{{Op: OpCPU, Dur: Fixed(1_000_000)}, {Op: OpLock, Lock: 0, Body: body, Pos: Pos{Line: 4, Col: 9}}}
		w.Tasks = []WorkTask{{Name: "a", Steps: st}, {Name: "b", Steps: st}}
		return w
	}
	aroundIO := locked(Step{Op: OpIO, Dur: Fixed(1_000_000)})
	aroundCPU := locked(Step{Op: OpCPU, Dur: Fixed(1_000_000)})
	// Every model has a lock of its own: threading.Lock, asyncio.Lock,
	// gevent's, multiprocessing.Lock. None refuses one, none deadlocks.
	for _, w := range []*Workload{aroundIO, aroundCPU} {
		for _, model := range Models() {
			lo, err := Lower(w, model, 0)
			if err != nil {
				t.Errorf("%s: %v", model, err)
				continue
			}
			res, err := Run(lo.Scenario, Options{})
			if err != nil || res.Deadlock != nil {
				t.Errorf("%s: run %v %+v", model, err, res.Deadlock)
			}
		}
	}
	// Under asyncio+threads the lock stays on the coroutine (asyncio.Lock)
	// around its offloaded burst.
	lo, _ := Lower(aroundCPU, ModelAsyncioThreads, 0)
	if got := steps(lo.Scenario.Processes[0].Threads[0].Members[0].Steps); got != "offload {cpu 1ms}; lock 0 {offload {cpu 1ms}}" {
		t.Errorf("asyncio+threads: %s", got)
	}
	// Under processes the workers share it.
	lo, _ = Lower(aroundIO, ModelProcesses, 0)
	for _, p := range lo.Scenario.Processes {
		if !p.SharedLocks || len(p.Locks) != 1 {
			t.Errorf("%s: locks %v shared %v", p.Name, p.Locks, p.SharedLocks)
		}
	}
	if got := strings.Join(lo.Notes, " | "); !strings.Contains(got, `lock "db" is a multiprocessing.Lock: one for the whole pool; a waiting worker blocks`) {
		t.Errorf("processes notes: %s", got)
	}
}

// The processes model's lock is one multiprocessing.Lock for the pool.
// Two tasks `lock "db" { cpu 10ms }` on two workers (policy fair, two
// cores): both workers fork in 1.977 ms and pay their chunk's 157 us, so
// both ask for the lock at 2.134 ms. worker#1 takes it and finishes at
// 12.134 ms; worker#2 blocks (releasing its GIL), is woken by the release
// after the wake-up latency (24 us) and finishes at 22.158 ms. With a
// lock per worker both would finish at 12.134 ms.
func TestProcessesShareLock(t *testing.T) {
	st := []Step{{Op: OpLock, Lock: 0, Body: []Step{{Op: OpCPU, Dur: Fixed(10_000_000)}}}}
	w := &Workload{Title: "t", Cores: 2, Policy: PolicyFair, Machine: DefaultMachine(), Locks: []string{"db"},
		Tasks: []WorkTask{{Name: "a", Steps: st}, {Name: "b", Steps: st}}}
	lo, err := Lower(w, ModelProcesses, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(lo.Scenario, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fin := map[string]int64{}
	for _, tr := range res.Tasks {
		fin[tr.Process+"/"+tr.Name] = tr.Finish
	}
	if fin["worker#1/a"] != 12_134_000 || fin["worker#2/b"] != 22_158_000 {
		t.Errorf("finishes %v, want worker#1/a 12.134ms, worker#2/b 22.158ms", fin)
	}
	// A semaphore of 2 lets both in at once.
	w.LockSizes = []int64{2}
	lo, _ = Lower(w, ModelProcesses, 0)
	res, _ = Run(lo.Scenario, Options{})
	if res.Makespan != 12_134_000 {
		t.Errorf("with a semaphore of 2: makespan %d, want 12134000", res.Makespan)
	}
}

func TestLowerUnknownModel(t *testing.T) {
	_, err := Lower(testWorkload(), "fibers", 0)
	var le *LowerError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), `unknown model "fibers"`) {
		t.Errorf("got %v", err)
	}
}

func TestLowerNotes(t *testing.T) {
	notes := func(model string) string {
		lo, err := Lower(testWorkload(), model, 0)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lo.Notes, " | ")
	}
	for model, want := range map[string]string{
		ModelAsyncio:         "native runs on the loop thread: it releases the GIL but blocks the loop",
		ModelGeventUnpatched: "io and sleep block the hub (no monkey patching): every greenlet stops while one waits",
		ModelThreadsNoGIL:    "cpu runs 8% slower on the free-threaded build",
		ModelProcesses:       "a pool of 2 worker processes, each forked in 1.977ms; the 3 tasks go in 3 chunks of 1",
		ModelAsyncioThreads:  "asyncio.to_thread on the default executor (6 threads)",
	} {
		if got := notes(model); !strings.Contains(got, want) {
			t.Errorf("%s notes: %s\nwant …%s…", model, got, want)
		}
	}
	if got := notes(ModelSequential); got != "" {
		t.Errorf("sequential notes: %s", got)
	}
}

// A workload's semaphore bounds every model: four tasks holding one of
// two slots across 10 ms of io take two rounds, 20 ms and a little,
// where without it they overlap in one; sequential runs them one by one.
func TestLowerSemaphore(t *testing.T) {
	st := []Step{{Op: OpLock, Lock: 0, Body: []Step{{Op: OpIO, Dur: Fixed(10_000_000)}}}}
	w := &Workload{Title: "t", Cores: 4, Policy: PolicyFair, Machine: DefaultMachine(), Locks: []string{"conn"}, LockSizes: []int64{2}}
	for _, n := range []string{"a", "b", "c", "d"} {
		w.Tasks = append(w.Tasks, WorkTask{Name: n, Steps: st})
	}
	for _, model := range []string{ModelThreads, ModelAsyncio, ModelAsyncioThreads, ModelGevent, ModelGeventUnpatched, ModelProcesses} {
		lo, err := Lower(w, model, 0)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(lo.Scenario, Options{})
		if err != nil || res.Deadlock != nil {
			t.Fatalf("%s: %v %+v", model, err, res.Deadlock)
		}
		// two rounds of 10 ms, after start-up (processes: 1.977 ms fork,
		// 157 us chunk) and wake-ups: at most 3 ms more
		if model == ModelGeventUnpatched {
			// io blocks the hub: one at a time whatever the semaphore
			if res.Makespan < 40_000_000 {
				t.Errorf("%s: makespan %d, want 40ms or more", model, res.Makespan)
			}
			continue
		}
		if res.Makespan < 20_000_000 || res.Makespan > 23_000_000 {
			t.Errorf("%s: makespan %d, want 20-23ms", model, res.Makespan)
		}
	}
}
