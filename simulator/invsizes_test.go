package simulator

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/gilsim/gilsim/internal/longtest"
)

// The engine switches representations at sizes: the GIL's sleeping
// waiters are scanned up to treeAbove (back below treeBelow) and kept in a
// phase set past it, a sorted slice up to sliceMax (back below sliceMin)
// and a B-tree past it; the fair policy scans the running vruntimes on up
// to runVScanMax cores and keeps a heap past them. The invariants of
// TestInvariants draw at most six threads on four cores, so none of these
// switches was ever crossed there (72 threads hung the engine). This
// property draws thread, member and core counts around every threshold,
// with small programs, and checks the same invariants.

// invThresholds are sizes on both sides of every switch of representation.
func invThresholds() []int {
	var out []int
	for _, t := range []int{treeBelow, treeAbove, sliceMin, sliceMax, runVScanMax} {
		out = append(out, t-1, t, t+1, t+2)
	}
	return append(out, 72, 100)
}

func TestInvariantsAtThresholds(t *testing.T) {
	if testing.Short() || !longtest.Enabled {
		t.Skip("runs scenarios of up to 2,050 threads; " + longtest.Reason)
	}
	rapid.Check(t, func(rt *rapid.T) {
		sc := invGenSized(rt)
		if v := invViolations(sc); len(v) > 0 {
			rt.Fatalf("%s\nscenario: %d processes, %d threads in the first, %d cores, policy %v",
				invReport(v), len(sc.Processes), len(sc.Processes[0].Threads), sc.Cores, sc.Policy)
		}
	})
}

