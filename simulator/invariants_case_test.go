package simulator

// What the invariants (invariants_test.go) share about one run: the
// entities of Result.Tasks with the sums of their programs, the spans by
// entity, by core and by GIL, and the sums of each entity's spans. It is
// computed once per run, before any invariant is checked.

import (
	"fmt"
	"sort"
	"strings"
)

// invStepSums walks a program: the CPU of its cpu and native steps when
// every one of them is fixed (cpu scaled by scale), whether any cpu or
// native step may take time, whether it takes a lock or offloads, and the
// least time its steps take one after the other.
type invStepSums struct {
	cpu, native       int64
	fixed             bool
	mayCPU, mayNative bool
	hasLock, offloads bool
	minTime           int64
	io                int64 // least time in io, sleep and await steps
	nIO, nSleep       int64 // io and sleep steps run that block the thread, sleep steps among them
}

// add folds the sums of another program (an offload body) into s.
func (s *invStepSums) add(o invStepSums) {
	s.cpu += o.cpu
	s.native += o.native
	s.fixed = s.fixed && o.fixed
	s.mayCPU = s.mayCPU || o.mayCPU
	s.mayNative = s.mayNative || o.mayNative
	s.hasLock = s.hasLock || o.hasLock
	s.io += o.io
	s.nIO += o.nIO
	s.nSleep += o.nSleep
}

// invMin is the least duration d draws.
func invMin(d Dist) int64 {
	if d.Kind == DistFixed || d.Kind == DistUniform {
		return d.A
	}
	return 0
}

// invWalk adds steps, run mult times, to s; coop says that io and sleep
// park the unit instead of blocking its thread (patched gevent and
// eventlet). The bodies of offload steps run on a pool worker: their CPU
// goes to off (the pool's sums) and their time to s's least time only.
func invWalk(steps []Step, mult int64, scale func(int64) int64, coop bool, s, off *invStepSums) {
	for _, st := range steps {
		switch st.Op {
		case OpCPU, OpNative:
			if st.Dur.Kind != DistFixed {
				s.fixed = false
			}
			if mult > 0 && (st.Dur.Kind != DistFixed || st.Dur.A > 0) {
				if st.Op == OpCPU {
					s.mayCPU = true
				} else {
					s.mayNative = true
				}
			}
			if st.Dur.Kind == DistFixed && st.Dur.A > 0 {
				if st.Op == OpCPU {
					s.cpu += mult * scale(st.Dur.A)
				} else {
					s.native += mult * st.Dur.A
				}
			}
			if st.Op == OpCPU {
				s.minTime += mult * scale(invMin(st.Dur))
			} else {
				s.minTime += mult * invMin(st.Dur)
			}
		case OpIO, OpSleep:
			s.minTime += mult * invMin(st.Dur)
			s.io += mult * invMin(st.Dur)
			if !coop {
				s.nIO += mult
				if st.Op == OpSleep {
					s.nSleep += mult
				}
			}
		case OpAwaitIO, OpAwaitSleep:
			s.minTime += mult * invMin(st.Dur)
			s.io += mult * invMin(st.Dur)
		case OpRepeat:
			invWalk(st.Body, mult*st.Count, scale, coop, s, off)
		case OpLock:
			if mult > 0 {
				s.hasLock = true
			}
			invWalk(st.Body, mult, scale, coop, s, off)
		case OpOffload:
			b := invStepSums{fixed: true}
			invWalk(st.Body, mult, scale, false, &b, nil)
			s.minTime += b.minTime
			if mult > 0 {
				s.offloads = true
				s.hasLock = s.hasLock || b.hasLock
			}
			if off != nil {
				off.add(b)
			}
		}
	}
}

// invSums are the sums of an entity's spans (or of a pool's workers').
type invSums struct {
	run, runGIL, runNoGIL, sw, ready, gilWait, blocked int64
	nRun                                               int64 // running spans
	blockedIO, blockedLock                             int64 // blocked in io or sleep, on a lock
	starting                                           int64 // waiting to be started (Thread.start)
}

