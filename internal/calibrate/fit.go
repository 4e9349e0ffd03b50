package calibrate

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// The convoy runs: a thread looping on time.sleep(200 us) (and about a
// microsecond of its loop's bytecode) beside k CPU-bound threads of one
// process, counted over the first convoyWindow of the sleeping thread,
// as measure.py's convoy_k counts them.
const (
	convoyWindow = 500_000_000
	convoySeeds  = 8 // runs of the model per configuration, seeds 1..8
)

// ConvoyModel predicts the convoy runs with gilsim's own engine on a
// machine block: the fit of gil_signal_race runs it for each candidate.
type ConvoyModel struct {
	scenarios map[int]*simulator.Scenario // by the number of CPU threads
}

// NewConvoyModel parses the convoy scenario, beside 1 to 3 CPU threads,
// for a machine of cores CPUs with the given machine block lines (as
// Block prints them) and switch interval.
func NewConvoyModel(cores int, machine []string, interval int64) (*ConvoyModel, error) {
	cm := &ConvoyModel{scenarios: map[int]*simulator.Scenario{}}
	for k := 1; k <= 3; k++ {
		var b strings.Builder
		fmt.Fprintf(&b, "scenario \"convoy beside %d\" {\n  cores %d\n  machine {\n", k, cores)
		for _, l := range machine {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		fmt.Fprintf(&b, "  }\n  process \"p\" {\n    gil interval %s\n", FormatDuration(interval))
		for i := range k {
			fmt.Fprintf(&b, "    thread \"cpu%d\" { cpu 10s }\n", i+1)
		}
		b.WriteString("    thread \"io\" { repeat 100000 { sleep 200us  cpu 1us } }\n  }\n}\n")
		sc, err := dsl.Parse("convoy.sim", []byte(b.String()))
		if err != nil {
			return nil, err
		}
		cm.scenarios[k] = sc
	}
	return cm, nil
}

// Ops is the model's ops/s of the sleeping thread beside k CPU threads
// with gil_signal_race race (in thousandths): the mean over seeds 1..8.
func (cm *ConvoyModel) Ops(k int, race int64) (float64, error) {
	sc := *cm.scenarios[k]
	sc.Machine.GILSignalRace = race
	total := 0
	for seed := uint64(1); seed <= convoySeeds; seed++ {
		sc.Seed = seed
		n, err := convoyOps(&sc, k)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return float64(total) / convoySeeds / (convoyWindow / 1e9), nil
}

// convoyOps runs sc and counts the sleeps of its "io" thread (entity io,
// after the CPU threads) that ended within convoyWindow of its start: a
// sleep ends when the thread runs again after it. The trace gives each
// entity's spans in order; the thread's time counts from its first run
// (the wait to be started before it is Thread.start's).
func convoyOps(sc *simulator.Scenario, io int) (int, error) {
	const horizon = 2_000_000_000 // the CPU threads run for 10 s: the run stops here
	t0, n, inCall := int64(-1), 0, false
	_, err := simulator.Run(sc, simulator.Options{MaxTime: horizon, Trace: func(s simulator.Span) {
		if s.Entity != io {
			return
		}
		if t0 < 0 {
			// its start() is done: its function runs from here
			if s.Kind != simulator.SpanRunning {
				return
			}
			t0 = s.Start
		}
		switch s.Kind {
		case simulator.SpanBlocked:
			inCall = true
		case simulator.SpanRunning:
			if inCall && s.Start <= t0+convoyWindow {
				n++
			}
			inCall = false
		}
	}})
	var limit *simulator.LimitError
	if err != nil && !errors.As(err, &limit) {
		return 0, err
	}
	switch {
	case err == nil:
		return 0, errors.New("the convoy's CPU threads ended before the horizon")
	case t0 < 0 || t0+convoyWindow > horizon:
		// not started in time: Thread.start's hand-shake lost the GIL to
		// the CPU threads for over 1.5 s (the model can starve it so at
		// some values of gil_signal_race; CPython started such threads
		// within tens of ms, semantics.md 14.2): count no ops
		return 0, nil
	}
	return n, nil
}

// Fit is the gil_signal_race that makes the model reproduce the measured
// ops/s beside two and three CPU threads (the runs beside one do not
// depend on it: no other waiter is blocked in the futex), with what the
// model then predicts beside 1, 2 and 3.
type Fit struct {
	Race      int64      // thousandths
	Predicted [3]float64 // ops/s beside 1, 2, 3 CPU threads
}

// FitSignalRace searches gil_signal_race over [0, 1] for the least sum of
// squared log errors against measured[1] and measured[2] (ops/s beside 2
// and 3 CPU threads): every 0.05, then every 0.01 around the best. The
// lowest value wins a tie. Deterministic: the model's seeds are fixed. It
// fails when the model's ops/s do not depend on the value at all (so on
// one core, where the model starts the sleeping thread only once a CPU
// thread ends).
func (cm *ConvoyModel) FitSignalRace(measured [3]float64) (Fit, error) {
	cost := func(race int64) (float64, error) {
		c := 0.0
		for k := 2; k <= 3; k++ {
			p, err := cm.Ops(k, race)
			if err != nil {
				return 0, err
			}
			d := math.Log(max(p, 0.5) / measured[k-1])
			c += d * d
		}
		return c, nil
	}
	best, bestCost, worst := int64(-1), math.Inf(1), math.Inf(-1)
	try := func(race int64) error {
		if race < 0 || race > 1000 {
			return nil
		}
		c, err := cost(race)
		if err != nil {
			return err
		}
		worst = max(worst, c)
		if c < bestCost || (c == bestCost && race < best) {
			best, bestCost = race, c
		}
		return nil
	}
	for race := int64(0); race <= 1000; race += 50 {
		if err := try(race); err != nil {
			return Fit{}, err
		}
	}
	if worst-bestCost < 1e-9 {
		// nothing to fit: every value gives the same ops/s
		two, err := cm.Ops(2, best)
		if err != nil {
			return Fit{}, err
		}
		three, err := cm.Ops(3, best)
		if err != nil {
			return Fit{}, err
		}
		return Fit{}, fmt.Errorf("gilsim's model does %.0f/%.0f ops/s beside 2/3 CPU threads on this machine whatever its value", two, three)
	}
	coarse := best
	for race := coarse - 40; race <= coarse+40; race += 10 {
		if race != coarse {
			if err := try(race); err != nil {
				return Fit{}, err
			}
		}
	}
	f := Fit{Race: best}
	for k := 1; k <= 3; k++ {
		p, err := cm.Ops(k, best)
		if err != nil {
			return Fit{}, err
		}
		f.Predicted[k-1] = p
	}
	return f, nil
}
