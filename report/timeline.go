package report

import (
	"errors"
	"io"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/clipperhouse/displaywidth"

	"github.com/gilsim/gilsim/simulator"
)

// A Recorder collects what a timeline or a Gantt chart needs from one run:
// pass its Trace method as simulator.Options.Trace. It keeps no spans.
// Each line of the chart (a core, an entity, or a group of entities drawn
// together) owns a fixed number of time buckets holding how long its
// entities spent in each state; when a span ends past the last bucket,
// the buckets double in width and pairs merge, so memory stays bounded by
// lines × buckets whatever the length of the run.
//
// Which entity goes on which line is decided before the run, from the
// scenario: the entities a scenario declares are numbered in the order of
// Result.Tasks. Replica groups (w#1, w#2, … of one process group) with
// more than RecorderOptions.GroupLines+1 members show their first
// GroupLines members and then one line for the rest; past MaxLines lines
// everything left shares one final line. Entities the engine creates
// during the run (offload pool workers) get lines as they appear.
type Recorder struct {
	nb     int   // buckets per line
	width  int64 // ns per bucket; 0 until the first span
	used   int   // buckets [0, used) may hold time
	known  int   // entities the scenario declares
	rowOf  []int32
	last   []int64       // declared entity -> end of its last span, -1 before
	extra  map[int]int32 // engine-made entities -> line
	rows   []*bucketRow
	cores  []*bucketRow
	more   int32 // the shared last line, -1 until needed
	fixed  int   // lines made before the run; engine-made entities' lines follow
	maxRow int
}

// RecorderOptions size a Recorder.
type RecorderOptions struct {
	// Columns is the widest chart that will be drawn; the Recorder keeps
	// four buckets per column so that any chart up to that width is drawn
	// from at least two. 0 means 200.
	Columns int
	// GroupLines is how many members of a large replica group get a line
	// of their own before the rest share one. 0 means 3.
	GroupLines int
	// MaxLines bounds the entity lines (not counting cores); the entities
	// left over share one more line. 0 means 40.
	MaxLines int
}

// spanKinds is the number of time slots a bucket keeps: the span kinds
// SpanRunning … SpanLoopWait, and slotSleep for blocked spans that sleep.
const spanKinds = 7

const slotSleep = 6

// slotOf is the bucket slot of a span.
func slotOf(s simulator.Span) simulator.SpanKind {
	if s.Kind == simulator.SpanBlocked && s.Why == simulator.BlockSleep {
		return slotSleep
	}
	return s.Kind
}

// bucketRow is one line of the chart while the run goes on.
//
// A span adds its time to the buckets it covers. The partial buckets at
// its ends get their share in t at once; the buckets it covers wholly, if
// there are more than directWhole, are only counted in whole, a difference
// array: +1 at the first of them, -1 just past the last. Until settle
// folds whole into t, t lacks that time; settle runs before the buckets
// merge or are read, so a span costs O(1) however many buckets it covers.
type bucketRow struct {
	t       []int64 // ns per (bucket, span kind): t[b*spanKinds+k]
	whole   []int64 // difference array of whole buckets covered, laid out as t; nil until needed
	lo, hi  int     // whole's counts lie in buckets [lo, hi); none when hi is 0
	members []int32 // entity indexes; nil for a core
	name    string  // a declared entity's name when it is the only member, checked against the Result
	core    int
}

