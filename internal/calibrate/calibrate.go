// Package calibrate is the contract between gilsim and its measurement
// script: measure.py (built in as Script), which `gilsim calibrate` runs
// with a user's python3, prints one JSON report (Report, in the format
// Format), and Block maps its measurements to the keys of a scenario's
// machine { } block (Keys). The script, the report's shape and the
// mapping live here together, and the package's tests check that the
// three agree: the script's FORMAT and measurement names are the ones
// Parse and Keys expect, and a complete report renders a block the
// language accepts.
package calibrate

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// Script is measure.py, in a slice of the caller's own: it runs every
// measurement in a fresh interpreter and prints one JSON report (see its
// docstring).
func Script() []byte { return []byte(script) }

//go:embed measure.py
var script string

// Format is the report's format: the script's FORMAT, its
// "gilsim_calibrate" field. Format 2 added the machine's load and the
// contention runs (spinners and convoys).
const Format = 2

// Report is the JSON the script prints.
type Report struct {
	Format int `json:"gilsim_calibrate"`
	Python struct {
		Version        string `json:"version"`
		Implementation string `json:"implementation"`
		Platform       string `json:"platform"`
		Executable     string `json:"executable"`
		GILEnabled     *bool  `json:"gil_enabled"`
	} `json:"python"`
	CPUs         int           `json:"cpus"`
	Budget       float64       `json:"budget_s"`
	Measurements []Measurement `json:"measurements"`

	byName    map[string]Measurement
	notFitted string // why Block could not fit gil_signal_race
}

// Measurement is one entry of a Report: a value with its unit, or why
// there is none (an error, or a package that is not installed).
type Measurement struct {
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Unit    string   `json:"unit"`
	N       int      `json:"n"`
	Spread  *float64 `json:"spread_pct"`
	How     string   `json:"how"`
	Error   string   `json:"error"`
	Skipped string   `json:"skipped"`
	Version string   `json:"version"`
	// SwitchInterval is sys.getswitchinterval() in seconds, for the
	// convoy runs.
	SwitchInterval float64 `json:"switch_interval_s"`
}

// Parse reads the script's report.
func Parse(b []byte) (*Report, error) {
	var c Report
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("its output is not JSON (%v)", err)
	}
	if c.Format != Format {
		return nil, fmt.Errorf("unknown report format %d", c.Format)
	}
	c.byName = map[string]Measurement{}
	for _, m := range c.Measurements {
		c.byName[m.Name] = m
	}
	return &c, nil
}

// get returns a measurement's value, or why there is none.
func (c *Report) get(name, unit string) (float64, string) {
	m, ok := c.byName[name]
	switch {
	case !ok:
		return 0, name + ": missing from the report"
	case m.Error != "":
		return 0, name + ": " + m.Error
	case m.Skipped != "":
		return 0, name + ": could not be measured here (" + m.Skipped + ")"
	case m.Value == nil || math.IsNaN(*m.Value) || math.IsInf(*m.Value, 0) || *m.Value < 0:
		return 0, name + ": no valid value"
	case m.Unit != unit:
		return 0, fmt.Sprintf("%s: in %q, want %q", name, m.Unit, unit)
	}
	return *m.Value, ""
}

// Key is one line of the machine block and the measurement it comes from.
type Key struct {
	Key  string // the machine key, as written in the block ("memory thread")
	From string // the measurement's name in the report
	Unit string // the unit the measurement must be in
	Pkg  string // the optional package it needs ("" = python3 only)
}

// Keys maps the measurements to the block's keys, in the block's order,
// in a slice of the caller's own.
func Keys() []Key { return slices.Clone(keys) }

var keys = []Key{
	{"wakeup_latency", "wakeup_latency", "ns", ""},
	{"context_switch", "context_switch", "ns", ""},
	{"timer_slack", "sleep_200us", "ns", ""}, // minus 200 us and the wake-up
	{"thread_start", "thread_start", "ns", ""},
	{"thread_bootstrap", "thread_bootstrap", "ns", ""},
	{"thread_bootstrap_tail", "thread_bootstrap_tail", "ns", ""},
	{"asyncio_switch", "asyncio_switch", "ns", ""},
	{"generator_switch", "generator_switch", "ns", ""},
	{"trampoline_dispatch", "trampoline_step", "ns", ""}, // minus the send
	{"multicore_speed", "effective_cores", "cores", ""},  // over 2
	{"gevent_switch", "gevent_switch", "ns", "gevent"},
	{"greenlet_switch", "greenlet_switch", "ns", "greenlet"},
	{"eventlet_switch", "eventlet_switch", "ns", "eventlet"},
	{"memory process", "memory_process", "bytes", ""},
	{"memory thread", "memory_thread", "bytes", ""},
	{"memory coroutine", "memory_coroutine", "bytes", ""},
	{"memory gen", "memory_gen", "bytes", ""},
	{"memory greenlet", "memory_greenlet", "bytes", "gevent"},
	{"memory raw_greenlet", "memory_raw_greenlet", "bytes", "greenlet"},
	{"memory greenthread", "memory_greenthread", "bytes", "eventlet"},
	{"memory", "memory_total", "bytes", ""},
	{"tick", "tick_turn", "ns", ""},              // snapped to a tick of a usual HZ
	{"balance_idle", "balance_idle", "ns", ""},   // the median delay
	{"balance_busy", "balance_busy", "ns", ""},   // the median delay
	{"balance_flip", "balance_flip", "ns", ""},   // the median time between pulls
	{"gil_signal_race", "convoy_2", "ops/s", ""}, // fitted to convoy_1..3 with the model
}

