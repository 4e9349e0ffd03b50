package report

import "github.com/gilsim/gilsim/simulator"

const ms = int64(1_000_000)

// basicResult: native tasks beside one CPython process, with a warning and
// expectations that pass and fail.
func basicResult() *simulator.Result {
	return &simulator.Result{
		Scenario:        "two threads and a task",
		File:            "scenarios/basic.sim",
		Makespan:        812 * ms,
		Utilization:     98.52249,
		Events:          340,
		CPUTime:         1600 * ms,
		SwitchTime:      60_000,
		ContextSwitches: 12,
		MemoryPeak:      10<<20 + 2*16_527,
		Tasks: []simulator.TaskResult{
			{Name: "P1", Group: "P1", Kind: "task", Process: "P1", Arrival: 0, Start: 0, Finish: 24 * ms, Turnaround: 24 * ms, CPU: 24 * ms, Switches: 1, Finished: true},
			{Name: "a", Group: "a", Kind: "thread", Process: "app", Arrival: 30 * ms, Start: 30 * ms, Finish: 800 * ms, Turnaround: 770 * ms, CPU: 400 * ms, Wait: 370 * ms, GILWait: 365 * ms, IO: 0, Switches: 74, Finished: true},
			{Name: "b", Group: "b", Kind: "thread", Process: "app", Arrival: 30 * ms, Start: 35 * ms, Finish: 812 * ms, Turnaround: 782 * ms, CPU: 400 * ms, Wait: 372_500_000, GILWait: 372_500_000, IO: 5 * ms, Switches: 75, Finished: true},
		},
		Processes: []simulator.ProcessResult{
			{Name: "P1", Group: "P1", Native: true},
			{Name: "app", Group: "app", GILHandoffs: 148, GILForcedSwitches: 147, GILWait: 737_500_000, MemoryPeak: 10<<20 + 2*16_527},
		},
		Cores: []simulator.CoreResult{{ID: 0, Busy: 812 * ms}, {ID: 1, Busy: 788 * ms}},
		Warnings: []simulator.Warning{
			{Pos: simulator.Pos{Line: 9, Col: 5}, Entity: "b", Process: "app", Message: "time.sleep(0) in a CPU loop does not promise a switch"},
		},
		Expectations: []simulator.ExpectResult{
			{Text: "makespan < 900ms", Pos: simulator.Pos{Line: 12, Col: 3}, OK: true, Actual: "812ms"},
			{Text: `finish("a") <= 700ms`, Pos: simulator.Pos{Line: 13, Col: 3}, OK: false, Actual: "800ms"},
			{Text: `wait("nobody") < 1ms`, Pos: simulator.Pos{Line: 14, Col: 3}, OK: false, Err: `no entity named "nobody"`},
		},
	}
}

