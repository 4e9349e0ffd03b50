package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

const runUsage = `Usage: gilsim run [flags] PATH...

Simulates scenario files and prints their results in the order of the
list. A PATH is a file, a folder (every *.sim below it), or a glob. A
workload file (see "gilsim help compare") found in a folder is skipped
with a note on stderr; named by a PATH, it is an error.
Files run concurrently on all cores; the output is the same as one by
one. A file that does not parse is reported on stderr and the others
still run. A file with vary lines (a sweep) prints one table with a row
per run.

Flags (before or after the paths; "--" ends the flags):
  --format FORMAT       table (default), markdown, csv, json or jsonl.
                        json prints one object, or an array when there are
                        several runs; jsonl one compact object per line;
                        csv one row per run (per task with --per-task)
  --out FILE            write the results to FILE instead of stdout, all
                        at once: FILE is replaced only when they are
                        complete (its folder must exist). A device or
                        FIFO is written into, not replaced; a read-only
                        FILE is refused. When no file runs, FILE is left
                        as it was
  --per-task            one row per task and process, instead of one row
                        per replica group (x N)
  --timeline            after each scenario's tables, draw its run: one
                        line per core and per thread, coroutine or
                        greenlet (large replica groups share a line),
                        one column per slice of time (table format only)
  --width N             the timeline's width in columns (40 to 1000;
                        default: the terminal's, or 100 when stdout is not
                        a terminal); wider than the terminal is refused
  --set NAME=VALUE      override a parameter (repeatable); every file must
                        declare NAME. NAME=V1,V2,... makes it a sweep over
                        those values
  -j N                  run N simulations at a time (default: the number
                        of cores)
  --shard K/N           run only the K-th of N equal slices of the file
                        list; with --format jsonl the outputs of shards
                        1..N, concatenated, are the output of the whole
                        list (other formats are whole documents per shard)
  --max-events N        stop a run after N simulation events
                        (default 1000000000). An event costs about
                        0.15 to 0.2 µs when threads time-slice (fair,
                        round_robin, the GIL's switch interval), 0.02
                        to 0.1 µs otherwise: the default limit is 2.5 to
                        4 minutes of a time-slicing run
  --max-time DURATION   stop a run that passes DURATION of simulated time,
                        e.g. 500ms or 10s; units ns, us, µs, ms, s
                        (default and most: 4611686018.427s, 2^62 ns)

A progress bar is drawn on stderr when it is a terminal.

Exit status:
  0  every run finished and every expectation held
  1  an expectation failed, or a run ended in a deadlock or a modelled failure
  2  usage error, a file that cannot be read or parsed, a bad --set, or a
     run stopped by a limit
`

var runFormats = []string{"table", "markdown", "csv", "json", "jsonl"}

func runCommand(e *env, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseBatchFlags(e, "run", runUsage, runFormats, args, stdout, stderr)
	if !ok {
		return code
	}
	return e.executeBatch("run", cfg, stdout, stderr, func(out io.Writer, items int) batchRenderer {
		return &runRenderer{cfg: cfg, out: out, items: items}
	})
}

// parseBatchFlags reads the flags of `run` or `test`, which may come
// before, between or after the paths. When ok is false the command is
// over and code is its exit status (0 for -h).
func parseBatchFlags(e *env, cmd, usage string, formats []string, args []string, stdout, stderr io.Writer) (cfg *batchConfig, code int, ok bool) {
	fset := flag.NewFlagSet("gilsim "+cmd, flag.ContinueOnError)
	fset.SetOutput(io.Discard) // its errors are reported below
	fset.Usage = func() {}     // printed below, to stdout for -h
	cfg, check := batchFlags(fset, formats)
	if cmd == "run" {
		fset.BoolVar(&cfg.perTask, "per-task", false, "")
		cfg.timeline = addTimelineFlags(fset)
	}
	usageError := func(msg string) (*batchConfig, int, bool) {
		return nil, badUsage(stderr, cmd, usage, msg), false
	}
	paths, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(stdout, usage)
		return nil, exitOK, false
	case err != nil:
		return usageError(err.Error())
	}
	if err := check(); err != nil {
		return usageError(err.Error())
	}
	if err := cfg.timeline.resolve(cfg.format, cfg.out, stdout, e.terminal); err != nil {
		return usageError(err.Error())
	}
	if len(paths) == 0 {
		return usageError("no scenario file given")
	}
	cfg.paths = paths
	return cfg, exitOK, true
}