// add folds the sums of the spans ss into sm.
func (sm *invSums) add(ss []Span) {
	for _, s := range ss {
		d := s.End - s.Start
		switch s.Kind {
		case SpanRunning:
			sm.run += d
			sm.nRun++
			if s.HasGIL {
				sm.runGIL += d
			} else {
				sm.runNoGIL += d
			}
		case SpanSwitching:
			sm.sw += d
		case SpanReady, SpanLoopWait:
			sm.ready += d
		case SpanGILWait:
			sm.gilWait += d
		case SpanBlocked:
			sm.blocked += d
			switch s.Why {
			case BlockIO, BlockSleep:
				sm.blockedIO += d
			case BlockLock:
				sm.blockedLock += d
			case BlockStart:
				sm.starting += d
			}
		}
	}
}

// invUnitKind is the TaskResult kind of a member of a runtime thread of
// kind k.
func invUnitKind(k ThreadKind) string {
	return map[ThreadKind]string{ThreadAsyncio: "coroutine", ThreadGevent: "greenlet", ThreadEventlet: "greenthread", ThreadGreenlets: "greenlet", ThreadCoroutines: "gen"}[k]
}

// invPoolPrefix starts the names of the pool workers of a runtime thread
// of kind k (pool.go poolFor).
func invPoolPrefix(k ThreadKind) string {
	switch k {
	case ThreadGevent:
		return "threadpool_"
	case ThreadEventlet:
		return "tpool_"
	}
	return "asyncio_"
}

// invSwitchCost is the runtime's own CPU per switch between units.
func invSwitchCost(m *Machine, k ThreadKind) int64 {
	switch k {
	case ThreadAsyncio:
		return m.AsyncioSwitch
	case ThreadGevent:
		return m.GeventSwitch
	case ThreadEventlet:
		return m.EventletSwitch
	case ThreadGreenlets:
		return m.GreenletSwitch
	}
	return m.GeneratorSwitch + m.TrampolineDispatch
}

// invCoop says whether io and sleep park the units of runtime thread th
// (patched gevent and eventlet) rather than block it.
func invCoop(th *Thread) bool {
	return th.Patched && (th.Kind == ThreadGevent || th.Kind == ThreadEventlet)
}

// invGILProc says whether p runs under a GIL.
func invGILProc(p *Process) bool { return !p.Native && p.GIL.Mode != GILOff }

// invCPUMatchesSteps checks the CPU of a thread, a unit or a pool's workers
// (cpu on the CPU its spans show, sm their sums) against the fixed cpu and
// native steps s it ran; "" when it holds.
func invCPUMatchesSteps(p *Process, m *Machine, s invStepSums, sm invSums, cpu int64) string {
	if sp := m.MulticoreSpeedPermille; !p.Native && sp > 0 && sp < 1000 {
		// multicore_speed: time on a core is the work, or up to 1/speed
		// of it (plus a ns of rounding per running stretch)
		in := func(got, work int64) bool { return got >= work && got <= wallFor(work, uint16(sp))+sm.nRun }
		extra := int64(0)
		if p.GIL.Mode == GILLegacy {
			extra = max(sm.runGIL-wallFor(s.cpu, uint16(sp)), 0) // contended checks' signal cost
		}
		switch {
		case p.GIL.Mode == GILOff && !in(cpu, s.cpu+s.native):
			return fmt.Sprintf("multicore speed %d‰: CPU %d for cpu and native steps of %d", sp, cpu, s.cpu+s.native)
		case p.GIL.Mode != GILOff && (!in(sm.runGIL-extra, s.cpu) || !in(sm.runNoGIL, s.native)):
			return fmt.Sprintf("multicore speed %d‰: ran %d with the GIL and %d without, its cpu steps sum to %d and native steps to %d", sp, sm.runGIL, sm.runNoGIL, s.cpu, s.native)
		}
		return ""
	}
	switch {
	case p.Native || p.GIL.Mode == GILOff:
		if want := s.cpu + s.native; cpu != want {
			return fmt.Sprintf("CPU %d, its cpu and native steps sum to %d (%d + %d)", cpu, want, s.cpu, s.native)
		}
	case p.GIL.Mode == GILInterval:
		if sm.runGIL != s.cpu || sm.runNoGIL != s.native {
			return fmt.Sprintf("ran %d with the GIL and %d without, its cpu steps sum to %d and native steps to %d", sm.runGIL, sm.runNoGIL, s.cpu, s.native)
		}
	case p.GIL.Mode == GILLegacy:
		// contended checks add LegacySignalCost to the holder's cpu
		extra := sm.runGIL - s.cpu
		c := m.LegacySignalCost
		if extra < 0 || (c == 0 && extra != 0) || (c > 0 && extra%c != 0) || sm.runNoGIL != s.native {
			return fmt.Sprintf("legacy GIL: ran %d with the GIL and %d without, cpu steps %d native steps %d, signal cost %d", sm.runGIL, sm.runNoGIL, s.cpu, s.native, c)
		}
	}
	return ""
}

