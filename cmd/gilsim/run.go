package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

const runUsage = `Usage: gilsim run [flags] FILE...

Simulates each scenario file in turn and prints its results, in the order
the files are given. A file that does not parse is reported on stderr and
the others still run.

Flags (before or after the files; "--" ends the flags):
  --format table|json   output format (default table). json prints one
                        object, or one array when several files are given
  --per-task            one table row per task and process, instead of one
                        row per replica group (x N)
  --max-events N        stop a run after N simulation events
                        (default 2000000000)
  --max-time DURATION   stop a run that passes DURATION of simulated time,
                        e.g. 500ms or 10s; units ns, us, µs, ms, s
                        (default: no practical limit)

Exit status:
  0  every run finished and every expectation held
  1  an expectation failed, or a run ended in a deadlock or a modelled failure
  2  usage error, a file that does not parse, or a run stopped by a limit
`

// The two phases a file goes through. Tests replace them to reach every
// exit path with hand-built results.
var (
	parseFile = dsl.ParseFile
	simulate  = simulator.Run
)

// runConfig is what the flags of `gilsim run` ask for.
type runConfig struct {
	format  string // "table" or "json"
	perTask bool
	opts    simulator.Options
	files   []string
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseRunFlags(args, stdout, stderr)
	if !ok {
		return code
	}

	status := exitOK
	worse := func(c int) { status = max(status, c) }
	var results []*simulator.Result
	for _, path := range cfg.files {
		sc, err := parseFile(path)
		if err != nil {
			writeParseError(stderr, path, err)
			worse(exitUsage)
			continue
		}
		res, err := simulate(sc, cfg.opts)
		if err != nil {
			// A *simulator.LimitError, or a scenario the engine refused.
			fmt.Fprintf(stderr, "%s: %s\n", safe(path), safe(oneLine(err.Error())))
			worse(exitUsage)
			continue
		}
		if res.File == "" {
			res.File = path
		}
		if !succeeded(res) {
			worse(exitFailed)
		}
		if cfg.format == "table" {
			if len(results) > 0 {
				io.WriteString(stdout, "\n")
			}
			if err := report.Tables(stdout, res, report.TableOptions{PerTask: cfg.perTask}); err != nil {
				fmt.Fprintf(stderr, "gilsim: writing results: %s\n", safe(err.Error()))
				return exitUsage
			}
		}
		results = append(results, res)
	}

	if cfg.format == "json" && (len(cfg.files) > 1 || len(results) == 1) {
		if err := report.JSON(stdout, results); err != nil {
			fmt.Fprintf(stderr, "gilsim: writing results: %s\n", safe(err.Error()))
			return exitUsage
		}
	}
	return status
}

// parseRunFlags reads the flags of `gilsim run`, which may come before,
// between or after the file names. When ok is false the command is over
// and code is its exit status (0 for -h).
func parseRunFlags(args []string, stdout, stderr io.Writer) (cfg runConfig, code int, ok bool) {
	fset := flag.NewFlagSet("gilsim run", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {} // printed below, to stdout for -h
	format := fset.String("format", "table", "")
	perTask := fset.Bool("per-task", false, "")
	maxEvents := fset.Int64("max-events", simulator.DefaultMaxEvents, "")
	var maxTime durationFlag
	fset.Var(&maxTime, "max-time", "")

	files, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(stdout, runUsage)
		return cfg, exitOK, false
	case err != nil:
		// flag has already said what was wrong.
		io.WriteString(stderr, runUsage)
		return cfg, exitUsage, false
	}
	usageError := func(msg string) (runConfig, int, bool) {
		fmt.Fprintf(stderr, "gilsim run: %s\n%s", msg, runUsage)
		return cfg, exitUsage, false
	}
	if *format != "table" && *format != "json" {
		return usageError(fmt.Sprintf("--format must be table or json, not %s", safe(fmt.Sprintf("%q", *format))))
	}
	if *maxEvents <= 0 {
		return usageError("--max-events must be at least 1")
	}
	if maxTime.set && maxTime.ns <= 0 {
		return usageError("--max-time must be more than 0")
	}
	if len(files) == 0 {
		return usageError("no scenario file given")
	}
	cfg = runConfig{
		format:  *format,
		perTask: *perTask,
		opts:    simulator.Options{MaxEvents: *maxEvents, MaxTime: simulator.DefaultMaxTime},
		files:   files,
	}
	if maxTime.set {
		cfg.opts.MaxTime = maxTime.ns
	}
	return cfg, exitOK, true
}

// parseInterleaved parses fset's flags wherever they stand among the
// positional arguments, which it returns in order. "--" ends the flags.
func parseInterleaved(fset *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fset.Parse(args); err != nil {
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
