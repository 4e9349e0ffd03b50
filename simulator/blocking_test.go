package simulator

import "testing"

func blockingIO(d int64) Step { return Step{Op: OpIO, Dur: Fixed(d), Blocking: true} }

// TestBlockingUnderPatchedHub: under a patched hub, `io 50ms` parks its
// greenlet and the hub runs the others; `blocking io 50ms` (a C driver the
// patch does not reach) blocks the hub's thread for the 50 ms, so "tick",
// which only sleeps 1 ms and computes 1 ms, finishes after 52 ms instead of
// about 7 ms (1 ms of sleep, up to the 5 ms switch interval waiting for the
// GIL that the offloaded job holds, 1 ms of CPU). The call counts as io, not CPU, and is warned about, by its
// name. Meanwhile the GIL is free: a job offloaded to the hub's threadpool
// computes its 20 ms during the call, not after it.
func TestBlockingUnderPatchedHub(t *testing.T) {
	for _, k := range []ThreadKind{ThreadGevent, ThreadEventlet} {
		for _, blocking := range []bool{false, true} {
			call := Step{Op: OpIO, Dur: Fixed(50 * ms), Blocking: blocking}
			units := []*Member{
				unit("job", offload(cpu(20*ms))),
				unit("db", call),
				unit("tick", sleepS(1*ms), cpu(1*ms)),
			}
			r := mustRun(t, scenario(2, PolicyFIFO, 0, loopProc(k, true, units)))
			by := map[string]TaskResult{}
			for _, tr := range r.Tasks {
				by[tr.Name] = tr
			}
			db, tick := by["db"], by["tick"]
			if db.IO < 50*ms || db.CPU != 0 {
				t.Errorf("%s blocking=%v: db io %s cpu %s, want io >= 50ms and no cpu", k, blocking, FormatDuration(db.IO), FormatDuration(db.CPU))
			}
			switch {
			case blocking && tick.Finish < 52*ms:
				t.Errorf("%s: tick finished at %s while the hub was blocked until 50ms", k, FormatDuration(tick.Finish))
			case !blocking && tick.Finish > 10*ms:
				t.Errorf("%s: tick finished at %s; a patched io should not hold it", k, FormatDuration(tick.Finish))
			}
			var worker TaskResult
			for _, tr := range r.Tasks {
				if tr.Kind == "thread" {
					worker = tr
				}
			}
			if worker.Finish == 0 || worker.Finish > 25*ms {
				t.Errorf("%s blocking=%v: the offloaded job finished at %s; the GIL is free during the call", k, blocking, FormatDuration(worker.Finish))
			}
			if blocking != (len(r.Warnings) == 1) {
				t.Errorf("%s blocking=%v: warnings %+v", k, blocking, r.Warnings)
			} else if blocking && r.Warnings[0].Message != "`blocking io` is a call the patch does not reach: it blocks the hub and every "+map[ThreadKind]string{ThreadGevent: "greenlet", ThreadEventlet: "greenthread"}[k]+" of its thread" {
				t.Errorf("%s: warning %q", k, r.Warnings[0].Message)
			}
		}
	}
}

// TestBlockingElsewhereIsIO: outside a patched hub `blocking io` is `io`:
// a plain thread, a native task, an asyncio coroutine, raw greenlets and
// generators give the same result either way (a coroutine's is warned
// about either way, naming what was written).
func TestBlockingElsewhereIsIO(t *testing.T) {
	build := func(s Step) []*Scenario {
		return []*Scenario{
			scenario(1, PolicyFIFO, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, &Thread{Name: "t", Steps: []Step{cpu(1 * ms), s, cpu(1 * ms)}})),
			scenario(1, PolicyFIFO, 0, &Process{Name: "n", Native: true, Threads: []*Thread{{Name: "n", Steps: []Step{cpu(1 * ms), s}}}}),
			scenario(1, PolicyFIFO, 0, loopProc(ThreadAsyncio, false, []*Member{unit("a", s, cpu(1*ms)), unit("b", cpu(1*ms))})),
			scenario(1, PolicyFIFO, 0, loopProc(ThreadGevent, false, []*Member{unit("a", s, cpu(1*ms)), unit("b", cpu(1*ms))})),
			scenario(1, PolicyFIFO, 0, loopProc(ThreadGreenlets, false, []*Member{unit("a", s, cpu(1*ms)), unit("b", cpu(1*ms))})),
			scenario(1, PolicyFIFO, 0, loopProc(ThreadCoroutines, false, []*Member{unit("a", s, cpu(1*ms)), unit("b", cpu(1*ms))})),
		}
	}
	plain, blocking := build(Step{Op: OpIO, Dur: Fixed(10 * ms)}), build(blockingIO(10*ms))
	for i := range plain {
		a, b := mustRun(t, plain[i]), mustRun(t, blocking[i])
		if a.Makespan != b.Makespan || len(a.Tasks) != len(b.Tasks) || len(a.Warnings) != len(b.Warnings) {
			t.Errorf("case %d: io makespan %d, %d warnings; blocking io makespan %d, %d warnings", i, a.Makespan, len(a.Warnings), b.Makespan, len(b.Warnings))
			continue
		}
		for j := range a.Tasks {
			if a.Tasks[j].IO != b.Tasks[j].IO || a.Tasks[j].Finish != b.Tasks[j].Finish {
				t.Errorf("case %d: %s io %d finish %d; blocking: io %d finish %d", i, a.Tasks[j].Name, a.Tasks[j].IO, a.Tasks[j].Finish, b.Tasks[j].IO, b.Tasks[j].Finish)
			}
		}
	}
}
