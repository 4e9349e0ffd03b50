package simulator

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"

	"testing"

	"pgregory.net/rapid"
)

// The OS policies answer their questions about the cores from indexes
// (the linux policy's core sets and victim heap, the fair policy's running set, coreSet) instead
// of passes over every core. These tests run generated scenarios with a
// policy wrapped so that, before each question the engine asks, every
// index answer is compared with the plain pass it replaces.

// genCoresScenario draws native tasks (and perhaps a few Python threads)
// on few or many cores, with nice levels, priorities, fixed or drawn
// times, and the linux policy's clock turned down so that its balancer
// and fork placement act often.
func genCoresScenario(t *rapid.T, pol PolicyKind) *Scenario {
	m := DefaultMachine()
	m.ContextSwitch = rapid.SampledFrom([]int64{0, 2000, 30000}).Draw(t, "cs")
	m.WakeupLatency = rapid.SampledFrom([]int64{0, 24000}).Draw(t, "wl")
	m.Tick = rapid.SampledFrom([]int64{4_000_000, 1_000_000, 250_000}).Draw(t, "tick")
	m.BalanceIdle = rapid.SampledFrom([]int64{0, 250_000, 1_000_000}).Draw(t, "bidle")
	m.BalanceBusy = rapid.SampledFrom([]int64{2_000_000, 10_000_000}).Draw(t, "bbusy")
	m.BalanceFlip = rapid.SampledFrom([]int64{3_000_000, 20_000_000}).Draw(t, "bflip")
	m.ForkRamp = rapid.SampledFrom([]int64{0, 1_000_000, 10_000_000}).Draw(t, "ramp")
	cores := rapid.SampledFrom([]int{1, 2, 3, 8, 63, 65, 130}).Draw(t, "cores")
	sc := &Scenario{Title: "cores", Seed: rapid.Uint64().Draw(t, "seed"), Cores: cores, Policy: pol, Machine: m}
	n := rapid.IntRange(1, 3*cores+5).Draw(t, "tasks")
	fixed := rapid.Bool().Draw(t, "fixed")
	dur := func(a, b int64) Dist {
		if fixed {
			return Fixed(a)
		}
		return Dist{Kind: DistUniform, A: a, B: b}
	}
	p := &Process{Name: "n", Native: true}
	for i := range n {
		var at int64
		if rapid.IntRange(0, 2).Draw(t, "has_at") == 0 {
			at = int64(rapid.IntRange(0, 40).Draw(t, "at")) * 250_000
		}
		r := int64(rapid.IntRange(1, 5).Draw(t, "rounds"))
		steps := []Step{repeat(r, Step{Op: OpCPU, Dur: dur(250_000, 3_000_000)}, Step{Op: OpIO, Dur: dur(250_000, 2_000_000)})}
		p.Threads = append(p.Threads, &Thread{Name: "t" + strconv.Itoa(i), Arrival: at, Priority: rapid.IntRange(0, 3).Draw(t, "prio"),
			Nice: rapid.SampledFrom([]int{0, 0, 0, 5, -5, 19}).Draw(t, "nice"), Steps: steps})
	}
	sc.Processes = append(sc.Processes, p)
	if rapid.Bool().Draw(t, "python") {
		py := &Process{Name: "py", GIL: GIL{Mode: GILInterval, Interval: 5 * ms}}
		for i := range rapid.IntRange(1, 5).Draw(t, "threads") {
			py.Threads = append(py.Threads, &Thread{Name: "p" + strconv.Itoa(i), Steps: []Step{cpu(2 * ms), io(ms), cpu(ms)}})
		}
		sc.Processes = append(sc.Processes, py)
	}
	return sc
}

// checkedPolicy is a policy whose indexes are checked before each of the
// engine's questions.
type checkedPolicy struct {
	osPolicy
	check func(what string)
}

