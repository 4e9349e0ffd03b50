package main

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// durationUnits are the units of the scenario language, in nanoseconds.
// µs is accepted with either micro sign (U+00B5) or Greek mu (U+03BC).
var durationUnits = []struct {
	name  string
	scale int64
}{
	{"ns", 1},
	{"us", 1_000},
	{"\u00b5s", 1_000},
	{"\u03bcs", 1_000},
	{"ms", 1_000_000},
	{"s", 1_000_000_000},
}

// parseDuration reads a duration the way the scenario language writes it:
// a number ([0-9]+ or [0-9]+.[0-9]+) immediately followed by ns, us, µs,
// ms or s, or a bare 0. The value converts exactly (1.005ms is 1 005 000
// ns); one that is not a whole number of nanoseconds, or reaches 2^63 ns,
// is an error.
func parseDuration(s string) (int64, error) {
	if s == "0" {
		return 0, nil
	}
	num, scale := "", int64(0)
	for _, u := range durationUnits {
		if n, ok := strings.CutSuffix(s, u.name); ok {
			// "ms" also ends in "s": take the longest unit that leaves a
			// number in front of it.
			if n != "" && isNumberEnd(n) {
				num, scale = n, u.scale
				break
			}
		}
	}
	if scale == 0 {
		return 0, errors.New("want a duration like 500ms or 10s (units ns, us, µs, ms, s)")
	}
	whole, frac, hasFrac := strings.Cut(num, ".")
	if !allDigits(whole) || (hasFrac && !allDigits(frac)) {
		return 0, errors.New("want a duration like 500ms or 10s (units ns, us, µs, ms, s)")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/scale {
		return 0, errors.New("too large: durations must stay below 2^63 ns")
	}
	total := w * scale
	frac = strings.TrimRight(frac, "0")
	if frac != "" {
		// scale is at most 10^9, so a fraction of more than 9 significant
		// digits can never make whole nanoseconds.
		if len(frac) > 9 {
			return 0, errors.New("not a whole number of nanoseconds")
		}
		f, _ := strconv.ParseInt(frac, 10, 64)
		div := int64(1)
		for range len(frac) {
			div *= 10
		}
		if f*scale%div != 0 {
			return 0, errors.New("not a whole number of nanoseconds")
		}
		add := f * scale / div
		if total > math.MaxInt64-add {
			return 0, errors.New("too large: durations must stay below 2^63 ns")
		}
		total += add
	}
	return total, nil
}

// isNumberEnd reports whether s could be the number in front of a unit:
// it ends in a digit.
func isNumberEnd(s string) bool {
	c := s[len(s)-1]
	return c >= '0' && c <= '9'
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

// durationFlag is a flag.Value holding nanoseconds parsed by parseDuration.
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
	ns, err := parseDuration(s)
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