// batchRenderer turns the outcomes of a batch into output, one item at a
// time and in list order. file returns the item's exit status.
type batchRenderer interface {
	file(f *app.File, stderr io.Writer) int
	close() error
}

// executeBatch runs cfg's batch and renders it; the shared body of `run`
// and `test`.
func (e *env) executeBatch(cmd string, cfg *batchConfig, stdout, stderr io.Writer, newRenderer func(io.Writer, int) batchRenderer) int {
	all := e.expand(cfg.paths)
	items := cfg.shard.Slice(all)
	out, file, err := openOutput(cfg, all, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "gilsim %s: %s\n", cmd, safe(err.Error()))
		return exitUsage
	}
	if file != nil {
		defer abortOnInterrupt(file)()
	}
	bw := &errWriter{w: out}
	prog := newProgress(stderr, e.terminal)
	r := newRenderer(bw, len(items))
	status := exitOK
	load := app.ScenarioLoader(e.parse, e.parseAny, cfg.set)
	if cmd == "test" {
		load = app.AnyLoader(e.parseAny, cfg.set)
	}
	runner := e.runner(load, cfg.jobs, cfg.opts)
	runner.Observe = cfg.timeline.observer()
	runner.Progress = prog
	ran := false // some run of some file finished, and has results to show
	runner.Run(items, func(_ int, f *app.File) {
		status = max(status, r.file(f, prog))
		ran = ran || f.Finished()
	})
	prog.finish()
	werr := r.close()
	if werr == nil {
		werr = bw.err
	}
	if file != nil {
		switch {
		case werr != nil:
			file.Abort()
		case !ran && status == exitUsage:
			// Every file failed, on stderr: an empty document would
			// replace the results of an earlier run for nothing.
			file.Abort()
			fmt.Fprintf(stderr, "gilsim %s: no file ran; %s is left as it was\n", cmd, safe(cfg.out))
		default:
			werr = file.Commit()
		}
	}
	if werr != nil {
		fmt.Fprintf(stderr, "gilsim %s: writing results: %s\n", cmd, safe(werr.Error()))
		return exitUsage
	}
	return status
}

// errWriter remembers the first write error and drops everything after
// it, so that renderers need not check every write.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return len(b), nil
	}
	if _, err := e.w.Write(b); err != nil {
		e.err = err
	}
	// All of b counts as written, so that a writer above (bufio, csv)
	// does not report a short write instead of the error kept here.
	return len(b), nil
}

// reportRuns gives the finished runs of a file to the report package, and
// reports the runs that stopped on a limit on stderr. code is the item's
// exit status.
func reportRuns(f *app.File, stderr io.Writer) (runs []report.Run, code int) {
	for _, o := range f.Runs {
		if o.Err != nil {
			// A *simulator.LimitError, or a scenario the engine refused.
			fmt.Fprintf(stderr, "%s: %s\n", safe(f.Path+o.Tag()), safe(oneLine(o.Err.Error())))
			code = max(code, exitUsage)
			continue
		}
		if !succeeded(o.Result) {
			code = max(code, exitFailed)
		}
		runs = append(runs, report.Run{RunID: o.RunID, Result: o.Result})
	}
	return runs, code
}

// runRenderer writes the output of `gilsim run`.
type runRenderer struct {
	cfg    *batchConfig
	out    io.Writer
	items  int
	blocks int                // table and markdown blocks written
	json   *report.JSONStream // started by the first run
	csv    []report.Run       // every run, written at the end
}

func (r *runRenderer) file(f *app.File, stderr io.Writer) int {
	if f.Err == app.ErrSkippedWorkload {
		fmt.Fprintf(stderr, "gilsim run: skipping %s: a workload (use gilsim compare)\n", safe(f.Path))
		return exitOK
	}
	if f.Err != nil {
		writeParseError(stderr, f.Path, f.Err)
		return exitUsage
	}
	runs, code := reportRuns(f, stderr)
	switch r.cfg.format {
	case "table", "markdown":
		sweep := len(f.Sweep.Runs) > 1
		for i, run := range runs {
			if sweep && i > 0 {
				break
			}
			if r.blocks > 0 {
				io.WriteString(r.out, "\n")
			}
			r.blocks++
			switch {
			case sweep && r.cfg.format == "table":
				report.SweepTable(r.out, runs, f.Sweep.Varied)
			case sweep:
				report.SweepMarkdown(r.out, runs, f.Sweep.Varied)
			case r.cfg.format == "table":
				report.Tables(r.out, run.Result, report.TableOptions{PerTask: r.cfg.perTask})
			default:
				report.Markdown(r.out, run.Result, report.TableOptions{PerTask: r.cfg.perTask})
			}
		}
		code = max(code, r.cfg.timeline.write(r.out, f, stderr))
	case "json":
		for _, run := range runs {
			if r.json == nil {
				r.json = report.NewJSONStream(r.out, r.items > 1 || len(f.Sweep.Runs) > 1)
			}
			r.json.Write(run)
		}
	case "jsonl":
		for _, run := range runs {
			report.JSONLine(r.out, run)
		}
	case "csv":
		r.csv = append(r.csv, runs...)
	}
	return code
}

