package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/longtest"
	"github.com/gilsim/gilsim/simulator"
)

// traceEvent is one event of a Chrome trace, as a viewer reads it.
type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	S    string          `json:"s"`
	TS   json.Number     `json:"ts"`
	Dur  json.Number     `json:"dur"`
	PID  *int            `json:"pid"`
	TID  *int            `json:"tid"`
	Args json.RawMessage `json:"args"`
}

type traceFile struct {
	DisplayTimeUnit string       `json:"displayTimeUnit"`
	TraceEvents     []traceEvent `json:"traceEvents"`
	OtherData       struct {
		Scenario   string `json:"scenario"`
		File       string `json:"file"`
		MakespanNS int64  `json:"makespan_ns"`
	} `json:"otherData"`
}

// writeTrace runs a scenario file with a TraceWriter attached.
func writeTrace(t testing.TB, path string) ([]byte, *simulator.Result) {
	t.Helper()
	sc, err := dsl.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	tw := NewTraceWriter(&b, sc)
	res, err := simulator.Run(sc, simulator.Options{Trace: tw.Span, Mark: tw.Mark})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(res); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), res
}

// micros reads a microsecond value with up to three decimals as exact
// nanoseconds.
func micros(t *testing.T, n json.Number) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(string(n), ".")
	if len(frac) > 3 {
		t.Fatalf("%s: more than three decimals", n)
	}
	frac += strings.Repeat("0", 3-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("%s: %v", n, err)
	}
	return w*1000 + f
}

// checkTrace checks the structure of a trace: every slice inside
// [0, makespan], every track and process used named exactly once.
func checkTrace(t *testing.T, data []byte, res *simulator.Result) traceFile {
	t.Helper()
	var tf traceFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tf); err != nil {
		t.Fatalf("not a trace: %v", err)
	}
	if tf.OtherData.MakespanNS != res.Makespan {
		t.Errorf("otherData.makespan_ns = %d, want %d", tf.OtherData.MakespanNS, res.Makespan)
	}
	type track struct{ pid, tid int }
	type interval struct{ start, end int64 }
	slices := map[track][]interval{}
	used := map[track]bool{}
	usedProc := map[int]bool{}
	threadNames := map[track]int{}
	procNames := map[int]int{}
	for i, ev := range tf.TraceEvents {
		if ev.PID == nil || ev.TID == nil {
			t.Fatalf("event %d has no pid or tid: %+v", i, ev)
		}
		k := track{*ev.PID, *ev.TID}
		switch ev.Ph {
		case "X":
			ts, d := micros(t, ev.TS), micros(t, ev.Dur)
			if ts < 0 || d <= 0 || ts+d > res.Makespan {
				t.Errorf("slice %q [%d, %d) ns lies outside [0, %d]", ev.Name, ts, ts+d, res.Makespan)
			}
			used[k], usedProc[k.pid] = true, true
			slices[k] = append(slices[k], interval{ts, ts + d})
		case "i":
			if ev.S != "t" {
				t.Errorf("instant %q has scope %q, want t", ev.Name, ev.S)
			}
			if at := micros(t, ev.TS); at < 0 || at > res.Makespan {
				t.Errorf("instant %q at %d ns lies outside [0, %d]", ev.Name, at, res.Makespan)
			}
			used[k], usedProc[k.pid] = true, true
		case "M":
			var args struct {
				Name      *string `json:"name"`
				SortIndex *int    `json:"sort_index"`
			}
			if err := json.Unmarshal(ev.Args, &args); err != nil {
				t.Fatalf("metadata %q: %v", ev.Name, err)
			}
			switch ev.Name {
			case "thread_name":
				threadNames[k]++
			case "process_name":
				procNames[k.pid]++
			case "thread_sort_index", "process_sort_index":
				if args.SortIndex == nil {
					t.Errorf("%s without sort_index", ev.Name)
				}
				continue
			default:
				t.Errorf("unexpected metadata %q", ev.Name)
			}
			if args.Name == nil || *args.Name == "" {
				t.Errorf("%s without a name", ev.Name)
			}
		default:
			t.Errorf("unexpected phase %q in %+v", ev.Ph, ev)
		}
	}
	// Viewers drop slices that overlap without nesting; on a track of
	// gilsim's they never overlap at all.
	for k, iv := range slices {
		sort.Slice(iv, func(i, j int) bool { return iv[i].start < iv[j].start })
		for i := 1; i < len(iv); i++ {
			if iv[i].start < iv[i-1].end {
				t.Errorf("track pid %d tid %d: slices [%d, %d) and [%d, %d) overlap", k.pid, k.tid, iv[i-1].start, iv[i-1].end, iv[i].start, iv[i].end)
				break
			}
		}
	}
	for k := range used {
		if threadNames[k] != 1 {
			t.Errorf("track pid %d tid %d has %d thread_name events, want 1", k.pid, k.tid, threadNames[k])
		}
	}
	for k, n := range threadNames {
		if n != 1 {
			t.Errorf("track pid %d tid %d named %d times", k.pid, k.tid, n)
		}
	}
	for pid := range usedProc {
		if procNames[pid] != 1 {
			t.Errorf("process %d has %d process_name events, want 1", pid, procNames[pid])
		}
	}
	return tf
}

func TestTraceStructure(t *testing.T) {
	files, _ := filepath.Glob("testdata/timeline/*.sim")
	more, _ := filepath.Glob("../scenarios/*/*.sim")
	for _, f := range append(files, more...) {
		if strings.Contains(f, "30k") {
			continue // 60,000 tasks: seconds of engine time, a 60 MB trace
		}
		if strings.Contains(f, "calibration/e10-") && !longtest.Enabled {
			continue // 10^5 switches and more: seconds of tracing (go test -tags long)
		}
		t.Run(f, func(t *testing.T) {
			if _, err := dsl.ParseFile(f); err != nil {
				t.Skipf("does not parse (the scenarios' own test reports it): %v", err)
			}
			data, res := writeTrace(t, f)
			checkTrace(t, data, res)
		})
	}
}

