package simulator

// Property tests of the engine: random, bounded scenarios (native tasks and
// CPython processes with the new GIL, the legacy GIL or no GIL; every OS
// policy; plain threads and the runtime threads of asyncio, gevent and
// eventlet (patched or not), raw greenlets and generator coroutines, with
// their pool workers; every step where docs/language.md allows it, fixed or
// drawn durations; invariants_gen_test.go) are run with a Trace, and
// invariants that must hold for every scenario are checked against the
// Result and the Span stream. Each invariant is a function of the run
// (invCase, invariants_case_test.go) listed in invInvariants, whose name
// prefixes what a failure reports; a failure prints the scenario in a
// readable form.
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
	"flag"
	"fmt"
	"github.com/gilsim/gilsim/internal/longtest"
	"math"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// invPolicies are the policies TestInvariants runs, one rapid.Check (of
// -rapid.checks cases, 100 by default) each.
var invPolicies = []PolicyKind{PolicyLinux, PolicyFair, PolicyFIFO, PolicySJF, PolicySRTF, PolicyPriority, PolicyRoundRobin}

func TestInvariants(t *testing.T) {
	invCheck(t, false)
}

// TestInvariantsRuntimes runs the same properties on scenarios whose
// CPython processes all hold runtime threads (asyncio, gevent, eventlet,
// greenlets, coroutines), invRuntimeRounds times as many cases. rapid
// starts every Check at -rapid.seed, so under the pinned seed each round
// gets a seed of its own (invRoundSeed); under a seed given with
// -rapid.seed every round checks the same cases, which reproduces the
// failure of a round whose seed it is.
func TestInvariantsRuntimes(t *testing.T) {
	rounds := invRuntimeRounds
	if longtest.Enabled {
		rounds *= 4
	}
	for r := range rounds {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			if invSeedPinned {
				invRoundSeed(t, r)
			}
			invCheck(t, true)
		})
	}
}

// invRoundSeed sets -rapid.seed to round r's seed (invSeed for round 0)
// until t ends.
func invRoundSeed(t *testing.T, r int) {
	seed, err := strconv.ParseUint(invSeed, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	set := func(s string) {
		if err := flag.Set("rapid.seed", s); err != nil {
			t.Fatal(err)
		}
	}
	set(strconv.FormatUint(seed+uint64(r)<<32, 10))
	t.Cleanup(func() { set(invSeed) })
}

// invRuntimeRounds multiplies -rapid.checks for TestInvariantsRuntimes
// (four times as many under -tags long).
const invRuntimeRounds = 3

// invCheck runs the properties, one rapid.Check per policy.
func invCheck(t *testing.T, runtimes bool) {
	for _, pol := range invPolicies {
		t.Run(pol.String(), func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				sc := invGenScenarioWith(rt, pol, runtimes)
				if v := invViolations(sc); len(v) > 0 {
					rt.Fatalf("%s\nscenario:\n%s", invReport(v), invDump(sc))
				}
			})
		})
	}
}

// invViolation is one way a run breaks the invariant named inv.
type invViolation struct {
	inv string
	msg string
}

func (v invViolation) String() string { return v.inv + ": " + v.msg }

// invReport lists violations for a failure message.
func invReport(v []invViolation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invariant violation(s):", len(v))
	for _, x := range v {
		b.WriteString("\n  " + x.String())
	}
	return b.String()
}

// invFails collects how a run breaks one invariant: the first
// invMaxFails ways.
type invFails []string

const invMaxFails = 10

func (f *invFails) add(format string, args ...any) {
	if len(*f) < invMaxFails {
		*f = append(*f, fmt.Sprintf(format, args...))
	}
}

// invInvariants are the invariants every run must keep, in the order they
// are checked. Two more come first: the run ends without a panic or an
// error, a LimitError included (invRuns), and its Result lists the
// scenario's processes, cores, threads and units and its pool workers
// (invTasksMatchScenario, partly checked by invNewCase). When the Result
// cannot be read against the scenario only those marked run are checked.
var invInvariants = []struct {
	name  string
	check func(*invCase) invFails
	run   bool // needs the run only (c.sc, c.res, c.spans)
}{
	{"invNoFailure", invNoFailure, true},
	{"invDeterministic", invDeterministic, true},
	{"invTasksMatchScenario", invTasksMatchScenario, false},
	{"invSpansWellFormed", invSpansWellFormed, false},
	{"invOneEntityPerCore", invOneEntityPerCore, false},
	{"invOneGILHolder", invOneGILHolder, false},
	{"invOneUnitPerRuntimeThread", invOneUnitPerRuntimeThread, false},
	{"invSpansTileLives", invSpansTileLives, false},
	{"invAccountingMatchesSpans", invAccountingMatchesSpans, false},
	{"invIOCoversSteps", invIOCoversSteps, false},
	{"invGILMatchesStepKinds", invGILMatchesStepKinds, false},
	{"invCPUConserved", invCPUConserved, false},
	{"invTaskTimes", invTaskTimes, false},
	{"invPoolWorkers", invPoolWorkers, false},
	{"invAllFinishUnlessDeadlock", invAllFinishUnlessDeadlock, false},
	{"invMakespanIsLastFinish", invMakespanIsLastFinish, false},
	{"invLoopLag", invLoopLag, false},
	{"invProcessGILStats", invProcessGILStats, false},
	{"invMemoryPeak", invMemoryPeak, false},
	{"invCPUTime", invCPUTime, false},
	{"invSwitchTime", invSwitchTime, false},
	{"invCoreBusy", invCoreBusy, false},
	{"invUtilization", invUtilization, false},
	{"invWorkConserving", invWorkConserving, false},
}

