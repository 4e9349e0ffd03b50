package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The runner hands files back in list order with their runs in sweep
// order, whatever the number of workers, and identifies each run.
func TestRunnerOrder(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"a.sim":   `scenario "a" { task "t" { cpu 3ms } expect makespan == 3ms }`,
		"b.sim":   `scenario "b" { param n = 1 task "t" x $n { cpu 1ms } vary n in [3, 1, 2] }`,
		"c.sim":   `scenario "c" { task "t" { cpu 5min } }`,
		"w.sim":   `scenario "w" { cores 2 workload "w" { task "t" x 2 { cpu 1ms } } }`,
		"z.sim":   `scenario "z" { task "t" { cpu 1ms } }`,
		"big.sim": `scenario "big" { task "t" x 3 { cpu 1ms } }`,
	})
	items := Expand([]string{dir, filepath.Join(dir, "none.sim")})
	var want string
	for _, workers := range []int{1, 2, 7} {
		var got string
		Runner{Workers: workers, Load: AnyLoader(dsl.ParseAnySweepFile, nil)}.Run(items, func(i int, f *File) {
			got += fmt.Sprintf("%d %s err=%v:", i, filepath.Base(f.Path), f.Err != nil)
			for _, o := range f.Runs {
				switch {
				case o.Result != nil:
					got += fmt.Sprintf(" [%s] %d", o.Label(), o.Result.Makespan)
				case o.Comparison != nil:
					got += fmt.Sprintf(" compared %d models", len(o.Comparison.Rows))
				}
			}
			got += "\n"
		})
		if want == "" {
			want = got
			continue
		}
		if got != want {
			t.Errorf("%d workers:\n%s\nwant, as with 1:\n%s", workers, got, want)
		}
	}
	const expected = "0 a.sim err=false: [] 3000000\n" +
		"1 b.sim err=false: [n=3] 3000000 [n=1] 1000000 [n=2] 2000000\n" +
		"2 big.sim err=false: [] 3000000\n" +
		"3 c.sim err=true:\n" +
		"4 w.sim err=false: compared 8 models\n" +
		"5 z.sim err=false: [] 1000000\n" +
		"6 none.sim err=true:\n"
	if want != expected {
		t.Errorf("got\n%s\nwant\n%s", want, expected)
	}
}

// Runs that do not fit the memory budget together run one after the
// other; a run bigger than the whole budget still runs.
func TestRunnerBudget(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"s.sim": `scenario "s" { param n = 3000 task "t" x $n { cpu 1ms } vary n in [3000, 2999, 2998, 2997] }`,
	})
	one := simulator.FootprintOf(3000, 3000, 0)
	for _, c := range []struct {
		budget int64
		most   int32
	}{{one + one/2, 1}, {one / 10, 1}, {3*one + one/2, 3}} {
		var now, peak atomic.Int32
		r := Runner{Workers: 4, Budget: c.budget, Load: AnyLoader(dsl.ParseAnySweepFile, nil),
			Simulate: func(sc *simulator.Scenario, o simulator.Options) (*simulator.Result, error) {
				n := now.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				defer now.Add(-1)
				time.Sleep(20 * time.Millisecond) // let the other workers try to start theirs
				return simulator.Run(sc, o)
			}}
		runs := 0
		r.Run(Expand([]string{dir}), func(_ int, f *File) { runs += len(f.Runs) })
		if p := peak.Load(); p > c.most || runs != 4 {
			t.Errorf("budget %d: %d runs at once (want at most %d), %d runs", c.budget, p, c.most, runs)
		}
	}
}

// A scenario loader skips a workload found in a folder and names one
// given as an argument; errors stay in their file's place.
func TestScenarioLoader(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"s.sim": `scenario "s" { param n = 1 task "t" x $n { cpu 1ms } }`,
		"w.sim": `scenario "w" { workload "w" { task "t" { cpu 1ms } } }`,
	})
	load := ScenarioLoader(dsl.ParseSweepFile, dsl.ParseAnySweepFile, map[string]string{"n": "2"})
	for _, it := range Expand([]string{dir}) {
		sw, err := load(it)
		switch filepath.Base(it.Path) {
		case "s.sim":
			if err != nil || len(sw.Runs) != 1 {
				t.Errorf("s.sim: %v", err)
			}
		case "w.sim":
			if !errors.Is(err, ErrSkippedWorkload) {
				t.Errorf("w.sim found in a folder: %v, want it skipped", err)
			}
		}
	}
	if _, err := load(Item{Path: filepath.Join(dir, "w.sim")}); err == nil || errors.Is(err, ErrSkippedWorkload) {
		t.Errorf("w.sim named: %v, want the parser's error", err)
	}
}

// The runner's dependencies are its fields: a fake engine and comparer
// see every run.
func TestRunnerDependencies(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"s.sim": `scenario "s" { task "t" { cpu 1ms } }`,
		"w.sim": `scenario "w" { workload "w" { task "t" { cpu 1ms } } }`,
	})
	var sims, cmps atomic.Int32
	r := Runner{Workers: 2, Load: AnyLoader(dsl.ParseAnySweepFile, nil),
		Simulate: func(*simulator.Scenario, simulator.Options) (*simulator.Result, error) {
			sims.Add(1)
			return &simulator.Result{}, nil
		},
		Compare: func(*simulator.Workload, compare.Options) (*compare.Comparison, error) {
			cmps.Add(1)
			return nil, errors.New("no")
		},
	}
	var files []*File
	r.Run(Expand([]string{dir}), func(_ int, f *File) { files = append(files, f) })
	if sims.Load() != 1 || cmps.Load() != 1 {
		t.Errorf("simulated %d, compared %d", sims.Load(), cmps.Load())
	}
	if files[0].Runs[0].Result.File != files[0].Path || files[1].Runs[0].Err == nil || files[1].Finished() {
		t.Errorf("outcomes: %+v %+v", files[0].Runs[0], files[1].Runs[0])
	}
}

func TestInOrder(t *testing.T) {
	t.Parallel()
	var got []int
	InOrder(50, 4, func(i int) int {
		time.Sleep(time.Duration(50-i) * 50 * time.Microsecond)
		return i * i
	}, func(i, v int) {
		if v != i*i {
			t.Errorf("result %d for %d", v, i)
		}
		got = append(got, i)
	})
	for i, v := range got {
		if v != i {
			t.Fatalf("out of order: %v", got)
		}
	}
	InOrder(0, 4, func(int) int { return 0 }, func(int, int) { t.Error("emit for no items") })
}
