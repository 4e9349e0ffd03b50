package dsl

import (
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// The examples of docs/language.md, as written there.

const langStructure = `scenario "title" {
  seed 42                          # optional, default 1
  cores 2                          # default 1
  policy round_robin quantum 10ms  # OS policy; see below; default fair
  context_switch 5us               # OS switch cost charged on a core, default 0

  task "P1" at 0ms priority 3 { cpu 24ms }   # a native single-threaded process: no GIL

  process "app" {                  # a CPython process: one interpreter, one GIL
    gil interval 5ms               # the default (CPython >= 3.2)
    thread "worker" x 4 { cpu 200ms }
  }

  expect makespan < 900ms
}`

const langCooperative = `scenario "coop" {
  process "a" {
    eventlet patched { greenthread "g" x 100 { sleep 50ms } }      # or ` + "`eventlet unpatched`" + `
  }
  process "b" {
    greenlets {                                                    # raw greenlets, no hub
      greenlet "A" { cpu 1ms  switch "B"  cpu 1ms }
      greenlet "B" { cpu 5ms  switch "A"  cpu 1ms }
    }
    coroutines {                                                   # generators, no loop
      gen "A2" { repeat 3 { cpu 1ms  yield } }
      gen "B2" { repeat 3 { cpu 2ms  yield } }
    }
  }
}`

const langMachine = `scenario "m" {
  machine { wakeup_latency 24us  context_switch 3us  memory thread 16KB  memory 8GB }
}`

const langParams = `scenario "pool size" {
  param workers = 4              # a number, a duration or a size; the literal fixes its type
  param switch = 5ms
  cores 2
  process "app" {
    gil interval $switch
    thread "w" x $workers { repeat 10 { cpu 1ms  io 20ms } }
  }
  vary workers in [1, 2, 4, 8]   # one run per value; several vary lines make a cross product
}`

const langWorkload = `scenario "crawler" {
  cores 4
  workload "fetch" { task "req" x 200 { cpu 200us  io 100ms  cpu 100us } }
}`

func TestLanguageExamples(t *testing.T) {
	sc := mustParse(t, langStructure)
	if got := names(sc); got != "P1 app[worker#1 worker#2 worker#3 worker#4]" {
		t.Errorf("structure example: %s", got)
	}
	if sc.Seed != 42 || sc.Cores != 2 || sc.Policy != simulator.PolicyRoundRobin || sc.Quantum != 10_000_000 || sc.Machine.ContextSwitch != 5000 {
		t.Errorf("structure example settings: %+v", sc)
	}
	if sc.Expects[0].Text != "makespan < 900ms" {
		t.Errorf("expect text %q", sc.Expects[0].Text)
	}

	sc = mustParse(t, langCooperative)
	if got := len(sc.Processes[0].Threads[0].Members); got != 100 {
		t.Errorf("%d greenthreads", got)
	}
	gl := sc.Processes[1].Threads[0]
	if gl.Members[0].Steps[1].Target != 1 || gl.Members[1].Steps[1].Target != 0 {
		t.Errorf("switch targets")
	}

	sc = mustParse(t, langMachine)
	m := sc.Machine
	if m.WakeupLatency != 24_000 || m.ContextSwitch != 3000 || m.MemThread != 16<<10 || m.MemTotal != 8<<30 {
		t.Errorf("machine example: %+v", m)
	}

	// Parse gives the defaults of a sweep; ParseSweep every run.
	sc = mustParse(t, langParams)
	if got := names(sc); got != "app[w#1 w#2 w#3 w#4]" || sc.Processes[0].GIL.Interval != 5_000_000 {
		t.Errorf("params example, defaults: %s, interval %d", got, sc.Processes[0].GIL.Interval)
	}
	sw, err := ParseSweep("l.sim", []byte(langParams), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Runs) != 4 || sw.Runs[3].Label() != "workers=8" || len(sw.Runs[3].Scenario.Processes[0].Threads) != 8 {
		t.Errorf("params example: %d runs", len(sw.Runs))
	}

	// A workload is compared, not run: Parse refuses it, ParseWorkload
	// expands it.
	if _, err := Parse("l.sim", []byte(langWorkload)); err == nil || !strings.Contains(err.Error(), "which is compared, not run: `gilsim compare l.sim`") {
		t.Errorf("workload example: Parse gave %v", err)
	}
	w, err := ParseWorkload("l.sim", []byte(langWorkload))
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "fetch" || w.Cores != 4 || len(w.Tasks) != 200 || w.Tasks[199].Name != "req#200" || len(w.Tasks[0].Steps) != 3 {
		t.Errorf("workload example: %q, %d cores, %d tasks", w.Name, w.Cores, len(w.Tasks))
	}
}