// TestInvariantsTable checks that each invariant is listed once, under
// the name of its function, so that a failure names the code to read.
func TestInvariantsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, inv := range invInvariants {
		fn := runtime.FuncForPC(reflect.ValueOf(inv.check).Pointer()).Name()
		if _, name, _ := strings.Cut(fn, "simulator."); name != inv.name || seen[name] {
			t.Errorf("invariant %q checked by %s (listed twice: %v)", inv.name, fn, seen[name])
		}
		seen[inv.name] = true
	}
}

// invViolations runs sc and returns every invariant it breaks.
func invViolations(sc *Scenario) []invViolation {
	_, v := invCheckScenario(sc)
	return v
}

// invCheckScenario runs sc with a Trace and checks every invariant on the
// run. It returns the Result, nil when the run ended in an error.
func invCheckScenario(sc *Scenario) (*Result, []invViolation) {
	res, spans, err := invRun(sc, true)
	if err != nil {
		return nil, []invViolation{{"invRuns", "Run: " + err.Error()}}
	}
	c, unread := invNewCase(sc, res, spans)
	var v []invViolation
	for _, msg := range unread {
		v = append(v, invViolation{"invTasksMatchScenario", msg})
	}
	for _, inv := range invInvariants {
		if len(unread) > 0 && !inv.run {
			continue
		}
		for _, msg := range inv.check(c) {
			v = append(v, invViolation{inv.name, msg})
		}
	}
	return res, v
}

// invRun runs sc, with a Trace when trace is set, turning a panic into an
// error.
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

// ---------------------------------------------------------------------
// The invariants

// invNoFailure: the run reports no Failure.
func invNoFailure(c *invCase) (bad invFails) {
	if c.res.Failure != nil {
		bad.add("unexpected Failure %+v", *c.res.Failure)
	}
	return bad
}

// invDeterministic (7): the same scenario twice gives the same Result and
// Span stream, and a Trace does not change the Result.
func invDeterministic(c *invCase) (bad invFails) {
	res2, spans2, err2 := invRun(c.sc, true)
	if err2 != nil {
		bad.add("second run: %v", err2)
	} else {
		if !reflect.DeepEqual(c.res, res2) {
			bad.add("two runs of the same scenario give different results:\n%+v\n%+v", c.res, res2)
		}
		if !reflect.DeepEqual(c.spans, spans2) {
			bad.add("two runs of the same scenario give different span streams (%d and %d spans)", len(c.spans), len(spans2))
		}
	}
	if res3, _, err3 := invRun(c.sc, false); err3 != nil {
		bad.add("untraced run: %v", err3)
	} else if !reflect.DeepEqual(c.res, res3) {
		bad.add("a Trace changes the result:\n%+v\n%+v", c.res, res3)
	}
	return bad
}

// invTasksMatchScenario: Result.Tasks lists the scenario's threads and
// units in file order, each with its process and kind (invNewCase checks
// the counts and the pool workers after them).
func invTasksMatchScenario(c *invCase) (bad invFails) {
	for i, e := range c.ents[:c.nScenario] {
		if tr := c.res.Tasks[i]; tr.Name != e.name || tr.Process != e.proc.Name || tr.Kind != e.kind {
			bad.add("task %d is %s %s/%s, want %s %s/%s", i, tr.Kind, tr.Process, tr.Name, e.kind, e.proc.Name, e.name)
		}
	}
	return bad
}

// invSpansWellFormed: every span names an entity (or, for a process's own
// work, a process) that exists, lasts a positive time from t >= 0, sits on
// a core in [0, cores) exactly when it is running or switching, holds the
// GIL only while running in a process that has one, waits for a GIL only
// where there is one, switches no longer than a context switch, and is
// blocked for a known reason (a wait for an offload and a park are a
// unit's).
func invSpansWellFormed(c *invCase) (bad invFails) {
	sc, cores := c.sc, c.cores
	for _, s := range c.spans {
		if s.Entity == -1 {
			switch {
			case s.Process < 0 || s.Process >= len(sc.Processes):
				bad.add("span %+v: process out of range", s)
			case s.Kind != SpanRunning && s.Kind != SpanSwitching:
				bad.add("span %+v: a process's own work off a core", s)
			case s.Start >= s.End || s.Start < 0:
				bad.add("span %+v: empty or negative", s)
			case s.Core < 0 || s.Core >= cores:
				bad.add("span %+v: core out of [0, %d)", s, cores)
			case s.HasGIL && !invGILProc(sc.Processes[s.Process]):
				bad.add("span %+v: HasGIL in a process without a GIL", s)
			}
			continue
		}
		if s.Entity < 0 || s.Entity >= len(c.ents) {
			bad.add("span %+v: entity out of range", s)
			continue
		}
		e := &c.ents[s.Entity]
		if s.Process != e.p {
			bad.add("span %+v: process %d, the entity belongs to %d", s, s.Process, e.p)
		}
		if s.Start >= s.End || s.Start < 0 {
			bad.add("span %+v: empty or negative", s)
		}
		if s.Kind > SpanLoopWait {
			bad.add("span %+v: unknown kind", s)
		}
		if s.Kind == SpanLoopWait && e.m == nil {
			bad.add("%s: span %+v: only a loop's member waits for its loop", e.who(), s)
		}
		if s.Kind == SpanRunning || s.Kind == SpanSwitching {
			if s.Core < 0 || s.Core >= cores {
				bad.add("span %+v: core out of [0, %d)", s, cores)
			}
		} else if s.Core != -1 {
			bad.add("span %+v: core %d off a core", s, s.Core)
		}
		if s.HasGIL {
			if s.Kind != SpanRunning {
				bad.add("span %+v: HasGIL while not running", s)
			}
			if !invGILProc(e.proc) {
				bad.add("span %+v: HasGIL in a process without a GIL", s)
			}
		}
		switch s.Kind {
		case SpanGILWait:
			if !invGILProc(e.proc) {
				bad.add("span %+v: GIL wait in a process without a GIL", s)
			}
		case SpanSwitching:
			if s.End-s.Start > sc.Machine.ContextSwitch {
				bad.add("%s: switching %+v longer than the context switch %d", e.who(), s, sc.Machine.ContextSwitch)
			}
		case SpanBlocked:
			switch s.Why {
			case BlockIO, BlockSleep, BlockLock:
			case BlockOffload, BlockParked:
				if e.m == nil {
					bad.add("%s: span %+v: only a unit waits for its offload or is parked", e.who(), s)
				}
			case BlockStart:
				// being started by its process's main thread, from its
				// arrival: counted as wait
				if e.m != nil || e.pool != nil {
					bad.add("%s: span %+v: only a plain thread waits to be started", e.who(), s)
				}
			default:
				bad.add("%s: span %+v: unknown reason", e.who(), s)
			}
		}
	}
	return bad
}

