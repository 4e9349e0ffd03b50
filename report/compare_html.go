package report

import (
	"github.com/clipperhouse/displaywidth"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/simulator"
)

// Geometry of a comparison's bar charts, in SVG user units.
const (
	barLabelWidth = 150
	barWidth      = 600
	barValueWidth = 110
	barRowHeight  = 18
	barRowGap     = 6
	barLabelChars = 20
)

// htmlCompare is a comparison laid out for the page.
type htmlCompare struct {
	Subtitle     string
	Header       []string
	Rows         [][]string
	Charts       []*barChart
	Verdicts     []htmlModelLine
	Notes        []htmlModelLine
	Expects      []htmlCompareExpect
	ProblemLines []string
}

type htmlModelLine struct{ Model, Text string }

type htmlCompareExpect struct {
	Status, Text string
}

// barChart is a horizontal bar chart: one bar per model that ran.
type barChart struct {
	Title         string
	Width, Height int
	Left          int
	Bars          []bar
}

type bar struct {
	Y, TextY   int
	W          int
	Label      string
	Full       string
	Value      string
	ValueX     int
	Class      string
	Annotation string
}

// NewCompareHTMLSection prepares a comparison for HTML: the comparison
// table, bar charts of the models' makespans and peak memory (inline SVG),
// the verdicts, notes and expectations.
func NewCompareHTMLSection(c Comparison) *HTMLSection {
	hc := &htmlCompare{Subtitle: termSafe(compareSubtitle(c.Comparison)), Header: compareColumns}
	for _, r := range c.Rows {
		cells := compareCells(r)
		for i := range cells {
			cells[i] = termSafe(cells[i])
		}
		hc.Rows = append(hc.Rows, cells)
		hc.Verdicts = append(hc.Verdicts, htmlModelLine{r.Model, termSafe(r.Verdict)})
		for _, n := range r.Notes {
			hc.Notes = append(hc.Notes, htmlModelLine{r.Model, termSafe(n)})
		}
	}
	hc.Charts = []*barChart{
		barsOf("makespan (shorter is faster)", c.Rows, func(r *compare.Row) (int64, string) {
			return r.Makespan, dur(r.Makespan) + " · " + twoDecimals(r.Speedup) + "×"
		}),
		barsOf("peak memory", c.Rows, func(r *compare.Row) (int64, string) {
			return r.Memory, simulator.FormatSize(r.Memory)
		}),
	}
	for _, e := range c.Expectations {
		status, text := expectLine(e)
		hc.Expects = append(hc.Expects, htmlCompareExpect{status, termSafe(text)})
	}
	s := htmlScenario{
		Title:   termSafe(c.Title),
		Label:   termSafe(c.Label()),
		File:    termSafe(c.File),
		Compare: hc,
	}
	return &HTMLSection{s: s}
}

// barsOf lays out one chart: bars scaled to the largest value, the
// sequential baseline drawn apart.
func barsOf(title string, rows []*compare.Row, value func(*compare.Row) (int64, string)) *barChart {
	ch := &barChart{Title: title, Left: barLabelWidth, Width: barLabelWidth + barWidth + barValueWidth}
	var most int64
	for _, r := range rows {
		if r.Result != nil {
			v, _ := value(r)
			most = max(most, v)
		}
	}
	y := 4
	for _, r := range rows {
		full := termSafe(r.Model)
		b := bar{Y: y, TextY: y + barRowHeight - 5, Full: full, Label: displaywidth.TruncateString(full, barLabelChars, "…"), Class: "bar"}
		switch {
		case r.Result == nil:
			b.Value, b.ValueX = "not run", barLabelWidth+4
		default:
			v, text := value(r)
			if most > 0 {
				b.W = int(mulDiv(v, barWidth, most))
			}
			if v > 0 && b.W == 0 {
				b.W = 1
			}
			b.Value, b.ValueX = text, barLabelWidth+b.W+4
			if r.Model == simulator.ModelSequential {
				b.Class = "bar base"
			}
			if r.Problem != "" {
				b.Class = "bar bad"
				b.Value += " (did not finish)"
			}
		}
		b.Annotation = b.Full + ": " + b.Value
		ch.Bars = append(ch.Bars, b)
		y += barRowHeight + barRowGap
	}
	ch.Height = y
	return ch
}
