package simulator

// Property tests of the engine: random, bounded scenarios (native tasks and
// CPython processes with the new GIL, the legacy GIL or no GIL; every OS
// policy; plain threads and the runtime threads of asyncio, gevent and
// eventlet (patched or not), raw greenlets and generator coroutines, with
// their pool workers; every step where LANGUAGE.md allows it, fixed or
// drawn durations) are run with a Trace, and invariants that must hold for
// every scenario are checked against the Result and the Span stream.
// A failure prints the scenario in a readable form.
//
// A cooperative unit (coroutine, greenlet, greenthread, gen) has the spans
// of its runtime thread while it is the thread's current unit, a blocked
// span (Span.Why) while it is parked, and a ready span from when it became
// ready to when it is resumed: a finished unit's spans tile its life like
// a thread's. The runtime's own work between units shows in no span; a
// pool worker has no span while idle.
//
// `go test` checks the same cases on every run (main_test.go pins the
// seed); look for new ones with -rapid.seed=0 (random) and more of them
// with -rapid.checks=N (per policy); reproduce a failure with the
// -rapid.failfile or -rapid.seed the failure message gives.

import (
	"fmt"
	"math"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// invPolicies are the policies TestInvariants runs, one rapid.Check (of
// -rapid.checks cases, 100 by default) each.
var invPolicies = []PolicyKind{PolicyFair, PolicyFIFO, PolicySJF, PolicySRTF, PolicyPriority, PolicyRoundRobin}

func TestInvariants(t *testing.T) {
	invCheck(t, false)
}

// TestInvariantsRuntimes runs the same properties on scenarios whose
// CPython processes all hold runtime threads (asyncio, gevent, eventlet,
// greenlets, coroutines), invRuntimeRounds times as many cases.
func TestInvariantsRuntimes(t *testing.T) {
	for r := range invRuntimeRounds {
		t.Run(fmt.Sprint(r), func(t *testing.T) { invCheck(t, true) })
	}
}

// invRuntimeRounds multiplies -rapid.checks for TestInvariantsRuntimes.
const invRuntimeRounds = 6

// invCheck runs the properties, one rapid.Check per policy.
func invCheck(t *testing.T, runtimes bool) {
	for _, pol := range invPolicies {
		t.Run(pol.String(), func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				sc := invGenScenarioWith(rt, pol, runtimes)
				if v := invViolations(sc); len(v) > 0 {
					var msgs []string
					for _, x := range v {
						msgs = append(msgs, x.String())
					}
					rt.Fatalf("%d invariant(s) violated:\n  %s\nscenario:\n%s", len(v), strings.Join(msgs, "\n  "), invDump(sc))
				}
			})
		})
	}
}

// invViolation is one broken invariant.
type invViolation struct {
	msg string
}

func (v invViolation) String() string { return v.msg }

// ---------------------------------------------------------------------
// Invariants

// invRun runs sc with a Trace, turning a panic into an error.
func invRun(sc *Scenario, trace bool) (res *Result, spans []Span, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	opt := Options{MaxEvents: 5_000_000}
	if trace {
		opt.Trace = func(s Span) { spans = append(spans, s) }
	}
	res, err = Run(sc, opt)
	return res, spans, err
}

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

