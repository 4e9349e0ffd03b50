package simulator

import "testing"

// The nearest-rank percentile, by hand: rank = ceil(p/100 * n), counted
// from 1 in ascending order.
func TestPercentileNearestRank(t *testing.T) {
	ten := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		vals []int64
		p    int
		want int64
	}{
		{ten, 50, 5},  // ceil(5.0) = 5
		{ten, 90, 9},  // ceil(9.0) = 9
		{ten, 99, 10}, // ceil(9.9) = 10
		{ten, 100, 10},
		{ten, 1, 1},            // ceil(0.1) = 1
		{[]int64{7}, 50, 7},    // one value is every percentile
		{[]int64{7}, 99, 7},    //
		{[]int64{3, 9}, 50, 3}, // ceil(1.0) = 1: the lower of two
		{[]int64{3, 9}, 51, 9}, // ceil(1.02) = 2
		{[]int64{1, 2, 3}, 50, 2},
		{[]int64{1, 2, 3, 4}, 90, 4}, // ceil(3.6) = 4
		{nil, 50, 0},
	} {
		if got := Percentile(c.vals, c.p); got != c.want {
			t.Errorf("Percentile(%v, %d) = %d, want %d", c.vals, c.p, got, c.want)
		}
	}
	// 200 values 1..200: p99 is the 198th, p90 the 180th, p50 the 100th.
	var many []int64
	for i := int64(1); i <= 200; i++ {
		many = append(many, i)
	}
	if p50, p90, p99 := Percentile(many, 50), Percentile(many, 90), Percentile(many, 99); p50 != 100 || p90 != 180 || p99 != 198 {
		t.Errorf("1..200: p50 %d p90 %d p99 %d, want 100 180 198", p50, p90, p99)
	}
}

// LatencyOf sorts a copy, skips the unfinished and measures throughput
// from the earliest arrival (finished or not) to the latest finish.
func TestLatencyOf(t *testing.T) {
	lat := []int64{4e6, 1e6, 3e6, 2e6, 0}
	arr := []int64{0, 0, 0, 0, 0}
	done := []bool{true, true, true, true, false}
	got := LatencyOf(lat, arr, done)
	want := Latency{Tasks: 5, Finished: 4, P50: 2e6, P90: 4e6, P99: 4e6, Max: 4e6, Throughput: 1000}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if lat[0] != 4e6 || lat[1] != 1e6 {
		t.Errorf("LatencyOf changed its input: %v", lat)
	}
	// arrivals at 10 ms and 20 ms, each done 5 ms later: two completions
	// over 15 ms.
	got = LatencyOf([]int64{5e6, 5e6}, []int64{10e6, 20e6}, []bool{true, true})
	if got.Throughput < 133.333 || got.Throughput > 133.334 || got.P99 != 5e6 {
		t.Errorf("got %+v, want throughput 133.33", got)
	}
	// nothing finished, or no time passed: no throughput
	if got := LatencyOf([]int64{0}, []int64{0}, []bool{false}); got.Throughput != 0 || got.Finished != 0 {
		t.Errorf("got %+v", got)
	}
	if got := LatencyOf([]int64{0, 0}, []int64{5, 5}, []bool{true, true}); got.Throughput != 0 || got.Finished != 2 {
		t.Errorf("got %+v", got)
	}
}
