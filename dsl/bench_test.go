package dsl

import (
	"fmt"
	"strings"
	"testing"
)

// bigScenario has n top-level tasks with a few steps each.
func bigScenario(n int) []byte {
	var b strings.Builder
	b.WriteString("scenario \"big\" {\n")
	for i := range n {
		fmt.Fprintf(&b, "  task \"t%d\" at %dms { cpu 1ms io 2ms repeat 3 { cpu 1us sleep 1ms } }\n", i, i%100)
	}
	b.WriteString("  expect makespan < 1000s\n}\n")
	return []byte(b.String())
}

func BenchmarkParse10kTasks(b *testing.B) {
	src := bigScenario(10_000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("big.sim", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExpandMillion(b *testing.B) {
	src := []byte(`scenario "big" { process "p" x 1000 { thread "w" x 998 { cpu 1ms } asyncio { } } }`)
	for b.Loop() {
		if _, err := Parse("big.sim", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse40kTasks(b *testing.B) {
	src := bigScenario(40_000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("big.sim", src); err != nil {
			b.Fatal(err)
		}
	}
}
