package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

const compareUsage = `Usage: gilsim compare [flags] FILE...

Runs the workload of each file under several concurrency models and
prints one table per file: a row per model with its makespan, speed-up
against running the tasks one after another, CPU parallelism (CPU time /
makespan), total GIL wait, worst task latency, loop lag (asyncio and
gevent) and peak memory, then a verdict per model in plain words, notes
where a model changes what a step means, and the file's expectations.

A workload file holds one workload "name" { task "t" x N { steps } } and
no other entity; its expect lines are about models:
  expect speedup(processes) > 3
  expect makespan(asyncio) < 1s
(metrics: makespan, speedup, parallelism, gil_wait, latency, lag, memory).

Models (docs/compare.md says what each step becomes under each):
  sequential        one thread runs the tasks one after another
  threads           one process, a thread per task, one GIL
  threads-nogil     the same on the free-threaded build (no GIL)
  processes         a pool of --workers forked processes, Pool.map chunks
  asyncio           one event loop, a coroutine per task; io is awaited
  asyncio+threads   as asyncio, cpu and native go through to_thread
  gevent            one hub, a greenlet per task, monkey-patched
  gevent-unpatched  the same without patching: io blocks the hub

Flags (before or after the files; "--" ends the flags):
  --models LIST         the models to compare, comma-separated, in the
                        order to show (default: all). sequential runs
                        anyway as the baseline of the speed-ups; an
                        expectation about a model left out is skipped
  --workers N           the processes model's pool size (default: the
                        file's cores, as Pool() uses os.cpu_count())
  --format FORMAT       table (default), markdown, csv, json (an array
                        with one object per model) or html (a
                        self-contained page with a bar chart)
  --out FILE            write to FILE instead of stdout, all at once:
                        FILE is replaced only when the output is complete
                        (a device or FIFO is written into, not replaced;
                        a read-only FILE is refused)
  --set NAME=VALUE      override a parameter (repeatable); NAME=V1,V2,...
                        makes a sweep: one comparison per value
  -j N                  run N simulations at a time (default: the number
                        of cores)
  --max-events N        stop each model's run after N simulation events
                        (default 1000000000). An event costs about
                        0.15 to 0.2 µs when threads time-slice (fair,
                        round_robin, the GIL's switch interval), 0.02
                        to 0.1 µs otherwise: the default limit is 2.5 to
                        4 minutes of a time-slicing run
  --max-time DURATION   stop a run that passes DURATION of simulated time

Every file is parsed, and every model lowered, before anything runs:
a file that cannot be parsed, an unknown model, or a workload step that
has no meaning under a model named in --models (or in an expectation)
is reported on stderr, exit 2, and nothing is written. With the default
models, a model the workload cannot run as gets a row that says why. A
run stopped by --max-events or --max-time is reported on stderr (exit
2) and the other files' comparisons are still written.

Exit status:
  0  every model finished and every expectation held
  1  an expectation failed, or a model ended in a deadlock or a failure
  2  usage error, a file that cannot be read or parsed, a step with no
     meaning under a chosen model, or a run stopped by a limit
`

var compareFormats = []string{"table", "markdown", "csv", "json", "html"}

// compareJob is one comparison to run: a file's run (one, or one per
// combination of a sweep).
type compareJob struct {
	path string
	id   report.RunID
	run  dsl.Run
}

