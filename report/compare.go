package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/simulator"
)

// Comparison is a workload compared under several models (the output of
// compare.Run), with the run of its file it is.
type Comparison struct {
	RunID
	*compare.Comparison
}

// compareColumns are the columns of the comparison table.
var compareColumns = []string{"model", "makespan", "speed-up", "cpu parallelism", "gil wait", "p50 latency", "p99 latency", "worst latency", "throughput", "loop lag", "peak memory"}

// compareCells is a row of the comparison table; "-" where a number does
// not apply (loop lag outside asyncio and gevent) or the model did not
// run.
func compareCells(r *compare.Row) []string {
	if r.Result == nil {
		return []string{r.Model, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}
	}
	lag := "-"
	if r.HasLag {
		lag = dur(r.LoopLag)
	}
	d := r.LatencyDist
	speedup, latency := twoDecimals(r.Speedup)+"×", dur(r.Latency)
	p50, p99, rate := dur(d.P50), dur(d.P99), simulator.FormatNumber(d.Throughput)+"/s"
	if r.Problem != "" {
		// the run stopped early: its makespan is when, not how fast
		speedup, latency, p50, p99, rate = "-", "-", "-", "-", "-"
	}
	return []string{
		r.Model, dur(r.Makespan), speedup, twoDecimals(r.Parallelism),
		dur(r.GILWait), p50, p99, latency, rate, lag, simulator.FormatSize(r.Memory),
	}
}

func twoDecimals(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	if s == "-0.00" {
		s = "0.00"
	}
	return s
}

// compareGrid is the comparison table as a Grid.
func compareGrid(c *compare.Comparison) *Grid {
	g := &Grid{}
	for i, name := range compareColumns {
		g.AddColumn(name, i > 0)
	}
	for _, r := range c.Rows {
		g.Rows = append(g.Rows, compareCells(r))
	}
	return g
}

// compareTitle is the heading of a comparison: title (file) [label].
func compareTitle(c Comparison) string {
	s := c.Title
	if c.File != "" {
		s += " (" + c.File + ")"
	}
	s += c.Tag()
	return s
}

// compareSubtitle says what was compared, on what.
func compareSubtitle(c *compare.Comparison) string {
	s := "workload " + strconv.Quote(c.Workload) + ": " + plural(c.Tasks, "task") + " on " + plural(c.Cores, "core")
	for _, r := range c.Rows {
		if r.Model == simulator.ModelProcesses {
			s += "; processes: a pool of " + plural(c.Workers, "worker")
			break
		}
	}
	return s
}

