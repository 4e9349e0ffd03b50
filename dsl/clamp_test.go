package dsl

import (
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// TestNormalClampWarning: normal(m, s) draws below 0 are 0, so its mean is
// m·Φ(m/s) + s·φ(m/s), worked by hand here from tables of Φ and φ:
// normal(1ms, 5ms): z = 0.2, 1·0.5793 + 5·0.3910 = 2.534 ms (+153 %);
// normal(10ms, 10ms): z = 1, 10·0.8413 + 10·0.2420 = 10.833 ms (+8 %);
// normal(10ms, 7ms): z = 1.43, 10·0.9234 + 7·0.1438 = 10.24 ms (+2.4 %,
// under the 5 % that is warned about); normal(10ms, 2ms): z = 5, nothing;
// normal(0, 1ms): 1/√(2π) ms = 398.942 us, from 0.
func TestNormalClampWarning(t *testing.T) {
	for _, tc := range []struct {
		dist string
		want string // "" for no warning
	}{
		{"normal(1ms, 5ms)", "raises its mean from 1ms to 2.534ms (+153%)"},
		{"normal(10ms, 10ms)", "raises its mean from 10ms to 10.833ms (+8%)"},
		{"normal(10ms, 7ms)", ""},
		{"normal(10ms, 2ms)", ""},
		{"normal(10ms, 0)", ""},
		{"normal(0, 1ms)", "raises its mean from 0 to 398.942us:"},
	} {
		for _, where := range []string{`task "t" { cpu %s }`, `task "t" at %s { cpu 1ms }`, `process "p" { asyncio { task "c" { await io %s } } }`} {
			src := `scenario "s" { ` + strings.Replace(where, "%s", tc.dist, 1) + ` }`
			sc, err := Parse("n.sim", []byte(src))
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			switch {
			case tc.want == "" && len(sc.Warnings) != 0:
				t.Errorf("%s: warnings %+v", src, sc.Warnings)
			case tc.want != "" && (len(sc.Warnings) != 1 || !strings.Contains(sc.Warnings[0].Message, tc.want) ||
				sc.Warnings[0].Pos.Line != 1 || int(sc.Warnings[0].Pos.Col) != strings.Index(src, "normal")+1):
				t.Errorf("%s: warnings %+v, want one at col %d saying %q", src, sc.Warnings, strings.Index(src, "normal")+1, tc.want)
			}
		}
	}
}

// TestClampWarningInTheRun: a run reports the file's warnings first, and
// the metric warnings counts them.
func TestClampWarningInTheRun(t *testing.T) {
	sc, err := Parse("n.sim", []byte(`scenario "s" { task "t" { cpu normal(1ms, 5ms) } expect warnings == 1 }`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := simulator.Run(sc, simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	simulator.Evaluate(sc, res)
	if len(res.Warnings) != 1 || !res.Expectations[0].OK {
		t.Errorf("warnings %+v, expectations %+v", res.Warnings, res.Expectations)
	}
}
