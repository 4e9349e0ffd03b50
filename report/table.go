package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/gilsim/gilsim/simulator"
)

// TableOptions tune Tables.
type TableOptions struct {
	// PerTask shows one row per task and per process instead of one row
	// per replica group.
	PerTask bool
}

// Tables writes r as text for a terminal: a header line, the summary,
// the CPython processes, the tasks, then warnings, the deadlock or failure
// report, and the expectations. See the package comment for how replica
// groups are shown.
func Tables(w io.Writer, r *simulator.Result, o TableOptions) error {
	bw := bufio.NewWriter(w)
	v := newView(r, o.PerTask)
	sections := []func(io.Writer, *view) error{
		writeHeader,
		writeSummary,
		writeProcesses,
		writeTasks,
		writeLatency,
		writeWarnings,
		writeDeadlock,
		writeFailure,
		writeExpectations,
	}
	for _, section := range sections {
		if err := section(bw, v); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func writeHeader(w io.Writer, v *view) error {
	r := v.r
	line := "== " + termSafe(r.Scenario)
	if r.File != "" {
		line += " (" + termSafe(r.File) + ")"
	}
	_, err := io.WriteString(w, line+" ==\n")
	return err
}

func writeSummary(w io.Writer, v *view) error {
	r := v.r
	return summaryGrid(r).WriteTable(w)
}

func writeProcesses(w io.Writer, v *view) error {
	g := processGrid(v.r, v.perTask)
	if g == nil {
		return nil
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	return g.WriteTable(w)
}

func writeTasks(w io.Writer, v *view) error {
	r := v.r
	if len(r.Tasks) == 0 {
		// tablewriter draws no bottom border under a header alone.
		_, err := io.WriteString(w, "\n(no tasks)\n")
		return err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	g, collapsed, lockWait := taskGrid(v)
	if err := g.WriteTable(w); err != nil {
		return err
	}
	if collapsed {
		totals := "cpu, wait, gil wait, io and switches"
		if lockWait {
			totals = "cpu, wait, gil wait, io, lock wait and switches"
		}
		_, err := io.WriteString(w, "rows marked (xN) are replica groups: arrival, start, finish and turnaround show min–max;\n"+
			totals+" are totals (--per-task shows one row each)\n")
		if err != nil {
			return err
		}
	}
	if hasMembers(r) {
		_, err := io.WriteString(w, memberNote+"\n")
		return err
	}
	return nil
}

// writeLatency writes the latency distribution of each replica group.
func writeLatency(w io.Writer, v *view) error {
	g := latencyGrid(v)
	if g == nil {
		return nil
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	return g.WriteTable(w)
}

// memberNote says how a loop's members are measured, under a task table
// that has some.
const memberNote = "coroutines and greenlets arrive at their `at`; wait is the time ready but not yet resumed by the loop,\n" +
	"plus the loop thread's waits for a core and the GIL while running; loop lag is the worst single such lateness"

// hasMembers reports whether r has a coroutine, greenlet, greenthread or
// generator.
func hasMembers(r *simulator.Result) bool {
	for i := range r.Tasks {
		switch r.Tasks[i].Kind {
		case "coroutine", "greenlet", "greenthread", "gen":
			return true
		}
	}
	return false
}

// The tables of a run are built once, as Grids, and written by every
// format: the terminal (Tables), Markdown and the HTML report. Their
// cells hold raw text; each writer makes it safe for its medium.

// summaryGrid is a run's summary: one row of totals.
func summaryGrid(r *simulator.Result) *Grid {
	g := &Grid{}
	for _, c := range []string{"makespan", "cpu time", "utilization", "context switches", "events", "peak memory"} {
		g.AddColumn(c, true)
	}
	g.Rows = [][]string{{dur(r.Makespan), dur(r.CPUTime), simulator.FormatNumber(r.Utilization) + "%",
		count(r.ContextSwitches), count(r.Events), simulator.FormatSize(r.MemoryPeak)}}
	return g
}

// processGrid is the table of a run's CPython processes (native tasks are
// in the task table), a row per replica group unless perTask; the loop
// columns appear when some process runs a loop. It is nil when the run
// has no CPython process.
func processGrid(r *simulator.Result, perTask bool) *Grid {
	var procs []int32 // the CPython processes, as indexes into r.Processes
	loop := false
	for i := range r.Processes {
		if p := &r.Processes[i]; !p.Native {
			procs = append(procs, int32(i))
			loop = loop || p.LoopLagMax != 0 || p.LoopLagMean != 0 || p.LoopStallMax != 0
		}
	}
	if len(procs) == 0 {
		return nil
	}
	g := &Grid{}
	g.AddColumn("process", false)
	for _, c := range []string{"gil handoffs", "forced switches", "gil wait", "peak memory"} {
		g.AddColumn(c, true)
	}
	if loop {
		for _, c := range []string{"loop lag max", "loop lag mean", "loop stall max"} {
			g.AddColumn(c, true)
		}
	}
	for _, grp := range groupProcesses(r.Processes, procs, perTask) {
		g.Rows = append(g.Rows, processRow(r.Processes, grp, loop))
	}
	return g
}

// taskGrid is the table of a run's tasks, a row per replica group unless
// perTask. collapsed reports a row that stands for several tasks;
// lockWait, the lock wait column (shown when some task waited for a lock).
func taskGrid(v *view) (g *Grid, collapsed, lockWait bool) {
	for i := range v.r.Tasks {
		lockWait = lockWait || v.r.Tasks[i].LockWait != 0
	}
	g = &Grid{}
	for _, c := range []string{"task", "kind", "process"} {
		g.AddColumn(c, false)
	}
	for _, c := range []string{"arrival", "start", "finish", "turnaround", "cpu", "wait", "gil wait", "io"} {
		g.AddColumn(c, true)
	}
	if lockWait {
		g.AddColumn("lock wait", true)
	}
	g.AddColumn("switches", true)
	rows := v.taskRows()
	g.Rows = make([][]string, 0, rows.len())
	for k := range rows.len() {
		members := rows.row(k)
		collapsed = collapsed || len(members) > 1
		g.Rows = append(g.Rows, taskRow(rows, members, lockWait))
	}
	return g, collapsed, lockWait
}

// processRow renders one process, or a replica group of processes (g,
// indexes into ps): counts and waits are totals, peaks and maxima are the
// largest replica's, and the loop lag mean is the mean over the replicas.
func processRow(ps []simulator.ProcessResult, g []int32, loop bool) []string {
	var handoffs, forced, gilWait, mem, lagMax, lagMean, stall int64
	for _, i := range g {
		p := &ps[i]
		handoffs += p.GILHandoffs
		forced += p.GILForcedSwitches
		gilWait += p.GILWait
		mem = max(mem, p.MemoryPeak)
		lagMax = max(lagMax, p.LoopLagMax)
		lagMean += p.LoopLagMean
		stall = max(stall, p.LoopStallMax)
	}
	first := &ps[g[0]]
	name := first.Name
	if len(g) > 1 {
		name = replicaLabelOf(groupOf(first.Group, first.Name), len(g), func(j int) string { return ps[g[j]].Name }) +
			" (x" + strconv.Itoa(len(g)) + ")"
		lagMean /= int64(len(g))
	}
	row := []string{name, count(handoffs), count(forced), dur(gilWait), simulator.FormatSize(mem)}
	if loop {
		row = append(row, dur(lagMax), dur(lagMean), dur(stall))
	}
	return row
}

// taskRow renders one task, or a replica group of tasks as described in
// the package comment: members are indexes into the run's tasks. lockWait
// adds the lock wait column.
func taskRow(rows *taskRows, members []int32, lockWait bool) []string {
	tasks := rows.r.Tasks
	var arrival, start, finish, around spanOf
	var cpu, wait, gilWait, ioTime, lockTime, switches int64
	for _, i := range members {
		tr := &tasks[i]
		arrival.add(tr.Arrival)
		start.add(tr.Start)
		finish.add(tr.Finish)
		if tr.Finish >= 0 {
			around.add(tr.Turnaround)
		} else {
			around.add(-1)
		}
		cpu += tr.CPU
		wait += tr.Wait
		gilWait += tr.GILWait
		ioTime += tr.IO
		lockTime += tr.LockWait
		switches += tr.Switches
	}
	first := &tasks[members[0]]
	name, process := first.Name, first.Process
	if len(members) > 1 {
		name = replicaLabelOf(groupOf(first.Group, first.Name), len(members), func(j int) string { return tasks[members[j]].Name }) +
			" (x" + strconv.Itoa(len(members)) + ")"
		process = rows.processLabel(members)
	}
	row := []string{
		name, first.Kind, process,
		arrival.String(), start.String(), finish.String(), around.String(),
		dur(cpu), dur(wait), dur(gilWait), dur(ioTime),
	}
	if lockWait {
		row = append(row, dur(lockTime))
	}
	return append(row, count(switches))
}

func writeWarnings(w io.Writer, v *view) error {
	r := v.r
	if len(r.Warnings) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("\nwarnings:\n")
	for _, wr := range r.Warnings {
		b.WriteString(termSafe(position(r.File, wr.Pos)))
		b.WriteString(": ")
		if e := entityName(wr.Process, wr.Entity); e != "" {
			b.WriteString(termSafe(e))
			b.WriteString(": ")
		}
		b.WriteString(termSafe(wr.Message))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDeadlock(w io.Writer, v *view) error {
	r := v.r
	d := r.Deadlock
	if d == nil {
		return nil
	}
	var b strings.Builder
	b.WriteString("\nDEADLOCK at " + dur(d.Time) + ": nothing can move while entities remain unfinished\n")
	for _, e := range d.Blocked {
		b.WriteString("  blocked: " + termSafe(e.String()) + "\n")
	}
	for _, l := range d.Locks {
		b.WriteString("  " + termSafe(l.String()) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFailure(w io.Writer, v *view) error {
	r := v.r
	f := r.Failure
	if f == nil {
		return nil
	}
	line := "\nFAILURE at " + dur(f.Time) + ": "
	if f.Entity != "" {
		line += termSafe(f.Entity) + ": "
	}
	line += termSafe(f.Message) + "\n"
	_, err := io.WriteString(w, line)
	return err
}

func writeExpectations(w io.Writer, v *view) error {
	r := v.r
	if len(r.Expectations) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("\nexpectations:\n")
	for _, e := range r.Expectations {
		if e.OK {
			b.WriteString("PASS  ")
		} else {
			b.WriteString("FAIL  ")
		}
		b.WriteString("expect " + termSafe(e.Text))
		switch {
		case e.Err != "":
			b.WriteString("  (" + termSafe(e.Err) + ")")
		case e.Actual != "":
			b.WriteString("  (actual " + termSafe(e.Actual) + ")")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pinWidths makes tablewriter measure text the same way everywhere. It
// would otherwise guess from the locale (LANG, LC_ALL) and TERM whether
// East Asian ambiguous characters (such as the en dash of a "min–max"
// range) take two columns, so the same result would pad differently on
// another machine. Terminals give them one column outside CJK locales,
// and output must not depend on the environment.
//
// It also turns off twwidth's cache of measured widths, a locked LRU
// map: measuring a cell's short text again costs less than looking it
// up, and a table of many distinct names only churns it
// (BenchmarkRenderTableRows/n=10000, six interleaved runs: 320-367 ms
// with the cache, 211-262 without; BenchmarkRenderTable/n=100 1.97-2.57
// and 1.18-1.56 ms). The widths, and so the tables, are the same.
var pinWidths = sync.OnceFunc(func() {
	twwidth.SetOptions(twwidth.Options{EastAsianWidth: false})
	twwidth.SetCacheCapacity(0)
})

// newTable returns a plain ASCII table whose columns are aligned as align
// says, one letter per column: l (left) or r (right).
func newTable(w io.Writer, align string) *tablewriter.Table {
	pinWidths()
	a := make(tw.Alignment, len(align))
	for i, c := range align {
		if c == 'r' {
			a[i] = tw.AlignRight
		} else {
			a[i] = tw.AlignLeft
		}
	}
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithAlignment(a),
	)
}

// groupProcesses is groupTasks for processes: replicas of one process
// (same Group) among procs (indexes into ps) form one row.
func groupProcesses(ps []simulator.ProcessResult, procs []int32, perTask bool) [][]int32 {
	rows := make([][]int32, 0, len(procs))
	index := map[string]int{}
	last, lastRow := "", -1
	for _, i := range procs {
		p := &ps[i]
		if perTask || p.Group == "" {
			rows = append(rows, []int32{i})
			continue
		}
		if lastRow < 0 || p.Group != last {
			k, ok := index[p.Group]
			if !ok {
				k = len(rows)
				index[p.Group] = k
				rows = append(rows, nil)
			}
			last, lastRow = p.Group, k
		}
		rows[lastRow] = append(rows[lastRow], i)
	}
	return rows
}

func processGroup(r *simulator.Result, name string) string {
	for _, p := range r.Processes {
		if p.Name == name {
			return groupOf(p.Group, p.Name)
		}
	}
	return name
}

func groupOf(group, name string) string {
	if group == "" {
		return name
	}
	return group
}

// replicaLabel names a set of replicas of group compactly: w#1..4 when
// every name is group#k (k from 1 to 4), the name itself when all are the
// same, else first..last.
func replicaLabel(group string, names []string) string {
	return replicaLabelOf(group, len(names), func(i int) string { return names[i] })
}

// replicaLabelOf is replicaLabel of the n names name(0) to name(n-1).
func replicaLabelOf(group string, n int, name func(int) string) string {
	lo, hi := int64(-1), int64(-1)
	numbered := true
	prefix := group + "#"
	for i := range n {
		k, ok := replicaIndex(prefix, name(i))
		if !ok {
			numbered = false
			break
		}
		if lo < 0 || k < lo {
			lo = k
		}
		if k > hi {
			hi = k
		}
	}
	if numbered && n > 0 {
		s := group + "#" + strconv.FormatInt(lo, 10)
		if hi != lo {
			s += ".." + strconv.FormatInt(hi, 10)
		}
		return s
	}
	first := name(0)
	for i := 1; i < n; i++ {
		if name(i) != first {
			return first + ".." + name(n-1)
		}
	}
	return first
}

// replicaIndex is k when name is prefix followed by the number k.
func replicaIndex(prefix, name string) (int64, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" {
		return 0, false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	k, err := strconv.ParseInt(rest, 10, 64)
	return k, err == nil
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// span shows the range of instants in vs as min–max (or one value when
// they are equal). Negative values mean "never"; "-" when all are, and a
// note of how many when only some are.
func span(vs []int64) string {
	var s spanOf
	for _, v := range vs {
		s.add(v)
	}
	return s.String()
}

// spanOf is span's accumulator: add the instants, then String.
type spanOf struct {
	lo, hi int64 // valid when seen
	seen   bool
	never  int
}

func (s *spanOf) add(v int64) {
	switch {
	case v < 0:
		s.never++
	case !s.seen:
		s.lo, s.hi, s.seen = v, v, true
	default:
		s.lo, s.hi = min(s.lo, v), max(s.hi, v)
	}
}

func (s *spanOf) String() string {
	if !s.seen {
		return "-"
	}
	out := dur(s.lo)
	if s.hi != s.lo {
		out += "–" + dur(s.hi)
	}
	if s.never > 0 {
		out += " (" + strconv.Itoa(s.never) + " never)"
	}
	return out
}

func position(file string, p simulator.Pos) string {
	if file == "" {
		file = "<scenario>"
	}
	if p.Line <= 0 {
		return file
	}
	return file + ":" + strconv.Itoa(int(p.Line))
}

// entityName qualifies an entity with its process ("app/main") unless it
// is a native task, whose process is itself.
func entityName(process, entity string) string {
	switch {
	case entity == "":
		return process
	case process == "" || process == entity:
		return entity
	}
	return process + "/" + entity
}

func dur(ns int64) string { return simulator.FormatDuration(ns) }

func count(n int64) string { return strconv.FormatInt(n, 10) }
