package dsl

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// TestFormatGoldens formats every testdata/format/*.in into the matching
// .golden file (go test ./dsl -update rewrites them). The inputs are not
// named .sim so that `gilsim fmt -l` over the repository passes them by.
func TestFormatGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "format", "*.in"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no format cases: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".in")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Format(f, src)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("format", name+".golden"), out)
			checkFormatted(t, src, out)
		})
	}
}

// TestFormatRefuses: a file that does not lex or parse is an ErrorList,
// the same as Parse reports.
func TestFormatRefuses(t *testing.T) {
	for _, src := range []string{
		``,
		`scenario "s" { task "t" { cpu 5min } }`,
		`scenario "s" { task "t" { cpu } }`,
		`scenario "s" {`,
		"scenario \"s\" { task \"t\" { cpu 1ms } } \xff",
	} {
		_, ferr := Format("f.sim", []byte(src))
		_, perr := Parse("f.sim", []byte(src))
		if ferr == nil || perr == nil || ferr.Error() != perr.Error() {
			t.Errorf("%q: Format says %v, Parse says %v", src, ferr, perr)
		}
	}
}

// TestFormatSemanticErrors: a file that parses formats even when it does
// not check, as gofmt formats code that does not compile.
func TestFormatSemanticErrors(t *testing.T) {
	src := []byte("scenario \"s\" {\ntask \"t\" { cpu 1ms   io 2ms }\n  expect makspan < 1s\n}\n")
	out, err := Format("f.sim", src)
	if err != nil {
		t.Fatal(err)
	}
	want := "scenario \"s\" {\n  task \"t\" { cpu 1ms  io 2ms }\n  expect makspan < 1s\n}\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestFormatCorpus formats every input of the fuzz corpora and seeds that
// parses: the result is idempotent and means the same.
func TestFormatCorpus(t *testing.T) {
	for _, src := range formatCorpus(t) {
		out, err := Format("f.sim", src)
		if err != nil {
			continue
		}
		checkFormatted(t, src, out)
	}
}

// formatCorpus is every input the fuzz tests start from: their seeds,
// the shipped scenarios, the error cases and the stored corpora.
func formatCorpus(t testing.TB) [][]byte {
	var out [][]byte
	for _, s := range fuzzSeeds {
		out = append(out, []byte(s))
	}
	for _, pattern := range []string{"../scenarios/*.sim", "../scenarios/*/*.sim", "testdata/errors/*.sim", "testdata/format/*.in"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if src, err := os.ReadFile(f); err == nil {
				out = append(out, src)
			}
		}
	}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*"))
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			out = append(out, readCorpusFile(t, f)...)
		}
	}
	return out
}

// readCorpusFile reads the []byte values of a file of the Go fuzzing
// corpus ("go test fuzz v1", then one value per line).
func readCorpusFile(t testing.TB, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "[]byte("); ok {
			s, err := strconv.Unquote(strings.TrimSuffix(v, ")"))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			out = append(out, []byte(s))
		}
	}
	return out
}

// FuzzFormat: whenever x parses, Format(x) is formatted (idempotent) and
// means what x means.
func FuzzFormat(f *testing.F) {
	for _, src := range formatCorpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := Format("f.sim", src)
		if err != nil {
			checkFuzzError(t, src, err)
			return
		}
		checkFormatted(t, src, out)
	})
}

// checkFormatted checks that out, the formatting of src, is formatted
// already, holds the same tokens and comments in the same order, and
// parses and checks to the same scenarios (or the same errors).
func checkFormatted(t *testing.T, src, out []byte) {
	t.Helper()
	again, err := Format("f.sim", out)
	if err != nil {
		t.Fatalf("the formatted file does not parse: %v\n%s", err, out)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("formatting is not idempotent:\n--- once\n%s--- twice\n%s", out, again)
	}
	a, b := Tokens(src), Tokens(out)
	if len(a) != len(b) {
		t.Fatalf("%d tokens became %d:\n%s", len(a), len(b), out)
	}
	for i := range a {
		ta, tb := a[i], b[i]
		if ta.Kind == TokenComment {
			ta.Text = strings.TrimRight(ta.Text, " \t")
		}
		if ta.Kind != tb.Kind || ta.Text != tb.Text {
			t.Fatalf("token %d: %q became %q", i, ta.Text, tb.Text)
		}
	}
	sa, ea := ParseAnySweep("f.sim", src, nil)
	sb, eb := ParseAnySweep("f.sim", out, nil)
	if (ea == nil) != (eb == nil) {
		t.Fatalf("errors differ: %v / %v", ea, eb)
	}
	if ea != nil {
		if x, y := errorShape(ea), errorShape(eb); x != y {
			t.Fatalf("errors differ:\n%s\n---\n%s", x, y)
		}
		return
	}
	normalize(reflect.ValueOf(sa))
	normalize(reflect.ValueOf(sb))
	if !reflect.DeepEqual(sa, sb) {
		t.Fatalf("the formatted file means something else:\n%s", out)
	}
}

var digits = regexp.MustCompile(`[0-9]+`)

// errorShape is an error list without its positions (nor any number,
// since messages name lines: "already set (line 3)").
func errorShape(err error) string {
	var b strings.Builder
	if list, ok := err.(ErrorList); ok {
		for _, e := range list {
			b.WriteString(digits.ReplaceAllString(e.Msg, "N") + "\n")
		}
	}
	return b.String()
}

var (
	simPosType     = reflect.TypeOf(simulator.Pos{})
	expectType     = reflect.TypeOf(simulator.Expect{})
	sweepParamType = reflect.TypeOf(Param{})
)

// normalize zeroes what formatting may change without changing meaning:
// source positions, and the spacing of an expectation's echoed text.
func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Struct:
		switch v.Type() {
		case simPosType:
			if v.CanSet() {
				v.Set(reflect.Zero(simPosType))
			}
			return
		case expectType:
			if f := v.FieldByName("Text"); f.CanSet() {
				f.SetString(strings.ReplaceAll(f.String(), " ", ""))
			}
		case sweepParamType:
			if f := v.FieldByName("Line"); f.CanSet() {
				f.SetInt(0)
			}
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalize(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			normalize(v.Index(i))
		}
	case reflect.Map:
		// Maps of the model hold no positions.
	}
}
