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

// TestFairQueueOrder pushes and pops threads of drawn vruntimes (many
// ties) against a plain list: the pops come by vruntime, then in the
// order of the pushes (with the sequence numbers dealt anew every few
// pushes, or not), and the queued weight is the list's; the pops choose
// children with branches or without.
func TestFairQueueOrder(t *testing.T) {
	defer func(l uint32, b int) { fairSeqLimit, fairBranchFree = l, b }(fairSeqLimit, fairBranchFree)
	limit, free := fairSeqLimit, fairBranchFree
	rapid.Check(t, func(rt *rapid.T) {
		fairSeqLimit = rapid.SampledFrom([]uint32{limit, 1, 5, 40}).Draw(rt, "seq_limit")
		fairBranchFree = rapid.SampledFrom([]int{free, 0}).Draw(rt, "branch_free")
		e := &engine{}
		q := newFairQueue(e)
		type entry struct {
			v   int64
			ord int
			th  int32
		}
		var want []entry
		ord := 0
		for range rapid.IntRange(1, 400).Draw(rt, "ops") {
			if len(want) == 0 || rapid.IntRange(0, 2).Draw(rt, "push") > 0 {
				th := &thread{idx: int32(len(e.threads))}
				th.os.vruntime = rapid.Int64Range(-3, 30).Draw(rt, "v")
				th.os.nice = int8(rapid.IntRange(-20, 19).Draw(rt, "nice"))
				e.threads = append(e.threads, th)
				q.push(th)
				ord++
				want = append(want, entry{th.os.vruntime, ord, th.idx})
			} else {
				best := 0
				for i, w := range want {
					if w.v < want[best].v || (w.v == want[best].v && w.ord < want[best].ord) {
						best = i
					}
				}
				if got := q.pop(); got != want[best].th {
					rt.Fatalf("popped thread %d, want %d", got, want[best].th)
				}
				want = append(want[:best], want[best+1:]...)
			}
			var w int64
			for _, x := range want {
				w += e.threads[x.th].weight()
			}
			if q.len() != len(want) || q.weight != w {
				rt.Fatalf("%d queued weighing %d, want %d weighing %d", q.len(), q.weight, len(want), w)
			}
		}
	})
}
