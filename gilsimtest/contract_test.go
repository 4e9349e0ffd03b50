package gilsimtest

import (
	"strings"
	"testing"
)

// runClean runs src and fails t on any failed expectation.
func runClean(t *testing.T, name, src string) *Outcome {
	t.Helper()
	o, err := Run(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f := o.Failures(); len(f) > 0 {
		t.Errorf("%s:\n%s", name, strings.Join(f, "\n"))
	}
	return o
}

// When a raw greenlet finishes, control returns to its parent, not to
// the greenlet that switched to it (greenlet's rule: a finished
// greenlet's parent resumes); the parent then switches to the first
// unfinished greenlet in file order. A switches to B, B to C; C runs
// 0-5 ms and finishes; the parent resumes A (5-6 ms), not B, then B
// (6-7 ms). Returning to the switcher would have finished B first.
func TestRawGreenletFinishReturnsToParent(t *testing.T) {
	runClean(t, "parent.sim", `scenario "parent" {
  process "g" {
    greenlets {
      greenlet "A" { switch "B"  cpu 1ms }
      greenlet "B" { switch "C"  cpu 1ms }
      greenlet "C" { cpu 5ms }
    }
  }
  expect finish("g/C") == 5ms
  expect finish("g/A") == 6ms
  expect finish("g/B") == 7ms
}`)
}

// The first dispatch on a core that has run nothing pays no
// context_switch: there is nothing to switch from (the textbook
// convention: the first job starts at 0). After that a core remembers
// the last entity it ran across idle stretches: starting another one
// pays, idle or not. Two cores, fifo, 1 ms per switch: a and b start at
// 0 free and end at 2 ms; c follows a on core 0 (2 ms + 1 ms switch +
// 2 ms = 5 ms); d arrives at 10 ms on an idle core that last ran
// another task (10 + 1 + 1 = 12 ms).
func TestFirstDispatchPaysNoContextSwitch(t *testing.T) {
	runClean(t, "first.sim", `scenario "first dispatch" {
  cores 2
  policy fifo
  context_switch 1ms
  task "a" { cpu 2ms }
  task "b" { cpu 2ms }
  task "c" { cpu 2ms }
  task "d" at 10ms { cpu 1ms }
  expect finish("a") == 2ms
  expect finish("b") == 2ms
  expect finish("c") == 5ms
  expect finish("d") == 12ms
  expect context_switches == 2
}`)
	// The same entity back on its core after blocking pays nothing.
	runClean(t, "same.sim", `scenario "same" {
  context_switch 1ms
  task "a" { cpu 1ms  io 5ms  cpu 1ms }
  expect finish("a") == 7ms
  expect context_switches == 0
}`)
}

// Metric names and keywords may name parameters: a parameter is only
// ever used as $NAME (and after `vary` or in `when`), where nothing else
// stands, so `param cpu = 1ms` or `param makespan = 5ms` is allowed.
func TestMetricNamesAsParameters(t *testing.T) {
	o := runClean(t, "params.sim", `scenario "params" {
  param cpu = 1ms
  param makespan = 3
  task "t" x $makespan { cpu $cpu }
  vary cpu in [1ms, 2ms]
  expect makespan == 3ms when cpu == 1ms
  expect makespan == 6ms when $cpu == 2ms and makespan == 3
  expect cpu("t") == 3ms when cpu == 1ms
}`)
	if len(o.Runs) != 2 {
		t.Errorf("%d runs", len(o.Runs))
	}
}

// A process's name means its tasks, not a thread of the same name in
// another process, which is written "q/main".
func TestProcessNameWinsOverThread(t *testing.T) {
	runClean(t, "proc.sim", `scenario "proc" {
  cores 2
  process "main" { thread "w" { cpu 1ms } }
  process "q" { thread "main" { cpu 3ms } }
  expect finish("main") < 2ms
  expect cpu("main") == 1ms
  expect cpu("q/main") == 3ms
}`)
}
