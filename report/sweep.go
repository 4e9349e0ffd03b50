package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// SweepGrid is the table of a sweep: one row per run, its varied
// parameters first, then the headline metrics in human units, and a last
// column that says how the run went: "3/3" expectations held, "2/3 FAIL",
// "DEADLOCK" or "FAILURE" ("ok" for a clean run without expectations).
func SweepGrid(runs []Run, varied []string) *Grid {
	g := &Grid{}
	for _, name := range varied {
		g.AddColumn(name, false)
	}
	loop := false
	for _, r := range runs {
		for _, p := range r.Result.Processes {
			loop = loop || p.LoopLagMax != 0
		}
	}
	for _, c := range []string{"makespan", "utilization", "cpu time", "context switches", "gil wait", "peak memory"} {
		g.AddColumn(c, true)
	}
	if loop {
		g.AddColumn("loop lag max", true)
	}
	g.AddColumn("expect", false)
	for _, run := range runs {
		r := run.Result
		var row []string
		for _, name := range varied {
			row = append(row, paramValue(run, name))
		}
		row = append(row,
			dur(r.Makespan),
			simulator.FormatNumber(r.Utilization)+"%",
			dur(r.CPUTime),
			count(r.ContextSwitches),
			dur(totalGILWait(r)),
			simulator.FormatSize(r.MemoryPeak),
		)
		if loop {
			row = append(row, dur(worstLoopLag(r)))
		}
		g.Rows = append(g.Rows, append(row, runOutcome(r)))
	}
	return g
}

func totalGILWait(r *simulator.Result) int64 {
	var n int64
	for _, p := range r.Processes {
		n += p.GILWait
	}
	return n
}

func worstLoopLag(r *simulator.Result) int64 {
	var n int64
	for _, p := range r.Processes {
		n = max(n, p.LoopLagMax)
	}
	return n
}

// runOutcome is the last column of a sweep row.
func runOutcome(r *simulator.Result) string {
	switch {
	case r.Deadlock != nil:
		return "DEADLOCK"
	case r.Failure != nil:
		return "FAILURE"
	}
	ok := 0
	for _, e := range r.Expectations {
		if e.OK {
			ok++
		}
	}
	n := len(r.Expectations)
	switch {
	case n == 0:
		return "ok"
	case ok == n:
		return strconv.Itoa(ok) + "/" + strconv.Itoa(n)
	}
	return strconv.Itoa(ok) + "/" + strconv.Itoa(n) + " FAIL"
}

// runLabel names a run by its varied parameters: "workers=8 switch=5ms".
func runLabel(run Run, varied []string) string {
	parts := make([]string, len(varied))
	for i, name := range varied {
		parts[i] = name + "=" + paramValue(run, name)
	}
	return strings.Join(parts, " ")
}

// fixedParams are the parameters that every run has with the same value
// and that are not varied, as "name = value" items.
func fixedParams(runs []Run, varied []string) []string {
	var out []string
	for _, p := range runs[0].Params {
		isVaried := false
		for _, v := range varied {
			isVaried = isVaried || v == p.Name
		}
		if !isVaried {
			out = append(out, p.Name+" = "+p.Value)
		}
	}
	return out
}

// sweepNotes are the lines under a sweep table: for each run that did not
// go well, what went wrong.
func sweepNotes(runs []Run, varied []string) []string {
	var out []string
	for _, run := range runs {
		r := run.Result
		who := runLabel(run, varied)
		if d := r.Deadlock; d != nil {
			out = append(out, who+": DEADLOCK at "+dur(d.Time)+": blocked "+strings.Join(d.Blocked, ", "))
		}
		if f := r.Failure; f != nil {
			line := who + ": FAILURE at " + dur(f.Time) + ": "
			if f.Entity != "" {
				line += f.Entity + ": "
			}
			out = append(out, line+f.Message)
		}
		for _, e := range r.Expectations {
			if e.OK {
				continue
			}
			detail := "actual " + e.Actual
			if e.Err != "" {
				detail = e.Err
			}
			out = append(out, who+": FAIL  expect "+e.Text+"  ("+detail+")")
		}
	}
	return out
}

func sweepTitle(runs []Run) string {
	r := runs[0].Result
	s := r.Scenario
	if r.File != "" {
		s += " (" + r.File + ")"
	}
	return s + ": sweep of " + strconv.Itoa(len(runs)) + " runs"
}

// SweepTable writes a sweep for a terminal: a header line, the fixed
// parameters, the SweepGrid, then what went wrong in each run that failed.
func SweepTable(w io.Writer, runs []Run, varied []string) error {
	return writeSweep(w, runs, varied, sweepStyle{
		head:   func(title string) string { return "== " + termSafe(title) + " ==\n" },
		params: func(p string) string { return "params: " + termSafe(p) + "\n" },
		grid:   (*Grid).WriteTable,
		note:   func(n string) string { return termSafe(n) + "\n" },
	})
}