// contention are the keys from the contention runs (spinners, convoys):
// on a busy machine, with one CPU or a short budget they may not be
// measured, and then keep their defaults with a comment saying why,
// instead of failing the block.
var contention = map[string]bool{
	"tick": true, "balance_idle": true, "balance_busy": true, "balance_flip": true, "gil_signal_race": true,
}

// extra are the measurements that set no key but are reported as
// comments under the block (extraComments); inputs are read for a key
// with another measurement (convoy_1 and convoy_3, with convoy_2, fit
// gil_signal_race) or for the busy warning (Busy).
var (
	extra  = []string{"thread_hop", "process_start"}
	inputs = []string{"convoy_1", "convoy_3", "load_average", "spinner_share"}
)

// Names lists every measurement the report must hold: those of Keys, in
// their order, then the extra ones and the inputs.
func Names() []string {
	var names []string
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k.From] {
			seen[k.From] = true
			names = append(names, k.From)
		}
	}
	names = append(names, extra...)
	return append(names, inputs...)
}

// notInstalled reports whether m was skipped because pkg is missing.
func (c *Report) notInstalled(name, pkg string) bool {
	m, ok := c.byName[name]
	return ok && m.Skipped != "" && pkg != "" && strings.HasPrefix(m.Skipped, pkg+" ")
}

// Skipped lists the optional packages that were missing, with the keys
// left out for each.
func (c *Report) Skipped() []string {
	var out []string
	seen := map[string][]string{}
	var order []string
	for _, k := range keys {
		if c.notInstalled(k.From, k.Pkg) {
			if _, ok := seen[k.Pkg]; !ok {
				order = append(order, k.Pkg)
			}
			seen[k.Pkg] = append(seen[k.Pkg], k.Key)
		}
	}
	for _, p := range order {
		out = append(out, fmt.Sprintf("%s not installed (%s keep gilsim's defaults)", p, strings.Join(seen[p], ", ")))
	}
	return out
}

