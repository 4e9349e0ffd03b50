package simulator_test

import (
	"fmt"

	"github.com/gilsim/gilsim/simulator"
)

// Two CPU-bound Python threads of one process share its GIL, so on two
// cores they take about twice as long as the same work in two processes.
func Example() {
	work := []simulator.Step{{Op: simulator.OpCPU, Dur: simulator.Fixed(100_000_000)}} // 100 ms of bytecode
	gil := simulator.GIL{Mode: simulator.GILInterval, Interval: 5_000_000}
	run := func(ps ...*simulator.Process) {
		sc := &simulator.Scenario{Seed: 1, Cores: 2, Policy: simulator.PolicyFair, Machine: simulator.DefaultMachine(), Processes: ps}
		res, err := simulator.Run(sc, simulator.Options{})
		if err != nil {
			fmt.Println(err)
			return
		}
		var gilWait int64
		for _, t := range res.Tasks {
			gilWait += t.GILWait
		}
		fmt.Printf("%d process(es): makespan %s, GIL wait %s\n", len(ps), simulator.FormatDuration(res.Makespan), simulator.FormatDuration(gilWait))
	}
	run(&simulator.Process{Name: "threads", GIL: gil, Threads: []*simulator.Thread{{Name: "a", Steps: work}, {Name: "b", Steps: work}}})
	run(&simulator.Process{Name: "p1", GIL: gil, Threads: []*simulator.Thread{{Name: "main", Steps: work}}},
		&simulator.Process{Name: "p2", GIL: gil, Threads: []*simulator.Thread{{Name: "main", Steps: work}}})
	// Output:
	// 1 process(es): makespan 200.336ms, GIL wait 192.2ms
	// 2 process(es): makespan 100.061ms, GIL wait 0
}

// A scenario the engine cannot run is refused with what is wrong and
// where, before anything runs.
func ExampleValidate() {
	sc := &simulator.Scenario{Cores: 1, Processes: []*simulator.Process{{
		Name: "p", Locks: []string{"L"},
		Threads: []*simulator.Thread{{Name: "t", Steps: []simulator.Step{{Op: simulator.OpLock, Lock: 1}}}},
	}}}
	fmt.Println(simulator.Validate(sc))
	// Output:
	// invalid scenario: process "p" thread "t": Processes[0].Threads[0].Steps[0].Lock: lock 1 is out of range: the process has 1 lock(s)
}
