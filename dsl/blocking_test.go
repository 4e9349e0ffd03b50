package dsl

import (
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// TestBlockingSteps: `blocking io` and `blocking sleep`, with a duration
// or a distribution, stand in every context io stands in, and lower to
// io and sleep steps marked Blocking; plain io is not marked.
func TestBlockingSteps(t *testing.T) {
	src := `scenario "b" {
  task "n" { blocking io 1ms }
  process "p" {
    thread "t" { blocking sleep uniform(1ms, 2ms)  io 1ms }
    asyncio { task "c" { blocking io exp(1ms)  offload { blocking sleep 1ms } } }
    greenlets { greenlet "g" { repeat 2 { blocking io 1ms } } }
    coroutines { gen "a" { blocking sleep 1ms } }
  }
  process "q" { gevent patched { greenlet "g" { lock "l" { blocking io 1ms } } } }
  process "r" { eventlet patched { greenthread "e" { blocking sleep 1ms } } }
}`
	sc, err := Parse("b.sim", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var blocking, plain int
	var walk func([]simulator.Step)
	walk = func(steps []simulator.Step) {
		for _, s := range steps {
			switch {
			case s.Blocking && (s.Op == simulator.OpIO || s.Op == simulator.OpSleep):
				blocking++
			case s.Blocking:
				t.Errorf("%v step marked blocking", s.Op)
			case s.Op == simulator.OpIO:
				plain++
			}
			walk(s.Body)
		}
	}
	for _, p := range sc.Processes {
		for _, th := range p.Threads {
			walk(th.Steps)
			for _, m := range th.Members {
				walk(m.Steps)
			}
		}
	}
	if blocking != 8 || plain != 1 {
		t.Errorf("%d blocking steps and %d plain io, want 8 and 1", blocking, plain)
	}
	w, err := ParseWorkload("w.sim", []byte(`scenario "w" { workload "w" { task "t" { blocking io normal(5ms, 1ms) } } }`))
	if err != nil {
		t.Fatal(err)
	}
	if s := w.Tasks[0].Steps[0]; !s.Blocking || s.Op != simulator.OpIO || s.Dur.Kind != simulator.DistNormal {
		t.Errorf("workload step %+v", s)
	}
}
