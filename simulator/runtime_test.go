package simulator

import "testing"

func unit(name string, steps ...Step) *Member { return &Member{Name: name, Steps: steps} }

func members(n int, name string, steps ...Step) []*Member {
	var out []*Member
	for i := 1; i <= n; i++ {
		out = append(out, &Member{Name: name + "#" + itoa(i), Steps: steps})
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func loopProc(kind ThreadKind, patched bool, ms []*Member, extra ...*Thread) *Process {
	p := pyproc("app", GIL{Mode: GILInterval, Interval: 5 * ms0}, append([]*Thread{{Name: kind.String(), Kind: kind, Patched: patched, Members: ms}}, extra...)...)
	return p
}

const ms0 = ms

func awaitSleep(d int64) Step   { return Step{Op: OpAwaitSleep, Dur: Fixed(d)} }
func offload(body ...Step) Step { return Step{Op: OpOffload, Body: body} }

func runLoopScenario(t *testing.T, cores int, p *Process) *Result {
	t.Helper()
	return mustRun(t, scenario(cores, PolicyFair, 0, p))
}

func within(t *testing.T, what string, got, want, tolPct int64) {
	t.Helper()
	d := got - want
	if d < 0 {
		d = -d
	}
	if d*100 > want*tolPct {
		t.Errorf("%s = %s, want %s ±%d%%", what, FormatDuration(got), FormatDuration(want), tolPct)
	} else {
		t.Logf("%s = %s (want %s)", what, FormatDuration(got), FormatDuration(want))
	}
}

func TestAsyncioAwaitsOverlap(t *testing.T) {
	r := runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, members(100, "c", awaitSleep(50*ms))))
	within(t, "100 x await sleep 50ms", r.Makespan, 50925*1000, 3) // E5: 50.9ms
}

func TestAsyncioBlockingSerialises(t *testing.T) {
	r := runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, members(100, "c", sleepS(5*ms))))
	within(t, "100 x time.sleep 5ms", r.Makespan, 510829*1000, 3) // E5: 511ms
	r = runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, members(100, "c", sleepS(5*ms), awaitSleep(50*ms))))
	within(t, "blocking then await", r.Makespan, 562772*1000, 5) // E5: 563ms
}

func TestAsyncioToThread(t *testing.T) {
	r := runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, members(4, "c", offload(cpu(50*ms)))))
	within(t, "to_thread 4 x cpu 50ms", r.Makespan, 204496*1000, 5) // E5
	r = runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, members(4, "c", offload(sleepS(50*ms)))))
	within(t, "to_thread 4 x sleep 50ms", r.Makespan, 50635*1000, 3) // E5
	if n := len(r.Tasks); n != 8 {
		t.Errorf("want 4 coroutines and 4 executor threads, got %d tasks", n)
	}
}

func TestGeventPatchedVsUnpatched(t *testing.T) {
	r := runLoopScenario(t, 2, loopProc(ThreadGevent, true, members(100, "g", sleepS(50*ms))))
	within(t, "patched 100 x sleep 50ms", r.Makespan, 52047*1000, 5) // E6
	r = runLoopScenario(t, 2, loopProc(ThreadGevent, false, members(100, "g", sleepS(50*ms))))
	within(t, "unpatched 100 x sleep 50ms", r.Makespan, 5022337*1000, 3) // E6
	if len(r.Warnings) != 1 {
		t.Errorf("want one unpatched-call warning, got %d", len(r.Warnings))
	}
}

func TestRawGreenletsExample(t *testing.T) {
	p := loopProc(ThreadGreenlets, false, []*Member{
		unit("A", cpu(1*ms), Step{Op: OpSwitch, Target: 1}, cpu(1*ms)),
		unit("B", cpu(5*ms), Step{Op: OpSwitch, Target: 0}, cpu(1*ms)),
	})
	sc := scenario(1, PolicyFair, 0, p)
	sc.Machine.GreenletSwitch = 0
	r := mustRun(t, sc)
	wantFinish(t, r, map[string]int64{"A": 7 * ms, "B": 8 * ms})
}

func TestTrampolineExample(t *testing.T) {
	y := Step{Op: OpYield}
	p := loopProc(ThreadCoroutines, false, []*Member{
		unit("A", repeat(3, cpu(1*ms), y)),
		unit("B", repeat(3, cpu(2*ms), y)),
	})
	sc := scenario(1, PolicyFair, 0, p)
	sc.Machine.GeneratorSwitch = 0
	r := mustRun(t, sc)
	if r.Makespan != 9*ms {
		t.Errorf("makespan %s", FormatDuration(r.Makespan))
	}
	// A's last step is a yield, so it ends when resumed after B's last burst
	wantFinish(t, r, map[string]int64{"A": 9 * ms, "B": 9 * ms})
}

func TestCPUCoroutineStarvesTimers(t *testing.T) {
	ms := append(members(10, "sleeper", awaitSleep(10*ms0)), unit("hog", cpu(100*ms0)))
	r := runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, ms))
	lag := r.Processes[0].LoopLagMax
	if lag < 85*ms0 {
		t.Errorf("lag %s, want about 90ms", FormatDuration(lag))
	}
	if r.Processes[0].LoopStallMax < 85*ms0 {
		t.Errorf("stall %s", FormatDuration(r.Processes[0].LoopStallMax))
	}
	t.Logf("lag %s stall %s", FormatDuration(lag), FormatDuration(r.Processes[0].LoopStallMax))
}

func yieldS() Step { return Step{Op: OpYield} }

