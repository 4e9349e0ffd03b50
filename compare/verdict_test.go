package compare

import (
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

func TestVerdictRules(t *testing.T) {
	res := &simulator.Result{}
	row := func(model string, speedup, parallelism float64, gilWait int64) *Row {
		return &Row{Model: model, Result: res, Makespan: 1_000_000_000, Speedup: speedup, Parallelism: parallelism,
			GILWait: gilWait, HasLag: simulator.LoopModel(model), Memory: 10 << 20}
	}
	cpu := facts{cpuShare: 1}
	io := facts{cpuShare: 0.01, waits: true}
	for _, tc := range []struct {
		name string
		r    *Row
		f    facts
		want string
	}{
		{"not run", &Row{Model: "processes", NotRun: "lock \"db\" would not be shared"}, cpu, "not run: lock \"db\" would not be shared"},
		{"problem", &Row{Model: "threads", Result: res, Problem: "deadlock at 10ms: main/a"}, cpu, "did not finish: deadlock at 10ms: main/a"},
		{"baseline", row("sequential", 1, 1, 0), cpu, "the baseline: one task after another"},
		{"unpatched", row("gevent-unpatched", 1, 0.01, 0), io, "each blocking call stops every greenlet, so nothing overlaps"},
		{"slower processes", row("processes", 0.5, 0.6, 0), cpu, "slower than sequential: forking the pool and passing results cost more than the parallel work saves"},
		{"slower", row("asyncio+threads", 0.8, 0.8, 0), cpu, "slower than sequential: the model's overheads cost more than it overlaps"},
		{"parallel", row("processes", 3.9, 3.96, 0), cpu, "CPU work runs in parallel, on 4.0 cores on average"},
		{"gil", row("threads", 1, 1, 3_000_000_000), cpu, "CPU work is serialised by the GIL"},
		{"loop", row("asyncio", 1, 1, 0), cpu, "CPU work runs on the one event loop thread, one coroutine at a time"},
		{"hub", row("gevent", 1, 1, 0), cpu, "CPU work runs on the one hub thread, one greenlet at a time"},
		{"not parallel", row("threads-nogil", 1, 1, 0), cpu, "CPU work does not run in parallel"},
		{"overlap", row("threads", 71.25, 0.4, 0), io, "the waits overlap: 71.2× faster than sequential"},
		{"overlap per worker", row("processes", 3.6, 0.03, 0), io, "the waits overlap, but only one per worker process at a time: 3.6× faster than sequential"},
		{"little gain", row("threads", 1.3, 0.4, 0), io, "little gain over sequential (1.30×)"},
		{"gil queue", row("threads", 4.6, 0.9, 2_000_000_000), io, "the waits overlap: 4.6× faster than sequential; CPU bursts queue for the GIL"},
	} {
		if got := verdict(tc.r, []*Row{tc.r}, tc.f); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestVerdictSuffixes(t *testing.T) {
	res := &simulator.Result{}
	seq := &Row{Model: "sequential", Result: res, Memory: 1 << 20}
	asy := &Row{Model: "asyncio", Result: res, Makespan: 1e9, Speedup: 50, Parallelism: 0.5, HasLag: true, LoopLag: 500_000_000, Memory: 20 << 20}
	thr := &Row{Model: "threads", Result: res, Makespan: 1e9, Speedup: 50, Parallelism: 0.5, Memory: 160 << 20}
	shown := []*Row{seq, asy, thr}
	f := facts{cpuShare: 0.01, waits: true}
	if got, want := verdict(asy, shown, f), "the waits overlap: 50.0× faster than sequential; a ready coroutine waits up to 500ms for the event loop"; got != want {
		t.Errorf("asyncio:\n got %s\nwant %s", got, want)
	}
	// compared with the lightest model other than sequential
	if got, want := verdict(thr, shown, f), "the waits overlap: 50.0× faster than sequential; 8.0× the memory of asyncio"; got != want {
		t.Errorf("threads:\n got %s\nwant %s", got, want)
	}
	// under 1 MiB more is not worth a mention
	small := &Row{Model: "gevent", Result: res, Makespan: 1e9, Speedup: 50, HasLag: true, Memory: 2 << 19}
	tiny := &Row{Model: "asyncio", Result: res, Makespan: 1e9, Speedup: 50, HasLag: true, Memory: 1 << 18}
	if got, want := verdict(small, []*Row{small, tiny}, f), "the waits overlap: 50.0× faster than sequential"; got != want {
		t.Errorf("small:\n got %s\nwant %s", got, want)
	}
}