type invSums struct {
	run, runGIL, runNoGIL, sw, ready, gilWait, blocked int64
	nRun                                               int64 // running spans
	blockedIO, blockedLock                             int64 // blocked in io or sleep, on a lock
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
// its units, the units that offload and the workers that ran them.
type invPool struct {
	lp      *Thread
	prefix  string
	bodies  invStepSums
	users   []int
	workers []int
}

// invViolations runs sc and returns every invariant it breaks.
func invViolations(sc *Scenario) []invViolation {
	var bad []invViolation
	fail := func(format string, args ...any) {
		if len(bad) < 40 {
			bad = append(bad, invViolation{msg: fmt.Sprintf(format, args...)})
		}
	}

	// 1. no panic, no error (a LimitError included).
	res, spans, err := invRun(sc, true)
	if err != nil {
		return []invViolation{{msg: "Run: " + err.Error()}}
	}
	if res.Failure != nil {
		fail("unexpected Failure %+v", *res.Failure)
	}

	// 7. determinism: the same scenario twice gives the same Result and
	// Span stream, and a Trace does not change the Result.
	res2, spans2, err2 := invRun(sc, true)
	if err2 != nil {
		fail("second run: %v", err2)
	} else {
		if !reflect.DeepEqual(res, res2) {
			fail("two runs of the same scenario give different results:\n%+v\n%+v", res, res2)
		}
		if !reflect.DeepEqual(spans, spans2) {
			fail("two runs of the same scenario give different span streams (%d and %d spans)", len(spans), len(spans2))
		}
	}
	if res3, _, err3 := invRun(sc, false); err3 != nil {
		fail("untraced run: %v", err3)
	} else if !reflect.DeepEqual(res, res3) {
		fail("a Trace changes the result:\n%+v\n%+v", res, res3)
	}

	cores := max(sc.Cores, 1)
	// the entities, in the order Result.Tasks lists them: the scenario's
	// threads and units in file order, then the pool workers as they were
	// started
	var ents []invEnt
	hasLocks, hasLegacy := false, false
	// runtime threads: any, and the non-zero switch costs of those present
	loopLegacy := false
	loopCosts := map[int64]bool{}
	pools := map[[2]string]*invPool{} // by process name and worker prefix
	var poolList []*invPool
	var startup int64
	for pi, p := range sc.Processes {
		if !p.Native && p.Startup > 0 {
			startup += p.Startup
		}
		if !p.Native && p.GIL.Mode == GILLegacy {
			hasLegacy = true
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
				hasLocks = hasLocks || e.sums.hasLock
				ents = append(ents, e)
				continue
			}
			loopLegacy = loopLegacy || p.GIL.Mode == GILLegacy
			if c := invSwitchCost(&sc.Machine, th.Kind); c > 0 {
				loopCosts[c] = true
			}
			pl := &invPool{lp: th, prefix: invPoolPrefix(th.Kind), bodies: invStepSums{fixed: true}}
			for _, m := range th.Members {
				e := invEnt{p: pi, proc: p, th: th, m: m, name: m.Name, kind: invUnitKind(th.Kind), sums: invStepSums{fixed: true}}
				invWalk(m.Steps, 1, scale, invCoop(th), &e.sums, &pl.bodies)
				hasLocks = hasLocks || e.sums.hasLock
				if e.sums.offloads {
					pl.users = append(pl.users, len(ents))
				}
				ents = append(ents, e)
			}
			if len(pl.users) > 0 {
				pools[[2]string{p.Name, pl.prefix}] = pl
				poolList = append(poolList, pl)
			}
		}
	}
	nScenario := len(ents)
	gilProc := func(p *Process) bool { return !p.Native && p.GIL.Mode != GILOff }

	if len(res.Processes) != len(sc.Processes) || len(res.Cores) != cores {
		fail("%d process results for %d processes, %d cores for %d", len(res.Processes), len(sc.Processes), len(res.Cores), cores)
		return bad
	}
	if len(res.Tasks) < nScenario {
		fail("%d task results for %d threads and units", len(res.Tasks), nScenario)
		return bad
	}
	for i, e := range ents {
		if tr := res.Tasks[i]; tr.Name != e.name || tr.Process != e.proc.Name || tr.Kind != e.kind {
			fail("task %d is %s %s/%s, want %s %s/%s", i, tr.Kind, tr.Process, tr.Name, e.kind, e.proc.Name, e.name)
		}
	}
	// the rest are pool workers: threads named after their pool, in a
	// process whose runtime thread offloads
	procByName := map[string]int{}
	for pi, p := range sc.Processes {
		procByName[p.Name] = pi
	}
	for i := nScenario; i < len(res.Tasks); i++ {
		tr := res.Tasks[i]
		pi, ok := procByName[tr.Process]
		var pl *invPool
		if ok {
			for _, q := range poolList {
				if strings.HasPrefix(tr.Name, q.prefix) && pools[[2]string{tr.Process, q.prefix}] == q {
					pl = q
				}
			}
		}
		if pl == nil || tr.Kind != "thread" {
			fail("task %d is %s %s/%s: not a worker of a pool that has work", i, tr.Kind, tr.Process, tr.Name)
			return bad
		}
		pl.workers = append(pl.workers, i)
		ents = append(ents, invEnt{p: pi, proc: sc.Processes[pi], pool: pl, name: tr.Name, kind: "thread", sums: invStepSums{fixed: true}})
	}
	unfinished := 0
	for _, tr := range res.Tasks {
		if !tr.Finished {
			unfinished++
		}
	}
	if res.Deadlock == nil && unfinished > 0 {
		fail("%d tasks unfinished and no deadlock reported", unfinished)
	}
	if res.Deadlock != nil && unfinished == 0 {
		fail("deadlock reported but every task finished")
	}
	complete := res.Deadlock == nil && res.Failure == nil

	// Span well-formedness, sorted per entity, per core, per GIL.
	perEnt := make([][]Span, len(ents))
	perCore := make([][]Span, cores)
	perGIL := make([][]Span, len(sc.Processes))
	var ownSw int64 // switching spans of the processes' own work
	for _, s := range spans {
		if s.Entity == -1 {
			// a process's own work (start-up, a scheduler between units):
			// core time only
			switch {
			case s.Process < 0 || s.Process >= len(sc.Processes):
				fail("span %+v: process out of range", s)
			case s.Kind != SpanRunning && s.Kind != SpanSwitching:
				fail("span %+v: a process's own work off a core", s)
			case s.Start >= s.End || s.Start < 0:
				fail("span %+v: empty or negative", s)
			case s.Core < 0 || s.Core >= cores:
				fail("span %+v: core out of [0, %d)", s, cores)
			default:
				perCore[s.Core] = append(perCore[s.Core], s)
				if s.Kind == SpanSwitching {
					ownSw += s.End - s.Start
				}
				if s.HasGIL {
					if !gilProc(sc.Processes[s.Process]) {
						fail("span %+v: HasGIL in a process without a GIL", s)
					}
					perGIL[s.Process] = append(perGIL[s.Process], s)
				}
			}
			continue
		}
		if s.Entity < 0 || s.Entity >= len(ents) {
			fail("span %+v: entity out of range", s)
			continue
		}
		if s.Process != ents[s.Entity].p {
			fail("span %+v: process %d, the entity belongs to %d", s, s.Process, ents[s.Entity].p)
		}
		if s.Start >= s.End || s.Start < 0 {
			fail("span %+v: empty or negative", s)
		}
		if s.Kind > SpanBlocked {
			fail("span %+v: unknown kind", s)
		}
		onCore := s.Kind == SpanRunning || s.Kind == SpanSwitching
		if onCore {
			// 3. Core in [0, cores)
			if s.Core < 0 || s.Core >= cores {
				fail("span %+v: core out of [0, %d)", s, cores)
			} else {
				perCore[s.Core] = append(perCore[s.Core], s)
			}
		} else if s.Core != -1 {
			fail("span %+v: core %d off a core", s, s.Core)
		}
		if s.HasGIL {
			if s.Kind != SpanRunning {
				fail("span %+v: HasGIL while not running", s)
			}
			if !gilProc(ents[s.Entity].proc) {
				fail("span %+v: HasGIL in a process without a GIL", s)
			}
			perGIL[s.Process] = append(perGIL[s.Process], s)
		}
		if s.Kind == SpanGILWait && !gilProc(ents[s.Entity].proc) {
			fail("span %+v: GIL wait in a process without a GIL", s)
		}
		perEnt[s.Entity] = append(perEnt[s.Entity], s)
	}
	byStart := func(ss []Span) {
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].Start < ss[j].Start })
	}
	// 3. never two entities on one core at once.
	for c, ss := range perCore {
		byStart(ss)
		var sum int64
		for k := range ss {
			sum += ss[k].End - ss[k].Start
			if k > 0 && ss[k].Start < ss[k-1].End {
				fail("core %d runs two entities at once: %+v and %+v", c, ss[k-1], ss[k])
			}
		}
		busy := res.Cores[c].Busy
		if busy < sum || (!hasLegacy && busy != sum) {
			fail("core %d: Busy %d, running+switching spans on it %d (legacy %v)", c, busy, sum, hasLegacy)
		}
		if complete && busy > res.Makespan {
			fail("core %d: Busy %d past the makespan %d", c, busy, res.Makespan)
		}
	}
	// 2. at most one GIL holder per process at any instant: threads, units
	// (their loop thread) and pool workers alike.
	for p, ss := range perGIL {
		byStart(ss)
		for k := 1; k < len(ss); k++ {
			if ss[k].Start < ss[k-1].End {
				fail("process %s: two GIL holders at once: %+v and %+v", sc.Processes[p].Name, ss[k-1], ss[k])
			}
		}
	}
	// 9. one unit at a time per runtime thread: what its units do on its
	// behalf (run, switch, wait for the GIL, block the thread) never
	// overlaps. Ready spans are left out (a unit waiting in its loop's
	// queue is ready while a sibling runs), and so are the blocked spans of
	// a parked unit: those of patched gevent and eventlet, an asyncio
	// task's io and sleep (which the span does not tell from an await), a
	// wait for an offload, a raw greenlet switched away from.
	perLoop := map[*Thread][]Span{}
	for i, e := range ents {
		if e.m == nil {
			continue
		}
		for _, s := range perEnt[i] {
			if s.Kind == SpanBlocked && (e.th.Patched || s.Why == BlockOffload || s.Why == BlockParked ||
				(e.th.Kind == ThreadAsyncio && s.Why != BlockLock)) {
				continue
			}
			if s.Kind != SpanReady {
				perLoop[e.th] = append(perLoop[e.th], s)
			}
		}
	}
	for th, ss := range perLoop {
		byStart(ss)
		for k := 1; k < len(ss); k++ {
			if ss[k].Start < ss[k-1].End {
				fail("%s thread: two units at once: %s %+v and %s %+v", th.Name, ents[ss[k-1].Entity].who(), ss[k-1], ents[ss[k].Entity].who(), ss[k])
			}
		}
	}

	// Per entity: spans never overlap; they tile [Arrival, Finish)
	// exactly for a finished thread or unit; a pool worker has gaps (idle)
	// but no span outside [Arrival, Finish]; the Result's accounting
	// matches the spans.
	var sumCPU, maxFinish int64
	procGILWait := make([]int64, len(sc.Processes))
	entSums := make([]invSums, len(ents))
	for i, e := range ents {
		tr := res.Tasks[i]
		who := e.who()
		ss := perEnt[i]
		byStart(ss)
		var sm invSums
		for k, s := range ss {
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
				if tr.Start < 0 || s.Start < tr.Start || (tr.Finished && s.End > tr.Finish) {
					fail("%s: running %+v outside [Start %d, Finish %d]", who, s, tr.Start, tr.Finish)
				}
			case SpanSwitching:
				sm.sw += d
				if d > sc.Machine.ContextSwitch {
					fail("%s: switching %+v longer than the context switch %d", who, s, sc.Machine.ContextSwitch)
				}
			case SpanReady:
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
				case BlockOffload, BlockParked:
					if e.m == nil {
						fail("%s: span %+v: only a unit waits for its offload or is parked", who, s)
					}
				default:
					fail("%s: span %+v: unknown reason", who, s)
				}
			}
			if s.Start < tr.Arrival {
				fail("%s: span %+v before its arrival %d", who, s, tr.Arrival)
			}
			if !e.plain() && tr.Finished && s.End > tr.Finish {
				fail("%s: span %+v after its finish %d", who, s, tr.Finish)
			}
			if k > 0 {
				if p := ss[k-1]; s.Start < p.End {
					fail("%s: overlapping spans %+v and %+v", who, p, s)
				} else if e.pool == nil && tr.Finished && s.Start > p.End {
					fail("%s: gap [%d, %d) between spans %+v and %+v", who, p.End, s.Start, p, s)
				}
			}
		}
		entSums[i] = sm
		if tr.Finished && e.pool == nil {
			if len(ss) > 0 {
				if ss[0].Start != tr.Arrival {
					fail("%s: first span %+v does not start at its arrival %d", who, ss[0], tr.Arrival)
				}
				if last := ss[len(ss)-1]; last.End != tr.Finish {
					fail("%s: last span %+v does not end at its finish %d", who, last, tr.Finish)
				}
			} else if tr.Finish != tr.Arrival {
				fail("%s: no spans but finish %d != arrival %d", who, tr.Finish, tr.Arrival)
			}
		}
		// accounting
		if tr.CPU != sm.run {
			fail("%s: CPU %d, running spans %d", who, tr.CPU, sm.run)
		}
		if tr.GILWait != sm.gilWait {
			fail("%s: GILWait %d, gil-wait spans %d", who, tr.GILWait, sm.gilWait)
		}
		if tr.Wait != sm.ready+sm.gilWait {
			fail("%s: Wait %d, ready+gil-wait spans %d", who, tr.Wait, sm.ready+sm.gilWait)
		}
		// a unit waiting for its offload or parked (a raw greenlet) is
		// neither in io nor waiting for a lock
		if tr.IO != sm.blockedIO || tr.LockWait != sm.blockedLock {
			fail("%s: IO %d LockWait %d, blocked spans in io or sleep %d, on a lock %d", who, tr.IO, tr.LockWait, sm.blockedIO, sm.blockedLock)
		}
		// 8.
		if tr.Wait < tr.GILWait || tr.GILWait < 0 || tr.IO < 0 || tr.LockWait < 0 || tr.CPU < 0 {
			fail("%s: Wait %d GILWait %d IO %d LockWait %d CPU %d", who, tr.Wait, tr.GILWait, tr.IO, tr.LockWait, tr.CPU)
		}
		// io, sleep and await: at least their time is IO; when they block
		// the OS thread (not in patched gevent and eventlet, where the hub
		// parks the unit), in a CPython process, add the timer slack of
		// each sleep and the OS wake-up after each call but the last.
		if tr.Finished && e.pool == nil {
			if want := invIOBound(e.proc, &sc.Machine, e.sums, 1); tr.IO < want {
				fail("%s: IO %d, its io and sleep steps take at least %d (%d io, %d steps, %d sleeps)", who, tr.IO, want, e.sums.io, e.sums.nIO, e.sums.nSleep)
			}
		}
		// 4. what the GIL allows: bytecode only with the GIL, C code only
		// without it (a unit runs on its loop thread, which runs Python only
		// while holding the GIL). Pool workers: per pool, below.
		if gilProc(e.proc) && e.pool == nil {
			if !e.sums.mayCPU && sm.runGIL != 0 {
				fail("%s: %d running with the GIL but no cpu step", who, sm.runGIL)
			}
			if !e.sums.mayNative && sm.runNoGIL != 0 {
				fail("%s: %d running without the GIL but no native step", who, sm.runNoGIL)
			}
		}
		// 5. CPU conserved, per thread and per unit (the runtime's own
		// switches are charged to no unit, offload bodies to the workers),
		// when its cpu and native steps are fixed.
		if tr.Finished && e.sums.fixed && e.pool == nil {
			if msg := invCPUConserved(e.proc, &sc.Machine, e.sums, sm, tr.CPU); msg != "" {
				fail("%s: %s", who, msg)
			}
		}
		// 6. times.
		switch {
		case e.plain():
			wantArr := e.th.Arrival
			if !e.proc.Native {
				wantArr += e.proc.Arrival
				if e.proc.Startup > 0 {
					wantArr += e.proc.Startup
				}
			}
			if tr.Arrival != wantArr && (e.proc.Native || e.proc.Startup == 0 || tr.Arrival < wantArr) {
				fail("%s: arrival %d, want %d", who, tr.Arrival, wantArr)
			}
		case e.m != nil:
			// spawned once its loop thread runs and its `at` has come; a raw
			// greenlet that another one switches to is created by the
			// switch
			// (a unit never spawned keeps arrival 0)
			wantArr := e.proc.Arrival + e.proc.Startup + e.m.Arrival
			if e.th.Kind == ThreadGreenlets && invSwitchTarget(e.th, e.m) {
				wantArr = e.proc.Arrival + e.proc.Startup
			}
			if tr.Arrival < wantArr && (tr.Finished || tr.Start >= 0 || tr.Arrival != 0) {
				fail("%s: arrival %d before %d (process start + its at)", who, tr.Arrival, wantArr)
			}
		default:
			if wantArr := e.proc.Arrival + e.proc.Startup + sc.Machine.ThreadStart; tr.Arrival < wantArr {
				fail("%s: pool worker arrives at %d, before the process start + thread start-up %d", who, tr.Arrival, wantArr)
			}
		}
		if tr.Start >= 0 && tr.Start < tr.Arrival {
			fail("%s: start %d before arrival %d", who, tr.Start, tr.Arrival)
		}
		if tr.Finished {
			if tr.Start < tr.Arrival || tr.Finish < tr.Start || tr.Finish > res.Makespan {
				fail("%s: arrival %d start %d finish %d makespan %d", who, tr.Arrival, tr.Start, tr.Finish, res.Makespan)
			}
			if tr.Turnaround != tr.Finish-tr.Arrival {
				fail("%s: turnaround %d != finish %d - arrival %d", who, tr.Turnaround, tr.Finish, tr.Arrival)
			}
			// its steps run one after the other: an offload body before the
			// unit goes on, an await for its whole duration
			if e.pool == nil && tr.Turnaround < e.sums.minTime {
				fail("%s: turnaround %d shorter than its steps one after the other (%d)", who, tr.Turnaround, e.sums.minTime)
			}
			maxFinish = max(maxFinish, tr.Finish)
		} else if tr.Finish != -1 {
			fail("%s: unfinished with finish %d", who, tr.Finish)
		}
		sumCPU += tr.CPU
		procGILWait[e.p] += tr.GILWait
	}
	// 10. pool workers: their names and number; together they run the
	// offload bodies of their pool's units (CPU, io), bytecode with the
	// GIL and C code without it, and only while a unit waits for an
	// offload; a unit does nothing but wait while its own body runs, which
	// the spans show when it is the pool's only user. (Other units of its
	// loop may run meanwhile: the GIL alone keeps them and the workers
	// apart.)
	for _, pl := range poolList {
		var sm invSums
		var cpu, io int64
		allDone := true
		for k, w := range pl.workers {
			s := entSums[w]
			sm.run += s.run
			sm.runGIL += s.runGIL
			sm.runNoGIL += s.runNoGIL
			sm.nRun += s.nRun
			cpu += res.Tasks[w].CPU
			io += res.Tasks[w].IO
			allDone = allDone && res.Tasks[w].Finished
			if want := fmt.Sprintf("%s%d", pl.prefix, k); res.Tasks[w].Name != want {
				fail("pool worker %d of %s is %s, want %s", k, pl.lp.Name, res.Tasks[w].Name, want)
			}
		}
		p := ents[pl.users[0]].proc
		who := fmt.Sprintf("%s/%s pool %s*", p.Name, pl.lp.Name, pl.prefix)
		// pool sizes: asyncio's default executor min(32, cores + 4),
		// started lazily; gevent's threadpool 10, lazily; eventlet's tpool
		// 20, all at first use
		size := min(32, cores+4)
		switch pl.lp.Kind {
		case ThreadGevent:
			size = 10
		case ThreadEventlet:
			size = 20
		}
		if n := len(pl.workers); n > size || (pl.lp.Kind == ThreadEventlet && n != 0 && n != size) {
			fail("%s: %d workers, pool size %d", who, n, size)
		}
		if want := invIOBound(p, &sc.Machine, pl.bodies, 0); complete && allDone && io < want {
			fail("%s: workers' IO %d, the offload bodies' io and sleep steps take at least %d", who, io, want)
		}
		if gilProc(p) {
			if !pl.bodies.mayCPU && sm.runGIL != 0 {
				fail("%s: %d running with the GIL but no cpu step in an offload body", who, sm.runGIL)
			}
			if !pl.bodies.mayNative && sm.runNoGIL != 0 {
				fail("%s: %d running without the GIL but no native step in an offload body", who, sm.runNoGIL)
			}
		}
		if complete && allDone && pl.bodies.fixed {
			if msg := invCPUConserved(p, &sc.Machine, pl.bodies, sm, cpu); msg != "" {
				fail("%s (offload bodies): %s", who, msg)
			}
		}
		// every stretch a worker runs lies within a wait for an offload of
		// one of the pool's units
		if complete {
			var waits []Span
			for _, u := range pl.users {
				for _, a := range perEnt[u] {
					if a.Kind == SpanBlocked && a.Why == BlockOffload {
						waits = append(waits, a)
					}
				}
			}
			for _, w := range pl.workers {
				for _, b := range perEnt[w] {
					if b.Kind != SpanRunning {
						continue
					}
					in := false
					for _, a := range waits {
						in = in || (a.Start <= b.Start && b.End <= a.End)
					}
					if !in {
						fail("%s runs %+v while no unit of its pool waits for an offload", ents[w].who(), b)
					}
				}
			}
		}
		if len(pl.users) == 1 {
			// the unit is parked while its body runs: none of its spans
			// (its own or its loop thread's) but its wait for the offload
			// meets a worker's running
			u := pl.users[0]
			var ws []Span
			for _, w := range pl.workers {
				for _, s := range perEnt[w] {
					if s.Kind == SpanRunning {
						ws = append(ws, s)
					}
				}
			}
			for _, a := range perEnt[u] {
				if a.Kind == SpanBlocked && a.Why == BlockOffload {
					continue
				}
				for _, b := range ws {
					if a.Start < b.End && b.Start < a.End {
						fail("%s is not parked (%+v) while a worker runs its offload body %+v", ents[u].who(), a, b)
					}
				}
			}
		}
	}

	// 6. every task finishes unless a deadlock, which needs locks; in a
	// deadlock every stuck thread waits for a lock (GIL waiters always get
	// the GIL in the end, and every arrival happens), and a parked unit
	// sits in a process where something waits for a lock (its loop thread
	// blocked on one for a sibling, a cooperative lock, a worker).
	if d := res.Deadlock; d != nil {
		byName := map[string]int{}
		for i, e := range ents {
			byName[e.who()] = i
		}
		explained := true
		lockWait := map[int]bool{} // processes where something waits for a lock
		for _, b := range d.Blocked {
			who, _, _ := strings.Cut(b, " (")
			i, ok := byName[who]
			if !ok {
				continue
			}
			if strings.Contains(b, "(waiting for lock ") {
				lockWait[ents[i].p] = true
			}
		}
		for _, b := range d.Blocked {
			if strings.Contains(b, "(waiting for lock ") {
				continue
			}
			explained = false
			who, _, _ := strings.Cut(b, " (")
			i, ok := byName[who]
			if !ok {
				fail("deadlock names an unknown entity %q", b)
				continue
			}
			if ents[i].m != nil && strings.HasSuffix(b, " (parked)") {
				if !lockWait[ents[i].p] {
					fail("deadlocked unit %q with nothing waiting for a lock in its process (deadlock %+v)", b, *d)
				}
				continue
			}
			fail("deadlocked entity not waiting for a lock: %q (deadlock %+v)", b, *d)
		}
		if !hasLocks && explained {
			fail("deadlock without any lock step: %+v", *d)
		}
	}
	if d := res.Deadlock; d != nil {
		// a stuck run lasts until nothing could move any more
		if res.Makespan != max(maxFinish, d.Time) {
			fail("deadlocked run: makespan %d, latest finish %d, deadlock at %d", res.Makespan, maxFinish, d.Time)
		}
	} else if res.Makespan != maxFinish {
		fail("makespan %d, latest finish %d", res.Makespan, maxFinish)
	}
	// loop lag: the longest lateness of a resume, which is the length of
	// one of the units' ready spans, of asyncio, gevent or eventlet only;
	// stall: in processes with a runtime thread only.
	lagSpan := make([]map[int64]bool, len(sc.Processes))
	hasUnits := make([]bool, len(sc.Processes))
	for i, e := range ents {
		if e.m != nil {
			hasUnits[e.p] = true
		}
		if e.m == nil || (e.th.Kind != ThreadAsyncio && e.th.Kind != ThreadGevent && e.th.Kind != ThreadEventlet) {
			continue
		}
		if lagSpan[e.p] == nil {
			lagSpan[e.p] = map[int64]bool{}
		}
		for _, s := range perEnt[i] {
			if s.Kind == SpanReady {
				lagSpan[e.p][s.End-s.Start] = true
			}
		}
	}
	for p, pr := range res.Processes {
		if pr.LoopLagMax < 0 || pr.LoopLagMean < 0 || pr.LoopLagMean > pr.LoopLagMax || pr.LoopStallMax < 0 ||
			(pr.LoopLagMax > 0 && !lagSpan[p][pr.LoopLagMax]) || (!hasUnits[p] && pr.LoopStallMax != 0) {
			fail("process %s: loop lag max %d mean %d stall max %d, its units' ready spans last %v", pr.Name, pr.LoopLagMax, pr.LoopLagMean, pr.LoopStallMax, lagSpan[p])
		}
		if pr.GILWait != procGILWait[p] {
			fail("process %s: GILWait %d, its tasks' %d", pr.Name, pr.GILWait, procGILWait[p])
		}
		if !gilProc(sc.Processes[p]) && (pr.GILWait != 0 || pr.GILHandoffs != 0 || pr.GILForcedSwitches != 0) {
			fail("process %s has no GIL: GILWait %d handoffs %d forced %d", pr.Name, pr.GILWait, pr.GILHandoffs, pr.GILForcedSwitches)
		}
	}

	// memory: the machine's peak is at least each process's and at most
	// their sum.
	var memSum int64
	for _, pr := range res.Processes {
		if pr.MemoryPeak > res.MemoryPeak || pr.MemoryPeak < 0 {
			fail("process %s: memory peak %d, the machine's %d", pr.Name, pr.MemoryPeak, res.MemoryPeak)
		}
		memSum += pr.MemoryPeak
	}
	if res.MemoryPeak > memSum {
		fail("memory peak %d above the sum of the processes' peaks %d", res.MemoryPeak, memSum)
	}

	// 5. core time: CPUTime is the tasks' CPU plus the processes'
	// start-up plus the runtimes' own switches (bytecode on the loop thread
	// charged to no unit: a whole number of switches when they all cost the
	// same); Busy adds the switch costs (and legacy spinning).
	var busy int64
	for _, c := range res.Cores {
		busy += c.Busy
	}
	slowed := sc.Machine.MulticoreSpeedPermille > 0 && sc.Machine.MulticoreSpeedPermille < 1000 && cores > 1
	if complete {
		over := res.CPUTime - sumCPU - startup
		switch {
		case slowed:
			// start-up and the runtimes' switches run slower too
			if over < 0 {
				fail("CPUTime %d, tasks' CPU %d + start-up %d = %d (multicore speed)", res.CPUTime, sumCPU, startup, sumCPU+startup)
			}
		case over < 0 || (len(loopCosts) == 0 && over != 0):
			fail("CPUTime %d, tasks' CPU %d + start-up %d = %d (runtime switch costs %v)", res.CPUTime, sumCPU, startup, sumCPU+startup, loopCosts)
		case len(loopCosts) == 1 && !loopLegacy:
			for c := range loopCosts {
				if over%c != 0 {
					fail("CPUTime %d, tasks' CPU %d + start-up %d leaves %d for the runtimes' switches, not a multiple of their cost %d", res.CPUTime, sumCPU, startup, over, c)
				}
			}
		}
	}
	if res.CPUTime < sumCPU {
		fail("CPUTime %d below the tasks' CPU %d", res.CPUTime, sumCPU)
	}
	if busy < res.CPUTime+res.SwitchTime || (!hasLegacy && busy != res.CPUTime+res.SwitchTime) {
		fail("cores busy %d, CPUTime %d + SwitchTime %d = %d (legacy GIL %v)", busy, res.CPUTime, res.SwitchTime, res.CPUTime+res.SwitchTime, hasLegacy)
	}
	swSpans, nSw := ownSw, int64(0)
	for _, ss := range perEnt {
		for _, s := range ss {
			if s.Kind == SpanSwitching {
				swSpans += s.End - s.Start
				nSw++
			}
		}
	}
	if nSw > res.ContextSwitches {
		fail("%d switching spans but %d context switches", nSw, res.ContextSwitches)
	}
	if res.SwitchTime != swSpans {
		fail("SwitchTime %d, switching spans %d", res.SwitchTime, swSpans)
	}
	if res.SwitchTime > res.ContextSwitches*sc.Machine.ContextSwitch {
		fail("SwitchTime %d > %d switches x %d", res.SwitchTime, res.ContextSwitches, sc.Machine.ContextSwitch)
	}

	// 6. utilization.
	if res.Utilization < 0 || res.Utilization > 100 || math.IsNaN(res.Utilization) {
		fail("utilization %v", res.Utilization)
	}
	if res.Makespan > 0 {
		raw := float64(busy) * 100 / (float64(res.Makespan) * float64(cores))
		if complete && raw > 100+1e-9 {
			fail("cores busy %d over a makespan of %d on %d cores: %.3f%%", busy, res.Makespan, cores, raw)
		}
		if math.Abs(math.Min(raw, 100)-res.Utilization) > 1e-9 {
			fail("utilization %v, busy over makespan gives %v", res.Utilization, raw)
		}
	} else if res.Utilization != 0 {
		fail("utilization %v with a zero makespan", res.Utilization)
	}

	// Work conservation: a runnable thread never waits while a core is
	// idle. The spans show every use of a core except legacy spinning, so
	// the check is for scenarios without a legacy GIL. A unit's ready spans
	// are left out: a unit ready in its loop's queue waits for its loop
	// thread, not for a core.
	if !hasLegacy {
		type edge struct {
			at           int64
			dOcc, dReady int
		}
		var ed []edge
		for _, s := range spans {
			switch s.Kind {
			case SpanRunning, SpanSwitching:
				ed = append(ed, edge{s.Start, 1, 0}, edge{s.End, -1, 0})
			case SpanReady:
				if ents[s.Entity].m == nil {
					ed = append(ed, edge{s.Start, 0, 1}, edge{s.End, 0, -1})
				}
			}
		}
		sort.Slice(ed, func(i, j int) bool { return ed[i].at < ed[j].at })
		occ, ready := 0, 0
		for k := 0; k < len(ed); {
			at := ed[k].at
			for k < len(ed) && ed[k].at == at {
				occ += ed[k].dOcc
				ready += ed[k].dReady
				k++
			}
			if k < len(ed) && ready > 0 && occ < cores {
				fail("[%d, %d): %d entities ready but only %d of %d cores in use", at, ed[k].at, ready, occ, cores)
				break
			}
		}
	}
	return bad
}

// invCPUConserved checks the CPU of a thread, a unit or a pool's workers
// (cpu on the CPU its spans show, sm their sums) against the fixed cpu and
// native steps s it ran; "" when it holds.
func invCPUConserved(p *Process, m *Machine, s invStepSums, sm invSums, cpu int64) string {
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

// invCoop says whether io and sleep park the units of runtime thread th
// (patched gevent and eventlet) rather than block it.
func invCoop(th *Thread) bool {
	return th.Patched && (th.Kind == ThreadGevent || th.Kind == ThreadEventlet)
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