// invOverlaps reports the first overlap of each stretch of spans ss
// sorted by start, described by what.
func invOverlaps(bad *invFails, ss []Span, what func(a, b Span) string) {
	for k := 1; k < len(ss); k++ {
		if ss[k].Start < ss[k-1].End {
			bad.add("%s", what(ss[k-1], ss[k]))
		}
	}
}

// invOneEntityPerCore (3): never two entities (or a process's own work)
// on one core at once.
func invOneEntityPerCore(c *invCase) (bad invFails) {
	for core, ss := range c.perCore {
		invOverlaps(&bad, ss, func(a, b Span) string {
			return fmt.Sprintf("core %d runs two entities at once: %+v and %+v", core, a, b)
		})
	}
	return bad
}

// invOneGILHolder (2): at most one GIL holder per process at any
// instant: threads, units (their loop thread), pool workers and the
// process's own work alike.
func invOneGILHolder(c *invCase) (bad invFails) {
	for p, ss := range c.perGIL {
		invOverlaps(&bad, ss, func(a, b Span) string {
			return fmt.Sprintf("process %s: two GIL holders at once: %+v and %+v", c.sc.Processes[p].Name, a, b)
		})
	}
	return bad
}

// invOneUnitPerRuntimeThread (9): one unit at a time per runtime thread:
// what its units do on its behalf (run, switch, wait for the GIL, block
// the thread) never overlaps. Ready spans are left out (a unit waiting in
// its loop's queue is ready while a sibling runs), and so are the blocked
// spans of a parked unit: those of patched gevent and eventlet, an asyncio
// task's io and sleep (which the span does not tell from an await) and its
// lock waits (asyncio.Lock), a gevent or eventlet greenlet's lock wait in a
// process with semaphores (which park it even unpatched), a wait for an
// offload, a raw greenlet switched away from.
func invOneUnitPerRuntimeThread(c *invCase) (bad invFails) {
	perLoop := map[*Thread][]Span{}
	var loops []*Thread
	for i, e := range c.ents {
		if e.m == nil {
			continue
		}
		for _, s := range c.perEnt[i] {
			if s.Kind == SpanBlocked && (e.th.Patched || s.Why == BlockOffload || s.Why == BlockParked ||
				e.th.Kind == ThreadAsyncio || (s.Why == BlockLock && len(e.proc.LockSizes) > 0 &&
				(e.th.Kind == ThreadGevent || e.th.Kind == ThreadEventlet))) {
				continue
			}
			if s.Kind != SpanReady && s.Kind != SpanLoopWait {
				if perLoop[e.th] == nil {
					loops = append(loops, e.th)
				}
				perLoop[e.th] = append(perLoop[e.th], s)
			}
		}
	}
	for _, th := range loops {
		ss := perLoop[th]
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].Start < ss[j].Start })
		invOverlaps(&bad, ss, func(a, b Span) string {
			return fmt.Sprintf("%s thread: two units at once: %s %+v and %s %+v", th.Name, c.ents[a.Entity].who(), a, c.ents[b.Entity].who(), b)
		})
	}
	return bad
}

