package calibrate

import (
	"encoding/json"
	"testing"
)

// TestFitRecoversRace: convoy numbers that gilsim's model itself predicts
// for a known gil_signal_race give that value back, on the default
// machine and on another; and the model runs on the machine it is given.
func TestFitRecoversRace(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		machine []string
		races   []int64
	}{
		{nil, []int64{250, 600, 830}},
		{[]string{"wakeup_latency 40us", "timer_slack 80us"}, []int64{600}},
	} {
		machine := c.machine
		cm, err := NewConvoyModel(2, machine, 5_000_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, race := range c.races {
			var m [3]float64
			for k := 1; k <= 3; k++ {
				if m[k-1], err = cm.Ops(k, race); err != nil {
					t.Fatal(err)
				}
			}
			f, err := cm.FitSignalRace(m)
			if err != nil {
				t.Fatal(err)
			}
			if f.Race != race || f.Predicted != m {
				t.Errorf("%q: the model's own %v ops/s at %d fit %d (predicting %v)", machine, m, race, f.Race, f.Predicted)
			}
		}
	}
	def, _ := NewConvoyModel(2, nil, 5_000_000)
	slow, _ := NewConvoyModel(2, []string{"wakeup_latency 40us", "timer_slack 80us"}, 5_000_000)
	a, _ := def.Ops(1, 770)
	b, _ := slow.Ops(1, 770)
	if b >= a {
		t.Errorf("a slower wake-up and more timer slack should cost ops beside one CPU thread: %v, then %v", a, b)
	}
}

// TestConvoyOneThread: beside one CPU thread no other waiter is blocked in
// the futex, so gil_signal_race changes nothing; at a 5 ms interval the
// sleeping thread gets about one op per interval plus its sleep (the E3
// row: 185.7 ops/s on the reference VM).
func TestConvoyOneThread(t *testing.T) {
	t.Parallel()
	cm, err := NewConvoyModel(2, nil, 5_000_000)
	if err != nil {
		t.Fatal(err)
	}
	lo, _ := cm.Ops(1, 0)
	hi, _ := cm.Ops(1, 1000)
	if lo != hi || lo < 150 || lo > 200 {
		t.Errorf("beside one CPU thread: %v ops/s at race 0, %v at 1", lo, hi)
	}
}

// TestRaceNeedsEveryConvoy: gil_signal_race is fitted only from all three
// convoy runs, each with some operations; otherwise the key says why not.
func TestRaceNeedsEveryConvoy(t *testing.T) {
	t.Parallel()
	race := Key{"gil_signal_race", "convoy_2", "ops/s", ""}
	for _, c := range []struct {
		ops  map[string]float64
		skip string
		why  string
	}{
		{map[string]float64{"convoy_1": 180, "convoy_2": 70, "convoy_3": 50}, "", ""},
		{map[string]float64{"convoy_1": 180, "convoy_3": 50}, "", "convoy_2 missing from the report"},
		{map[string]float64{"convoy_1": 180, "convoy_2": 70, "convoy_3": 0}, "", "convoy_3: no operation completed"},
		{map[string]float64{"convoy_1": 180, "convoy_2": 70}, "convoy_3", "does not fit in a 12s budget: needs --budget 21s or more"},
	} {
		var ms []map[string]any
		for name, v := range c.ops {
			ms = append(ms, map[string]any{"name": name, "value": v, "unit": "ops/s", "n": 3})
		}
		if c.skip != "" {
			ms = append(ms, map[string]any{"name": c.skip, "skipped": c.why})
		}
		b, _ := json.Marshal(map[string]any{"gilsim_calibrate": Format, "cpus": 2, "measurements": ms})
		r, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, why := r.contentionKey(race); why != c.why {
			t.Errorf("%v: why %q, want %q", c.ops, why, c.why)
		}
	}
}
