package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The pages of the repository quote what gilsim prints in two ways, each
// announced by a comment that names the command (run from the
// repository's root):
//
//	<!-- output: gilsim ARGS -->
//	```text
//	lines the command prints, in order ("..." stands for lines left out)
//	```
//
//	<!-- figures: gilsim ARGS | figure | figure -->
//	a paragraph that quotes each figure verbatim
//
// TestDocOutputs runs every such command and fails when a quoted line or
// figure is no longer what it prints, or when the paragraph no longer
// quotes a figure its comment names.
var (
	outputMark  = regexp.MustCompile("(?m)^<!-- output: gilsim (.*?) -->\n```[a-z]*\n((?s:.*?))```\n")
	figuresMark = regexp.MustCompile(`(?m)^<!-- figures: gilsim (.*?) -->\n((?s:.*?))(?:\n\n|\z)`)
	anyMark     = regexp.MustCompile(`<!-- (output|figures):`)
)

func TestDocOutputs(t *testing.T) {
	root := repoRoot(t)
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	pages = append([]string{filepath.Join(root, "README.md")}, pages...)
	t.Chdir(root)
	outputs := map[string]string{}
	output := func(args string) string {
		if out, ok := outputs[args]; ok {
			return out
		}
		var out, errb bytes.Buffer
		if code := run(strings.Fields(args), &out, &errb); code == exitUsage {
			t.Errorf("gilsim %s: exit %d: %s", args, code, errb.String())
		}
		outputs[args] = out.String()
		return out.String()
	}
	checked := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		rel, _ := filepath.Rel(root, page)
		marks := len(anyMark.FindAllString(text, -1))
		found := 0
		for _, m := range outputMark.FindAllStringSubmatch(text, -1) {
			found++
			lines := strings.Split(output(m[1]), "\n")
			next := 0
			for _, q := range strings.Split(strings.TrimSuffix(m[2], "\n"), "\n") {
				if strings.TrimSpace(q) == "..." {
					continue
				}
				checked++
				i := next
				for i < len(lines) && strings.TrimRight(lines[i], " ") != strings.TrimRight(q, " ") {
					i++
				}
				if i == len(lines) {
					t.Errorf("%s quotes a line that `gilsim %s` no longer prints (or prints out of order):\n%s", rel, m[1], q)
					continue
				}
				next = i + 1
			}
		}
		for _, m := range figuresMark.FindAllStringSubmatch(text, -1) {
			found++
			parts := strings.Split(m[1], " | ")
			out := output(parts[0])
			for _, fig := range parts[1:] {
				checked++
				if !strings.Contains(out, fig) {
					t.Errorf("%s quotes %q, which `gilsim %s` no longer prints", rel, fig, parts[0])
				}
				if !strings.Contains(m[2], fig) {
					t.Errorf("%s: the paragraph after the figures comment of `gilsim %s` does not quote %q", rel, parts[0], fig)
				}
			}
		}
		if found != marks {
			t.Errorf("%s has %d output or figures comments, of which %d are well formed", rel, marks, found)
		}
	}
	if checked == 0 {
		t.Error("no quoted output found")
	}
}
