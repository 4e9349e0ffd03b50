package report

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// record parses and runs a scenario file with a Recorder attached.
// blockedSeen is, per entity, the blocked time of the last recorded run's
// spans (io, sleep, lock, offload and parked alike).
var blockedSeen []int64

func record(t *testing.T, path string, o RecorderOptions) (*Recorder, *simulator.Result) {
	t.Helper()
	blockedSeen = blockedSeen[:0]
	sc, err := dsl.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(sc, o)
	res, err := simulator.Run(sc, simulator.Options{Trace: func(s simulator.Span) {
		rec.Trace(s)
		if s.Kind == simulator.SpanBlocked && s.Entity >= 0 {
			for len(blockedSeen) <= s.Entity {
				blockedSeen = append(blockedSeen, 0)
			}
			blockedSeen[s.Entity] += s.End - s.Start
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	return rec, res
}

func TestTimelineGolden(t *testing.T) {
	cases := []struct {
		golden, file string
		width        int
		o            RecorderOptions
	}{
		{"fcfs.txt", "fcfs.sim", 100, RecorderOptions{}},
		{"gil.txt", "gil.sim", 100, RecorderOptions{}},
		{"gil-40.txt", "gil.sim", 40, RecorderOptions{}},
		{"asyncio.txt", "asyncio.sim", 100, RecorderOptions{}},
		{"replicas.txt", "replicas.sim", 100, RecorderOptions{}},
		// the cores are busy during the start-up, which no task shows
		{"startup.txt", "startup.sim", 100, RecorderOptions{}},
		// totals past the range of int64 saturate
		{"saturate.txt", "saturate.sim", 80, RecorderOptions{}},
		// Two lines for the entities: the first group's first member and
		// the rest of the group, then everything else on one more line.
		{"replicas-capped.txt", "replicas.sim", 72, RecorderOptions{GroupLines: 1, MaxLines: 2}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			rec, res := record(t, filepath.Join("testdata/timeline", c.file), c.o)
			var b bytes.Buffer
			if err := rec.Timeline(&b, res, c.width); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
				if n := displaywidth.String(line); n > c.width {
					t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, n, c.width, line)
				}
			}
			golden(t, filepath.Join("timeline", c.golden), b.Bytes())
		})
	}
}

func TestTimelineWidths(t *testing.T) {
	rec, res := record(t, "testdata/timeline/gil.sim", RecorderOptions{Columns: MaxTimelineWidth})
	for _, w := range []int{MinTimelineWidth, 41, 77, 200, MaxTimelineWidth} {
		var b bytes.Buffer
		if err := rec.Timeline(&b, res, w); err != nil {
			t.Fatalf("width %d: %v", w, err)
		}
		lines := strings.Split(b.String(), "\n")
		for _, line := range lines {
			if displaywidth.String(line) > w {
				t.Errorf("width %d: line too wide: %q", w, line)
			}
		}
		// The chart lines are exactly as wide as asked.
		if got := displaywidth.String(lines[3]); got != w {
			t.Errorf("width %d: chart line is %d wide: %q", w, got, lines[3])
		}
	}
	for _, w := range []int{0, MinTimelineWidth - 1, MaxTimelineWidth + 1} {
		if err := rec.Timeline(io.Discard, res, w); err == nil {
			t.Errorf("width %d: no error", w)
		}
	}
}

// TestRecorderKeepsTime checks that merging buckets loses no time: for
// every entity on a line of its own, the running, GIL-wait and blocked
// time in its buckets add up to the Result's cpu, gil wait, and io plus
// lock wait. Columns 10 forces many merges.
func TestRecorderKeepsTime(t *testing.T) {
	files, _ := filepath.Glob("testdata/timeline/*.sim")
	files = append(files, "../scenarios/gil/convoy-5ms.sim", "../scenarios/os/lock-across-io.sim", "../scenarios/asyncio/to-thread.sim")
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			rec, res := record(t, f, RecorderOptions{Columns: 10})
			rec.settle()
			if len(rec.rows) > 40+1 {
				t.Errorf("%d lines, more than the default 40 and a shared one", len(rec.rows))
			}
			for _, row := range rec.rows {
				if len(row.members) != 1 || row.t == nil {
					continue
				}
				if len(row.t) != 4*10*spanKinds {
					t.Fatalf("%d buckets, want %d", len(row.t)/spanKinds, 4*10)
				}
				var sum [spanKinds]int64
				for i, v := range row.t {
					sum[i%spanKinds] += v
				}
				tr := res.Tasks[row.members[0]]
				var seen int64
				if e := int(row.members[0]); e < len(blockedSeen) {
					seen = blockedSeen[e]
				}
				blocked := sum[simulator.SpanBlocked] + sum[slotSleep]
				if sum[simulator.SpanRunning] != tr.CPU || sum[simulator.SpanGILWait] != tr.GILWait || blocked != seen || blocked < tr.IO+tr.LockWait {
					t.Errorf("%s: buckets hold running %d, gil wait %d, blocked %d; the result says cpu %d, gil wait %d, io+lock %d; the spans say blocked %d",
						tr.Name, sum[simulator.SpanRunning], sum[simulator.SpanGILWait], blocked, tr.CPU, tr.GILWait, tr.IO+tr.LockWait, seen)
				}
			}
		})
	}
}