// NewRecorder prepares a Recorder for one run of sc.
func NewRecorder(sc *simulator.Scenario, o RecorderOptions) *Recorder {
	if o.Columns <= 0 {
		o.Columns = 200
	}
	if o.GroupLines <= 0 {
		o.GroupLines = 3
	}
	if o.MaxLines <= 0 {
		o.MaxLines = 40
	}
	r := &Recorder{nb: 4 * o.Columns, more: -1, maxRow: o.MaxLines, extra: map[int]int32{}}
	ncores := max(sc.Cores, 1)
	for c := range ncores {
		r.cores = append(r.cores, &bucketRow{core: c})
	}

	// The entities in Result.Tasks order, and their replica groups in the
	// order each group first appears.
	type groupKey struct {
		procGroup string
		native    bool
		kind      simulator.ThreadKind
		group     string
	}
	var names []string
	var groups [][]int32
	index := map[groupKey]int{}
	add := func(p *simulator.Process, kind simulator.ThreadKind, name string) {
		k := groupKey{replicaGroup(p.Name), p.Native, kind, replicaGroup(name)}
		g, ok := index[k]
		if !ok {
			g = len(groups)
			index[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], int32(len(names)))
		names = append(names, name)
	}
	for _, p := range sc.Processes {
		for _, t := range p.Threads {
			if t.Kind == simulator.ThreadPlain {
				add(p, t.Kind, t.Name)
				continue
			}
			for _, m := range t.Members {
				add(p, t.Kind, m.Name)
			}
		}
	}
	r.known = len(names)
	r.rowOf = make([]int32, len(names))
	r.last = make([]int64, len(names))
	for i := range r.last {
		r.last[i] = -1
	}

	lines := func(g []int32) int { return min(len(g), o.GroupLines+1) }
	budget := o.MaxLines
	for gi, g := range groups {
		if lines(g) > budget {
			// This group and every later one share the last line.
			for _, rest := range groups[gi:] {
				for _, e := range rest {
					r.rowOf[e] = r.moreRow(e)
				}
			}
			break
		}
		budget -= lines(g)
		single := len(g)
		if single > o.GroupLines+1 {
			single = o.GroupLines
		}
		for _, e := range g[:single] {
			r.rowOf[e] = int32(len(r.rows))
			r.rows = append(r.rows, &bucketRow{members: []int32{e}, name: names[e]})
		}
		if rest := g[single:]; len(rest) > 0 {
			r.rowOf[rest[0]] = int32(len(r.rows))
			row := &bucketRow{members: append([]int32(nil), rest...)}
			r.rows = append(r.rows, row)
			for _, e := range rest {
				r.rowOf[e] = int32(len(r.rows) - 1)
			}
		}
	}
	r.fixed = len(r.rows)
	return r
}

// moreRow is the shared last line, made on first use; it adds e to it.
func (r *Recorder) moreRow(e int32) int32 {
	if r.more < 0 {
		r.more = int32(len(r.rows))
		r.rows = append(r.rows, &bucketRow{})
	}
	row := r.rows[r.more]
	row.members = append(row.members, e)
	return r.more
}

// Trace takes one span of the run. Pass it as simulator.Options.Trace.
func (r *Recorder) Trace(s simulator.Span) {
	if s.End <= s.Start || s.Start < 0 || int(s.Kind) >= slotSleep {
		return
	}
	if s.Entity >= 0 && s.Entity < r.known {
		// A span that starts before the entity's previous one ended (the
		// engine reports raw greenlets' waits for a switch from a stale
		// instant) counts from where the previous one ended.
		if last := r.last[s.Entity]; s.Start < last {
			if s.End <= last {
				return
			}
			s.Start = last
		}
		r.last[s.Entity] = s.End
	}
	r.fit(s.End)
	if row := r.rowFor(s.Entity); row != nil {
		r.add(row, slotOf(s), s.Start, s.End)
	}
	if (s.Kind == simulator.SpanRunning || s.Kind == simulator.SpanSwitching) && s.Core >= 0 && s.Core < len(r.cores) {
		r.add(r.cores[s.Core], s.Kind, s.Start, s.End)
	}
}

func (r *Recorder) rowFor(e int) *bucketRow {
	switch {
	case e < 0:
		return nil
	case e < r.known:
		return r.rows[r.rowOf[e]]
	}
	if i, ok := r.extra[e]; ok {
		return r.rows[i]
	}
	// An entity the engine made during the run: a line of its own while
	// there is room, else the shared last line.
	var i int32
	if r.more < 0 && len(r.rows) < r.maxRow {
		i = int32(len(r.rows))
		r.rows = append(r.rows, &bucketRow{members: []int32{int32(e)}})
	} else {
		i = r.moreRow(int32(e))
	}
	r.extra[e] = i
	return r.rows[i]
}