// invIOBound is the least IO of io and sleep steps s: their time, and in
// a CPython process the timer slack of each sleep and the OS wake-up after
// each call but the last `spare` ones (a thread's last call ends it).
func invIOBound(p *Process, m *Machine, s invStepSums, spare int64) int64 {
	b := s.io
	if !p.Native {
		b += s.nSleep * m.TimerSlack
		b += max(s.nIO-spare, 0) * m.WakeupLatency
	}
	return b
}

// invSwitchTarget says whether a greenlet of th switches to m.
func invSwitchTarget(th *Thread, m *Member) bool {
	var walk func([]Step) bool
	walk = func(steps []Step) bool {
		for _, s := range steps {
			if s.Op == OpSwitch && s.Target >= 0 && s.Target < len(th.Members) && th.Members[s.Target] == m {
				return true
			}
			if walk(s.Body) {
				return true
			}
		}
		return false
	}
	for _, o := range th.Members {
		if o != m && walk(o.Steps) {
			return true
		}
	}
	return false
}

// invEnt is one row of Result.Tasks: a native task, a plain thread, a
// member (unit) of a runtime thread, or a pool worker.
type invEnt struct {
	p    int
	proc *Process
	th   *Thread  // the thread, or the runtime thread of a unit; nil for a pool worker
	m    *Member  // the unit; nil for a thread
	pool *invPool // a pool worker: the pool it belongs to
	name string
	kind string // the TaskResult kind it must have
	sums invStepSums
}

func (e *invEnt) who() string {
	if e.proc.Native {
		return e.name
	}
	return e.proc.Name + "/" + e.name
}

// plain says whether e is a thread of the scenario (not a unit, not a
// pool worker).
func (e *invEnt) plain() bool { return e.m == nil && e.pool == nil }

// invPool is the worker pool of one runtime thread: the offload bodies of
// its units, the units that offload and the workers that ran them, with
// the sums of the workers' spans and results.
type invPool struct {
	proc    *Process
	lp      *Thread
	prefix  string
	bodies  invStepSums
	users   []int
	workers []int
	sums    invSums // the workers' spans
	cpu, io int64   // the workers' CPU and IO
	allDone bool    // every worker finished
}

func (pl *invPool) who() string {
	return fmt.Sprintf("%s/%s pool %s*", pl.proc.Name, pl.lp.Name, pl.prefix)
}

