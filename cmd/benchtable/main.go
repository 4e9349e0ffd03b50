// Command benchtable runs gilsim's speed benchmarks (`go test -bench`) and
// prints the figures of the speed targets as a markdown table, with the
// machine they ran on:
//
//	go run ./cmd/benchtable            # from the repository's root
//
// Benchmarks on a shared machine are noisy: every benchmark runs -count
// times (5 by default) and the table shows the median of each figure. The
// 100,000-entity benchmarks take seconds, so they run -benchtime iterations
// (1 by default); the others are short and run for -eventtime (1s) each.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// target is one row of the table: a benchmark, the metric read from it,
// and the goal.
type target struct {
	measure string
	pkg     string
	bench   string // the benchmark's name as go test prints it, without -N
	scale   bool   // a 100,000-entity run: -benchtime iterations rather than -eventtime
	metric  string // unit of the metric to read ("ns/op", "events/s", ...)
	goal    string
	ok      func(v float64) bool
	show    func(v float64) string
}

func main() {
	iters := flag.Int("benchtime", 1, "iterations per run of a 100,000-entity benchmark (go test -benchtime Nx)")
	eventTime := flag.Duration("eventtime", time.Second, "time per run of the other benchmarks (go test -benchtime)")
	count := flag.Int("count", 5, "runs of each benchmark; the table shows the median (go test -count)")
	only := flag.String("pkg", "", "only the rows of this package (./dsl, ./simulator, ./cmd/gilsim)")
	flag.Parse()
	if *iters < 1 || *count < 1 || *eventTime <= 0 {
		fmt.Fprintln(os.Stderr, "benchtable: -benchtime, -count and -eventtime must be positive")
		os.Exit(2)
	}

	targets := speedTargets()
	if *only != "" {
		targets = slices.DeleteFunc(targets, func(t target) bool { return t.pkg != *only })
		if len(targets) == 0 {
			fmt.Fprintf(os.Stderr, "benchtable: no rows for package %s\n", *only)
			os.Exit(2)
		}
	}

	// one go test per package and kind of run, -count times over
	results := map[string]map[string][]float64{} // bench -> unit -> one value per run
	type group struct {
		pkg   string
		scale bool
	}
	names := map[group][]string{}
	var order []group
	for _, t := range targets {
		g := group{t.pkg, t.scale}
		if _, ok := names[g]; !ok {
			order = append(order, g)
		}
		name := strings.SplitN(strings.TrimPrefix(t.bench, "Benchmark"), "/", 2)[0]
		names[g] = append(names[g], name)
	}
	for _, g := range order {
		pattern := "^Benchmark(" + strings.Join(uniq(names[g]), "|") + ")$"
		benchtime := eventTime.String()
		if g.scale {
			benchtime = strconv.Itoa(*iters) + "x"
		}
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchmem",
			"-benchtime", benchtime, "-count", strconv.Itoa(*count), g.pkg)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchtable: go test %s: %v\n%s", g.pkg, err, out)
			os.Exit(2)
		}
		parse(out, results)
	}

	fmt.Printf("Machine: %s/%s, %d CPUs, %s (go run ./cmd/benchtable: median of %d runs)\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), *count)
	fmt.Println("| measure | target | measured | |")
	fmt.Println("| --- | --- | --- | --- |")
	var one, two float64
	for _, t := range targets {
		v, ok := median(results[t.bench][t.metric])
		cell, mark := "missing", "✗"
		if ok {
			cell = t.show(v)
			mark = "✓"
			if !t.ok(v) {
				mark = "✗"
			}
			if t.goal == "—" {
				mark = ""
			}
		}
		switch t.bench {
		case "BenchmarkBatch1000/workers=1":
			one = v
		case "BenchmarkBatch1000/workers=2":
			two = v
		}
		fmt.Printf("| %s | %s | %s | %s |\n", t.measure, t.goal, cell, mark)
	}
	if one > 0 && two > 0 {
		mark := "✓"
		if one/two < 1.7 {
			mark = "✗"
		}
		fmt.Printf("| %s | %s | %.2f× | %s |\n", speedupMeasure, speedupGoal, one/two, mark)
	}
}

