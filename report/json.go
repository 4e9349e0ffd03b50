package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gilsim/gilsim/simulator"
)

// JSON writes results in the JSON contract of docs/language.md: one object for
// one result, an array for any other number (several files, or none). The
// contract's fields come first and in its order; the extra fields follow.
// Output is indented by two spaces and ends with a newline.
func JSON(w io.Writer, rs []*simulator.Result) error {
	runs := make([]Run, len(rs))
	for i, r := range rs {
		runs[i] = Run{Result: r}
	}
	return JSONRuns(w, runs)
}

// escapeTerminalRunes writes the non-ASCII characters that a terminal may
// act on or show as nothing (DEL, C1 controls, bidi overrides, invisible
// characters; see needsEscape) as \uXXXX, so that JSON shown with cat is
// as safe as the tables. encoding/json has already escaped the other
// ASCII controls and U+2028/U+2029. Outside strings JSON is pure ASCII, so every such
// rune stands inside a string, where \uXXXX means the same character: the
// document is unchanged for a parser.
func escapeTerminalRunes(b []byte) []byte {
	var out []byte
	done := 0 // b[:done] is already in out
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf && b[i] != 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if needsEscape(r) {
			out = append(out, b[done:i]...)
			out = appendJSONEscape(out, r)
			done = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}

// appendJSONEscape appends r as a JSON escape: \uXXXX, or a UTF-16
// surrogate pair past U+FFFF (JSON has no longer escape).
func appendJSONEscape(out []byte, r rune) []byte {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
	}
	return fmt.Appendf(out, `\u%04x`, r)
}

// The JSON of a run is written as it is made, field by field and element
// by element, by jsonOut (writeRun), not built whole in memory and then
// indented: at 100,000 tasks the document is tens of megabytes. Its bytes
// are those of encoding/json (SetEscapeHTML(false), and SetIndent for the
// indented forms) encoding a jsonRun, then escapeTerminalRunes;
// TestJSONWriterMatchesEncoding holds the two to the same output.

// jsonResult is one run. Field order is the contract's; do not reorder
// (writeRun writes the fields in this order).
type jsonResult struct {
	Scenario        string        `json:"scenario"`
	File            string        `json:"file"`
	MakespanNS      int64         `json:"makespan_ns"`
	Utilization     decimal3      `json:"utilization"`
	Events          int64         `json:"events"`
	MemoryPeakBytes int64         `json:"memory_peak_bytes"`
	Tasks           []jsonTask    `json:"tasks"`
	Processes       []jsonProcess `json:"processes"`
	Cores           []jsonCore    `json:"cores"`
	Expectations    []jsonExpect  `json:"expectations"`
	// Extras.
	CPUNS           int64         `json:"cpu_ns"`
	SwitchNS        int64         `json:"switch_ns"`
	ContextSwitches int64         `json:"context_switches"`
	Warnings        []jsonWarning `json:"warnings"`
	Deadlock        *jsonDeadlock `json:"deadlock"`
	Failure         *jsonFailure  `json:"failure"`
	Groups          []jsonGroup   `json:"groups"`
}

// jsonGroup is the latency distribution of one row of the task table: a
// replica group, or a task of its own.
type jsonGroup struct {
	Name           string   `json:"name"`
	Kind           string   `json:"kind"`
	Process        string   `json:"process"`
	Tasks          int      `json:"tasks"`
	Finished       int      `json:"finished"`
	LatencyP50NS   int64    `json:"latency_p50_ns"`
	LatencyP90NS   int64    `json:"latency_p90_ns"`
	LatencyP99NS   int64    `json:"latency_p99_ns"`
	LatencyMaxNS   int64    `json:"latency_max_ns"`
	ThroughputPerS decimal3 `json:"throughput_per_s"`
}

type jsonLock struct {
	Name      string `json:"name"`
	WaitNS    int64  `json:"wait_ns"`
	Contended int64  `json:"contended"`
}

type jsonTask struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Process      string `json:"process"`
	ArrivalNS    int64  `json:"arrival_ns"`
	StartNS      int64  `json:"start_ns"`
	FinishNS     int64  `json:"finish_ns"`
	TurnaroundNS int64  `json:"turnaround_ns"`
	CPUNS        int64  `json:"cpu_ns"`
	WaitNS       int64  `json:"wait_ns"`
	GILWaitNS    int64  `json:"gil_wait_ns"`
	IONS         int64  `json:"io_ns"`
	Switches     int64  `json:"switches"`
	// Extras.
	LockWaitNS int64  `json:"lock_wait_ns"`
	Group      string `json:"group"`
	Finished   bool   `json:"finished"`
}

type jsonProcess struct {
	Name              string `json:"name"`
	GILHandoffs       int64  `json:"gil_handoffs"`
	GILForcedSwitches int64  `json:"gil_forced_switches"`
	GILWaitNS         int64  `json:"gil_wait_ns"`
	MemoryPeakBytes   int64  `json:"memory_peak_bytes"`
	LoopLagMaxNS      int64  `json:"loop_lag_max_ns"`
	LoopStallMaxNS    int64  `json:"loop_stall_max_ns"`
	// Extras.
	LoopLagMeanNS int64      `json:"loop_lag_mean_ns"`
	Group         string     `json:"group"`
	Native        bool       `json:"native"`
	MakespanNS    int64      `json:"makespan_ns"`
	Locks         []jsonLock `json:"locks,omitempty"`
}

