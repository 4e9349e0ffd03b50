package fidelity

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gilsim/gilsim/scenarios/calibration"
	"github.com/gilsim/gilsim/simulator"
)

// TestLimitL2Trial backs the claim of limitation L2 with a run: it
// emulates the missing rule (a GIL waiter's timeout fires at interval +
// timer_slack + wakeup_latency) by lengthening every `gil interval` of
// the E3 and E4 scenarios by those two defaults, and checks that every
// row of L2 then comes within its band. Once the engine has the rule,
// the L2 rows pass without the trick and TestFidelity asks for L2 to go.
func TestLimitL2Trial(t *testing.T) {
	m := simulator.DefaultMachine()
	late := float64(m.TimerSlack+m.WakeupLatency) / 1000 // us
	re := regexp.MustCompile(`gil interval ([0-9.]+)(ms|us)`)
	trial := fstest.MapFS{}
	names, err := fs.Glob(calibration.Files, "*.sim")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(calibration.Files, n)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if strings.HasPrefix(n, "e3-") || strings.HasPrefix(n, "e4-") {
			s = re.ReplaceAllStringFunc(s, func(x string) string {
				g := re.FindStringSubmatch(x)
				v, _ := strconv.ParseFloat(g[1], 64)
				if g[2] == "ms" {
					v *= 1000
				}
				return fmt.Sprintf("gil interval %gus", v+late)
			})
		}
		trial[n] = &fstest.MapFile{Data: []byte(s)}
	}
	runs, err := Load(trial)
	if err != nil {
		t.Fatal(err)
	}
	var l2 Limit
	for _, l := range Known {
		if l.ID == "L2" {
			l2 = l
		}
	}
	if len(l2.Rows) == 0 {
		t.Skip("L2 is gone")
	}
	for _, r := range Evaluate(runs) {
		if r.Limit == nil || r.Limit.ID != "L2" {
			continue
		}
		if r.Err != nil || !r.OK {
			t.Errorf("%s: with L2's rule emulated gilsim predicts %v (error %s, band ±%.1f %%): L2 does not explain it",
				r.Entry, r.Pred.Value, formatError(r.Error), r.Band)
		}
	}
}
