package simulator

// This file estimates what a run costs the machine that simulates it (not
// the memory the simulated program uses, which Result.MemoryPeak reports):
// the heap that the scenario, the engine's state and the Result hold at
// their peak. Batch runners use it to decide how many runs fit in memory
// at once, and the dsl quotes it when it refuses a scenario that is too big.

// Live heap bytes per entity, measured on this engine by
// TestFootprintEstimate (100,000 entities of each shape, live heap after a
// collection at the run's high-water mark: scenario, engine state after
// the event loop, Result). Change them only with that test, which fails
// when the estimate is off by more than its tolerance.
const (
	FootprintProcess = 350 // a process on its own (a native task's, with its thread below)
	FootprintThread  = 880 // an OS thread: a Python thread, a native task's thread, a loop's thread
	FootprintMember  = 640 // a coroutine, greenlet, greenthread or generator
	FootprintStep    = 100 // a step of a program (programs are shared by replicas)
	footprintFixed   = 64 << 10
)

// Footprint estimates the heap, in bytes, that running sc takes at its
// peak: the scenario itself, the engine's state and the Result. It is a
// measured per-entity cost (see footprint_test.go), good to about a
// quarter either way; the Go runtime may hold up to a few times more
// before it collects, as its GOGC and memory limit allow.
func Footprint(sc *Scenario) int64 {
	var procs, threads, members, steps int64
	seen := map[*Step]bool{}
	count := func(ss []Step) {
		if len(ss) == 0 || seen[&ss[0]] {
			return
		}
		seen[&ss[0]] = true
		steps += countSteps(ss)
	}
	for _, p := range sc.Processes {
		procs++
		threads += int64(len(p.Threads))
		if !p.Native {
			threads++ // its hidden main thread (start-up, Thread.start)
		}
		for _, t := range p.Threads {
			members += int64(len(t.Members))
			count(t.Steps)
			for _, m := range t.Members {
				count(m.Steps)
			}
		}
	}
	return FootprintOf(procs, threads, members) + steps*FootprintStep
}

// FootprintOf is Footprint for a scenario of procs processes (native tasks
// included), threads OS threads and members cooperative units, before it
// is built: what the dsl quotes when it refuses one that is too big.
func FootprintOf(procs, threads, members int64) int64 {
	return satAdd(satAdd(satAdd(satMul(procs, FootprintProcess), satMul(threads, FootprintThread)),
		satMul(members, FootprintMember)), footprintFixed)
}

func countSteps(ss []Step) int64 {
	n := int64(len(ss))
	for i := range ss {
		n += countSteps(ss[i].Body)
	}
	return n
}
