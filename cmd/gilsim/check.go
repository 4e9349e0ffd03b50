package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
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

func checkCommand(args []string, stdout, stderr io.Writer) int {
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
	checkFiles(expand(paths), *jobs, func(report string) {
		io.WriteString(stderr, report)
		status = exitUsage
	})
	return status
}

// checkFiles checks items on `workers` goroutines and calls emit with the
// report of each item that does not check, in list order.
func checkFiles(items []batchItem, workers int, emit func(report string)) {
	reports := make([]chan string, len(items))
	for i := range reports {
		reports[i] = make(chan string, 1)
	}
	next := make(chan int, len(items))
	for i := range items {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reports[i] <- checkFile(items[i])
			}
		}()
	}
	for _, r := range reports {
		if s := <-r; s != "" {
			emit(s)
		}
	}
	wg.Wait()
}

// checkFile parses and checks one item; its report is "" when it checks.
func checkFile(it batchItem) string {
	var b strings.Builder
	if it.err != nil {
		writeParseError(&b, it.path, it.err)
		return b.String()
	}
	src, err := dsl.ReadFile(it.path)
	if err != nil {
		writeParseError(&b, it.path, err)
		return b.String()
	}
	sw, err := dsl.ParseAnySweep(it.path, src, nil)
	if err != nil {
		writeParseError(&b, it.path, err)
		return b.String()
	}
	if sw.IsWorkload() {
		seen := map[string]bool{}
		for _, r := range sw.Runs {
			if err := compare.Plan(r.Workload, compare.Options{}); err != nil && !seen[err.Error()] {
				seen[err.Error()] = true // once, not once per run of a sweep
				writeCompareError(&b, it.path, src, r.Label(), nil, err)
			}
		}
	}
	return b.String()
}
