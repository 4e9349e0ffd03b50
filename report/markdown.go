package report

import (
	"io"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// Markdown writes r as GitHub-flavoured Markdown: a heading, the summary,
// process and task tables (grouped as in Tables unless o.PerTask), then
// warnings, the deadlock or failure, and the expectations as lists. Every
// string from the scenario goes through MarkdownEscape.
func Markdown(w io.Writer, r *simulator.Result, o TableOptions) error {
	var b strings.Builder
	title := r.Scenario
	if r.File != "" {
		title += " (" + r.File + ")"
	}
	b.WriteString("### " + MarkdownEscape(title) + "\n\n")

	summary := &Grid{}
	for _, c := range []string{"makespan", "cpu time", "utilization", "context switches", "events", "peak memory"} {
		summary.AddColumn(c, true)
	}
	summary.Rows = [][]string{{dur(r.Makespan), dur(r.CPUTime), simulator.FormatNumber(r.Utilization) + "%",
		count(r.ContextSwitches), count(r.Events), simulator.FormatSize(r.MemoryPeak)}}
	if err := writeGrid(w, &b, summary); err != nil {
		return err
	}

	var procs []simulator.ProcessResult
	loop := false
	for _, p := range r.Processes {
		if !p.Native {
			procs = append(procs, p)
			loop = loop || p.LoopLagMax != 0 || p.LoopLagMean != 0 || p.LoopStallMax != 0
		}
	}
	if len(procs) > 0 {
		g := &Grid{}
		g.AddColumn("process", false)
		for _, c := range []string{"gil handoffs", "forced switches", "gil wait", "peak memory"} {
			g.AddColumn(c, true)
		}
		if loop {
			for _, c := range []string{"loop lag max", "loop lag mean", "loop stall max"} {
				g.AddColumn(c, true)
			}
		}
		for _, grp := range groupProcesses(procs, o.PerTask) {
			g.Rows = append(g.Rows, processRow(grp, loop))
		}
		b.WriteByte('\n')
		if err := writeGrid(w, &b, g); err != nil {
			return err
		}
	}

	b.WriteByte('\n')
	if len(r.Tasks) == 0 {
		b.WriteString("(no tasks)\n")
	} else {
		lockWait := false
		for _, t := range r.Tasks {
			lockWait = lockWait || t.LockWait != 0
		}
		g := &Grid{}
		for _, c := range []string{"task", "kind", "process"} {
			g.AddColumn(c, false)
		}
		for _, c := range []string{"arrival", "start", "finish", "turnaround", "cpu", "wait", "gil wait", "io"} {
			g.AddColumn(c, true)
		}
		if lockWait {
			g.AddColumn("lock wait", true)
		}
		g.AddColumn("switches", true)
		for _, grp := range groupTasks(r, o.PerTask) {
			g.Rows = append(g.Rows, taskRow(r, grp, lockWait))
		}
		if err := writeGrid(w, &b, g); err != nil {
			return err
		}
	}

	if len(r.Warnings) > 0 {
		b.WriteString("\n**Warnings**\n\n")
		for _, wr := range r.Warnings {
			line := position(r.File, wr.Pos) + ": "
			if e := entityName(wr.Process, wr.Entity); e != "" {
				line += e + ": "
			}
			b.WriteString("- " + MarkdownEscape(line+wr.Message) + "\n")
		}
	}
	if d := r.Deadlock; d != nil {
		b.WriteString("\n**DEADLOCK at " + dur(d.Time) + "**: nothing can move while entities remain unfinished\n\n")
		for _, e := range d.Blocked {
			b.WriteString("- blocked: " + MarkdownEscape(e) + "\n")
		}
		for _, l := range d.Locks {
			b.WriteString("- " + MarkdownEscape(l) + "\n")
		}
	}
	if f := r.Failure; f != nil {
		line := "\n**FAILURE at " + dur(f.Time) + "**: "
		if f.Entity != "" {
			line += MarkdownEscape(f.Entity) + ": "
		}
		b.WriteString(line + MarkdownEscape(f.Message) + "\n")
	}
	if len(r.Expectations) > 0 {
		b.WriteString("\n**Expectations**\n\n")
		for _, e := range r.Expectations {
			status := "PASS"
			if !e.OK {
				status = "FAIL"
			}
			detail := ""
			switch {
			case e.Err != "":
				detail = " (" + e.Err + ")"
			case e.Actual != "":
				detail = " (actual " + e.Actual + ")"
			}
			b.WriteString("- " + status + ": " + MarkdownEscape("expect "+e.Text+detail) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeGrid flushes b, then writes g as Markdown.
func writeGrid(w io.Writer, b *strings.Builder, g *Grid) error {
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	b.Reset()
	return g.WriteMarkdown(w)
}
