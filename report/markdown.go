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
	v := newView(r, o.PerTask)
	title := r.Scenario
	if r.File != "" {
		title += " (" + r.File + ")"
	}
	b.WriteString("### " + MarkdownEscape(title) + "\n\n")

	if err := writeGrid(w, &b, summaryGrid(r)); err != nil {
		return err
	}
	if g := processGrid(r, o.PerTask); g != nil {
		b.WriteByte('\n')
		if err := writeGrid(w, &b, g); err != nil {
			return err
		}
	}
	b.WriteByte('\n')
	if len(r.Tasks) == 0 {
		b.WriteString("(no tasks)\n")
	} else {
		g, _, _ := taskGrid(v)
		if err := writeGrid(w, &b, g); err != nil {
			return err
		}
	}
	if g := latencyGrid(v); g != nil {
		b.WriteByte('\n')
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
			b.WriteString("- blocked: " + MarkdownEscape(e.String()) + "\n")
		}
		for _, l := range d.Locks {
			b.WriteString("- " + MarkdownEscape(l.String()) + "\n")
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
