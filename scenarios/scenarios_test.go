// Package scenarios holds the example scenarios shipped with gilsim. Its
// test runs every .sim file below this folder and fails on any parse
// error, run error or failed expectation, so a shipped claim can never
// silently stop holding.
package scenarios

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

func TestShippedScenarios(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".sim") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d scenarios", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			sc, err := dsl.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Expects) == 0 {
				t.Fatalf("%s has no expect lines: every shipped scenario states what it shows", f)
			}
			res, err := simulator.Run(sc, simulator.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range res.Expectations {
				if !x.OK {
					t.Errorf("%s:%d: expect %s — actual %s %s", f, x.Pos.Line, x.Text, x.Actual, x.Err)
				}
			}
			if res.Deadlock != nil || res.Failure != nil {
				t.Errorf("%s: run did not finish cleanly: deadlock=%v failure=%v", f, res.Deadlock, res.Failure)
			}
		})
	}
}

// TestReadmeTour keeps the language tour in README.md identical to
// scenarios/tour.sim, which TestShippedScenarios runs.
func TestReadmeTour(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tour, err := os.ReadFile("tour.sim")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```text\n"+string(tour)+"```") {
		t.Error("README.md's language tour differs from scenarios/tour.sim; change both")
	}
}
