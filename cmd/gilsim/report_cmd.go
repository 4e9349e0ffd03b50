package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

const reportUsage = `Usage: gilsim report [flags] PATH... -o OUT

Simulates scenario files and writes one HTML page with, for each run, the
summary and task tables and a Gantt chart (SVG) of what every core and
every thread, coroutine and greenlet did over time. A workload file (see
"gilsim help compare") adds its comparison under every model: the table,
bar charts of makespan and peak memory, and the verdicts. The page is self-
contained: no script, nothing fetched from the network, so it opens
offline and can be mailed or archived as it is. A file with vary lines
adds one section per run. A PATH is a file, a folder (every *.sim below
it), or a glob, as for gilsim run.

Flags (before or after the paths; "--" ends the flags):
  -o, --out OUT         the HTML file to write ("-" for stdout). It is
                        written all at once: OUT is replaced only when the
                        page is complete, and its folder must exist (a
                        device or FIFO is written into, not replaced; a
                        read-only OUT is refused)
  --set NAME=VALUE      set a parameter of the scenarios (repeatable)
  --max-events N        stop a run after N simulation events
                        (default 1000000000). An event costs about
                        0.15 to 0.2 µs when threads time-slice (fair,
                        round_robin, the GIL's switch interval), 0.02
                        to 0.1 µs otherwise: the default limit is 2.5 to
                        4 minutes of a time-slicing run
  --max-time DURATION   stop a run that passes DURATION of simulated time,
                        e.g. 500ms or 10s

Every file is read and every run simulated before anything is written:
a file that cannot be parsed, or a run stopped by a limit, is reported on
stderr and nothing is written.

Exit status:
  0  the page was written; every run finished and every expectation held
  1  the page was written; an expectation failed, or a run ended in a
     deadlock or a modelled failure
  2  usage error, a file that cannot be read or parsed, a run stopped by a
     limit, or an output that cannot be written (nothing is written)
`

func reportCommand(e *env, args []string, stdout, stderr io.Writer) int {
	f, paths, code, ok := parseOutputFlags("report", reportUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	// Folders and globs expand as for run and test; a path that names no
	// file is reported with the files that do not parse.
	items := e.expand(paths)
	files := make([]string, len(items))
	for i, it := range items {
		files[i] = it.Path
	}
	if !checkOutput("report", f.out, files, stderr) {
		return exitUsage
	}

	// Every file runs (on all cores, reported in order), and nothing is
	// written unless all of them did.
	runner := e.runner(app.AnyLoader(e.parseAny, f.set), runtime.GOMAXPROCS(0), f.opts)
	runner.Observe = func(sc *simulator.Scenario) (func(simulator.Span), any) {
		rec := report.NewRecorder(sc, report.HTMLRecorderOptions())
		return rec.Trace, rec
	}
	status := exitOK
	bad := false
	var sections []*report.HTMLSection
	runner.Run(items, func(_ int, file *app.File) {
		if file.Err != nil {
			writeParseError(stderr, file.Path, file.Err)
			bad = true
			return
		}
		for _, o := range file.Runs {
			var le *simulator.LowerError
			switch {
			case errors.As(o.Err, &le) && le.Pos.Line > 0:
				// a workload step that a model cannot run: positioned
				src, _ := os.ReadFile(file.Path)
				writeCompareError(stderr, file.Path, src, o.Label(), nil, o.Err)
				bad = true
				return
			case o.Err != nil:
				// A *simulator.LimitError, or a scenario the engine refused.
				fmt.Fprintf(stderr, "%s: %s\n", safe(file.Path+o.Tag()), safe(oneLine(o.Err.Error())))
				bad = true
				continue
			case o.Comparison != nil:
				if o.Comparison.Failed() {
					status = exitFailed
				}
				sections = append(sections, report.NewCompareHTMLSection(report.Comparison{RunID: o.RunID, Comparison: o.Comparison}))
				continue
			}
			if !succeeded(o.Result) {
				status = exitFailed
			}
			sec, err := report.NewHTMLSection(o.Result, o.Kept.(*report.Recorder), o.Label())
			if err != nil {
				fmt.Fprintf(stderr, "%s: %s\n", safe(file.Path), safe(err.Error()))
				bad = true
				continue
			}
			sections = append(sections, sec)
		}
	})
	if bad {
		return exitUsage
	}

	err := writeOutput(f.out, stdout, func(w io.Writer) error {
		if err := report.HTML(w, sections); err != nil {
			return writeError(f.out, err)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "gilsim report: %s\n", safe(oneLine(err.Error())))
		return exitUsage
	}
	return status
}