// order runs sc and returns the order in which units started their cpu
// spans, as a string of their first letters.
func order(t *testing.T, sc *Scenario) string {
	t.Helper()
	var s []byte
	var names []string
	r, err := Run(sc, Options{Trace: func(sp Span) {
		if sp.Kind == SpanRunning && sp.Entity >= 0 {
			names = append(names, "")
			s = append(s, byte(sp.Entity))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(s))
	for i, e := range s {
		out[i] = r.Tasks[e].Name[0]
	}
	return string(out)
}

func TestSleep0Interleaves(t *testing.T) {
	for _, k := range []ThreadKind{ThreadAsyncio, ThreadGevent, ThreadEventlet} {
		p := loopProc(k, true, []*Member{
			unit("A", repeat(5, cpu(1*ms), yieldS())),
			unit("B", repeat(5, cpu(1*ms), yieldS())),
		})
		got := order(t, scenario(1, PolicyFair, 0, p))
		if got != "ABABABABAB" {
			t.Errorf("%s: order %s, want ABABABABAB", k, got)
		}
	}
}

func TestEventletPatchedVsUnpatched(t *testing.T) {
	r := runLoopScenario(t, 2, loopProc(ThreadEventlet, true, members(100, "g", sleepS(50*ms))))
	within(t, "eventlet patched 100 x sleep 50ms", r.Makespan, 52*ms, 5) // E9: 52.0
	r = runLoopScenario(t, 2, loopProc(ThreadEventlet, false, members(100, "g", sleepS(50*ms))))
	within(t, "eventlet unpatched", r.Makespan, 5028*ms, 2) // E9: 5028
}

func TestEventletTpool(t *testing.T) {
	r := runLoopScenario(t, 2, loopProc(ThreadEventlet, true, members(4, "g", offload(cpu(50*ms)))))
	within(t, "tpool 4 x cpu 50ms", r.Makespan, 204*ms, 8) // E9: 204-226
	r = runLoopScenario(t, 2, loopProc(ThreadEventlet, true, members(4, "g", offload(sleepS(50*ms)))))
	within(t, "tpool 4 x sleep 50ms", r.Makespan, 50700*1000, 3) // E9: 50.7
	threads := 0
	for _, tr := range r.Tasks {
		if tr.Kind == "thread" {
			threads++
		}
	}
	if threads != 20 {
		t.Errorf("tpool started %d threads, want all 20 at first use", threads)
	}
}

func TestExecutorPoolSize(t *testing.T) {
	// 2 cores: min(32, 2+4) = 6 workers, so 10 jobs of 50 ms run in two waves
	r := runLoopScenario(t, 2, loopProc(ThreadAsyncio, false, members(10, "c", offload(sleepS(50*ms)))))
	threads := 0
	for _, tr := range r.Tasks {
		if tr.Kind == "thread" {
			threads++
		}
	}
	if threads != 6 {
		t.Errorf("executor has %d threads, want 6", threads)
	}
	within(t, "10 jobs on 6 workers", r.Makespan, 100*ms+500*1000, 2)
}

func TestMemoryModel(t *testing.T) {
	sc := scenario(1, PolicyFair, 0, loopProc(ThreadGevent, true, members(1000, "g", sleepS(10*ms))))
	r := mustRun(t, sc)
	m := sc.Machine
	want := m.MemProcess + m.MemThread + 1000*m.MemGreenlet
	if r.MemoryPeak != want {
		t.Errorf("peak %d, want %d", r.MemoryPeak, want)
	}
	sc.Machine.MemTotal = m.MemProcess + m.MemThread + 500*m.MemGreenlet
	r = mustRun(t, sc)
	if r.Failure == nil {
		t.Fatal("want an out-of-memory failure")
	}
	t.Log(r.Failure.Message)
}

func TestGeventWatcherOrder(t *testing.T) {
	// libev feeds expired timers in reverse and invokes pending watchers
	// last fed first, so equal timers run in due (spawn) order, before
	// io watchers, which run in the reverse of the poll's order.
	p := loopProc(ThreadGevent, true, []*Member{
		unit("A", sleepS(10*ms), cpu(1*ms)),
		unit("B", sleepS(10*ms), cpu(1*ms)),
		unit("C", io(10*ms), cpu(1*ms)),
		unit("D", io(10*ms), cpu(1*ms)),
	})
	sc := scenario(1, PolicyFair, 0, p)
	sc.Machine.GeventSwitch = 0
	sc.Machine.TimerSlack = 0
	if got := order(t, sc); got != "ABDC" {
		t.Errorf("order %s, want ABDC", got)
	}
}

// TestOwnWorkSpans: a process's start-up and its event loop's own work
// between tasks show as spans of entity -1 on the cores, so the spans on
// a core add up to its busy time. Hand-computed: 2 coroutines of one
// `cpu 1ms` each, a 30ms start-up and a 1.5us switch before each of the
// 2 tasks' runs: own work 30ms + 2 x 1.5us, on core 0, all with nothing
// else to run.
func TestOwnWorkSpans(t *testing.T) {
	p := loopProc(ThreadAsyncio, false, members(2, "c", cpu(1*ms)))
	p.Startup = 30 * ms
	sc := scenario(1, PolicyFIFO, 0, p)
	sc.Machine.AsyncioSwitch = 1500
	var own, all int64
	r, err := Run(sc, Options{Trace: func(s Span) {
		if s.Kind != SpanRunning && s.Kind != SpanSwitching {
			return
		}
		all += s.End - s.Start
		if s.Entity == -1 {
			if s.Core != 0 || s.Process != 0 {
				t.Errorf("own-work span %+v: want core 0, process 0", s)
			}
			own += s.End - s.Start
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := 30*ms + 2*1500; own != want {
		t.Errorf("own work %s, want %s", FormatDuration(own), FormatDuration(want))
	}
	if all != r.Cores[0].Busy {
		t.Errorf("spans on core 0 add up to %s, its busy time is %s", FormatDuration(all), FormatDuration(r.Cores[0].Busy))
	}
}
