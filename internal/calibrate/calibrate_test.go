package calibrate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// The script's side of the contract, read from its source: FORMAT, the
// names of MEASUREMENTS in order, and NEEDS.
func scriptContract(t *testing.T) (format int, names []string, needs map[string]string) {
	t.Helper()
	src := script
	m := regexp.MustCompile(`(?m)^FORMAT = (\d+)$`).FindStringSubmatch(src)
	if m == nil {
		t.Fatal("measure.py has no FORMAT = N line")
	}
	format, _ = strconv.Atoi(m[1])
	block := between(t, src, "MEASUREMENTS = [", "\n]")
	for _, m := range regexp.MustCompile(`(?m)^\s*\("([a-z_0-9]+)", \d+, "`).FindAllStringSubmatch(block, -1) {
		names = append(names, m[1])
	}
	needs = map[string]string{}
	for _, m := range regexp.MustCompile(`"([a-z_0-9]+)": "([a-z]+)"`).FindAllStringSubmatch(between(t, src, "NEEDS = {", "\n}"), -1) {
		needs[m[1]] = m[2]
	}
	return format, names, needs
}

func between(t *testing.T, s, from, to string) string {
	t.Helper()
	_, after, ok := strings.Cut(s, from)
	block, _, ok2 := strings.Cut(after, to)
	if !ok || !ok2 {
		t.Fatalf("measure.py has no %q ... %q", from, to)
	}
	return block
}

// TestContract checks that the script and the Go side agree: the same
// format, every measurement Parse and Keys read is one the script makes,
// and the packages a measurement needs are the same on both sides.
func TestContract(t *testing.T) {
	format, names, needs := scriptContract(t)
	if format != Format {
		t.Errorf("measure.py writes format %d, Parse reads %d", format, Format)
	}
	want := Names()
	slices.Sort(want)
	got := slices.Clone(names)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("measure.py measures %q,\nthe Go side reads %q", got, want)
	}
	for _, k := range keys {
		if needs[k.From] != k.Pkg {
			t.Errorf("%s: measure.py needs package %q for it, Keys says %q", k.From, needs[k.From], k.Pkg)
		}
	}
	for name := range needs {
		if !slices.Contains(names, name) {
			t.Errorf("NEEDS names %s, which is not measured", name)
		}
	}
	// the contention runs, and only they, have a least share of the budget
	least := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([a-z_0-9]+)": [0-9.]+,`).FindAllStringSubmatch(between(t, script, "MIN_SECONDS = {", "\n}"), -1) {
		least[m[1]] = true
		if !slices.Contains(names, m[1]) {
			t.Errorf("MIN_SECONDS names %s, which is not measured", m[1])
		}
	}
	want = []string{"convoy_1", "convoy_3"}
	for _, k := range keys {
		if contention[k.Key] {
			want = append(want, k.From)
		}
	}
	for _, name := range want {
		if !least[name] {
			t.Errorf("%s feeds a contention key but has no MIN_SECONDS", name)
		}
	}
	if len(least) != len(want) {
		t.Errorf("MIN_SECONDS has %d entries, the contention keys read %d measurements", len(least), len(want))
	}
}

// TestKeysAreMachineKeys: every key Block writes is a row of
// simulator.MachineParams, the table the language's machine block is
// built from, and its measurement's unit fits the row's kind.
func TestKeysAreMachineKeys(t *testing.T) {
	units := map[simulator.ParamKind][]string{
		simulator.ParamDuration: {"ns"},
		simulator.ParamSize:     {"bytes"},
		simulator.ParamFactor:   {"cores"}, // effective cores, over 2
		simulator.ParamChance:   {"ops/s"}, // fitted to the convoys' rates
	}
	for _, k := range keys {
		p, ok := simulator.MachineParamByKey(k.Key)
		if !ok {
			t.Errorf("%q is not a machine key of simulator.MachineParams", k.Key)
			continue
		}
		if !slices.Contains(units[p.Kind], k.Unit) {
			t.Errorf("%q: a measurement in %s for a key of kind %d", k.Key, k.Unit, p.Kind)
		}
	}
}

// complete is a report with every measurement, as the script prints it.
func complete() []byte {
	var ms []map[string]any
	for _, name := range Names() {
		m := map[string]any{"name": name, "value": 1000.0, "unit": "ns", "n": 7, "spread_pct": 3.0, "how": "a probe"}
		for _, k := range keys {
			if k.From == name {
				m["unit"] = k.Unit
				if k.Unit == "bytes" {
					m["value"] = 16000.0
				}
				if k.Unit == "cores" {
					m["value"] = 1.8
				}
			}
		}
		switch name {
		case "sleep_200us":
			m["value"] = 280000.0
		case "convoy_1", "convoy_2", "convoy_3":
			m["unit"], m["value"] = "ops/s", 150.0
		case "load_average":
			m["unit"], m["value"] = "tasks", 0.2
		case "spinner_share":
			m["unit"], m["value"] = "cpu", 0.99
		case "tick_turn":
			m["value"] = 4_100_000.0
		case "balance_idle", "balance_busy", "balance_flip":
			m["value"] = 130_000_000.0
		}
		ms = append(ms, m)
	}
	b, _ := json.Marshal(map[string]any{"gilsim_calibrate": Format, "cpus": 2, "budget_s": 30,
		"python":       map[string]any{"version": "3.11.2", "implementation": "CPython", "platform": "Linux", "executable": "/usr/bin/python3"},
		"measurements": ms})
	return b
}

