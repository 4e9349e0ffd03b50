// Command benchtable runs gilsim's speed benchmarks (`go test -bench`) and
// prints the figures of the speed targets as a markdown table, with the
// machine they ran on:
//
//	go run ./cmd/benchtable            # from the repository's root
//
// Benchmarks on a shared machine are noisy: every benchmark runs -count
// times (5 by default) and the table shows the median of each figure. The
// 100,000-entity benchmarks and the size axis take seconds, so they run
// -benchtime iterations (1 by default); the others are short and run for
// -eventtime (1s) each. The size axis's rows show events per second of
// wall time, judged against the target, and in parentheses events per
// second of the process's CPU time, which other work on a shared machine
// disturbs less, and events per second of wall time of a first run, in
// memory the process has just given back to the system (as a lone gilsim
// run, which pays a page fault for every page it touches).
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

	"github.com/gilsim/gilsim/internal/app"
)

// target is one row of the table: a benchmark, the metric read from it,
// and the goal.
type target struct {
	measure string
	pkg     string
	bench   string // the benchmark's name as go test prints it, without -N
	scale   bool   // a long run (100,000 entities, the size axis): -benchtime iterations rather than -eventtime
	metric  string // unit of the metric to read ("ns/op", "events/s", ...)
	goal    string
	ok      func(v float64) bool
	show    func(v float64) string
	// also are other metrics of the same run, shown in parentheses and
	// not judged
	also []shown
	// gogc runs the benchmark's package with GOGC set to it (0: Go's
	// default), so that a row can measure what the gilsim command does,
	// which collects at app.GCPercent
	gogc int
}

// shown is a metric shown beside a row's judged one.
type shown struct {
	metric string
	show   func(v float64) string
}

// key names a row's results: its benchmark, and the collector's setting
// when the row sets one (a package may run under both).
func (t target) key() string { return gcKey(t.bench, t.gogc) }

func gcKey(bench string, gogc int) string {
	if gogc == 0 {
		return bench
	}
	return bench + " GOGC=" + strconv.Itoa(gogc)
}

// ratio is a row computed from two rows' medians: of's over by's.
type ratio struct {
	measure, goal string
	of, by        string // benchmarks (named as in target.bench) whose metric is divided
	metric        string
	ok            func(r float64) bool
	show          func(r float64) string
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
		gogc  int
	}
	names := map[group][]string{}
	var order []group
	for _, t := range targets {
		g := group{t.pkg, t.scale, t.gogc}
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
		if g.gogc != 0 {
			cmd.Env = append(os.Environ(), "GOGC="+strconv.Itoa(g.gogc))
		}
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchtable: go test %s: %v\n%s", g.pkg, err, out)
			os.Exit(2)
		}
		parse(out, g.gogc, results)
	}

	fmt.Printf("Machine: %s/%s, %d CPUs, %s (go run ./cmd/benchtable: median of %d runs)\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), *count)
	fmt.Println("| measure | target | measured | |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, t := range targets {
		v, ok := median(results[t.key()][t.metric])
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
			var also []string
			for _, a := range t.also {
				if v, ok := median(results[t.key()][a.metric]); ok {
					also = append(also, a.show(v))
				}
			}
			if len(also) > 0 {
				cell += " (" + strings.Join(also, "; ") + ")"
			}
		}
		fmt.Printf("| %s | %s | %s | %s |\n", t.measure, t.goal, cell, mark)
	}
	for _, r := range ratios() {
		a, okA := median(results[r.of][r.metric])
		b, okB := median(results[r.by][r.metric])
		cell, mark := "missing", "✗"
		if okA && okB && b > 0 {
			cell, mark = r.show(a/b), "✓"
			if !r.ok(a / b) {
				mark = "✗"
			}
		}
		fmt.Printf("| %s | %s | %s | %s |\n", r.measure, r.goal, cell, mark)
	}
}

