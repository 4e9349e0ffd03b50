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
	procs := sweepProcesses(runs)
	for _, sp := range procs {
		g.AddColumn(sp.name+" makespan", true)
		g.AddColumn(sp.name+" gil wait", true)
		if sp.loop {
			g.AddColumn(sp.name+" loop lag", true)
		}
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
		for _, sp := range procs {
			m, ok := processFigures(r, sp.name)
			switch {
			case !ok:
				row = append(row, "", "")
			case m.makespan < 0:
				row = append(row, "-", dur(m.gilWait))
			default:
				row = append(row, dur(m.makespan), dur(m.gilWait))
			}
			if sp.loop {
				if ok {
					row = append(row, dur(m.lag))
				} else {
					row = append(row, "")
				}
			}
		}
		g.Rows = append(g.Rows, append(row, runOutcome(r)))
	}
	return g
}

// maxSweepProcesses bounds the process groups that get columns of their
// own in a sweep table and a CSV summary.
const maxSweepProcesses = 6

// sweepProcess is a CPython process group that gets columns of its own.
type sweepProcess struct {
	name string
	loop bool // some run has a loop lag in it
}

// sweepProcesses are the CPython process groups of the runs, in order of
// first appearance, when there are two to maxSweepProcesses of them:
// each gets its makespan, GIL wait and loop lag columns, so that variants
// run side by side in one scenario compare in one row. None with fewer
// (the run's own columns say it all) or more (too wide to read).
func sweepProcesses(runs []Run) []sweepProcess {
	var out []sweepProcess
	index := map[string]int{}
	for _, run := range runs {
		for _, p := range run.Result.Processes {
			if p.Native {
				continue
			}
			name := groupOf(p.Group, p.Name)
			i, ok := index[name]
			if !ok {
				i = len(out)
				index[name] = i
				out = append(out, sweepProcess{name: name})
			}
			out[i].loop = out[i].loop || p.LoopLagMax != 0
		}
	}
	if len(out) < 2 || len(out) > maxSweepProcesses {
		return nil
	}
	return out
}

// processFigure is what a sweep row shows of one process group.
type processFigure struct {
	makespan int64 // latest finish of its tasks; -1 if one never finished
	gilWait  int64 // summed over its replicas
	lag      int64 // worst loop lag of its replicas
}

// processFigures measures the process group name in r; ok is false when
// r has no such process.
func processFigures(r *simulator.Result, name string) (f processFigure, ok bool) {
	spans := processMakespans(r)
	for i, p := range r.Processes {
		if p.Native || groupOf(p.Group, p.Name) != name {
			continue
		}
		switch ms := spans[i]; {
		case ms == noTasks:
		case ms < 0 || f.makespan < 0:
			f.makespan = -1
		default:
			f.makespan = max(f.makespan, ms)
		}
		f.gilWait += p.GILWait
		f.lag = max(f.lag, p.LoopLagMax)
		ok = true
	}
	return f, ok
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
			out = append(out, who+": DEADLOCK at "+dur(d.Time)+": blocked "+strings.Join(d.BlockedStrings(), ", "))
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
	procs := sweepProcesses(runs)
	for _, sp := range procs {
		for _, c := range []string{"makespan_ns", "gil_wait_ns", "loop_lag_max_ns"} {
			g.AddColumn(c+"("+sp.name+")", true)
		}
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
			nsText(totalGILWait(r)), nsText(r.MemoryPeak), nsText(worstLoopLag(r)), strconv.Itoa(len(r.Expectations)), strconv.Itoa(failed))
		for _, sp := range procs {
			if f, ok := processFigures(r, sp.name); ok {
				row = append(row, nsText(f.makespan), nsText(f.gilWait), nsText(f.lag))
			} else {
				row = append(row, "", "", "")
			}
		}
		g.Rows = append(g.Rows, append(row, state))
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
