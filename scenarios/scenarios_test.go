// Package scenarios holds the example scenarios shipped with gilsim. Its
// test runs every .sim file below this folder through gilsimtest and fails
// on any parse error, run error, deadlock or failed expectation, so a
// shipped claim can never silently stop holding — except those of seed/,
// which the claims atlas runs once, checks the same way and tabulates
// (TestClaimsDoc in cmd/gilsim), so that no scenario runs twice.
package scenarios

import (
	"os"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/gilsimtest"
)

func TestShippedScenarios(t *testing.T) {
	// Every shipped scenario states what it shows (expect lines) and
	// finishes cleanly: RunDir fails a deadlock or a modelled failure.
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		switch {
		case e.IsDir() && e.Name() != "seed":
			t.Run(e.Name(), func(t *testing.T) {
				t.Parallel()
				gilsimtest.RunDir(t, e.Name(), gilsimtest.RequireExpectations())
			})
			n++
		case strings.HasSuffix(e.Name(), ".sim"):
			gilsimtest.Test(t, e.Name(), gilsimtest.RequireExpectations())
			n++
		}
	}
	if n < 8 {
		t.Fatalf("found only %d folders and files of scenarios", n)
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
	if !strings.Contains(string(readme), "```sim\n"+string(tour)+"```") {
		t.Error("README.md's language tour differs from scenarios/tour.sim; change both")
	}
}
