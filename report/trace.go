package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gilsim/gilsim/simulator"
)

// A TraceWriter writes one run as Chrome Trace Event Format JSON, which
// Perfetto UI (ui.perfetto.dev) and chrome://tracing open. Pass its Span
// and Mark methods as simulator.Options.Trace and Mark, then call Close
// with the run's Result.
//
// The trace has one trace process "cores" with a track per core, whose
// slices are named after the entity on the core, and one trace process
// per simulated process with a track per entity (thread, coroutine,
// greenlet, …) whose slices are its states: running, context switch,
// waiting for a core, waiting for the GIL, waiting for its loop (a ready
// coroutine or greenlet its loop or hub has not resumed yet: the loop runs
// another, or its thread waits), blocked in io, sleeping, waiting for a
// lock, and, for coroutines and greenlets, parked between two of their
// stretches (awaiting io, a sleep, an offloaded job or a switch back). GIL drop requests, forced drops and
// hand-offs are instant events on the entity's track, or on a "loop
// thread" track when the thread involved was between tasks. Times are
// microseconds with three decimals, so nanoseconds are exact.
//
// Events are written as the run produces them, not sorted (the viewers
// sort); only the core slices of entities the engine makes during the run
// (offload pool workers), whose names are not known before the run, wait
// in memory until Close. Names of processes and tracks come last, as
// metadata events.
type TraceWriter struct {
	w       *bufio.Writer
	events  int
	ncores  int
	known   int
	names   []string // entity -> own name, for the entities the scenario declares
	labels  []string // entity -> name qualified by its process
	procOf  []int32  // entity -> process index
	lastEnd []int64  // entity -> end of its last stretch, -1 before the first
	member  []bool   // entity -> a coroutine, greenlet or generator (it parks)
	procs   []*simulator.Process
	extra   map[int]int32    // engine-made entity -> process index
	pending []simulator.Span // core slices of engine-made entities
	loopTID map[int32]bool   // processes whose loop thread track is used
}

// NewTraceWriter starts the trace of a run of sc on w.
func NewTraceWriter(w io.Writer, sc *simulator.Scenario) *TraceWriter {
	t := &TraceWriter{
		w:       bufio.NewWriterSize(w, 64<<10),
		ncores:  max(sc.Cores, 1),
		procs:   sc.Processes,
		extra:   map[int]int32{},
		loopTID: map[int32]bool{},
	}
	for pi, p := range sc.Processes {
		for _, th := range p.Threads {
			if th.Kind == simulator.ThreadPlain {
				t.names = append(t.names, th.Name)
				t.labels = append(t.labels, entityName(p.Name, th.Name))
				t.procOf = append(t.procOf, int32(pi))
				t.lastEnd = append(t.lastEnd, -1)
				t.member = append(t.member, false)
				continue
			}
			for _, m := range th.Members {
				t.names = append(t.names, m.Name)
				t.labels = append(t.labels, entityName(p.Name, m.Name))
				t.procOf = append(t.procOf, int32(pi))
				t.lastEnd = append(t.lastEnd, -1)
				t.member = append(t.member, true)
			}
		}
	}
	t.known = len(t.names)
	t.w.WriteString(`{"displayTimeUnit":"ns","traceEvents":[`)
	return t
}

// Trace process ids: the cores, then the simulated processes in order.
const coresPID = 1

func procPID(p int32) int { return int(p) + 2 }

// Track ids are unique in the whole trace: cores first, then entities,
// then one loop-thread track per process.
func (t *TraceWriter) coreTID(c int) int { return c + 1 }
func (t *TraceWriter) entityTID(e int) int {
	return t.ncores + 1 + e
}
func (t *TraceWriter) loopThreadTID(p int32) int { return 1<<30 + int(p) }

var spanTitles = [slotSleep]string{
	simulator.SpanLoopWait:  "waiting for its loop",
	simulator.SpanRunning:   "running",
	simulator.SpanSwitching: "context switch",
	simulator.SpanReady:     "waiting for a core",
	simulator.SpanGILWait:   "waiting for the GIL",
	simulator.SpanBlocked:   "blocked",
}

// blockTitles name blocked stretches by what they wait for.
var blockTitles = [...]string{
	simulator.BlockIO:      "blocked in io",
	simulator.BlockSleep:   "sleeping",
	simulator.BlockLock:    "waiting for a lock",
	simulator.BlockOffload: "waiting for offloaded work",
	simulator.BlockParked:  "parked",
	simulator.BlockStart:   "being started (Thread.start)",
}

var markTitles = [...]string{
	simulator.MarkDropRequest: "GIL drop request",
	simulator.MarkForcedDrop:  "forced GIL drop",
	simulator.MarkHandoff:     "GIL hand-off",
}

