package calibrate

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
)

// The script's side of the contract, read from its source: FORMAT, the
// names of MEASUREMENTS in order, and NEEDS.
func scriptContract(t *testing.T) (format int, names []string, needs map[string]string) {
	t.Helper()
	src := string(Script)
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
	for _, k := range Keys {
		if needs[k.From] != k.Pkg {
			t.Errorf("%s: measure.py needs package %q for it, Keys says %q", k.From, needs[k.From], k.Pkg)
		}
	}
	for name := range needs {
		if !slices.Contains(names, name) {
			t.Errorf("NEEDS names %s, which is not measured", name)
		}
	}
}

// TestKeysAreMachineKeys: every key Block writes is one the language's
// machine block takes.
func TestKeysAreMachineKeys(t *testing.T) {
	keys := dsl.MachineKeys()
	for _, k := range Keys {
		name, kind, isMemory := strings.Cut(k.Key, " ")
		switch {
		case isMemory && name == "memory":
			if !slices.Contains(dsl.MemoryKinds(), kind) {
				t.Errorf("%q: no memory kind %q in the language", k.Key, kind)
			}
		case !slices.Contains(keys, k.Key):
			t.Errorf("%q is not a machine key of the language", k.Key)
		}
	}
}

// complete is a report with every measurement, as the script prints it.
func complete() []byte {
	var ms []map[string]any
	for _, name := range Names() {
		m := map[string]any{"name": name, "value": 1000.0, "unit": "ns", "n": 7, "spread_pct": 3.0, "how": "a probe"}
		for _, k := range Keys {
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
		if name == "sleep_200us" {
			m["value"] = 280000.0
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
	if m := sc.Machine; m.WakeupLatency != 1000 || m.MemThread != 16000 || m.MulticoreSpeedPermille != 900 {
		t.Errorf("machine read back: %+v", m)
	}
	if _, err := Parse([]byte(`{"gilsim_calibrate": 2}`)); err == nil {
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
	if err := os.WriteFile(script, Script, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"generator_switch", "memory_total", "gevent_switch"} {
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
