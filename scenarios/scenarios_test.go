// Package scenarios holds the example scenarios shipped with gilsim. Its
// test runs every .sim file below this folder through gilsimtest.RunDir
// and fails on any parse error, run error, deadlock or failed
// expectation, so a shipped claim can never silently stop holding.
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
	files := gilsimtest.RunDir(t, ".", gilsimtest.RequireExpectations())
	if len(files) < 10 {
		t.Fatalf("found only %d scenarios", len(files))
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
