package simulator

import (
	"math"
	"math/rand/v2"
)

// This file draws the durations of steps from a scenario's seeded generator.

// draw returns the duration of step s for t.
func (e *engine) draw(t *thread, s *Step) int64 {
	if s.Dur.Kind == DistFixed {
		return s.Dur.A
	}
	if e.drawsAhead && (s.Op == OpCPU || s.Op == OpNative) && t.rare != nil && len(t.rare.draws) > 0 {
		d := t.rare.draws[0]
		t.rare.draws = t.rare.draws[1:]
		return d
	}
	return Draw(s.Dur, e.rng)
}

// Draw draws one duration of d from r, in whole nanoseconds: uniform
// over [A, B] inclusive, exponential of mean A, normal of mean A and
// deviation B; negative draws are 0, and huge ones are cut at drawCap,
// which is past every time limit: such a draw stops the run at the time
// limit, as a fixed duration of that size does.
// The engine draws steps with it from the run's generator, and the dsl
// draws `at` distributions with it when a file is loaded.
func Draw(d Dist, r *rand.Rand) int64 {
	var v float64
	switch d.Kind {
	case DistFixed:
		return d.A
	case DistUniform:
		if d.B <= d.A {
			return d.A
		}
		return d.A + int64(r.Uint64N(uint64(d.B-d.A)+1))
	case DistExp:
		v = r.ExpFloat64() * float64(d.A)
	case DistNormal:
		v = float64(d.A) + r.NormFloat64()*float64(d.B)
	}
	if v < 0 || math.IsNaN(v) {
		return 0
	}
	if v >= float64(drawCap) {
		return drawCap
	}
	return int64(math.Round(v))
}

// drawCap is the largest duration Draw returns: one past the longest time
// limit (DefaultMaxTime). The engine adds durations to times with
// saturating arithmetic, so a capped draw runs into the time limit.
const drawCap = DefaultMaxTime + 1

func mean(d Dist) int64 {
	switch d.Kind {
	case DistUniform:
		return d.A + (d.B-d.A)/2
	}
	return d.A
}
