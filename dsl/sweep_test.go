package dsl

import (
	"errors"
	"strings"
	"testing"
)

const sweepSrc = `scenario "pool" {
  param workers = 2
  param switch = 5ms
  param mem = 8GB
  seed 7
  cores 2
  machine { memory $mem }
  process "app" {
    gil interval $switch
    thread "w" x $workers { repeat 2 { cpu 1ms io 2ms } }
  }
  vary workers in [1, 4]
  vary switch in [1ms, 5ms, 10ms]
  expect makespan < 1s
  expect makespan < 20ms when workers == 1
  expect makespan > 0 when $workers >= 4 and switch < 5ms
}`

func threadCount(r Run) int { return len(r.Scenario.Processes[0].Threads) }

func TestSweepExpansion(t *testing.T) {
	sw, err := ParseSweep("pool.sim", []byte(sweepSrc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sw.Title != "pool" || sw.File != "pool.sim" || !sw.IsSweep() {
		t.Errorf("sweep %q %q %v", sw.Title, sw.File, sw.IsSweep())
	}
	if got := strings.Join(sw.Varied, ","); got != "workers,switch" {
		t.Errorf("varied %s", got)
	}
	if len(sw.Params) != 3 || sw.Params[0].Kind != "number" || sw.Params[1].Kind != "duration" || sw.Params[2].Kind != "size" ||
		sw.Params[1].Line != 3 || strings.Join(sw.Params[1].Values, " ") != "1ms 5ms 10ms" || strings.Join(sw.Params[2].Values, " ") != "8GB" {
		t.Errorf("params %+v", sw.Params)
	}
	want := []struct {
		label    string
		threads  int
		interval int64
		expects  int
	}{
		{"workers=1 switch=1ms", 1, 1_000_000, 2},
		{"workers=1 switch=5ms", 1, 5_000_000, 2},
		{"workers=1 switch=10ms", 1, 10_000_000, 2},
		{"workers=4 switch=1ms", 4, 1_000_000, 2},
		{"workers=4 switch=5ms", 4, 5_000_000, 1},
		{"workers=4 switch=10ms", 4, 10_000_000, 1},
	}
	if len(sw.Runs) != len(want) {
		t.Fatalf("%d runs, want %d", len(sw.Runs), len(want))
	}
	for i, w := range want {
		r := sw.Runs[i]
		sc := r.Scenario
		if r.Label() != w.label || threadCount(r) != w.threads || sc.Processes[0].GIL.Interval != w.interval || len(sc.Expects) != w.expects {
			t.Errorf("run %d: %s, %d threads, interval %d, %d expects; want %+v", i, r.Label(), threadCount(r), sc.Processes[0].GIL.Interval, len(sc.Expects), w)
		}
		if sc.Seed != 7 || sc.Machine.MemTotal != 8<<30 || sc.File != "pool.sim" {
			t.Errorf("run %d: seed %d, memory %d", i, sc.Seed, sc.Machine.MemTotal)
		}
		if len(r.Params) != 3 || r.Params[2] != (Binding{"mem", "8GB"}) {
			t.Errorf("run %d params %+v", i, r.Params)
		}
	}
	if txt := sw.Runs[3].Scenario.Expects[1].Text; txt != "makespan > 0 when $workers >= 4 and switch < 5ms" {
		t.Errorf("expect text %q", txt)
	}
}

func TestParseGivesDefaults(t *testing.T) {
	sc, err := Parse("pool.sim", []byte(sweepSrc))
	if err != nil {
		t.Fatal(err)
	}
	// workers = 2 and switch = 5ms: neither `when` holds.
	if n := len(sc.Processes[0].Threads); n != 2 || sc.Processes[0].GIL.Interval != 5_000_000 || len(sc.Expects) != 1 {
		t.Errorf("defaults: %d threads, interval %d, %d expects", n, sc.Processes[0].GIL.Interval, len(sc.Expects))
	}
}

func TestSweepOverrides(t *testing.T) {
	cases := []struct {
		name   string
		set    map[string]string
		labels string
		want   func(sw *Sweep) bool
	}{
		{"fixed param", map[string]string{"mem": "1GB"}, "6 runs",
			func(sw *Sweep) bool {
				return sw.Runs[0].Scenario.Machine.MemTotal == 1<<30 && sw.Params[2].Values[0] == "1GB"
			}},
		{"varied param replaced", map[string]string{"workers": "16"}, "",
			func(sw *Sweep) bool {
				return len(sw.Runs) == 3 && threadCount(sw.Runs[0]) == 16 && sw.Runs[0].Label() == "workers=16 switch=1ms"
			}},
		{"list replaces list", map[string]string{"switch": "2ms, 3ms"}, "",
			func(sw *Sweep) bool { return len(sw.Runs) == 4 && sw.Runs[1].Label() == "workers=1 switch=3ms" }},
		{"list makes a fixed param varied, innermost", map[string]string{"mem": "1GB,2GB"}, "",
			func(sw *Sweep) bool {
				return len(sw.Runs) == 12 && sw.Runs[1].Label() == "workers=1 switch=1ms mem=2GB" && strings.Join(sw.Varied, ",") == "workers,switch,mem"
			}},
		{"unmatched when is fine once overridden", map[string]string{"workers": "3"}, "",
			func(sw *Sweep) bool { return len(sw.Runs) == 3 && len(sw.Runs[0].Scenario.Expects) == 1 }},
		{"bare zero fits any kind", map[string]string{"mem": "0"}, "",
			func(sw *Sweep) bool { return len(sw.Runs) == 6 && sw.Runs[0].Scenario.Machine.MemTotal == 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sw, err := ParseSweep("pool.sim", []byte(sweepSrc), c.set)
			if err != nil {
				t.Fatal(err)
			}
			if !c.want(sw) {
				var labels []string
				for _, r := range sw.Runs {
					labels = append(labels, r.Label())
				}
				t.Errorf("unexpected sweep: %q", labels)
			}
		})
	}
}

func TestSweepOverrideErrors(t *testing.T) {
	cases := []struct {
		set  map[string]string
		want string
	}{
		{map[string]string{"worker": "16"}, `pool.sim: --set worker=16: the scenario has no parameter "worker"; did you mean workers? (it has workers, switch, mem)`},
		{map[string]string{"workers": "5ms"}, `pool.sim: --set workers=5ms: 5ms is a duration, but "workers" is a number (param workers = 2, line 2)`},
		{map[string]string{"workers": "many"}, `pool.sim: --set workers=many: "many" is not a value such as 4, 5ms or 16KB`},
		{map[string]string{"switch": "5min"}, `pool.sim: --set switch=5min: unknown unit "min" in 5min`},
		{map[string]string{"switch": "1ms,"}, `pool.sim: --set switch=1ms,: a value is missing`},
		{map[string]string{"workers": "0"}, "pool.sim:10:18: `x` must be at least 1 ($workers = 0)"},
	}
	for _, c := range cases {
		_, err := ParseSweep("pool.sim", []byte(sweepSrc), c.set)
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 || !strings.HasPrefix(list[0].Error(), c.want) {
			t.Errorf("--set %v: got %v\nwant %s", c.set, err, c.want)
		}
	}
	_, err := ParseSweep("plain.sim", []byte(`scenario "s" { }`), map[string]string{"n": "1"})
	if err == nil || err.Error() != "plain.sim: --set n=1: the scenario declares no parameters" {
		t.Errorf("got %v", err)
	}
}

func TestSweepRunErrors(t *testing.T) {
	// One bad value among several: its error names the value, and the
	// same static error is reported once, not once per run.
	src := `scenario "s" {
  param n = 1
  vary n in [1, 0, 2]
  task "t" x $n { cpu 1 }
}`
	_, err := ParseSweep("s.sim", []byte(src), nil)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	var msgs []string
	for _, e := range list {
		msgs = append(msgs, e.Error())
	}
	want := []string{
		"s.sim:4:14: `x` must be at least 1 ($n = 0)",
		"s.sim:4:23: `cpu` needs a duration: a number glued to its unit, such as 1ms (units: ns, us, µs, ms, s)",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

func TestUnmatchedWhen(t *testing.T) {
	src := `scenario "s" {
  param n = 1
  vary n in [1, 2]
  task "t" x $n { cpu 1ms }
  expect makespan < 1s when n == 3
}`
	_, err := ParseSweep("s.sim", []byte(src), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "s.sim:5:24: no run of this scenario meets this `when` (n takes 1, 2)") {
		t.Errorf("got %v", err)
	}
	// Parse takes the defaults and does not ask for a match.
	if _, err := Parse("s.sim", []byte(src)); err != nil {
		t.Errorf("Parse: %v", err)
	}
}

func TestPlainFileIsOneRun(t *testing.T) {
	sw, err := ParseSweep("p.sim", []byte(`scenario "p" { task "t" { cpu 1ms } expect makespan == 1ms }`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sw.IsSweep() || len(sw.Runs) != 1 || sw.Runs[0].Label() != "" || len(sw.Params) != 0 || len(sw.Runs[0].Scenario.Expects) != 1 {
		t.Errorf("plain file: %+v", sw)
	}
}

func TestParamInEverySlot(t *testing.T) {
	src := `scenario "slots" {
  param n = 3
  param d = 2ms
  param z = 16KB
  param p = 5%
  param neg = -5
  param f = 1.5
  seed $n
  cores $n
  policy round_robin quantum $d
  context_switch $d
  machine { wakeup_latency $d memory thread $z freethreading_overhead $f }
  task "t" x $n at $d priority $neg nice $neg { cpu $d io uniform($d, $d) sleep exp($d) repeat $n { cpu $d } }
  process "app" {
    gil legacy check $n
    startup $d
    asyncio { task "c" x $n at $d { await io $d await sleep $d } }
  }
  expect makespan < $d
  expect finish("t") ~= $d within $p
  expect memory < $z
  expect utilization < $n
}`
	sc, err := Parse("slots.sim", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 3 || sc.Cores != 3 || sc.Quantum != 2_000_000 || sc.Machine.ContextSwitch != 2_000_000 || sc.Machine.MemThread != 16<<10 ||
		sc.Machine.FreeThreadingOverheadPermille != 1500 || len(sc.Processes) != 4 || sc.Processes[0].Nice != -5 ||
		sc.Processes[3].GIL.Check != 3 || sc.Processes[3].Startup != 2_000_000 || len(sc.Expects) != 4 || sc.Expects[1].TolPercent != 5 {
		t.Errorf("slots: %+v", sc)
	}
}

func TestParseExpect(t *testing.T) {
	good := map[string]string{
		"makespan < 40ms":                         "makespan < 40ms",
		"expect finish(\"w#2\") ~= 3ms within 5%": `finish("w#2") ~= 3ms within 5%`,
		"  memory(app)   <=  2MB ":                "memory(app) <= 2MB",
		"expectations > 1":                        "",
	}
	for in, text := range good {
		x, err := ParseExpect(in)
		if text == "" {
			if err == nil {
				t.Errorf("ParseExpect(%q): want an error", in)
			}
			continue
		}
		if err != nil || x.Text != text {
			t.Errorf("ParseExpect(%q) = %q, %v", in, x.Text, err)
		}
	}
	bad := map[string]string{
		"makespan < 5":                 "<expect>:1:12: `makespan` needs a duration",
		"makespn < 5ms":                "<expect>:1:1: unknown metric \"makespn\"; did you mean makespan?",
		"finish < 5ms":                 "<expect>:1:1: `finish` needs an entity",
		"makespan < 5ms when n == 1":   "<expect>:1:16: `when` needs a sweep",
		"makespan < $limit":            "<expect>:1:12: parameters ($limit) need a scenario",
		"makespan < 5ms extra":         "<expect>:1:16: unexpected word `extra`",
		"expect makespan ~= 5ms":       "<expect>:1:17: `~=` needs a tolerance",
		"":                             "<expect>:1:1: `expect` needs a metric",
		"makespan < 5ms\nmakespan < 1": "<expect>:2:1: unexpected word `makespan`",
	}
	for in, want := range bad {
		_, err := ParseExpect(in)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseExpect(%q) = %v\nwant %s", in, err, want)
		}
	}
}

// A sweep's entity bound counts as the scenario's own limit does: a
// native task is one entity (its process and thread were counted twice).
func TestSweepCountsNativeTasksOnce(t *testing.T) {
	sc := mustParse(t, `scenario "s" { task "t" x 10 { cpu 1ms } process "p" { thread "w" x 3 { cpu 1ms } } }`)
	if n := entitiesOf(sc, nil); n != 10+1+3 {
		t.Errorf("entitiesOf = %d, want 14", n)
	}
}