// speedTargets are the rows of the table read from one benchmark each,
// in order; the ratios follow them.
func speedTargets() []target {
	events := func(v float64) string { return fmt.Sprintf("%.1f M/s", v/1e6) }
	cpuEvents := func(v float64) string { return fmt.Sprintf("%.1f M/CPU-s", v/1e6) }
	firstEvents := func(v float64) string { return fmt.Sprintf("first run %.1f M/s", v/1e6) }
	secs := func(v float64) string { return fmt.Sprintf("%.2f s", v/1e9) }
	bytesPer := func(v float64) string { return fmt.Sprintf("%.0f B", v) }
	mb := func(v float64) string { return fmt.Sprintf("%.0f MB", v) }
	mbs := func(v float64) string { return fmt.Sprintf("%.1f MB/s", v) }
	parseOK := func(v float64) bool { return v >= 15 }
	tenM := func(v float64) bool { return v >= 10e6 }
	ts := []target{
		{measure: "events/s, threads + GIL (100 threads, short cpu/io steps)", pkg: "./simulator", bench: "BenchmarkThreadsGIL", metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events},
		{measure: "events/s, asyncio (100 coroutines)", pkg: "./simulator", bench: "BenchmarkAsyncio", metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events},
		{measure: "events/s, gevent (100 greenlets)", pkg: "./simulator", bench: "BenchmarkGevent", metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events},
		{measure: "events/s, eventlet (100 greenthreads)", pkg: "./simulator", bench: "BenchmarkEventlet", metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events},
		{measure: "events/s, raw greenlets (100, switching in a ring)", pkg: "./simulator", bench: "BenchmarkGreenlets", metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events},
		{measure: "events/s, generator trampoline (100 generators)", pkg: "./simulator", bench: "BenchmarkCoroutines", metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events},
	}
	// the size axis: the same 400,000 rounds shared by n entities
	for _, k := range sizeKinds {
		for _, n := range sizeNs {
			ts = append(ts, target{measure: "events/s, " + k.what + ", " + n.shown + " " + k.unit + " (400,000 rounds in all)",
				pkg: "./simulator", bench: "Benchmark" + k.bench + "/n=" + n.n, scale: true, metric: "events/s", goal: "≥ 10 M/s", ok: tenM, show: events,
				also: []shown{{"events/cpu-s", cpuEvents}, {"first-events/s", firstEvents}}})
		}
	}
	// what the size axis's largest runs pay for new memory: a write to
	// a page the process has never touched (a page fault, and on a VM
	// the host's backing), page by page and as a run maps in its big
	// arrays (simulator/prefault.go)
	perPage := func(v float64) string { return fmt.Sprintf("%.1f µs a page", v/1e3) }
	info := func(float64) bool { return true }
	ts = append(ts,
		target{measure: "a first write to a page never touched, page by page (64 MiB)", pkg: "./simulator", bench: "BenchmarkFreshPages/touch", metric: "ns/page", goal: "—", ok: info, show: perPage},
		target{measure: "the same, the pages mapped in first by one madvise(MADV_POPULATE_WRITE), as a run's big arrays are", pkg: "./simulator", bench: "BenchmarkFreshPages/populate", metric: "ns/page", goal: "—", ok: info, show: perPage})
	under5s := func(v float64) bool { return v < 5e9 }
	return append(ts,
		target{measure: "100,000 threads × 100 steps", pkg: "./simulator", bench: "BenchmarkScale100kThreads", scale: true, metric: "ns/op", goal: "< 5 s", ok: under5s, show: secs},
		target{measure: "100,000 greenlets × 100 steps", pkg: "./simulator", bench: "BenchmarkScale100kGreenlets", scale: true, metric: "ns/op", goal: "< 5 s", ok: under5s, show: secs},
		target{measure: "100,000 coroutines × 100 steps", pkg: "./simulator", bench: "BenchmarkScale100kCoroutines", scale: true, metric: "ns/op", goal: "< 5 s", ok: under5s, show: secs},
		target{measure: "memory per thread at rest", pkg: "./simulator", bench: "BenchmarkScale100kThreads", scale: true, metric: "B/entity", goal: "< 500 B", ok: func(v float64) bool { return v < 500 }, show: bytesPer},
		target{measure: "memory per greenlet at rest", pkg: "./simulator", bench: "BenchmarkScale100kGreenlets", scale: true, metric: "B/entity", goal: "< 500 B", ok: func(v float64) bool { return v < 500 }, show: bytesPer},
		target{measure: "peak heap of a 100,000-greenlet run (allocated per run)", pkg: "./simulator", bench: "BenchmarkScale100kGreenlets", scale: true, metric: "B/op", goal: "< 1 GB", ok: func(v float64) bool { return v < 1<<30 }, show: func(v float64) string { return fmt.Sprintf("%.0f MB", v/(1<<20)) }},
		target{measure: "peak RSS, 100,000 threads × 100 rounds under the GIL", pkg: "./simulator", bench: "BenchmarkScale100kThreadsGIL", scale: true, metric: "peak-RSS-MB", goal: "< 1 GB", ok: func(v float64) bool { return v < 1024 }, show: mb},
		target{measure: "the seed's file: 30,000 threads vs 30,000 greenlets, parse and run", pkg: "./simulator", bench: "BenchmarkSeed30kGreenThreads", scale: true, metric: "ns/op", goal: "< 5 s", ok: under5s, show: secs},
		target{measure: "parse speed as gilsim parses: lex, parse, check, lower (1,000 tasks; GOGC=400)", pkg: "./dsl", bench: "BenchmarkParse/tasks=1000", gogc: app.GCPercent, metric: "MB/s", goal: "≥ 15 MB/s", ok: parseOK, show: mbs},
		target{measure: "parse speed as gilsim parses: lex, parse, check, lower (10,000 tasks; GOGC=400)", pkg: "./dsl", bench: "BenchmarkParse/tasks=10000", gogc: app.GCPercent, metric: "MB/s", goal: "≥ 15 MB/s", ok: parseOK, show: mbs},
		target{measure: "parse speed as gilsim parses: lex, parse, check, lower (100,000 tasks; GOGC=400)", pkg: "./dsl", bench: "BenchmarkParse/tasks=100000", gogc: app.GCPercent, metric: "MB/s", goal: "≥ 15 MB/s", ok: parseOK, show: mbs},
		target{measure: "parser alone as gilsim parses: lex and parse (10,000 tasks; GOGC=400)", pkg: "./dsl", bench: "BenchmarkParseSyntax/tasks=10000", gogc: app.GCPercent, metric: "MB/s", goal: "≥ 15 MB/s", ok: parseOK, show: mbs},
		target{measure: "parser alone as gilsim parses: the shipped scenarios as a batch (GOGC=400)", pkg: "./dsl", bench: "BenchmarkParseShipped/syntax", gogc: app.GCPercent, metric: "MB/s", goal: "≥ 15 MB/s", ok: parseOK, show: mbs},
		target{measure: "parse speed in a Go program with Go's default collector: lex, parse, check, lower (10,000 tasks; GOGC=100)", pkg: "./dsl", bench: "BenchmarkParse/tasks=10000", metric: "MB/s", goal: "—", ok: func(float64) bool { return true }, show: mbs},
		target{measure: "parser alone with Go's default collector (10,000 tasks; GOGC=100)", pkg: "./dsl", bench: "BenchmarkParseSyntax/tasks=10000", metric: "MB/s", goal: "—", ok: func(float64) bool { return true }, show: mbs},
		target{measure: "parser alone, per CPU-second (10,000 tasks; GOGC=100, the collector's threads included)", pkg: "./dsl", bench: "BenchmarkParseSyntax/tasks=10000", metric: "MB/cpu-s", goal: "—", ok: func(float64) bool { return true }, show: mbs},
		target{measure: "participle's PeekingLexer alone: the tokens scanned and checked chunk by chunk into a reused window (10,000 tasks)", pkg: "./dsl", bench: "BenchmarkTokenWindow/tasks=10000", metric: "MB/s", goal: "—", ok: func(float64) bool { return true }, show: mbs},
		target{measure: "bytes allocated per source byte (10,000 tasks, Parse)", pkg: "./dsl", bench: "BenchmarkParse/tasks=10000", metric: "alloc-B/B", goal: "—", ok: func(float64) bool { return true }, show: bytesPer},
		target{measure: "batch of 1,000 scenarios, 1 worker", pkg: "./cmd/gilsim", bench: "BenchmarkBatch1000/workers=1", metric: "ns/op", goal: "—", ok: func(float64) bool { return true }, show: secs},
		target{measure: "batch of 1,000 scenarios, 2 workers", pkg: "./cmd/gilsim", bench: "BenchmarkBatch1000/workers=2", metric: "ns/op", goal: "—", ok: func(float64) bool { return true }, show: secs},
	)
}