// invCase is one traced run of a scenario and what the invariants share
// about it.
type invCase struct {
	sc    *Scenario
	res   *Result
	spans []Span
	cores int

	ents      []invEnt // in the order of Result.Tasks
	nScenario int      // ents[:nScenario] are the scenario's threads and units, the rest pool workers
	pools     []*invPool

	perEnt  [][]Span // spans by entity, by start
	perCore [][]Span // running and switching spans by core, a process's own work included, by start
	perGIL  [][]Span // spans with the GIL by process, by start
	entSums []invSums
	ownSw   int64 // switching spans of the processes' own work
	busy    int64 // the cores' Busy

	startup    int64          // the CPython processes' start-up
	hasLocks   bool           // a thread or a unit takes a lock
	hasLegacy  bool           // a process has the legacy GIL, whose spinning shows in no span
	loopLegacy bool           // a runtime thread runs under the legacy GIL
	loopCosts  map[int64]bool // the non-zero switch costs of the runtime threads present
	complete   bool           // neither a deadlock nor a failure
}

// invNewCase gathers what the invariants share about a run of sc. When
// the Result cannot be read against the scenario (results missing for
// processes or cores, tasks that are no thread, unit or pool worker of
// it) it returns why, and the case holds the run only (sc, res, spans).
func invNewCase(sc *Scenario, res *Result, spans []Span) (*invCase, []string) {
	c := &invCase{sc: sc, res: res, spans: spans, cores: max(sc.Cores, 1), loopCosts: map[int64]bool{}}
	c.scenarioEnts()
	if len(res.Processes) != len(sc.Processes) || len(res.Cores) != c.cores {
		return c, []string{fmt.Sprintf("%d process results for %d processes, %d cores for %d", len(res.Processes), len(sc.Processes), len(res.Cores), c.cores)}
	}
	if len(res.Tasks) < c.nScenario {
		return c, []string{fmt.Sprintf("%d task results for %d threads and units", len(res.Tasks), c.nScenario)}
	}
	if msg := c.workerEnts(); msg != "" {
		return c, []string{msg}
	}
	c.sortSpans()
	c.entSums = make([]invSums, len(c.ents))
	for i := range c.ents {
		c.entSums[i].add(c.perEnt[i])
	}
	for _, pl := range c.pools {
		pl.allDone = true
		for _, w := range pl.workers {
			pl.sums.add(c.perEnt[w])
			tr := res.Tasks[w]
			pl.cpu += tr.CPU
			pl.io += tr.IO
			pl.allDone = pl.allDone && tr.Finished
		}
	}
	for _, cr := range res.Cores {
		c.busy += cr.Busy
	}
	c.complete = res.Deadlock == nil && res.Failure == nil
	return c, nil
}

// scenarioEnts lists the scenario's threads and units, in the order
// Result.Tasks lists them (file order), with their pools.
func (c *invCase) scenarioEnts() {
	sc := c.sc
	for pi, p := range sc.Processes {
		if !p.Native && p.Startup > 0 {
			c.startup += p.Startup
		}
		if !p.Native {
			// the main thread's Thread.start of each plain thread
			for _, t := range p.Threads {
				if t.Kind == ThreadPlain {
					// and the new thread's bootstrap before its target
					c.startup += max(sc.Machine.ThreadStart-2*sc.Machine.WakeupLatency-sc.Machine.ThreadBootstrap, 0) +
						sc.Machine.ThreadBootstrap + sc.Machine.ThreadBootstrapTail
				}
			}
		}
		if !p.Native && p.GIL.Mode == GILLegacy {
			c.hasLegacy = true
		}
		scale := func(d int64) int64 { return d }
		if !p.Native && p.GIL.Mode == GILOff {
			pm := sc.Machine.FreeThreadingOverheadPermille
			if pm > 0 && pm != 1000 {
				scale = func(d int64) int64 { return (d*pm + 500) / 1000 }
			}
		}
		for _, th := range p.Threads {
			if th.Kind == ThreadPlain {
				kind := "thread"
				if p.Native {
					kind = "task"
				}
				e := invEnt{p: pi, proc: p, th: th, name: th.Name, kind: kind, sums: invStepSums{fixed: true}}
				invWalk(th.Steps, 1, scale, false, &e.sums, nil)
				c.hasLocks = c.hasLocks || e.sums.hasLock
				c.ents = append(c.ents, e)
				continue
			}
			c.loopLegacy = c.loopLegacy || p.GIL.Mode == GILLegacy
			if cost := invSwitchCost(&sc.Machine, th.Kind); cost > 0 {
				c.loopCosts[cost] = true
			}
			pl := &invPool{proc: p, lp: th, prefix: invPoolPrefix(th.Kind), bodies: invStepSums{fixed: true}}
			for _, m := range th.Members {
				e := invEnt{p: pi, proc: p, th: th, m: m, name: m.Name, kind: invUnitKind(th.Kind), sums: invStepSums{fixed: true}}
				invWalk(m.Steps, 1, scale, invCoop(th), &e.sums, &pl.bodies)
				c.hasLocks = c.hasLocks || e.sums.hasLock
				if e.sums.offloads {
					pl.users = append(pl.users, len(c.ents))
				}
				c.ents = append(c.ents, e)
			}
			if len(pl.users) > 0 {
				c.pools = append(c.pools, pl)
			}
		}
	}
	c.nScenario = len(c.ents)
}

