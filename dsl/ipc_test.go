package dsl

import (
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// send and recv lower to one side of a pipe transfer each, timed by the
// machine block even when it comes after them: with ipc_base 40us and
// ipc_per_mib 2ms, `send 512KB` is cpu 40us then native 1ms, and
// `recv 512KB` native 1ms then cpu 40us.
func TestSendRecvLowering(t *testing.T) {
	sc := mustParse(t, `scenario "s" {
  process "p" {
    thread "t" { send 512KB  repeat 2 { recv 512KB } }
  }
  machine { ipc_base 40us  ipc_per_mib 2ms }
}`)
	steps := sc.Processes[0].Threads[0].Steps
	want := []simulator.Step{
		{Op: simulator.OpCPU, Dur: simulator.Fixed(40_000)},
		{Op: simulator.OpNative, Dur: simulator.Fixed(1_000_000)},
	}
	if len(steps) != 3 {
		t.Fatalf("%d steps: %+v", len(steps), steps)
	}
	for i, w := range want {
		if steps[i].Op != w.Op || steps[i].Dur != w.Dur || steps[i].Pos != (simulator.Pos{Line: 3, Col: 18}) {
			t.Errorf("send step %d: %+v, want %v %v at 3:18", i, steps[i], w.Op, w.Dur)
		}
	}
	body := steps[2].Body
	if len(body) != 2 || body[0].Op != simulator.OpNative || body[0].Dur != simulator.Fixed(1_000_000) ||
		body[1].Op != simulator.OpCPU || body[1].Dur != simulator.Fixed(40_000) {
		t.Errorf("recv: %+v", body)
	}
	// With the defaults, a 1KB send is 37.96 us of pickling and 1.29 us
	// of copy (1024 B at 1.321 ms a MiB).
	sc = mustParse(t, `scenario "s" { process "p" { asyncio { task "c" { send 1KB } } } }`)
	st := sc.Processes[0].Threads[0].Members[0].Steps
	if st[0].Dur != simulator.Fixed(37_960) || st[1].Dur != simulator.Fixed(1_290) {
		t.Errorf("default send 1KB: %+v", st)
	}
}

// `start` sets a process's startup from the machine's cost of its method;
// an explicit startup wins; without start, startup stays 0.
func TestStartMethod(t *testing.T) {
	sc := mustParse(t, `scenario "s" {
  process "a" start { thread "t" { cpu 1ms } }
  process "b" start spawn x 2 { thread "t" { cpu 1ms } }
  process "c" start forkserver { thread "t" { cpu 1ms } }
  process "d" start spawn { startup 5ms  thread "t" { cpu 1ms } }
  process "e" { thread "t" { cpu 1ms } }
  process "f" start fork { thread "t" { cpu 1ms } }
  machine { process_start_forkserver 7ms }
}`)
	want := map[string]int64{"a": 1_977_000, "b#1": 26_000_000, "b#2": 26_000_000, "c": 7_000_000, "d": 5_000_000, "e": 0, "f": 1_977_000}
	for _, p := range sc.Processes {
		if p.Startup != want[p.Name] {
			t.Errorf("%s: startup %d, want %d", p.Name, p.Startup, want[p.Name])
		}
	}
}

// A semaphore is a lock of the process with a size; a lock's size is 0.
func TestSemaphoreLowering(t *testing.T) {
	sc := mustParse(t, `scenario "s" {
  process "p" {
    asyncio { task "c" x 3 { semaphore "conn" 2 { await io 1ms } lock "l" { cpu 1ms } } }
  }
}`)
	p := sc.Processes[0]
	if len(p.Locks) != 2 || p.Locks[0] != "conn" || p.Locks[1] != "l" || len(p.LockSizes) != 2 || p.LockSizes[0] != 2 || p.LockSizes[1] != 0 {
		t.Errorf("locks %v sizes %v", p.Locks, p.LockSizes)
	}
	sc = mustParse(t, `scenario "s" { process "p" { thread "t" { lock "l" { cpu 1ms } } } }`)
	if sc.Processes[0].LockSizes != nil {
		t.Errorf("plain locks: sizes %v, want nil", sc.Processes[0].LockSizes)
	}
}

// A workload's semaphore reaches simulator.Workload with its size.
func TestWorkloadSemaphore(t *testing.T) {
	w := mustWorkload(t, `scenario "crawl" {
  workload "w" { task "c" x 3 { semaphore "conn" 2 { io 1ms }  lock "db" { cpu 1ms } } }
}`)
	if len(w.Locks) != 2 || w.Locks[0] != "conn" || len(w.LockSizes) != 2 || w.LockSizes[0] != 2 || w.LockSizes[1] != 0 {
		t.Errorf("locks %v sizes %v", w.Locks, w.LockSizes)
	}
}
