package report

import "github.com/gilsim/gilsim/simulator"

// view is a run as the writers show it. Its task rows are split once, on
// first use, and shared by the task table and the latency table (and the
// JSON groups), however many tables ask.
type view struct {
	r       *simulator.Result
	perTask bool
	grouped *taskRows // a row per replica group
	single  *taskRows // a row per task
}

func newView(r *simulator.Result, perTask bool) *view {
	return &view{r: r, perTask: perTask}
}

// groups are the rows of the task table with replica groups collapsed,
// as the latency table counts them whatever perTask says.
func (v *view) groups() *taskRows {
	if v.grouped == nil {
		v.grouped = groupTasks(v.r, false)
	}
	return v.grouped
}

// taskRows are the rows of the task table: one per task with perTask,
// else the groups.
func (v *view) taskRows() *taskRows {
	if !v.perTask {
		return v.groups()
	}
	if v.single == nil {
		v.single = groupTasks(v.r, true)
	}
	return v.single
}

// taskRows is a split of a run's tasks into the rows of its task table,
// as indexes into r.Tasks: the tasks of row k are order[start[k]:start[k+1]],
// in the order of r.Tasks. proc[i] is the index in r.Processes of task
// i's process, -1 when no process has its name.
type taskRows struct {
	r     *simulator.Result
	order []int32
	start []int32
	proc  []int32
	// seen and stamp dedupe the processes of a row (processes).
	seen  []int32
	stamp int32
}

func (rows *taskRows) len() int { return len(rows.start) - 1 }

// row returns the tasks of row k, as indexes into r.Tasks.
func (rows *taskRows) row(k int) []int32 { return rows.order[rows.start[k]:rows.start[k+1]] }

// groupTasks splits r.Tasks into display rows: each replica group (tasks
// of one Group and Kind whose processes belong to one process group) is
// one row, placed where its first member stands; everything else is a row
// of its own. With perTask every task is a row of its own.
//
// A replica group's members mostly come one after the other, so a task
// whose group is the previous task's joins its row without a map lookup.
func groupTasks(r *simulator.Result, perTask bool) *taskRows {
	n := len(r.Tasks)
	rows := &taskRows{r: r, order: make([]int32, n), proc: make([]int32, n)}
	rowOf := make([]int32, n)
	var counts []int32 // tasks per row
	type key struct{ procGroup, kind, group string }
	var index map[key]int32
	var last key
	lastRow := int32(-1)
	f := processFinder{ps: r.Processes}
	for i := range r.Tasks {
		t := &r.Tasks[i]
		p := f.find(t.Process)
		rows.proc[i] = p
		if perTask || t.Group == "" {
			rowOf[i] = int32(len(counts))
			counts = append(counts, 1)
			continue
		}
		pg := t.Process
		if p >= 0 {
			pg = groupOf(r.Processes[p].Group, r.Processes[p].Name)
		}
		k := key{pg, t.Kind, t.Group}
		if lastRow < 0 || k != last {
			if index == nil {
				index = map[key]int32{}
			}
			row, ok := index[k]
			if !ok {
				row = int32(len(counts))
				index[k] = row
				counts = append(counts, 0)
			}
			last, lastRow = k, row
		}
		rowOf[i] = lastRow
		counts[lastRow]++
	}
	// A counting sort of the tasks by row, stable: counts becomes each
	// row's next free slot.
	rows.start = make([]int32, len(counts)+1)
	for k, c := range counts {
		rows.start[k+1] = rows.start[k] + c
		counts[k] = rows.start[k]
	}
	for i, k := range rowOf {
		rows.order[counts[k]] = int32(i)
		counts[k]++
	}
	return rows
}

// distinctProcesses are the processes of the tasks in members, each once
// in order of first appearance: n of them, name(j) the j-th's name, group
// the first's process group.
func (rows *taskRows) distinctProcesses(members []int32) (group string, n int, name func(int) string) {
	r := rows.r
	if rows.seen == nil {
		rows.seen = make([]int32, len(r.Processes))
	}
	rows.stamp++
	var procs []int32
	for _, i := range members {
		p := rows.proc[i]
		if p < 0 {
			// a process missing from r.Processes (a result made by
			// hand): by name
			names := make([]string, len(members))
			for j, i := range members {
				names[j] = r.Tasks[i].Process
			}
			names = dedupe(names)
			return processGroup(r, names[0]), len(names), func(j int) string { return names[j] }
		}
		if rows.seen[p] != rows.stamp {
			rows.seen[p] = rows.stamp
			procs = append(procs, p)
		}
	}
	p0 := &r.Processes[procs[0]]
	return groupOf(p0.Group, p0.Name), len(procs), func(j int) string { return r.Processes[procs[j]].Name }
}

// processLabel names the processes of a row of several tasks: the first
// task's process when they share one, else a replicaLabel of them.
func (rows *taskRows) processLabel(members []int32) string {
	group, n, name := rows.distinctProcesses(members)
	if n < 2 {
		return rows.r.Tasks[members[0]].Process
	}
	return replicaLabelOf(group, n, name)
}

// processGroupOf names the processes of a row of several tasks: the first
// task's process when they share one, else their group.
func (rows *taskRows) processGroupOf(members []int32) string {
	group, n, _ := rows.distinctProcesses(members)
	if n < 2 {
		return rows.r.Tasks[members[0]].Process
	}
	return group
}

// processFinder finds processes by name (unique in a run). Tasks come in
// the order of their processes, so it looks at the process found last and
// the one after it first; a map of every name is made only when both miss.
type processFinder struct {
	ps     []simulator.ProcessResult
	next   int // one past the process found last
	byName map[string]int32
}

// find returns the index of a process called name, or -1.
func (f *processFinder) find(name string) int32 {
	for _, i := range [...]int{f.next - 1, f.next} {
		if i >= 0 && i < len(f.ps) && f.ps[i].Name == name {
			f.next = i + 1
			return int32(i)
		}
	}
	if f.byName == nil {
		f.byName = make(map[string]int32, len(f.ps))
		for i := len(f.ps) - 1; i >= 0; i-- {
			f.byName[f.ps[i].Name] = int32(i)
		}
	}
	i, ok := f.byName[name]
	if !ok {
		return -1
	}
	f.next = int(i) + 1
	return i
}
