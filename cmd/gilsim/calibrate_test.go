package main

import (
	"bytes"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/calibrate"
	"github.com/gilsim/gilsim/simulator"
)

// fakePython is a script of testdata/calibrate that stands in for python3
// and prints a canned report, so that these tests do not depend on timing.
func fakePython(t *testing.T, name string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake pythons are shell scripts")
	}
	p, err := filepath.Abs(filepath.Join("testdata", "calibrate", name+".sh"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runCalibrate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"calibrate"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// machineOf parses a printed block inside a scenario, as a user pastes it.
func machineOf(t *testing.T, block string) simulator.Machine {
	t.Helper()
	src := "scenario \"pasted\" {\n" + block + "\ntask \"t\" { cpu 1ms }\nexpect makespan > 0\n}\n"
	sc, err := dsl.Parse("pasted.sim", []byte(src))
	if err != nil {
		t.Fatalf("the printed block does not parse: %v\n%s", err, block)
	}
	return sc.Machine
}

// blockKeyLines are the key lines of a printed machine block, without
// their comments.
func blockKeyLines(out string) []string {
	_, body, _ := strings.Cut(out, "machine {\n")
	body, _, _ = strings.Cut(body, "\n}\n")
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		l, _, _ = strings.Cut(l, "#")
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestCalibrateFull(t *testing.T) {
	t.Parallel()
	code, out, errs := runCalibrate(t, "--python", fakePython(t, "full"), "--budget", "3s")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	m := machineOf(t, out)
	// Keys calibrate does not measure keep gilsim's defaults.
	want := simulator.DefaultMachine()
	want.WakeupLatency, want.ContextSwitch = 24_000, 2_500
	want.TimerSlack = 54_420 // 278.42 us - 200 us - the 24 us wake-up
	want.ThreadStart, want.AsyncioSwitch, want.GeneratorSwitch = 85_000, 1_499, 24
	want.TrampolineDispatch = 35 // the 59 ns step - the 24 ns send
	want.GeventSwitch, want.GreenletSwitch, want.EventletSwitch = 1_170, 117, 2_600
	want.MemProcess, want.MemThread, want.MemCoroutine, want.MemGenerator = 10<<20, 16_527, 1_205, 176
	want.MemGreenlet, want.MemRawGreenlet, want.MemGreenthread, want.MemTotal = 8_514, 5_820, 7_567, 24<<30
	want.MulticoreSpeedPermille = 915                                                         // effective_cores 1.83 of 2
	want.Tick = 4_000_000                                                                     // turns of 4.12 ms: HZ=250's tick
	want.BalanceIdle, want.BalanceBusy, want.BalanceFlip = 4_600_000, 87_300_000, 131_300_000 // to 0.1 ms
	// gil_signal_race is fitted with the model on the block's own machine
	// to the convoys' 183.2, 74 and 55.5 ops/s
	var lines []string
	for _, l := range blockKeyLines(out) {
		if !strings.HasPrefix(l, "gil_signal_race ") {
			lines = append(lines, l)
		}
	}
	cm, err := calibrate.NewConvoyModel(2, lines, 5_000_000)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := cm.FitSignalRace([3]float64{183.2, 74, 55.5})
	if err != nil {
		t.Fatal(err)
	}
	want.GILSignalRace = fit.Race
	if m != want {
		t.Errorf("pasted block gives\n%+v\nwant\n%+v\n%s", m, want, out)
	}
	// the block sets exactly the keys calibrate maps measurements to
	var keys, all []string
	for _, l := range blockKeyLines(out) {
		f := strings.Fields(l)
		if f[0] == "memory" && len(f) == 3 {
			f[0] += " " + f[1]
		}
		keys = append(keys, f[0])
	}
	for _, k := range calibrate.Keys() {
		all = append(all, k.Key)
	}
	if !slices.Equal(keys, all) {
		t.Errorf("the block sets %q,\nwant %q", keys, all)
	}
	for _, s := range []string{
		"# gilsim calibrate: CPython 3.11.2 (/usr/bin/python3)",
		"machine {\n", "\n}\n",
		"timer_slack 54.42us", "time.sleep(200us) took 278.42us",
		"memory thread 16527B", "16.14 KiB",
		"#   process_start 1.977ms", "write `process_start_fork 1.977ms` in the block",
		"#   gil_handoff_overhead 600ns", "multicore_speed 0.915", "run 1.83 times as fast as one", "#   cores 2",
		"tick 4ms", "median turn 4.12ms, spread 1% over 3 runs: whole ticks of HZ=250",
		"balance_idle 4.6ms", "balance_busy 87.3ms", "balance_flip 131.3ms", "(21 changes in 2.7 s), median, spread 60% over 20 runs",
		"did 183/74/56 ops/s (spread 2%/11%/15% over 3 runs each); fitted: gilsim with this block does ",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	for _, s := range []string{"skipped", "not measured", "WARNING", "under load"} {
		if strings.Contains(out, s) {
			t.Errorf("nothing was skipped, on a quiet machine: %q in\n%s", s, out)
		}
	}
	if strings.Contains(errs, "warning") || strings.Contains(errs, "not measured") {
		t.Errorf("stderr:\n%s", errs)
	}
	if !strings.Contains(errs, "  measuring (canned)\n") {
		t.Errorf("the script's progress should pass through, indented:\n%s", errs)
	}
}

// A relative --python works although the script runs in a directory of
// its own.
func TestCalibrateRelativePython(t *testing.T) {
	t.Parallel()
	code, out, errs := runCalibrate(t, "--python", filepath.Join("testdata", "calibrate", "full.sh"))
	if code != 0 || !strings.Contains(out, "machine {") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
}

func TestCalibrateWithoutGevent(t *testing.T) {
	t.Parallel()
	code, out, errs := runCalibrate(t, "--python", fakePython(t, "nogevent"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, s := range []string{
		"# skipped: gevent not installed (gevent_switch, memory greenlet keep their defaults)",
		"# skipped: greenlet not installed",
		"# skipped: eventlet not installed",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	for _, key := range []string{"gevent_switch 1", "memory greenlet ", "greenlet_switch 1", "eventlet_switch 2"} {
		if strings.Contains(out, "  "+key) {
			t.Errorf("a skipped key is in the block: %q\n%s", key, out)
		}
	}
	m := machineOf(t, out)
	d := simulator.DefaultMachine()
	if m.GeventSwitch != d.GeventSwitch || m.MemGreenlet != d.MemGreenlet || m.GreenletSwitch != d.GreenletSwitch {
		t.Errorf("skipped keys should keep the defaults: %+v", m)
	}
	if m.WakeupLatency != 24_000 {
		t.Errorf("measured keys should be set: %+v", m)
	}
	if !strings.Contains(errs, "skipped gevent not installed (gevent_switch, memory greenlet keep gilsim's defaults)") {
		t.Errorf("stderr should say what was skipped:\n%s", errs)
	}
}

// A failed measurement the block needs: no block at all, and a list of
// what failed and what was skipped.
func TestCalibrateNeverHalfABlock(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		fake   string
		stderr []string
	}{
		{"failed", []string{
			"no machine block written",
			"context_switch: OSError: [Errno 22] Invalid argument",
			"memory_thread: RuntimeError: can't start new thread",
			"Skipped, and not needed: gevent not installed (gevent_switch, memory greenlet keep gilsim's defaults)",
		}},
		// gevent is installed (not skipped), so its measurement is needed
		{"pkgfail", []string{"gevent_switch: the measurement crashed"}},
		{"crash", []string{"failed (exit status 1): SyntaxError: invalid syntax", "Python 3.7 or newer", "no machine block was written"}},
		{"garbage", []string{"printed no calibration report", "not JSON", "no machine block was written"}},
	} {
		t.Run(c.fake, func(t *testing.T) {
			code, out, errs := runCalibrate(t, "--python", fakePython(t, c.fake))
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("printed something on stdout:\n%s", out)
			}
			for _, s := range c.stderr {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errs)
				}
			}
		})
	}
}

func TestCalibrateNoPython(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, out, errs := runCalibrate(t)
	if code != 2 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, s := range []string{"python3 not found on PATH", "--python PATH", "Nothing was measured; no machine block was written."} {
		if !strings.Contains(errs, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errs)
		}
	}

	code, _, errs = runCalibrate(t, "--python", filepath.Join(t.TempDir(), "python9"))
	if code != 2 || !strings.Contains(errs, "cannot run") || !strings.Contains(errs, "python9") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}
}

func TestCalibrateUsage(t *testing.T) {
	t.Parallel()
	cases := []cliCase{
		{name: "help", args: []string{"calibrate", "-h"}, code: 0, stdout: []string{"Usage: gilsim calibrate", "--budget DURATION"}},
		{name: "help command", args: []string{"help", "calibrate"}, code: 0, stdout: []string{"--python PATH"}},
		{name: "main help", args: []string{"help"}, code: 0, stdout: []string{"gilsim calibrate", "gilsim fidelity"}},
		{name: "short budget", args: []string{"calibrate", "--budget", "1s"}, code: 2, stderr: []string{"at least 2s"}, noStdout: true},
		{name: "bad budget", args: []string{"calibrate", "--budget", "30"}, code: 2, stderr: []string{"want a duration"}, noStdout: true},
		{name: "argument", args: []string{"calibrate", "now"}, code: 2, stderr: []string{`unexpected argument "now"`}, noStdout: true},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

// TestCalibrateOneCPU: on one CPU there is no multicore speed to measure;
// the block says so and keeps the default, instead of failing.
func TestCalibrateOneCPU(t *testing.T) {
	t.Parallel()
	code, out, errs := runCalibrate(t, "--python", fakePython(t, "onecpu"), "--budget", "3s")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if m := machineOf(t, out); m.MulticoreSpeedPermille != simulator.DefaultMachine().MulticoreSpeedPermille {
		t.Errorf("multicore speed %d‰ from a machine where it was not measured", m.MulticoreSpeedPermille)
	}
	if !strings.Contains(out, "# multicore_speed not measured (one CPU): it keeps its default") {
		t.Errorf("no note on multicore_speed:\n%s", out)
	}
	// no balancing on one CPU; its turns still give the tick
	for _, key := range []string{"balance_idle", "balance_busy", "balance_flip"} {
		if !strings.Contains(out, "# "+key+" not measured (one CPU): it keeps its default\n") {
			t.Errorf("no note on %s:\n%s", key, out)
		}
	}
	if m := machineOf(t, out); m.Tick != 4_000_000 || m.BalanceIdle != simulator.DefaultMachine().BalanceIdle ||
		m.GILSignalRace != simulator.DefaultMachine().GILSignalRace {
		t.Errorf("tick %d, balance_idle %d, gil_signal_race %d", m.Tick, m.BalanceIdle, m.GILSignalRace)
	}
	// on one core the model's convoy does not depend on gil_signal_race:
	// nothing to fit
	if !strings.Contains(out, "# gil_signal_race not fitted (gilsim's model does 0/0 ops/s beside 2/3 CPU threads on this machine whatever its value): it keeps its default\n") {
		t.Errorf("no note on gil_signal_race:\n%s", out)
	}
	if !strings.Contains(errs, "balance_flip (one CPU); gil_signal_race (not fitted: gilsim's model does 0/0 ops/s") {
		t.Errorf("stderr should list what keeps its default:\n%s", errs)
	}
}

// TestCalibrateBusy: on a loaded machine the block says so, at its top and
// on the keys a load disturbs most, and stderr warns; the numbers are
// still printed, marked.
func TestCalibrateBusy(t *testing.T) {
	t.Parallel()
	code, out, errs := runCalibrate(t, "--python", fakePython(t, "busy"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	busy := "load average 3.40 on 2 CPUs; a spinner alone got 0.61 of a CPU"
	for _, s := range []string{
		"# WARNING: the machine looked busy (" + busy + "): these numbers were measured under load,\n",
		"multicore_speed 0.490", "(t1 / t2 = 0.490 each), spread 4% over 7 runs; measured under load\n",
		"HZ=250; measured under load\n", "over 20 runs; measured under load\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if i, j := strings.Index(out, "# WARNING"), strings.Index(out, "machine {"); i < 0 || i > j {
		t.Errorf("the warning should come before the block:\n%s", out)
	}
	if !strings.Contains(errs, "gilsim calibrate: warning: this machine looks busy ("+busy+"): the block's numbers were measured under load") {
		t.Errorf("stderr lacks the warning:\n%s", errs)
	}
	if m := machineOf(t, out); m.MulticoreSpeedPermille != 490 {
		t.Errorf("multicore speed %d‰", m.MulticoreSpeedPermille)
	}
}

// TestCalibrateBudget: with a 12s budget the script ran the two cheaper
// contention runs and skipped the rest; their keys keep the defaults and
// say which budget they need.
func TestCalibrateBudget(t *testing.T) {
	t.Parallel()
	code, out, errs := runCalibrate(t, "--python", fakePython(t, "budget"), "--budget", "12s")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, s := range []string{
		"tick 4ms", "balance_idle 4.6ms",
		"# balance_busy not measured (does not fit in a 12s budget: needs --budget 20s or more): it keeps its default\n",
		"# gil_signal_race not measured (does not fit in a 12s budget: needs --budget 22s or more): it keeps its default\n",
		"# balance_flip not measured (does not fit in a 12s budget: needs --budget 24s or more): it keeps its default\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	m := machineOf(t, out)
	d := simulator.DefaultMachine()
	if m.BalanceBusy != d.BalanceBusy || m.BalanceFlip != d.BalanceFlip || m.GILSignalRace != d.GILSignalRace {
		t.Errorf("skipped keys should keep the defaults: %+v", m)
	}
	if m.Tick != 4_000_000 || m.BalanceIdle != 4_600_000 {
		t.Errorf("measured keys should be set: %+v", m)
	}
	if !strings.Contains(errs, "not measured, keeping gilsim's defaults: balance_busy (does not fit in a 12s budget: needs --budget 20s or more); balance_flip (") {
		t.Errorf("stderr should list the keys left out:\n%s", errs)
	}
}
