package report

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

func TestReplicaLabel(t *testing.T) {
	cases := []struct {
		group string
		names []string
		want  string
	}{
		{"w", []string{"w#1", "w#2", "w#3", "w#4"}, "w#1..4"},
		{"w", []string{"w#1", "w#2", "w#1", "w#2"}, "w#1..2"},
		{"w", []string{"w#10", "w#9"}, "w#9..10"},
		{"w", []string{"w#2"}, "w#2"},
		{"main", []string{"main", "main"}, "main"},
		{"w", []string{"w#1", "w#x"}, "w#1..w#x"},
		{"w#1", []string{"w#1#1", "w#1#2"}, "w#1#1..2"},
	}
	for _, c := range cases {
		if got := replicaLabel(c.group, c.names); got != c.want {
			t.Errorf("replicaLabel(%q, %q) = %q, want %q", c.group, c.names, got, c.want)
		}
	}
}

func TestSpan(t *testing.T) {
	cases := []struct {
		in   []int64
		want string
	}{
		{[]int64{5 * ms, 5 * ms}, "5ms"},
		{[]int64{7 * ms, 2 * ms, 5 * ms}, "2ms–7ms"},
		{[]int64{0, 1500}, "0–1.5us"},
		{[]int64{-1, -1}, "-"},
		{[]int64{-1, 3 * ms, -1}, "3ms (2 never)"},
	}
	for _, c := range cases {
		if got := span(c.in); got != c.want {
			t.Errorf("span(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDecimal3(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "0.0"},
		{100, "100.0"},
		{98.52249, "98.522"},
		{98.5225, "98.523"},
		{200.0 / 3, "66.667"},
		{-0.0001, "0.0"},
		{math.NaN(), "0.0"},
		{math.Inf(1), "0.0"},
		{12.5, "12.5"},
	}
	for _, c := range cases {
		b, err := decimal3(c.in).MarshalJSON()
		if err != nil || string(b) != c.want {
			t.Errorf("decimal3(%g) = %s, %v; want %s", c.in, b, err, c.want)
		}
	}
}

// keyOrder returns the keys of the JSON object in data, in order, and for
// each contract array the keys of its first element.
func keyOrder(t *testing.T, data []byte) (top []string, nested map[string][]string) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	top = objectKeys(t, data)
	nested = map[string][]string{}
	for _, k := range []string{"tasks", "processes", "cores", "expectations"} {
		var elems []json.RawMessage
		if err := json.Unmarshal(raw[k], &elems); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if len(elems) > 0 {
			nested[k] = objectKeys(t, elems[0])
		}
	}
	return top, nested
}

func objectKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestJSONContractOrder checks the field names and order that docs/language.md
// fixes; extra fields may only come after them.
func TestJSONContractOrder(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, []*simulator.Result{basicResult()}); err != nil {
		t.Fatal(err)
	}
	top, nested := keyOrder(t, b.Bytes())
	want := map[string][]string{
		"": {"scenario", "file", "makespan_ns", "utilization", "events", "memory_peak_bytes",
			"tasks", "processes", "cores", "expectations"},
		"tasks": {"name", "kind", "process", "arrival_ns", "start_ns", "finish_ns", "turnaround_ns",
			"cpu_ns", "wait_ns", "gil_wait_ns", "io_ns", "switches"},
		"processes": {"name", "gil_handoffs", "gil_forced_switches", "gil_wait_ns",
			"memory_peak_bytes", "loop_lag_max_ns", "loop_stall_max_ns"},
		"cores":        {"id", "busy_ns"},
		"expectations": {"text", "ok", "actual"},
	}
	nested[""] = top
	for k, w := range want {
		got := nested[k]
		if len(got) < len(w) || !reflect.DeepEqual(got[:len(w)], w) {
			t.Errorf("keys of %q = %v, want them to start with %v", k, got, w)
		}
	}
}

func TestJSONShapes(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	if b.String() != "[]\n" {
		t.Errorf("no results: got %q, want []", b.String())
	}
	b.Reset()
	if err := JSON(&b, []*simulator.Result{{Scenario: "empty"}}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"tasks", "processes", "cores", "expectations", "warnings"} {
		if arr, ok := m[k].([]any); !ok || len(arr) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	if m["deadlock"] != nil || m["failure"] != nil {
		t.Errorf("deadlock/failure = %v/%v, want null", m["deadlock"], m["failure"])
	}
}

// TestJSONRoundTrip checks that the terminal-safe escaping changes nothing
// for a JSON parser.
func TestJSONRoundTrip(t *testing.T) {
	r := evilResult()
	var b bytes.Buffer
	if err := JSON(&b, []*simulator.Result{r}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Scenario string
		Tasks    []struct{ Name string }
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Scenario != r.Scenario || got.Tasks[1].Name != r.Tasks[1].Name {
		t.Errorf("round trip: got %q/%q, want %q/%q", got.Scenario, got.Tasks[1].Name, r.Scenario, r.Tasks[1].Name)
	}
}

// TestOutputsAreTerminalSafe renders the hostile result every way and
// checks that no byte a terminal could act on gets through.
func TestOutputsAreTerminalSafe(t *testing.T) {
	render := map[string]func(io.Writer) error{
		"tables":   func(w io.Writer) error { return Tables(w, evilResult(), TableOptions{}) },
		"per-task": func(w io.Writer) error { return Tables(w, evilResult(), TableOptions{PerTask: true}) },
		"json":     func(w io.Writer) error { return JSON(w, []*simulator.Result{evilResult()}) },
	}
	for name, f := range render {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		for i, r := range b.String() {
			if r != '\n' && needsEscape(r) || r == '\uFFFD' && name != "json" {
				t.Errorf("%s: %U at byte %d gets through", name, r, i)
			}
		}
	}
}

func TestTablesHideLoopColumnsWithoutLoops(t *testing.T) {
	var b bytes.Buffer
	if err := Tables(&b, basicResult(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "loop lag") {
		t.Error("loop columns shown although no process has a loop metric")
	}
	b.Reset()
	if err := Tables(&b, groupedResult(), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "loop lag max") {
		t.Error("loop columns missing")
	}
}

func TestTablesNativeOnly(t *testing.T) {
	r := &simulator.Result{
		Scenario: "textbook", File: "fcfs.sim", Makespan: 30 * ms,
		Tasks: []simulator.TaskResult{
			{Name: "P1", Group: "P1", Kind: "task", Process: "P1", Finish: 30 * ms, Turnaround: 30 * ms, CPU: 30 * ms, Finished: true},
		},
		Processes: []simulator.ProcessResult{{Name: "P1", Group: "P1", Native: true}},
	}
	var b bytes.Buffer
	if err := Tables(&b, r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "gil handoffs") {
		t.Error("process table shown for a scenario without CPython processes")
	}
	if strings.Contains(out, "replica groups") {
		t.Error("group note shown without groups")
	}
	if !strings.HasPrefix(out, "== textbook (fcfs.sim) ==\n") {
		t.Errorf("header line: %q", strings.SplitN(out, "\n", 2)[0])
	}
}

func TestTablesDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	for i := 0; i < 20; i++ {
		b.Reset()
		if err := Tables(&b, groupedResult(), TableOptions{}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			a.Write(b.Bytes())
		} else if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("two renderings of the same result differ")
		}
	}
}

func TestTablesWithoutTasks(t *testing.T) {
	var b bytes.Buffer
	if err := Tables(&b, &simulator.Result{Scenario: "empty"}, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "+\n\n(no tasks)\n") {
		t.Errorf("want the summary then (no tasks), got:\n%s", b.String())
	}
}