// fit widens the buckets until end falls inside the last one.
func (r *Recorder) fit(end int64) {
	if r.width == 0 {
		r.width = 1
		for (end-1)/r.width >= int64(r.nb) {
			r.width *= 2
		}
		return
	}
	for (end-1)/r.width >= int64(r.nb) {
		r.coarsen()
	}
}

// coarsen doubles the bucket width, merging pairs of buckets.
func (r *Recorder) coarsen() {
	r.settle()
	half := (r.used + 1) / 2
	merge := func(row *bucketRow) {
		if row.t == nil {
			return
		}
		for b := range half {
			for k := range spanKinds {
				v := row.t[2*b*spanKinds+k]
				if 2*b+1 < r.used {
					v = addSat(v, row.t[(2*b+1)*spanKinds+k])
				}
				row.t[b*spanKinds+k] = v
			}
		}
		clear(row.t[half*spanKinds : r.used*spanKinds])
	}
	for _, row := range r.rows {
		merge(row)
	}
	for _, row := range r.cores {
		merge(row)
	}
	r.used = half
	r.width *= 2
}

// directWhole is how many whole buckets a span fills one by one; past
// that, add counts it in the line's difference array instead.
const directWhole = 4

// add adds [start, end) to row's buckets, in slot k. The buckets must
// reach end (fit).
func (r *Recorder) add(row *bucketRow, k simulator.SpanKind, start, end int64) {
	if row.t == nil {
		row.t = make([]int64, r.nb*spanKinds)
	}
	b0, b1 := int(start/r.width), int((end-1)/r.width)
	r.used = max(r.used, b1+1)
	if b0 == b1 {
		row.t[b0*spanKinds+int(k)] = addSat(row.t[b0*spanKinds+int(k)], end-start)
		return
	}
	// (b0+1)*width <= b1*width < end: neither product overflows.
	row.t[b0*spanKinds+int(k)] = addSat(row.t[b0*spanKinds+int(k)], int64(b0+1)*r.width-start)
	row.t[b1*spanKinds+int(k)] = addSat(row.t[b1*spanKinds+int(k)], end-int64(b1)*r.width)
	if b1-b0-1 <= directWhole {
		for b := b0 + 1; b < b1; b++ {
			row.t[b*spanKinds+int(k)] = addSat(row.t[b*spanKinds+int(k)], r.width)
		}
		return
	}
	if row.whole == nil {
		row.whole = make([]int64, r.nb*spanKinds)
	}
	if row.hi == 0 {
		row.lo = b0 + 1
	}
	row.lo, row.hi = min(row.lo, b0+1), max(row.hi, b1+1)
	row.whole[(b0+1)*spanKinds+int(k)]++
	row.whole[b1*spanKinds+int(k)]--
}

// settle folds every line's difference array into its buckets.
func (r *Recorder) settle() {
	for _, row := range r.rows {
		row.settle(r.width)
	}
	for _, row := range r.cores {
		row.settle(r.width)
	}
}

// settle adds width to bucket b, slot k, once per span that covers it
// wholly, as add would have one span at a time: every total saturates at
// the largest int64 (addSat), so n*width saturated and added once comes
// out as n additions of width.
func (row *bucketRow) settle(width int64) {
	if row.hi == 0 {
		return
	}
	var n [spanKinds]int64
	for b := row.lo; b < row.hi; b++ {
		for k := range spanKinds {
			n[k] += row.whole[b*spanKinds+k]
			row.t[b*spanKinds+k] = addSat(row.t[b*spanKinds+k], mulSat(n[k], width))
		}
	}
	clear(row.whole[row.lo*spanKinds : row.hi*spanKinds])
	row.lo, row.hi = 0, 0
}

