package gilsimtest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what a test reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, args...))
}
func (r *recorder) Fatalf(f string, args ...any) { r.Errorf(f, args...); panic("fatal") }
func (r *recorder) Fatal(args ...any)            { r.Error(args...); panic("fatal") }

func TestRunDirReportsEveryFailure(t *testing.T) {
	rec := &recorder{TB: t}
	files := RunDir(rec, "testdata/fail")
	if len(files) != 2 {
		t.Errorf("ran %v", files)
	}
	got := strings.Join(rec.errors, "\n")
	want := []string{
		"testdata/fail/broken.sim:2:18: unknown unit \"min\" in 5min",
		"testdata/fail/pool.sim:7: expect makespan < 5ms when workers == 1 — actual 10",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if strings.Count(got, "pool.sim:") != 1 {
		t.Errorf("the expectation that holds everywhere should not be reported:\n%s", got)
	}
}

func TestRunDirPasses(t *testing.T) {
	rec := &recorder{TB: t}
	RunDir(rec, "testdata/pass", RequireExpectations())
	if len(rec.errors) != 0 {
		t.Errorf("errors: %v", rec.errors)
	}
	RunDir(t, "testdata/pass") // real subtests
}

func TestRequireExpectationsAndEmptyDir(t *testing.T) {
	rec := &recorder{TB: t}
	o, err := Run("x.sim", []byte(`scenario "x" { task "t" { cpu 1ms } }`))
	if err != nil || len(o.Failures()) != 0 {
		t.Fatal(err)
	}
	func() {
		defer func() { recover() }()
		RunDir(rec, t.TempDir())
	}()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "no .sim files below") {
		t.Errorf("empty folder: %v", rec.errors)
	}
}

func TestSetAndLimits(t *testing.T) {
	src := []byte(`scenario "s" { param n = 1 task "t" x $n { cpu 1ms } }`)
	o, err := Run("s.sim", src, Set("n", "3"))
	if err != nil || len(o.Runs[0].Result.Tasks) != 3 {
		t.Fatalf("%v", err)
	}
	if _, err := Run("s.sim", src, Set("m", "3")); err == nil || !strings.Contains(err.Error(), `no parameter "m"`) {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := Run("s.sim", src, Limits(1, 0)); err == nil || !strings.Contains(err.Error(), "s.sim: simulation stopped after 1 events") {
		t.Errorf("limit: %v", err)
	}
}
