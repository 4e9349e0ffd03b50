package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
	items := expandPaths([]string{dir})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				n := 0
				runBatch(items, nil, simulator.Options{}, workers, nil, nil, func(int, *fileOutcome) { n++ })
				if n != len(items) {
					b.Fatalf("%d outcomes for %d files", n, len(items))
				}
			}
		})
	}
}
