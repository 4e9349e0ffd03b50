package simulator

// The generator of the property tests (invariants_test.go): random,
// bounded scenarios within the rules of docs/language.md, and a dump of a
// scenario in a form close to the scenario language for failure messages.

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"
)

// ---------------------------------------------------------------------
// Generator

const (
	invMaxLeaf   = 4 * ms   // longest cpu/native/io/sleep leaf
	invCPUBudget = 800 * ms // rough bound of the scenario's total CPU
)

type invGen struct {
	t      *rapid.T
	grain  int64 // durations are multiples of it: coarse grains make instants coincide
	fixed  bool  // every duration fixed
	budget int64 // CPU left to hand out (estimated for drawn durations)
}

// invFractions spread durations over their range (rapid's own integers
// favour small values); shrinking goes towards the first.
var invFractions = []int64{1000, 500, 100, 0, 250, 750, 10}

// dur draws a multiple of the grain in [0, max]: a fraction of max plus a
// small jitter.
func (g *invGen) dur(label string, max int64) int64 {
	units := max / g.grain
	if units <= 0 {
		return 0
	}
	u := units * rapid.SampledFrom(invFractions).Draw(g.t, label+"_permille") / 1000
	u += rapid.Int64Range(0, units/10+1).Draw(g.t, label+"_jitter")
	return min(u, units) * g.grain
}

// dist draws a duration for a leaf repeated mult times; cpu says it costs
// CPU (and so comes out of the budget).
func (g *invGen) dist(cpu bool, mult int64) Dist {
	max := int64(invMaxLeaf)
	if cpu {
		if b := g.budget / mult; b < max {
			max = b
		}
	}
	kind := DistFixed
	if !g.fixed {
		kind = DistKind(rapid.IntRange(0, 3).Draw(g.t, "dist"))
	}
	var d Dist
	var cost int64
	switch kind {
	case DistFixed:
		d = Fixed(g.dur("dur", max))
		cost = d.A
	case DistUniform:
		a := g.dur("lo", max/2)
		d = Dist{Kind: DistUniform, A: a, B: a + g.dur("spread", max/2)}
		cost = d.B
	case DistExp:
		d = Dist{Kind: DistExp, A: g.dur("mean", max/4)}
		cost = 4 * d.A
	case DistNormal:
		d = Dist{Kind: DistNormal, A: g.dur("mean", max/2), B: g.dur("dev", max/6)}
		cost = d.A + 3*d.B
	}
	if cpu {
		g.budget -= cost * mult
		if g.budget < 0 {
			g.budget = 0
		}
	}
	return d
}

// invCtx is where a step list stands: the table "Where each may stand" of
// docs/language.md decides which steps it may hold.
type invCtx uint8

const (
	invCtxThread  invCtx = iota // a native task or a plain thread
	invCtxAsyncio               // an asyncio task: every step
	invCtxGreen                 // a gevent greenlet or an eventlet greenthread: all but await
	invCtxRaw                   // a greenlet of a greenlets block
	invCtxGen                   // a gen of a coroutines block
	invCtxOffload               // inside offload: no await, offload or yield
)

// invOps are the steps each context draws from (repeated entries weigh
// more); shrinking goes towards the first. invCtxThread keeps the original
// draw of 0..7.
var invOps = [...][]Op{
	invCtxAsyncio: {OpCPU, OpAwaitSleep, OpNative, OpIO, OpAwaitIO, OpYield, OpRepeat, OpLock, OpOffload, OpSleep, OpAwaitSleep, OpCPU},
	invCtxGreen:   {OpCPU, OpSleep, OpNative, OpIO, OpYield, OpRepeat, OpLock, OpOffload, OpSleep, OpCPU},
	invCtxRaw:     {OpCPU, OpSwitch, OpNative, OpIO, OpSleep, OpRepeat, OpLock, OpSwitch},
	invCtxGen:     {OpCPU, OpYield, OpNative, OpIO, OpSleep, OpRepeat, OpYield},
	invCtxOffload: {OpCPU, OpNative, OpIO, OpSleep, OpRepeat, OpLock},
}

// invStepCtx carries what a step list may use besides its context.
type invStepCtx struct {
	ctx      invCtx
	nlocks   int
	nmembers int  // raw greenlets: switch targets
	noYield  bool // a coroutines block with a single gen must not yield
}