func compareCommand(e *env, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("gilsim compare", flag.ContinueOnError)
	fset.SetOutput(io.Discard) // its errors are reported below
	fset.Usage = func() {}
	format := fset.String("format", "table", "")
	out := fset.String("out", "", "")
	models := fset.String("models", "", "")
	workers := fset.Int("workers", 0, "")
	jobs := fset.Int("j", runtime.GOMAXPROCS(0), "")
	set := setFlag{}
	fset.Var(set, "set", "")
	maxEvents := fset.Int64("max-events", simulator.DefaultMaxEvents, "")
	var maxTime durationFlag
	fset.Var(&maxTime, "max-time", "")
	usageError := func(msg string) int {
		return badUsage(stderr, "compare", compareUsage, msg)
	}
	files, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(stdout, compareUsage)
		return exitOK
	case err != nil:
		return usageError(err.Error())
	}
	opts := compare.Options{Jobs: *jobs}
	set2 := map[string]string(set)
	switch {
	case !slices.Contains(compareFormats, *format):
		return usageError(fmt.Sprintf("--format must be one of %s, not %q", joinOr(compareFormats), *format))
	case *jobs < 1:
		return usageError("-j must be at least 1")
	case *workers < 0 || *workers > 4096:
		return usageError("--workers must be between 1 and 4096")
	case *maxEvents <= 0:
		return usageError("--max-events must be at least 1")
	case maxTime.set && maxTimeError(maxTime.ns) != nil:
		return usageError(maxTimeError(maxTime.ns).Error())
	case len(files) == 0:
		return usageError("no workload file given")
	}
	opts.Workers = *workers
	opts.Sim = simulator.Options{MaxEvents: *maxEvents, MaxTime: simulator.DefaultMaxTime}
	if maxTime.set {
		opts.Sim.MaxTime = maxTime.ns
	}
	if *models != "" {
		opts.Models = strings.Split(*models, ",")
		for i := range opts.Models {
			opts.Models[i] = strings.TrimSpace(opts.Models[i])
		}
		if err := compare.CheckModels(opts.Models); err != nil {
			msg := err.Error()
			var me *compare.ModelError
			if errors.As(err, &me) {
				msg = fmt.Sprintf("unknown model %q", me.Name)
				if s := dsl.Suggest(me.Name, simulator.Models()); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				msg += " (models: " + strings.Join(simulator.Models(), ", ") + ")"
			}
			fmt.Fprintf(stderr, "gilsim compare: --models: %s\n", safe(msg))
			return exitUsage
		}
	}
	if *out != "" && !checkOutput("compare", *out, files, stderr) {
		return exitUsage
	}

	// Parse every file and lower every model first: bad input stops
	// everything before anything runs or is written.
	var todo []*compareJob
	bad := false
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			writeParseError(stderr, path, err)
			bad = true
			continue
		}
		sw, err := dsl.ParseWorkloadSweep(path, src, set2)
		if err != nil {
			writeParseError(stderr, path, err)
			bad = true
			continue
		}
		for k, r := range sw.Runs {
			id := app.Identify(sw, k)
			if err := compare.Plan(r.Workload, opts); err != nil {
				writeCompareError(stderr, path, src, id.Label(), opts.Models, err)
				bad = true
				break
			}
			todo = append(todo, &compareJob{path: path, id: id, run: r})
		}
	}
	if bad {
		return exitUsage
	}
	// A run stopped by a limit is reported in its place, and the others
	// are still shown, as gilsim run does.
	status := exitOK
	var cs []report.Comparison
	for _, j := range todo {
		c, err := e.compare(j.run.Workload, opts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", safe(j.path+j.id.Tag()), safe(oneLine(err.Error())))
			status = exitUsage
			continue
		}
		if c.Failed() {
			status = max(status, exitFailed)
		}
		cs = append(cs, report.Comparison{RunID: j.id, Comparison: c})
	}
	if len(cs) == 0 {
		if *out != "" {
			fmt.Fprintf(stderr, "gilsim compare: no comparison ran; %s is left as it was\n", safe(*out))
		}
		return status
	}

	var buf bytes.Buffer
	if err := renderComparisons(&buf, *format, cs); err != nil {
		fmt.Fprintf(stderr, "gilsim compare: %s\n", safe(oneLine(err.Error())))
		return exitUsage
	}
	dest := *out
	if dest == "" {
		dest = "-"
	}
	err = writeOutput(dest, stdout, func(w io.Writer) error {
		if _, err := w.Write(buf.Bytes()); err != nil {
			return writeError(dest, err)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "gilsim compare: %s\n", safe(oneLine(err.Error())))
		return exitUsage
	}
	return status
}

func renderComparisons(w io.Writer, format string, cs []report.Comparison) error {
	switch format {
	case "json":
		return report.CompareJSON(w, cs)
	case "csv":
		return report.CompareGrid(cs).WriteCSV(w)
	case "html":
		sections := make([]*report.HTMLSection, len(cs))
		for i, c := range cs {
			sections[i] = report.NewCompareHTMLSection(c)
		}
		return report.HTML(w, sections)
	}
	for i, c := range cs {
		if i > 0 {
			io.WriteString(w, "\n")
		}
		var err error
		if format == "markdown" {
			err = report.CompareMarkdown(w, c)
		} else {
			err = report.CompareTable(w, c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeCompareError reports why a workload cannot be compared as asked:
// a step with no meaning under a model (positioned, like a parse error),
// or an unknown model in an expectation. models are the --models given.
func writeCompareError(stderr io.Writer, path string, src []byte, label string, models []string, err error) {
	suffix := ""
	if label != "" {
		suffix = " [" + label + "]"
	}
	var le *simulator.LowerError
	if errors.As(err, &le) && le.Pos.Line > 0 {
		msg := "cannot run as " + le.Model + ": " + le.Msg
		if slices.Contains(models, le.Model) {
			msg += " (leave " + le.Model + " out of --models)"
		}
		msg += suffix
		fmt.Fprintf(stderr, "%s\n", report.TermSafeText(dsl.ErrorAt(path, src, int(le.Pos.Line), int(le.Pos.Col), msg).Error()))
		return
	}
	fmt.Fprintf(stderr, "%s: %s%s\n", safe(path), safe(err.Error()), safe(suffix))
}
