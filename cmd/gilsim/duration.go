package main

import (
	"errors"
	"strconv"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// durationFlag is a flag.Value holding nanoseconds, read as the scenario
// language writes durations (dsl.ParseDuration): 500ms, 1.5s, 24us.
type durationFlag struct {
	ns  int64
	set bool
}

func (d *durationFlag) String() string {
	if d == nil || !d.set {
		return ""
	}
	return strconv.FormatInt(d.ns, 10) + "ns"
}

func (d *durationFlag) Set(s string) error {
	ns, err := dsl.ParseDuration(s)
	if err != nil {
		return err
	}
	d.ns, d.set = ns, true
	return nil
}

// maxTimeError says what is wrong with a --max-time of ns, or nil. The
// simulated clock holds times up to simulator.DefaultMaxTime (2^62 ns,
// about 146 years); a limit past it could not stop a run whose times
// saturate, so it is refused rather than accepted and never reached.
func maxTimeError(ns int64) error {
	switch {
	case ns <= 0:
		return errors.New("--max-time must be more than 0")
	case ns > simulator.DefaultMaxTime:
		return errors.New("--max-time must be at most " + strconv.FormatInt(simulator.DefaultMaxTime, 10) +
			"ns (2^62 ns, about 146 years: the simulated clock's range)")
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