// SweepMarkdown is SweepTable in Markdown.
func SweepMarkdown(w io.Writer, runs []Run, varied []string) error {
	return writeSweep(w, runs, varied, sweepStyle{
		head:   func(title string) string { return "### " + MarkdownEscape(title) + "\n\n" },
		params: func(p string) string { return "Parameters: " + MarkdownEscape(p) + "\n\n" },
		grid:   (*Grid).WriteMarkdown,
		note:   func(n string) string { return "- " + MarkdownEscape(n) + "\n" },
	})
}

// sweepStyle is how one output format spells the parts of a sweep, each
// escaped for it.
type sweepStyle struct {
	head, params, note func(string) string
	grid               func(*Grid, io.Writer) error
}

func writeSweep(w io.Writer, runs []Run, varied []string, st sweepStyle) error {
	if len(runs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(st.head(sweepTitle(runs)))
	if fixed := fixedParams(runs, varied); len(fixed) > 0 {
		b.WriteString(st.params(strings.Join(fixed, ", ")))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := st.grid(SweepGrid(runs, varied), w); err != nil {
		return err
	}
	notes := sweepNotes(runs, varied)
	if len(notes) == 0 {
		return nil
	}
	b.Reset()
	b.WriteByte('\n')
	for _, n := range notes {
		b.WriteString(st.note(n))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SummaryGrid is one row per run for programs (CSV): scenario, file, the
// parameters (the union over the runs; empty where a run has none), then
// integer nanoseconds and bytes.
func SummaryGrid(runs []Run) *Grid {
	g := &Grid{}
	g.AddColumn("scenario", false)
	g.AddColumn("file", false)
	params := paramNames(runs)
	for _, p := range params {
		g.AddColumn(p, false)
	}
	for _, c := range []string{"makespan_ns", "utilization", "cpu_ns", "context_switches", "events", "gil_wait_ns", "memory_peak_bytes", "loop_lag_max_ns", "expectations", "expectations_failed"} {
		g.AddColumn(c, true)
	}
	g.AddColumn("outcome", false)
	for _, run := range runs {
		r := run.Result
		row := []string{r.Scenario, r.File}
		for _, p := range params {
			row = append(row, paramValue(run, p))
		}
		failed := 0
		for _, e := range r.Expectations {
			if !e.OK {
				failed++
			}
		}
		state := "pass"
		switch {
		case r.Deadlock != nil:
			state = "deadlock"
		case r.Failure != nil:
			state = "failure"
		case failed > 0:
			state = "fail"
		}
		row = append(row,
			nsText(r.Makespan), decimal3String(r.Utilization), nsText(r.CPUTime), nsText(r.ContextSwitches), nsText(r.Events),
			nsText(totalGILWait(r)), nsText(r.MemoryPeak), nsText(worstLoopLag(r)), strconv.Itoa(len(r.Expectations)), strconv.Itoa(failed), state)
		g.Rows = append(g.Rows, row)
	}
	return g
}

// TasksGrid is one row per task of every run, for programs (CSV).
func TasksGrid(runs []Run) *Grid {
	g := &Grid{}
	g.AddColumn("scenario", false)
	g.AddColumn("file", false)
	params := paramNames(runs)
	for _, p := range params {
		g.AddColumn(p, false)
	}
	for _, c := range []string{"task", "kind", "process"} {
		g.AddColumn(c, false)
	}
	for _, c := range []string{"arrival_ns", "start_ns", "finish_ns", "turnaround_ns", "cpu_ns", "wait_ns", "gil_wait_ns", "io_ns", "lock_wait_ns", "switches"} {
		g.AddColumn(c, true)
	}
	for _, run := range runs {
		r := run.Result
		for _, t := range r.Tasks {
			row := []string{r.Scenario, r.File}
			for _, p := range params {
				row = append(row, paramValue(run, p))
			}
			start, finish, around := t.Start, t.Finish, t.Turnaround
			if start < 0 {
				start = -1
			}
			if finish < 0 {
				finish, around = -1, -1
			}
			row = append(row, t.Name, t.Kind, t.Process,
				nsText(t.Arrival), nsText(start), nsText(finish), nsText(around), nsText(t.CPU), nsText(t.Wait), nsText(t.GILWait), nsText(t.IO), nsText(t.LockWait), nsText(t.Switches))
			g.Rows = append(g.Rows, row)
		}
	}
	return g
}

func nsText(n int64) string { return strconv.FormatInt(n, 10) }

// decimal3String is a decimal3 as text: at most three decimals, always a
// point.
func decimal3String(f float64) string {
	b, _ := decimal3(f).MarshalJSON()
	return string(b)
}