// invGenSized draws a scenario whose sizes sit around the engine's
// thresholds: one CPython process of many threads (or one runtime thread
// of many members), and perhaps native tasks, on a core count drawn
// around the fair policy's threshold too.
func invGenSized(t *rapid.T) *Scenario {
	g := &invGen{t: t, grain: rapid.SampledFrom([]int64{100_000, 1_000, 1}).Draw(t, "grain"), fixed: rapid.Bool().Draw(t, "all-fixed")}
	m := DefaultMachine()
	m.ContextSwitch = int64(rapid.IntRange(0, 20).Draw(t, "context_switch_us")) * 1000
	m.WakeupLatency = int64(rapid.IntRange(0, 50).Draw(t, "wakeup_us")) * 1000
	m.TimerSlack = rapid.SampledFrom([]int64{0, 50_000}).Draw(t, "timer_slack")
	m.GILHandoff = GILHandoff(rapid.IntRange(0, 2).Draw(t, "gil_handoff"))
	sizes := invThresholds()
	n := rapid.SampledFrom(sizes).Draw(t, "entities")
	cores := rapid.SampledFrom(append([]int{1, 2, 3}, sizes...)).Draw(t, "cores")
	pol := rapid.SampledFrom(invPolicies).Draw(t, "policy")
	sc := &Scenario{Title: "sized", Seed: rapid.Uint64().Draw(t, "seed"), Cores: cores, Policy: pol, Machine: m}
	if pol == PolicyRoundRobin {
		sc.Quantum = int64(rapid.IntRange(1, 5).Draw(t, "quantum_ms")) * ms
	}
	// a 1 ns interval only with a wake-up latency: with neither latency nor
	// slack a timed wait lasts 1 ns, and the holder is asked to drop every
	// nanosecond (correct, and millions of events per simulated ms)
	// Short intervals only for up to a hundred threads: every timed wait
	// that ends while the GIL is free wakes its waiter, so with thousands
	// of waiters a short interval costs thousands of events per interval
	// (as it costs a real machine thousands of wake-ups).
	intervals := []int64{500_000, 5 * ms}
	if n <= 100 {
		intervals = append(intervals, 5_000)
		if m.WakeupLatency >= 10_000 {
			intervals = append(intervals, 1)
		}
	}
	gil := GIL{Mode: GILInterval, Interval: rapid.SampledFrom(intervals).Draw(t, "interval")}
	if rapid.IntRange(0, 3).Draw(t, "legacy") == 0 {
		gil = GIL{Mode: GILLegacy, Check: int64(rapid.IntRange(100, 400).Draw(t, "check"))}
	}
	p := &Process{Name: "p", GIL: gil}
	// every entity gets a small program, its share of a total CPU budget,
	// so that the largest sizes cost no more events than the smallest
	// up to a hundred entities, each may hold the GIL for several
	// intervals (a waiter's timed waits then cycle); past that, each gets
	// its share of a total
	share := max(int64(rapid.SampledFrom([]int64{20, 100, 300}).Draw(t, "cpu_total_ms"))*ms/int64(n), g.grain)
	if n <= 100 {
		share = int64(rapid.SampledFrom([]int64{200, 2000, 10000}).Draw(t, "cpu_each_us")) * 1000
	}
	perEntity := func() []Step {
		g.budget = share
		return g.steps(1, 1, 0, nil)
	}
	if kind := rapid.IntRange(0, 3).Draw(t, "shape"); kind == 3 {
		// the crowd users write first: `thread "t" x N { cpu D }`, all
		// at once, every thread holding the GIL for intervals on end
		d := max(share, 3*gil.Interval)
		if n > 100 {
			// a drop request or two each: every free window wakes the
			// waiters whose timed waits end in it, a tenth of thousands
			d = gil.Interval + gil.Interval/2
		}
		steps := []Step{cpu(d)}
		if rapid.Bool().Draw(t, "crowd_io") {
			steps = append(steps, io(d/4), cpu(d/2))
		}
		for i := range n {
			p.Threads = append(p.Threads, &Thread{Name: fmt.Sprintf("t#%d", i+1), Steps: steps})
		}
	} else if kind == 0 {
		// as `thread "t" x N`: replicas share one program
		steps := perEntity()
		for i := range n {
			p.Threads = append(p.Threads, &Thread{Name: fmt.Sprintf("t#%d", i+1), Steps: steps})
		}
	} else if kind == 1 {
		for i := range n {
			p.Threads = append(p.Threads, &Thread{Name: fmt.Sprintf("t%d", i), Arrival: g.dur("thread_arrival", 2*ms), Steps: perEntity()})
		}
	} else {
		k := rapid.SampledFrom([]ThreadKind{ThreadAsyncio, ThreadGevent, ThreadEventlet, ThreadGreenlets, ThreadCoroutines}).Draw(t, "runtime")
		c := invStepCtx{ctx: map[ThreadKind]invCtx{ThreadAsyncio: invCtxAsyncio, ThreadGevent: invCtxGreen, ThreadEventlet: invCtxGreen, ThreadGreenlets: invCtxRaw, ThreadCoroutines: invCtxGen}[k], nmembers: n, noYield: n == 1}
		th := &Thread{Name: k.String(), Kind: k, Patched: true}
		for i := range n {
			g.budget = share
			th.Members = append(th.Members, &Member{Name: fmt.Sprintf("m#%d", i+1), Steps: g.ctxSteps(c, 1, 1, nil)})
		}
		p.Threads = []*Thread{th}
		// beside it, plain threads around the waiters' thresholds
		for i := range rapid.SampledFrom([]int{0, treeAbove + 1}).Draw(t, "threads_beside") {
			p.Threads = append(p.Threads, &Thread{Name: fmt.Sprintf("t%d", i), Steps: []Step{cpu(100_000), io(100_000), cpu(100_000)}})
		}
	}
	sc.Processes = append(sc.Processes, p)
	for i := range rapid.IntRange(0, 2).Draw(t, "native_tasks") {
		sc.Processes = append(sc.Processes, &Process{Name: fmt.Sprintf("n%d", i), Native: true,
			Threads: []*Thread{{Name: fmt.Sprintf("n%d", i), Steps: []Step{cpu(ms), io(ms), cpu(ms)}}}})
	}
	return sc
}