func TestTimelineRefusesAnotherResult(t *testing.T) {
	rec, _ := record(t, "testdata/timeline/gil.sim", RecorderOptions{})
	_, other := record(t, "testdata/timeline/fcfs.sim", RecorderOptions{})
	if err := rec.Timeline(io.Discard, other, 80); err == nil {
		t.Error("a timeline drawn with another run's result")
	}
}

func TestTimelineEscapesNames(t *testing.T) {
	rec, res := record(t, "testdata/html/evil.sim", RecorderOptions{})
	res.Tasks[0].Process = "app\x1b[31m"
	var b bytes.Buffer
	if err := rec.Timeline(&b, res, 120); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(b.String(), 0x1b) {
		t.Errorf("an escape character reached the terminal:\n%s", b.String())
	}
}

// TestTimelineSaturates draws 2,997 members that sleep 127 years each:
// their line's totals pass the range of int64. Totals that wrapped
// around drew them blocked; saturated totals keep them sleeping.
func TestTimelineSaturates(t *testing.T) {
	rec, res := record(t, "testdata/timeline/saturate.sim", RecorderOptions{})
	var b bytes.Buffer
	if err := rec.Timeline(&b, res, 100); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "w#4..3000") {
			_, cells, _ := strings.Cut(line, "|")
			cells = strings.TrimSuffix(cells, "|")
			if cells == "" || strings.Trim(cells, "z") != "" {
				t.Errorf("the sleeping members are drawn as %q, want only z", cells)
			}
			return
		}
	}
	t.Fatalf("no line for w#4..3000:\n%s", b.String())
}

func TestSaturatingArithmetic(t *testing.T) {
	const m = math.MaxInt64
	for _, c := range []struct{ a, b, sum, prod int64 }{
		{0, 0, 0, 0},
		{3, 4, 7, 12},
		{m, 0, m, 0},
		{0, m, m, 0},
		{m - 1, 1, m, m - 1},
		{m - 1, 2, m, m},
		{m, m, m, m},
		{1 << 32, 1 << 31, 1<<32 + 1<<31, 1<<63 - 1},
		{1 << 31, 1 << 31, 1 << 32, 1 << 62},
	} {
		if got := addSat(c.a, c.b); got != c.sum {
			t.Errorf("addSat(%d, %d) = %d, want %d", c.a, c.b, got, c.sum)
		}
		if got := mulSat(c.a, c.b); got != c.prod {
			t.Errorf("mulSat(%d, %d) = %d, want %d", c.a, c.b, got, c.prod)
		}
	}
}

// oneTask is a scenario of one native task, for feeding spans by hand.
func oneTask() *simulator.Scenario {
	return &simulator.Scenario{Cores: 1, Processes: []*simulator.Process{
		{Name: "p", Native: true, Threads: []*simulator.Thread{{Name: "p"}}},
	}}
}

// TestRecorderOverlap feeds a span that starts before the previous one
// ended, as the engine reports raw greenlets' waits for a switch: only
// its new part counts.
func TestRecorderOverlap(t *testing.T) {
	rec := NewRecorder(oneTask(), RecorderOptions{Columns: 10})
	rec.Trace(simulator.Span{Entity: 0, Kind: simulator.SpanRunning, Core: 0, Start: 10, End: 20})
	rec.Trace(simulator.Span{Entity: 0, Kind: simulator.SpanReady, Core: -1, Start: 0, End: 30})
	rec.Trace(simulator.Span{Entity: 0, Kind: simulator.SpanReady, Core: -1, Start: 5, End: 25})
	rec.settle()
	var sum [spanKinds]int64
	for i, v := range rec.rows[0].t {
		sum[i%spanKinds] += v
	}
	if sum[simulator.SpanRunning] != 10 || sum[simulator.SpanReady] != 10 {
		t.Errorf("running %d, ready %d; want 10 and 10", sum[simulator.SpanRunning], sum[simulator.SpanReady])
	}
}