// Block renders the machine block, or lists what is missing for it. It
// never returns part of a block: problems non-empty means block empty.
// The keys of the contention runs are the exception: one that could not
// be measured keeps its default, with a comment saying why.
func (c *Report) Block() (string, []string) {
	type line struct{ text, note string }
	var lines []line
	var problems []string
	skippedNoted := map[string]bool{}
	wake, _ := c.get("wakeup_latency", "ns")
	busy := c.Busy()
	underLoad := ""
	if busy != "" {
		underLoad = "; measured under load"
	}
	raceAt := -1
	for _, k := range keys {
		if c.notInstalled(k.From, k.Pkg) {
			if !skippedNoted[k.Pkg] {
				skippedNoted[k.Pkg] = true
				var skipped []string
				for _, o := range keys {
					if o.Pkg == k.Pkg {
						skipped = append(skipped, o.Key)
					}
				}
				lines = append(lines, line{"# skipped: " + k.Pkg + " not installed (" + strings.Join(skipped, ", ") + " keep their defaults)", ""})
			}
			continue
		}
		if m, ok := c.byName[k.From]; ok && k.Key == "multicore_speed" && m.Skipped != "" {
			// one CPU, or no fork(): nothing to slow down here
			lines = append(lines, line{"# multicore_speed not measured (" + m.Skipped + "): it keeps its default", ""})
			continue
		}
		if contention[k.Key] {
			text, note, why := c.contentionKey(k)
			if why != "" {
				lines = append(lines, line{"# " + k.Key + " not measured (" + why + "): it keeps its default", ""})
				continue
			}
			if k.Key == "gil_signal_race" {
				raceAt = len(lines)
			}
			lines = append(lines, line{text, note + underLoad})
			continue
		}
		v, why := c.get(k.From, k.Unit)
		if why != "" {
			problems = append(problems, why)
			continue
		}
		m := c.byName[k.From]
		note := m.How
		switch k.Key {
		case "timer_slack":
			slack := v - 200_000 - wake
			note = fmt.Sprintf("time.sleep(200us) took %s: minus 200us and the wake-up", FormatDuration(int64(math.Round(v))))
			if slack < 0 {
				slack = 0
				note += " (clamped at 0)"
			}
			v = slack
		case "trampoline_dispatch":
			send, why := c.get("generator_switch", "ns")
			if why != "" {
				problems = append(problems, why)
				continue
			}
			note = fmt.Sprintf("a round-robin trampoline's step took %s: minus the send (generator_switch)", FormatDuration(int64(math.Round(v))))
			v -= send
			if v < 0 {
				v = 0
				note += " (clamped at 0)"
			}
		}
		if k.Key == "multicore_speed" {
			// effective_cores is 2 t1 / t2: each of two busy cores runs at t1 / t2
			speed := min(max(v/2, 0.001), 1)
			lines = append(lines, line{k.Key + " " + strconv.FormatFloat(speed, 'f', 3, 64),
				fmt.Sprintf("two CPU-bound processes at once run %.2f times as fast as one (t1 / t2 = %.3f each)", v, v/2) + spreadNote(m) + underLoad})
			continue
		}
		if strings.HasPrefix(k.Key, "memory") {
			if v < 1 {
				problems = append(problems, k.From+": no valid value")
				continue
			}
			lines = append(lines, line{k.Key + " " + strconv.FormatInt(int64(math.Round(v)), 10) + "B", humanSize(v) + ": " + note + spreadNote(m)})
			continue
		}
		lines = append(lines, line{k.Key + " " + FormatDuration(int64(math.Round(v))), note + spreadNote(m)})
	}
	if len(problems) > 0 {
		return "", problems
	}
	if raceAt >= 0 {
		// the fit runs the model on the machine the block describes (its
		// memory sizes aside: they change no timing)
		var machine []string
		for i, l := range lines {
			if i != raceAt && !strings.HasPrefix(l.text, "#") && !strings.HasPrefix(l.text, "memory") {
				machine = append(machine, l.text)
			}
		}
		text, note, why := c.fitRace(machine)
		c.notFitted = why
		if why != "" {
			lines[raceAt] = line{"# gil_signal_race not fitted (" + why + "): it keeps its default", ""}
		} else {
			lines[raceAt] = line{text, note + underLoad}
		}
	}

	var b strings.Builder
	impl := c.Python.Implementation
	if impl == "" {
		impl = "Python"
	}
	fmt.Fprintf(&b, "# gilsim calibrate: %s %s (%s) on %s, %d CPUs, budget %gs\n",
		impl, c.Python.Version, c.Python.Executable, c.Python.Platform, c.CPUs, c.Budget)
	if busy != "" {
		fmt.Fprintf(&b, "# WARNING: the machine looked busy (%s): these numbers were measured under load,\n", busy)
		b.WriteString("# slower and more scattered than the machine's own; rerun on a quiet machine for clean ones.\n")
	} else if why := c.loadUnchecked(); why != "" {
		fmt.Fprintf(&b, "# note: the machine's load was not checked (%s)\n", why)
	}
	if impl != "CPython" {
		fmt.Fprintf(&b, "# note: %s is not CPython; gilsim models CPython's GIL and scheduler costs\n", impl)
	}
	if c.Python.GILEnabled != nil && !*c.Python.GILEnabled {
		b.WriteString("# note: a free-threaded build (no GIL); the hand-off costs still apply, the GIL's do not\n")
	}
	b.WriteString("# Paste into a scenario; keys left out keep gilsim's defaults.\n")
	b.WriteString("machine {\n")
	width := 0
	for _, l := range lines {
		if l.note != "" {
			width = max(width, len(l.text))
		}
	}
	for _, l := range lines {
		if l.note == "" {
			fmt.Fprintf(&b, "  %s\n", l.text)
			continue
		}
		fmt.Fprintf(&b, "  %-*s  # %s\n", width, l.text, l.note)
	}
	b.WriteString("}\n")
	b.WriteString(c.extraComments())
	return b.String(), nil
}

// busyShare is the share of a CPU under which a spinner alone shows that
// other work took its CPU: on a quiet machine it gets 0.99 or more.
const busyShare = 0.9

