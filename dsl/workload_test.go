package dsl

import (
	"errors"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

func mustWorkload(t *testing.T, src string) *simulator.Workload {
	t.Helper()
	w, err := ParseWorkload("w.sim", []byte(src))
	if err != nil {
		t.Fatalf("ParseWorkload: %v", err)
	}
	return w
}

func TestWorkloadParses(t *testing.T) {
	w := mustWorkload(t, `scenario "mixed" {
  cores 3
  seed 9
  policy fifo
  machine { thread_start 10us }
  workload "api" {
    task "req" x 3 at 2ms { cpu 1ms  lock "db" { io 2ms }  repeat 2 { native 1ms  sleep 1ms } }
    task "batch" { cpu 10ms }
  }
  expect speedup(processes) > 1.5
  expect makespan(asyncio) < 1s
  expect memory("asyncio+threads") < 20MB
  expect lag(gevent) ~= 1ms within 10%
}`)
	if w.Title != "mixed" || w.Name != "api" || w.Cores != 3 || w.Seed != 9 || w.Policy != simulator.PolicyFIFO || w.Machine.ThreadStart != 10_000 || w.File != "w.sim" {
		t.Errorf("settings: %+v", w)
	}
	var names []string
	for _, tk := range w.Tasks {
		names = append(names, tk.Name)
	}
	if got := strings.Join(names, " "); got != "req#1 req#2 req#3 batch" {
		t.Errorf("tasks %s", got)
	}
	if w.Tasks[0].Arrival != 2_000_000 || w.Tasks[3].Arrival != 0 {
		t.Errorf("arrivals %d %d", w.Tasks[0].Arrival, w.Tasks[3].Arrival)
	}
	if &w.Tasks[0].Steps[0] != &w.Tasks[2].Steps[0] {
		t.Error("replicas should share their steps")
	}
	st := w.Tasks[0].Steps
	if len(st) != 3 || st[1].Op != simulator.OpLock || st[1].Lock != 0 || st[2].Op != simulator.OpRepeat || st[2].Count != 2 {
		t.Errorf("steps %+v", st)
	}
	if len(w.Locks) != 1 || w.Locks[0] != "db" {
		t.Errorf("locks %v", w.Locks)
	}
	var args []string
	for _, x := range w.Expects {
		args = append(args, x.Metric+"("+x.Arg+")")
	}
	if got := strings.Join(args, " "); got != "speedup(processes) makespan(asyncio) memory(asyncio+threads) lag(gevent)" {
		t.Errorf("expects %s", got)
	}
	if x := w.Expects[0]; x.Value.Kind != simulator.KindNumber || x.Value.Num != 1.5 || x.Op != simulator.CmpGT {
		t.Errorf("speedup expect %+v", x)
	}
	if x := w.Expects[2]; x.Value.Kind != simulator.KindSize || x.Value.Int != 20<<20 {
		t.Errorf("memory expect %+v", x)
	}
}

func TestWorkloadSweep(t *testing.T) {
	src := `scenario "sweep" {
  param n = 2
  cores 2
  workload "w" { task "t" x $n { cpu 1ms } }
  vary n in [1, 4]
  expect speedup(threads) < 2 when n == 4
}`
	sw, err := ParseWorkloadSweep("s.sim", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sw.IsWorkload() || len(sw.Runs) != 2 || sw.Runs[0].Scenario != nil {
		t.Fatalf("runs %+v", sw.Runs)
	}
	if n := len(sw.Runs[1].Workload.Tasks); n != 4 || sw.Runs[1].Label() != "n=4" {
		t.Errorf("run 2: %d tasks, %q", n, sw.Runs[1].Label())
	}
	if len(sw.Runs[0].Workload.Expects) != 0 || len(sw.Runs[1].Workload.Expects) != 1 {
		t.Error("`when` should keep the expectation for n == 4 only")
	}
	// Either kind through ParseAnySweep; the wrong kind is an error.
	if sw, err := ParseAnySweep("s.sim", []byte(src), map[string]string{"n": "3"}); err != nil || !sw.IsWorkload() {
		t.Errorf("ParseAnySweep: %v", err)
	}
	if sw, err := ParseAnySweep("p.sim", []byte(`scenario "p" { task "t" { cpu 1ms } }`), nil); err != nil || sw.IsWorkload() {
		t.Errorf("ParseAnySweep on a scenario: %v", err)
	}
	if _, err := ParseSweep("s.sim", []byte(src), nil); err == nil || !strings.Contains(err.Error(), "s.sim:4:3: this file holds a workload, which is compared, not run") {
		t.Errorf("ParseSweep on a workload: %v", err)
	}
	_, err = ParseWorkloadSweep("p.sim", []byte(`scenario "p" { task "t" { cpu 1ms } }`), nil)
	if err == nil || !strings.Contains(err.Error(), "p.sim:1:1: this scenario holds no workload") {
		t.Errorf("ParseWorkloadSweep on a scenario: %v", err)
	}
}

func workloadFile(body string) string {
	return `scenario "s" {
  workload "w" { ` + body + ` }
}`
}

var workloadErrCases = []struct {
	name      string
	src       string
	line, col int
	msg       string
}{
	{"beside a task", "scenario \"s\" {\n  task \"x\" { cpu 1ms }\n  workload \"w\" { task \"t\" { cpu 1ms } }\n}", 2, 8,
		`task "x" cannot stand beside workload "w" (line 3): a workload file describes only the work`},
	{"beside a process", "scenario \"s\" {\n  workload \"w\" { task \"t\" { cpu 1ms } }\n  process \"app\" { thread \"m\" { cpu 1ms } }\n}", 3, 11,
		`process "app" cannot stand beside workload "w" (line 2)`},
	{"two workloads", "scenario \"s\" {\n  workload \"w\" { task \"t\" { cpu 1ms } }\n  workload \"v\" { task \"t\" { cpu 1ms } }\n}", 3, 3,
		"a file holds one workload (the first is at line 2)"},
	{"no tasks", workloadFile(""), 2, 3, `workload "w" has no tasks`},
	{"a thread", workloadFile(`thread "t" { cpu 1ms }`), 2, 18, "a workload holds `task`s, not `thread`s"},
	{"await", workloadFile(`task "t" { await io 1ms }`), 2, 29, "`await` has no place in a workload: write `io` or `sleep`"},
	{"offload", workloadFile(`task "t" { offload { cpu 1ms } }`), 2, 29, "`offload` has no place in a workload"},
	{"send", workloadFile(`task "t" { send 1KB }`), 2, 29, "`send` has no place in a workload: `gilsim compare`'s processes model charges the pipes of each chunk itself"},
	{"yield", workloadFile(`task "t" { cpu 1ms yield }`), 2, 37, "`yield` is not allowed in a workload task (it takes cpu, native, io, sleep, repeat, lock and semaphore)"},
	{"priority", workloadFile(`task "t" priority 2 { cpu 1ms }`), 2, 27, "`priority` is not taken by a workload task (it takes x and at)"},
	{"workload modifier", "scenario \"s\" {\n  workload \"w\" x 2 { task \"t\" { cpu 1ms } }\n}", 2, 16, "a workload takes no modifiers"},
	{"duplicate task", workloadFile(`task "t" { cpu 1ms } task "t" { cpu 1ms }`), 2, 44, `"t" is already defined in workload "w" (line 2)`},
	{"unknown model", "scenario \"s\" {\n  workload \"w\" { task \"t\" { cpu 1ms } }\n  expect speedup(thread) > 1\n}", 3, 18,
		`unknown model "thread"; did you mean threads? (models: sequential, threads,`},
	{"no model", "scenario \"s\" {\n  workload \"w\" { task \"t\" { cpu 1ms } }\n  expect makespan < 1s\n}", 3, 10, "`makespan` needs a model: makespan(threads)"},
	{"scenario metric", "scenario \"s\" {\n  workload \"w\" { task \"t\" { cpu 1ms } }\n  expect finish(\"t\") < 1s\n}", 3, 10,
		"`finish` is a scenario metric; a workload file's expectations compare models"},
	{"wrong type", "scenario \"s\" {\n  workload \"w\" { task \"t\" { cpu 1ms } }\n  expect speedup(threads) > 1s\n}", 3, 29, "`speedup` needs a plain number"},
	{"compare metric in a scenario", `scenario "s" { task "t" { cpu 1ms } expect speedup(processes) > 3 }`, 1, 44,
		"`speedup` compares concurrency models: it belongs in a file with a `workload`"},
	{"model argument in a scenario", `scenario "s" { task "t" { cpu 1ms } expect makespan(threads) < 3s }`, 1, 53,
		"`makespan` takes no argument (makespan(threads) compares models"},
}

func TestWorkloadErrors(t *testing.T) {
	for _, tc := range workloadErrCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAnySweep("t.sim", []byte(tc.src), nil)
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("got %v, want an ErrorList", err)
			}
			e := list[0]
			if e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("first error\n  %d:%d: %s\nwant\n  %d:%d: …%s…\nall:\n%v", e.Line, e.Col, e.Msg, tc.line, tc.col, tc.msg, err)
			}
		})
	}
}

func TestErrorAt(t *testing.T) {
	src := "\uFEFFscenario \"s\" {\n  workload \"w\" { task \"t\" { lock \"db\" { io 1ms } } }\n}\n"
	got := ErrorAt("w.sim", []byte(src), 2, 29, "cannot run as processes: lock").Error()
	want := "w.sim:2:29: cannot run as processes: lock\n  workload \"w\" { task \"t\" { lock \"db\" { io 1ms } } }\n                            ^"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