// steps draws a step list. mult is how many times the list runs (enclosing
// repeat counts); held marks the locks held around it.
func (g *invGen) steps(depth int, mult int64, nlocks int, held []bool) []Step {
	return g.ctxSteps(invStepCtx{ctx: invCtxThread, nlocks: nlocks}, depth, mult, held)
}

// ctxSteps draws a step list that may stand in c.
func (g *invGen) ctxSteps(c invStepCtx, depth int, mult int64, held []bool) []Step {
	maxN := 5
	if c.ctx != invCtxThread {
		maxN = 4
	}
	if depth > 0 {
		maxN = 3
	}
	n := rapid.IntRange(1, maxN).Draw(g.t, "steps")
	var out []Step
	for range n {
		var op Op
		if c.ctx == invCtxThread {
			op = []Op{OpCPU, OpNative, OpIO, OpSleep, OpYield, OpRepeat, OpLock, OpLock}[rapid.IntRange(0, 7).Draw(g.t, "op")]
		} else {
			op = rapid.SampledFrom(invOps[c.ctx]).Draw(g.t, "op")
		}
		if op == OpYield && c.noYield {
			op = OpCPU
		}
		if depth >= 2 && (op == OpRepeat || op == OpLock || op == OpOffload) {
			op = OpCPU
		}
		switch op {
		case OpCPU, OpNative:
			out = append(out, Step{Op: op, Dur: g.dist(true, mult)})
		case OpIO, OpSleep:
			// one in four is a call the runtime does not see
			blocking := rapid.IntRange(0, 3).Draw(g.t, "blocking") == 0
			out = append(out, Step{Op: op, Dur: g.dist(false, mult), Blocking: blocking})
		case OpAwaitIO, OpAwaitSleep:
			out = append(out, Step{Op: op, Dur: g.dist(false, mult)})
		case OpYield:
			out = append(out, Step{Op: OpYield})
		case OpSwitch:
			out = append(out, Step{Op: OpSwitch, Target: rapid.IntRange(0, max(c.nmembers-1, 0)).Draw(g.t, "target")})
		case OpRepeat:
			cnt := int64(rapid.IntRange(0, 3).Draw(g.t, "count"))
			m := mult
			if cnt > 1 {
				m *= cnt
			}
			out = append(out, Step{Op: OpRepeat, Count: cnt, Body: g.ctxSteps(c, depth+1, m, held)})
		case OpOffload:
			oc := invStepCtx{ctx: invCtxOffload, nlocks: c.nlocks}
			out = append(out, Step{Op: OpOffload, Body: g.ctxSteps(oc, depth+1, mult, held)})
		case OpLock:
			var free []int
			for i := range c.nlocks {
				if !held[i] {
					free = append(free, i)
				}
			}
			if len(free) == 0 {
				out = append(out, Step{Op: OpCPU, Dur: g.dist(true, mult)})
				continue
			}
			l := free[rapid.IntRange(0, len(free)-1).Draw(g.t, "lock")]
			h := append([]bool(nil), held...)
			h[l] = true
			out = append(out, Step{Op: OpLock, Lock: l, Body: g.ctxSteps(c, depth+1, mult, h)})
		}
	}
	return out
}

// invBlock draws the runtime thread of kind k (patched for gevent and
// eventlet) with its members.
func (g *invGen) invBlock(k ThreadKind, patched bool, nlocks int, nice int) *Thread {
	th := &Thread{Name: k.String(), Kind: k, Patched: patched, Nice: nice}
	maxM := 4
	if k == ThreadGreenlets {
		maxM = 3
	}
	nm := rapid.IntRange(1, maxM).Draw(g.t, "members")
	c := invStepCtx{nlocks: nlocks, nmembers: nm}
	prefix := ""
	switch k {
	case ThreadAsyncio:
		c.ctx, prefix = invCtxAsyncio, "c"
	case ThreadGevent, ThreadEventlet:
		c.ctx, prefix = invCtxGreen, "g"
		if k == ThreadEventlet {
			prefix = "e"
		}
	case ThreadGreenlets:
		c.ctx, prefix = invCtxRaw, "r"
	case ThreadCoroutines:
		c.ctx, prefix, c.noYield = invCtxGen, "y", nm == 1
	}
	for i := range nm {
		var at int64
		if rapid.IntRange(0, 2).Draw(g.t, "member_at") == 2 {
			at = g.dur("member_arrival", 10*ms)
		}
		th.Members = append(th.Members, &Member{Name: fmt.Sprintf("%s%d", prefix, i), Arrival: at,
			Steps: g.ctxSteps(c, 0, 1, make([]bool, nlocks))})
	}
	return th
}

