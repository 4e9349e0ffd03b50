package dsl

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./dsl -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./dsl -update and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestGrammarGolden(t *testing.T) {
	golden(t, "grammar.ebnf", []byte(Grammar()+"\n"))
}

// TestErrorGoldens renders the errors of every testdata/errors/*.sim into
// the matching .err file: what a user sees, position, line and caret.
func TestErrorGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.sim"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sim")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, perr := Parse(filepath.ToSlash(f), src)
			if perr == nil {
				t.Fatalf("%s parses without error", f)
			}
			golden(t, filepath.Join("errors", name+".err"), []byte(perr.Error()+"\n"))
		})
	}
}
