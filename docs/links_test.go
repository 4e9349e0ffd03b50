package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pages lists the markdown files whose links TestLinks checks, relative
// to this folder.
func pages(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append(files, "../README.md", "../fidelity/data/README.md")
}

// link matches a markdown link or image: its target.
var link = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)

// TestLinks checks every relative link of the README and docs/: the file
// or folder it names exists, and its #fragment is a heading of the page
// it points at (GitHub's anchors).
func TestLinks(t *testing.T) {
	anchorsOf := map[string]map[string]bool{}
	anchors := func(path string) map[string]bool {
		if a, ok := anchorsOf[path]; ok {
			return a
		}
		b, err := os.ReadFile(path)
		a := map[string]bool{}
		if err == nil {
			for _, id := range headingIDs(string(b)) {
				a[id] = true
			}
		}
		anchorsOf[path] = a
		return a
	}
	for _, page := range pages(t) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(stripCode(string(b)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %s: %v", page, target, err)
					continue
				}
			}
			if frag != "" && !anchors(path)[frag] {
				t.Errorf("%s: link %s: no heading #%s in %s", page, target, frag, path)
			}
		}
	}
}

// stripCode blanks fenced code blocks and code spans, whose brackets are
// not links.
func stripCode(s string) string {
	s = fence.ReplaceAllString(s, "")
	return regexp.MustCompile("`[^`\n]*`").ReplaceAllString(s, "")
}

// citedSection finds a citation of semantics.md in any form the
// repository uses ("docs/semantics.md §6.3", "semantics.md 6.3",
// "semantics.md sections 4, 5"), and the sections it names.
var citedSection = regexp.MustCompile(`semantics\.md[,)\x60]?\s+(?:#\s+)?(?:§|sections?\s+)?(\d+(?:\.\d+)?)((?:(?:,|, and| and| /)\s+§?\d+(?:\.\d+)?)*)`)

// outsidePrefix is how a file would refer to the project's source folder
// beside the repository, which a clone does not have (spelled in two
// halves, so that this file does not refer to it itself).
const outsidePrefix = "../" + "shared" + "/"

// outsideRefs are the files that may still refer to that folder: none.
var outsideRefs = map[string]bool{}

// TestCitations checks every citation of semantics.md in the repository's
// code, scenarios and pages: each section it names exists, and none
// points outside the repository.
func TestCitations(t *testing.T) {
	n := 0
	err := filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		ext := filepath.Ext(p)
		if d.IsDir() || (ext != ".go" && ext != ".sim" && ext != ".md") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		text := string(b)
		if strings.HasSuffix(p, "docs_test.go") || strings.HasSuffix(p, "links_test.go") {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, "../"))
		if outside := strings.Contains(text, outsidePrefix); outside != outsideRefs[rel] {
			if outside {
				t.Errorf("%s refers to %s, outside the repository", rel, outsidePrefix)
			} else {
				t.Errorf("%s no longer refers to %s: remove it from outsideRefs", rel, outsidePrefix)
			}
		}
		for _, m := range citedSection.FindAllStringSubmatch(text, -1) {
			nums := append([]string{m[1]}, regexp.MustCompile(`\d+(?:\.\d+)?`).FindAllString(m[2], -1)...)
			for _, num := range nums {
				n++
				if _, ok := Section(num); !ok {
					t.Errorf("%s: %q cites section %s, which docs/semantics.md does not have", p, m[0], num)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("found only %d citations: is the pattern right?", n)
	}
}