// invBlocks draws the runtime threads of a CPython process, within the
// rules of docs/language.md: at most one block of each runtime; `gevent
// patched` or `eventlet patched` patches the whole process, which then
// holds no plain thread, no asyncio and not the other of the two. It says
// whether plain threads may share the process (they come after the
// blocks in file order).
func (g *invGen) invBlocks(nlocks, nice int) (blocks []*Thread, threadsOK bool) {
	// (shrinking goes towards fewer blocks, none patched)
	patch := rapid.IntRange(0, 5).Draw(g.t, "patched_runtime") // 4 gevent, 5 eventlet, else none
	if patch >= 4 {
		k := ThreadGevent
		if patch == 5 {
			k = ThreadEventlet
		}
		blocks = append(blocks, g.invBlock(k, true, nlocks, nice))
	} else {
		for i, k := range []ThreadKind{ThreadAsyncio, ThreadGevent, ThreadEventlet} {
			n := min(i+1, 2) // asyncio half of the time, the others a third
			if rapid.IntRange(0, n).Draw(g.t, "has_"+k.String()) == n {
				blocks = append(blocks, g.invBlock(k, false, nlocks, nice))
			}
		}
	}
	for _, k := range []ThreadKind{ThreadGreenlets, ThreadCoroutines} {
		if rapid.IntRange(0, 2).Draw(g.t, "has_"+k.String()) == 2 {
			blocks = append(blocks, g.invBlock(k, false, nlocks, nice))
		}
	}
	return blocks, patch < 4
}

