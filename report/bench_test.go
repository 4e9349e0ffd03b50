package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/cputime"
	"github.com/gilsim/gilsim/simulator"
)

// The size axis of rendering: a run of n entities, half of them threads
// of a replicated CPython process (4 replicas of n/8 threads) and the
// rest native tasks of one replica group, written as a table and as JSON.
// The run is simulated once per size, outside the timer; what is timed
// is the writer alone, into io.Discard. Each benchmark reports B/op,
// allocs/op and the page faults of a run (faults/op): a lone gilsim run
// touches each page of the output it builds for the first time.

var renderSizes = []int{100, 1_000, 10_000, 100_000}

// renderResults caches the simulated run of each size.
var renderResults = map[int]*simulator.Result{}

func renderResult(b *testing.B, n int) *simulator.Result {
	if r, ok := renderResults[n]; ok {
		return r
	}
	src := fmt.Sprintf(`scenario "render %d" {
  cores 4
  policy fair
  task "t" x %d { cpu uniform(50us, 150us)  io uniform(500us, 1500us) }
  process "app" x 4 { thread "w" x %d { cpu 100us  io 1ms } }
}`, n, n-4*(n/8), n/8)
	sc, err := dsl.Parse("render.sim", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	r, err := simulator.Run(sc, simulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if len(r.Tasks) != n {
		b.Fatalf("%d tasks, want %d", len(r.Tasks), n)
	}
	renderResults[n] = r
	return r
}

func benchRender(b *testing.B, write func(io.Writer, *simulator.Result) error) {
	for _, n := range renderSizes {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			r := renderResult(b, n)
			b.ReportAllocs()
			f0 := cputime.PageFaults()
			for b.Loop() {
				if err := write(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.PageFaults()-f0)/float64(b.N), "faults/op")
		})
	}
}

// BenchmarkRenderTable: the terminal tables of a run (gilsim run).
func BenchmarkRenderTable(b *testing.B) {
	benchRender(b, func(w io.Writer, r *simulator.Result) error { return Tables(w, r, TableOptions{}) })
}

// BenchmarkRenderTableRows: the terminal tables of a run of n native
// tasks each named on its own, so that the tasks' table has a row each
// (at 100,000, what tablewriter costs a row).
func BenchmarkRenderTableRows(b *testing.B) {
	for _, n := range renderSizes {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			var src strings.Builder
			fmt.Fprintf(&src, "scenario \"rows %d\" {\n  cores 4\n  policy fair\n", n)
			for i := range n {
				fmt.Fprintf(&src, "  task \"t%d\" { cpu uniform(50us, 150us)  io uniform(500us, 1500us) }\n", i)
			}
			src.WriteString("}\n")
			sc, err := dsl.Parse("rows.sim", []byte(src.String()))
			if err != nil {
				b.Fatal(err)
			}
			r, err := simulator.Run(sc, simulator.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			f0 := cputime.PageFaults()
			for b.Loop() {
				if err := Tables(io.Discard, r, TableOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.PageFaults()-f0)/float64(b.N), "faults/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
	}
}

// BenchmarkRenderJSON: the JSON document of a run (gilsim run --format json).
func BenchmarkRenderJSON(b *testing.B) {
	benchRender(b, func(w io.Writer, r *simulator.Result) error { return JSONRuns(w, []Run{{Result: r}}) })
}

// The size axis of recording: a run of n native tasks under the fair
// policy on 4 cores, each computing and waiting for io four times
// (issue 17's file at n = 100,000). With many tasks each waits for a core
// for a long time, so most spans cover many of the Recorder's buckets.
// The run is simulated once per size, outside the timer, keeping its
// spans; what is timed is a fresh Recorder taking every span and then
// drawing the HTML chart's cells, which reads every bucket.

var recordSizes = []int{100, 1_000, 10_000, 100_000}

type recordedRun struct {
	sc    *simulator.Scenario
	res   *simulator.Result
	spans []simulator.Span
}

var recordedRuns = map[int]*recordedRun{}

func recordRun(b *testing.B, n int) *recordedRun {
	if r, ok := recordedRuns[n]; ok {
		return r
	}
	src := fmt.Sprintf(`scenario "record %d" {
  cores 4
  policy fair
  task "t" x %d { repeat 4 { cpu uniform(50us, 150us)  io uniform(500us, 1500us) } }
}`, n, n)
	sc, err := dsl.Parse("record.sim", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	r := &recordedRun{sc: sc}
	r.res, err = simulator.Run(sc, simulator.Options{Trace: func(s simulator.Span) { r.spans = append(r.spans, s) }})
	if err != nil {
		b.Fatal(err)
	}
	recordedRuns[n] = r
	return r
}

// BenchmarkRecord: recording a run for gilsim report's chart. spans/op
// is how many spans the Recorder took.
func BenchmarkRecord(b *testing.B) {
	for _, n := range recordSizes {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			r := recordRun(b, n)
			b.ReportAllocs()
			for b.Loop() {
				rec := NewRecorder(r.sc, HTMLRecorderOptions())
				for _, s := range r.spans {
					rec.Trace(s)
				}
				if _, err := rec.chart(r.res, htmlChartWidth); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r.spans)), "spans/op")
		})
	}
}
