package simulator

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gilsim/gilsim/internal/cputime"
)

// The size axis: the same total work, 400,000 rounds of 100 µs of CPU
// and a 1 ms blocking call, shared by 100, 1,000, 10,000 and 100,000
// threads, coroutines, greenlets or native tasks (4,000 rounds each at
// 100, 4 at 100,000). What an event costs should not grow with the size:
// every per-event operation is O(log n) or better. Each benchmark reports
// events/s (wall time), events/cpu-s (the process's CPU time: on a shared
// machine wall time also counts the time others had the cores),
// events/op, the peak of sleeping GIL waiters and the peak resident
// memory. Making the entities and their result rows is part of the run.

var benchSizes = []int{100, 1_000, 10_000, 100_000}

const benchCycles = 400_000

// genNative builds n native tasks (a process of one thread each) of
// rounds of drawn CPU and blocking times on cores cores under policy pol:
// the OS layer alone, with a ready queue of thousands.
func genNative(pol PolicyKind, cores, n int, rounds int64) *Scenario {
	body := []Step{repeat(rounds, Step{Op: OpCPU, Dur: Dist{Kind: DistUniform, A: 50_000, B: 150_000}},
		Step{Op: OpIO, Dur: Dist{Kind: DistUniform, A: 500_000, B: 1_500_000}})}
	ps := make([]*Process, n)
	for i := range ps {
		name := "t#" + strconv.Itoa(i+1)
		ps[i] = &Process{Name: name, Native: true, Threads: []*Thread{{Name: name, Steps: body}}}
	}
	return scenario(cores, pol, 0, ps...)
}

// benchSized runs sc b.N times and reports events/s, events per second
// of CPU time (the process's user and system time: on a shared machine
// wall time also counts the time other work had the cores), the peak of
// sleeping GIL waiters and the peak resident memory of the process.
func benchSized(b *testing.B, sc *Scenario) {
	if err := Validate(sc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var events int64
	peak := 0
	debug.FreeOSMemory()
	resetPeakRSS()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, r := runEngine(sc, Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime})
		if r == nil {
			b.Fatal(e.limit)
		}
		events += r.Events
		for _, p := range e.procs {
			if p.gil != nil {
				peak = max(peak, p.gil.peakSleeping)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	if peak > 0 {
		b.ReportMetric(float64(peak), "peak-waiters")
	}
	if kb := peakRSSKB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
	}
}

// cpuTime is the CPU time the process has used, user and system, on
// every thread (the collector's too); 0 where the system does not say.
func cpuTime() time.Duration { return cputime.Process() }

func sizes(b *testing.B, run func(b *testing.B, n int)) {
	for _, n := range benchSizes {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) { run(b, n) })
	}
}

// BenchmarkSizeThreadsGIL: n threads of one process under its GIL.
func BenchmarkSizeThreadsGIL(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genThreads(n, benchCycles/int64(n), GILInterval)) })
}

// BenchmarkSizeAsyncio: n coroutines of one event loop.
func BenchmarkSizeAsyncio(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genLoop(ThreadAsyncio, n, benchCycles/int64(n))) })
}

// BenchmarkSizeGevent: n greenlets of one patched hub.
func BenchmarkSizeGevent(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genLoop(ThreadGevent, n, benchCycles/int64(n))) })
}

// BenchmarkSizeFair: n native tasks on 4 cores under the fair policy.
func BenchmarkSizeFair(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genNative(PolicyFair, 4, n, benchCycles/int64(n))) })
}

// BenchmarkSizeLinux: n native tasks on 4 cores under the linux policy.
func BenchmarkSizeLinux(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genNative(PolicyLinux, 4, n, benchCycles/int64(n))) })
}

// BenchmarkSizeCores: twice as many native tasks as cores, at 100, 1,000
// and 10,000 cores, under the fair and the linux policy: the per-core
// searches (an idle core, a victim, a queue) at every dispatch.
func BenchmarkSizeCores(b *testing.B) {
	for _, pol := range []PolicyKind{PolicyFair, PolicyLinux} {
		for _, c := range []int{100, 1_000, 10_000} {
			b.Run(pol.String()+"/cores="+strconv.Itoa(c), func(b *testing.B) {
				benchSized(b, genNative(pol, c, 2*c, benchCycles/int64(2*c)))
			})
		}
	}
}

// BenchmarkScale100kThreadsGIL: 100,000 threads of one process × 100
// rounds under the GIL, with the peak resident memory of the process
// during the run (peak-RSS-MB; Linux: the high-water mark is reset
// before it). Target: under 1 GB.
func BenchmarkScale100kThreadsGIL(b *testing.B) {
	benchSized(b, genThreads(100_000, 100, GILInterval))
}

// resetPeakRSS resets the process's high-water mark of resident memory
// (Linux's clear_refs, 5); elsewhere it does nothing.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSKB is the process's high-water mark of resident memory in KiB
// (VmHWM), or 0 where /proc does not say.
func peakRSSKB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