// invGenScenarioWith draws a scenario for policy pol. runtimes puts
// runtime threads in every CPython process, which otherwise has them half
// of the time.
func invGenScenarioWith(t *rapid.T, pol PolicyKind, runtimes bool) *Scenario {
	g := &invGen{t: t, budget: invCPUBudget}
	g.grain = rapid.SampledFrom([]int64{500_000, 100_000, 1_000, 1}).Draw(t, "grain")
	g.fixed = rapid.Bool().Draw(t, "all-fixed")
	m := DefaultMachine()
	m.ContextSwitch = int64(rapid.IntRange(0, 50).Draw(t, "context_switch_us")) * 1000
	if rapid.IntRange(0, 3).Draw(t, "slow_switch") == 0 {
		// a switch as long as a fair slice or a quantum, or longer: every
		// thread must still make progress (fair livelocked at 5 ms)
		m.ContextSwitch = rapid.SampledFrom([]int64{ms, 3 * ms, 5 * ms, 20 * ms}).Draw(t, "context_switch_ms")
	}
	if runtimes && rapid.Bool().Draw(t, "no_context_switch") {
		// without switch costs the spans show every use of a core, and
		// work conservation is checked
		m.ContextSwitch = 0
	}
	m.WakeupLatency = int64(rapid.IntRange(0, 50).Draw(t, "wakeup_us")) * 1000
	m.TimerSlack = rapid.SampledFrom([]int64{0, 50_000}).Draw(t, "timer_slack")
	m.FreeThreadingOverheadPermille = rapid.SampledFrom([]int64{1080, 1000, 1333, 0}).Draw(t, "ft_permille")
	m.MulticoreSpeedPermille = rapid.SampledFrom([]int64{1000, 1000, 900, 500}).Draw(t, "multicore_permille")
	m.GILHandoff = GILHandoff(rapid.IntRange(0, 2).Draw(t, "gil_handoff"))
	m.LegacySignalCost = rapid.SampledFrom([]int64{1_900, 0, 500}).Draw(t, "legacy_signal_cost")
	// the cooperative runtimes' switch costs: the defaults (all different),
	// none, or one cost for all
	switch rapid.IntRange(0, 2).Draw(t, "loop_switch") {
	case 1:
		m.AsyncioSwitch, m.GeventSwitch, m.EventletSwitch, m.GreenletSwitch, m.GeneratorSwitch = 0, 0, 0, 0, 0
	case 2:
		c := g.grain * rapid.Int64Range(1, 3).Draw(t, "loop_switch_grains")
		m.AsyncioSwitch, m.GeventSwitch, m.EventletSwitch, m.GreenletSwitch, m.GeneratorSwitch = c, c, c, c, c
		// a trampoline's dispatch comes on top of its send
		m.TrampolineDispatch = g.grain * rapid.Int64Range(0, 1).Draw(t, "trampoline_dispatch_grains")
	}
	sc := &Scenario{
		Title:   "invariants",
		Seed:    rapid.Uint64().Draw(t, "seed"),
		Cores:   rapid.IntRange(1, 4).Draw(t, "cores"),
		Policy:  pol,
		Machine: m,
	}
	if pol == PolicyRoundRobin {
		sc.Quantum = int64(rapid.IntRange(1, 10).Draw(t, "quantum_ms")) * ms
	}
	np := rapid.IntRange(1, 4).Draw(t, "processes")
	for i := range np {
		arrival := g.dur("arrival", 20*ms)
		if rapid.Bool().Draw(t, "native") {
			name := fmt.Sprintf("n%d", i)
			nl := rapid.IntRange(0, 1).Draw(t, "locks")
			p := &Process{Name: name, Native: true, Arrival: arrival, Nice: rapid.IntRange(-5, 5).Draw(t, "nice"),
				Threads: []*Thread{{Name: name, Arrival: arrival, Priority: rapid.IntRange(0, 5).Draw(t, "priority"),
					Steps: g.steps(0, 1, nl, make([]bool, nl))}}}
			for l := range nl {
				p.Locks = append(p.Locks, fmt.Sprintf("L%d", l))
			}
			sc.Processes = append(sc.Processes, p)
			continue
		}
		p := &Process{Name: fmt.Sprintf("p%d", i), Arrival: arrival, Nice: rapid.IntRange(-5, 5).Draw(t, "nice")}
		switch rapid.IntRange(0, 2).Draw(t, "gil") {
		case 0:
			p.GIL = GIL{Mode: GILInterval, Interval: int64(rapid.IntRange(1, 20).Draw(t, "interval_500us")) * 500_000}
		case 1:
			p.GIL = GIL{Mode: GILLegacy, Check: int64(rapid.IntRange(20, 400).Draw(t, "check"))}
		case 2:
			p.GIL = GIL{Mode: GILOff}
		}
		if rapid.Bool().Draw(t, "has_startup") {
			p.Startup = g.grain + g.dur("startup", 5*ms)
			g.budget -= p.Startup
		}
		nl := rapid.IntRange(0, 2).Draw(t, "locks")
		for l := range nl {
			p.Locks = append(p.Locks, fmt.Sprintf("L%d", l))
		}
		nt := rapid.IntRange(1, 6).Draw(t, "threads")
		if runtimes || rapid.Bool().Draw(t, "runtimes") {
			blocks, threadsOK := g.invBlocks(nl, p.Nice)
			nt = 0
			if threadsOK {
				nt = rapid.IntRange(0, 3).Draw(t, "threads")
			}
			if nt == 0 && len(blocks) == 0 {
				nt = 1
			}
			p.Threads = blocks
		}
		for j := range nt {
			p.Threads = append(p.Threads, &Thread{
				Name:     fmt.Sprintf("t%d", j),
				Arrival:  g.dur("thread_arrival", 20*ms),
				Priority: rapid.IntRange(0, 5).Draw(t, "priority"),
				Nice:     rapid.IntRange(-5, 5).Draw(t, "nice"),
				Steps:    g.steps(0, 1, nl, make([]bool, nl)),
			})
		}
		sc.Processes = append(sc.Processes, p)
	}
	if pol == PolicyLinux {
		// drawn last, so that the other policies' cases (and the linux
		// policy's processes) stay those of the same seed
		g.linuxKeys(&sc.Machine)
	}
	return sc
}

