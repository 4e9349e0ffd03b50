package dsl_test

import (
	"fmt"
	"time"

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

// Durations in flags and tools are read by the language's own rules:
// exact decimals glued to ns, us, µs, ms or s.
func ExampleParseDuration() {
	for _, s := range []string{"1.005ms", "250us", "0", "10 ms", "5min"} {
		ns, err := dsl.ParseDuration(s)
		if err != nil {
			fmt.Printf("%q: %v\n", s, err)
			continue
		}
		fmt.Println(s, "=", time.Duration(ns))
	}
	// Output:
	// 1.005ms = 1.005ms
	// 250us = 250µs
	// 0 = 0s
	// "10 ms": want a duration like 500ms or 10s (units ns, us, µs, ms, s)
	// "5min": want a duration like 500ms or 10s (units ns, us, µs, ms, s)
}

// Sizes are powers of 1024.
func ExampleParseSize() {
	for _, s := range []string{"16KB", "1.5MiB", "8GB"} {
		n, err := dsl.ParseSize(s)
		fmt.Println(s, "=", n, "bytes", err)
	}
	// Output:
	// 16KB = 16384 bytes <nil>
	// 1.5MiB = 1572864 bytes <nil>
	// 8GB = 8589934592 bytes <nil>
}

// Format lays a file out canonically, as `gilsim fmt` does; its comments
// are kept.
func ExampleFormat() {
	src := `scenario "pool" { cores 2
process "app" { thread "w" x 2 { cpu 1ms   io 5ms } } # two workers
expect makespan<40ms }
`
	out, err := dsl.Format("pool.sim", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// scenario "pool" {
	//   cores 2
	//   process "app" { thread "w" x 2 { cpu 1ms  io 5ms } }  # two workers
	//   expect makespan < 40ms
	// }
}
