package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/simulator"
)

// BenchmarkBatch1000 runs a batch of 1,000 small scenarios, as `gilsim
// test DIR` does, with one worker and with two: the ratio of the two is
// how the batch scales with cores.
func BenchmarkBatch1000(b *testing.B) {
	tuneGC() // as the command does
	dir := b.TempDir()
	for i := range 1000 {
		src := fmt.Sprintf(`scenario "s%d" {
  cores 2
  seed %d
  process "app" {
    thread "w" x 4 { repeat 20 { cpu uniform(100us, 300us)  io 1ms } }
  }
  expect makespan < 1s
}
`, i, i+1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%04d.sim", i)), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	items := app.Expand([]string{dir})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				n := 0
				runner := realEnv().runner(app.ScenarioLoader(dsl.ParseSweepFile, dsl.ParseAnySweepFile, nil), workers, simulator.Options{})
				runner.Run(items, func(int, *app.File) { n++ })
				if n != len(items) {
					b.Fatalf("%d outcomes for %d files", n, len(items))
				}
			}
		})
	}
}

// BenchmarkCheckShipped checks every shipped scenario, as a save hook
// running `gilsim check scenarios` would.
func BenchmarkCheckShipped(b *testing.B) {
	tuneGC()
	items := app.Expand([]string{"../../scenarios"})
	for b.Loop() {
		checkFiles(items, 2, func(r string) { b.Fatalf("a shipped scenario does not check: %s", r) })
	}
	b.ReportMetric(float64(len(items)), "files")
}

// BenchmarkCheck500 checks 500 small files of a few processes each, with
// one worker and with two.
func BenchmarkCheck500(b *testing.B) {
	tuneGC() // as the command does
	dir := b.TempDir()
	for i := range 500 {
		src := fmt.Sprintf(`scenario "s%d" {
  cores 2
  param workers = 4
  process "app" x 3 {
    thread "w" x $workers { repeat 20 { cpu uniform(100us, 300us)  io 1ms  lock "db" { cpu 10us } } }
    asyncio { task "c" x 50 { await io 5ms  offload { native 1ms } } }
  }
  vary workers in [1, 2, 4, 8]
  expect makespan < 1s
  expect finish("app#1/w") < 1s when workers < 8
}
`, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%04d.sim", i)), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	items := app.Expand([]string{dir})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				checkFiles(items, workers, func(r string) { b.Fatal(r) })
			}
		})
	}
}
