package report

import (
	"bufio"
	"html/template"
	"io"
	"strconv"
	"sync"

	"github.com/clipperhouse/displaywidth"

	"github.com/gilsim/gilsim/simulator"
)

// HTMLRecorderOptions are the options of the Recorders whose runs go into HTML.
func HTMLRecorderOptions() RecorderOptions { return RecorderOptions{Columns: htmlChartWidth} }

// Geometry of the Gantt chart, in SVG user units (pixels at 100%).
const (
	htmlChartWidth = 900 // one column per unit
	htmlLabelWidth = 190
	htmlRowHeight  = 18
	htmlRowGap     = 4
	htmlAxisHeight = 22
	htmlLabelChars = 28
)

// An HTMLSection is one run prepared for an HTML page: its tables and
// its chart, laid out. Once it is made, the run's Recorder is no longer
// needed, so a page of many runs holds one Recorder at a time.
type HTMLSection struct {
	s htmlScenario
}

// NewHTMLSection prepares the run that res describes and rec recorded
// (made with HTMLRecorderOptions; nil for no chart). label names a run of
// a sweep ("workers=8"), shown after the title; "" for none.
func NewHTMLSection(res *simulator.Result, rec *Recorder, label string) (*HTMLSection, error) {
	r := res
	s := htmlScenario{
		Title:    termSafe(r.Scenario),
		Label:    termSafe(label),
		File:     termSafe(r.File),
		Summary:  summaryCells(r),
		Warnings: warningLines(r),
	}
	s.ProcHeader, s.ProcRows = processTable(r)
	v := newView(r, false)
	s.TaskHeader, s.TaskRows, s.TaskNote = taskTable(v)
	if g := latencyGrid(v); g != nil {
		s.LatHeader, s.LatRows = gridCells(g)
	}
	if d := r.Deadlock; d != nil {
		s.Problem = "DEADLOCK at " + dur(d.Time) + ": nothing can move while entities remain unfinished"
		for _, e := range d.Blocked {
			s.ProblemLines = append(s.ProblemLines, "blocked: "+termSafe(e.String()))
		}
		for _, l := range d.Locks {
			s.ProblemLines = append(s.ProblemLines, termSafe(l.String()))
		}
	}
	if f := r.Failure; f != nil {
		s.Problem = "FAILURE at " + dur(f.Time) + ": "
		if f.Entity != "" {
			s.Problem += termSafe(f.Entity) + ": "
		}
		s.Problem += termSafe(f.Message)
	}
	for _, e := range r.Expectations {
		x := htmlExpect{OK: e.OK, Text: "expect " + termSafe(e.Text)}
		switch {
		case e.Err != "":
			x.Note = termSafe(e.Err)
		case e.Actual != "":
			x.Note = "actual " + termSafe(e.Actual)
		}
		s.Expects = append(s.Expects, x)
	}
	if rec != nil {
		c, err := rec.chart(r, htmlChartWidth)
		if err != nil {
			return nil, err
		}
		s.Chart = svgFor(c)
	}
	return &HTMLSection{s: s}, nil
}

// HTML writes a self-contained HTML page (inline CSS and SVG, no script,
// nothing fetched from the network) with one section per run: the
// summary, process and task tables of Tables, a Gantt chart of the run
// drawn as SVG, and the warnings, deadlock or failure report and
// expectations. Every name from a scenario is escaped by html/template,
// after the TermSafe treatment the text tables give it.
func HTML(w io.Writer, sections []*HTMLSection) error {
	page := htmlPage{Title: "gilsim report"}
	for i, sec := range sections {
		s := sec.s
		s.ID = "run-" + strconv.Itoa(i+1)
		if len(sections) == 1 {
			page.Title = "gilsim: " + s.Title
		}
		page.Scenarios = append(page.Scenarios, s)
	}
	bw := bufio.NewWriter(w)
	if err := htmlTemplate().Execute(bw, page); err != nil {
		return err
	}
	return bw.Flush()
}

type htmlPage struct {
	Title     string
	Scenarios []htmlScenario
}

type htmlScenario struct {
	ID, Title, Label, File string
	Summary                []string
	ProcHeader, TaskHeader []string
	ProcRows, TaskRows     [][]string
	LatHeader              []string // latency per replica group (latencyGrid)
	LatRows                [][]string
	TaskNote               string
	Chart                  *svgChart
	Warnings               []string
	Problem                string
	ProblemLines           []string
	Expects                []htmlExpect
	Compare                *htmlCompare // a comparison of models instead of a run
}