// invSpansTileLives: an entity's spans never overlap, run only within
// [Start, Finish] and start no earlier than its arrival; a finished
// thread's or unit's spans tile [Arrival, Finish) exactly; a pool worker
// has gaps (idle) but no span after its finish, nor has a unit.
func invSpansTileLives(c *invCase) (bad invFails) {
	for i := range c.ents {
		e, tr, ss := &c.ents[i], c.res.Tasks[i], c.perEnt[i]
		who := e.who()
		for k, s := range ss {
			if s.Kind == SpanRunning && (tr.Start < 0 || s.Start < tr.Start || (tr.Finished && s.End > tr.Finish)) {
				bad.add("%s: running %+v outside [Start %d, Finish %d]", who, s, tr.Start, tr.Finish)
			}
			if s.Start < tr.Arrival {
				bad.add("%s: span %+v before its arrival %d", who, s, tr.Arrival)
			}
			if !e.plain() && tr.Finished && s.End > tr.Finish {
				bad.add("%s: span %+v after its finish %d", who, s, tr.Finish)
			}
			if k > 0 {
				if p := ss[k-1]; s.Start < p.End {
					bad.add("%s: overlapping spans %+v and %+v", who, p, s)
				} else if e.pool == nil && tr.Finished && s.Start > p.End {
					bad.add("%s: gap [%d, %d) between spans %+v and %+v", who, p.End, s.Start, p, s)
				}
			}
		}
		if !tr.Finished || e.pool != nil {
			continue
		}
		if len(ss) == 0 {
			if tr.Finish != tr.Arrival {
				bad.add("%s: no spans but finish %d != arrival %d", who, tr.Finish, tr.Arrival)
			}
			continue
		}
		if ss[0].Start != tr.Arrival {
			bad.add("%s: first span %+v does not start at its arrival %d", who, ss[0], tr.Arrival)
		}
		if last := ss[len(ss)-1]; last.End != tr.Finish {
			bad.add("%s: last span %+v does not end at its finish %d", who, last, tr.Finish)
		}
	}
	return bad
}

// invAccountingMatchesSpans (8): a task's CPU, GILWait, Wait, IO and
// LockWait are the sums of its spans, and none is negative. A unit
// waiting for its offload or parked (a raw greenlet) is neither in io
// nor waiting for a lock.
func invAccountingMatchesSpans(c *invCase) (bad invFails) {
	for i := range c.ents {
		tr, sm, who := c.res.Tasks[i], c.entSums[i], c.ents[i].who()
		if tr.CPU != sm.run {
			bad.add("%s: CPU %d, running spans %d", who, tr.CPU, sm.run)
		}
		if tr.GILWait != sm.gilWait {
			bad.add("%s: GILWait %d, gil-wait spans %d", who, tr.GILWait, sm.gilWait)
		}
		if tr.Wait != sm.ready+sm.gilWait+sm.starting {
			bad.add("%s: Wait %d, ready+gil-wait+start spans %d", who, tr.Wait, sm.ready+sm.gilWait+sm.starting)
		}
		if tr.IO != sm.blockedIO || tr.LockWait != sm.blockedLock {
			bad.add("%s: IO %d LockWait %d, blocked spans in io or sleep %d, on a lock %d", who, tr.IO, tr.LockWait, sm.blockedIO, sm.blockedLock)
		}
		if tr.Wait < tr.GILWait || tr.GILWait < 0 || tr.IO < 0 || tr.LockWait < 0 || tr.CPU < 0 {
			bad.add("%s: Wait %d GILWait %d IO %d LockWait %d CPU %d", who, tr.Wait, tr.GILWait, tr.IO, tr.LockWait, tr.CPU)
		}
	}
	return bad
}

// invIOCoversSteps: io, sleep and await steps count at least their time
// as IO (a finished thread's or unit's; a pool's workers' together once
// all are done); when they block the OS thread (not in patched gevent
// and eventlet, where the hub parks the unit), in a CPython process, add
// the timer slack of each sleep and the OS wake-up after each call but a
// thread's last.
func invIOCoversSteps(c *invCase) (bad invFails) {
	m := &c.sc.Machine
	for i, e := range c.ents {
		tr := c.res.Tasks[i]
		if !tr.Finished || e.pool != nil {
			continue
		}
		if want := invIOBound(e.proc, m, e.sums, 1); tr.IO < want {
			bad.add("%s: IO %d, its io and sleep steps take at least %d (%d io, %d steps, %d sleeps)", e.who(), tr.IO, want, e.sums.io, e.sums.nIO, e.sums.nSleep)
		}
	}
	for _, pl := range c.pools {
		if want := invIOBound(pl.proc, m, pl.bodies, 0); c.complete && pl.allDone && pl.io < want {
			bad.add("%s: workers' IO %d, the offload bodies' io and sleep steps take at least %d", pl.who(), pl.io, want)
		}
	}
	return bad
}

// invGILMatchesStepKinds (4): what the GIL allows: bytecode only with
// the GIL, C code only without it, so that a thread or a unit (which runs
// on its loop thread, which runs Python only while holding the GIL), or a
// pool's workers, run with the GIL only if it has a cpu step and without
// it only if it has a native step.
func invGILMatchesStepKinds(c *invCase) (bad invFails) {
	for i, e := range c.ents {
		if !invGILProc(e.proc) || e.pool != nil {
			continue
		}
		sm := c.entSums[i]
		if !e.sums.mayCPU && sm.runGIL != 0 {
			bad.add("%s: %d running with the GIL but no cpu step", e.who(), sm.runGIL)
		}
		if !e.sums.mayNative && sm.runNoGIL != 0 {
			bad.add("%s: %d running without the GIL but no native step", e.who(), sm.runNoGIL)
		}
	}
	for _, pl := range c.pools {
		if !invGILProc(pl.proc) {
			continue
		}
		if !pl.bodies.mayCPU && pl.sums.runGIL != 0 {
			bad.add("%s: %d running with the GIL but no cpu step in an offload body", pl.who(), pl.sums.runGIL)
		}
		if !pl.bodies.mayNative && pl.sums.runNoGIL != 0 {
			bad.add("%s: %d running without the GIL but no native step in an offload body", pl.who(), pl.sums.runNoGIL)
		}
	}
	return bad
}

