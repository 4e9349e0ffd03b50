package simulator

import (
	"runtime"
	"strconv"
	"testing"
)

// genThreads builds a CPython process with n threads of `steps` short
// cpu/io rounds each: the shape of the threads + GIL benchmark.
func genThreads(n int, rounds int64, gil GILMode) *Scenario {
	body := []Step{repeat(rounds, cpu(100_000), io(1_000_000))}
	p := &Process{Name: "app", GIL: GIL{Mode: gil, Interval: 5_000_000, Check: 100}}
	for i := 0; i < n; i++ {
		p.Threads = append(p.Threads, &Thread{Name: "w#" + strconv.Itoa(i+1), Steps: body})
	}
	return scenario(2, PolicyFair, 0, p)
}

// genLoop builds one process with a runtime thread of n units.
func genLoop(kind ThreadKind, n int, rounds int64) *Scenario {
	var body []Step
	switch kind {
	case ThreadAsyncio:
		body = []Step{repeat(rounds, cpu(100_000), Step{Op: OpAwaitIO, Dur: Fixed(1_000_000)})}
	case ThreadCoroutines:
		// a trampoline's generators only yield: a blocking call would
		// stop them all
		body = []Step{repeat(rounds, cpu(100_000), Step{Op: OpYield})}
	default:
		body = []Step{repeat(rounds, cpu(100_000), io(1_000_000))}
	}
	var ms []*Member
	for i := 0; i < n; i++ {
		steps := body
		if kind == ThreadGreenlets {
			// raw greenlets in a ring, each switching to the next
			steps = []Step{repeat(rounds, cpu(100_000), Step{Op: OpSwitch, Target: (i + 1) % n})}
		}
		ms = append(ms, &Member{Name: "u#" + strconv.Itoa(i+1), Steps: steps})
	}
	p := &Process{Name: "app", GIL: GIL{Mode: GILInterval, Interval: 5_000_000},
		Threads: []*Thread{{Name: kind.String(), Kind: kind, Patched: true, Members: ms}}}
	return scenario(2, PolicyFair, 0, p)
}

func benchRun(b *testing.B, sc *Scenario) {
	b.ReportAllocs()
	var events int64
	for i := 0; i < b.N; i++ {
		r, err := Run(sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkThreadsGIL(b *testing.B)  { benchRun(b, genThreads(100, 100, GILInterval)) }
func BenchmarkNativeTasks(b *testing.B) { benchRun(b, genThreads(100, 100, GILOff)) }
func BenchmarkAsyncio(b *testing.B)     { benchRun(b, genLoop(ThreadAsyncio, 100, 100)) }
func BenchmarkGevent(b *testing.B)      { benchRun(b, genLoop(ThreadGevent, 100, 100)) }

func BenchmarkEventlet(b *testing.B)   { benchRun(b, genLoop(ThreadEventlet, 100, 100)) }
func BenchmarkGreenlets(b *testing.B)  { benchRun(b, genLoop(ThreadGreenlets, 100, 100)) }
func BenchmarkCoroutines(b *testing.B) { benchRun(b, genLoop(ThreadCoroutines, 100, 100)) }

// benchScale runs a 100,000-entity scenario of 100 steps each (50 rounds
// of cpu + io) and reports the engine's memory per entity before the run.
func benchScale(b *testing.B, sc *Scenario, entities int) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := newEngine(sc, Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime})
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEntity := float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / float64(entities)
	runtime.KeepAlive(e)
	var events int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Run(sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(perEntity, "B/entity")
}

func BenchmarkScale100kThreads(b *testing.B) {
	benchScale(b, genThreads(100_000, 50, GILOff), 100_000)
}

func BenchmarkScale100kGreenlets(b *testing.B) {
	benchScale(b, genLoop(ThreadGevent, 100_000, 50), 100_000)
}

func BenchmarkScale100kCoroutines(b *testing.B) {
	benchScale(b, genLoop(ThreadAsyncio, 100_000, 50), 100_000)
}

// BenchmarkManyCores: 2,000 processes of short cpu/io rounds on a million
// cores under the fair policy. The fair slice and minimum vruntime come
// from running aggregates, not a pass over every core at every placement
// (which took minutes here).
func BenchmarkManyCores(b *testing.B) {
	var ps []*Process
	for i := 0; i < 2000; i++ {
		ps = append(ps, &Process{Name: "p#" + strconv.Itoa(i+1), GIL: GIL{Mode: GILInterval, Interval: 5_000_000},
			Threads: []*Thread{{Name: "w", Steps: []Step{repeat(50, cpu(500_000), io(1_000_000))}}}})
	}
	benchRun(b, scenario(MaxEntities, PolicyFair, 0, ps...))
}

// BenchmarkMoreThreadsThanCores: 4,000 tasks of drawn cpu/io rounds on
// 2,000 cores under the fair policy, so that threads wait for cores at
// most instants. The expiries of running slices are scheduled once, when
// someone starts waiting, not at every dispatch, and the wake-up
// preemption finds its victim in an ordered set of the running threads
// (policy_fair_index.go), not by a pass over the cores.
func BenchmarkMoreThreadsThanCores(b *testing.B) {
	round := []Step{repeat(20, Step{Op: OpCPU, Dur: Dist{Kind: DistUniform, A: 100_000, B: 2_000_000}},
		Step{Op: OpIO, Dur: Dist{Kind: DistUniform, A: 100_000, B: 2_000_000}})}
	var ps []*Process
	for i := 0; i < 4000; i++ {
		name := "t#" + strconv.Itoa(i+1)
		ps = append(ps, &Process{Name: name, Native: true, Threads: []*Thread{{Name: name, Steps: round}}})
	}
	benchRun(b, scenario(2000, PolicyFair, 0, ps...))
}
