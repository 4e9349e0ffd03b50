package simulator

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// The size axis: the same total work (benchRounds rounds of a short CPU
// step and a blocking call) shared by 100, 1,000, 10,000 and 100,000
// threads, coroutines, greenlets or native tasks. What an event costs
// should not grow with the size: every per-event operation is O(log n).
// Each benchmark reports events/s, and what the size made of the run
// (peak-waiters: the most GIL waiters asleep at once).

var benchSizes = []int{100, 1_000, 10_000, 100_000}

const benchRounds = 100_000

// genStaggered builds a CPython process of n threads that first wait in a
// blocking call until all of them have been started (Thread.start starts
// them one at a time, tens of µs apart), then do rounds of 100 µs of
// bytecode and a 1 ms blocking call. They come out of the first wait as
// they were started, faster than the GIL serves them, so their waiters
// pile up: at 100,000 threads tens of thousands wait at once.
func genStaggered(n int, rounds int64) *Scenario {
	body := []Step{io(int64(n) * 100_000), repeat(rounds, cpu(100_000), io(1_000_000))}
	p := &Process{Name: "app", GIL: GIL{Mode: GILInterval, Interval: 5_000_000}}
	for i := 0; i < n; i++ {
		p.Threads = append(p.Threads, &Thread{Name: "w#" + strconv.Itoa(i+1), Steps: body})
	}
	return scenario(2, PolicyFair, 0, p)
}

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

// benchSized runs sc b.N times and reports events/s and the peak of
// sleeping GIL waiters.
func benchSized(b *testing.B, sc *Scenario) {
	if err := Validate(sc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var events int64
	peak := 0
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
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	if peak > 0 {
		b.ReportMetric(float64(peak), "peak-waiters")
	}
}

func sizes(b *testing.B, run func(b *testing.B, n int)) {
	for _, n := range benchSizes {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) { run(b, n) })
	}
}

// BenchmarkSizeThreadsGIL: n threads of one process under its GIL.
func BenchmarkSizeThreadsGIL(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genStaggered(n, benchRounds/int64(n))) })
}

// BenchmarkSizeAsyncio: n coroutines of one event loop.
func BenchmarkSizeAsyncio(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genLoop(ThreadAsyncio, n, benchRounds/int64(n))) })
}

// BenchmarkSizeGevent: n greenlets of one patched hub.
func BenchmarkSizeGevent(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genLoop(ThreadGevent, n, benchRounds/int64(n))) })
}

// BenchmarkSizeFair: n native tasks on 4 cores under the fair policy.
func BenchmarkSizeFair(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genNative(PolicyFair, 4, n, benchRounds/int64(n))) })
}

// BenchmarkSizeLinux: n native tasks on 4 cores under the linux policy.
func BenchmarkSizeLinux(b *testing.B) {
	sizes(b, func(b *testing.B, n int) { benchSized(b, genNative(PolicyLinux, 4, n, benchRounds/int64(n))) })
}

// BenchmarkSizeCores: twice as many native tasks as cores, at 100, 1,000
// and 10,000 cores, under the fair and the linux policy: the per-core
// searches (an idle core, a victim, a queue) at every dispatch.
func BenchmarkSizeCores(b *testing.B) {
	for _, pol := range []PolicyKind{PolicyFair, PolicyLinux} {
		for _, c := range []int{100, 1_000, 10_000} {
			b.Run(pol.String()+"/cores="+strconv.Itoa(c), func(b *testing.B) {
				benchSized(b, genNative(pol, c, 2*c, benchRounds/int64(2*c)))
			})
		}
	}
}

// BenchmarkScale100kThreadsGIL: 100,000 threads of one process × 100
// rounds under the GIL, with the peak resident memory of the process
// during the run (Linux: the high-water mark is reset before it).
func BenchmarkScale100kThreadsGIL(b *testing.B) {
	sc := genThreads(100_000, 100, GILInterval)
	b.ReportAllocs()
	var events int64
	debug.FreeOSMemory()
	resetPeakRSS()
	for i := 0; i < b.N; i++ {
		r, err := Run(sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		events += r.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if kb := peakRSSKB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
	}
	runtime.KeepAlive(sc)
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
