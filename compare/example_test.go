package compare_test

import (
	"fmt"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// Run runs one workload as each concurrency model and reports, per model,
// its makespan and speedup over running the tasks one after another.
func ExampleRun() {
	w, err := dsl.ParseWorkload("cpu.sim", []byte(`scenario "cpu-bound" {
  cores 2
  workload "jobs" { task "job" x 4 { cpu 20ms } }
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := compare.Run(w, compare.Options{Models: []string{simulator.ModelSequential, simulator.ModelThreads, simulator.ModelProcesses}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range c.Rows {
		fmt.Printf("%-10s %9s  %.2fx\n", r.Model, simulator.FormatDuration(r.Makespan), r.Speedup)
	}
	// Output:
	// sequential      80ms  1.00x
	// threads     80.538ms  0.99x
	// processes   42.291ms  1.89x
}
