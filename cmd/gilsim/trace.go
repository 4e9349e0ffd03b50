package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

const traceUsage = `Usage: gilsim trace [flags] FILE -o OUT

Simulates one scenario file and writes the run as a trace in the Chrome
Trace Event Format (JSON), for Perfetto UI (ui.perfetto.dev: "Open trace
file") or chrome://tracing ("Load"). The trace has a track per core, named
after what runs on it, and a track per thread, coroutine and greenlet
grouped by process, showing when each ran, waited for a core, waited for
the GIL, was blocked (io, sleep or a lock) or was parked; GIL drop
requests, forced drops and hand-offs are instant marks. A process's own
work on a core, done for no task (its interpreter's start-up, a loop's
scheduler between tasks), is on a track of its own in the process.

Flags (before or after the file; "--" ends the flags):
  -o, --out OUT         the trace file to write ("-" for stdout). It is
                        written all at once: OUT is replaced only when the
                        trace is complete, and its folder must exist (a
                        device or FIFO is written into, not replaced; a
                        read-only OUT is refused)
  --set NAME=VALUE      set a parameter of the scenario (repeatable); a
                        file with vary lines must be narrowed to one run
  --max-trace-size SIZE stop, and write nothing, when the trace would be
                        larger than SIZE (default 256MB; units B, KB, MB,
                        GB). A trace takes about 100 to 200 bytes per
                        simulation event, so 256MB is some 2 million
                        events; viewers struggle well before 1GB
  --max-events N        stop the run after N simulation events
                        (default 1000000000). An event costs about
                        0.15 to 0.2 µs when threads time-slice (fair,
                        round_robin, the GIL's switch interval), 0.02
                        to 0.1 µs otherwise: the default limit is 2.5 to
                        4 minutes of a time-slicing run
  --max-time DURATION   stop a run that passes DURATION of simulated time,
                        e.g. 500ms or 10s

Exit status:
  0  the trace was written; the run finished and every expectation held
  1  the trace was written; an expectation failed, or the run ended in a
     deadlock or a modelled failure
  2  usage error, a file that cannot be read or parsed, a run stopped by a
     limit, a trace larger than --max-trace-size, or an output that cannot
     be written (nothing is written)
`

// outputFlags are the flags `trace` and `report` share.
type outputFlags struct {
	out  string
	set  map[string]string
	opts simulator.Options
	// maxTrace is --max-trace-size, of `trace` only.
	maxTrace sizeFlag
}

// defaultMaxTrace is the default --max-trace-size: some 2 million events,
// already more than Perfetto UI and chrome://tracing open comfortably.
const defaultMaxTrace = 256 << 20

// parseOutputFlags reads the flags of `trace` or `report`. When ok is
// false the command is over and code is its exit status (0 for -h).
func parseOutputFlags(cmd, usage string, args []string, stdout, stderr io.Writer) (f outputFlags, files []string, code int, ok bool) {
	fset := flag.NewFlagSet("gilsim "+cmd, flag.ContinueOnError)
	fset.SetOutput(io.Discard) // its errors are reported below
	fset.Usage = func() {}
	fset.StringVar(&f.out, "o", "", "")
	fset.StringVar(&f.out, "out", "", "")
	f.set = map[string]string{}
	fset.Var(setFlag(f.set), "set", "")
	maxEvents := fset.Int64("max-events", simulator.DefaultMaxEvents, "")
	var maxTime durationFlag
	fset.Var(&maxTime, "max-time", "")
	f.maxTrace.bytes = defaultMaxTrace
	if cmd == "trace" {
		fset.Var(&f.maxTrace, "max-trace-size", "")
	}

	usageError := func(msg string) (outputFlags, []string, int, bool) {
		return f, nil, badUsage(stderr, cmd, usage, msg), false
	}
	files, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(stdout, usage)
		return f, nil, exitOK, false
	case err != nil:
		return usageError(err.Error())
	}
	switch {
	case f.out == "":
		return usageError("no output file given (-o FILE, or -o - for stdout)")
	case *maxEvents <= 0:
		return usageError("--max-events must be at least 1")
	case maxTime.set && maxTimeError(maxTime.ns) != nil:
		return usageError(maxTimeError(maxTime.ns).Error())
	case f.maxTrace.bytes < 1<<10:
		return usageError("--max-trace-size must be at least 1KB")
	case len(files) == 0:
		return usageError("no scenario file given")
	}
	f.opts = simulator.Options{MaxEvents: *maxEvents, MaxTime: simulator.DefaultMaxTime}
	if maxTime.set {
		f.opts.MaxTime = maxTime.ns
	}
	return f, files, exitOK, true
}

// checkOutput refuses, before anything runs, an output whose folder is
// missing or which is a folder.
func checkOutput(cmd, path string, inputs []string, stderr io.Writer) bool {
	if path == "-" {
		return true
	}
	if err := notAnInput(path, inputs); err != nil {
		fmt.Fprintf(stderr, "gilsim %s: %s\n", cmd, safe(err.Error()))
		return false
	}
	a, err := createAtomic(path)
	if err != nil {
		fmt.Fprintf(stderr, "gilsim %s: %s\n", cmd, safe(err.Error()))
		return false
	}
	a.Abort()
	return true
}