// sizeKinds are the size-axis benchmarks (simulator/bench_size_test.go),
// sizeNs their sizes (as go test names them, and as the table shows them).
var sizeKinds = []struct{ bench, what, unit string }{
	{"SizeThreadsGIL", "threads + GIL", "threads"},
	{"SizeAsyncio", "asyncio", "coroutines"},
	{"SizeGevent", "gevent", "greenlets"},
	{"SizeFair", "fair policy on 4 cores", "native tasks"},
}

var sizeNs = []struct{ n, shown string }{{"100", "100"}, {"1000", "1,000"}, {"10000", "10,000"}, {"100000", "100,000"}}

// ratios are the rows computed from two others, after them.
func ratios() []ratio {
	times := func(r float64) string { return fmt.Sprintf("%.2f×", r) }
	var rs []ratio
	for _, k := range sizeKinds {
		rs = append(rs, ratio{measure: "events/s at 100,000 " + k.unit + " over at 100 (" + k.what + ")", goal: "≥ 0.5×",
			of: "Benchmark" + k.bench + "/n=100000", by: "Benchmark" + k.bench + "/n=100", metric: "events/s",
			ok: func(r float64) bool { return r >= 0.5 }, show: times})
	}
	return append(rs, ratio{measure: "batch speed-up, 2 workers over 1", goal: "≥ 1.7×",
		of: "BenchmarkBatch1000/workers=1", by: "BenchmarkBatch1000/workers=2", metric: "ns/op",
		ok: func(r float64) bool { return r >= 1.7 }, show: times})
}

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
func parse(out []byte, gogc int, into map[string]map[string][]float64) {
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
		name = gcKey(name, gogc)
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
