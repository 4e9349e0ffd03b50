package main

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/fidelity"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/scenarios/calibration"
	"github.com/gilsim/gilsim/simulator"
)

// env is what the commands depend on beyond their arguments: how path
// arguments expand, how files are parsed and run, the memory budget of a
// batch, standard input and the terminal. run uses the real ones; a test
// builds an env of its own with fakes, so that tests never swap package
// variables and can run in parallel.
type env struct {
	expand   func(args []string) []app.Item
	parse    app.ParseFunc // scenario files (dsl.ParseSweepFile)
	parseAny app.ParseFunc // scenario or workload files (dsl.ParseAnySweepFile)
	simulate func(*simulator.Scenario, simulator.Options) (*simulator.Result, error)
	compare  func(*simulator.Workload, compare.Options) (*compare.Comparison, error)
	budget   func() int64 // the memory a batch's runs may hold at once (runBudget)
	stdin    io.Reader
	// terminal returns the width of the terminal behind w, and whether w
	// is a terminal at all.
	terminal func(w io.Writer) (cols int, ok bool)
	// fidelity runs the calibration scenarios and evaluates every row.
	fidelity func() ([]fidelity.Result, error)
}

// realEnv is the env of the gilsim command.
func realEnv() *env {
	return &env{
		expand:   app.Expand,
		parse:    dsl.ParseSweepFile,
		parseAny: dsl.ParseAnySweepFile,
		simulate: simulator.Run,
		compare:  compare.Run,
		budget:   runBudget,
		stdin:    os.Stdin,
		terminal: terminalSize,
		fidelity: evaluateFidelity,
	}
}

// evaluateFidelity is gilsim fidelity's work: the built-in calibration
// scenarios, run and set against the built-in measurements.
func evaluateFidelity() ([]fidelity.Result, error) {
	runs, err := fidelity.Load(calibration.Files)
	if err != nil {
		return nil, err
	}
	return fidelity.Evaluate(runs), nil
}

// terminalSize is the width of the terminal behind w, and whether w is a
// terminal at all.
func terminalSize(w io.Writer) (int, bool) {
	f, ok := osFile(w)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil || cols <= 0 {
		return 0, true
	}
	return cols, true
}

// runner is the batch runner of the env, for workers at a time, with the
// loader load and the limits opts.
func (e *env) runner(load app.Loader, workers int, opts simulator.Options) app.Runner {
	return app.Runner{
		Workers:  workers,
		Budget:   e.budget(),
		Load:     load,
		Simulate: e.simulate,
		Compare:  e.compare,
		Options:  opts,
	}
}