// Span writes one stretch of an entity's time. Pass it as
// simulator.Options.Trace.
func (t *TraceWriter) Span(s simulator.Span) {
	if s.End <= s.Start || int(s.Kind) >= slotSleep {
		return
	}
	if s.Entity < 0 {
		t.ownWork(s)
		return
	}
	proc := int32(s.Process)
	if s.Entity < t.known {
		proc = t.procOf[s.Entity]
		last := t.lastEnd[s.Entity]
		if s.Start < last {
			// A stretch that starts before the previous one ended (the
			// engine reports raw greenlets' waits for a switch from a
			// stale instant): keep what is new, as viewers drop
			// overlapping slices.
			if s.End <= last {
				return
			}
			s.Start = last
		}
		if t.member[s.Entity] && last >= 0 && last < s.Start {
			t.slice("parked", "state", procPID(proc), t.entityTID(s.Entity), last, s.Start, nil)
		}
		t.lastEnd[s.Entity] = s.End
	} else {
		t.extra[s.Entity] = proc
	}
	var args []string
	if s.Kind == simulator.SpanRunning {
		args = []string{"core", strconv.Itoa(s.Core), "gil", strconv.FormatBool(s.HasGIL)}
	}
	title := spanTitles[s.Kind]
	if s.Kind == simulator.SpanBlocked && int(s.Why) < len(blockTitles) {
		title = blockTitles[s.Why]
	}
	t.slice(title, "state", procPID(proc), t.entityTID(s.Entity), s.Start, s.End, args)

	if s.Core >= 0 && (s.Kind == simulator.SpanRunning || s.Kind == simulator.SpanSwitching) {
		if s.Entity >= t.known {
			t.pending = append(t.pending, s)
			return
		}
		t.coreSlice(s, t.labels[s.Entity])
	}
}

// ownWork writes a process's own work (start-up, a scheduler between
// units) on the process's own track and on its core.
func (t *TraceWriter) ownWork(s simulator.Span) {
	if s.Core < 0 || s.Process < 0 || s.Process >= len(t.procs) {
		return
	}
	proc := int32(s.Process)
	t.loopTID[proc] = true
	title := "start-up or scheduler"
	if s.Kind == simulator.SpanSwitching {
		title = spanTitles[s.Kind]
	}
	t.slice(title, "state", procPID(proc), t.loopThreadTID(proc), s.Start, s.End,
		[]string{"core", strconv.Itoa(s.Core), "gil", strconv.FormatBool(s.HasGIL)})
	t.coreSlice(s, t.procs[proc].Name+" (own work)")
}

func (t *TraceWriter) coreSlice(s simulator.Span, label string) {
	if s.Kind == simulator.SpanSwitching {
		t.slice("context switch", "core", coresPID, t.coreTID(s.Core), s.Start, s.End, []string{"to", jsonQuote(label)})
		return
	}
	t.slice(label, "core", coresPID, t.coreTID(s.Core), s.Start, s.End, []string{"gil", strconv.FormatBool(s.HasGIL)})
}

// Mark writes one instant. Pass it as simulator.Options.Mark.
func (t *TraceWriter) Mark(m simulator.Mark) {
	if int(m.Kind) >= len(markTitles) {
		return
	}
	proc, tid := int32(m.Process), 0
	switch {
	case m.Entity < 0:
		tid = t.loopThreadTID(proc)
		t.loopTID[proc] = true
	case m.Entity < t.known:
		proc, tid = t.procOf[m.Entity], t.entityTID(m.Entity)
	default:
		t.extra[m.Entity] = proc
		tid = t.entityTID(m.Entity)
	}
	t.begin()
	t.w.WriteString(`{"name":"`)
	t.w.WriteString(markTitles[m.Kind])
	t.w.WriteString(`","cat":"gil","ph":"i","s":"t","ts":`)
	writeMicros(t.w, m.At)
	t.ids(procPID(proc), tid)
	t.w.WriteString(`}`)
}

// begin separates events: one per line.
func (t *TraceWriter) begin() {
	if t.events > 0 {
		t.w.WriteByte(',')
	}
	t.w.WriteByte('\n')
	t.events++
}

func (t *TraceWriter) ids(pid, tid int) {
	t.w.WriteString(`,"pid":`)
	t.w.WriteString(strconv.Itoa(pid))
	t.w.WriteString(`,"tid":`)
	t.w.WriteString(strconv.Itoa(tid))
}

// slice writes a complete ("X") event. args alternate keys and JSON
// values.
func (t *TraceWriter) slice(name, cat string, pid, tid int, start, end int64, args []string) {
	t.begin()
	t.w.WriteString(`{"name":`)
	writeJSONString(t.w, name)
	t.w.WriteString(`,"cat":"`)
	t.w.WriteString(cat)
	t.w.WriteString(`","ph":"X","ts":`)
	writeMicros(t.w, start)
	t.w.WriteString(`,"dur":`)
	writeMicros(t.w, end-start)
	t.ids(pid, tid)
	if len(args) > 0 {
		t.w.WriteString(`,"args":{`)
		for i := 0; i+1 < len(args); i += 2 {
			if i > 0 {
				t.w.WriteByte(',')
			}
			t.w.WriteByte('"')
			t.w.WriteString(args[i])
			t.w.WriteString(`":`)
			t.w.WriteString(args[i+1])
		}
		t.w.WriteByte('}')
	}
	t.w.WriteByte('}')
}