// linuxKeys draws the linux policy's machine keys within what a scenario
// may give (params.go): each its default first (shrinking goes back to
// it), then the values of other kernels (HZ=1000 and HZ=100 ticks, CFS's
// 3 ms slice), the edges (0, a tick as long as the context switch, an
// idle balance of one tick) and odd values in between. The tick stays at
// least 100us (or the context switch): a run is a tick event every tick
// while a task waits, and invRun's MaxEvents must not cut it short.
func (g *invGen) linuxKeys(m *Machine) {
	t := g.t
	switch rapid.IntRange(0, 5).Draw(t, "tick_choice") {
	case 1:
		m.Tick = ms // HZ=1000
	case 2:
		m.Tick = 10 * ms // HZ=100
	case 3:
		m.Tick = max(m.ContextSwitch, 100_000) // as long as a switch
	case 4:
		m.Tick = 3_333_333 // HZ=300
	case 5:
		m.Tick = rapid.Int64Range(100_000, 20*ms).Draw(t, "tick")
	}
	switch rapid.IntRange(0, 5).Draw(t, "base_slice_choice") {
	case 1:
		m.BaseSlice = 0
	case 2:
		m.BaseSlice = 3 * ms // CFS's sched_min_granularity scaled for 8 CPUs
	case 3:
		m.BaseSlice = 1 // below the 0.1ms minimum granularity
	case 4:
		m.BaseSlice = m.Tick + 1 // a turn of two ticks
	case 5:
		m.BaseSlice = rapid.Int64Range(0, 20*ms).Draw(t, "base_slice")
	}
	switch rapid.IntRange(0, 5).Draw(t, "balance_idle_choice") {
	case 1:
		m.BalanceIdle = 0
	case 2:
		m.BalanceIdle = m.Tick
	case 3:
		m.BalanceIdle = ms
	case 4:
		m.BalanceIdle = 50 * ms
	case 5:
		m.BalanceIdle = rapid.Int64Range(0, 20*ms).Draw(t, "balance_idle")
	}
	busy := []int64{m.BalanceBusy, 0, 10 * ms, 1000 * ms}
	m.BalanceBusy = busy[rapid.IntRange(0, len(busy)-1).Draw(t, "balance_busy_choice")]
	flip := []int64{m.BalanceFlip, 0, 99, 10 * ms, 1000 * ms}
	m.BalanceFlip = flip[rapid.IntRange(0, len(flip)-1).Draw(t, "balance_flip_choice")]
	ramp := []int64{m.ForkRamp, 0, ms, 100 * ms}
	m.ForkRamp = ramp[rapid.IntRange(0, len(ramp)-1).Draw(t, "fork_ramp_choice")]
}

// ---------------------------------------------------------------------
// Scenario dump

func invDur(d int64) string {
	s := FormatDuration(d)
	if d%1000 != 0 && d >= 1000 {
		s += fmt.Sprintf("(%dns)", d)
	}
	return s
}

func invDist(d Dist) string {
	switch d.Kind {
	case DistUniform:
		return fmt.Sprintf("uniform(%s, %s)", invDur(d.A), invDur(d.B))
	case DistExp:
		return fmt.Sprintf("exp(%s)", invDur(d.A))
	case DistNormal:
		return fmt.Sprintf("normal(%s, %s)", invDur(d.A), invDur(d.B))
	}
	return invDur(d.A)
}

func invDumpSteps(b *strings.Builder, steps []Step, locks []string, members []*Member, indent string) {
	for _, s := range steps {
		switch s.Op {
		case OpCPU, OpNative, OpIO, OpSleep, OpAwaitIO, OpAwaitSleep:
			fmt.Fprintf(b, "%s%s %s\n", indent, s.Op, invDist(s.Dur))
		case OpRepeat:
			fmt.Fprintf(b, "%srepeat %d {\n", indent, s.Count)
			invDumpSteps(b, s.Body, locks, members, indent+"  ")
			fmt.Fprintf(b, "%s}\n", indent)
		case OpLock:
			fmt.Fprintf(b, "%slock %s {\n", indent, locks[s.Lock])
			invDumpSteps(b, s.Body, locks, members, indent+"  ")
			fmt.Fprintf(b, "%s}\n", indent)
		case OpOffload:
			fmt.Fprintf(b, "%soffload {\n", indent)
			invDumpSteps(b, s.Body, locks, members, indent+"  ")
			fmt.Fprintf(b, "%s}\n", indent)
		case OpSwitch:
			to := fmt.Sprintf("#%d", s.Target)
			if s.Target >= 0 && s.Target < len(members) {
				to = members[s.Target].Name
			}
			fmt.Fprintf(b, "%sswitch %q\n", indent, to)
		default:
			fmt.Fprintf(b, "%s%s\n", indent, s.Op)
		}
	}
}

