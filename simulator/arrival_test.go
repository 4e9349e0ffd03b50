package simulator

import "testing"

// TestMemberArrivesAtItsAt is issue 15's hand-computed case, on every
// cooperative runtime: a at 10ms keeps its loop busy for 90 ms, b at 10ms
// { cpu 50ms } waits for it. b arrives at 10 ms (its at), not at 100 ms
// when its loop got round to it; it starts at about 100 ms and finishes at
// about 150 ms, so its turnaround is about 140 ms and its wait about
// 90 ms; the loop lag (asyncio, gevent, eventlet) is that same 90 ms.
// "About" is the loop's wake-up from its poll at 10 ms and the switch
// costs: well under 0.1 ms.
func TestMemberArrivesAtItsAt(t *testing.T) {
	for _, k := range []ThreadKind{ThreadAsyncio, ThreadGevent, ThreadEventlet, ThreadGreenlets, ThreadCoroutines} {
		t.Run(k.String(), func(t *testing.T) {
			a := &Member{Name: "a", Arrival: 10 * ms, Steps: []Step{cpu(90 * ms)}}
			b := &Member{Name: "b", Arrival: 10 * ms, Steps: []Step{cpu(50 * ms)}}
			r := mustRun(t, scenario(1, PolicyFIFO, 0, loopProc(k, true, []*Member{a, b})))
			tb := r.Tasks[1]
			if tb.Name != "b" || tb.Arrival != 10*ms {
				t.Fatalf("%s arrives at %s, want b at 10ms", tb.Name, FormatDuration(tb.Arrival))
			}
			near := func(what string, got, want int64) {
				t.Helper()
				if got < want || got > want+100_000 {
					t.Errorf("%s = %s, want %s (+ under 0.1ms of wake-up and switches)", what, FormatDuration(got), FormatDuration(want))
				}
			}
			near("b's start", tb.Start, 100*ms)
			near("b's turnaround", tb.Turnaround, 140*ms)
			near("b's wait", tb.Wait, 90*ms)
			if tb.Turnaround != tb.Finish-tb.Arrival {
				t.Errorf("turnaround %d != finish %d - arrival %d", tb.Turnaround, tb.Finish, tb.Arrival)
			}
			lag := r.Processes[0].LoopLagMax
			switch k {
			case ThreadAsyncio, ThreadGevent, ThreadEventlet:
				near("loop lag", lag, 90*ms)
			default:
				if lag != 0 {
					t.Errorf("loop lag %s on a loop without one", FormatDuration(lag))
				}
			}
		})
	}
}

// TestMemberArrivesBeforeItsLoopRuns: a coroutine whose loop thread waits
// 20 ms for the only core (a native task holds it, fifo) arrives at 0,
// its `at`, and has waited those 20 ms: its turnaround is its wait plus
// its 5 ms of CPU.
func TestMemberArrivesBeforeItsLoopRuns(t *testing.T) {
	hog := &Process{Name: "hog", Native: true, Threads: []*Thread{{Name: "hog", Steps: []Step{cpu(20 * ms)}}}}
	p := loopProc(ThreadAsyncio, false, []*Member{unit("c", cpu(5*ms))})
	r := mustRun(t, scenario(1, PolicyFIFO, 0, hog, p))
	c := r.Tasks[1]
	if c.Name != "c" || c.Arrival != 0 {
		t.Fatalf("%s arrives at %s, want c at 0", c.Name, FormatDuration(c.Arrival))
	}
	if c.Start < 20*ms || c.Wait < 20*ms || c.Turnaround != c.Wait+c.CPU {
		t.Errorf("c: start %s wait %s cpu %s turnaround %s; want start and wait >= 20ms, turnaround = wait + cpu",
			FormatDuration(c.Start), FormatDuration(c.Wait), FormatDuration(c.CPU), FormatDuration(c.Turnaround))
	}
}

// TestLoopWaitSpan: the time b spends ready while its hub runs a is one
// SpanLoopWait from its arrival (10 ms) to its start, not a wait for a
// core: the loop's thread is on the core all along (issue 15, item 8).
func TestLoopWaitSpan(t *testing.T) {
	a := &Member{Name: "a", Arrival: 10 * ms, Steps: []Step{cpu(90 * ms)}}
	b := &Member{Name: "b", Arrival: 10 * ms, Steps: []Step{cpu(50 * ms)}}
	var spans []Span
	r, err := Run(scenario(1, PolicyFIFO, 0, loopProc(ThreadGevent, true, []*Member{a, b})), Options{Trace: func(s Span) {
		if s.Entity == 1 && s.Kind != SpanRunning {
			spans = append(spans, s)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 1 || spans[0].Kind != SpanLoopWait || spans[0].Start != 10*ms || spans[0].End != r.Tasks[1].Start {
		t.Errorf("b's spans other than running: %+v; want one loop-wait [10ms, %d)", spans, r.Tasks[1].Start)
	}
}
