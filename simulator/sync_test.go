package simulator

import (
	"slices"
	"testing"
)

// zeroCosts is scenario's machine without the costs that would blur a
// hand computation: no wake-up latency, timer slack or runtime switch.
func zeroCosts(sc *Scenario) *Scenario {
	m := &sc.Machine
	m.WakeupLatency, m.TimerSlack, m.AsyncioSwitch, m.GeventSwitch, m.EventletSwitch = 0, 0, 0, 0, 0
	return sc
}

func locked(lock int, body ...Step) Step { return Step{Op: OpLock, Lock: lock, Body: body} }

// asyncio.Lock parks the task, not the loop: a holds "l" across a 10 ms
// await, b waits for it while c runs its 1 ms of cpu; a releases at 10 ms,
// b takes it and awaits 10 ms more. Finishes: c 1 ms, a 10 ms, b 20 ms.
// (Before, the lock was a threading.Lock: b blocked the loop thread
// while a waited for it to run again, a deadlock.)
func TestAsyncioLockParksTheTask(t *testing.T) {
	p := loopProc(ThreadAsyncio, false, []*Member{
		unit("a", locked(0, awaitSleep(10*ms))),
		unit("b", locked(0, awaitSleep(10*ms))),
		unit("c", cpu(1*ms)),
	})
	p.Locks = []string{"l"}
	r := mustRun(t, zeroCosts(scenario(1, PolicyFair, 0, p)))
	if r.Deadlock != nil {
		t.Fatalf("deadlock: %+v", r.Deadlock)
	}
	wantFinish(t, r, map[string]int64{"a": 10 * ms, "b": 20 * ms, "c": 1 * ms})
	for _, tr := range r.Tasks {
		if tr.Name == "b" && tr.LockWait != 10*ms {
			t.Errorf("b waited %d for the lock, want 10ms", tr.LockWait)
		}
	}
}

// A semaphore of 2 lets two of three units in at once, whatever runs
// them: asyncio.Semaphore, gevent's BoundedSemaphore (cooperative even
// unpatched, where a plain lock would block the hub), threading.Semaphore.
// Each unit holds it across a 10 ms wait: two finish at 10 ms, the third
// at 20 ms.
func TestSemaphoreBoundsConcurrency(t *testing.T) {
	for _, c := range []struct {
		name string
		p    *Process
	}{
		{"asyncio", loopProc(ThreadAsyncio, false, members(3, "u", locked(0, awaitSleep(10*ms))))},
		{"gevent patched", loopProc(ThreadGevent, true, members(3, "u", locked(0, io(10*ms))))},
		{"eventlet patched", loopProc(ThreadEventlet, true, members(3, "u", locked(0, io(10*ms))))},
		{"threads", pyproc("app", defaultGIL, th("u#1", locked(0, io(10*ms))), th("u#2", locked(0, io(10*ms))), th("u#3", locked(0, io(10*ms))))},
	} {
		c.p.Locks, c.p.LockSizes = []string{"conn"}, []int64{2}
		r := mustRun(t, zeroCosts(scenario(2, PolicyFair, 0, c.p)))
		got := finishes(r)
		if got["u#1"] != 10*ms || got["u#2"] != 10*ms || got["u#3"] != 20*ms {
			t.Errorf("%s: finishes %v, want u#1 and u#2 at 10ms, u#3 at 20ms", c.name, got)
		}
	}
}

// Unpatched, a greenlet waiting for a plain lock (threading.Lock) blocks
// the hub, so the holder that yielded never runs again: a deadlock. A
// semaphore of 1 is gevent's own BoundedSemaphore, which parks the waiter:
// a runs its 1 ms after the yield and releases, then b: finishes at 1 ms
// and 2 ms.
func TestGeventSemaphoreUnpatched(t *testing.T) {
	body := locked(0, Step{Op: OpYield}, cpu(1*ms))
	p := loopProc(ThreadGevent, false, []*Member{unit("a", body), unit("b", body)})
	p.Locks = []string{"s"}
	r := mustRun(t, zeroCosts(scenario(1, PolicyFair, 0, p)))
	if r.Deadlock == nil {
		t.Errorf("a plain lock under an unpatched hub: no deadlock, finishes %v", finishes(r))
	}
	p.LockSizes = []int64{1}
	r = mustRun(t, zeroCosts(scenario(1, PolicyFair, 0, p)))
	if r.Deadlock != nil {
		t.Fatalf("deadlock: %+v", r.Deadlock)
	}
	wantFinish(t, r, map[string]int64{"a": 1 * ms, "b": 2 * ms})
}

// A deadlock on a full semaphore names it and how many slots are taken.
func TestSemaphoreDeadlockReport(t *testing.T) {
	// the one slot's holder waits for lock "l", which b holds while it
	// waits for the slot
	a := th("a", locked(0, sleepS(1*ms), locked(1, cpu(1*ms))))
	b := th("b", locked(1, sleepS(2*ms), locked(0, cpu(1*ms))))
	p := pyproc("app", defaultGIL, a, b)
	p.Locks, p.LockSizes = []string{"s", "l"}, []int64{1, 0}
	r := mustRun(t, zeroCosts(scenario(2, PolicyFair, 0, p)))
	if r.Deadlock == nil {
		t.Fatal("no deadlock")
	}
	got := r.Deadlock.LockStrings()
	want := []string{`semaphore "app/s" full: 1 of 1 slots taken, the last by app/a`, `lock "app/l" held by app/b`}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("locks %q, want %q", got, want)
	}
	s, l := r.Deadlock.Locks[0], r.Deadlock.Locks[1]
	if !s.Semaphore || s.Count != 1 || s.Size != 1 || s.Holder != "app/a" || l.Semaphore || l.Name != "app/l" || l.Holder != "app/b" {
		t.Errorf("locks %+v", r.Deadlock.Locks)
	}
	blocked := []Blocked{{"app", "a", WaitLock, "l"}, {"app", "b", WaitSemaphore, "s"}}
	if !slices.Equal(r.Deadlock.Blocked, blocked) {
		t.Errorf("blocked %+v, want %+v", r.Deadlock.Blocked, blocked)
	}
	if got, want := r.Deadlock.BlockedStrings(), []string{`app/a (waiting for lock "l")`, `app/b (waiting for semaphore "s")`}; !slices.Equal(got, want) {
		t.Errorf("blocked %q, want %q", got, want)
	}
}
