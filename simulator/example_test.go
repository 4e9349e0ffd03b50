package simulator_test

import (
	"errors"
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
	// 1 process(es): makespan 200.36ms, GIL wait 192.206ms
	// 2 process(es): makespan 100.073ms, GIL wait 0
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

// A metric comes back as a Value that knows its kind; a metric that
// cannot be computed is a *MetricError saying why.
func ExampleMetricValue() {
	work := []simulator.Step{{Op: simulator.OpCPU, Dur: simulator.Fixed(10_000_000)}}
	sc := &simulator.Scenario{Seed: 1, Cores: 1, Policy: simulator.PolicyFIFO, Machine: simulator.DefaultMachine(), Processes: []*simulator.Process{
		{Name: "a", Native: true, Threads: []*simulator.Thread{{Name: "a", Steps: work}}},
		{Name: "b", Native: true, Threads: []*simulator.Thread{{Name: "b", Steps: work}}},
	}}
	res, err := simulator.Run(sc, simulator.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := simulator.MetricValue(res, "finish", "b", true)
	fmt.Println(v, v.Duration().Seconds())
	v, _ = simulator.MetricValue(res, "switches", "b", true)
	fmt.Println(v, v.Float())
	_, err = simulator.MetricValue(res, "finish", "c", true)
	var me *simulator.MetricError
	fmt.Println(err, errors.As(err, &me) && me.Fault == simulator.NoSuchEntity)
	// Output:
	// 20ms 0.02
	// 1 1
	// no task, thread or process named "c" true
}

// A run that cannot finish says who waits for what, and who holds it.
func ExampleDeadlock() {
	cpu := simulator.Step{Op: simulator.OpCPU, Dur: simulator.Fixed(20_000_000)}
	lock := func(l int, body ...simulator.Step) simulator.Step {
		return simulator.Step{Op: simulator.OpLock, Lock: l, Body: body}
	}
	p := &simulator.Process{Name: "app", GIL: simulator.GIL{Mode: simulator.GILInterval, Interval: 5_000_000}, Locks: []string{"L1", "L2"},
		Threads: []*simulator.Thread{
			{Name: "a", Steps: []simulator.Step{lock(0, cpu, lock(1, cpu))}},
			{Name: "b", Steps: []simulator.Step{lock(1, cpu, lock(0, cpu))}},
		}}
	sc := &simulator.Scenario{Seed: 1, Cores: 2, Policy: simulator.PolicyFair, Machine: simulator.DefaultMachine(), Processes: []*simulator.Process{p}}
	res, err := simulator.Run(sc, simulator.Options{})
	if err != nil || res.Deadlock == nil {
		fmt.Println("no deadlock", err)
		return
	}
	for _, b := range res.Deadlock.Blocked {
		fmt.Printf("%s: process %s, entity %s, waits for lock %s: %v\n", b, b.Process, b.Entity, b.On, b.Wait == simulator.WaitLock)
	}
	for _, l := range res.Deadlock.Locks {
		fmt.Println(l)
	}
	// Output:
	// app/a (waiting for lock "L2"): process app, entity a, waits for lock L2: true
	// app/b (waiting for lock "L1"): process app, entity b, waits for lock L1: true
	// lock "app/L1" held by app/a
	// lock "app/L2" held by app/b
}