// Busy says why the machine looked busy while it was measured, or "":
// a load average above its number of CPUs before measuring, or a
// spinner alone getting clearly less than a whole CPU.
func (c *Report) Busy() string {
	var why []string
	if v, e := c.get("load_average", "tasks"); e == "" && c.CPUs > 0 && v > float64(c.CPUs) {
		why = append(why, fmt.Sprintf("load average %.2f on %d CPUs", v, c.CPUs))
	}
	if v, e := c.get("spinner_share", "cpu"); e == "" && v < busyShare {
		why = append(why, fmt.Sprintf("a spinner alone got %.2f of a CPU", v))
	}
	return strings.Join(why, "; ")
}

// loadUnchecked says why neither check of Busy could be made, or "".
func (c *Report) loadUnchecked() string {
	_, e1 := c.get("load_average", "tasks")
	_, e2 := c.get("spinner_share", "cpu")
	if e1 == "" || e2 == "" {
		return ""
	}
	return e1 + "; " + e2
}

// NotMeasured lists the contention keys that keep their defaults, each
// with why (a short budget, one CPU, a busy machine; after Block, a
// gil_signal_race that could not be fitted).
func (c *Report) NotMeasured() []string {
	var out []string
	for _, k := range keys {
		if !contention[k.Key] {
			continue
		}
		_, _, why := c.contentionKey(k)
		if why == "" && k.Key == "gil_signal_race" && c.notFitted != "" {
			why = "not fitted: " + c.notFitted
		}
		if why != "" {
			out = append(out, k.Key+" ("+why+")")
		}
	}
	return out
}

// why is why measurement name gave no value, as its own words say it,
// or "" when it has one in unit.
func (c *Report) why(name, unit string) string {
	m, ok := c.byName[name]
	switch {
	case !ok:
		return name + " missing from the report"
	case m.Skipped != "":
		return m.Skipped
	case m.Error != "":
		return name + ": " + m.Error
	}
	if _, why := c.get(name, unit); why != "" {
		return why
	}
	return ""
}

// contentionKey renders one key of the contention runs (the line and its
// comment), or says why it was not measured. gil_signal_race's line is
// rendered by fitRace once the rest of the block is known.
func (c *Report) contentionKey(k Key) (text, note, why string) {
	if k.Key == "gil_signal_race" {
		for _, name := range []string{"convoy_1", "convoy_2", "convoy_3"} {
			if why := c.why(name, "ops/s"); why != "" {
				return "", "", why
			}
			if *c.byName[name].Value <= 0 {
				return "", "", name + ": no operation completed"
			}
		}
		return "gil_signal_race ?", "", ""
	}
	if why := c.why(k.From, k.Unit); why != "" {
		return "", "", why
	}
	m := c.byName[k.From]
	v := *m.Value
	if k.Key == "tick" {
		tick, hz := TickFor(int64(math.Round(v)), simulator.DefaultMachine().BaseSlice, c.CPUs)
		note = fmt.Sprintf("%s, median turn %s%s", m.How, FormatDuration(int64(math.Round(v))), spreadNote(m))
		if hz > 0 {
			note += fmt.Sprintf(": whole ticks of HZ=%d", hz)
		} else {
			note += ": no usual HZ's ticks make that turn; the turn as measured"
		}
		return "tick " + FormatDuration(tick), note, ""
	}
	// the balancing delays: medians, to a tenth of a millisecond
	d := int64(math.Round(v/1e5)) * 100_000
	return k.Key + " " + FormatDuration(d), m.How + ", median" + spreadNote(m), ""
}

// usualHZ are the kernel's usual CONFIG_HZ choices.
var usualHZ = []int64{1000, 300, 250, 100}

// TickFor is the tick that makes the linux policy's turns as long as the
// measured turn of two spinners on one CPU, and the HZ it is the tick of
// (0 if none). A turn ends at the first tick after the task has had
// base_slice × (1 + ilog2(min(cores, 8))), so with a tick t it lasts
// ceil(slice / t) ticks: the usual HZ whose turn comes within 10 % of
// the measured one (the closest; on a tie the first of 1000, 300, 250,
// 100) gives the tick; otherwise the turn itself is the tick.
func TickFor(turn, baseSlice int64, cores int) (int64, int64) {
	slice := baseSlice
	for n := max(cores, 1); n > 1; n >>= 1 {
		slice += baseSlice
	}
	best, bestHZ, bestErr := turn, int64(0), 0.0
	for _, hz := range usualHZ {
		t := 1_000_000_000 / hz
		k := max((slice+t-1)/t, 1)
		if e := math.Abs(float64(k*t-turn)) / float64(turn); e <= 0.1 && (bestHZ == 0 || e < bestErr) {
			best, bestHZ, bestErr = t, hz, e
		}
	}
	return best, bestHZ
}

