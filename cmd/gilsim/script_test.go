package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary be the gilsim command, so that the
// scripts in testdata/script can `exec gilsim`.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gilsim": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line goldens in testdata/script/*.txtar:
// command lines, their exact output and exit status, failure paths
// included. go test ./cmd/gilsim -run TestScripts -update rewrites the
// expected output in place.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
	})
}
