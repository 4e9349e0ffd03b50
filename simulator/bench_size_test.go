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
// events/op, page faults per run, the peak of sleeping GIL waiters and
// the peak resident memory; and the same events/s and page faults for a
// first run in memory the process has given back to the system, as a
// lone gilsim run has (benchSized). Making the entities and their result
// rows is part of every run.

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

// benchSized runs sc b.N times, timed, and reports events/s, events per
// second of CPU time (the process's user and system time: on a shared
// machine wall time also counts the time other work had the cores),
// events/op, page faults per run (faults/op), the peak of sleeping GIL
// waiters and the peak resident memory of the process.
//
// With first, one run comes before the timed ones, right after the heap
// is given back to the system (debug.FreeOSMemory): like a lone gilsim
// run, it touches every page of its memory for the first time, a page
// fault each (at 100,000 entities about 20,000 of them, 2 µs each on
// the reference machine). Its events/s and page faults are reported as
// first-events/s and first-faults. The timed runs then measure what a
// batch, a sweep or a comparison of runs does: each reuses memory the
// collector freed, as go test -bench measures anything.
func benchSized(b *testing.B, sc *Scenario, first bool) {
	if err := Validate(sc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	opt := Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime}
	debug.FreeOSMemory()
	resetPeakRSS()
	var firstRate, firstFaults float64
	if first {
		f0, t0 := cputime.PageFaults(), time.Now()
		_, r := runEngine(sc, opt)
		if r == nil {
			b.Fatal("the first run stopped at a limit")
		}
		firstRate, firstFaults = float64(r.Events)/time.Since(t0).Seconds(), float64(cputime.PageFaults()-f0)
	}
	var events int64
	peak := 0
	cpu0, f0 := cpuTime(), cputime.PageFaults()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, r := runEngine(sc, opt)
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
	b.ReportMetric(float64(cputime.PageFaults()-f0)/float64(b.N), "faults/op")
	if first { // (after the timer's reset, which drops the metrics reported)
		b.ReportMetric(firstRate, "first-events/s")
		b.ReportMetric(firstFaults, "first-faults")
	}
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
	sizes(b, func(b *testing.B, n int) { benchSized(b, genThreads(n, benchCycles/int64(n), GILInterval), true) })
}

// BenchmarkSizeAsyncio: n coroutines of one event loop.
func BenchmarkSizeAsyncio(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genLoop(ThreadAsyncio, n, benchCycles/int64(n)), true) })
}

// BenchmarkSizeGevent: n greenlets of one patched hub.
func BenchmarkSizeGevent(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genLoop(ThreadGevent, n, benchCycles/int64(n)), true) })
}

// BenchmarkSizeFair: n native tasks on 4 cores under the fair policy.
func BenchmarkSizeFair(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genNative(PolicyFair, 4, n, benchCycles/int64(n)), true) })
}

// BenchmarkSizeLinux: n native tasks on 4 cores under the linux policy.
func BenchmarkSizeLinux(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genNative(PolicyLinux, 4, n, benchCycles/int64(n)), true) })
}

// BenchmarkSizeCores: twice as many native tasks as cores, at 100, 1,000
// and 10,000 cores, under the fair and the linux policy: the per-core
// searches (an idle core, a victim, a queue) at every dispatch.
func BenchmarkSizeCores(b *testing.B) {
	for _, pol := range []PolicyKind{PolicyFair, PolicyLinux} {
		for _, c := range []int{100, 1_000, 10_000} {
			b.Run(pol.String()+"/cores="+strconv.Itoa(c), func(b *testing.B) {
				benchSized(b, genNative(pol, c, 2*c, benchCycles/int64(2*c)), true)
			})
		}
	}
}

// BenchmarkScale100kThreadsGIL: 100,000 threads of one process × 100
// rounds under the GIL, with the peak resident memory of the process
// during the run (peak-RSS-MB; Linux: the high-water mark is reset
// before it). Target: under 1 GB.
func BenchmarkScale100kThreadsGIL(b *testing.B) {
	benchSized(b, genThreads(100_000, 100, GILInterval), false)
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

// BenchmarkSizeFairPhases: where a first run's time goes at 100,000
// native tasks under fair, each run right after the heap is given back
// to the system (as a lone gilsim run): making the engine (new-ms,
// new-faults), the event loop (loop-ms, loop-faults) and the result rows
// (result-ms, result-faults), each averaged over the runs.
func BenchmarkSizeFairPhases(b *testing.B) {
	sc := genNative(PolicyFair, 4, 100_000, benchCycles/100_000)
	if err := Validate(sc); err != nil {
		b.Fatal(err)
	}
	opt := Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime}
	var took [3]time.Duration
	var faults [3]int64
	phase := func(i int, f func()) {
		f0, t0 := cputime.PageFaults(), time.Now()
		f()
		took[i] += time.Since(t0)
		faults[i] += cputime.PageFaults() - f0
	}
	for b.Loop() {
		b.StopTimer()
		debug.FreeOSMemory()
		b.StartTimer()
		var e *engine
		phase(0, func() { e = newEngine(sc, opt) })
		phase(1, e.loop)
		if e.limit != nil {
			b.Fatal(e.limit)
		}
		phase(2, func() { Evaluate(sc, e.result()) })
	}
	for i, name := range []string{"new", "loop", "result"} {
		b.ReportMetric(took[i].Seconds()*1e3/float64(b.N), name+"-ms")
		b.ReportMetric(float64(faults[i])/float64(b.N), name+"-faults")
	}
}