// TestBlockParses renders the block of a complete report and reads it
// back with the language's parser: every key takes its value.
func TestBlockParses(t *testing.T) {
	rep, err := Parse(complete())
	if err != nil {
		t.Fatal(err)
	}
	block, problems := rep.Block()
	if len(problems) > 0 {
		t.Fatalf("problems: %q", problems)
	}
	src := "scenario \"s\" {\n" + block + "task \"t\" { cpu 1ms }\n}\n"
	sc, err := dsl.Parse("block.sim", []byte(src))
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if m := sc.Machine; m.WakeupLatency != 1000 || m.MemThread != 16000 || m.MulticoreSpeedPermille != 900 ||
		m.Tick != 4_000_000 || m.BalanceFlip != 130_000_000 || m.GILSignalRace == simulator.DefaultMachine().GILSignalRace {
		t.Errorf("machine read back: %+v", m)
	}
	// every key is set, none left to a comment
	for _, k := range keys {
		if !strings.Contains(block, "\n  "+k.Key+" ") {
			t.Errorf("the block does not set %s:\n%s", k.Key, block)
		}
	}
	if strings.Contains(block, "not measured") || strings.Contains(block, "not fitted") {
		t.Errorf("a complete report leaves nothing out:\n%s", block)
	}
	if _, err := Parse([]byte(`{"gilsim_calibrate": 1}`)); err == nil {
		t.Error("another format must be refused")
	}
}

func TestFmtDuration(t *testing.T) {
	t.Parallel()
	for ns, want := range map[int64]string{
		0: "0ns", 24: "24ns", 999: "999ns", 1000: "1us", 1499: "1.499us", 54420: "54.42us",
		999_999: "999.999us", 1_000_000: "1ms", 1_977_000: "1.977ms", 1_977_499: "1.977ms", 1_977_500: "1.978ms",
		30_000_000_000: "30000ms",
	} {
		got := FormatDuration(ns)
		if got != want {
			t.Errorf("FormatDuration(%d) = %q, want %q", ns, got, want)
		}
		back, err := dsl.ParseDuration(got)
		if err != nil || (ns < 1_000_000 && back != ns) {
			t.Errorf("dsl.ParseDuration(%q) = %d, %v; want %d", got, back, err, ns)
		}
	}
}

// TestMeasureScript runs two quick measurements of the embedded script
// with the python3 of this machine, when there is one: the script must
// run and report in the format the Go side reads. Values are not checked
// (they depend on the machine).
func TestMeasureScript(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on PATH")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "measure.py")
	if err := os.WriteFile(script, Script(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"generator_switch", "memory_total", "gevent_switch", "load_average", "spinner_share"} {
		out, err := exec.Command(py, script, "--one", name, "0.05").Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var m Measurement
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%s: %v in %q", name, err, out)
		}
		if m.Name != name || m.Error != "" || (m.Skipped == "" && (m.Value == nil || *m.Value <= 0)) {
			t.Errorf("%s: %s", name, out)
		}
	}
}