func (r *runRenderer) close() error {
	switch r.cfg.format {
	case "json":
		if r.json == nil && r.items > 1 {
			r.json = report.NewJSONStream(r.out, true)
		}
		if r.json != nil {
			return r.json.Close()
		}
	case "csv":
		if len(r.csv) == 0 && r.items > 0 {
			// Every file failed (on stderr): a header alone would read as
			// a run that found nothing.
			return nil
		}
		g := report.SummaryGrid(r.csv)
		if r.cfg.perTask {
			g = report.TasksGrid(r.csv)
		}
		return g.WriteCSV(r.out)
	}
	return nil
}

// parseFlags is fset.Parse, with an unknown flag's error worded for a
// person and given a did-you-mean among fset's flags: "unknown flag
// --timline; did you mean --timeline?".
func parseFlags(fset *flag.FlagSet, args []string) error {
	err := fset.Parse(args)
	if err == nil {
		return nil
	}
	// invalid value "5min" for flag -max-time: want a duration ...
	if rest, ok := strings.CutPrefix(err.Error(), "invalid value "); ok {
		if i := strings.Index(rest, " for flag -"); i > 0 {
			value := rest[:i]
			if v, err := strconv.Unquote(value); err == nil {
				value = v
			}
			flagName, why, _ := strings.Cut(rest[i+len(" for flag -"):], ": ")
			switch why {
			case "parse error":
				why = "not a number"
			case "value out of range":
				why = "not a number in range"
			}
			dashes := "--"
			if len(flagName) == 1 {
				dashes = "-"
			}
			return fmt.Errorf("%s%s %s: %s", dashes, flagName, value, why)
		}
	}
	if name, ok := strings.CutPrefix(err.Error(), "flag needs an argument: -"); ok {
		return errors.New("--" + strings.TrimPrefix(name, "-") + " needs a value")
	}
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return err
	}
	name = strings.TrimPrefix(name, "-")
	var flags []string
	fset.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
	msg := "unknown flag --" + name
	if len(name) == 1 {
		msg = "unknown flag -" + name
	}
	if s := dsl.Suggest(name, flags); s != "" && len(name) >= 3 {
		msg += "; did you mean --" + s + "?"
	}
	return errors.New(msg)
}

// parseInterleaved parses fset's flags wherever they stand among the
// positional arguments, which it returns in order. "--" ends the flags.
func parseInterleaved(fset *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fset, args); err != nil {
			return nil, err
		}
		rest := fset.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag stopped either after a "--" it consumed, or at a
		// positional argument.
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// writeParseError reports a file that could not be read or parsed. Parse
// errors come formatted (file:line:col: message, the source line, a caret)
// and are printed as they are; an error reading the file becomes one line
// naming it.
func writeParseError(stderr io.Writer, path string, err error) {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		fmt.Fprintf(stderr, "%s: %s\n", safe(path), safe(pathErr.Err.Error()))
		return
	}
	msg := err.Error()
	if !strings.Contains(msg, path) {
		msg = path + ": " + msg
	}
	msg = report.TermSafeText(strings.TrimRight(msg, "\n"))
	fmt.Fprintf(stderr, "%s\n", msg)
}

// succeeded reports whether a run finished and met every expectation.
func succeeded(r *simulator.Result) bool {
	if r.Deadlock != nil || r.Failure != nil {
		return false
	}
	for _, e := range r.Expectations {
		if !e.OK {
			return false
		}
	}
	return true
}

// oneLine keeps the first line of a message that must fit on one.
func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}

func safe(s string) string { return report.TermSafe(s) }