// invMemberWord is the scenario language's keyword for a member of a
// runtime block of kind k.
func invMemberWord(k ThreadKind) string {
	return map[ThreadKind]string{ThreadAsyncio: "task", ThreadGevent: "greenlet", ThreadEventlet: "greenthread", ThreadGreenlets: "greenlet", ThreadCoroutines: "gen"}[k]
}

// invDump renders sc in a form close to the scenario language.
func invDump(sc *Scenario) string {
	var b strings.Builder
	m := &sc.Machine
	fmt.Fprintf(&b, "seed %d cores %d policy %s", sc.Seed, sc.Cores, sc.Policy)
	if sc.Quantum > 0 {
		fmt.Fprintf(&b, " quantum %s", invDur(sc.Quantum))
	}
	fmt.Fprintf(&b, "\nmachine { context_switch %s wakeup %s timer_slack %s ft_overhead %d‰ gil_fifo %v legacy_tick %s legacy_signal_cost %s thread_start %s\n",
		invDur(m.ContextSwitch), invDur(m.WakeupLatency), invDur(m.TimerSlack), m.FreeThreadingOverheadPermille, m.GILHandoff,
		invDur(m.LegacyTick), invDur(m.LegacySignalCost), invDur(m.ThreadStart))
	fmt.Fprintf(&b, "  switch asyncio %s gevent %s eventlet %s greenlet %s generator %s trampoline_dispatch %s }\n",
		invDur(m.AsyncioSwitch), invDur(m.GeventSwitch), invDur(m.EventletSwitch), invDur(m.GreenletSwitch), invDur(m.GeneratorSwitch), invDur(m.TrampolineDispatch))
	if sc.Policy == PolicyLinux {
		fmt.Fprintf(&b, "machine { tick %s base_slice %s balance_idle %s balance_busy %s balance_flip %s fork_ramp %s }\n",
			invDur(m.Tick), invDur(m.BaseSlice), invDur(m.BalanceIdle), invDur(m.BalanceBusy), invDur(m.BalanceFlip), invDur(m.ForkRamp))
	}
	for _, p := range sc.Processes {
		if p.Native {
			th := p.Threads[0]
			fmt.Fprintf(&b, "task %s at %s priority %d nice %d", p.Name, invDur(th.Arrival), th.Priority, p.Nice)
			if len(p.Locks) > 0 {
				fmt.Fprintf(&b, " locks %v", p.Locks)
			}
			b.WriteString(" {\n")
			invDumpSteps(&b, th.Steps, p.Locks, nil, "  ")
			b.WriteString("}\n")
			continue
		}
		gil := "off"
		switch p.GIL.Mode {
		case GILInterval:
			gil = "interval " + invDur(p.GIL.Interval)
		case GILLegacy:
			gil = fmt.Sprintf("legacy check %d", p.GIL.Check)
		}
		fmt.Fprintf(&b, "process %s at %s gil %s nice %d", p.Name, invDur(p.Arrival), gil, p.Nice)
		if p.Startup > 0 {
			fmt.Fprintf(&b, " startup %s", invDur(p.Startup))
		}
		if len(p.Locks) > 0 {
			fmt.Fprintf(&b, " locks %v", p.Locks)
		}
		b.WriteString(" {\n")
		for _, th := range p.Threads {
			if th.Kind != ThreadPlain {
				patch := ""
				if th.Kind == ThreadGevent || th.Kind == ThreadEventlet {
					patch = " unpatched"
					if th.Patched {
						patch = " patched"
					}
				}
				fmt.Fprintf(&b, "  %s%s {\n", th.Kind, patch)
				for _, m := range th.Members {
					fmt.Fprintf(&b, "    %s %s at +%s {\n", invMemberWord(th.Kind), m.Name, invDur(m.Arrival))
					invDumpSteps(&b, m.Steps, p.Locks, th.Members, "      ")
					b.WriteString("    }\n")
				}
				b.WriteString("  }\n")
				continue
			}
			fmt.Fprintf(&b, "  thread %s at +%s priority %d nice %d {\n", th.Name, invDur(th.Arrival), th.Priority, th.Nice)
			invDumpSteps(&b, th.Steps, p.Locks, nil, "    ")
			b.WriteString("  }\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}