// addSat is a+b for a and b ≥ 0, or the largest int64 when that is
// more. The chart's totals (a bucket's, a column's) saturate rather than
// wrap: a line of many members waiting for years sums past int64, and a
// total that wrapped negative drew the line as running. Saturated sums of
// non-negative parts do not depend on their order.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// mulSat is n*w for n and w ≥ 0, or the largest int64 when that is more.
func mulSat(n, w int64) int64 {
	if w != 0 && n > math.MaxInt64/w {
		return math.MaxInt64
	}
	return n * w
}

// bucketEnd is where bucket b ends, saturating instead of overflowing.
func bucketEnd(b int, width int64) int64 {
	if int64(b+1) > math.MaxInt64/width {
		return math.MaxInt64
	}
	return int64(b+1) * width
}

// A cellState is what one column of one line shows.
type cellState uint8

const (
	cellNone      cellState = iota // not arrived yet; for a core, idle
	cellRunning                    // on a core, running
	cellSwitching                  // on a core, paying a context switch
	cellReady                      // runnable, waiting for a core
	cellGILWait                    // waiting for the GIL
	cellLoopWait                   // a ready coroutine or greenlet waiting for its loop or hub
	cellBlocked                    // io, a lock; parked coroutines and greenlets
	cellSleep                      // sleeping
	cellDone                       // finished
	cellStates
)

// tiePriority breaks ties between states that filled a column equally:
// the more telling state wins.
var tiePriority = [cellStates]int{
	cellNone: 0, cellDone: 1, cellBlocked: 2, cellSleep: 2, cellSwitching: 3, cellReady: 4, cellLoopWait: 4, cellGILWait: 5, cellRunning: 6,
}

// fromSpan maps a span kind to the state it shows as.
var fromSpan = [spanKinds]cellState{
	simulator.SpanRunning:   cellRunning,
	simulator.SpanSwitching: cellSwitching,
	simulator.SpanReady:     cellReady,
	simulator.SpanGILWait:   cellGILWait,
	simulator.SpanBlocked:   cellBlocked,
	simulator.SpanLoopWait:  cellLoopWait,
	slotSleep:               cellSleep,
}

// chart is a run drawn on a grid: one row per line, one cell per column,
// each column covering [edge(c), edge(c+1)) of [0, makespan).
type chart struct {
	makespan int64
	cols     int
	rows     []chartRow
}

type chartRow struct {
	label string // untrusted: from the scenario
	core  bool
	cells []cellState
}

func (c *chart) edge(i int) int64 { return mulDiv(c.makespan, int64(i), int64(c.cols)) }

// column is the column holding instant x, 0 <= x < makespan.
func (c *chart) column(x int64) int {
	i := int(mulDiv(x, int64(c.cols), c.makespan))
	for i+1 < c.cols && c.edge(i+1) <= x {
		i++
	}
	return i
}

// errMismatch says that a Result does not come from the recorded run.
var errMismatch = errors.New("report: the result does not belong to the run the timeline recorded")

// labels names the lines of the chart, cores first. It checks that res
// comes from the recorded run and gives the entities the engine made that
// never had a span a line too.
func (r *Recorder) labels(res *simulator.Result) ([]string, error) {
	if len(res.Tasks) < r.known {
		return nil, errMismatch
	}
	for _, row := range r.rows {
		if row.name != "" && res.Tasks[row.members[0]].Name != row.name {
			return nil, errMismatch
		}
	}
	for e := r.known; e < len(res.Tasks); e++ {
		r.rowFor(e)
	}
	// Lines of engine-made entities were made in the order they first
	// did something; show them in the Result's order.
	end := len(r.rows)
	if r.more >= int32(r.fixed) {
		end = int(r.more)
	}
	dyn := r.rows[r.fixed:end]
	sort.Slice(dyn, func(i, j int) bool { return dyn[i].members[0] < dyn[j].members[0] })
	for i, row := range dyn {
		r.extra[int(row.members[0])] = int32(r.fixed + i)
	}
	var labels []string
	for _, row := range r.cores {
		labels = append(labels, "core "+strconv.Itoa(row.core))
	}
	for i, row := range r.rows {
		labels = append(labels, r.label(res, row, int32(i) == r.more))
	}
	return labels, nil
}

