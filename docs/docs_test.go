package docs

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

var update = flag.Bool("update", false, "rewrite the generated tables of language.md")

// TestLanguageEmbedded checks that the reference built into gilsim is the
// file.
func TestLanguageEmbedded(t *testing.T) {
	b, err := os.ReadFile("language.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Language {
		t.Error("Language differs from language.md")
	}
}

// fence finds the fenced code blocks of a page: their info string and
// body.
var fence = regexp.MustCompile("(?ms)^```([a-z]*)\n(.*?)^```\n")

// TestExamples parses every `sim` block of the pages, and runs it: its
// expectations must hold.
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("*.md")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range fence.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "sim" {
				continue
			}
			n++
			name := fmt.Sprintf("%s#%d", f, i+1)
			sw, err := dsl.ParseAnySweep(name, []byte(m[2]), nil)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			for _, r := range sw.Runs {
				if r.Scenario == nil {
					continue // a workload: parsing is the check
				}
				res, err := simulator.Run(r.Scenario, simulator.Options{})
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				for _, x := range res.Expectations {
					if !x.OK {
						t.Errorf("%s: expect %s: actual %s", name, x.Text, x.Actual)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Error("no sim examples found")
	}
}

// The generated sections of language.md: each is rebuilt from the
// parser's and the engine's own tables.
var generated = map[string]func() string{
	"machine-keys":    machineKeysTable,
	"metrics":         metricsTable,
	"compare-metrics": compareTable,
	"keywords":        keywordList,
}

func machineKeysTable() string {
	var b strings.Builder
	b.WriteString("| key | value | default | meaning |\n| --- | --- | --- | --- |\n")
	row := func(key string, h dsl.Help) {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", key, cell(h.Syntax), cell(h.Default), cell(h.Doc))
	}
	for _, k := range dsl.MachineKeys() {
		h, _ := dsl.MachineKeyHelp(k)
		row(k, h)
	}
	for _, k := range dsl.MemoryKinds() {
		h, _ := dsl.MemoryKindHelp(k)
		row("memory "+k, h)
	}
	return b.String()
}

func metricRows(b *strings.Builder, workload bool) {
	b.WriteString("| metric | value | meaning |\n| --- | --- | --- |\n")
	table := simulator.Metrics()
	if workload {
		table = simulator.CompareMetrics()
	}
	for _, name := range dsl.MetricNames(workload) {
		h, _ := dsl.MetricHelp(name, workload)
		syntax, _, _ := strings.Cut(h.Syntax, " ")
		kind := map[simulator.ValueKind]string{simulator.KindDuration: "duration", simulator.KindSize: "size"}[table[name].Kind]
		if kind == "" {
			kind = "number"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", syntax, kind, cell(table[name].Doc))
	}
}

func metricsTable() string {
	var b strings.Builder
	metricRows(&b, false)
	return b.String()
}

func compareTable() string {
	var b strings.Builder
	metricRows(&b, true)
	b.WriteString("\n| model | runs the tasks as |\n| --- | --- |\n")
	for _, m := range simulator.Models() {
		h, _ := dsl.ModelHelp(m)
		fmt.Fprintf(&b, "| `%s` | %s |\n", m, cell(h.Doc))
	}
	return b.String()
}

func keywordList() string {
	words := dsl.Keywords()
	slices.Sort(words)
	var b strings.Builder
	line := 0
	for i, w := range words {
		item := "`" + w + "`"
		if i > 0 {
			if line+1+len(item) > 90 {
				b.WriteString("\n")
				line = 0
			} else {
				b.WriteString(" ")
				line++
			}
		}
		b.WriteString(item)
		line += len(item)
	}
	return b.String() + "\n"
}

// cell escapes a markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// section returns the generated text of a marked section, the line after
// its begin marker's comment included, and where it sits in text.
func section(text, name string) (start, end int, ok bool) {
	begin, stop := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i := strings.Index(text, begin)
	j := strings.Index(text, stop)
	if i < 0 || j < i {
		return 0, 0, false
	}
	return i + len(begin), j, true
}

func generatedText(name string, body string) string {
	return "<!-- generated from " + map[string]string{
		"machine-keys":    "dsl.MachineKeyHelp",
		"metrics":         "simulator.Metrics",
		"compare-metrics": "simulator.CompareMetrics",
		"keywords":        "dsl.Keywords",
	}[name] + " by `go test ./docs -update`; do not edit by hand -->\n\n" + body
}

// TestGeneratedSections keeps the tables of language.md identical to the
// parser's and the engine's own (`go test ./docs -update` rewrites them).
func TestGeneratedSections(t *testing.T) {
	b, err := os.ReadFile("language.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	names := make([]string, 0, len(generated))
	for k := range generated {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		start, end, ok := section(text, name)
		if !ok {
			t.Errorf("language.md has no %s section", name)
			continue
		}
		want := generatedText(name, generated[name]())
		if text[start:end] == want {
			continue
		}
		if *update {
			text = text[:start] + want + text[end:]
			continue
		}
		t.Errorf("language.md's %s section is stale: run go test ./docs -update\ngot:\n%s\nwant:\n%s", name, text[start:end], want)
	}
	if *update && text != string(b) {
		if err := os.WriteFile("language.md", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLanguageCoverage checks that the reference names every policy,
// step and runtime block in a table or a list.
func TestLanguageCoverage(t *testing.T) {
	for _, p := range dsl.Policies() {
		if !strings.Contains(Language, "| `"+p) {
			t.Errorf("language.md has no row for policy %s", p)
		}
	}
	for _, s := range []string{"cpu D", "native D", "io D", "sleep D", "await io D", "yield", "offload { steps }", "repeat N { steps }", "lock \"name\" { steps }", "switch \"name\""} {
		if !strings.Contains(Language, "| `"+s+"`") {
			t.Errorf("language.md has no row for step %s", s)
		}
	}
	for _, r := range []string{"asyncio {", "gevent patched {", "eventlet patched {", "greenlets {", "coroutines {"} {
		if !strings.Contains(Language, "`"+r) {
			t.Errorf("language.md does not describe %s", r)
		}
	}
}

// headingIDs lists the anchors GitHub gives the headings of a page:
// lower case, punctuation dropped, spaces as hyphens, a -N suffix for
// repeats.
func headingIDs(page string) []string {
	var ids []string
	seen := map[string]int{}
	for _, line := range strings.Split(stripFences(page), "\n") {
		text, ok := strings.CutPrefix(line, "#")
		if !ok {
			continue
		}
		text = strings.TrimLeft(text, "#")
		if !strings.HasPrefix(text, " ") {
			continue
		}
		id := Anchor(text)
		if n := seen[id]; n > 0 {
			ids = append(ids, fmt.Sprintf("%s-%d", id, n))
		} else {
			ids = append(ids, id)
		}
		seen[id]++
	}
	return ids
}

func stripFences(s string) string { return fence.ReplaceAllString(s, "") }

func TestHeadingIDs(t *testing.T) {
	got := headingIDs("# gilsim\n## 1.5 Releasing, and who wins\n### 5.3 `gevent.sleep`\n```\n# not a heading\n```\n## Limits\n## Limits\n")
	want := []string{"gilsim", "15-releasing-and-who-wins", "53-geventsleep", "limits", "limits-1"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLinkCitations(t *testing.T) {
	for in, want := range map[string]string{
		"(docs/semantics.md §1.1): x": "([semantics.md §1.1](semantics.md#11-the-state-of-a-gil)): x",
		"semantics.md §5.5, §11.6":    "[semantics.md §5.5](semantics.md#55-monkeypatch_all), [§11.6](semantics.md#116-monkey_patch)",
		"docs/semantics.md §4.2 and §11.5": "[semantics.md §4.2](semantics.md#42-tasks-and-coroutines) and " +
			"[§11.5](semantics.md#115-cpu-bound-greenthreads-and-unpatched-blocking-calls)",
		"docs/semantics.md §99": "semantics.md §99",
		"no citation":           "no citation",
	} {
		if got := LinkCitations(in); got != want {
			t.Errorf("LinkCitations(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