// speedTargets are the rows of the table, in order; a last row, the
// batch speed-up of 2 workers over 1, is computed from two of them
// (speedupMeasure, speedupGoal).
func speedTargets() []target {
	events := func(v float64) string { return fmt.Sprintf("%.1f M/s", v/1e6) }
	secs := func(v float64) string { return fmt.Sprintf("%.2f s", v/1e9) }
	bytesPer := func(v float64) string { return fmt.Sprintf("%.0f B", v) }
	mbs := func(v float64) string { return fmt.Sprintf("%.1f MB/s", v) }
	parseOK := func(v float64) bool { return v >= 15 }
	return []target{
		{"events/s, threads + GIL (100 threads, short cpu/io steps)", "./simulator", "BenchmarkThreadsGIL", false, "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, asyncio (100 coroutines)", "./simulator", "BenchmarkAsyncio", false, "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, gevent (100 greenlets)", "./simulator", "BenchmarkGevent", false, "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, eventlet (100 greenthreads)", "./simulator", "BenchmarkEventlet", false, "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, raw greenlets (100, switching in a ring)", "./simulator", "BenchmarkGreenlets", false, "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, generator trampoline (100 generators)", "./simulator", "BenchmarkCoroutines", false, "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"100,000 threads × 100 steps", "./simulator", "BenchmarkScale100kThreads", true, "ns/op", "< 5 s", func(v float64) bool { return v < 5e9 }, secs},
		{"100,000 greenlets × 100 steps", "./simulator", "BenchmarkScale100kGreenlets", true, "ns/op", "< 5 s", func(v float64) bool { return v < 5e9 }, secs},
		{"100,000 coroutines × 100 steps", "./simulator", "BenchmarkScale100kCoroutines", true, "ns/op", "< 5 s", func(v float64) bool { return v < 5e9 }, secs},
		{"memory per thread at rest", "./simulator", "BenchmarkScale100kThreads", true, "B/entity", "< 500 B", func(v float64) bool { return v < 500 }, bytesPer},
		{"memory per greenlet at rest", "./simulator", "BenchmarkScale100kGreenlets", true, "B/entity", "< 500 B", func(v float64) bool { return v < 500 }, bytesPer},
		{"peak heap of a 100,000-greenlet run (allocated per run)", "./simulator", "BenchmarkScale100kGreenlets", true, "B/op", "< 1 GB", func(v float64) bool { return v < 1<<30 }, func(v float64) string { return fmt.Sprintf("%.0f MB", v/(1<<20)) }},
		{"parse speed: lex, parse, check, lower (1,000 tasks)", "./dsl", "BenchmarkParse/tasks=1000", false, "MB/s", "≥ 15 MB/s", parseOK, mbs},
		{"parse speed: lex, parse, check, lower (10,000 tasks)", "./dsl", "BenchmarkParse/tasks=10000", false, "MB/s", "≥ 15 MB/s", parseOK, mbs},
		{"parse speed: lex, parse, check, lower (100,000 tasks)", "./dsl", "BenchmarkParse/tasks=100000", false, "MB/s", "≥ 15 MB/s", parseOK, mbs},
		{"parser alone: lex and parse (10,000 tasks)", "./dsl", "BenchmarkParseSyntax/tasks=10000", false, "MB/s", "≥ 15 MB/s", parseOK, mbs},
		{"parser alone, per CPU-second (10,000 tasks; the collector's threads included)", "./dsl", "BenchmarkParseSyntax/tasks=10000", false, "MB/cpu-s", "—", func(float64) bool { return true }, mbs},
		{"participle's PeekingLexer alone: the tokens through lexer.Upgrade (10,000 tasks)", "./dsl", "BenchmarkPeekingLexer/tasks=10000", false, "MB/s", "—", func(float64) bool { return true }, mbs},
		{"parser alone: the shipped scenarios as a batch", "./dsl", "BenchmarkParseShipped/syntax", false, "MB/s", "≥ 15 MB/s", parseOK, mbs},
		{"bytes allocated per source byte (10,000 tasks, Parse)", "./dsl", "BenchmarkParse/tasks=10000", false, "alloc-B/B", "—", func(float64) bool { return true }, bytesPer},
		{"batch of 1,000 scenarios, 1 worker", "./cmd/gilsim", "BenchmarkBatch1000/workers=1", false, "ns/op", "—", func(float64) bool { return true }, secs},
		{"batch of 1,000 scenarios, 2 workers", "./cmd/gilsim", "BenchmarkBatch1000/workers=2", false, "ns/op", "—", func(float64) bool { return true }, secs},
	}
}

// The last row of the table.
const (
	speedupMeasure = "batch speed-up, 2 workers over 1"
	speedupGoal    = "≥ 1.7×"
)

// median is the middle of vs (the mean of the two middle ones for an even
// count); ok is false for none.
func median(vs []float64) (v float64, ok bool) {
	if len(vs) == 0 {
		return 0, false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// parse reads `go test -bench` output: "BenchmarkX-2  N  v unit  v unit ...",
// a line per run.
func parse(out []byte, into map[string]map[string][]float64) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		m := into[name]
		if m == nil {
			m = map[string][]float64{}
			into[name] = m
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = append(m[f[i+1]], v)
			}
		}
	}
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// cpuModel is the CPU's model name on Linux, or "" elsewhere.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