// invCPUConserved (5): CPU conserved, per finished thread and unit (the
// runtime's own switches are charged to no unit, offload bodies to the
// workers) and per pool once all its workers are done, when the cpu and
// native steps are fixed (invCPUMatchesSteps).
func invCPUConserved(c *invCase) (bad invFails) {
	m := &c.sc.Machine
	for i, e := range c.ents {
		tr := c.res.Tasks[i]
		if !tr.Finished || !e.sums.fixed || e.pool != nil {
			continue
		}
		if msg := invCPUMatchesSteps(e.proc, m, e.sums, c.entSums[i], tr.CPU); msg != "" {
			bad.add("%s: %s", e.who(), msg)
		}
	}
	for _, pl := range c.pools {
		if !c.complete || !pl.allDone || !pl.bodies.fixed {
			continue
		}
		if msg := invCPUMatchesSteps(pl.proc, m, pl.bodies, pl.sums, pl.cpu); msg != "" {
			bad.add("%s (offload bodies): %s", pl.who(), msg)
		}
	}
	return bad
}

// invTaskTimes (6): a task arrives when the scenario says (a thread at
// its process's start plus its `at`; a unit once its loop thread runs and
// its `at` has come; a pool worker after the thread start-up), starts no
// earlier, and a finished one finishes within the makespan, its
// turnaround finish - arrival and no shorter than its steps one after
// the other; an unfinished one has finish -1.
func invTaskTimes(c *invCase) (bad invFails) {
	sc, res := c.sc, c.res
	for i, e := range c.ents {
		tr, who := res.Tasks[i], e.who()
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
				bad.add("%s: arrival %d, want %d", who, tr.Arrival, wantArr)
			}
		case e.m != nil:
			// a unit arrives at its `at`, however late its loop got
			// round to it; a raw greenlet that another one switches to
			// may be created earlier, by the switch (a unit never
			// spawned keeps arrival 0)
			wantArr := e.proc.Arrival + e.proc.Startup + e.m.Arrival
			target := e.th.Kind == ThreadGreenlets && invSwitchTarget(e.th, e.m)
			if target {
				wantArr = e.proc.Arrival + e.proc.Startup
			}
			spawned := tr.Finished || tr.Start >= 0 || tr.Arrival != 0
			if tr.Arrival < wantArr && spawned {
				bad.add("%s: arrival %d before %d (process start + its at)", who, tr.Arrival, wantArr)
			}
			if !target && spawned && e.proc.Startup == 0 && tr.Arrival != wantArr {
				bad.add("%s: arrival %d, want its at %d", who, tr.Arrival, wantArr)
			}
		default:
			if wantArr := e.proc.Arrival + e.proc.Startup + sc.Machine.ThreadStart; tr.Arrival < wantArr {
				bad.add("%s: pool worker arrives at %d, before the process start + thread start-up %d", who, tr.Arrival, wantArr)
			}
		}
		if tr.Start >= 0 && tr.Start < tr.Arrival {
			bad.add("%s: start %d before arrival %d", who, tr.Start, tr.Arrival)
		}
		if !tr.Finished {
			if tr.Finish != -1 {
				bad.add("%s: unfinished with finish %d", who, tr.Finish)
			}
			continue
		}
		if tr.Start < tr.Arrival || tr.Finish < tr.Start || tr.Finish > res.Makespan {
			bad.add("%s: arrival %d start %d finish %d makespan %d", who, tr.Arrival, tr.Start, tr.Finish, res.Makespan)
		}
		if tr.Turnaround != tr.Finish-tr.Arrival {
			bad.add("%s: turnaround %d != finish %d - arrival %d", who, tr.Turnaround, tr.Finish, tr.Arrival)
		}
		// an offload body runs before the unit goes on, an await for its
		// whole duration
		if e.pool == nil && tr.Turnaround < e.sums.minTime {
			bad.add("%s: turnaround %d shorter than its steps one after the other (%d)", who, tr.Turnaround, e.sums.minTime)
		}
	}
	return bad
}

// invPoolWorkers (10): a pool's workers are named after it and number no
// more than its size; they run only while a unit of the pool waits for
// an offload, and a unit does nothing but wait while its own body runs,
// which the spans show when it is the pool's only user. (Other units of
// its loop may run meanwhile: the GIL alone keeps them and the workers
// apart.) invIOCoversSteps, invGILMatchesStepKinds and invCPUConserved
// check what the workers run.
func invPoolWorkers(c *invCase) (bad invFails) {
	for _, pl := range c.pools {
		for k, w := range pl.workers {
			if want := fmt.Sprintf("%s%d", pl.prefix, k); c.res.Tasks[w].Name != want {
				bad.add("pool worker %d of %s is %s, want %s", k, pl.lp.Name, c.res.Tasks[w].Name, want)
			}
		}
		// pool sizes: asyncio's default executor min(32, cores + 4),
		// started lazily; gevent's threadpool 10, lazily; eventlet's tpool
		// 20, all at first use
		size := min(32, c.cores+4)
		switch pl.lp.Kind {
		case ThreadGevent:
			size = 10
		case ThreadEventlet:
			size = 20
		}
		if n := len(pl.workers); n > size || (pl.lp.Kind == ThreadEventlet && n != 0 && n != size) {
			bad.add("%s: %d workers, pool size %d", pl.who(), n, size)
		}
		var waits, runs []Span // the users' waits for an offload, the workers' running
		for _, u := range pl.users {
			for _, a := range c.perEnt[u] {
				if a.Kind == SpanBlocked && a.Why == BlockOffload {
					waits = append(waits, a)
				}
			}
		}
		for _, w := range pl.workers {
			for _, b := range c.perEnt[w] {
				if b.Kind != SpanRunning {
					continue
				}
				runs = append(runs, b)
				in := false
				for _, a := range waits {
					in = in || (a.Start <= b.Start && b.End <= a.End)
				}
				if c.complete && !in {
					bad.add("%s runs %+v while no unit of its pool waits for an offload", c.ents[w].who(), b)
				}
			}
		}
		if len(pl.users) != 1 {
			continue
		}
		// none of the unit's spans (its own or its loop thread's) but its
		// wait for the offload meets a worker's running
		u := pl.users[0]
		for _, a := range c.perEnt[u] {
			if a.Kind == SpanBlocked && a.Why == BlockOffload {
				continue
			}
			for _, b := range runs {
				if a.Start < b.End && b.Start < a.End {
					bad.add("%s is not parked (%+v) while a worker runs its offload body %+v", c.ents[u].who(), a, b)
				}
			}
		}
	}
	return bad
}