// chart draws the recorded run on cols columns (fewer when the run lasted
// fewer nanoseconds), with res for names, arrivals and finishes.
func (r *Recorder) chart(res *simulator.Result, cols int) (*chart, error) {
	labels, err := r.labels(res)
	if err != nil {
		return nil, err
	}
	r.settle()
	c := &chart{makespan: max(res.Makespan, 0), cols: max(cols, 0)}
	if int64(c.cols) > c.makespan {
		c.cols = int(c.makespan)
	}
	for _, row := range r.cores {
		c.rows = append(c.rows, chartRow{core: true, cells: r.cells(c, row, res)})
	}
	for _, row := range r.rows {
		c.rows = append(c.rows, chartRow{cells: r.cells(c, row, res)})
	}
	for i := range c.rows {
		c.rows[i].label = labels[i]
	}
	return c, nil
}

// cells fills one line: per column, the state that took most of its time.
func (r *Recorder) cells(c *chart, row *bucketRow, res *simulator.Result) []cellState {
	cells := make([]cellState, c.cols)
	if c.cols == 0 {
		return cells
	}
	spent := make([][cellStates]int64, c.cols)

	// Time from the spans, spread evenly over each bucket.
	if row.t != nil && r.width > 0 {
		col := 0
		for b := 0; b < r.used; b++ {
			lo := int64(b) * r.width
			if lo >= c.makespan {
				break
			}
			hi := min(bucketEnd(b, r.width), c.makespan)
			for col < c.cols-1 && c.edge(col+1) <= lo {
				col++
			}
			for i := col; i < c.cols; i++ {
				clo, chi := max(lo, c.edge(i)), min(hi, c.edge(i+1))
				if clo >= chi {
					if c.edge(i) >= hi {
						break
					}
					continue
				}
				for k := range spanKinds {
					if v := row.t[b*spanKinds+k]; v > 0 {
						spent[i][fromSpan[k]] = addSat(spent[i][fromSpan[k]], mulDiv(v, chi-clo, hi-lo))
					}
				}
			}
		}
	}

	if row.members == nil { // a core: the rest is idle
		for i := range cells {
			cells[i] = pick(&spent[i], c.edge(i+1)-c.edge(i))
		}
		return cells
	}

	// Before arrival and after finish, per member, as column ranges.
	before := newRangeSum(c)
	after := newRangeSum(c)
	for _, e := range row.members {
		if int(e) >= len(res.Tasks) {
			continue
		}
		t := res.Tasks[e]
		before.add(0, min(max(t.Arrival, 0), c.makespan))
		if t.Finish >= 0 {
			after.add(min(t.Finish, c.makespan), c.makespan)
		}
	}
	before.finish()
	after.finish()
	n := int64(len(row.members))
	for i := range cells {
		s := &spent[i]
		s[cellNone] = addSat(s[cellNone], before.sum[i])
		s[cellDone] = addSat(s[cellDone], after.sum[i])
		var known int64
		for _, v := range s {
			known = addSat(known, v)
		}
		// Time no span covers, between arrival and finish: parked or idle.
		if gap := mulSat(n, c.edge(i+1)-c.edge(i)) - known; gap > 0 {
			s[cellBlocked] = addSat(s[cellBlocked], gap)
		}
		cells[i] = pick(s, 0)
	}
	return cells
}

