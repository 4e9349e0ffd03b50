package gilsimtest

import (
	"strings"
	"testing"
)

// A workload file is compared under every model: its expectations are
// checked, and its Outcome holds Comparisons instead of Runs.
func TestWorkloadFiles(t *testing.T) {
	src := []byte(`scenario "w" {
  param n = 4
  cores 4
  workload "crunch" { task "job" x $n { cpu 10ms } }
  expect speedup(processes) > 3
  expect speedup(threads) > 3
}`)
	o, err := Run("w.sim", src, Set("n", "4,8"))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Runs) != 0 || len(o.Comparisons) != 2 || o.Comparisons[1].Label() != "n=8" {
		t.Fatalf("outcome %+v", o)
	}
	if r, ok := o.Comparisons[0].Row("processes"); !ok || r.Speedup < 3 {
		t.Errorf("processes row %+v", r)
	}
	if r, ok := o.Comparisons[0].Row("sequential"); !ok || r.Makespan != 40_000_000 {
		t.Errorf("baseline %+v", r)
	}
	got := strings.Join(o.Failures(), "\n")
	for _, want := range []string{
		"w.sim:6: expect speedup(threads) > 3 — actual 0.99",
		"[n=4]", "[n=8]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("failures lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "processes") {
		t.Errorf("speedup(processes) holds:\n%s", got)
	}
	// A lock under processes is one multiprocessing.Lock for the pool:
	// the two tasks' 1 ms waits under it go one after the other, after
	// the workers' 1.977 ms fork and 157 us chunk, and the second worker's
	// 24 us wake-up: 4.158 ms.
	o, err = Run("l.sim", []byte(`scenario "l" {
  cores 2
  policy fair
  workload "w" { task "t" x 2 { lock "db" { io 1ms } } }
  expect makespan(processes) < 1s
}`))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := o.Comparisons[0].Row("processes"); !ok || r.Makespan != 4_158_000 {
		t.Errorf("processes row %+v", r)
	}
}
