package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/internal/app"
)

// TestClaimsDoc keeps the table of the seed's claims in docs/claims.md
// identical to what `gilsim atlas scenarios/seed` prints. After changing a
// seed scenario or the engine, run
// `go run ./cmd/gilsim atlas --doc docs/claims.md scenarios/seed`.
func TestClaimsDoc(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	page, err := os.ReadFile(filepath.Join(root, "docs", "claims.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := app.Section(string(page), atlasSection)
	if err != nil {
		t.Fatalf("docs/claims.md: %v", err)
	}
	// the paths in the table are relative to the repository's root
	rows, errs := buildAtlas(filepath.Join(root, "scenarios", "seed"), "scenarios/seed")
	if len(errs) > 0 {
		t.Fatalf("gilsim atlas scenarios/seed: %s", strings.Join(errs, "\n"))
	}
	for _, r := range rows {
		if r.failed {
			t.Errorf("%s: an expectation failed or the run did not finish: %s", r.path, r.shows)
		}
	}
	if line, g, w := app.FirstDifference(got, atlasMarkdown("scenarios/seed", rows)); line > 0 {
		t.Fatalf("docs/claims.md's table differs from `gilsim atlas scenarios/seed` at its line %d:\ndoc:       %s\ngenerated: %s\nRun `go run ./cmd/gilsim atlas --doc docs/claims.md scenarios/seed`.", line, g, w)
	}
}

// TestClaimsQuoteTheNotes checks that each seed scenario's claim is on
// the line of docs/seed-notes.txt its source names: the words of the
// claim (an editor's [insertion] aside) are mostly on that line, and on
// no other line more. A claim from the notes' table names its row's
// line; its column's name is on the table's header line, hence "mostly".
func TestClaimsQuoteTheNotes(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	notes, err := os.ReadFile(filepath.Join(root, "docs", "seed-notes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(notes), "\n")
	words := regexp.MustCompile(`[a-z0-9]+`)
	bracket := regexp.MustCompile(`\[[^\]]*\]`)
	source := regexp.MustCompile(`^docs/seed-notes\.txt, line (\d+)\b`)
	score := func(claim []string, line string) float64 {
		set := map[string]bool{}
		for _, w := range words.FindAllString(strings.ToLower(strings.ReplaceAll(line, "’", "'")), -1) {
			set[w] = true
		}
		n := 0
		for _, w := range claim {
			if set[w] {
				n++
			}
		}
		return float64(n) / float64(len(claim))
	}
	files, _ := filepath.Glob(filepath.Join(root, "scenarios", "seed", "*.sim"))
	if len(files) == 0 {
		t.Fatal("no seed scenarios")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err := parseClaimHeader(f, src)
		if err != nil {
			t.Error(err)
			continue
		}
		m := source.FindStringSubmatch(h.Source)
		if m == nil {
			t.Errorf("%s: source %q does not name a line of docs/seed-notes.txt", f, h.Source)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(lines) {
			t.Errorf("%s: line %d is not in docs/seed-notes.txt (%d lines)", f, n, len(lines))
			continue
		}
		claim := words.FindAllString(strings.ToLower(bracket.ReplaceAllString(h.Claim, "")), -1)
		cited := score(claim, lines[n-1])
		best, bestLine := cited, n
		for i, l := range lines {
			if s := score(claim, l); s > best {
				best, bestLine = s, i+1
			}
		}
		switch {
		case cited < 0.6:
			t.Errorf("%s: the claim is not on line %d of docs/seed-notes.txt (%.0f %% of its words are)", f, n, 100*cited)
		case bestLine != n:
			t.Errorf("%s: the claim is on line %d of docs/seed-notes.txt rather than %d", f, bestLine, n)
		}
	}
}

// repoRoot is the repository's root folder, from this package's.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}