// invAllFinishUnlessDeadlock (6): every task finishes unless a deadlock
// is reported, which needs locks; in a deadlock every stuck thread waits
// for a lock (GIL waiters always get the GIL in the end, and every
// arrival happens), and a parked unit sits in a process where something
// waits for a lock (its loop thread blocked on one for a sibling, a
// cooperative lock, a worker).
func invAllFinishUnlessDeadlock(c *invCase) (bad invFails) {
	res := c.res
	unfinished := 0
	for _, tr := range res.Tasks {
		if !tr.Finished {
			unfinished++
		}
	}
	if res.Deadlock == nil && unfinished > 0 {
		bad.add("%d tasks unfinished and no deadlock reported", unfinished)
	}
	d := res.Deadlock
	if d == nil {
		return bad
	}
	if unfinished == 0 {
		bad.add("deadlock reported but every task finished")
	}
	byName := map[string]int{}
	for i, e := range c.ents {
		byName[e.who()] = i
	}
	lockWait := map[int]bool{} // processes where something waits for a lock
	for _, b := range d.Blocked {
		if i, ok := byName[b.Who()]; ok && b.Wait == WaitLock {
			lockWait[c.ents[i].p] = true
		}
	}
	explained := true
	for _, b := range d.Blocked {
		if b.Wait == WaitLock {
			continue
		}
		explained = false
		i, ok := byName[b.Who()]
		switch {
		case !ok:
			bad.add("deadlock names an unknown entity %q", b)
		case c.ents[i].m != nil && b.Wait == WaitParked:
			if !lockWait[c.ents[i].p] {
				bad.add("deadlocked unit %q with nothing waiting for a lock in its process (deadlock %+v)", b, *d)
			}
		default:
			bad.add("deadlocked entity not waiting for a lock: %q (deadlock %+v)", b, *d)
		}
	}
	if !c.hasLocks && explained {
		bad.add("deadlock without any lock step: %+v", *d)
	}
	return bad
}

// invMakespanIsLastFinish: the makespan is the latest finish, or in a
// deadlock the instant nothing could move any more if that is later.
func invMakespanIsLastFinish(c *invCase) (bad invFails) {
	res := c.res
	var maxFinish int64
	for _, tr := range res.Tasks {
		if tr.Finished {
			maxFinish = max(maxFinish, tr.Finish)
		}
	}
	if d := res.Deadlock; d != nil {
		if res.Makespan != max(maxFinish, d.Time) {
			bad.add("deadlocked run: makespan %d, latest finish %d, deadlock at %d", res.Makespan, maxFinish, d.Time)
		}
	} else if res.Makespan != maxFinish {
		bad.add("makespan %d, latest finish %d", res.Makespan, maxFinish)
	}
	return bad
}

// invLoopLag: a process's loop lag, the longest lateness of a resume, is
// the length of one of its units' ready spans, of asyncio, gevent or
// eventlet only; its mean is no more than its max; a loop stall happens
// in a process with units only.
func invLoopLag(c *invCase) (bad invFails) {
	lagSpan := make([]map[int64]bool, len(c.sc.Processes))
	hasUnits := make([]bool, len(c.sc.Processes))
	for i, e := range c.ents {
		if e.m != nil {
			hasUnits[e.p] = true
		}
		if e.m == nil || (e.th.Kind != ThreadAsyncio && e.th.Kind != ThreadGevent && e.th.Kind != ThreadEventlet) {
			continue
		}
		if lagSpan[e.p] == nil {
			lagSpan[e.p] = map[int64]bool{}
		}
		for _, s := range c.perEnt[i] {
			if s.Kind == SpanLoopWait {
				lagSpan[e.p][s.End-s.Start] = true
			}
		}
	}
	for p, pr := range c.res.Processes {
		if pr.LoopLagMax < 0 || pr.LoopLagMean < 0 || pr.LoopLagMean > pr.LoopLagMax || pr.LoopStallMax < 0 ||
			(pr.LoopLagMax > 0 && !lagSpan[p][pr.LoopLagMax]) || (!hasUnits[p] && pr.LoopStallMax != 0) {
			bad.add("process %s: loop lag max %d mean %d stall max %d, its units' ready spans last %v", pr.Name, pr.LoopLagMax, pr.LoopLagMean, pr.LoopStallMax, lagSpan[p])
		}
	}
	return bad
}