func (c checkedPolicy) nextCore(from int) int { c.check("nextCore"); return c.osPolicy.nextCore(from) }
func (c checkedPolicy) victim() *thread       { c.check("victim"); return c.osPolicy.victim() }
func (c checkedPolicy) tick()                 { c.check("tick"); c.osPolicy.tick() }
func (c checkedPolicy) enqueue(t *thread)     { c.check("enqueue"); c.osPolicy.enqueue(t) }
func (c checkedPolicy) admit(t *thread, woke bool) {
	c.check("admit")
	c.osPolicy.admit(t, woke)
}

// runChecked runs sc with its policy's check, which reports a mismatch
// with t.Fatalf.
func runChecked(t *rapid.T, sc *Scenario, check func(e *engine) string) {
	e := newEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
	e.pol = checkedPolicy{osPolicy: e.pol, check: func(what string) {
		if msg := check(e); msg != "" {
			t.Fatalf("at %d, before %s: %s", e.now, what, msg)
		}
	}}
	e.loop()
}

func TestLinuxIndexMatchesScan(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyLinux)
		runChecked(rt, sc, func(e *engine) string {
			return linuxIndexMismatch(e, e.pol.(checkedPolicy).osPolicy.(*linuxPolicy))
		})
	})
}

// TestLinuxBalanceMatchesScan runs generated scenarios with the idle
// balance's donors found by its tree and by a pass over the cores: the
// results must be the same.
func TestLinuxBalanceMatchesScan(t *testing.T) {
	defer func() { linuxBalanceScan = false }()
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyLinux)
		var res [2]*Result
		for i, scan := range []bool{false, true} {
			linuxBalanceScan = scan
			_, res[i] = runEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
		}
		if !reflect.DeepEqual(res[0], res[1]) {
			rt.Fatalf("the tree's run differs from the scan's")
		}
	})
}

// linuxIndexMismatch compares each of p's index answers with a pass over
// the cores, as the policy made them before its index.
func linuxIndexMismatch(e *engine, p *linuxPolicy) string {
	idle := -1
	var avail []int
	var victim *thread
	for c := range p.queues {
		cq := &p.queues[c]
		cur := e.cores[c].cur
		if idle < 0 && cq.load == 0 && cur < 0 {
			idle = c
		}
		if cur < 0 && cq.waiting() {
			avail = append(avail, c)
		}
		if victim == nil && cq.woken.len() > 0 && cur >= 0 && e.now-e.threads[cur].os.sliceBase >= p.baseSlice {
			victim = e.threads[cur]
		}
	}
	if got := p.idleCore(); got != idle {
		return "idleCore " + strconv.Itoa(got) + ", want " + strconv.Itoa(idle)
	}
	var got []int
	for c := p.nextCore(0); c >= 0; c = p.nextCore(c + 1) {
		got = append(got, c)
	}
	if !slices.Equal(got, avail) {
		return "idle cores with a task queued differ"
	}
	if v := p.victim(); v != victim {
		return "victim differs"
	}
	// the fork placement: an idle core, else the least established load,
	// the previous fork's core on a tie, else the first
	fork := int32(idle)
	if idle < 0 {
		bestN := 0
		for c := range p.queues {
			recent := 0
			for _, f := range p.forks[p.forksH:] {
				if int(f.c) == c && f.at > e.now-e.m.ForkRamp {
					recent++
				}
			}
			if n := max(p.queues[c].load-recent, 0); fork < 0 || n < bestN || (n == bestN && int32(c) == p.lastFork) {
				fork, bestN = int32(c), n
			}
		}
	}
	last := p.lastFork
	got2 := p.forkTarget()
	p.lastFork = last // the check must not change the run
	if got2 != fork {
		return "forkTarget " + strconv.Itoa(int(got2)) + ", want " + strconv.Itoa(int(fork))
	}
	return ""
}

