package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// measureScript is the Python side of `gilsim calibrate`: it runs every
// measurement in a fresh interpreter and prints one JSON object.
//
//go:embed calibrate/measure.py
var measureScript []byte

const calibrateUsage = `Usage: gilsim calibrate [--python PATH] [--budget DURATION]

Measures this machine's costs with your own Python and prints a
machine { ... } block to paste into your scenarios, so that gilsim predicts
for this computer instead of the reference VM its defaults come from:
OS wake-up latency and context switch (pipe ping-pong between processes on
different CPUs and on one CPU), timer slack (time.sleep(200 us) overshoot),
thread start, asyncio / gevent / eventlet / greenlet / generator hand-offs,
and resident memory per process, thread, task, greenlet and generator.
Values it cannot set yet (process start-up, GIL hand-off overhead, the
throughput of all cores busy, the trampoline step) follow as comments.

It needs only python3 (3.7 or newer) on a system with fork(): Linux, where
it pins processes to CPUs, or another Unix, where it cannot pin them and
says so. The gevent, greenlet and eventlet rows are measured
when those packages can be imported, and otherwise left out of the block
with a "# skipped:" comment (their keys keep gilsim's defaults). The block
is printed only when every measurement it needs succeeded: otherwise
gilsim calibrate says what failed and exits 2, printing no block.

Flags:
  --python PATH       the interpreter to measure (default: python3 on PATH)
  --budget DURATION   about how long to measure, written as the scenario
                      language writes durations: 30s, 90s (default 30s,
                      at least 2s; the memory probes add a few seconds).
                      A longer budget on a quiet machine gives steadier
                      numbers.

Exit status:
  0  the block was printed
  2  usage error, no usable python, or a measurement the block needs failed
`

// calibrateTimeout bounds the whole Python run: the measurements share
// the budget, the fixed costs (interpreters, memory probes) come on top.
func calibrateTimeout(budget time.Duration) time.Duration {
	return 3*budget + 3*time.Minute
}

func calibrateCommand(e *env, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("gilsim calibrate", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	python := fset.String("python", "python3", "")
	var budgetFlag durationFlag
	fset.Var(&budgetFlag, "budget", "")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(stdout, calibrateUsage)
			return exitOK
		}
		return badUsage(stderr, "calibrate", calibrateUsage, err.Error())
	}
	if fset.NArg() > 0 {
		return badUsage(stderr, "calibrate", calibrateUsage, "unexpected argument "+strconv.Quote(fset.Arg(0)))
	}
	budget := int64(30_000_000_000)
	if budgetFlag.set {
		budget = budgetFlag.ns
	}
	if budget < 2_000_000_000 {
		fmt.Fprintf(stderr, "gilsim calibrate: --budget must be at least 2s\n")
		return exitUsage
	}

	nothing := "Nothing was measured; no machine block was written."
	exe, err := exec.LookPath(*python)
	if err != nil {
		what := safe(strconv.Quote(*python))
		if *python == "python3" {
			fmt.Fprintf(stderr, "gilsim calibrate: python3 not found on PATH: install Python 3.7 or newer, or name an interpreter with --python PATH.\n%s\n", nothing)
		} else {
			fmt.Fprintf(stderr, "gilsim calibrate: cannot run %s: %s.\n%s\n", what, safe(errCause(err)), nothing)
		}
		return exitUsage
	}
	if abs, err := filepath.Abs(exe); err == nil {
		exe = abs // the script runs in a directory of its own
	}

	dir, err := os.MkdirTemp("", "gilsim-calibrate-")
	if err != nil {
		fmt.Fprintf(stderr, "gilsim calibrate: %s\n", safe(err.Error()))
		return exitUsage
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "measure.py")
	if err := os.WriteFile(script, measureScript, 0o600); err != nil {
		fmt.Fprintf(stderr, "gilsim calibrate: %s\n", safe(err.Error()))
		return exitUsage
	}

	b := time.Duration(budget)
	fmt.Fprintf(stderr, "gilsim calibrate: measuring with %s for about %s (more with the memory probes)\n", safe(exe), b)
	ctx, cancel := context.WithTimeout(context.Background(), calibrateTimeout(b))
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, script, "--budget", strconv.FormatFloat(b.Seconds(), 'f', -1, 64))
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.MultiWriter(&errOut, &prefixWriter{w: stderr, prefix: "  "})
	runErr := cmd.Run()
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "gilsim calibrate: %s did not finish within %s.\n%s\n", safe(exe), calibrateTimeout(b), nothing)
		return exitUsage
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "gilsim calibrate: %s failed (%s)%s. gilsim calibrate needs Python 3.7 or newer.\n%s\n",
			safe(exe), safe(errCause(runErr)), lastLine(errOut.String()), nothing)
		return exitUsage
	}
	rep, err := parseCalibration(out.Bytes())
	if err != nil {
		fmt.Fprintf(stderr, "gilsim calibrate: %s printed no calibration report: %s.\n%s\n", safe(exe), safe(err.Error()), nothing)
		return exitUsage
	}
	block, problems := rep.machineBlock()
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "gilsim calibrate: no machine block written: these measurements it needs did not succeed:\n")
		for _, p := range problems {
			fmt.Fprintf(stderr, "  %s\n", safe(p))
		}
		if sk := rep.skippedPackages(); len(sk) > 0 {
			fmt.Fprintf(stderr, "Skipped, and not needed: %s.\n", safe(strings.Join(sk, "; ")))
		}
		fmt.Fprintf(stderr, "Rerun with a longer --budget on a quieter machine, or with another --python.\n")
		return exitUsage
	}
	if sk := rep.skippedPackages(); len(sk) > 0 {
		fmt.Fprintf(stderr, "gilsim calibrate: skipped %s.\n", safe(strings.Join(sk, "; ")))
	}
	io.WriteString(stdout, block)
	return exitOK
}

