package dsl

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

func mustParse(t *testing.T, src string) *simulator.Scenario {
	t.Helper()
	sc, err := Parse("t.sim", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sc
}

func TestDefaults(t *testing.T) {
	sc := mustParse(t, `scenario "defaults" { process "p" { thread "t" { cpu 1ms } } }`)
	if sc.Title != "defaults" || sc.File != "t.sim" || sc.Seed != 1 || sc.Cores != 1 || sc.Policy != simulator.PolicyLinux || sc.Quantum != 0 {
		t.Errorf("scenario defaults: %+v", sc)
	}
	if !reflect.DeepEqual(sc.Machine, simulator.DefaultMachine()) {
		t.Errorf("machine = %+v, want the default", sc.Machine)
	}
	p := sc.Processes[0]
	if p.GIL != (simulator.GIL{Mode: simulator.GILInterval, Interval: 5_000_000}) {
		t.Errorf("GIL = %+v", p.GIL)
	}
	if p.Native || p.Startup != 0 || p.Arrival != 0 || p.Nice != 0 || len(p.Locks) != 0 {
		t.Errorf("process = %+v", p)
	}
}

func TestSettings(t *testing.T) {
	sc := mustParse(t, `scenario "s" {
  seed 42 cores 4 policy round_robin quantum 10ms context_switch 5us
  process "a" { gil legacy }
  process "b" { gil legacy check 7 startup 30ms }
  process "c" { gil off }
  process "d" { gil interval 1.5ms }
}`)
	if sc.Seed != 42 || sc.Cores != 4 || sc.Policy != simulator.PolicyRoundRobin || sc.Quantum != 10_000_000 || sc.Machine.ContextSwitch != 5000 {
		t.Errorf("settings: %+v", sc)
	}
	want := []simulator.GIL{
		{Mode: simulator.GILLegacy, Check: 100},
		{Mode: simulator.GILLegacy, Check: 7},
		{Mode: simulator.GILOff},
		{Mode: simulator.GILInterval, Interval: 1_500_000},
	}
	for i, w := range want {
		if sc.Processes[i].GIL != w {
			t.Errorf("process %d GIL = %+v, want %+v", i, sc.Processes[i].GIL, w)
		}
	}
	if sc.Processes[1].Startup != 30_000_000 {
		t.Errorf("startup = %d", sc.Processes[1].Startup)
	}
	for _, pol := range []string{"fair", "fifo", "sjf", "srtf", "priority"} {
		sc := mustParse(t, `scenario "s" { policy `+pol+` }`)
		if sc.Policy.String() != pol {
			t.Errorf("policy %s lowered to %v", pol, sc.Policy)
		}
	}
	sc = mustParse(t, `scenario "s" { quantum 3ms policy round_robin }`)
	if sc.Quantum != 3_000_000 {
		t.Errorf("standalone quantum: %d", sc.Quantum)
	}
}

func TestMachineBlock(t *testing.T) {
	sc := mustParse(t, `scenario "m" {
  machine {
    wakeup_latency 30us  context_switch 3us  timer_slack 1us  thread_start 90us
    thread_bootstrap 7us  thread_bootstrap_tail 11us
    legacy_tick 20ns  legacy_signal_cost 2us  freethreading_overhead 1.25
    gil_handoff fifo  gil_signal_race 0.5  gil_reentry 3us  gil_steal_cost 4us  tick 10ms  base_slice 1ms
    fork_ramp 20ms  balance_idle 6ms  balance_busy 90ms  balance_flip 120ms  asyncio_switch 1us  gevent_switch 2us  eventlet_switch 3us
    greenlet_switch 100ns  generator_switch 20ns  trampoline_dispatch 30ns
    process_start_fork 2ms  process_start_forkserver 9ms  process_start_spawn 30ms  ipc_base 40us  ipc_per_mib 2ms
    multicore_speed 0.9
    memory process 20MB  memory thread 16KB  memory coroutine 1KB  memory greenlet 8KB
    memory greenthread 7KB  memory raw_greenlet 5KB  memory gen 0.5KB  memory 8GB
  }
}`)
	want := simulator.Machine{
		ContextSwitch: 3000, WakeupLatency: 30_000, TimerSlack: 1000, ThreadStart: 90_000,
		ThreadBootstrap: 7000, ThreadBootstrapTail: 11_000,
		LegacyTick: 20, LegacySignalCost: 2000, FreeThreadingOverheadPermille: 1250, GILHandoff: simulator.GILHandoffFIFO, GILSignalRace: 500, GILReentry: 3000, GILStealCost: 4000,
		Tick: 10_000_000, BaseSlice: 1_000_000, ForkRamp: 20_000_000, BalanceIdle: 6_000_000, BalanceBusy: 90_000_000, BalanceFlip: 120_000_000,
		AsyncioSwitch: 1000, GeventSwitch: 2000, EventletSwitch: 3000, GreenletSwitch: 100, GeneratorSwitch: 20,
		TrampolineDispatch: 30, MulticoreSpeedPermille: 900,
		ProcessStartFork: 2_000_000, ProcessStartForkserver: 9_000_000, ProcessStartSpawn: 30_000_000, IPCBase: 40_000, IPCPerMiB: 2_000_000,
		MemProcess: 20 << 20, MemThread: 16 << 10, MemCoroutine: 1 << 10, MemGreenlet: 8 << 10,
		MemGreenthread: 7 << 10, MemRawGreenlet: 5 << 10, MemGenerator: 512, MemTotal: 8 << 30,
	}
	if sc.Machine != want {
		t.Errorf("machine\n got %+v\nwant %+v", sc.Machine, want)
	}
	sc = mustParse(t, `scenario "m" { machine { timer_slack 0 } }`)
	w := simulator.DefaultMachine()
	w.TimerSlack = 0
	if sc.Machine != w {
		t.Errorf("one key overrides one field: %+v", sc.Machine)
	}
}

func TestNativeTask(t *testing.T) {
	sc := mustParse(t, `scenario "s" { task "P1" at 3ms priority -2 nice 5 { cpu 24ms io 1ms } }`)
	if len(sc.Processes) != 1 {
		t.Fatalf("%d processes", len(sc.Processes))
	}
	p := sc.Processes[0]
	if !p.Native || p.Name != "P1" || p.Arrival != 3_000_000 || p.Nice != 5 || len(p.Threads) != 1 {
		t.Fatalf("process %+v", p)
	}
	th := p.Threads[0]
	if th.Kind != simulator.ThreadPlain || th.Name != "P1" || th.Arrival != 3_000_000 || th.Priority != -2 || th.Nice != 5 {
		t.Errorf("thread %+v", th)
	}
	want := []simulator.Step{
		{Op: simulator.OpCPU, Dur: simulator.Fixed(24_000_000), Pos: simulator.Pos{Line: 1, Col: 54}},
		{Op: simulator.OpIO, Dur: simulator.Fixed(1_000_000), Pos: simulator.Pos{Line: 1, Col: 63}},
	}
	if !reflect.DeepEqual(th.Steps, want) {
		t.Errorf("steps %+v", th.Steps)
	}
	if p.Pos != (simulator.Pos{Line: 1, Col: 16}) || th.Pos != p.Pos {
		t.Errorf("positions %+v %+v", p.Pos, th.Pos)
	}
}

func names(sc *simulator.Scenario) string {
	var b strings.Builder
	for _, p := range sc.Processes {
		b.WriteString(p.Name)
		if len(p.Threads) > 0 && !p.Native {
			b.WriteString("[")
			for i, th := range p.Threads {
				if i > 0 {
					b.WriteString(" ")
				}
				b.WriteString(th.Name)
				if len(th.Members) > 0 {
					b.WriteString("(")
					for j, m := range th.Members {
						if j > 0 {
							b.WriteString(" ")
						}
						b.WriteString(m.Name)
					}
					b.WriteString(")")
				}
			}
			b.WriteString("]")
		}
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

func TestExpansionOrder(t *testing.T) {
	sc := mustParse(t, `scenario "x" {
  task "a" x 2 { cpu 1ms }
  process "w" x 2 {
    thread "main" { cpu 1ms }
    asyncio { task "c" x 2 { await io 1ms } task "d" { cpu 1ms } }
    thread "pool" x 3 { cpu 1ms }
  }
  task "z" x 1 { cpu 1ms }
  task "solo" { cpu 1ms }
}`)
	want := "a#1 a#2 w#1[main asyncio(c#1 c#2 d) pool#1 pool#2 pool#3] w#2[main asyncio(c#1 c#2 d) pool#1 pool#2 pool#3] z#1 solo"
	if got := names(sc); got != want {
		t.Errorf("expansion\n got %s\nwant %s", got, want)
	}
	// Replicas share their programs.
	w1, w2 := sc.Processes[2], sc.Processes[3]
	if &w1.Threads[0].Steps[0] != &w2.Threads[0].Steps[0] {
		t.Error("replicated processes do not share thread steps")
	}
	if &w1.Threads[2].Steps[0] != &w1.Threads[3].Steps[0] {
		t.Error("replicated threads do not share steps")
	}
	m := w1.Threads[1].Members
	if &m[0].Steps[0] != &m[1].Steps[0] || &m[0].Steps[0] != &w2.Threads[1].Members[0].Steps[0] {
		t.Error("replicated members do not share steps")
	}
	if &sc.Processes[0].Threads[0].Steps[0] != &sc.Processes[1].Threads[0].Steps[0] {
		t.Error("replicated tasks do not share steps")
	}
	if w1.Threads[0] == w2.Threads[0] {
		t.Error("replicas share Thread values; each needs its own")
	}
}

func TestRuntimeThreads(t *testing.T) {
	sc := mustParse(t, `scenario "r" {
  process "p" nice 3 {
    coroutines { gen "g" x 2 { cpu 1ms yield } }
    thread "t" nice -1 at 2ms priority 4 { cpu 1ms }
    eventlet unpatched { greenthread "e" at 1ms { sleep 1ms } }
    gevent unpatched { greenlet "g2" { io 1ms } }
    greenlets { greenlet "A" { switch "B" } greenlet "B" { } }
    asyncio { }
    thread "u" { cpu 1ms }
  }
}`)
	p := sc.Processes[0]
	type row struct {
		name    string
		kind    simulator.ThreadKind
		patched bool
		nice    int
	}
	var got []row
	for _, th := range p.Threads {
		got = append(got, row{th.Name, th.Kind, th.Patched, th.Nice})
	}
	want := []row{
		{"coroutines", simulator.ThreadCoroutines, false, 3},
		{"t", simulator.ThreadPlain, false, -1},
		{"eventlet", simulator.ThreadEventlet, false, 3},
		{"gevent", simulator.ThreadGevent, false, 3},
		{"greenlets", simulator.ThreadGreenlets, false, 3},
		{"asyncio", simulator.ThreadAsyncio, false, 3},
		{"u", simulator.ThreadPlain, false, 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("threads\n got %+v\nwant %+v", got, want)
	}
	if p.Threads[1].Arrival != 2_000_000 || p.Threads[1].Priority != 4 {
		t.Errorf("thread t: %+v", p.Threads[1])
	}
	if p.Threads[2].Members[0].Arrival != 1_000_000 {
		t.Errorf("member at: %+v", p.Threads[2].Members[0])
	}
	if p.Threads[0].Pos != (simulator.Pos{Line: 3, Col: 5}) {
		t.Errorf("runtime thread takes its block's position: %+v", p.Threads[0].Pos)
	}
	if p.Threads[5].Members != nil {
		t.Errorf("empty asyncio block has members %v", p.Threads[5].Members)
	}
	sc = mustParse(t, `scenario "r" { process "p" { gevent patched { greenlet "g" { } } greenlets { } } process "q" { eventlet patched { } greenlets { } } process "r" { eventlet unpatched { } gevent unpatched { } } }`)
	if !sc.Processes[0].Threads[0].Patched || sc.Processes[0].Threads[1].Patched || !sc.Processes[1].Threads[0].Patched || sc.Processes[2].Threads[0].Patched || sc.Processes[2].Threads[1].Patched {
		t.Errorf("patched flags wrong")
	}
}

func TestLocks(t *testing.T) {
	sc := mustParse(t, `scenario "l" {
  process "p" x 2 {
    thread "t" x 2 { lock "b" { cpu 1ms lock "a" { io 1ms } } }
    asyncio { task "c" { lock "a" { offload { lock "c" { cpu 1ms } } } } }
    greenlets { greenlet "g" { lock "b" { } } }
  }
  process "q" { thread "t" { lock "z" { } lock "b" { } } }
}`)
	p1, p2, q := sc.Processes[0], sc.Processes[1], sc.Processes[2]
	if !reflect.DeepEqual(p1.Locks, []string{"b", "a", "c"}) || !reflect.DeepEqual(q.Locks, []string{"z", "b"}) {
		t.Errorf("locks %v %v", p1.Locks, q.Locks)
	}
	if !reflect.DeepEqual(p2.Locks, p1.Locks) {
		t.Errorf("replica locks %v", p2.Locks)
	}
	outer := p1.Threads[0].Steps[0]
	if outer.Op != simulator.OpLock || outer.Lock != 0 || outer.Body[1].Lock != 1 {
		t.Errorf("thread lock steps %+v", outer)
	}
	c := p1.Threads[2].Members[0].Steps[0]
	if c.Lock != 1 || c.Body[0].Op != simulator.OpOffload || c.Body[0].Body[0].Lock != 2 {
		t.Errorf("asyncio lock steps %+v", c)
	}
	if p1.Threads[3].Members[0].Steps[0].Lock != 0 {
		t.Errorf("greenlet lock index")
	}
	if q.Threads[0].Steps[1].Lock != 1 {
		t.Errorf("locks are per process")
	}
}

func TestSwitchTargets(t *testing.T) {
	sc := mustParse(t, `scenario "g" {
  process "p" {
    greenlets {
      greenlet "A" { cpu 1ms switch "B" cpu 1ms }
      greenlet "w" x 3 { switch "w#3" repeat 2 { lock "l" { switch "B" } } }
      greenlet "B" { switch "A" switch "w#2" switch "B" }
    }
  }
}`)
	ms := sc.Processes[0].Threads[0].Members
	if len(ms) != 5 {
		t.Fatalf("%d members", len(ms))
	}
	target := func(s simulator.Step) int {
		if s.Op != simulator.OpSwitch {
			t.Fatalf("not a switch: %+v", s)
		}
		return s.Target
	}
	if target(ms[0].Steps[1]) != 4 {
		t.Errorf("A -> B: %d", ms[0].Steps[1].Target)
	}
	if target(ms[1].Steps[0]) != 3 || target(ms[1].Steps[1].Body[0].Body[0]) != 4 {
		t.Errorf("w -> w#3, B")
	}
	b := ms[4].Steps
	if target(b[0]) != 0 || target(b[1]) != 2 || target(b[2]) != 4 {
		t.Errorf("B's targets %d %d %d", b[0].Target, b[1].Target, b[2].Target)
	}
}

func TestSteps(t *testing.T) {
	sc := mustParse(t, `scenario "s" {
  process "p" {
    asyncio {
      task "c" {
        cpu 1ms native 2ms io 3ms sleep 4ms await io 5ms await sleep 6ms yield
        offload { native 1us } repeat 1000000000000 { cpu 1ns } repeat 0 { }
        cpu uniform(1ms, 3ms) io exp(20ms) sleep normal(10ms, 2ms) cpu 0 native 1.005ms
        io 2.5s cpu 7µs cpu 7μs cpu 7us cpu 9223372036854775807ns
      }
    }
  }
}`)
	st := sc.Processes[0].Threads[0].Members[0].Steps
	type op struct {
		op  simulator.Op
		dur simulator.Dist
	}
	var got []op
	for _, s := range st {
		got = append(got, op{s.Op, s.Dur})
	}
	f := simulator.Fixed
	want := []op{
		{simulator.OpCPU, f(1_000_000)}, {simulator.OpNative, f(2_000_000)}, {simulator.OpIO, f(3_000_000)},
		{simulator.OpSleep, f(4_000_000)}, {simulator.OpAwaitIO, f(5_000_000)}, {simulator.OpAwaitSleep, f(6_000_000)},
		{simulator.OpYield, simulator.Dist{}}, {simulator.OpOffload, simulator.Dist{}}, {simulator.OpRepeat, simulator.Dist{}},
		{simulator.OpRepeat, simulator.Dist{}},
		{simulator.OpCPU, simulator.Dist{Kind: simulator.DistUniform, A: 1_000_000, B: 3_000_000}},
		{simulator.OpIO, simulator.Dist{Kind: simulator.DistExp, A: 20_000_000}},
		{simulator.OpSleep, simulator.Dist{Kind: simulator.DistNormal, A: 10_000_000, B: 2_000_000}},
		{simulator.OpCPU, f(0)}, {simulator.OpNative, f(1_005_000)},
		{simulator.OpIO, f(2_500_000_000)}, {simulator.OpCPU, f(7000)}, {simulator.OpCPU, f(7000)}, {simulator.OpCPU, f(7000)},
		{simulator.OpCPU, f(math.MaxInt64)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps\n got %+v\nwant %+v", got, want)
	}
	if st[8].Count != 1_000_000_000_000 || len(st[8].Body) != 1 || st[9].Count != 0 || st[9].Body != nil {
		t.Errorf("repeat: %+v %+v", st[8], st[9])
	}
	if len(st[7].Body) != 1 || st[7].Body[0].Op != simulator.OpNative {
		t.Errorf("offload body %+v", st[7].Body)
	}
}

func TestExpects(t *testing.T) {
	sc := mustParse(t, `scenario "e" {
  task "t" x 2 { cpu 1ms }
  process "app" x 2 { thread "main" { cpu 1ms } asyncio { task "c" x 3 { } } }
  process "web" { thread "w" { } }
  expect   makespan   <   900ms    # comment
  expect finish("t#2") <= 1s
  expect start("t") >= 0
  expect wait( "main" ) > 1us
  expect gil_wait("app#2/main") == 0
  expect finish("app/c#3") ~= 40ms within 5%
  expect cpu("c") ~= 40ms within 2ms
  expect utilization > 50%
  expect utilization ~= 50 within 2.5
  expect events < 1000000
  expect memory < 1GB
  expect memory(app) < 100MB
  expect memory("web") < 100MB
  expect switches("app/asyncio") >= 0
  expect finish("w") < 1s
  expect makespan
    ~= 1s
    within 10%
}`)
	type ex struct {
		text   string
		metric string
		arg    string
		hasArg bool
		op     simulator.CmpOp
		val    simulator.Value
	}
	d := func(ns int64) simulator.Value { return simulator.Value{Kind: simulator.KindDuration, Int: ns} }
	n := func(f float64) simulator.Value { return simulator.Value{Kind: simulator.KindNumber, Num: f} }
	sz := func(b int64) simulator.Value { return simulator.Value{Kind: simulator.KindSize, Int: b} }
	want := []ex{
		{"makespan < 900ms", "makespan", "", false, simulator.CmpLT, d(900_000_000)},
		{`finish("t#2") <= 1s`, "finish", "t#2", true, simulator.CmpLE, d(1e9)},
		{`start("t") >= 0`, "start", "t", true, simulator.CmpGE, d(0)},
		{`wait( "main" ) > 1us`, "wait", "main", true, simulator.CmpGT, d(1000)},
		{`gil_wait("app#2/main") == 0`, "gil_wait", "app#2/main", true, simulator.CmpEQ, d(0)},
		{`finish("app/c#3") ~= 40ms within 5%`, "finish", "app/c#3", true, simulator.CmpApprox, d(40_000_000)},
		{`cpu("c") ~= 40ms within 2ms`, "cpu", "c", true, simulator.CmpApprox, d(40_000_000)},
		{"utilization > 50%", "utilization", "", false, simulator.CmpGT, n(50)},
		{"utilization ~= 50 within 2.5", "utilization", "", false, simulator.CmpApprox, n(50)},
		{"events < 1000000", "events", "", false, simulator.CmpLT, n(1e6)},
		{"memory < 1GB", "memory", "", false, simulator.CmpLT, sz(1 << 30)},
		{"memory(app) < 100MB", "memory", "app", true, simulator.CmpLT, sz(100 << 20)},
		{`memory("web") < 100MB`, "memory", "web", true, simulator.CmpLT, sz(100 << 20)},
		{`switches("app/asyncio") >= 0`, "switches", "app/asyncio", true, simulator.CmpGE, n(0)},
		{`finish("w") < 1s`, "finish", "w", true, simulator.CmpLT, d(1e9)},
		{"makespan ~= 1s within 10%", "makespan", "", false, simulator.CmpApprox, d(1e9)},
	}
	if len(sc.Expects) != len(want) {
		t.Fatalf("%d expects", len(sc.Expects))
	}
	for i, w := range want {
		e := sc.Expects[i]
		g := ex{e.Text, e.Metric, e.Arg, e.HasArg, e.Op, e.Value}
		if g != w {
			t.Errorf("expect %d\n got %+v\nwant %+v", i, g, w)
		}
	}
	if e := sc.Expects[5]; !e.TolIsPercent || e.TolPercent != 5 {
		t.Errorf("percent tolerance %+v", e)
	}
	if e := sc.Expects[6]; e.TolIsPercent || e.TolAbs != d(2_000_000) {
		t.Errorf("absolute tolerance %+v", e)
	}
	if e := sc.Expects[8]; e.TolIsPercent || e.TolAbs != n(2.5) {
		t.Errorf("number tolerance %+v", e)
	}
	if sc.Expects[0].Pos != (simulator.Pos{Line: 5, Col: 3}) {
		t.Errorf("expect pos %+v", sc.Expects[0].Pos)
	}
}

func TestArrivalDistributions(t *testing.T) {
	src := `scenario "a" { seed 7 task "t" x 50 at uniform(1ms, 2ms) { cpu 1ms } process "p" at exp(5ms) { thread "w" x 3 at normal(1ms, 10ms) { } } }`
	a, b := mustParse(t, src), mustParse(t, src)
	for i := range a.Processes {
		if a.Processes[i].Arrival != b.Processes[i].Arrival {
			t.Fatal("arrival draws are not deterministic")
		}
	}
	distinct := map[int64]bool{}
	for _, p := range a.Processes[:50] {
		if p.Arrival < 1_000_000 || p.Arrival > 2_000_000 || p.Threads[0].Arrival != p.Arrival {
			t.Fatalf("uniform arrival %d", p.Arrival)
		}
		distinct[p.Arrival] = true
	}
	if len(distinct) < 40 {
		t.Errorf("replicas do not draw their own arrivals: %d distinct", len(distinct))
	}
	for _, th := range a.Processes[50].Threads {
		if th.Arrival < 0 {
			t.Errorf("normal draw below 0: %d", th.Arrival)
		}
	}
	c := mustParse(t, strings.Replace(src, "seed 7", "seed 8", 1))
	if c.Processes[0].Arrival == a.Processes[0].Arrival && c.Processes[1].Arrival == a.Processes[1].Arrival {
		t.Error("the seed does not change the draws")
	}
}

func TestBOMAndComments(t *testing.T) {
	sc := mustParse(t, "\uFEFF# leading comment\nscenario \"c\" { # trailing\n  task \"t\" { cpu 1ms } # more\n}\n# end")
	if sc.Title != "c" || sc.Processes[0].Pos != (simulator.Pos{Line: 3, Col: 3}) {
		t.Errorf("%+v %+v", sc, sc.Processes[0].Pos)
	}
	sc = mustParse(t, `scenario "q\"uo\\te" { task "a\"b" { } }`)
	if sc.Title != `q"uo\te` || sc.Processes[0].Name != `a"b` {
		t.Errorf("escapes: %q %q", sc.Title, sc.Processes[0].Name)
	}
}

func TestMillionEntities(t *testing.T) {
	sc := mustParse(t, `scenario "big" { process "p" { thread "w" x 999998 { cpu 1ms } } }`)
	if n := len(sc.Processes[0].Threads); n != 999998 {
		t.Fatalf("%d threads", n)
	}
	if sc.Processes[0].Threads[999997].Name != "w#999998" {
		t.Errorf("last name %q", sc.Processes[0].Threads[999997].Name)
	}
	// 999999 threads and their process are exactly the limit.
	mustParse(t, `scenario "big" { process "p" { thread "w" x 999999 { } } }`)
	_, err := Parse("t.sim", []byte(`scenario "big" { process "p" { thread "w" x 1000000 { } } }`))
	if err == nil || !strings.Contains(err.Error(), "scenario would expand to 1000001 entities") {
		t.Errorf("one past the limit: %v", err)
	}
	// refused before anything is expanded (BenchmarkExpandMillion measures
	// the speed of expansion itself)
	_, err = Parse("t.sim", []byte(`scenario "big" { task "t" x 1000000000 { cpu 1ms } }`))
	if err == nil || !strings.Contains(err.Error(), "scenario would expand to 1000000000 entities (about 1145 GiB of memory to simulate); the limit is 1000000") {
		t.Errorf("got %v", err)
	}
}

// TestReplicaNames: name#1 … name#x across every change of width.
func TestReplicaNames(t *testing.T) {
	for _, x := range []int64{0, 1, 2, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 12345} {
		got := replicaNames("ab", x)
		if x == 0 {
			if len(got) != 1 || got[0] != "ab" {
				t.Fatal(got)
			}
			continue
		}
		if int64(len(got)) != x {
			t.Fatal(x, len(got))
		}
		for k := range got {
			if want := "ab#" + strconv.Itoa(k+1); got[k] != want {
				t.Fatalf("x=%d k=%d got %q want %q", x, k, got[k], want)
			}
		}
	}
}