func TestFairVictimIndexMatchesScan(t *testing.T) {
	defer func(m int) { runVScanMax = m }(runVScanMax)
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyFair)
		runVScanMax = rapid.SampledFrom([]int{0, 64}).Draw(rt, "fair_scan_max")
		runChecked(rt, sc, func(e *engine) string {
			p := e.pol.(checkedPolicy).osPolicy.(*fairPolicy)
			if p.run == nil || e.waiting == 0 {
				return ""
			}
			// the pass the index replaces
			var worst *thread
			var v int64
			for c := range e.cores {
				id := e.cores[c].cur
				if id < 0 {
					worst = nil
					break
				}
				if k := p.vruntimeNow(e.threads[id]); worst == nil || k >= v {
					worst, v = e.threads[id], k
				}
			}
			if worst == nil {
				if e.busyCores == len(e.cores) {
					return "a core idle to the pass, none to the engine"
				}
				return ""
			}
			got, gv := p.furthest(func(int64) bool { return true })
			if got != worst || gv != v {
				return "furthest thread " + strconv.Itoa(int(idxOf(got))) + " at " + strconv.FormatInt(gv, 10) +
					", want " + strconv.Itoa(int(worst.idx)) + " at " + strconv.FormatInt(v, 10)
			}
			return ""
		})
	})
}

// TestFairOnMatchesThreads runs generated scenarios on up to
// runVScanMax cores, with the fair policy's copies of what it needs of
// each core's thread (p.on) compared with the thread itself before each
// of the engine's questions.
func TestFairOnMatchesThreads(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyFair)
		runChecked(rt, sc, func(e *engine) string {
			p := e.pol.(checkedPolicy).osPolicy.(*fairPolicy)
			if p.on == nil {
				return ""
			}
			for c := range e.cores {
				id := e.cores[c].cur
				if id < 0 {
					continue
				}
				r := e.threads[id]
				if want := (fairOn{vr: r.os.vruntime, since: r.os.onSince, w: r.weight()}); p.on[c] != want {
					return "core " + strconv.Itoa(c) + ": copy " + fmt.Sprint(p.on[c]) + ", thread " + fmt.Sprint(want)
				}
			}
			return ""
		})
	})
}

// TestFairFurthestFloorTie: two threads of one nice level whose virtual
// runtimes now are equal only through the floor (different A): the later
// core wins, as in the pass over the cores, although its thread is not
// the last of its weight's set.
func TestFairFurthestFloorTie(t *testing.T) {
	e := &engine{cores: []core{{cur: 0}, {cur: 1}}, busyCores: 2, now: 820}
	p := &fairPolicy{fairQueue: newFairQueue(e), run: newFairRunning(2)}
	e.pol = p
	// nice 1 weighs 820: after 819 ns a thread's vruntime grows by 1022,
	// after 820 ns by 1024
	y := &thread{idx: 0}
	y.os.nice, y.os.vruntime, y.os.onSince, y.os.core = 1, 2, 1, 0
	x := &thread{idx: 1}
	x.os.nice, x.os.vruntime, x.os.onSince, x.os.core = 1, 0, 0, 1
	e.threads = []*thread{y, x}
	for _, th := range e.threads {
		p.run.add(th, th.os.core, e.now)
	}
	if vy, vx := p.vruntimeNow(y), p.vruntimeNow(x); vy != 1024 || vx != 1024 {
		t.Fatalf("setup: vruntimes now %d and %d, want 1024 both", vy, vx)
	}
	if got, v := p.furthest(func(int64) bool { return true }); got != x || v != 1024 {
		t.Errorf("furthest: thread %d at %d, want thread 1 (core 1) at 1024", idxOf(got), v)
	}
}

func TestPriorityVictimIndexMatchesScan(t *testing.T) {
	defer func(m int) { runVScanMax = m }(runVScanMax)
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyPriority)
		runVScanMax = rapid.SampledFrom([]int{0, 64}).Draw(rt, "scan_max")
		runChecked(rt, sc, func(e *engine) string {
			p := e.pol.(checkedPolicy).osPolicy.(*priorityPolicy)
			if p.running == nil || e.waiting == 0 {
				return ""
			}
			saved := p.running
			p.running = nil
			want := p.victim() // the pass over the cores
			p.running = saved
			got := p.victim()
			if got != want {
				return "priority victim differs"
			}
			return ""
		})
	})
}