// workerEnts adds the pool workers: the tasks after the scenario's
// threads and units must be threads named after a pool that has work, in
// its process. It returns the first that is not.
func (c *invCase) workerEnts() string {
	procByName := map[string]int{}
	for pi, p := range c.sc.Processes {
		procByName[p.Name] = pi
	}
	for i := c.nScenario; i < len(c.res.Tasks); i++ {
		tr := c.res.Tasks[i]
		pi, ok := procByName[tr.Process]
		var pl *invPool
		for _, q := range c.pools {
			if ok && q.proc == c.sc.Processes[pi] && strings.HasPrefix(tr.Name, q.prefix) {
				pl = q
			}
		}
		if pl == nil || tr.Kind != "thread" {
			return fmt.Sprintf("task %d is %s %s/%s: not a worker of a pool that has work", i, tr.Kind, tr.Process, tr.Name)
		}
		pl.workers = append(pl.workers, i)
		c.ents = append(c.ents, invEnt{p: pi, proc: c.sc.Processes[pi], pool: pl, name: tr.Name, kind: "thread", sums: invStepSums{fixed: true}})
	}
	return ""
}

// sortSpans sorts the spans by entity, by core and by GIL. A span that
// names no entity, process or core it could be filed under is left out
// (invSpansWellFormed reports it).
func (c *invCase) sortSpans() {
	sc := c.sc
	c.perEnt = make([][]Span, len(c.ents))
	c.perCore = make([][]Span, c.cores)
	c.perGIL = make([][]Span, len(sc.Processes))
	for _, s := range c.spans {
		onCore := s.Kind == SpanRunning || s.Kind == SpanSwitching
		if s.Entity == -1 {
			// a process's own work (start-up, a scheduler between units):
			// core time only
			if s.Process < 0 || s.Process >= len(sc.Processes) || !onCore || s.Start >= s.End || s.Start < 0 || s.Core < 0 || s.Core >= c.cores {
				continue
			}
			c.perCore[s.Core] = append(c.perCore[s.Core], s)
			if s.Kind == SpanSwitching {
				c.ownSw += s.End - s.Start
			}
			if s.HasGIL {
				c.perGIL[s.Process] = append(c.perGIL[s.Process], s)
			}
			continue
		}
		if s.Entity < 0 || s.Entity >= len(c.ents) {
			continue
		}
		if onCore && s.Core >= 0 && s.Core < c.cores {
			c.perCore[s.Core] = append(c.perCore[s.Core], s)
		}
		if s.HasGIL && s.Process >= 0 && s.Process < len(sc.Processes) {
			c.perGIL[s.Process] = append(c.perGIL[s.Process], s)
		}
		c.perEnt[s.Entity] = append(c.perEnt[s.Entity], s)
	}
	for _, l := range [][][]Span{c.perEnt, c.perCore, c.perGIL} {
		for _, ss := range l {
			sort.SliceStable(ss, func(i, j int) bool { return ss[i].Start < ss[j].Start })
		}
	}
}
