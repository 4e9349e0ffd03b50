package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

// timelineFlags are --timeline and --width of `gilsim run`: after each
// scenario's tables, a text timeline of the run, one line per core and
// per thread, coroutine or greenlet (report.Recorder.Timeline).
type timelineFlags struct {
	on       bool
	width    int // --width, when set
	widthSet bool
	cols     int // the width drawn, settled by resolve
}

// defaultTimelineWidth is the width when stdout is not a terminal and
// --width is not given.
const defaultTimelineWidth = 100

// addTimelineFlags registers --timeline and --width on fset.
func addTimelineFlags(fset *flag.FlagSet) *timelineFlags {
	tl := &timelineFlags{}
	fset.BoolVar(&tl.on, "timeline", false, "")
	fset.Func("width", "", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("want a number of columns")
		}
		tl.width, tl.widthSet = n, true
		return nil
	})
	return tl
}

// resolve checks the flags once parsed and settles the width: --width,
// else the terminal's when stdout is one (and --out is not given), else
// 100. A timeline that cannot fit is an error, not a wrapped mess.
func (tl *timelineFlags) resolve(format, out string, stdout io.Writer, terminal func(io.Writer) (int, bool)) error {
	if tl == nil {
		return nil
	}
	lo, hi := report.MinTimelineWidth, report.MaxTimelineWidth
	switch {
	case !tl.on && tl.widthSet:
		return errors.New("--width sets the width of --timeline; add --timeline")
	case !tl.on:
		return nil
	case format != "table":
		return fmt.Errorf("--timeline draws text for a terminal; use it with --format table, not %s", safe(format))
	case tl.widthSet && (tl.width < lo || tl.width > hi):
		return fmt.Errorf("--width must be between %d and %d columns, not %d", lo, hi, tl.width)
	}
	cols, isTerm := 0, false
	if out == "" {
		cols, isTerm = terminal(stdout)
		isTerm = isTerm && cols > 0
	}
	switch {
	case isTerm && tl.widthSet && tl.width > cols:
		return fmt.Errorf("--width %d is wider than the terminal (%d columns); the timeline's lines would wrap", tl.width, cols)
	case tl.widthSet:
		tl.cols = tl.width
	case isTerm && cols < lo:
		return fmt.Errorf("the terminal is %d columns wide; --timeline needs at least %d", cols, lo)
	case isTerm:
		tl.cols = min(cols, hi)
	default:
		tl.cols = defaultTimelineWidth
	}
	return nil
}

// observer returns what a run needs to record its timeline (for
// app.Runner.Observe): nil when no timeline is asked for.
func (tl *timelineFlags) observer() func(*simulator.Scenario) (func(simulator.Span), any) {
	if tl == nil || !tl.on {
		return nil
	}
	return func(sc *simulator.Scenario) (func(simulator.Span), any) {
		rec := report.NewRecorder(sc, report.RecorderOptions{Columns: tl.cols})
		return rec.Trace, rec
	}
}

// write draws the timelines of o's runs that finished, each after a blank
// line; a run of a sweep is named by its values. It returns the item's
// exit status.
func (tl *timelineFlags) write(w io.Writer, f *app.File, stderr io.Writer) int {
	if tl == nil || !tl.on {
		return exitOK
	}
	code := exitOK
	for _, o := range f.Runs {
		rec, _ := o.Kept.(*report.Recorder)
		if rec == nil || o.Result == nil {
			continue
		}
		io.WriteString(w, "\n")
		if l := o.Label(); len(f.Runs) > 1 && l != "" {
			io.WriteString(w, "["+report.TermSafe(l)+"] ")
		}
		if err := rec.Timeline(w, o.Result, tl.cols); err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", safe(f.Path), safe(err.Error()))
			code = exitUsage
		}
	}
	return code
}
