package compare

import (
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// facts are what the verdicts need to know about the workload.
type facts struct {
	cpuShare float64 // the sequential run's CPU time / its makespan: > 0.5 is CPU-bound
	waits    bool    // the workload has io or sleep steps
}

func factsOf(w *simulator.Workload, base *Row) facts {
	var f facts
	if base != nil && base.Makespan > 0 {
		f.cpuShare = float64(base.CPU) / float64(base.Makespan)
	}
	var walk func([]simulator.Step) bool
	walk = func(steps []simulator.Step) bool {
		for i := range steps {
			switch steps[i].Op {
			case simulator.OpIO, simulator.OpSleep:
				return true
			}
			if walk(steps[i].Body) {
				return true
			}
		}
		return false
	}
	seen := map[*simulator.Step]bool{}
	for i := range w.Tasks {
		st := w.Tasks[i].Steps
		if len(st) == 0 || seen[&st[0]] {
			continue
		}
		seen[&st[0]] = true
		if walk(st) {
			f.waits = true
			break
		}
	}
	return f
}

// Thresholds of the verdicts.
const (
	cpuBoundShare    = 0.5        // the sequential run computes at least half the time
	parallelAtLeast  = 1.5        // cores busy on average to call CPU work parallel
	serialBelow      = 1.2        // ... and below which it is serialised
	overlapAtLeast   = 2.0        // speed-up to say the waits overlap
	slowerBelow      = 0.9        // speed-up below which a model is slower than sequential
	unpatchedBelow   = 1.2        // speed-up below which unpatched gevent gained nothing
	lagAtLeast       = 10_000_000 // loop lag worth a mention: 10 ms
	memoryFactor     = 2.0        // memory worth a mention: twice the lightest model's ...
	memoryDifference = 1 << 20    // ... and at least 1 MiB more
)

// verdict is a row's sentence. The first rule that applies says what
// happened:
//
//  1. the model could not run or did not finish: why;
//  2. sequential: the baseline;
//  3. gevent-unpatched, a workload with io or sleep, speed-up below 1.2:
//     each blocking call stops every greenlet;
//  4. speed-up below 0.9: slower than sequential (processes: start-up and
//     result passing cost more than the parallel work saves);
//  5. parallelism of 1.5 or more: CPU work runs in parallel on about that
//     many cores;
//  6. a CPU-bound workload (the sequential run computes half its time or
//     more) with parallelism below 1.2: serialised by the GIL when threads
//     waited for it, else by the one loop or hub thread;
//  7. speed-up of 2 or more: the waits overlap (processes: one wait per
//     worker at a time);
//  8. otherwise: little gain over sequential.
//
// Then, each when it applies: "CPU bursts queue for the GIL" (GIL wait
// longer than the makespan, unless rule 6 said so), the worst loop lag
// (10 ms or more), and the memory against the lightest model shown other
// than sequential (twice or more, and at least 1 MiB more).
func verdict(r *Row, shown []*Row, f facts) string {
	switch {
	case r.NotRun != "":
		return "not run: " + r.NotRun
	case r.Problem != "":
		return "did not finish: " + r.Problem
	case r.Model == simulator.ModelSequential:
		return "the baseline: one task after another"
	}
	unit, runner := "coroutine", "event loop"
	if r.Model == simulator.ModelGevent || r.Model == simulator.ModelGeventUnpatched {
		unit, runner = "greenlet", "hub"
	}
	gilSaid := false
	var main string
	switch {
	case r.Model == simulator.ModelGeventUnpatched && f.waits && r.Speedup < unpatchedBelow:
		main = "each blocking call stops every greenlet, so nothing overlaps"
	case r.Speedup < slowerBelow && r.Model == simulator.ModelProcesses:
		main = "slower than sequential: forking the pool and passing results cost more than the parallel work saves"
	case r.Speedup < slowerBelow:
		main = "slower than sequential: the model's overheads cost more than it overlaps"
	case r.Parallelism >= parallelAtLeast:
		main = "CPU work runs in parallel, on " + oneDecimal(r.Parallelism) + " cores on average"
	case f.cpuShare >= cpuBoundShare && r.Parallelism < serialBelow && r.GILWait > 0:
		main, gilSaid = "CPU work is serialised by the GIL", true
	case f.cpuShare >= cpuBoundShare && r.Parallelism < serialBelow && r.HasLag:
		main = "CPU work runs on the one " + runner + " thread, one " + unit + " at a time"
	case f.cpuShare >= cpuBoundShare && r.Parallelism < serialBelow:
		main = "CPU work does not run in parallel"
	case r.Speedup >= overlapAtLeast && r.Model == simulator.ModelProcesses && f.waits:
		main = "the waits overlap, but only one per worker process at a time: " + oneDecimal(r.Speedup) + "× faster than sequential"
	case r.Speedup >= overlapAtLeast:
		main = "the waits overlap: " + oneDecimal(r.Speedup) + "× faster than sequential"
	default:
		main = "little gain over sequential (" + strconv.FormatFloat(r.Speedup, 'f', 2, 64) + "×)"
	}
	parts := []string{main}
	if !gilSaid && r.GILWait > r.Makespan {
		parts = append(parts, "CPU bursts queue for the GIL")
	}
	if r.HasLag && r.LoopLag >= lagAtLeast {
		parts = append(parts, "a ready "+unit+" waits up to "+simulator.FormatDuration(r.LoopLag)+" for the "+runner)
	}
	if l := lightest(shown); l != nil && l != r && l.Memory > 0 &&
		float64(r.Memory) >= memoryFactor*float64(l.Memory) && r.Memory-l.Memory >= memoryDifference {
		parts = append(parts, oneDecimal(float64(r.Memory)/float64(l.Memory))+"× the memory of "+l.Model)
	}
	return strings.Join(parts, "; ")
}

// lightest is the shown row that ran with the least memory (the first of
// equals), sequential aside: it is the yardstick of speed, not of what a
// concurrent program costs.
func lightest(rows []*Row) *Row {
	var best *Row
	for _, r := range rows {
		if r == nil || r.Result == nil || r.Model == simulator.ModelSequential {
			continue
		}
		if best == nil || r.Memory < best.Memory {
			best = r
		}
	}
	return best
}

// oneDecimal renders f with one decimal, without going through %v.
func oneDecimal(f float64) string {
	return strconv.FormatFloat(f, 'f', 1, 64)
}