// TestSortThreadsStable: the long lists' merge sort orders as the
// insertion sort does (both stable), ties and all.
func TestSortThreadsStable(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 200).Draw(rt, "n")
		var a []*thread
		for i := range n {
			th := &thread{idx: int32(i), file: int32(rapid.IntRange(0, 20).Draw(rt, "file"))}
			a = append(a, th)
		}
		b := append([]*thread(nil), a...)
		less := func(x, y *thread) bool { return x.file < y.file }
		sortThreads(a, less)
		for i := 1; i < len(b); i++ { // the insertion sort
			for j := i; j > 0 && less(b[j], b[j-1]); j-- {
				b[j], b[j-1] = b[j-1], b[j]
			}
		}
		for i := range a {
			if a[i] != b[i] {
				rt.Fatalf("position %d: thread %d, want %d", i, a[i].idx, b[i].idx)
			}
		}
	})
}

// TestFairFindLead: findLead's pass over the cores' copies against its
// definition. The lead is usable when every copy is plain (weight 1024,
// |vr| < 2^60, 0 ≤ since < 2^53); then worst is the core of greatest
// vr − since, the later core on a tie, key that difference, and maxSince
// the greatest since.
func TestFairFindLead(t *testing.T) {
	for _, c := range []struct {
		on   []fairOn
		want fairLead
	}{
		// keys 90, 50, 100, 90
		{[]fairOn{{100, 10, 1024}, {50, 0, 1024}, {200, 100, 1024}, {95, 5, 1024}},
			fairLead{ok: true, usable: true, worst: 2, key: 100, maxSince: 100}},
		// a tie of keys (10): the later core
		{[]fairOn{{10, 0, 1024}, {20, 10, 1024}},
			fairLead{ok: true, usable: true, worst: 1, key: 10, maxSince: 10}},
		// negative keys, the first core's the greatest
		{[]fairOn{{-5, 0, 1024}, {-30, 20, 1024}, {0, 40, 1024}},
			fairLead{ok: true, usable: true, worst: 0, key: -5, maxSince: 40}},
		{[]fairOn{{7, 3, 1024}}, fairLead{ok: true, usable: true, worst: 0, key: 4, maxSince: 3}},
		// a copy of another weight, or of an idle core: not usable
		{[]fairOn{{100, 10, 1024}, {50, 0, 820}}, fairLead{ok: true}},
		{[]fairOn{{math.MaxInt64, 10, 1024}, {50, 0, 1024}}, fairLead{ok: true}},
	} {
		p := &fairPolicy{on: c.on}
		p.findLead()
		got := p.lead
		if !got.usable {
			got = fairLead{ok: got.ok} // (the rest is not read)
		}
		if got != c.want {
			t.Errorf("%v: lead %+v, want %+v", c.on, got, c.want)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(rt, "cores")
		p := &fairPolicy{on: make([]fairOn, n)}
		want := fairLead{ok: true, usable: true}
		for i := range p.on {
			o := &p.on[i]
			o.vr = rapid.Int64Range(-50, 50).Draw(rt, "vr")
			o.since = rapid.Int64Range(0, 50).Draw(rt, "since")
			o.w = rapid.SampledFrom([]int64{1024, 1024, 1024, 820}).Draw(rt, "w")
			if o.w != 1024 {
				want.usable = false
			}
			if k := o.vr - o.since; i == 0 || k >= want.key {
				want.worst, want.key = i, k
			}
			if i == 0 || o.since > want.maxSince {
				want.maxSince = o.since
			}
		}
		p.findLead()
		got := p.lead
		if !want.usable {
			got, want = fairLead{ok: got.ok, usable: got.usable}, fairLead{ok: true}
		}
		if got != want {
			rt.Fatalf("%v: lead %+v, want %+v", p.on, got, want)
		}
	})
}
