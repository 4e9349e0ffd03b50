package fidelity

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/internal/calibrate"
	"github.com/gilsim/gilsim/scenarios/calibration"
	"github.com/gilsim/gilsim/simulator"
)

var update = flag.Bool("update", false, "rewrite the generated section of docs/fidelity.md")

var (
	loadOnce sync.Once
	loaded   []Result
	loadErr  error
)

func results(t *testing.T) []Result {
	t.Helper()
	loadOnce.Do(func() {
		runs, err := Load(calibration.Files)
		if err != nil {
			loadErr = err
			return
		}
		loaded = Evaluate(runs)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// TestFidelity is the suite: every prediction within its band, except the
// known limitations, which must still be outside theirs.
func TestFidelity(t *testing.T) {
	for _, r := range results(t) {
		t.Run(r.ID(), func(t *testing.T) {
			if r.Err != nil {
				t.Fatalf("no prediction: %v", r.Err)
			}
			got := formatValue(r.Unit, r.Pred.Value, r.Pred.Text)
			want := formatValue(r.Unit, r.Value, r.Text)
			switch {
			case r.Limit != nil && r.OK:
				t.Errorf("known limitation %s, but gilsim now predicts %s for %s (measured %s, error %s, band ±%.1f %%): remove the row from fidelity's known list (known.go)",
					r.Limit.ID, got, r.ID(), want, formatError(r.Error), r.Band)
			case r.Limit != nil:
				t.Skipf("known limitation %s: %s", r.Limit.ID, r.Limit.Title)
			case !r.OK && r.Unit.exact():
				t.Errorf("%s: gilsim predicts %s, CPython measured %s", r.Behaviour, got, want)
			case !r.OK:
				t.Errorf("%s: gilsim predicts %s, CPython measured %s: error %s, outside the band of ±%.1f %%",
					r.Behaviour, got, want, formatError(r.Error), r.Band)
			}
		})
	}
}

func TestBands(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rows() {
		if seen[r.ID()] {
			t.Errorf("row %s twice", r.ID())
		}
		seen[r.ID()] = true
		if r.Unit.exact() {
			if r.Text == "" {
				t.Errorf("%s: an exact row needs its measured text", r.Entry)
			}
			continue
		}
		if b := Band(r); b < minBand || b > maxBand {
			t.Errorf("%s: band ±%.1f %% outside [%v, %v]", r.Entry, b, minBand, maxBand)
		}
		for _, ref := range r.Refs {
			if _, ok := rowByID(ref); !ok || ref == r.ID() {
				t.Errorf("%s: reference %q is not another row", r.Entry, ref)
			}
		}
	}
	// the rule, on rows whose spreads are known
	for entry, want := range map[string]float64{
		"e2_threads_16_wall_ms":                          5.9,  // 11.8 / 2
		"e2_sequential_16_wall_ms":                       5,    // 1.82 / 2 < 5
		"e2_speedup_threads_vs_sequential_16":            6.81, // (11.8 + 1.82) / 2
		"e1_processes_2_wall_over_unit":                  19.35,
		"e4_threads_2_interval_0.01ms_wall_over_default": 13.07,
		"e1_threads_4_finish_times_over_unit[2]":         6.455, // a list element: 12.91 (its unit's) / 2
		"e3_sleep_interval_0.5ms_cpu_2_slowdown":         5.14,  // (1.92 + 8.36) / 2
		"e7_processes_3_first_over_last_finish":          12.64, // 25.28 / 2
		"e3_sleep_interval_5ms_cpu_2_ops_per_s":          25,    // 210.82 / 2, capped
	} {
		r, _ := rowByID(entry)
		if got := Band(r); math.Abs(got-want) > 0.01 || r.Entry == "" {
			t.Errorf("Band(%s) = %.2f, want %.2f", entry, got, want)
		}
	}
}

func TestKnownLimitations(t *testing.T) {
	ids := map[string]bool{}
	for _, l := range known {
		if ids[l.ID] || l.ID == "" {
			t.Errorf("limitation id %q empty or twice", l.ID)
		}
		ids[l.ID] = true
		if len(l.Rows) == 0 || len(l.Missing) < 100 || l.Title == "" {
			t.Errorf("%s: a limitation names its rows, a title, and the missing rule in words", l.ID)
		}
		for _, e := range l.Rows {
			if _, ok := rowByID(e); !ok {
				t.Errorf("%s: row %q does not exist", l.ID, e)
			}
			if other, _ := limitOf(e); other.ID != l.ID {
				t.Errorf("row %s is in %s and %s", e, other.ID, l.ID)
			}
		}
	}
}

// TestScenarios checks that each row's scenario exists, that each
// calibration scenario feeds some row, and that the configurations of a
// file never overlap in time (each would disturb the next).
func TestScenarios(t *testing.T) {
	files, err := fs.Glob(calibration.Files, "*.sim")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, r := range Rows() {
		if !slices.Contains(files, r.Scenario) {
			t.Errorf("%s: scenario %s is not in scenarios/calibration", r.Entry, r.Scenario)
		}
		used[r.Scenario] = true
	}
	for _, f := range files {
		if !used[f] {
			t.Errorf("scenarios/calibration/%s feeds no row", f)
		}
	}
	runs, err := Load(calibration.Files)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range runs.files {
		type span struct {
			cfg        string
			start, end int64
		}
		var spans []span
		done := map[string]bool{}
		for _, p := range r.sc.Processes {
			cfg := group(p.Name)
			if done[cfg] {
				continue
			}
			done[cfg] = true
			at, _ := r.origin(cfg)
			w, err := r.wall(cfg)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			spans = append(spans, span{cfg, at, at + w})
		}
		slices.SortFunc(spans, func(a, b span) int { return cmpInt64(a.start, b.start) })
		for i := 1; i < len(spans); i++ {
			if spans[i].start <= spans[i-1].end {
				t.Errorf("%s: %s (from %d ns) starts before %s ends (%d ns)", name, spans[i].cfg, spans[i].start, spans[i-1].cfg, spans[i-1].end)
			}
		}
	}
}

// TestDoc keeps the generated section of docs/fidelity.md identical to
// what `gilsim fidelity` prints. Run `go test ./fidelity -update` (or
// `gilsim fidelity --doc docs/fidelity.md`) after changing the engine, a
// scenario or a row.
func TestDoc(t *testing.T) {
	path := filepath.Join("..", "docs", "fidelity.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Markdown(results(t))
	if *update {
		out, err := app.ReplaceSection(string(b), SectionName, want)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := app.Section(string(b), SectionName)
	if err != nil {
		t.Fatal(err)
	}
	if line, g, w := app.FirstDifference(got, want); line > 0 {
		t.Fatalf("docs/fidelity.md's generated section differs from `gilsim fidelity` at its line %d:\ndoc:       %s\ngenerated: %s\nRun `go run ./cmd/gilsim fidelity --doc docs/fidelity.md` (or go test ./fidelity -update).", line, g, w)
	}
}

// TestParamNotes checks that the notes cover the machine keys exactly,
// each with a source and what calibrate does for it, and that a key
// `gilsim calibrate` sets is not documented as not measured (and the
// other way round).
func TestParamNotes(t *testing.T) {
	set := map[string]bool{}
	for _, k := range calibrate.Keys() {
		set[k.Key] = true
	}
	keys := map[string]bool{}
	for _, p := range simulator.MachineParams() {
		keys[p.Key] = true
		n, ok := paramNotes[p.Key]
		if !ok || n.Source == "" || n.Calibrate == "" {
			t.Errorf("machine key %q has no notes", p.Key)
			continue
		}
		if notMeasured := strings.HasPrefix(n.Calibrate, "not measured") || strings.HasPrefix(n.Calibrate, "printed as the comment"); notMeasured == set[p.Key] {
			t.Errorf("machine key %q: calibrate sets it: %v, but the notes say %q", p.Key, set[p.Key], n.Calibrate)
		}
	}
	for k := range paramNotes {
		if !keys[k] {
			t.Errorf("notes for %q, which is no machine key", k)
		}
	}
}

// TestRowsMatchData checks the rows against the measurements of
// fidelity/data: every row names an entry that is there, with a value of
// the row's kind, and every outcome there has a row (outcomes.json in
// full; of eventlet_greenlet.json every entry but the unit costs that
// the calibration scenarios take as inputs).
func TestRowsMatchData(t *testing.T) {
	if _, err := rows(); err != nil {
		t.Fatal(err)
	}
	for _, r := range Rows() {
		m, ok := Measured(r.Data, r.Entry)
		if !ok {
			t.Errorf("%s is not in data/%s", r.Entry, r.Data)
			continue
		}
		checkValue(t, r, m.Value)
		if r.Spread != m.Spread {
			t.Errorf("%s: spread %v, the data says %v", r.Entry, r.Spread, m.Spread)
		}
		if r.Unit.exact() == (r.Value != 0) {
			t.Errorf("%s: a %s row with value %v and text %q", r.Entry, r.Unit, r.Value, r.Text)
		}
	}
	for _, name := range loadedData().entries(outcomes) {
		if !hasRow(name) {
			t.Errorf("outcome %s has no row", name)
		}
	}
	// E9/E10 keys that are unit costs (inputs of the machine), not outcomes
	inputs := map[string]bool{
		"e9_eventlet.rss_kib_per_greenthread_at_10000":                true,
		"e10_greenlet_generators.greenlet_switch_us":                  true,
		"e10_greenlet_generators.generator_send_us":                   true,
		"e10_greenlet_generators.yield_from_resume_cost_per_level_us": true,
		"e10_greenlet_generators.rss_kib_per_generator_at_10000":      true,
		"e10_greenlet_generators.rss_kib_per_raw_greenlet_at_10000":   true,
	}
	for _, name := range loadedData().entries(evgr) {
		if !hasRow(name) && !inputs[name] {
			t.Errorf("outcome %s has no row", name)
		}
	}
	if len(loadedData().entries(released)) == 0 || len(loadedData().entries(calibrationFile)) == 0 {
		t.Error("data/outcomes-released.json or data/calibration.json holds no entries")
	}
}

// TestDataOnDisk checks that the embedded measurements are the files of
// fidelity/data, and that a row whose entry is missing is an error, not a
// zero.
func TestDataOnDisk(t *testing.T) {
	disk, err := loadData(os.DirFS("data"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(disk, loadedData()) {
		t.Error("the embedded data differs from fidelity/data")
	}
	broken := dataset{}
	for f, m := range loadedData() {
		broken[f] = maps.Clone(m)
	}
	delete(broken[outcomes], "e2_threads_4_wall_ms")
	if _, err := buildRows(broken, nil); err == nil || !strings.Contains(err.Error(), "e2_threads_4_wall_ms") {
		t.Errorf("a missing entry: err = %v", err)
	}
}

func checkValue(t *testing.T, r Row, raw json.RawMessage) {
	t.Helper()
	switch r.Unit {
	case Order:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || s != r.Text {
			t.Errorf("%s: %q, the data says %s", r.Entry, r.Text, raw)
		}
	case Bool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil || map[bool]string{true: "yes", false: "no"}[b] != r.Text {
			t.Errorf("%s: %q, the data says %s", r.Entry, r.Text, raw)
		}
	default:
		if r.List {
			var fs []float64
			if err := json.Unmarshal(raw, &fs); err != nil || r.Index >= len(fs) || fs[r.Index] != r.Value {
				t.Errorf("%s: %v, the data says %s", r.ID(), r.Value, raw)
			}
			return
		}
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil || f != r.Value {
			t.Errorf("%s: %v, the data says %s", r.Entry, r.Value, raw)
		}
	}
}

// hasRow reports whether some row compares with the entry (a whole
// entry, or an element of a list entry).
func hasRow(entry string) bool {
	for _, r := range Rows() {
		if r.Entry == entry {
			return true
		}
	}
	return false
}

// TestReleasedCovered checks that every entry of outcomes-released.json
// is predicted by rows (every element of a list) or left out with a
// reason, never both and never neither.
func TestReleasedCovered(t *testing.T) {
	left := map[string]bool{}
	for _, o := range leftOut {
		if len(o.Reason) < 100 || len(o.Entries) == 0 {
			t.Errorf("a left-out group names its entries and the reason in words: %q", o.Reason)
		}
		for _, e := range o.Entries {
			if left[e] {
				t.Errorf("%s left out twice", e)
			}
			left[e] = true
			if _, ok := Measured(released, e); !ok {
				t.Errorf("left out %s is not in data/%s", e, released)
			}
		}
	}
	for _, name := range loadedData().entries(released) {
		switch {
		case hasRow(name) && left[name]:
			t.Errorf("%s is both a row and left out", name)
		case !hasRow(name) && !left[name]:
			t.Errorf("released outcome %s has no row and is not in fidelity.LeftOut", name)
		}
		if n, err := listLen(loadedData(), released, name); err == nil && hasRow(name) {
			for i := range n {
				if _, ok := rowByID(fmt.Sprintf("%s[%d]", name, i)); !ok {
					t.Errorf("%s has %d elements but no row for element %d", name, n, i)
				}
			}
		}
	}
}

// TestMedianError checks that the median |error| over all numeric rows,
// the known limitations included, is at most 10 %.
func TestMedianError(t *testing.T) {
	m, n := MedianError(results(t))
	if n < len(Rows())/2 {
		t.Fatalf("only %d numeric rows of %d", n, len(Rows()))
	}
	if m > 10 {
		t.Errorf("median |error| over %d rows is %.1f %%, more than 10 %%", n, m)
	}
	// the median itself, on hand-made results
	mk := func(errs ...float64) []Result {
		var rs []Result
		for _, e := range errs {
			rs = append(rs, Result{Row: Row{Unit: Ratio}, Error: e})
		}
		return append(rs, Result{Row: Row{Unit: Order}}) // not counted
	}
	if m, n := MedianError(mk(-30, 1, 2)); m != 2 || n != 3 {
		t.Errorf("MedianError(-30, 1, 2) = %v over %d, want 2 over 3", m, n)
	}
	if m, _ := MedianError(mk(-4, 1, 2, 8)); m != 3 {
		t.Errorf("MedianError(-4, 1, 2, 8) = %v, want 3", m)
	}
}

func TestOrdinal(t *testing.T) {
	for _, c := range []struct {
		i, n int
		want string
	}{
		{0, 1, "the worker"}, {0, 4, "earliest"}, {3, 4, "latest"}, {1, 4, "2nd earliest"},
		{2, 4, "3rd earliest"}, {3, 9, "4th earliest"}, {10, 20, "11th earliest"}, {21, 30, "22nd earliest"},
	} {
		if got := ordinal(c.i, c.n); got != c.want {
			t.Errorf("ordinal(%d, %d) = %q, want %q", c.i, c.n, got, c.want)
		}
	}
}

// TestListRows checks the row machinery on a list entry: one row per
// element, in order, each with the element's value.
func TestListRows(t *testing.T) {
	want := []float64{0.127, 10.306, 46.277, 58.459} // outcomes-released.json
	for i, v := range want {
		r, ok := rowByID(fmt.Sprintf("e1_threads_4_start_times_ms[%d]", i))
		if !ok || !r.List || r.Index != i || r.Value != v || r.Entry != "e1_threads_4_start_times_ms" {
			t.Errorf("element %d: row %+v, want value %v", i, r, v)
		}
	}
	if _, ok := rowByID("e1_threads_4_start_times_ms[4]"); ok {
		t.Error("a row past the end of the list")
	}
	bad := Row{Entry: "e1_threads_4_start_times_ms", Data: released, Unit: MS, List: true, Index: 4}
	if err := rowValue(loadedData(), &bad); err == nil {
		t.Error("element 4 of a 4-element list: no error")
	}
	scalar := Row{Entry: "e7_processes_3_wall_over_unit", Data: released, Unit: Ratio, List: true}
	if err := rowValue(loadedData(), &scalar); err == nil {
		t.Error("a number read as a list: no error")
	}
}

func TestSig4(t *testing.T) {
	for v, want := range map[float64]string{
		1: "1.000", 0.73: "0.730", 5022.337: "5022", 50.935: "50.94", 212.215: "212.2",
		96.67: "96.67", 14.6465: "14.65", 0.0238: "0.024", 12345.6: "12346",
	} {
		if got := sig4(v); got != want {
			t.Errorf("sig4(%v) = %q, want %q", v, got, want)
		}
	}
	if got := formatError(-0.01); got != "0.0 %" {
		t.Errorf("formatError(-0.01) = %q", got)
	}
	if got := formatError(-5.25); got != "−5.2 %" && got != "−5.3 %" {
		t.Errorf("formatError(-5.25) = %q", got)
	}
}

// TestTablesAreCopies: Known and LeftOut hand out copies, their inner
// slices too.
func TestTablesAreCopies(t *testing.T) {
	k, l := Known(), LeftOut()
	k[0].Rows[0], l[0].Entries[0] = "changed", "changed"
	k[0].Title = "changed"
	if Known()[0].Rows[0] == "changed" || Known()[0].Title == "changed" || LeftOut()[0].Entries[0] == "changed" {
		t.Error("a table changed through a copy")
	}
}
