package report

import (
	"fmt"
	"io"
	"strconv"
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

// BenchmarkRenderJSON: the JSON document of a run (gilsim run --format json).
func BenchmarkRenderJSON(b *testing.B) {
	benchRender(b, func(w io.Writer, r *simulator.Result) error { return JSONRuns(w, []Run{{Result: r}}) })
}