// errCause is err's message without the program path exec puts in front.
func errCause(err error) string {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err.Error()
	}
	return err.Error()
}

// lastLine is ": " and the last non-empty line of s, or "".
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if l := strings.TrimSpace(lines[len(lines)-1]); l != "" {
		return ": " + safe(l)
	}
	return ""
}

// prefixWriter indents the lines that pass through it (the script's
// progress), so they read as part of gilsim calibrate's own output, and
// makes them safe for a terminal.
type prefixWriter struct {
	w      io.Writer
	prefix string
	mid    bool // the last write ended inside a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var buf bytes.Buffer
	for rest := b; len(rest) > 0; {
		line, after, nl := bytes.Cut(rest, []byte("\n"))
		if !p.mid {
			buf.WriteString(p.prefix)
		}
		buf.WriteString(safe(string(line)))
		p.mid = !nl
		if nl {
			buf.WriteByte('\n')
		}
		rest = after
	}
	if _, err := p.w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}

// calReport is the JSON the script prints.
type calReport struct {
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
	Measurements []measurement `json:"measurements"`

	byName map[string]measurement
}

type measurement struct {
	Name    string   `json:"name"`
	Value   *float64 `json:"value"`
	Unit    string   `json:"unit"`
	N       int      `json:"n"`
	Spread  *float64 `json:"spread_pct"`
	How     string   `json:"how"`
	Error   string   `json:"error"`
	Skipped string   `json:"skipped"`
	Version string   `json:"version"`
}

func parseCalibration(b []byte) (*calReport, error) {
	var c calReport
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("its output is not JSON (%v)", err)
	}
	if c.Format != 1 {
		return nil, fmt.Errorf("unknown report format %d", c.Format)
	}
	c.byName = map[string]measurement{}
	for _, m := range c.Measurements {
		c.byName[m.Name] = m
	}
	return &c, nil
}

