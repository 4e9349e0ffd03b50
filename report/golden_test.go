package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestTablesGolden(t *testing.T) {
	cases := []struct {
		name string
		r    *simulator.Result
		o    TableOptions
	}{
		{"basic.txt", basicResult(), TableOptions{}},
		{"grouped.txt", groupedResult(), TableOptions{}},
		{"grouped-per-task.txt", groupedResult(), TableOptions{PerTask: true}},
		{"evil.txt", evilResult(), TableOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Tables(&b, c.r, c.o); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
}

func TestJSONGolden(t *testing.T) {
	cases := []struct {
		name string
		rs   []*simulator.Result
	}{
		{"basic.json", []*simulator.Result{basicResult()}},
		{"evil.json", []*simulator.Result{evilResult()}},
		{"several.json", []*simulator.Result{basicResult(), groupedResult()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, c.rs); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
}
