// Command benchtable runs gilsim's speed benchmarks (`go test -bench`) and
// prints the figures of the speed targets as a markdown table, with the
// machine they ran on:
//
//	go run ./cmd/benchtable            # from the repository's root
//
// Benchmarks on a shared machine are noisy: run it on a quiet one, and
// more than once (-count) when comparing.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// target is one row of the table: a benchmark, the metric read from it,
// and the goal.
type target struct {
	measure string
	pkg     string
	bench   string // the benchmark's name as go test prints it, without -N
	metric  string // unit of the metric to read ("ns/op", "events/s", ...)
	goal    string
	ok      func(v float64) bool
	show    func(v float64) string
}

func main() {
	count := flag.Int("benchtime", 3, "iterations per benchmark (go test -benchtime Nx)")
	flag.Parse()

	events := func(v float64) string { return fmt.Sprintf("%.1f M/s", v/1e6) }
	secs := func(v float64) string { return fmt.Sprintf("%.2f s", v/1e9) }
	bytesPer := func(v float64) string { return fmt.Sprintf("%.0f B", v) }
	targets := []target{
		{"events/s, threads + GIL (100 threads, short cpu/io steps)", "./simulator", "BenchmarkThreadsGIL", "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, asyncio (100 coroutines)", "./simulator", "BenchmarkAsyncio", "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, gevent (100 greenlets)", "./simulator", "BenchmarkGevent", "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"events/s, eventlet (100 greenthreads)", "./simulator", "BenchmarkEventlet", "events/s", "≥ 10 M/s", func(v float64) bool { return v >= 10e6 }, events},
		{"100,000 threads × 100 steps", "./simulator", "BenchmarkScale100kThreads", "ns/op", "< 5 s", func(v float64) bool { return v < 5e9 }, secs},
		{"100,000 greenlets × 100 steps", "./simulator", "BenchmarkScale100kGreenlets", "ns/op", "< 5 s", func(v float64) bool { return v < 5e9 }, secs},
		{"100,000 coroutines × 100 steps", "./simulator", "BenchmarkScale100kCoroutines", "ns/op", "< 5 s", func(v float64) bool { return v < 5e9 }, secs},
		{"memory per thread at rest", "./simulator", "BenchmarkScale100kThreads", "B/entity", "< 500 B", func(v float64) bool { return v < 500 }, bytesPer},
		{"memory per greenlet at rest", "./simulator", "BenchmarkScale100kGreenlets", "B/entity", "< 500 B", func(v float64) bool { return v < 500 }, bytesPer},
		{"peak heap of a 100,000-greenlet run (allocated per run)", "./simulator", "BenchmarkScale100kGreenlets", "B/op", "< 1 GB", func(v float64) bool { return v < 1<<30 }, func(v float64) string { return fmt.Sprintf("%.0f MB", v/(1<<20)) }},
		{"parse speed (10,000 tasks)", "./dsl", "BenchmarkParse10kTasks", "MB/s", "—", func(float64) bool { return true }, func(v float64) string { return fmt.Sprintf("%.2f MB/s", v) }},
		{"batch of 1,000 scenarios, 1 worker", "./cmd/gilsim", "BenchmarkBatch1000/workers=1", "ns/op", "—", func(float64) bool { return true }, secs},
		{"batch of 1,000 scenarios, 2 workers", "./cmd/gilsim", "BenchmarkBatch1000/workers=2", "ns/op", "—", func(float64) bool { return true }, secs},
	}

	results := map[string]map[string]float64{} // bench -> unit -> value
	pkgs := map[string][]string{}
	var order []string
	for _, t := range targets {
		if _, ok := pkgs[t.pkg]; !ok {
			order = append(order, t.pkg)
		}
		name := strings.SplitN(strings.TrimPrefix(t.bench, "Benchmark"), "/", 2)[0]
		pkgs[t.pkg] = append(pkgs[t.pkg], name)
	}
	for _, pkg := range order {
		pattern := "^Benchmark(" + strings.Join(uniq(pkgs[pkg]), "|") + ")$"
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", pattern, "-benchmem", "-benchtime", strconv.Itoa(*count)+"x", pkg)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchtable: go test %s: %v\n%s", pkg, err, out)
			os.Exit(2)
		}
		parse(out, results)
	}

	fmt.Printf("Machine: %s/%s, %d CPUs, %s (go run ./cmd/benchtable, -benchtime %dx)\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), *count)
	fmt.Println("| measure | target | measured | |")
	fmt.Println("| --- | --- | --- | --- |")
	var one, two float64
	for _, t := range targets {
		v, ok := results[t.bench][t.metric]
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
		fmt.Printf("| batch speed-up, 2 workers over 1 | ≥ 1.7× | %.2f× | %s |\n", one/two, mark)
	}
}

// parse reads `go test -bench` output: "BenchmarkX-2  N  v unit  v unit ...".
func parse(out []byte, into map[string]map[string]float64) {
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
			m = map[string]float64{}
			into[name] = m
		}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
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