// groupedResult: a replicated native task, a replicated process whose
// threads are themselves replicated, and an asyncio process with loop
// metrics and replicated coroutines.
func groupedResult() *simulator.Result {
	r := &simulator.Result{
		Scenario:        "replicas",
		File:            "grouped.sim",
		Makespan:        130 * ms,
		Utilization:     200.0 / 3,
		Events:          1234,
		CPUTime:         173 * ms,
		ContextSwitches: 40,
		MemoryPeak:      3 * (10 << 20),
		Cores:           []simulator.CoreResult{{ID: 0, Busy: 90 * ms}, {ID: 1, Busy: 83 * ms}},
	}
	for k := int64(1); k <= 3; k++ {
		name := "P#" + string(rune('0'+k))
		r.Tasks = append(r.Tasks, simulator.TaskResult{
			Name: name, Group: "P", Kind: "task", Process: name,
			Arrival: (k - 1) * ms, Start: (k - 1) * 2 * ms, Finish: k * 5 * ms, Turnaround: k*5*ms - (k-1)*ms,
			CPU: 5 * ms, Wait: (k - 1) * ms, Switches: 1, Finished: true,
		})
		r.Processes = append(r.Processes, simulator.ProcessResult{Name: name, Group: "P", Native: true})
	}
	for p := int64(1); p <= 2; p++ {
		proc := "worker#" + string(rune('0'+p))
		r.Tasks = append(r.Tasks, simulator.TaskResult{
			Name: "main", Group: "main", Kind: "thread", Process: proc,
			Arrival: 20 * ms, Start: 20 * ms, Finish: 21 * ms, Turnaround: 1 * ms, CPU: 1 * ms, Switches: 1, Finished: true,
		})
		for k := int64(1); k <= 3; k++ {
			r.Tasks = append(r.Tasks, simulator.TaskResult{
				Name: "w#" + string(rune('0'+k)), Group: "w", Kind: "thread", Process: proc,
				Arrival: 21 * ms, Start: 21*ms + k*ms, Finish: 100*ms + p*10*ms + k*ms, Turnaround: 79*ms + p*10*ms + k*ms,
				CPU: 10 * ms, Wait: 20*ms + k*ms, GILWait: 20 * ms, IO: 50 * ms, Switches: 5 + k, Finished: true,
			})
		}
		r.Processes = append(r.Processes, simulator.ProcessResult{
			Name: proc, Group: "worker", GILHandoffs: 30 + p, GILForcedSwitches: 10 * p, GILWait: 60 * ms, MemoryPeak: 10<<20 + p*4*16_527,
		})
	}
	for k := int64(1); k <= 4; k++ {
		r.Tasks = append(r.Tasks, simulator.TaskResult{
			Name: "fetch#" + string(rune('0'+k)), Group: "fetch", Kind: "coroutine", Process: "loop",
			Arrival: 0, Start: k * 100_000, Finish: 120*ms + k*ms, Turnaround: 120*ms + k*ms,
			CPU: 2 * ms, Wait: k * 300_000, IO: 100 * ms, Switches: 3, Finished: true,
		})
	}
	r.Processes = append(r.Processes, simulator.ProcessResult{
		Name: "loop", Group: "loop", MemoryPeak: 10<<20 + 4*1_205, LoopLagMax: 1_500_000, LoopLagMean: 420_000, LoopStallMax: 2 * ms,
	})
	r.Expectations = []simulator.ExpectResult{{Text: `finish("w") < 200ms`, OK: true, Actual: "123ms"}}
	return r
}

// evilResult: names full of control characters and escape sequences, a
// run that deadlocked (with tasks that never started or finished) and a
// modelled failure.
func evilResult() *simulator.Result {
	return &simulator.Result{
		Scenario: "evil\x1b[2J\x1b]0;pwned\x07 title",
		File:     "evil\n.sim",
		Makespan: 40 * ms,
		Events:   17,
		Tasks: []simulator.TaskResult{
			{Name: "red\x1b[31m", Group: "red\x1b[31m", Kind: "thread", Process: "app\r", Arrival: 0, Start: 0, Finish: -1, Turnaround: 0, CPU: 10 * ms, IO: 0, LockWait: 30 * ms, Switches: 2},
			{Name: "tab\tname\u202e", Group: "tab\tname\u202e", Kind: "thread", Process: "app\r", Arrival: 0, Start: -1, Finish: -1, Switches: 0},
			{Name: "x#1", Group: "x", Kind: "thread", Process: "app\r", Arrival: 0, Start: 1 * ms, Finish: 5 * ms, Turnaround: 5 * ms, CPU: 4 * ms, LockWait: 250_000, Switches: 1, Finished: true},
			{Name: "x#2", Group: "x", Kind: "thread", Process: "app\r", Arrival: 0, Start: -1, Finish: -1, Switches: 0},
		},
		Processes: []simulator.ProcessResult{{Name: "app\r", Group: "app\r", GILHandoffs: 3, GILWait: 1 * ms}},
		Cores:     []simulator.CoreResult{{ID: 0, Busy: 14 * ms}},
		Warnings: []simulator.Warning{
			{Pos: simulator.Pos{Line: 3}, Entity: "red\x1b[31m", Process: "app\r", Message: "bell\a\x9b6n"},
		},
		Deadlock: &simulator.Deadlock{
			Time: 40 * ms,
			Blocked: []simulator.Blocked{
				{Process: "app\r", Entity: "red\x1b[31m", Wait: simulator.WaitLock, On: "L\x00"},
				{Process: "app\r", Entity: "tab\tname\u202e", Wait: simulator.WaitNeverStarted},
			},
			Locks: []simulator.HeldLock{{Name: "app\r/L\x00", Holder: "red\x1b[31m"}},
		},
		Failure:      &simulator.Failure{Time: 40 * ms, Entity: "app\r", Message: "out of memory\n"},
		Expectations: []simulator.ExpectResult{{Text: "finish(\"red\x1b[31m\") < 1s", OK: false, Actual: "-"}},
	}
}