type jsonCore struct {
	ID     int   `json:"id"`
	BusyNS int64 `json:"busy_ns"`
}

type jsonExpect struct {
	Text   string `json:"text"`
	OK     bool   `json:"ok"`
	Actual string `json:"actual"`
	// Extras.
	Line  int32  `json:"line"`
	Error string `json:"error,omitempty"`
}

type jsonWarning struct {
	Line    int32  `json:"line"`
	Col     int32  `json:"col"`
	Process string `json:"process"`
	Entity  string `json:"entity"`
	Message string `json:"message"`
}

type jsonDeadlock struct {
	TimeNS  int64    `json:"time_ns"`
	Blocked []string `json:"blocked"`
	Locks   []string `json:"locks"`
}

type jsonFailure struct {
	TimeNS  int64  `json:"time_ns"`
	Entity  string `json:"entity"`
	Message string `json:"message"`
}

// decimal3 is a number written with at most three decimals, rounded half
// away from zero, and always with a decimal point (0.0, 81.25), so that
// readers see a float whatever its value. NaN and infinities, which JSON
// cannot carry, are written as 0.0.
type decimal3 float64

func (d decimal3) MarshalJSON() ([]byte, error) {
	v := float64(d)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	v = math.Round(v*1000) / 1000
	if v == 0 {
		v = 0 // no "-0"
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return []byte(s), nil
}

// jsonTaskOf is task t as JSON: never-reached instants are -1.
func jsonTaskOf(t *simulator.TaskResult) jsonTask {
	start, finish, around := t.Start, t.Finish, t.Turnaround
	if start < 0 {
		start = -1
	}
	if finish < 0 {
		finish, around = -1, -1
	}
	return jsonTask{
		Name: t.Name, Kind: t.Kind, Process: t.Process,
		ArrivalNS: t.Arrival, StartNS: start, FinishNS: finish, TurnaroundNS: around,
		CPUNS: t.CPU, WaitNS: t.Wait, GILWaitNS: t.GILWait, IONS: t.IO, Switches: t.Switches,
		LockWaitNS: t.LockWait, Group: groupOf(t.Group, t.Name), Finished: t.Finished,
	}
}

// jsonProcessOf is process p as JSON; makespan is its processMakespans
// (0 for a process without tasks).
func jsonProcessOf(p *simulator.ProcessResult, makespan int64) jsonProcess {
	if makespan == noTasks {
		makespan = 0
	}
	out := jsonProcess{
		Name: p.Name, GILHandoffs: p.GILHandoffs, GILForcedSwitches: p.GILForcedSwitches,
		GILWaitNS: p.GILWait, MemoryPeakBytes: p.MemoryPeak,
		LoopLagMaxNS: p.LoopLagMax, LoopStallMaxNS: p.LoopStallMax,
		LoopLagMeanNS: p.LoopLagMean, Group: groupOf(p.Group, p.Name), Native: p.Native,
		MakespanNS: makespan,
	}
	for _, l := range p.Locks {
		out.Locks = append(out.Locks, jsonLock{Name: l.Name, WaitNS: l.Wait, Contended: l.Contended})
	}
	return out
}

// jsonGroups are the latency rows of a run, each task table row (replica
// groups collapsed) one.
func jsonGroups(r *simulator.Result) []jsonGroup {
	out := []jsonGroup{}
	for _, g := range latencyGroups(groupTasks(r, false), false) {
		out = append(out, jsonGroup{
			Name: g.name, Kind: g.kind, Process: g.process, Tasks: g.lat.Tasks, Finished: g.lat.Finished,
			LatencyP50NS: g.lat.P50, LatencyP90NS: g.lat.P90, LatencyP99NS: g.lat.P99, LatencyMaxNS: g.lat.Max,
			ThroughputPerS: decimal3(g.lat.Throughput),
		})
	}
	return out
}

func jsonExpectOf(e *simulator.ExpectResult) jsonExpect {
	return jsonExpect{Text: e.Text, OK: e.OK, Actual: e.Actual, Line: e.Pos.Line, Error: e.Err}
}

func jsonWarningOf(wr *simulator.Warning) jsonWarning {
	return jsonWarning{Line: wr.Pos.Line, Col: wr.Pos.Col, Process: wr.Process, Entity: wr.Entity, Message: wr.Message}
}

// jsonDeadlockOf is the deadlock of a run, nil for none.
func jsonDeadlockOf(d *simulator.Deadlock) *jsonDeadlock {
	if d == nil {
		return nil
	}
	return &jsonDeadlock{TimeNS: d.Time, Blocked: nonNil(d.BlockedStrings()), Locks: nonNil(d.LockStrings())}
}

// jsonFailureOf is the failure of a run, nil for none.
func jsonFailureOf(f *simulator.Failure) *jsonFailure {
	if f == nil {
		return nil
	}
	return &jsonFailure{TimeNS: f.Time, Entity: f.Entity, Message: f.Message}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MarshalJSON encodes v (with Go's encoding/json, indented by indent after
// prefix when indent is not empty) by the JSON rule of the package
// comment, for JSON documents the CLI builds itself: <, > and & as
// themselves, and what a terminal would act on as JSON escapes.
func MarshalJSON(v any, prefix, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent(prefix, indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeTerminalRunes(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}
