package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// referenceRun is run as a jsonRun, every array filled: what encoding/json
// would be given if it wrote the document whole.
func referenceRun(run Run) jsonRun {
	r := run.Result
	out := jsonResult{
		Scenario: r.Scenario, File: r.File, MakespanNS: r.Makespan, Utilization: decimal3(r.Utilization),
		Events: r.Events, MemoryPeakBytes: r.MemoryPeak,
		Tasks:        make([]jsonTask, len(r.Tasks)),
		Processes:    make([]jsonProcess, len(r.Processes)),
		Cores:        make([]jsonCore, len(r.Cores)),
		Expectations: make([]jsonExpect, len(r.Expectations)),
		CPUNS:        r.CPUTime, SwitchNS: r.SwitchTime, ContextSwitches: r.ContextSwitches,
		Warnings: make([]jsonWarning, len(r.Warnings)),
		Deadlock: jsonDeadlockOf(r.Deadlock),
		Failure:  jsonFailureOf(r.Failure),
		Groups:   jsonGroups(r),
	}
	for i := range r.Tasks {
		out.Tasks[i] = jsonTaskOf(&r.Tasks[i])
	}
	spans := processMakespans(r)
	for i := range r.Processes {
		out.Processes[i] = jsonProcessOf(&r.Processes[i], spans[i])
	}
	for i, c := range r.Cores {
		out.Cores[i] = jsonCore{ID: c.ID, BusyNS: c.Busy}
	}
	for i := range r.Expectations {
		out.Expectations[i] = jsonExpectOf(&r.Expectations[i])
	}
	for i := range r.Warnings {
		out.Warnings[i] = jsonWarningOf(&r.Warnings[i])
	}
	return jsonRun{jsonResult: out, Params: run.Params}
}

// referenceEncode encodes v with encoding/json as the writers' contract
// says: no HTML escaping, indented after prefix (or compact), terminal
// runes escaped.
func referenceEncode(t *testing.T, v any, indent bool, prefix string) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent(prefix, "  ")
	}
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return escapeTerminalRunes(b.Bytes())
}

// oddResult: strings that encoding/json escapes or keeps in every way
// (HTML characters, U+2028, invalid UTF-8, DEL, non-ASCII, astral runes),
// a process with locks, loop metrics and a NaN utilization.
func oddResult() *simulator.Result {
	r := groupedResult()
	r.Scenario = "<b>&amp;</b> \u2028\u2029 caf\u00e9 \U0001F600 \xff\xfe \x7f \"q\" \\"
	r.File = "dir/<x>.sim"
	r.Tasks[0].Name = "t<1>&\u00e9"
	r.Tasks[0].Group = "t<1>&\u00e9"
	r.Tasks[1].Kind = "k\u0085"
	// (each alone in its string: DEL, a quote and a backslash, a control)
	r.Tasks[1].Name, r.Tasks[2].Name, r.Tasks[3].Name = "del\x7f", `q"\`, "c\x01"
	r.Processes[0].Locks = []simulator.LockResult{{Name: "L<&>", Wait: 5, Contended: 2}}
	r.Warnings = []simulator.Warning{{Pos: simulator.Pos{Line: 2, Col: 7}, Entity: "e\u200b", Process: "p\u00a0", Message: "m\x01\x1f"}}
	r.Expectations = append(r.Expectations, simulator.ExpectResult{Text: "x", Err: "bad \"thing\"", Pos: simulator.Pos{Line: 9}})
	r.Failure = &simulator.Failure{Time: 3, Message: "\u202e"}
	return r
}

// TestJSONWriterMatchesEncoding: the streaming writer writes the bytes
// encoding/json writes for the whole jsonRun, in the three layouts (one
// object, an array's elements, a compact line).
func TestJSONWriterMatchesEncoding(t *testing.T) {
	runs := append(sweepRuns(),
		Run{Result: basicResult()}, Run{Result: groupedResult()}, Run{Result: evilResult()}, Run{Result: oddResult()},
		Run{Result: &simulator.Result{Scenario: "empty"}},
		Run{Result: oddResult(), RunID: RunID{Params: []Param{{"n<", " 4 ", true}, {"s\u2028", "1e3", true}, {"v", "x&y", false}}}},
	)
	for i, run := range runs {
		var one, line bytes.Buffer
		if err := JSONRuns(&one, []Run{run}); err != nil {
			t.Fatal(err)
		}
		if want := referenceEncode(t, referenceRun(run), true, ""); !bytes.Equal(one.Bytes(), want) {
			t.Errorf("run %d (%q): JSON differs from encoding/json\n--- got\n%s\n--- want\n%s", i, run.Result.Scenario, one.Bytes(), want)
		}
		if err := JSONLine(&line, run); err != nil {
			t.Fatal(err)
		}
		if want := referenceEncode(t, referenceRun(run), false, ""); !bytes.Equal(line.Bytes(), want) {
			t.Errorf("run %d (%q): JSON line differs from encoding/json\n--- got\n%s\n--- want\n%s", i, run.Result.Scenario, line.Bytes(), want)
		}
	}
	var all bytes.Buffer
	if err := JSONRuns(&all, runs); err != nil {
		t.Fatal(err)
	}
	ref := make([]jsonRun, len(runs))
	for i, run := range runs {
		ref[i] = referenceRun(run)
	}
	if want := referenceEncode(t, ref, true, ""); !bytes.Equal(all.Bytes(), want) {
		t.Errorf("an array of runs differs from encoding/json\n--- got\n%s\n--- want\n%s", all.Bytes(), want)
	}
}
