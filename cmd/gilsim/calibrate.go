package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gilsim/gilsim/internal/calibrate"
)

const calibrateUsage = `Usage: gilsim calibrate [--python PATH] [--budget DURATION]

Measures this machine's costs with your own Python and prints a
machine { ... } block to paste into your scenarios, so that gilsim predicts
for this computer instead of the reference VM its defaults come from:
OS wake-up latency and context switch (pipe ping-pong between processes on
different CPUs and on one CPU), timer slack (time.sleep(200 us) overshoot),
thread start, asyncio / gevent / eventlet / greenlet / generator hand-offs,
resident memory per process, thread, task, greenlet and generator, the
throughput of two busy cores (multicore_speed), and the contention keys:
the scheduler tick (the turns of two spinners pinned to one CPU), the
load balancer's delays (balance_idle, balance_busy, balance_flip, from a
few forked spinners) and gil_signal_race (a time.sleep(200us) loop beside
one, two and three CPU-bound threads, fitted with gilsim's own model).
Values it cannot set yet (process start-up, GIL hand-off overhead) follow
as comments.

It first checks that the machine is quiet (the load average, and the
share of a CPU one spinner gets alone): on a busy machine it warns, on
stderr and in the block, that the numbers were measured under load.

It needs only python3 (3.7 or newer) on a system with fork(): Linux, where
it pins processes to CPUs, or another Unix, where it cannot pin them and
says so. The gevent, greenlet and eventlet rows are measured
when those packages can be imported, and otherwise left out of the block
with a "# skipped:" comment (their keys keep gilsim's defaults). The block
is printed only when every measurement it needs succeeded: otherwise
gilsim calibrate says what failed and exits 2, printing no block. The
contention keys are the exception: with one CPU, a budget too short for
their runs (the default 30s fits them all; tick needs 9s, balance_idle
12s, balance_busy 19s, gil_signal_race 21s, balance_flip 23s), or on a
machine too busy to see them, they keep their defaults with a comment.

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
	if err := parseFlags(fset, args); err != nil {
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
	if err := os.WriteFile(script, calibrate.Script(), 0o600); err != nil {
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
	rep, err := calibrate.Parse(out.Bytes())
	if err != nil {
		fmt.Fprintf(stderr, "gilsim calibrate: %s printed no calibration report: %s.\n%s\n", safe(exe), safe(err.Error()), nothing)
		return exitUsage
	}
	block, problems := rep.Block()
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "gilsim calibrate: no machine block written: these measurements it needs did not succeed:\n")
		for _, p := range problems {
			fmt.Fprintf(stderr, "  %s\n", safe(p))
		}
		if sk := rep.Skipped(); len(sk) > 0 {
			fmt.Fprintf(stderr, "Skipped, and not needed: %s.\n", safe(strings.Join(sk, "; ")))
		}
		fmt.Fprintf(stderr, "Rerun with a longer --budget on a quieter machine, or with another --python.\n")
		return exitUsage
	}
	if sk := rep.Skipped(); len(sk) > 0 {
		fmt.Fprintf(stderr, "gilsim calibrate: skipped %s.\n", safe(strings.Join(sk, "; ")))
	}
	if nm := rep.NotMeasured(); len(nm) > 0 {
		fmt.Fprintf(stderr, "gilsim calibrate: not measured, keeping gilsim's defaults: %s.\n", safe(strings.Join(nm, "; ")))
	}
	if busy := rep.Busy(); busy != "" {
		fmt.Fprintf(stderr, "gilsim calibrate: warning: this machine looks busy (%s): the block's numbers were measured under load; rerun on a quiet machine for clean ones.\n", safe(busy))
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
