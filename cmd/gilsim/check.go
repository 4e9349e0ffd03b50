package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
)

const checkUsage = `Usage: gilsim check [-j N] PATH...

Parses and checks scenario and workload files without running them, and
reports every error of every file as file:line:col: message, with the
line and a caret, on stderr. Nothing is printed when all is well, so that
it can run on every save. A PATH is a file, a folder (every *.sim below
it) or a glob. A sweep is checked in each of its runs; a workload file
is also lowered under every concurrency model, as "gilsim compare" would
before running it.

Flags:
  -j N   check N files at a time (default: the number of cores)

Exit status:
  0  every file checks
  2  usage error, or a file that cannot be read or does not check
`

func checkCommand(e *env, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("gilsim check", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.Usage = func() {}
	jobs := fset.Int("j", runtime.GOMAXPROCS(0), "")
	paths, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(stdout, checkUsage)
		return exitOK
	case err != nil:
		return badUsage(stderr, "check", checkUsage, err.Error())
	case *jobs < 1:
		return badUsage(stderr, "check", checkUsage, fmt.Sprintf("-j %d: need at least 1", *jobs))
	case len(paths) == 0:
		return badUsage(stderr, "check", checkUsage, "no scenario file given")
	}
	status := exitOK
	checkFiles(e.expand(paths), *jobs, func(report string) {
		io.WriteString(stderr, report)
		status = exitUsage
	})
	return status
}

// checkFiles checks items on `workers` goroutines and calls emit with the
// report of each item that does not check, in list order.
func checkFiles(items []app.Item, workers int, emit func(report string)) {
	app.InOrder(len(items), workers, func(i int) string { return checkFile(items[i]) }, func(_ int, report string) {
		if report != "" {
			emit(report)
		}
	})
}

// checkFile parses and checks one item; its report is "" when it checks.
func checkFile(it app.Item) string {
	var b strings.Builder
	if it.Err != nil {
		writeParseError(&b, it.Path, it.Err)
		return b.String()
	}
	src, err := dsl.ReadFile(it.Path)
	if err != nil {
		writeParseError(&b, it.Path, err)
		return b.String()
	}
	sw, err := dsl.ParseAnySweep(it.Path, src, nil)
	if err != nil {
		writeParseError(&b, it.Path, err)
		return b.String()
	}
	if sw.IsWorkload() {
		seen := map[string]bool{}
		for _, r := range sw.Runs {
			if err := compare.Plan(r.Workload, compare.Options{}); err != nil && !seen[err.Error()] {
				seen[err.Error()] = true // once, not once per run of a sweep
				writeCompareError(&b, it.Path, src, r.Label(), nil, err)
			}
		}
	}
	return b.String()
}