type htmlExpect struct {
	OK         bool
	Text, Note string
}

type svgChart struct {
	Width, Height, Left   int
	ChartWidth, RowHeight int
	Rows                  []svgRow
	Ticks                 []svgTick
	Legend                []svgLegend
}

type svgRow struct {
	Y, TextY    int
	Label, Full string
	Core        bool
	Rects       []svgRect
}

type svgRect struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type svgTick struct {
	X      int
	Label  string
	Anchor string // text-anchor: start, middle or end
}

type svgLegend struct{ Class, Text string }

// Classes and descriptions of the cell states in the chart.
var svgStates = [cellStates]svgLegend{
	cellRunning:   {"s-run", "running"},
	cellSwitching: {"s-switch", "context switch"},
	cellReady:     {"s-ready", "waiting for a core"},
	cellGILWait:   {"s-gil", "waiting for the GIL"},
	cellLoopWait:  {"s-loop", "waiting for its loop or hub (a ready coroutine or greenlet; the loop runs another, or its thread waits)"},
	cellBlocked:   {"s-blocked", "blocked (io or a lock); coroutines and greenlets: parked"},
	cellSleep:     {"s-sleep", "sleeping"},
	cellDone:      {"s-done", "done"},
}

// svgFor lays a chart out as rectangles, one per run of equal cells.
func svgFor(c *chart) *svgChart {
	s := &svgChart{Left: htmlLabelWidth, Width: htmlLabelWidth + max(c.cols, 1) + 4,
		ChartWidth: c.cols, RowHeight: htmlRowHeight}
	for k := cellRunning; k < cellStates; k++ {
		s.Legend = append(s.Legend, svgStates[k])
	}
	y := htmlAxisHeight
	for _, row := range c.rows {
		full := termSafe(row.label)
		sr := svgRow{Y: y, TextY: y + htmlRowHeight - 5, Full: full, Core: row.core,
			Label: displaywidth.TruncateString(full, htmlLabelChars, "…")}
		for i := 0; i < len(row.cells); {
			j := i
			for j < len(row.cells) && row.cells[j] == row.cells[i] {
				j++
			}
			if st := row.cells[i]; st != cellNone {
				sr.Rects = append(sr.Rects, svgRect{
					X: htmlLabelWidth + i, Y: y, W: j - i, H: htmlRowHeight, Class: svgStates[st].Class,
					Title: svgStates[st].Text + ": " + dur(c.edge(i)) + " – " + dur(c.edge(j)),
				})
			}
			i = j
		}
		s.Rows = append(s.Rows, sr)
		y += htmlRowHeight + htmlRowGap
	}
	s.Height = y + 4
	if c.cols > 0 {
		s.Ticks = append(s.Ticks, svgTick{X: htmlLabelWidth, Label: "0", Anchor: "start"})
		step := niceStep(mulDiv(c.makespan, 90, int64(c.cols)))
		endLabel := dur(c.makespan)
		for t := step; step > 0 && t < c.makespan; t += step {
			x, label := c.column(t), dur(t)
			// Keep clear of the makespan's label (11px monospace is
			// under 7 units a character).
			if x+7*(len(label)+1)/2 > c.cols-7*(len(endLabel)+1) {
				break
			}
			s.Ticks = append(s.Ticks, svgTick{X: htmlLabelWidth + x, Label: label, Anchor: "middle"})
		}
		s.Ticks = append(s.Ticks, svgTick{X: htmlLabelWidth + c.cols, Label: endLabel, Anchor: "end"})
	}
	return s
}

// summaryCells are the cells of Tables' summary row.
func summaryCells(r *simulator.Result) []string {
	return []string{
		dur(r.Makespan),
		dur(r.CPUTime),
		simulator.FormatNumber(r.Utilization) + "%",
		count(r.ContextSwitches),
		count(r.Events),
		simulator.FormatSize(r.MemoryPeak),
	}
}

// processTable is the process table of Tables (processGrid), replica
// groups on one row, its cells made safe for a terminal as the page shows
// them (the template escapes them for HTML).
func processTable(r *simulator.Result) ([]string, [][]string) {
	g := processGrid(r, false)
	if g == nil {
		return nil, nil
	}
	return gridCells(g)
}

// taskTable is the task table of Tables (taskGrid), replica groups on one
// row.
func taskTable(v *view) (header []string, rows [][]string, note string) {
	r := v.r
	g, collapsed, _ := taskGrid(v)
	if collapsed {
		note = "Rows marked (xN) are replica groups: arrival, start, finish and turnaround show min–max; the other columns are totals."
	}
	if hasMembers(r) {
		if note != "" {
			note += " "
		}
		note += "Coroutines and greenlets arrive at their at; wait is the time ready but not yet resumed by the loop, plus the loop thread's waits for a core and the GIL while running; loop lag is the worst single such lateness."
	}
	header, rows = gridCells(g)
	return header, rows, note
}