// pick is the state with the most time; idle is what a core did in the
// time no span covers (length minus the rest).
func pick(s *[cellStates]int64, length int64) cellState {
	if length > 0 {
		var busy int64
		for _, v := range s {
			busy = addSat(busy, v)
		}
		s[cellNone] = max(length-busy, 0)
	}
	best := cellNone
	for k := cellState(1); k < cellStates; k++ {
		if s[k] > s[best] || (s[k] == s[best] && tiePriority[k] > tiePriority[best]) {
			best = k
		}
	}
	return best
}

// rangeSum adds up, per column, how much of a set of intervals falls in
// it, in O(1) per interval.
type rangeSum struct {
	c    *chart
	sum  []int64
	full []int64 // difference array of whole columns covered
}

func newRangeSum(c *chart) *rangeSum {
	return &rangeSum{c: c, sum: make([]int64, c.cols), full: make([]int64, c.cols+1)}
}

func (s *rangeSum) add(lo, hi int64) {
	if lo >= hi {
		return
	}
	cl, ch := s.c.column(lo), s.c.column(hi-1)
	if cl == ch {
		s.sum[cl] = addSat(s.sum[cl], hi-lo)
		return
	}
	s.sum[cl] = addSat(s.sum[cl], s.c.edge(cl+1)-lo)
	s.sum[ch] = addSat(s.sum[ch], hi-s.c.edge(ch))
	s.full[cl+1]++
	s.full[ch]--
}

func (s *rangeSum) finish() {
	var k int64
	for i := range s.sum {
		k += s.full[i]
		s.sum[i] = addSat(s.sum[i], mulSat(k, s.c.edge(i+1)-s.c.edge(i)))
	}
}

// label names a line: the entity qualified by its process, or a group
// ("app/w#4..1000 (x997)"), or the shared last line ("+ 12 more").
func (r *Recorder) label(res *simulator.Result, row *bucketRow, shared bool) string {
	if shared {
		return "+ " + strconv.Itoa(len(row.members)) + " more"
	}
	if len(row.members) == 1 {
		t := res.Tasks[row.members[0]]
		return entityName(t.Process, t.Name)
	}
	first := res.Tasks[row.members[0]]
	names := make([]string, len(row.members))
	var procs []string
	for i, e := range row.members {
		names[i] = res.Tasks[e].Name
		procs = append(procs, res.Tasks[e].Process)
	}
	name := replicaLabel(groupOf(first.Group, first.Name), names)
	process := first.Process
	if procs = dedupe(procs); len(procs) > 1 {
		process = replicaLabel(processGroup(res, procs[0]), procs)
	}
	return entityName(process, name) + " (x" + strconv.Itoa(len(row.members)) + ")"
}

// replicaGroup strips a replica suffix, as the engine does: "w#3" -> "w".
func replicaGroup(name string) string {
	if i := strings.LastIndexByte(name, '#'); i >= 0 {
		return name[:i]
	}
	return name
}

// mulDiv is a*b/c without overflow in the product; a, b >= 0, c > 0 and
// the quotient must fit (it does when a <= c or b <= c).
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// Timeline marks, one character per state.
var timelineMarks = [cellStates]byte{
	cellNone:      ' ',
	cellRunning:   '#',
	cellSwitching: '~',
	cellReady:     '-',
	cellGILWait:   'g',
	cellLoopWait:  ':',
	cellBlocked:   '.',
	cellSleep:     'z',
	cellDone:      '_',
}

// Bounds of Timeline's width, in terminal columns.
const (
	MinTimelineWidth = 40
	MaxTimelineWidth = 1000
)

