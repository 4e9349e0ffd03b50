package dsl

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/gilsim/gilsim/internal/cputime"
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

// parseSizes is the size axis of the parse benchmarks: generated files of
// this many tasks (about 85 bytes each).
var parseSizes = []int{100, 1_000, 10_000, 100_000}

// BenchmarkParse is Parse (lex, parse, check, lower) of a generated file
// at each size: MB/s of source, allocations, and the bytes allocated and
// kept (the result alive, after a collection) per source byte.
func BenchmarkParse(b *testing.B) {
	for _, n := range parseSizes {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			src := bigScenario(n)
			benchParse(b, src, func() any {
				sc, err := Parse("big.sim", src)
				if err != nil {
					b.Fatal(err)
				}
				return sc
			})
		})
	}
}

// BenchmarkParseSyntax is the parser alone: lexing and parsing into the
// tree, nothing checked or lowered.
func BenchmarkParseSyntax(b *testing.B) {
	for _, n := range parseSizes {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			src := bigScenario(n)
			benchParse(b, src, func() any {
				syn, err := parseSyntax("big.sim", src)
				if err != nil {
					b.Fatal(err)
				}
				return syn
			})
		})
	}
}

// BenchmarkPeekingLexer is the floor of a file parsed whole (parseWhole,
// which words the errors): the file's tokens, found by the scanner, read
// by lexer.Upgrade into the PeekingLexer that participle parses from.
// Upgrade appends the tokens one by one (64 bytes each, about 18 per
// task), so the array is copied as it grows, some five times its final
// size in all.
func BenchmarkPeekingLexer(b *testing.B) {
	for _, n := range parseSizes {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			src := bigScenario(n)
			text := string(src)
			benchParse(b, src, func() any {
				peek, err := lexer.Upgrade(newScanner("big.sim", text, false))
				if err != nil {
					b.Fatal(err)
				}
				return peek
			})
		})
	}
}

// BenchmarkTokenWindow is the floor of a file parsed in chunks
// (parseChunks): the file's tokens scanned chunk by chunk into the
// PeekingLexer's window, written over for each chunk, and checked, as
// parseChunks does before participle parses each chunk.
func BenchmarkTokenWindow(b *testing.B) {
	for _, n := range parseSizes {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			src := bigScenario(n)
			text := string(src)
			benchParse(b, src, func() any {
				c := newChunker("big.sim", text)
				for {
					eof, ok := c.next()
					if !ok {
						b.Fatal("the chunker refuses the file")
					}
					if eof {
						break
					}
				}
				c.w.release()
				return c
			})
		})
	}
}

// BenchmarkParseShipped reads every shipped scenario once per iteration,
// as a batch of small files: syntax is the parser alone (lex and parse),
// sweep is ParseAnySweep, every run of each file checked and lowered (and
// so every replica of an `x N` expanded: lowering, not parsing, is most
// of it).
func BenchmarkParseShipped(b *testing.B) {
	var files [][]byte
	size := 0
	for _, pattern := range []string{"../scenarios/*.sim", "../scenarios/*/*.sim"} {
		names, _ := filepath.Glob(pattern)
		for _, name := range names {
			src, err := os.ReadFile(name)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, src)
			size += len(src)
		}
	}
	if len(files) < 50 {
		b.Fatalf("only %d shipped scenarios", len(files))
	}
	b.Run("syntax", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, src := range files {
				if _, err := parseSyntax("shipped.sim", src); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("sweep", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, src := range files {
				if _, err := ParseAnySweep("shipped.sim", src, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// benchParse times parse on src and reports, besides MB/s and allocations,
// the bytes allocated per source byte (alloc-B/B) and the heap that one
// result keeps alive per source byte (kept-B/B).
func benchParse(b *testing.B, src []byte, parse func() any) {
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		parse()
		n++
	}
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(len(src))*float64(n)/cpu.Seconds()/1e6, "MB/cpu-s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/float64(len(src)), "alloc-B/B")
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := parse()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(len(src)), "kept-B/B")
}

func BenchmarkExpandMillion(b *testing.B) {
	src := []byte(`scenario "big" { process "p" x 1000 { thread "w" x 998 { cpu 1ms } asyncio { } } }`)
	for b.Loop() {
		if _, err := Parse("big.sim", src); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the CPU time the process has used, user and system, on
// every thread (the collector's too); 0 where the system does not say.
func cpuTime() time.Duration { return cputime.Process() }