func plural(n int, word string) string {
	s := strconv.Itoa(n) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

// modelLines are "model  text" lines, the model names padded to one width.
func modelLines(models, texts []string) []string {
	width := 0
	for _, m := range models {
		width = max(width, len(m))
	}
	out := make([]string, len(models))
	for i, m := range models {
		out[i] = m + strings.Repeat(" ", width-len(m)+2) + texts[i]
	}
	return out
}

// verdictLines and noteLines list the rows' verdicts and notes.
func verdictLines(c *compare.Comparison) []string {
	var models, texts []string
	for _, r := range c.Rows {
		models, texts = append(models, r.Model), append(texts, r.Verdict)
	}
	return modelLines(models, texts)
}

func noteLines(c *compare.Comparison) []string {
	var models, texts []string
	for _, r := range c.Rows {
		for _, n := range r.Notes {
			models, texts = append(models, r.Model), append(texts, n)
		}
	}
	return modelLines(models, texts)
}

// expectLine is one expectation: status, text, and what it measured.
func expectLine(e compare.Expectation) (status, text string) {
	status = "PASS"
	switch {
	case e.Skipped:
		status = "SKIP"
	case !e.OK:
		status = "FAIL"
	}
	text = "expect " + e.Text
	switch {
	case e.Skipped:
		text += "  (" + e.Model + " is not among the models compared)"
	case e.Err != "":
		text += "  (" + e.Err + ")"
	case e.Actual != "":
		text += "  (actual " + e.Actual + ")"
	}
	return status, text
}

// CompareTable writes a comparison for a terminal: a header line, what
// was compared, the table (one row per model: makespan, speed-up against
// sequential, CPU parallelism, total GIL wait, worst task latency, loop
// lag, peak memory), a verdict per model, the notes of the models that
// change what a step means, and the expectations.
func CompareTable(w io.Writer, c Comparison) error {
	var b strings.Builder
	b.WriteString("== " + termSafe(compareTitle(c)) + " ==\n")
	b.WriteString(termSafe(compareSubtitle(c.Comparison)) + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := compareGrid(c.Comparison).WriteTable(w); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("\nverdicts:\n")
	for _, l := range verdictLines(c.Comparison) {
		b.WriteString("  " + termSafe(l) + "\n")
	}
	if notes := noteLines(c.Comparison); len(notes) > 0 {
		b.WriteString("\nnotes:\n")
		for _, l := range notes {
			b.WriteString("  " + termSafe(l) + "\n")
		}
	}
	if len(c.Expectations) > 0 {
		b.WriteString("\nexpectations:\n")
		for _, e := range c.Expectations {
			status, text := expectLine(e)
			b.WriteString(status + "  " + termSafe(text) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CompareMarkdown is CompareTable in GitHub-flavoured Markdown.
func CompareMarkdown(w io.Writer, c Comparison) error {
	var b strings.Builder
	b.WriteString("### " + MarkdownEscape(compareTitle(c)) + "\n\n")
	b.WriteString(MarkdownEscape(compareSubtitle(c.Comparison)) + "\n\n")
	if err := writeGrid(w, &b, compareGrid(c.Comparison)); err != nil {
		return err
	}
	b.WriteString("\n**Verdicts**\n\n")
	for _, r := range c.Rows {
		b.WriteString("- " + MarkdownEscape(r.Model) + ": " + MarkdownEscape(r.Verdict) + "\n")
	}
	first := true
	for _, r := range c.Rows {
		for _, n := range r.Notes {
			if first {
				b.WriteString("\n**Notes**\n\n")
				first = false
			}
			b.WriteString("- " + MarkdownEscape(r.Model) + ": " + MarkdownEscape(n) + "\n")
		}
	}
	if len(c.Expectations) > 0 {
		b.WriteString("\n**Expectations**\n\n")
		for _, e := range c.Expectations {
			status, text := expectLine(e)
			b.WriteString("- " + status + ": " + MarkdownEscape(text) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CompareGrid is one row per model of every comparison, for programs
// (CSV): scenario, file, the parameters, model, then integer nanoseconds
// and bytes (empty where a number does not apply or the model did not
// run), and the verdict.
func CompareGrid(cs []Comparison) *Grid {
	g := &Grid{}
	g.AddColumn("scenario", false)
	g.AddColumn("file", false)
	runs := make([]Run, len(cs))
	for i, c := range cs {
		runs[i] = Run{RunID: c.RunID}
	}
	params := paramNames(runs)
	for _, p := range params {
		g.AddColumn(p, false)
	}
	g.AddColumn("model", false)
	for _, col := range []string{"makespan_ns", "speedup", "cpu_ns", "parallelism", "gil_wait_ns", "latency_ns", "latency_p50_ns", "latency_p90_ns", "latency_p99_ns", "latency_max_ns", "throughput_per_s", "loop_lag_ns", "memory_peak_bytes"} {
		g.AddColumn(col, true)
	}
	g.AddColumn("verdict", false)
	for i, c := range cs {
		for _, r := range c.Rows {
			row := []string{c.Title, c.File}
			for _, p := range params {
				row = append(row, paramValue(runs[i], p))
			}
			row = append(row, r.Model)
			if r.Result == nil {
				row = append(row, "", "", "", "", "", "", "", "", "", "", "", "", "")
			} else {
				d := r.LatencyDist
				lag := ""
				lats := []string{nsText(r.Latency), nsText(d.P50), nsText(d.P90), nsText(d.P99), nsText(d.Max), decimal3String(d.Throughput)}
				if r.HasLag {
					lag = nsText(r.LoopLag)
				}
				if r.Problem != "" {
					lats = []string{"", "", "", "", "", ""}
				}
				row = append(row, nsText(r.Makespan), decimal3String(r.Speedup), nsText(r.CPU), decimal3String(r.Parallelism),
					nsText(r.GILWait))
				row = append(row, lats...)
				row = append(row, lag, nsText(r.Memory))
			}
			g.Rows = append(g.Rows, append(row, r.Verdict))
		}
	}
	return g
}

// jsonModel is one model of a comparison. The first fields are what a
// program reading the comparison needs; their order is kept.
type jsonModel struct {
	Model           string       `json:"model"`
	MakespanNS      int64        `json:"makespan_ns"`
	Speedup         decimal3     `json:"speedup"`
	CPUNS           int64        `json:"cpu_ns"`
	Parallelism     decimal3     `json:"parallelism"`
	GILWaitNS       int64        `json:"gil_wait_ns"`
	LatencyNS       int64        `json:"latency_ns"`
	LatencyP50NS    int64        `json:"latency_p50_ns"`
	LatencyP90NS    int64        `json:"latency_p90_ns"`
	LatencyP99NS    int64        `json:"latency_p99_ns"`
	LatencyMaxNS    int64        `json:"latency_max_ns"`
	ThroughputPerS  decimal3     `json:"throughput_per_s"`
	LoopLagNS       *int64       `json:"loop_lag_ns"`
	MemoryPeakBytes int64        `json:"memory_peak_bytes"`
	Verdict         string       `json:"verdict"`
	Notes           []string     `json:"notes"`
	Ran             bool         `json:"ran"`
	NotRun          string       `json:"not_run,omitempty"`
	Problem         string       `json:"problem,omitempty"`
	Scenario        string       `json:"scenario"`
	File            string       `json:"file"`
	Workload        string       `json:"workload"`
	Tasks           int          `json:"tasks"`
	Cores           int          `json:"cores"`
	Workers         int          `json:"workers,omitempty"`
	Expectations    []jsonExpect `json:"expectations"`
	Params          jsonParams   `json:"params,omitempty"`
}

// CompareJSON writes comparisons as one JSON array with an object per
// model of each, in order: model, makespan_ns, speedup (the sequential
// makespan divided by the model's, three decimals), cpu_ns, parallelism,
// gil_wait_ns, latency_ns (the worst task latency; -1 when a task never
// finished), latency_p50_ns, latency_p90_ns, latency_p99_ns and
// latency_max_ns (nearest-rank percentiles of the task latencies; -1 as
// latency_ns), throughput_per_s (tasks completed per second from the
// first `at` to the last finish), loop_lag_ns (null for models without a loop), the peak
// memory, the verdict and the notes, ran (false, with not_run saying why,
// for a model the workload cannot run as), problem (a deadlock or a
// failure), the scenario, file, workload, task and core counts, workers
// (processes only), the expectations about the model (those about a
// model left out of the comparison appear nowhere), and params for a run
// of a sweep.
func CompareJSON(w io.Writer, cs []Comparison) error {
	out := []jsonModel{}
	for _, c := range cs {
		for _, r := range c.Rows {
			m := jsonModel{
				Model: r.Model, Verdict: r.Verdict, Notes: nonNil(r.Notes), Ran: r.Result != nil,
				NotRun: r.NotRun, Problem: r.Problem, Scenario: c.Title, File: c.File, Workload: c.Workload,
				Tasks: c.Tasks, Cores: c.Cores, Expectations: []jsonExpect{}, Params: c.Params,
			}
			if r.Model == simulator.ModelProcesses {
				m.Workers = c.Workers
			}
			if r.Result != nil {
				m.MakespanNS, m.Speedup, m.CPUNS, m.Parallelism = r.Makespan, decimal3(r.Speedup), r.CPU, decimal3(r.Parallelism)
				m.GILWaitNS, m.LatencyNS, m.MemoryPeakBytes = r.GILWait, r.Latency, r.Memory
				d := r.LatencyDist
				m.LatencyP50NS, m.LatencyP90NS, m.LatencyP99NS, m.LatencyMaxNS = d.P50, d.P90, d.P99, d.Max
				m.ThroughputPerS = decimal3(d.Throughput)
				if r.Problem != "" {
					m.LatencyNS, m.LatencyP50NS, m.LatencyP90NS, m.LatencyP99NS, m.LatencyMaxNS = -1, -1, -1, -1, -1
				}
				if r.HasLag {
					lag := r.LoopLag
					m.LoopLagNS = &lag
				}
			}
			for _, e := range c.Expectations {
				if e.Model != r.Model {
					continue
				}
				m.Expectations = append(m.Expectations, jsonExpect{Text: e.Text, OK: e.OK, Actual: e.Actual, Line: e.Pos.Line, Error: e.Err})
			}
			out = append(out, m)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(escapeTerminalRunes(buf.Bytes()))
	return err
}
