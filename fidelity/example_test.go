package fidelity_test

import (
	"fmt"

	"github.com/gilsim/gilsim/fidelity"
)

// Every row is one measured outcome of real CPython, read from the data
// files shipped in fidelity/data, and the scenario that predicts it.
func ExampleRows() {
	for _, r := range fidelity.Rows()[:3] {
		fmt.Printf("%s %s: %v %s (±%.1f %%), predicted by %s\n", r.ID(), r.Behaviour, r.Value, r.Unit, fidelity.Band(r), r.Scenario)
	}
	// Output:
	// e1_sequential_1_wall_over_unit CPU-bound countdown, 1 call: wall / unit: 1 ratio (±6.5 %), predicted by e1-cpu-threads-vs-processes.sim
	// e1_threads_1_wall_over_unit CPU-bound countdown, 1 thread: wall / unit: 1.009 ratio (±15.8 %), predicted by e1-cpu-threads-vs-processes.sim
	// e1_processes_1_wall_over_unit CPU-bound countdown, 1 forked process: wall / unit: 1.066 ratio (±8.1 %), predicted by e1-cpu-threads-vs-processes.sim
}

// Measured reads one figure of the data files as they write it.
func ExampleMeasured() {
	m, ok := fidelity.Measured("calibration.json", "process_start_join_empty_k1_ms")
	if !ok {
		fmt.Println("not measured")
		return
	}
	v, err := m.Number()
	fmt.Println(m.File, m.Entry, v, m.Unit, err)
	// Output:
	// calibration.json process_start_join_empty_k1_ms 1.977 ms <nil>
}
