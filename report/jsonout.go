package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// jsonOut writes one JSON value as it goes, in the layout of
// encoding/json's Encoder with SetEscapeHTML(false): indented by two
// spaces after prefix (SetIndent(prefix, "  ")), or compact. Containers
// are opened and closed by hand; the small values inside them are
// encoded by encoding/json (value), and the strings and numbers of the
// large arrays written directly (str, int), byte for byte as
// encoding/json would. Output goes through escapeTerminalRunes.
//
// Output is appended to b and written to w by the chunk (flushSoon);
// the first write or encoding error is kept in err, and nothing more is
// written after it.
type jsonOut struct {
	w      io.Writer
	b      []byte
	indent bool
	prefix string // starts every line after the first
	open   []bool // per open container: whether it has a member yet
	pad    []byte // a new line at the current depth: "\n", prefix, "  " a level
	err    error

	// value's encoder, on buf, set for the depth encDepth
	enc      *json.Encoder
	buf      bytes.Buffer
	encDepth int
}

// jsonChunk is how much output jsonOut gathers before writing it.
const jsonChunk = 64 << 10

func newJSONOut(w io.Writer, indent bool, prefix string) *jsonOut {
	return &jsonOut{w: w, b: make([]byte, 0, jsonChunk+4<<10), indent: indent, prefix: prefix,
		pad: []byte("\n" + prefix), encDepth: -1}
}

// flushSoon writes the output gathered once it is a chunk long.
func (o *jsonOut) flushSoon() {
	if len(o.b) >= jsonChunk {
		o.flush()
	}
}

// flush writes the output gathered and returns the first error.
func (o *jsonOut) flush() error {
	if o.err == nil && len(o.b) > 0 {
		_, o.err = o.w.Write(o.b)
	}
	o.b = o.b[:0]
	return o.err
}

// newline starts a line at the current depth (indented output only).
func (o *jsonOut) newline() {
	if o.indent {
		o.b = append(o.b, o.pad...)
	}
}

// member comes before each member of the innermost container: a comma
// after the first, and a new line.
func (o *jsonOut) member() {
	top := &o.open[len(o.open)-1]
	if *top {
		o.b = append(o.b, ',')
	}
	*top = true
	o.newline()
}

func (o *jsonOut) beginObject() { o.begin('{') }
func (o *jsonOut) beginArray()  { o.begin('[') }
func (o *jsonOut) endObject()   { o.end('}') }
func (o *jsonOut) endArray()    { o.end(']') }

func (o *jsonOut) begin(c byte) {
	o.b = append(o.b, c)
	o.open = append(o.open, false)
	o.pad = append(o.pad, "  "...)
}

// end closes the innermost container; an empty one stays on its line
// ({} or []).
func (o *jsonOut) end(c byte) {
	some := o.open[len(o.open)-1]
	o.open = o.open[:len(o.open)-1]
	o.pad = o.pad[:len(o.pad)-2]
	if some {
		o.newline()
	}
	o.b = append(o.b, c)
	o.flushSoon()
}

// key starts an object's member. Keys are the field names of the
// contract, plain ASCII that JSON writes as it is.
func (o *jsonOut) key(k string) {
	o.member()
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
	if o.indent {
		o.b = append(o.b, ' ')
	}
}

// str writes s as a JSON string. Printable ASCII other than " and \ is
// written as it is, as encoding/json does; any other string is left to
// encoding/json and escapeTerminalRunes.
func (o *jsonOut) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			o.value(s)
			return
		}
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, s...)
	o.b = append(o.b, '"')
}

func (o *jsonOut) int(n int64) { o.b = strconv.AppendInt(o.b, n, 10) }

// intField is a key and its whole number, for ints.
type intField struct {
	k string
	v int64
}

// strField is a key and its string, for strs.
type strField struct{ k, v string }

// strs writes each of fs as a key and its string, in order.
func (o *jsonOut) strs(fs ...strField) {
	for _, f := range fs {
		o.key(f.k)
		o.str(f.v)
	}
}

// ints writes each of fs as a key and its number, in order.
func (o *jsonOut) ints(fs ...intField) {
	for _, f := range fs {
		o.key(f.k)
		o.int(f.v)
	}
}

func (o *jsonOut) bool(b bool) { o.b = strconv.AppendBool(o.b, b) }

// value writes v as encoding/json encodes it, indented for the current
// depth.
func (o *jsonOut) value(v any) {
	if o.enc == nil || o.encDepth != len(o.open) {
		o.enc = json.NewEncoder(&o.buf)
		o.enc.SetEscapeHTML(false)
		if o.indent {
			o.enc.SetIndent(o.prefix+strings.Repeat("  ", len(o.open)), "  ")
		}
		o.encDepth = len(o.open)
	}
	o.buf.Reset()
	if err := o.enc.Encode(v); err != nil {
		if o.err == nil {
			o.err = err
		}
		return
	}
	o.b = append(o.b, escapeTerminalRunes(bytes.TrimSuffix(o.buf.Bytes(), []byte("\n")))...)
}

