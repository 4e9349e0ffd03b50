package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/term"

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

// terminalColumns is the width of the terminal behind w, and whether w is
// a terminal at all. Tests replace it.
var terminalColumns = func(w io.Writer) (int, bool) {
	f, ok := osFile(w)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil || cols <= 0 {
		return 0, false
	}
	return cols, true
}

// resolve checks the flags once parsed and settles the width: --width,
// else the terminal's when stdout is one (and --out is not given), else
// 100. A timeline that cannot fit is an error, not a wrapped mess.
func (tl *timelineFlags) resolve(format, out string, stdout io.Writer) error {
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
		cols, isTerm = terminalColumns(stdout)
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

// recorder returns what a run needs to record its timeline: nil when no
// timeline is asked for.
func (tl *timelineFlags) recorder() func(*simulator.Scenario) *report.Recorder {
	if tl == nil || !tl.on {
		return nil
	}
	return func(sc *simulator.Scenario) *report.Recorder {
		return report.NewRecorder(sc, report.RecorderOptions{Columns: tl.cols})
	}
}

// write draws the timelines of o's runs that finished, each after a blank
// line; a run of a sweep is named by its values. It returns the item's
// exit status.
func (tl *timelineFlags) write(w io.Writer, o *fileOutcome, stderr io.Writer) int {
	if tl == nil || !tl.on {
		return exitOK
	}
	code := exitOK
	for k, ro := range o.runs {
		if ro.rec == nil || ro.res == nil {
			continue
		}
		io.WriteString(w, "\n")
		if l := o.sweep.Runs[k].Label(); len(o.sweep.Runs) > 1 && l != "" {
			io.WriteString(w, "["+report.TermSafe(l)+"] ")
		}
		if err := ro.rec.Timeline(w, ro.res, tl.cols); err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", safe(o.path), safe(err.Error()))
			code = exitUsage
		}
	}
	return code
}
