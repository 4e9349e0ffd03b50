package simulator

import "slices"

// Latency is the distribution of the latencies of a set of tasks (finish
// minus arrival, i.e. turnaround) and the rate at which they completed.
type Latency struct {
	Tasks    int // tasks in the set
	Finished int // of which finished: the percentiles are over these
	P50      int64
	P90      int64
	P99      int64
	Max      int64
	// Throughput is completions per second over the busy period: the
	// finished tasks divided by the time from the earliest arrival of the
	// set to its latest finish (0 when that period is empty).
	Throughput float64
}

// Percentile is the p-th percentile (0 < p <= 100) of sorted values by
// the nearest-rank method: the value at rank ceil(p/100 * n), counting
// ranks from 1 in ascending order. It is always one of the values (no
// interpolation): the p50 of 1..10 is 5, the p90 is 9, the p99 is 10.
// It is 0 for no values.
func Percentile(sorted []int64, p int) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100 // ceil(p*n/100)
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}

// LatencyOf measures a set of tasks: lat[i] is task i's latency when
// done[i], arrival[i] its arrival, and the busy period runs from the
// earliest arrival to the latest finish (arrival + latency) of the
// finished ones. lat is left as it was.
func LatencyOf(lat, arrival []int64, done []bool) Latency {
	out := Latency{Tasks: len(lat)}
	first, last := int64(-1), int64(-1)
	fin := lat[:0:0]
	for i, l := range lat {
		if first < 0 || arrival[i] < first {
			first = arrival[i]
		}
		if !done[i] {
			continue
		}
		fin = append(fin, l)
		last = max(last, arrival[i]+l)
	}
	out.Finished = len(fin)
	if len(fin) == 0 {
		return out
	}
	slices.Sort(fin)
	out.P50, out.P90, out.P99 = Percentile(fin, 50), Percentile(fin, 90), Percentile(fin, 99)
	out.Max = fin[len(fin)-1]
	if last > first {
		out.Throughput = float64(len(fin)) * 1e9 / float64(last-first)
	}
	return out
}

// TaskLatency measures the tasks of res with the given indexes (a group,
// as MatchTasks returns them).
func TaskLatency(res *Result, idx []int) Latency {
	lat := make([]int64, len(idx))
	arr := make([]int64, len(idx))
	done := make([]bool, len(idx))
	for k, i := range idx {
		t := &res.Tasks[i]
		lat[k], arr[k], done[k] = t.Turnaround, t.Arrival, t.Finished
	}
	return LatencyOf(lat, arr, done)
}
