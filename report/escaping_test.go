package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// escapingNames are names the language accepts that each output format
// must treat by its one rule (see the package comment).
var escapingNames = []string{
	"plain",
	"rtl\u202eevil",
	"zero\u200bwidth",
	"=1+1",
	"'quoted",
	"-5",
	`<b>&amp;<i> "q"`,
	"*x*|y",
	"日本語 👍",
	`back\slash`,
}

// TestOneEscapingRulePerFormat runs a scenario whose task names need
// escaping and checks each format's rule: JSON, JSON lines and the trace
// hold every name exactly (as JSON escapes), CSV exactly but for the
// formula guard, the terminal table, Markdown and HTML show it as
// termSafe does (then escape it for Markdown or HTML).
func TestOneEscapingRulePerFormat(t *testing.T) {
	var src strings.Builder
	src.WriteString("scenario \"escaping\" {\n")
	for _, n := range escapingNames {
		src.WriteString("  task \"" + strings.ReplaceAll(strings.ReplaceAll(n, `\`, `\\`), `"`, `\"`) + "\" { cpu 1ms }\n")
	}
	src.WriteString("}\n")
	sc, err := dsl.Parse("escaping.sim", []byte(src.String()))
	if err != nil {
		t.Fatal(err)
	}
	var trace bytes.Buffer
	tw := NewTraceWriter(&trace, sc)
	rec := NewRecorder(sc, HTMLRecorderOptions())
	res, err := simulator.Run(sc, simulator.Options{Trace: func(s simulator.Span) { tw.Span(s); rec.Trace(s) }, Mark: tw.Mark})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(res); err != nil {
		t.Fatal(err)
	}
	runs := []Run{{Result: res}}

	// JSON, JSON lines and the trace decode to the names themselves, and
	// show no character a terminal would act on.
	var js, jl bytes.Buffer
	JSONRuns(&js, runs)
	JSONLine(&jl, runs[0])
	for format, b := range map[string][]byte{"json": js.Bytes(), "jsonl": jl.Bytes()} {
		var doc struct{ Tasks []struct{ Name string } }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for i, n := range escapingNames {
			if doc.Tasks[i].Name != n {
				t.Errorf("%s: task %d is %q, want %q", format, i, doc.Tasks[i].Name, n)
			}
		}
		checkInert(t, format, b)
	}
	var tr struct {
		TraceEvents []struct {
			Ph   string
			Name string
			Args struct{ Name string }
		}
	}
	if err := json.Unmarshal(trace.Bytes(), &tr); err != nil {
		t.Fatalf("trace: %v", err)
	}
	tracks := map[string]bool{}
	for _, ev := range tr.TraceEvents {
		if ev.Ph == "M" && ev.Name == "thread_name" {
			tracks[ev.Args.Name] = true
		}
	}
	for _, n := range escapingNames {
		if !tracks[n] {
			t.Errorf("trace: no track named %q", n)
		}
	}
	checkInert(t, "trace", trace.Bytes())

	// CSV: the names exactly, but for one ' before a cell that a
	// spreadsheet would run (or that starts with ' itself).
	var c bytes.Buffer
	TasksGrid(runs).WriteCSV(&c)
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range escapingNames {
		cell := recs[i+1][2]
		want := n
		if strings.ContainsAny(n[:1], "=+-@'") {
			want = "'" + n
		}
		if cell != want {
			t.Errorf("csv: task %d is %q, want %q", i, cell, want)
		}
	}

	// The terminal table, Markdown and HTML show termSafe's rendering.
	var tb, md, page bytes.Buffer
	Tables(&tb, res, TableOptions{})
	Markdown(&md, res, TableOptions{})
	sec, err := NewHTMLSection(res, rec, "")
	if err != nil {
		t.Fatal(err)
	}
	HTML(&page, []*HTMLSection{sec})
	doc, err := html.Parse(bytes.NewReader(page.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	text := "\x00" // every text node, trimmed, between NULs
	walk(doc, func(n *html.Node) {
		if n.Type == html.TextNode {
			text += strings.TrimSpace(n.Data) + "\x00"
		}
	})
	for _, n := range escapingNames {
		if !strings.Contains(tb.String(), "| "+termSafe(n)+" ") {
			t.Errorf("table: no cell %q", termSafe(n))
		}
		if !strings.Contains(md.String(), "| "+MarkdownEscape(n)+" |") {
			t.Errorf("markdown: no cell %q", MarkdownEscape(n))
		}
		if !strings.Contains(text, "\x00"+termSafe(n)+"\x00") {
			t.Errorf("html: no text %q", termSafe(n))
		}
	}
	checkInert(t, "table", tb.Bytes())
	checkInert(t, "markdown", md.Bytes())
	checkInert(t, "html", page.Bytes())
}

// checkInert fails when out holds a character a terminal would act on or
// not show, other than the newline.
func checkInert(t *testing.T, format string, out []byte) {
	t.Helper()
	for _, r := range string(out) {
		if r != '\n' && needsEscape(r) {
			t.Errorf("%s: %U reaches the output as it is", format, r)
			return
		}
	}
}