// fitRace fits gil_signal_race with the model on machine (the block's
// other lines): the line and its comment, or why not.
func (c *Report) fitRace(machine []string) (text, note, why string) {
	var ops [3]float64
	var spreads []string
	for i, name := range []string{"convoy_1", "convoy_2", "convoy_3"} {
		ops[i] = *c.byName[name].Value
		if m := c.byName[name]; m.Spread != nil && m.N >= 2 {
			spreads = append(spreads, fmt.Sprintf("%.0f%%", *m.Spread))
		}
	}
	interval := int64(5_000_000)
	if iv := c.byName["convoy_2"].SwitchInterval; iv > 0 && iv < 1 {
		interval = int64(math.Round(iv * 1e9))
	}
	cores := min(max(c.CPUs, 1), 8)
	cm, err := NewConvoyModel(cores, machine, interval)
	if err != nil {
		return "", "", err.Error()
	}
	f, err := cm.FitSignalRace(ops)
	if err != nil {
		return "", "", err.Error()
	}
	note = fmt.Sprintf("a time.sleep(200us) loop beside 1/2/3 CPU threads (interval %s) did %.0f/%.0f/%.0f ops/s",
		FormatDuration(interval), ops[0], ops[1], ops[2])
	if len(spreads) == 3 {
		note += fmt.Sprintf(" (spread %s over %d runs each)", strings.Join(spreads, "/"), c.byName["convoy_2"].N)
	}
	note += fmt.Sprintf("; fitted: gilsim with this block does %.0f/%.0f/%.0f", f.Predicted[0], f.Predicted[1], f.Predicted[2])
	return "gil_signal_race " + strconv.FormatFloat(float64(f.Race)/1000, 'f', -1, 64), note, ""
}

// humanSize is a byte count for a reader.
func humanSize(v float64) string {
	switch {
	case v >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1024:
		return fmt.Sprintf("%.2f KiB", v/1024)
	}
	return fmt.Sprintf("%.0f B", v)
}

// extraComments are the measurements no machine key takes yet.
func (c *Report) extraComments() string {
	var b strings.Builder
	b.WriteString("# Not machine keys yet (see docs/fidelity.md, machine parameters):\n")
	row := func(name, value, note string) {
		fmt.Fprintf(&b, "#   %-30s %s\n", name+" "+value, note)
	}
	if v, why := c.get("process_start", "ns"); why == "" {
		d := FormatDuration(int64(math.Round(v)))
		row("process_start", d, c.byName["process_start"].How+": write `process_start_fork "+d+"` in the block for processes that `start fork`")
	} else {
		row("process_start", "?", "not measured: "+why)
	}
	hop, why1 := c.get("thread_hop", "ns")
	cs, why2 := c.get("context_switch", "ns")
	if why1 == "" && why2 == "" {
		row("gil_handoff_overhead", FormatDuration(int64(math.Round(math.Max(0, hop-cs)))), "a thread hop ("+FormatDuration(int64(math.Round(hop)))+") minus a process hop on one CPU: the GIL's take/drop")
	} else {
		row("gil_handoff_overhead", "?", "not measured: "+firstNonEmpty(why1, why2))
	}
	if c.CPUs > 0 {
		row("cores", strconv.Itoa(c.CPUs), "CPUs this process may use: write `cores "+strconv.Itoa(c.CPUs)+"` in a scenario of this machine")
	}
	return b.String()
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func spreadNote(m Measurement) string {
	if m.Spread == nil || m.N < 2 {
		return ""
	}
	return fmt.Sprintf(", spread %.0f%% over %d runs", *m.Spread, m.N)
}

// FormatDuration writes ns the way the scenario language reads it, exactly:
// whole nanoseconds below 1 us, then us or ms with up to three decimals
// (a value of a millisecond or more is rounded to the microsecond).
func FormatDuration(ns int64) string {
	switch {
	case ns >= 1_000_000:
		us := (ns + 500) / 1000
		return decimal(us, 1000) + "ms"
	case ns >= 1000:
		return decimal(ns, 1000) + "us"
	}
	return strconv.FormatInt(ns, 10) + "ns"
}

// decimal writes v/scale with the decimals it needs (scale a power of 10).
func decimal(v, scale int64) string {
	s := strconv.FormatInt(v/scale, 10)
	frac := v % scale
	if frac == 0 {
		return s
	}
	digits := len(strconv.FormatInt(scale, 10)) - 1
	f := strconv.FormatInt(frac, 10)
	for len(f) < digits {
		f = "0" + f
	}
	return s + "." + strings.TrimRight(f, "0")
}