// invProcessGILStats: a process's GILWait is its tasks', and a process
// without a GIL has no GIL wait, hand-off or forced switch.
func invProcessGILStats(c *invCase) (bad invFails) {
	gilWait := make([]int64, len(c.sc.Processes))
	for i, e := range c.ents {
		gilWait[e.p] += c.res.Tasks[i].GILWait
	}
	for p, pr := range c.res.Processes {
		if pr.GILWait != gilWait[p] {
			bad.add("process %s: GILWait %d, its tasks' %d", pr.Name, pr.GILWait, gilWait[p])
		}
		if !invGILProc(c.sc.Processes[p]) && (pr.GILWait != 0 || pr.GILHandoffs != 0 || pr.GILForcedSwitches != 0) {
			bad.add("process %s has no GIL: GILWait %d handoffs %d forced %d", pr.Name, pr.GILWait, pr.GILHandoffs, pr.GILForcedSwitches)
		}
	}
	return bad
}

// invMemoryPeak: the machine's memory peak is at least each process's
// and at most their sum.
func invMemoryPeak(c *invCase) (bad invFails) {
	res := c.res
	var sum int64
	for _, pr := range res.Processes {
		if pr.MemoryPeak > res.MemoryPeak || pr.MemoryPeak < 0 {
			bad.add("process %s: memory peak %d, the machine's %d", pr.Name, pr.MemoryPeak, res.MemoryPeak)
		}
		sum += pr.MemoryPeak
	}
	if res.MemoryPeak > sum {
		bad.add("memory peak %d above the sum of the processes' peaks %d", res.MemoryPeak, sum)
	}
	return bad
}

// invCPUTime (5): CPUTime is at least the tasks' CPU; in a complete run
// it is the tasks' CPU plus the processes' start-up plus the runtimes' own
// switches (bytecode on the loop thread charged to no unit: a whole
// number of switches when they all cost the same), or at least the first
// two with a multicore speed below 1000‰ (which slows start-up and
// switches too).
func invCPUTime(c *invCase) (bad invFails) {
	res, m := c.res, &c.sc.Machine
	var sumCPU int64
	for _, tr := range res.Tasks {
		sumCPU += tr.CPU
	}
	slowed := m.MulticoreSpeedPermille > 0 && m.MulticoreSpeedPermille < 1000 && c.cores > 1
	if c.complete {
		over := res.CPUTime - sumCPU - c.startup
		switch {
		case slowed:
			if over < 0 {
				bad.add("CPUTime %d, tasks' CPU %d + start-up %d = %d (multicore speed)", res.CPUTime, sumCPU, c.startup, sumCPU+c.startup)
			}
		case c.hasLegacy && m.LegacySignalCost > 0:
			// a legacy main thread pays the signal cost of its contended
			// checks while it starts threads, as any holder does: a
			// multiple of it, beside the runtimes' switches
			if over < 0 || (len(c.loopCosts) == 0 && over%m.LegacySignalCost != 0) {
				bad.add("CPUTime %d, tasks' CPU %d + start-up %d leaves %d, not a multiple of the legacy signal cost %d", res.CPUTime, sumCPU, c.startup, over, m.LegacySignalCost)
			}
		case over < 0 || (len(c.loopCosts) == 0 && over != 0):
			bad.add("CPUTime %d, tasks' CPU %d + start-up %d = %d (runtime switch costs %v)", res.CPUTime, sumCPU, c.startup, sumCPU+c.startup, c.loopCosts)
		case len(c.loopCosts) == 1 && !c.loopLegacy:
			for cost := range c.loopCosts {
				if over%cost != 0 {
					bad.add("CPUTime %d, tasks' CPU %d + start-up %d leaves %d for the runtimes' switches, not a multiple of their cost %d", res.CPUTime, sumCPU, c.startup, over, cost)
				}
			}
		}
	}
	if res.CPUTime < sumCPU {
		bad.add("CPUTime %d below the tasks' CPU %d", res.CPUTime, sumCPU)
	}
	return bad
}

// invSwitchTime: SwitchTime is the switching spans', no more than a
// context switch's cost per context switch, and there are no more
// switching spans than context switches.
func invSwitchTime(c *invCase) (bad invFails) {
	res := c.res
	swSpans, nSw := c.ownSw, int64(0)
	for _, ss := range c.perEnt {
		for _, s := range ss {
			if s.Kind == SpanSwitching {
				swSpans += s.End - s.Start
				nSw++
			}
		}
	}
	if nSw > res.ContextSwitches {
		bad.add("%d switching spans but %d context switches", nSw, res.ContextSwitches)
	}
	if res.SwitchTime != swSpans {
		bad.add("SwitchTime %d, switching spans %d", res.SwitchTime, swSpans)
	}
	if res.SwitchTime > res.ContextSwitches*c.sc.Machine.ContextSwitch {
		bad.add("SwitchTime %d > %d switches x %d", res.SwitchTime, res.ContextSwitches, c.sc.Machine.ContextSwitch)
	}
	return bad
}

