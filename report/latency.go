package report

import (
	"math"
	"strconv"

	"github.com/gilsim/gilsim/simulator"
)

// latencyGroup is the latency distribution of one row of the task table.
type latencyGroup struct {
	name, kind, process string
	lat                 simulator.Latency
}

// latencyGroups measures each row of rows (the task table's groups): a
// replica group, or a task of its own; with several only, the rows of two
// tasks or more.
func latencyGroups(rows *taskRows, several bool) []latencyGroup {
	tasks := rows.r.Tasks
	var out []latencyGroup
	// (one set of buffers, as long as the largest row, serves every row)
	var lat, arr []int64
	var done []bool
	for k := range rows.len() {
		members := rows.row(k)
		if several && len(members) < 2 {
			continue
		}
		lat, arr, done = lat[:0], arr[:0], done[:0]
		for _, i := range members {
			t := &tasks[i]
			lat, arr, done = append(lat, t.Turnaround), append(arr, t.Arrival), append(done, t.Finished)
		}
		first := &tasks[members[0]]
		lg := latencyGroup{name: first.Name, kind: first.Kind, process: first.Process, lat: simulator.LatencyOf(lat, arr, done)}
		if len(members) > 1 {
			lg.name = groupOf(first.Group, first.Name)
			lg.process = rows.processGroupOf(members)
		}
		out = append(out, lg)
	}
	return out
}

// latencyGrid is the table of the latency distribution of each replica
// group of two tasks or more; nil when the run has none.
func latencyGrid(v *view) *Grid {
	groups := latencyGroups(v.groups(), true)
	if len(groups) == 0 {
		return nil
	}
	g := &Grid{}
	for _, c := range []string{"group", "kind", "process"} {
		g.AddColumn(c, false)
	}
	for _, c := range []string{"tasks", "latency p50", "p90", "p99", "max", "throughput"} {
		g.AddColumn(c, true)
	}
	for _, lg := range groups {
		tasks := strconv.Itoa(lg.lat.Tasks)
		p50, p90, p99, mx := "-", "-", "-", "-"
		if lg.lat.Finished > 0 {
			p50, p90, p99, mx = dur(lg.lat.P50), dur(lg.lat.P90), dur(lg.lat.P99), dur(lg.lat.Max)
		}
		if lg.lat.Finished < lg.lat.Tasks {
			tasks += " (" + strconv.Itoa(lg.lat.Tasks-lg.lat.Finished) + " never finished)"
		}
		g.Rows = append(g.Rows, []string{lg.name, lg.kind, lg.process, tasks, p50, p90, p99, mx,
			simulator.FormatNumber(lg.lat.Throughput) + "/s"})
	}
	return g
}

// processMakespans is the latest finish of each process's tasks, by
// index in r.Processes: -1 for a process some task of which never
// finished, noTasks for a process without tasks (a task whose process
// is not in r.Processes counts for none).
func processMakespans(r *simulator.Result) []int64 {
	spans := make([]int64, len(r.Processes))
	for i := range spans {
		spans[i] = noTasks
	}
	f := processFinder{ps: r.Processes}
	for i := range r.Tasks {
		t := &r.Tasks[i]
		p := f.find(t.Process)
		if p < 0 {
			continue
		}
		switch cur := spans[p]; {
		case !t.Finished:
			spans[p] = -1
		case cur == noTasks:
			spans[p] = t.Finish
		case cur >= 0:
			spans[p] = max(cur, t.Finish)
		}
	}
	return spans
}

// noTasks is processMakespans of a process without tasks.
const noTasks = math.MinInt64
