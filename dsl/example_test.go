package dsl_test

import (
	"fmt"

	"github.com/gilsim/gilsim/dsl"
)

func ExampleParse() {
	src := `scenario "pool" {
  cores 2
  process "app" {
    thread "w" x 2 { repeat 3 { cpu 1ms io 5ms } }
  }
  expect makespan < 40ms
}`
	sc, err := dsl.Parse("pool.sim", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range sc.Processes {
		for _, t := range p.Threads {
			fmt.Println(p.Name, t.Name, len(t.Steps), "step(s)")
		}
	}
	fmt.Println(sc.Expects[0].Text)
	// Output:
	// app w#1 1 step(s)
	// app w#2 1 step(s)
	// makespan < 40ms
}

func ExampleErrorList() {
	src := "scenario \"typo\" {\n  task \"t\" { cpu 5min }\n}\n"
	_, err := dsl.Parse("typo.sim", []byte(src))
	fmt.Println(err)
	// Output:
	// typo.sim:2:18: unknown unit "min" in 5min: durations take ns, us, µs, ms or s; sizes B, KB, MB or GB
	//   task "t" { cpu 5min }
	//                  ^
}