// get returns a measurement's value, or why there is none.
func (c *calReport) get(name, unit string) (float64, string) {
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

// blockKey is one line of the machine block, from one measurement.
type blockKey struct {
	key, from, unit string
	pkg             string // the optional package it needs ("" = python3 only)
}

var blockKeys = []blockKey{
	{"wakeup_latency", "wakeup_latency", "ns", ""},
	{"context_switch", "context_switch", "ns", ""},
	{"timer_slack", "sleep_200us", "ns", ""}, // minus 200 us and the wake-up
	{"thread_start", "thread_start", "ns", ""},
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
}

// notInstalled reports whether m was skipped because pkg is missing.
func (c *calReport) notInstalled(name, pkg string) bool {
	m, ok := c.byName[name]
	return ok && m.Skipped != "" && pkg != "" && strings.HasPrefix(m.Skipped, pkg+" ")
}

// skippedPackages lists the optional packages that were missing, with
// the keys left out for each.
func (c *calReport) skippedPackages() []string {
	var out []string
	seen := map[string][]string{}
	var order []string
	for _, k := range blockKeys {
		if c.notInstalled(k.from, k.pkg) {
			if _, ok := seen[k.pkg]; !ok {
				order = append(order, k.pkg)
			}
			seen[k.pkg] = append(seen[k.pkg], k.key)
		}
	}
	for _, p := range order {
		out = append(out, fmt.Sprintf("%s not installed (%s keep gilsim's defaults)", p, strings.Join(seen[p], ", ")))
	}
	return out
}

// machineBlock renders the block, or lists what is missing for it. It
// never returns part of a block: problems non-empty means block empty.
func (c *calReport) machineBlock() (string, []string) {
	type line struct{ text, note string }
	var lines []line
	var problems []string
	skippedNoted := map[string]bool{}
	wake, _ := c.get("wakeup_latency", "ns")
	for _, k := range blockKeys {
		if c.notInstalled(k.from, k.pkg) {
			if !skippedNoted[k.pkg] {
				skippedNoted[k.pkg] = true
				var keys []string
				for _, o := range blockKeys {
					if o.pkg == k.pkg {
						keys = append(keys, o.key)
					}
				}
				lines = append(lines, line{"# skipped: " + k.pkg + " not installed (" + strings.Join(keys, ", ") + " keep their defaults)", ""})
			}
			continue
		}
		if m, ok := c.byName[k.from]; ok && k.key == "multicore_speed" && m.Skipped != "" {
			// one CPU, or no fork(): nothing to slow down here
			lines = append(lines, line{"# multicore_speed not measured (" + m.Skipped + "): it keeps its default", ""})
			continue
		}
		v, why := c.get(k.from, k.unit)
		if why != "" {
			problems = append(problems, why)
			continue
		}
		m := c.byName[k.from]
		note := m.How
		switch k.key {
		case "timer_slack":
			slack := v - 200_000 - wake
			note = fmt.Sprintf("time.sleep(200us) took %s: minus 200us and the wake-up", fmtDuration(int64(math.Round(v))))
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
			note = fmt.Sprintf("a round-robin trampoline's step took %s: minus the send (generator_switch)", fmtDuration(int64(math.Round(v))))
			v -= send
			if v < 0 {
				v = 0
				note += " (clamped at 0)"
			}
		}
		if k.key == "multicore_speed" {
			// effective_cores is 2 t1 / t2: each of two busy cores runs at t1 / t2
			speed := min(max(v/2, 0.001), 1)
			lines = append(lines, line{k.key + " " + strconv.FormatFloat(speed, 'f', 3, 64),
				fmt.Sprintf("two CPU-bound processes at once run %.2f times as fast as one (t1 / t2 = %.3f each)", v, v/2) + spreadNote(m)})
			continue
		}
		if strings.HasPrefix(k.key, "memory") {
			if v < 1 {
				problems = append(problems, k.from+": no valid value")
				continue
			}
			lines = append(lines, line{k.key + " " + strconv.FormatInt(int64(math.Round(v)), 10) + "B", humanSize(v) + ": " + note + spreadNote(m)})
			continue
		}
		lines = append(lines, line{k.key + " " + fmtDuration(int64(math.Round(v))), note + spreadNote(m)})
	}
	if len(problems) > 0 {
		return "", problems
	}

	var b strings.Builder
	impl := c.Python.Implementation
	if impl == "" {
		impl = "Python"
	}
	fmt.Fprintf(&b, "# gilsim calibrate: %s %s (%s) on %s, %d CPUs, budget %gs\n",
		impl, c.Python.Version, c.Python.Executable, c.Python.Platform, c.CPUs, c.Budget)
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
func (c *calReport) extraComments() string {
	var b strings.Builder
	b.WriteString("# Not machine keys yet (see docs/fidelity.md, machine parameters):\n")
	row := func(name, value, note string) {
		fmt.Fprintf(&b, "#   %-30s %s\n", name+" "+value, note)
	}
	if v, why := c.get("process_start", "ns"); why == "" {
		d := fmtDuration(int64(math.Round(v)))
		row("process_start", d, c.byName["process_start"].How+": give `startup "+d+"` to each process that stands for such a worker")
	} else {
		row("process_start", "?", "not measured: "+why)
	}
	hop, why1 := c.get("thread_hop", "ns")
	cs, why2 := c.get("context_switch", "ns")
	if why1 == "" && why2 == "" {
		row("gil_handoff_overhead", fmtDuration(int64(math.Round(math.Max(0, hop-cs)))), "a thread hop ("+fmtDuration(int64(math.Round(hop)))+") minus a process hop on one CPU: the GIL's take/drop")
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

func spreadNote(m measurement) string {
	if m.Spread == nil || m.N < 2 {
		return ""
	}
	return fmt.Sprintf(", spread %.0f%% over %d runs", *m.Spread, m.N)
}

// fmtDuration writes ns the way the scenario language reads it, exactly:
// whole nanoseconds below 1 us, then us or ms with up to three decimals
// (a value of a millisecond or more is rounded to the microsecond).
func fmtDuration(ns int64) string {
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
