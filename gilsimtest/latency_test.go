package gilsimtest

import (
	"strings"
	"testing"
)

// Latency percentiles, throughput and lock waits of a run, by hand.
func TestLatencyMetrics(t *testing.T) {
	// Four jobs on one core, first come first served: they finish at 1, 2,
	// 3 and 4 ms, so their latencies are 1..4 ms. Nearest rank: the p50
	// is the 2nd (ceil(0.5*4)), the p90 and p99 the 4th. Four completions
	// from 0 to 4 ms: 1000 a second.
	o, err := Run("lat.sim", []byte(`scenario "lat" {
  policy fifo
  task "job" x 4 { cpu 1ms }
  task "other" at 10ms { cpu 5ms }
  expect p50("job") == 2ms
  expect p90("job") == 4ms
  expect p99("job") == 4ms
  expect throughput("job") == 1000
  expect p50("other") == 5ms
  expect throughput("other") == 200
}`))
	if err != nil {
		t.Fatal(err)
	}
	if f := o.Failures(); len(f) > 0 {
		t.Errorf("failures:\n%s", strings.Join(f, "\n"))
	}
	// Three threads of a free-threaded process queue on one lock held 2 ms
	// each: the second waits 2 ms, the third 4 ms, 6 ms in all, counted
	// by the lock and by the waiters (thread start, bootstrap and wake-up
	// costs are zero here).
	o, err = Run("lock.sim", []byte(`scenario "lock" {
  cores 4
  machine { wakeup_latency 0  thread_start 0  thread_bootstrap 0  thread_bootstrap_tail 0  memory process 0 }
  process "app" {
    gil off
    thread "w" x 3 { lock "db" { io 2ms } }
  }
  expect lock_wait("db") == 6ms
  expect lock_wait("app/db") == 6ms
  expect lock_wait("w") == 6ms
  expect lock_wait("w#3") == 4ms
  expect p50("w") == 4ms
  expect throughput("app") == 500
}`))
	if err != nil {
		t.Fatal(err)
	}
	if f := o.Failures(); len(f) > 0 {
		t.Errorf("failures:\n%s", strings.Join(f, "\n"))
	}
	// A group with a task that never finished has no percentile.
	o, err = Run("dl.sim", []byte(`scenario "dl" {
  process "app" {
    thread "a" { lock "x" { io 1ms  lock "y" { cpu 1ms } } }
    thread "b" { lock "y" { io 1ms  lock "x" { cpu 1ms } } }
  }
}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Runs[0].Metric("p50", "app"); err == nil || !strings.Contains(err.Error(), "never finished") {
		t.Errorf("p50 of a deadlocked group: %v", err)
	}
}

// A bare name that means both a top-level task and a thread is refused
// at run time too (Check resolves names against the result).
func TestAmbiguousNameAtRunTime(t *testing.T) {
	o, err := Run("amb.sim", []byte(`scenario "amb" {
  task "main" { cpu 1ms }
  process "p" { thread "main" { cpu 2ms } }
}`))
	if err != nil {
		t.Fatal(err)
	}
	r := o.Runs[0]
	x, err := r.Check(`finish("main") < 1s`)
	if err != nil || x.OK || !strings.Contains(x.Err, `write one of "main/main", "p/main"`) {
		t.Errorf("bare name: %+v %v", x, err)
	}
	if v, err := r.Metric("finish", "main/main"); err != nil || v.Int != 1_000_000 {
		t.Errorf("main/main: %v %v", v, err)
	}
}