// gridCells are a grid's header and rows with every cell termSafe.
func gridCells(g *Grid) (header []string, rows [][]string) {
	for _, c := range g.Columns {
		header = append(header, c.Name)
	}
	for _, row := range g.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = termSafe(c)
		}
		rows = append(rows, cells)
	}
	return header, rows
}

func warningLines(r *simulator.Result) []string {
	var lines []string
	for _, wr := range r.Warnings {
		line := termSafe(position(r.File, wr.Pos)) + ": "
		if e := entityName(wr.Process, wr.Entity); e != "" {
			line += termSafe(e) + ": "
		}
		lines = append(lines, line+termSafe(wr.Message))
	}
	return lines
}

// htmlTemplate is parsed on first use, not when the program starts: most
// runs of gilsim write no HTML.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #1d232a; }
h1 { font-size: 1.5em; margin: 0 0 .5em; }
h2 { font-size: 1.25em; margin: 2em 0 .2em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
h3 { font-size: 1em; margin: 1.2em 0 .4em; }
h2 .label { font-weight: normal; color: #57606a; }
.file { color: #57606a; margin: 0 0 1em; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: .3em 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: .2em .6em; text-align: right; white-space: nowrap; }
th { background: #f6f8fa; font-weight: 600; }
td.name, th.name { text-align: left; }
.wide { overflow-x: auto; }
.note { color: #57606a; font-size: .9em; }
figure { margin: .5em 0; }
svg.gantt { width: 100%; height: auto; max-width: 1200px; display: block; }
svg.gantt text { font: 11px ui-monospace, monospace; fill: #1d232a; }
svg.gantt .axis text { fill: #57606a; }
svg.gantt .grid { stroke: #d0d7de; stroke-width: 1; }
svg.gantt .lane { fill: #f6f8fa; }
svg.gantt .core .lane { fill: #eef2f6; }
.s-run { fill: #2da44e; background: #2da44e; }
.s-switch { fill: #8250df; background: #8250df; }
.s-ready { fill: #d4a72c; background: #d4a72c; }
.s-gil { fill: #cf222e; background: #cf222e; }
.s-loop { fill: #fb8f44; background: #fb8f44; }
.s-blocked { fill: #54aeff; background: #54aeff; }
.s-sleep { fill: #a5d6ff; background: #a5d6ff; }
.s-done { fill: #d8dee4; background: #d8dee4; }
.legend { list-style: none; padding: 0; margin: .3em 0; display: flex; flex-wrap: wrap; gap: .3em 1.2em; font-size: .9em; }
.legend span { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; margin-right: .3em; border-radius: 2px; }
.pass { color: #1a7f37; font-weight: 600; }
.fail, .problem { color: #cf222e; font-weight: 600; }
ul.plain { list-style: none; padding-left: 0; font-family: ui-monospace, monospace; }
nav ul { padding-left: 1.2em; }
svg.bars { width: 100%; height: auto; max-width: 900px; display: block; }
svg.bars text { font: 12px ui-monospace, monospace; fill: #1d232a; }
svg.bars .bar { fill: #0969da; }
svg.bars .base { fill: #8c959f; }
svg.bars .bad { fill: #cf222e; }
ul.models { list-style: none; padding-left: 0; }
ul.models b { font-family: ui-monospace, monospace; font-weight: 600; }
.skip { color: #57606a; font-weight: 600; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if gt (len .Scenarios) 1}}<nav><ul>{{range .Scenarios}}<li><a href="#{{.ID}}">{{.Title}}{{with .Label}} [{{.}}]{{end}}</a></li>{{end}}</ul></nav>{{end}}
{{range .Scenarios}}
<section id="{{.ID}}">
<h2>{{.Title}}{{with .Label}} <span class="label">[{{.}}]</span>{{end}}</h2>
{{if .File}}<p class="file">{{.File}}</p>{{end}}
{{with .Compare}}
<p>{{.Subtitle}}</p>
<div class="wide"><table>
<tr>{{range $i, $h := .Header}}<th{{if eq $i 0}} class="name"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if eq $i 0}} class="name"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table></div>
{{range $ch := .Charts}}<h3>{{.Title}}</h3>
<figure>
<svg class="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="bar chart: {{.Title}}">
{{range .Bars}}<g><title>{{.Annotation}}</title>
<text x="4" y="{{.TextY}}">{{.Label}}</text>
<rect class="{{.Class}}" x="{{$ch.Left}}" y="{{.Y}}" width="{{.W}}" height="18"></rect>
<text x="{{.ValueX}}" y="{{.TextY}}">{{.Value}}</text>
</g>
{{end}}</svg>
</figure>
{{end}}
<h3>Verdicts</h3>
<ul class="models">{{range .Verdicts}}<li><b>{{.Model}}</b>: {{.Text}}</li>{{end}}</ul>
{{if .Notes}}<h3>Notes</h3>
<ul class="models">{{range .Notes}}<li><b>{{.Model}}</b>: {{.Text}}</li>{{end}}</ul>{{end}}
{{if .Expects}}<h3>Expectations</h3>
<ul class="plain">{{range .Expects}}<li>{{if eq .Status "PASS"}}<span class="pass">PASS</span>{{else if eq .Status "SKIP"}}<span class="skip">SKIP</span>{{else}}<span class="fail">FAIL</span>{{end}} {{.Text}}</li>{{end}}</ul>{{end}}
{{else}}
<table class="summary">
<tr><th>makespan</th><th>cpu time</th><th>utilization</th><th>context switches</th><th>events</th><th>peak memory</th></tr>
<tr>{{range .Summary}}<td>{{.}}</td>{{end}}</tr>
</table>
{{with $c := .Chart}}
<h3>Timeline</h3>
<figure>
<svg class="gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="Gantt chart of the run">
<g class="axis">{{range .Ticks}}
<line class="grid" x1="{{.X}}" y1="14" x2="{{.X}}" y2="{{$c.Height}}"></line><text x="{{.X}}" y="11" text-anchor="{{.Anchor}}">{{.Label}}</text>{{end}}
</g>
{{range .Rows}}<g class="row{{if .Core}} core{{end}}">
<text x="4" y="{{.TextY}}"><title>{{.Full}}</title>{{.Label}}</text>
<rect class="lane" x="{{$c.Left}}" y="{{.Y}}" width="{{$c.ChartWidth}}" height="{{$c.RowHeight}}"></rect>
{{range .Rects}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{end}}</g>
{{end}}</svg>
<figcaption><ul class="legend">{{range .Legend}}<li><span class="{{.Class}}"></span>{{.Text}}</li>{{end}}</ul>
<p class="note">Each column of the chart shows the state that took most of its time; a (xN) line shows what most of its N members were doing. Cores show what ran on them; blank is idle.</p></figcaption>
</figure>
{{end}}
{{if .ProcRows}}
<h3>Processes</h3>
<div class="wide"><table>
<tr>{{range $i, $h := .ProcHeader}}<th{{if eq $i 0}} class="name"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .ProcRows}}<tr>{{range $i, $c := .}}<td{{if eq $i 0}} class="name"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table></div>
{{end}}
<h3>Tasks</h3>
{{if .TaskRows}}<div class="wide"><table>
<tr>{{range $i, $h := .TaskHeader}}<th{{if lt $i 3}} class="name"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .TaskRows}}<tr>{{range $i, $c := .}}<td{{if lt $i 3}} class="name"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table></div>
{{with .TaskNote}}<p class="note">{{.}}</p>{{end}}
{{else}}<p class="note">(no tasks)</p>{{end}}
{{if .LatRows}}<h3>Latency</h3>
<div class="wide"><table>
<tr>{{range $i, $h := .LatHeader}}<th{{if lt $i 3}} class="name"{{end}}>{{$h}}</th>{{end}}</tr>
{{range .LatRows}}<tr>{{range $i, $c := .}}<td{{if lt $i 3}} class="name"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table></div>
<p class="note">Latency is finish minus arrival, per replica group; percentiles by nearest rank; throughput is completions per second from the group's first arrival to its last finish.</p>{{end}}
{{if .Warnings}}<h3>Warnings</h3>
<ul class="plain">{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Problem}}<p class="problem">{{.Problem}}</p>
{{if .ProblemLines}}<ul class="plain">{{range .ProblemLines}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}
{{if .Expects}}<h3>Expectations</h3>
<ul class="plain">{{range .Expects}}<li>{{if .OK}}<span class="pass">PASS</span>{{else}}<span class="fail">FAIL</span>{{end}} {{.Text}}{{with .Note}} ({{.}}){{end}}</li>{{end}}</ul>{{end}}
{{end}}
</section>
{{end}}
</body>
</html>
`))
})
