package simulator

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// TestFairSeqRenumber runs generated fair-policy scenarios with the ready
// queue's sequence numbers dealt anew every few pushes: the results must
// be those of a run that never renumbers.
func TestFairSeqRenumber(t *testing.T) {
	defer func(l uint32) { fairSeqLimit = l }(fairSeqLimit)
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyFair)
		var res [2]*Result
		for i, limit := range []uint32{fairSeqLimit, uint32(rapid.IntRange(1, 7).Draw(rt, "limit"))} {
			fairSeqLimit = limit
			_, res[i] = runEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
		}
		if !reflect.DeepEqual(res[0], res[1]) {
			rt.Fatalf("the run that renumbers differs")
		}
	})
}