// invCoreBusy (5): a core's Busy is the running and switching spans on it
// (or more: legacy spinning shows in no span) and, in a complete run, no
// more than the makespan; the cores' Busy is CPUTime + SwitchTime (or
// more, legacy spinning again).
func invCoreBusy(c *invCase) (bad invFails) {
	res := c.res
	for core, ss := range c.perCore {
		var sum int64
		for _, s := range ss {
			sum += s.End - s.Start
		}
		busy := res.Cores[core].Busy
		if busy < sum || (!c.hasLegacy && busy != sum) {
			bad.add("core %d: Busy %d, running+switching spans on it %d (legacy %v)", core, busy, sum, c.hasLegacy)
		}
		if c.complete && busy > res.Makespan {
			bad.add("core %d: Busy %d past the makespan %d", core, busy, res.Makespan)
		}
	}
	if want := res.CPUTime + res.SwitchTime; c.busy < want || (!c.hasLegacy && c.busy != want) {
		bad.add("cores busy %d, CPUTime %d + SwitchTime %d = %d (legacy GIL %v)", c.busy, res.CPUTime, res.SwitchTime, want, c.hasLegacy)
	}
	return bad
}

// invUtilization (6): utilization is the cores' Busy over the makespan
// times the cores, capped at 100% (which a complete run never needs), and
// 0 with a zero makespan.
func invUtilization(c *invCase) (bad invFails) {
	res := c.res
	if res.Utilization < 0 || res.Utilization > 100 || math.IsNaN(res.Utilization) {
		bad.add("utilization %v", res.Utilization)
	}
	if res.Makespan <= 0 {
		if res.Utilization != 0 {
			bad.add("utilization %v with a zero makespan", res.Utilization)
		}
		return bad
	}
	raw := float64(c.busy) * 100 / (float64(res.Makespan) * float64(c.cores))
	if c.complete && raw > 100+1e-9 {
		bad.add("cores busy %d over a makespan of %d on %d cores: %.3f%%", c.busy, res.Makespan, c.cores, raw)
	}
	if math.Abs(math.Min(raw, 100)-res.Utilization) > 1e-9 {
		bad.add("utilization %v, busy over makespan gives %v", res.Utilization, raw)
	}
	return bad
}

// invWorkConserving: a runnable thread never waits while a core is idle.
// The spans show every use of a core except legacy spinning, so the check
// is for scenarios without a legacy GIL. A unit's ready spans are left
// out: a unit ready in its loop's queue waits for its loop thread, not
// for a core.
//
// The linux policy keeps a run queue per core: a task may wait on a busy
// core while another is idle, until the balancer pulls it, at a tick,
// once the core has been idle balance_idle (or the task has waited that
// long). So each core may stay idle while a task is ready for
// balance_idle and a tick (one more for slack); the bound is per core,
// as the balancer's is: with 20 pool workers that only start and block,
// and a context switch as long as the tick, the idle cores pull one each
// at every tick and take turns being idle, so that some core is idle
// with a task ready for as long as workers are left to start. A pulled
// thread that needs no CPU (a pool worker that starts only to block on
// its queue, or exits) leaves its core idle again at once, and the next
// pull comes a tick later; its run has no span, so the instant it ends
// its ready span without a run beginning starts every idle core's
// stretch afresh.
func invWorkConserving(c *invCase) (bad invFails) {
	if c.hasLegacy {
		return nil
	}
	type edge struct {
		at     int64
		core   int // the core whose use changes by dOcc
		dOcc   int
		dReady int
		empty  bool // a thread ran for no time: its ready span ends, and no run begins
	}
	var ed []edge
	began := map[[2]int64]bool{} // entity, time: a running or switching span begins
	for _, s := range c.spans {
		if s.Kind == SpanRunning || s.Kind == SpanSwitching {
			began[[2]int64{int64(s.Entity), s.Start}] = true
		}
	}
	for _, s := range c.spans {
		switch s.Kind {
		case SpanRunning, SpanSwitching:
			if s.Core >= 0 && s.Core < c.cores {
				ed = append(ed, edge{at: s.Start, core: s.Core, dOcc: 1}, edge{at: s.End, core: s.Core, dOcc: -1})
			}
		case SpanReady:
			if s.Entity >= 0 && s.Entity < len(c.ents) && c.ents[s.Entity].m == nil {
				ed = append(ed, edge{at: s.Start, dReady: 1},
					edge{at: s.End, dReady: -1, empty: !began[[2]int64{int64(s.Entity), s.End}]})
			}
		}
	}
	sort.Slice(ed, func(i, j int) bool { return ed[i].at < ed[j].at })
	allowIdle := int64(0)
	if c.sc.Policy == PolicyLinux {
		allowIdle = c.sc.Machine.BalanceIdle + 2*c.sc.Machine.Tick
	}
	occ := make([]int, c.cores)
	idleFrom := make([]int64, c.cores) // since when the core has been idle with a task ready (-1: it is not)
	for i := range idleFrom {
		idleFrom[i] = -1
	}
	ready := 0
	for k := 0; k < len(ed); {
		at := ed[k].at
		empty := false
		for k < len(ed) && ed[k].at == at {
			occ[ed[k].core] += ed[k].dOcc
			ready += ed[k].dReady
			empty = empty || ed[k].empty
			k++
		}
		for core := range occ {
			if ready == 0 || occ[core] > 0 {
				idleFrom[core] = -1
				continue
			}
			if idleFrom[core] < 0 || (empty && allowIdle > 0) {
				idleFrom[core] = at
			}
			if k < len(ed) && ed[k].at-idleFrom[core] > allowIdle {
				bad.add("[%d, %d): %d entities ready but core %d idle (since %d; allowed %d)", at, ed[k].at, ready, core, idleFrom[core], allowIdle)
				return bad
			}
		}
	}
	return bad
}