// TestTraceGIL checks the instants of a GIL scenario: drop requests and
// forced drops on the tracks of the threads involved.
func TestTraceGIL(t *testing.T) {
	data, res := writeTrace(t, "testdata/timeline/gil.sim")
	tf := checkTrace(t, data, res)
	count := map[string]int{}
	names := map[[2]int]string{}
	for _, ev := range tf.TraceEvents {
		switch ev.Ph {
		case "i", "X":
			count[ev.Ph+" "+ev.Name]++
		case "M":
			if ev.Name == "thread_name" {
				var a struct{ Name string }
				json.Unmarshal(ev.Args, &a)
				names[[2]int{*ev.PID, *ev.TID}] = a.Name
			}
		}
	}
	for _, want := range []string{"i GIL drop request", "i forced GIL drop", "i GIL hand-off",
		"X running", "X waiting for the GIL", "X sleeping", "X app/cpu#1", "X late"} {
		if count[want] == 0 {
			t.Errorf("no %q events; have %v", want, count)
		}
	}
	if int64(count["i forced GIL drop"]) != res.Processes[0].GILForcedSwitches {
		t.Errorf("%d forced drop instants, the result counts %d", count["i forced GIL drop"], res.Processes[0].GILForcedSwitches)
	}
	for _, want := range []string{"core 0", "core 1", "cpu#1", "cpu#2", "io", "late"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("no track named %q; have %v", want, names)
		}
	}
}

// TestTraceParked checks that a coroutine's awaits show as slices of their
// own (the engine says why; a gap would show as parked).
func TestTraceParked(t *testing.T) {
	data, res := writeTrace(t, "testdata/timeline/asyncio.sim")
	tf := checkTrace(t, data, res)
	parked := int64(0)
	for _, ev := range tf.TraceEvents {
		if ev.Ph == "X" && (ev.Name == "parked" || ev.Name == "blocked in io" || ev.Name == "waiting for offloaded work") {
			parked += micros(t, ev.Dur)
		}
	}
	// Three coroutines await 10ms of io each; the job waits for its worker.
	if parked < 30_000_000 {
		t.Errorf("%d ns parked in all, want at least 30ms", parked)
	}
}

func TestTraceWriteError(t *testing.T) {
	sc, err := dsl.ParseFile("testdata/timeline/gil.sim")
	if err != nil {
		t.Fatal(err)
	}
	tw := NewTraceWriter(failingWriter{}, sc)
	res, err := simulator.Run(sc, simulator.Options{Trace: tw.Span, Mark: tw.Mark})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(res); err == nil {
		t.Error("Close reported no error from a failing writer")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestTraceEscapesNames(t *testing.T) {
	data, res := writeTrace(t, "testdata/html/evil.sim")
	checkTrace(t, data, res)
	if !bytes.Contains(data, []byte(`"name":"t\"onload=alert(2)"`)) {
		t.Errorf("the quote in a thread name is not escaped:\n%s", data)
	}
}

func TestTraceOverlap(t *testing.T) {
	var b bytes.Buffer
	tw := NewTraceWriter(&b, oneTask())
	tw.Span(simulator.Span{Entity: 0, Kind: simulator.SpanRunning, Core: 0, Start: 10_000, End: 20_000})
	tw.Span(simulator.Span{Entity: 0, Kind: simulator.SpanReady, Core: -1, Start: 0, End: 30_000})
	res := &simulator.Result{Makespan: 30_000, Tasks: []simulator.TaskResult{{Name: "p", Kind: "task", Process: "p"}}}
	if err := tw.Close(res); err != nil {
		t.Fatal(err)
	}
	tf := checkTrace(t, b.Bytes(), res)
	for _, ev := range tf.TraceEvents {
		if ev.Name == "waiting for a core" && (micros(t, ev.TS) != 20_000 || micros(t, ev.Dur) != 10_000) {
			t.Errorf("ready slice at %s for %s µs; want 20 and 10", ev.TS, ev.Dur)
		}
	}
}

// TestTraceOwnWork: a process's own work (its start-up, then its main
// thread's Thread.start of "w" and w's bootstrap) is on a track of the
// process's own and on its core, labelled with the process: 20 ms of
// start-up, the CPU part of thread_start (the rest is the two wake-ups of
// the hand-shake between the main thread and the new one, and the
// bootstrap up to start()'s Event, which the new thread runs) and the
// whole bootstrap, each.
func TestTraceOwnWork(t *testing.T) {
	data, res := writeTrace(t, "testdata/timeline/startup.sim")
	tf := checkTrace(t, data, res)
	var own, core int64
	for _, ev := range tf.TraceEvents {
		if ev.Ph != "X" {
			continue
		}
		switch {
		case ev.Name == "start-up or scheduler" && *ev.PID >= 2:
			own += micros(t, ev.Dur)
		case strings.HasSuffix(ev.Name, " (own work)") && *ev.PID == 1:
			core += micros(t, ev.Dur)
		}
	}
	m := simulator.DefaultMachine()
	want := 2 * (20_000_000 + m.ThreadStart - 2*m.WakeupLatency + m.ThreadBootstrapTail)
	if own != want || core != want {
		t.Errorf("own work of %d ns on the processes' tracks and %d on the cores, want %d", own, core, want)
	}
}