// Timeline writes the recorded run as text, one line per core and per
// entity (or group), width terminal columns wide, under a time axis and
// above a legend. res must be the Result of the recorded run.
func (r *Recorder) Timeline(w io.Writer, res *simulator.Result, width int) error {
	if width < MinTimelineWidth || width > MaxTimelineWidth {
		return errors.New("report: timeline width must be between " + strconv.Itoa(MinTimelineWidth) + " and " + strconv.Itoa(MaxTimelineWidth))
	}
	// Labels take what they need, up to a third of the width.
	labels, err := r.labels(res)
	if err != nil {
		return err
	}
	lw := displaywidth.String("time")
	for i, l := range labels {
		labels[i] = termSafe(l)
		lw = max(lw, displaywidth.String(labels[i]))
	}
	lw = min(lw, width/3)
	c, err := r.chart(res, width-lw-3)
	if err != nil {
		return err
	}

	var b strings.Builder
	if c.cols == 0 {
		_, err := io.WriteString(w, "timeline: nothing to draw (makespan 0)\n")
		return err
	}
	b.WriteString("timeline (one column = " + dur(divRound(c.makespan, int64(c.cols))) + ")\n")
	writeAxis(&b, c, lw)
	for i, row := range c.rows {
		label := displaywidth.TruncateString(labels[i], lw, "…")
		b.WriteString(label)
		b.WriteString(strings.Repeat(" ", lw-displaywidth.String(label)))
		b.WriteString(" |")
		for _, s := range row.cells {
			b.WriteByte(timelineMarks[s])
		}
		b.WriteString("|\n")
	}
	writeLegend(&b, width)
	_, err = io.WriteString(w, b.String())
	return err
}

// writeAxis writes time labels over a ruler whose ticks fall on round
// times, at least ten columns apart.
func writeAxis(b *strings.Builder, c *chart, lw int) {
	start := lw + 1 // where the left '|' stands, t = 0
	line := []byte(strings.Repeat(" ", start+c.cols+2))
	ruler := []byte(strings.Repeat(" ", lw+1) + "+" + strings.Repeat("-", c.cols) + "+")
	put := func(at int, s string) bool {
		if at < 0 || at+len(s) > len(line) {
			return false
		}
		// Keep one blank on each side of a label.
		for i := max(at-1, 0); i < min(at+len(s)+1, len(line)); i++ {
			if line[i] != ' ' {
				return false
			}
		}
		copy(line[at:], s)
		return true
	}
	end := dur(c.makespan)
	put(start+c.cols+2-len(end), end)
	put(start, "0")
	step := niceStep(mulDiv(c.makespan, 10, int64(c.cols)))
	for t := step; step > 0 && t < c.makespan; t += step {
		at := start + 1 + c.column(t)
		if put(at, dur(t)) {
			ruler[at] = '+'
		}
		if t > math.MaxInt64-step {
			break
		}
	}
	b.WriteString(strings.TrimRight(string(line), " "))
	b.WriteByte('\n')
	b.Write(ruler)
	b.WriteByte('\n')
}

// niceStep is the smallest 1, 2 or 5 times a power of ten that is at
// least min.
func niceStep(min int64) int64 {
	for p := int64(1); p > 0 && p <= math.MaxInt64/10; p *= 10 {
		for _, m := range []int64{1, 2, 5} {
			if m*p >= min {
				return m * p
			}
		}
	}
	return 0
}

func divRound(a, b int64) int64 { return (a + b/2) / b }

// The legend, in the order it is written, and the note under it.
var legend = []string{
	"# running",
	"~ context switch",
	"- waiting for a core",
	"g waiting for the GIL",
	": waiting for its loop or hub",
	". blocked in io, on a lock, or parked",
	"z sleeping",
	"_ done",
	"blank: not arrived, or core idle",
}

const legendNote = "A column shows the state that took most of its time; a (xN) line shows " +
	"what most of its members were doing."

func writeLegend(b *strings.Builder, width int) {
	wrap(b, legend, "   ", width)
	wrap(b, strings.Fields(legendNote), " ", width)
}

// wrap writes items separated by sep, starting a new line instead of
// passing width.
func wrap(b *strings.Builder, items []string, sep string, width int) {
	n := 0
	for _, item := range items {
		if n > 0 && n+len(sep)+len(item) > width {
			b.WriteByte('\n')
			n = 0
		}
		if n > 0 {
			b.WriteString(sep)
			n += len(sep)
		}
		b.WriteString(item)
		n += len(item)
	}
	b.WriteByte('\n')
}
