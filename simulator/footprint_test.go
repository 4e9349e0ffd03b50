package simulator

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/gilsim/gilsim/internal/longtest"
)

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// footprintShapes are the shapes whose cost the footprint constants come
// from: n entities each of one kind, named as replicas are.
var footprintShapes = []struct {
	name  string
	build func(n int) *Scenario
}{
	{"native tasks", func(n int) *Scenario {
		var ps []*Process
		steps := []Step{cpu(ms)}
		for i := range n {
			name := fmt.Sprintf("t#%d", i+1)
			ps = append(ps, &Process{Name: name, Native: true, Threads: []*Thread{{Name: name, Steps: steps}}})
		}
		return scenario(2, PolicyFair, 0, ps...)
	}},
	{"threads", func(n int) *Scenario {
		var ts []*Thread
		steps := []Step{cpu(ms), io(ms)}
		for i := range n {
			ts = append(ts, &Thread{Name: fmt.Sprintf("t#%d", i+1), Steps: steps})
		}
		return scenario(2, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, ts...))
	}},
	{"greenlets", func(n int) *Scenario {
		var m []*Member
		steps := []Step{cpu(ms), io(ms)}
		for i := range n {
			m = append(m, &Member{Name: fmt.Sprintf("g#%d", i+1), Steps: steps})
		}
		return scenario(2, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, &Thread{Name: "hub", Kind: ThreadGevent, Patched: true, Members: m}))
	}},
	{"coroutines", func(n int) *Scenario {
		var m []*Member
		steps := []Step{cpu(ms), {Op: OpAwaitIO, Dur: Fixed(ms)}}
		for i := range n {
			m = append(m, &Member{Name: fmt.Sprintf("c#%d", i+1), Steps: steps})
		}
		return scenario(2, PolicyFair, 0, pyproc("p", GIL{Mode: GILInterval, Interval: 5 * ms}, &Thread{Name: "loop", Kind: ThreadAsyncio, Members: m}))
	}},
	{"python processes", func(n int) *Scenario {
		var ps []*Process
		steps := []Step{cpu(ms)}
		for i := range n {
			ps = append(ps, pyproc(fmt.Sprintf("p#%d", i+1), GIL{Mode: GILInterval, Interval: 5 * ms}, &Thread{Name: "main", Steps: steps}))
		}
		return scenario(2, PolicyFair, 0, ps...)
	}},
}

// The footprint estimate is the live heap a run holds at its peak (the
// scenario, the engine after its event loop, the Result), to within a
// quarter, for every shape of scenario. It is what the dsl quotes when it
// refuses a scenario and what batches budget their concurrent runs by.
func TestFootprintEstimate(t *testing.T) {
	if testing.Short() || !longtest.Enabled {
		t.Skip("measures runs of 40,000 entities; " + longtest.Reason)
	}
	const n = 40_000
	for _, sh := range footprintShapes {
		base := liveHeap()
		sc := sh.build(n)
		e := newEngine(sc, Options{MaxEvents: DefaultMaxEvents, MaxTime: DefaultMaxTime})
		e.loop()
		r := e.result()
		measured := liveHeap() - base
		runtime.KeepAlive(r)
		runtime.KeepAlive(e)
		est := Footprint(sc)
		t.Logf("%-16s measured %4d B/entity, estimated %4d", sh.name, measured/n, est/n)
		if ratio := float64(est) / float64(measured); ratio < 0.8 || ratio > 1.25 {
			t.Errorf("%s: estimate %d bytes, measured %d (ratio %.2f): remeasure the footprint constants", sh.name, est, measured, ratio)
		}
	}
}
