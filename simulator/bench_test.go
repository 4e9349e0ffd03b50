package simulator

import (
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
	default:
		body = []Step{repeat(rounds, cpu(100_000), io(1_000_000))}
	}
	var ms []*Member
	for i := 0; i < n; i++ {
		ms = append(ms, &Member{Name: "u#" + strconv.Itoa(i+1), Steps: body})
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