// writeRun writes run as a jsonRun, its fields in the struct's order.
func (o *jsonOut) writeRun(run Run) {
	r := run.Result
	o.beginObject()
	o.key("scenario")
	o.str(r.Scenario)
	o.key("file")
	o.str(r.File)
	o.key("makespan_ns")
	o.int(r.Makespan)
	o.key("utilization")
	o.value(decimal3(r.Utilization))
	o.ints(intField{"events", r.Events}, intField{"memory_peak_bytes", r.MemoryPeak})

	o.key("tasks")
	o.beginArray()
	for i := range r.Tasks {
		o.member()
		o.task(jsonTaskOf(&r.Tasks[i]))
	}
	o.endArray()

	o.key("processes")
	o.beginArray()
	spans := processMakespans(r)
	for i := range r.Processes {
		o.member()
		p := jsonProcessOf(&r.Processes[i], spans[i])
		if len(p.Locks) > 0 {
			o.value(p)
		} else {
			o.process(p)
		}
	}
	o.endArray()

	o.key("cores")
	o.beginArray()
	for _, c := range r.Cores {
		o.member()
		o.value(jsonCore{ID: c.ID, BusyNS: c.Busy})
	}
	o.endArray()
	o.key("expectations")
	o.beginArray()
	for i := range r.Expectations {
		o.member()
		o.value(jsonExpectOf(&r.Expectations[i]))
	}
	o.endArray()

	o.ints(intField{"cpu_ns", r.CPUTime}, intField{"switch_ns", r.SwitchTime}, intField{"context_switches", r.ContextSwitches})
	o.key("warnings")
	o.beginArray()
	for i := range r.Warnings {
		o.member()
		o.value(jsonWarningOf(&r.Warnings[i]))
	}
	o.endArray()
	o.key("deadlock")
	o.value(jsonDeadlockOf(r.Deadlock))
	o.key("failure")
	o.value(jsonFailureOf(r.Failure))

	o.key("groups")
	o.beginArray()
	for _, g := range jsonGroups(r) {
		o.member()
		o.group(g)
	}
	o.endArray()

	if len(run.Params) > 0 {
		o.key("params")
		o.value(jsonParams(run.Params))
	}
	o.endObject()
}

// task writes t as encoding/json writes a jsonTask.
func (o *jsonOut) task(t jsonTask) {
	o.beginObject()
	o.strs(strField{"name", t.Name}, strField{"kind", t.Kind}, strField{"process", t.Process})
	o.ints(
		intField{"arrival_ns", t.ArrivalNS}, intField{"start_ns", t.StartNS}, intField{"finish_ns", t.FinishNS},
		intField{"turnaround_ns", t.TurnaroundNS}, intField{"cpu_ns", t.CPUNS}, intField{"wait_ns", t.WaitNS},
		intField{"gil_wait_ns", t.GILWaitNS}, intField{"io_ns", t.IONS}, intField{"switches", t.Switches},
		intField{"lock_wait_ns", t.LockWaitNS},
	)
	o.key("group")
	o.str(t.Group)
	o.key("finished")
	o.bool(t.Finished)
	o.endObject()
}

// process writes p, which has no locks (an omitted field), as
// encoding/json writes a jsonProcess.
func (o *jsonOut) process(p jsonProcess) {
	o.beginObject()
	o.key("name")
	o.str(p.Name)
	o.ints(
		intField{"gil_handoffs", p.GILHandoffs}, intField{"gil_forced_switches", p.GILForcedSwitches},
		intField{"gil_wait_ns", p.GILWaitNS}, intField{"memory_peak_bytes", p.MemoryPeakBytes},
		intField{"loop_lag_max_ns", p.LoopLagMaxNS}, intField{"loop_stall_max_ns", p.LoopStallMaxNS},
		intField{"loop_lag_mean_ns", p.LoopLagMeanNS},
	)
	o.key("group")
	o.str(p.Group)
	o.key("native")
	o.bool(p.Native)
	o.key("makespan_ns")
	o.int(p.MakespanNS)
	o.endObject()
}

// group writes g as encoding/json writes a jsonGroup.
func (o *jsonOut) group(g jsonGroup) {
	o.beginObject()
	o.strs(strField{"name", g.Name}, strField{"kind", g.Kind}, strField{"process", g.Process})
	o.ints(
		intField{"tasks", int64(g.Tasks)}, intField{"finished", int64(g.Finished)},
		intField{"latency_p50_ns", g.LatencyP50NS}, intField{"latency_p90_ns", g.LatencyP90NS},
		intField{"latency_p99_ns", g.LatencyP99NS}, intField{"latency_max_ns", g.LatencyMaxNS},
	)
	o.key("throughput_per_s")
	o.value(g.ThroughputPerS)
	o.endObject()
}