// TestRecorderWorkerOrder checks that the lines of pool workers, which
// the engine makes during the run, follow the Result's order rather than
// the order in which they first ran.
func TestRecorderWorkerOrder(t *testing.T) {
	rec, res := record(t, "../scenarios/asyncio/to-thread.sim", RecorderOptions{})
	labels, err := rec.labels(res)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, l := range labels {
		if strings.Contains(l, "asyncio_") {
			got = append(got, l)
		}
	}
	for _, tr := range res.Tasks {
		if strings.HasPrefix(tr.Name, "asyncio_") {
			want = append(want, tr.Process+"/"+tr.Name)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("worker lines %q, want %q", got, want)
	}
}

// TestRecorderBucketsAreSums feeds generated spans to a Recorder and
// compares every bucket with a direct sum: the part of each span of the
// line's members (or, for a core, of the spans that ran on it) that falls
// in the bucket, at the final bucket width. The spans are short and long
// against a bucket, so that whole buckets go both one by one and through
// the difference array, and the run is long enough to merge buckets many
// times with counts still pending. In "huge" and "wrap", a line of 97
// members on 40 buckets sums past the range of int64, in "wrap" within
// the difference array's counts: both sides saturate at the largest
// int64.
func TestRecorderBucketsAreSums(t *testing.T) {
	cases := []struct {
		name     string
		columns  int
		spans    int
		minLog   int   // spans last 2^(L-1) to 2^L ns (1 ns for L = 0),
		maxLog   int   // L drawn from minLog to maxLog
		maxStart int64 // the first span of each entity starts below it
		kinds    int   // span kinds drawn from: the first 1 to 6
	}{
		{"short", 10, 30, 0, 6, 1 << 8, 6},
		{"merges", 10, 60, 0, 30, 1 << 20, 6},
		{"wide", 200, 40, 0, 24, 1 << 10, 6},
		{"huge", 10, 4, 59, 60, 1 << 40, 1},
		{"wrap", 10, 1, 62, 62, 1 << 40, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// one entity on its own line, then a group of 100: three lines
			// of their own and one for the other 97
			p := &simulator.Process{Name: "p", Native: true, Threads: []*simulator.Thread{{Name: "a"}}}
			for i := range 100 {
				p.Threads = append(p.Threads, &simulator.Thread{Name: "b#" + strconv.Itoa(i+1)})
			}
			sc := &simulator.Scenario{Cores: 3, Processes: []*simulator.Process{p}}
			rec := NewRecorder(sc, RecorderOptions{Columns: c.columns})
			if len(rec.rows) != 5 {
				t.Fatalf("%d lines, want 5", len(rec.rows))
			}

			rng := rand.New(rand.NewPCG(17, uint64(c.columns)))
			var spans []simulator.Span
			for e := range 101 {
				at := rng.Int64N(c.maxStart)
				for range c.spans {
					l := int64(1) << (c.minLog + rng.IntN(c.maxLog-c.minLog+1))
					n := at + l - rng.Int64N(l/2+1)
					s := simulator.Span{Entity: e, Kind: simulator.SpanKind(rng.IntN(c.kinds)), Core: -1, Start: at, End: n}
					if s.Kind == simulator.SpanBlocked {
						s.Why = simulator.BlockWhy(rng.IntN(2)) // io or sleep
					}
					if s.Kind == simulator.SpanRunning || s.Kind == simulator.SpanSwitching {
						s.Core = rng.IntN(3)
					}
					spans = append(spans, s)
					at = n + rng.Int64N(3)
				}
			}
			// in order of end, as the engine reports them
			sort.SliceStable(spans, func(i, j int) bool { return spans[i].End < spans[j].End })
			for _, s := range spans {
				rec.Trace(s)
			}
			rec.settle()

			w := rec.width
			var last int64
			for _, s := range spans {
				last = max(last, s.End)
			}
			if w < 1 || (last-1)/w >= int64(rec.nb) || (w > 1 && (last-1)/(w/2) < int64(rec.nb)) {
				t.Fatalf("bucket width %d for spans up to %d on %d buckets", w, last, rec.nb)
			}
			want := func(keep func(simulator.Span) bool) []int64 {
				sum := make([]int64, rec.nb*spanKinds)
				for _, s := range spans {
					if !keep(s) {
						continue
					}
					for b := range rec.nb {
						lo, hi := max(s.Start, int64(b)*w), min(s.End, int64(b+1)*w)
						if lo < hi {
							i := b*spanKinds + int(slotOf(s))
							sum[i] = addSat(sum[i], hi-lo)
						}
					}
				}
				return sum
			}
			check := func(line string, got, want []int64) {
				t.Helper()
				if got == nil {
					got = make([]int64, len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Errorf("%s: bucket %d, slot %d holds %d, want %d", line, i/spanKinds, i%spanKinds, got[i], want[i])
						return
					}
				}
			}
			saturated := false
			for i, row := range rec.rows {
				members := map[int]bool{}
				for _, m := range row.members {
					members[int(m)] = true
				}
				sum := want(func(s simulator.Span) bool { return members[s.Entity] })
				check("line "+strconv.Itoa(i), row.t, sum)
				for _, v := range sum {
					saturated = saturated || v == math.MaxInt64
				}
			}
			for i, row := range rec.cores {
				check("core "+strconv.Itoa(i), row.t, want(func(s simulator.Span) bool { return s.Core == i }))
			}
			if c.kinds == 1 && !saturated {
				t.Error("no bucket of the huge case passed the range of int64")
			}
		})
	}
}