// writeOutput writes to path ("-" for stdout) with write, through an
// atomicFile: when write fails or the process is interrupted, the
// destination is left as it was. stdout likewise gets the output only
// once it is complete, from an unlinked temporary file, so that a trace
// stopped half-way prints nothing. write's own errors come back as they
// are.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		f, err := spoolFile()
		if err != nil {
			return err
		}
		defer f.Close()
		if err := write(f); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("a temporary file to hold the output: %v", unwrapPath(err))
		}
		if _, err := io.Copy(stdout, f); err != nil {
			return writeError(path, err)
		}
		return nil
	}
	a, err := createAtomic(path)
	if err != nil {
		return err
	}
	defer abortOnInterrupt(a)()
	if err := write(a); err != nil {
		a.Abort()
		return err
	}
	return a.Commit()
}

// writeError is an error writing to path ("-" for stdout), as one line.
func writeError(path string, err error) error {
	if path == "-" {
		return fmt.Errorf("writing to stdout: %v", unwrapPath(err))
	}
	return fmt.Errorf("--out %s: %v", path, unwrapPath(err))
}

// loadRuns reads a scenario file with its parameters set, as one run per
// combination of its vary lines. Errors are reported on stderr.
func loadRuns(path string, set map[string]string, stderr io.Writer) ([]dsl.Run, bool) {
	sw, err := dsl.ParseSweepFile(path, set)
	if err != nil {
		writeParseError(stderr, path, err)
		return nil, false
	}
	return sw.Runs, true
}

func traceCommand(e *env, args []string, stdout, stderr io.Writer) int {
	f, files, code, ok := parseOutputFlags("trace", traceUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) > 1 {
		return badUsage(stderr, "trace", traceUsage, fmt.Sprintf("one scenario file at a time (got %d)", len(files)))
	}
	path := files[0]
	if !checkOutput("trace", f.out, files, stderr) {
		return exitUsage
	}
	runs, ok := loadRuns(path, f.set, stderr)
	if !ok {
		return exitUsage
	}
	if len(runs) != 1 {
		fmt.Fprintf(stderr, "%s: a sweep of %d runs; a trace shows one (choose with --set NAME=VALUE)\n", safe(path), len(runs))
		return exitUsage
	}
	sc := runs[0].Scenario

	var res *simulator.Result
	var runErr error
	err := writeOutput(f.out, stdout, func(w io.Writer) error {
		var werr error
		var tooLarge bool
		res, tooLarge, runErr, werr = traceRun(w, sc, f.opts, f.maxTrace.bytes)
		switch {
		case tooLarge:
			return fmt.Errorf("%s: the trace would be larger than --max-trace-size %s; raise it (--max-trace-size %s), or trace less: a shorter run (--max-time), fewer entities", path, f.maxTrace.String(), formatSize(2*f.maxTrace.bytes))
		case runErr != nil:
			return runErr
		case werr != nil:
			return writeError(f.out, werr)
		}
		return nil
	})
	switch {
	case runErr != nil:
		// A *simulator.LimitError, or a scenario the engine refused.
		fmt.Fprintf(stderr, "%s: %s\n", safe(path), safe(oneLine(runErr.Error())))
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "gilsim trace: %s\n", safe(oneLine(err.Error())))
		return exitUsage
	}
	if !succeeded(res) {
		return exitFailed
	}
	return exitOK
}

// errTraceTooLarge is what limitWriter reports past its limit.
var errTraceTooLarge = errors.New("trace too large")

// limitWriter passes writes to w until limit bytes would be exceeded;
// then it stops the run: it panics with errTraceTooLarge, which traceRun
// recovers. The engine gives its Trace callback no way to stop
// a run, and running on to --max-events with every write dropped could
// take minutes for nothing; the engine keeps no state beyond the run, so
// unwinding it is safe.
type limitWriter struct {
	w        io.Writer
	n, limit int64
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if l.n+int64(len(b)) > l.limit {
		panic(errTraceTooLarge)
	}
	n, err := l.w.Write(b)
	l.n += int64(n)
	return n, err
}

// traceRun runs sc and writes its trace to w, up to limit bytes. A run
// that stops on an error (a limit, a scenario the engine refuses) gives
// runErr; a trace that grows past limit stops the run and gives tooLarge;
// writing to w may fail too (werr).
func traceRun(w io.Writer, sc *simulator.Scenario, opts simulator.Options, limit int64) (res *simulator.Result, tooLarge bool, runErr, werr error) {
	defer func() {
		if r := recover(); r != nil {
			if r != errTraceTooLarge {
				panic(r)
			}
			res, tooLarge, runErr, werr = nil, true, nil, nil
		}
	}()
	tw := report.NewTraceWriter(&limitWriter{w: w, limit: limit}, sc)
	opts.Trace, opts.Mark = tw.Span, tw.Mark
	res, runErr = simulator.Run(sc, opts)
	if runErr != nil {
		return nil, false, runErr, nil
	}
	return res, false, nil, tw.Close(res)
}