// meta writes a metadata ("M") event naming or ordering a process or a
// track.
func (t *TraceWriter) meta(what string, pid, tid int, value string, sortIndex bool) {
	t.begin()
	t.w.WriteString(`{"name":"`)
	t.w.WriteString(what)
	t.w.WriteString(`","ph":"M"`)
	t.ids(pid, tid)
	if sortIndex {
		t.w.WriteString(`,"args":{"sort_index":`)
		t.w.WriteString(value)
	} else {
		t.w.WriteString(`,"args":{"name":`)
		writeJSONString(t.w, value)
	}
	t.w.WriteString(`}}`)
}

// Close writes the core slices that waited for names, the names of every
// process and track, and the end of the JSON document, then flushes. res
// must be the Result of the traced run. It returns the first error the
// underlying writer reported.
func (t *TraceWriter) Close(res *simulator.Result) error {
	if len(res.Tasks) < t.known {
		return errMismatch
	}
	for e, name := range t.names {
		if res.Tasks[e].Name != name {
			return errMismatch
		}
	}
	for _, s := range t.pending {
		if s.Entity < len(res.Tasks) {
			tr := res.Tasks[s.Entity]
			t.coreSlice(s, entityName(tr.Process, tr.Name))
		}
	}
	t.pending = nil

	t.meta("process_name", coresPID, 0, "cores", false)
	t.meta("process_sort_index", coresPID, 0, "0", true)
	for c := range t.ncores {
		t.meta("thread_name", coresPID, t.coreTID(c), "core "+strconv.Itoa(c), false)
		t.meta("thread_sort_index", coresPID, t.coreTID(c), strconv.Itoa(c), true)
	}
	for pi, p := range t.procs {
		pid := procPID(int32(pi))
		name := p.Name
		if p.Native {
			name += " (native task)"
		}
		t.meta("process_name", pid, 0, name, false)
		t.meta("process_sort_index", pid, 0, strconv.Itoa(pi+1), true)
		if t.loopTID[int32(pi)] {
			t.meta("thread_name", pid, t.loopThreadTID(int32(pi)), "own work (start-up, scheduler between tasks)", false)
			t.meta("thread_sort_index", pid, t.loopThreadTID(int32(pi)), "-1", true)
		}
	}
	for e, tr := range res.Tasks {
		proc, ok := int32(0), true
		if e < t.known {
			proc = t.procOf[e]
		} else {
			proc, ok = t.extra[e]
		}
		if !ok {
			continue // an engine-made entity that never did anything
		}
		name := tr.Name
		if tr.Kind != "thread" && tr.Kind != "task" {
			name += " (" + tr.Kind + ")"
		}
		t.meta("thread_name", procPID(proc), t.entityTID(e), name, false)
		t.meta("thread_sort_index", procPID(proc), t.entityTID(e), strconv.Itoa(e), true)
	}

	t.w.WriteString("\n],\"otherData\":{\"scenario\":")
	writeJSONString(t.w, res.Scenario)
	t.w.WriteString(`,"file":`)
	writeJSONString(t.w, res.File)
	t.w.WriteString(`,"makespan_ns":`)
	t.w.WriteString(strconv.FormatInt(res.Makespan, 10))
	t.w.WriteString("}}\n")
	return t.w.Flush() // bufio keeps the first error of the underlying writer
}

// writeMicros writes ns as microseconds with exactly three decimals.
func writeMicros(w *bufio.Writer, ns int64) {
	if ns < 0 {
		w.WriteByte('-')
		ns = -ns
	}
	w.WriteString(strconv.FormatInt(ns/1000, 10))
	frac := ns % 1000
	w.WriteByte('.')
	w.WriteByte(byte('0' + frac/100))
	w.WriteByte(byte('0' + frac/10%10))
	w.WriteByte(byte('0' + frac%10))
}

// jsonQuote is s as a JSON string.
func jsonQuote(s string) string {
	var b strings.Builder
	writeJSONString(&b, s)
	return b.String()
}

type byteStringWriter interface {
	WriteByte(byte) error
	WriteString(string) (int, error)
}

// writeJSONString writes s as a JSON string, by the rule of the JSON
// results: invalid UTF-8 becomes U+FFFD; control characters, the line
// separators JavaScript mishandles and what a terminal would act on or
// show as nothing (needsEscape) are escaped, so the string decodes to s.
func writeJSONString(w byteStringWriter, s string) {
	w.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case c < 0x20 || c == 0x7f:
				w.WriteString(`\u00`)
				w.WriteByte(hexDigits[c>>4])
				w.WriteByte(hexDigits[c&0xf])
			default:
				w.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			w.WriteString(`\ufffd`)
		case needsEscape(r):
			w.WriteString(string(appendJSONEscape(nil, r)))
		default:
			w.WriteString(s[i : i+size])
		}
		i += size
	}
	w.WriteByte('"')
}