// TestPlan reads the script's share of a budget (measure.py --plan): the
// contention runs that do not fit are skipped, naming the budget they
// need, min_seconds × total weight / weight rounded up (the weights add up
// to 56): tick_turn 0.3 × 56 / 2 = 8.4 -> 9s, balance_idle 0.4 × 56 / 2 =
// 11.2 -> 12s, balance_busy 1 × 56 / 3 = 18.7 -> 19s, the convoys
// 1.5 × 56 / 4 = 21s, balance_flip 2 × 56 / 5 = 22.4 -> 23s: the cheaper
// run first and are the last to go. The shares never exceed the budget.
func TestPlan(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on PATH")
	}
	script := filepath.Join(t.TempDir(), "measure.py")
	if err := os.WriteFile(script, Script(), 0o600); err != nil {
		t.Fatal(err)
	}
	need := map[string]string{"tick_turn": "9s", "balance_idle": "12s", "balance_busy": "20s",
		"convoy_1": "22s", "convoy_2": "22s", "convoy_3": "22s", "balance_flip": "24s"}
	for _, budget := range []int{12, 22, 30} {
		out, err := exec.Command(py, script, "--plan", strconv.Itoa(budget)).Output()
		if err != nil {
			t.Fatal(err)
		}
		total, order := 0.0, []string{}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var p struct {
				Name    string
				Seconds float64
				Skipped *string
			}
			if err := json.Unmarshal([]byte(l), &p); err != nil {
				t.Fatalf("%v in %q", err, l)
			}
			n, ok := need[p.Name]
			if !ok {
				if p.Skipped != nil {
					t.Errorf("budget %d: %s skipped (%s); only the contention runs are", budget, p.Name, *p.Skipped)
				}
				continue
			}
			order = append(order, p.Name)
			total += p.Seconds
			want := strings.TrimSuffix(n, "s")
			fits, _ := strconv.Atoi(want)
			switch {
			case budget >= fits && p.Skipped != nil:
				t.Errorf("budget %d: %s skipped: %s", budget, p.Name, *p.Skipped)
			case budget < fits && (p.Skipped == nil || *p.Skipped != fmt.Sprintf("does not fit in a %ds budget: needs --budget %s or more", budget, n)):
				t.Errorf("budget %d: %s: %v", budget, p.Name, p.Skipped)
			}
		}
		if total > float64(budget) {
			t.Errorf("budget %d: the contention runs alone take %gs", budget, total)
		}
		if want := []string{"tick_turn", "balance_idle", "balance_busy", "convoy_1", "convoy_2", "convoy_3", "balance_flip"}; !slices.Equal(order, want) {
			t.Errorf("the contention runs run in the order %q, want the cheaper first: %q", order, want)
		}
	}
}

// TestTickFor: the tick whose whole turns match the measured turn of two
// spinners on one CPU, worked by hand. The linux policy's turn is
// ceil(base_slice × (1 + ilog2(min(cores, 8))) / tick) ticks.
func TestTickFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		turn, slice int64
		cores       int
		tick, hz    int64
	}{
		{4_120_000, 700_000, 2, 4_000_000, 250},   // the reference VM: 1.4 ms slice, one 4 ms tick
		{2_050_000, 700_000, 2, 1_000_000, 1000},  // HZ=1000: the 1.4 ms slice takes 2 ticks
		{1_020_000, 700_000, 1, 1_000_000, 1000},  // one CPU: a 0.7 ms slice, one tick
		{3_400_000, 700_000, 2, 3_333_333, 300},   // HZ=300
		{10_400_000, 700_000, 2, 10_000_000, 100}, // HZ=100
		{3_900_000, 700_000, 16, 1_000_000, 1000}, // 16 CPUs: a 3.5 ms slice, 4 ticks of 1 ms (first in the list on a tie with 250)
		{7_300_000, 700_000, 2, 7_300_000, 0},     // no usual HZ: the turn itself
		{12_000_000, 700_000, 2, 12_000_000, 0},   // 20 % off 10 ms: too far
	} {
		tick, hz := TickFor(c.turn, c.slice, c.cores)
		if tick != c.tick || hz != c.hz {
			t.Errorf("TickFor(%d, %d, %d) = %d, HZ %d; want %d, HZ %d", c.turn, c.slice, c.cores, tick, hz, c.tick, c.hz)
		}
	}
}

// report builds a Report from measurements given as name: value (in the
// unit the Go side reads), for the tests of one rule.
func report(t *testing.T, cpus int, values map[string]float64) *Report {
	t.Helper()
	units := map[string]string{"load_average": "tasks", "spinner_share": "cpu"}
	var ms []map[string]any
	for name, v := range values {
		ms = append(ms, map[string]any{"name": name, "value": v, "unit": units[name], "n": 3})
	}
	b, _ := json.Marshal(map[string]any{"gilsim_calibrate": Format, "cpus": cpus, "measurements": ms})
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBusy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cpus       int
		load, cpu  float64
		busy, none string
	}{
		{2, 0.3, 0.995, "", ""},
		{2, 2.0, 0.95, "", ""}, // a load of exactly its CPUs is not above them
		{2, 2.5, 0.95, "load average 2.50 on 2 CPUs", ""},
		{4, 3.0, 0.85, "a spinner alone got 0.85 of a CPU", ""},
		{1, 1.7, 0.5, "load average 1.70 on 1 CPUs; a spinner alone got 0.50 of a CPU", ""},
		{2, -1, 0.95, "", ""}, // no load average: the spinner alone decides
		{2, -1, -1, "", "load_average: missing from the report; spinner_share: missing from the report"},
	} {
		v := map[string]float64{}
		if c.load >= 0 {
			v["load_average"] = c.load
		}
		if c.cpu >= 0 {
			v["spinner_share"] = c.cpu
		}
		r := report(t, c.cpus, v)
		if got := r.Busy(); got != c.busy {
			t.Errorf("%+v: Busy() = %q, want %q", c, got, c.busy)
		}
		if got := r.loadUnchecked(); got != c.none {
			t.Errorf("%+v: loadUnchecked() = %q, want %q", c, got, c.none)
		}
	}
}
