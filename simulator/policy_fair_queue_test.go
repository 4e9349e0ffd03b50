package simulator

import (
	"container/heap"
	"math"
	"math/rand/v2"
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

// TestFairSplit runs generated fair-policy scenarios with the ready
// queue split past a few entries: the results must be those of a run
// whose queue is one heap.
func TestFairSplit(t *testing.T) {
	defer func(m int) { fairSplitMin = m }(fairSplitMin)
	rapid.Check(t, func(rt *rapid.T) {
		sc := genCoresScenario(rt, PolicyFair)
		var res [2]*Result
		for i, m := range []int{1 << 30, rapid.IntRange(0, 9).Draw(rt, "split_min")} {
			fairSplitMin = m
			_, res[i] = runEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
		}
		if !reflect.DeepEqual(res[0], res[1]) {
			rt.Fatalf("the run with a split queue differs")
		}
	})
}

// TestFairQueueOrder pushes and pops threads of drawn vruntimes (many
// ties, near and far apart, up to the ends of int64) against a plain
// list: the pops come by vruntime, then in the order of the pushes (with
// the sequence numbers dealt anew every few pushes, or not), and the
// queued weight is the list's; the pops choose children with branches
// or without; the queue splits past a few entries, or not.
func TestFairQueueOrder(t *testing.T) {
	defer func(l uint32, b, m int) { fairSeqLimit, fairBranchFree, fairSplitMin = l, b, m }(fairSeqLimit, fairBranchFree, fairSplitMin)
	limit, free, splitMin := fairSeqLimit, fairBranchFree, fairSplitMin
	rapid.Check(t, func(rt *rapid.T) {
		fairSeqLimit = rapid.SampledFrom([]uint32{limit, 1, 5, 40}).Draw(rt, "seq_limit")
		fairBranchFree = rapid.SampledFrom([]int{free, 0}).Draw(rt, "branch_free")
		fairSplitMin = rapid.SampledFrom([]int{splitMin, 0, 3, 12}).Draw(rt, "split_min")
		spread := rapid.SampledFrom([]int64{30, 5_000, math.MaxInt64}).Draw(rt, "spread")
		e := &engine{}
		q := newFairQueue(e)
		type entry struct {
			v   int64
			ord int
			th  int32
		}
		var want []entry
		ord := 0
		for range rapid.IntRange(1, 3000).Draw(rt, "ops") {
			if len(want) == 0 || rapid.IntRange(0, 2).Draw(rt, "push") > 0 {
				th := &thread{idx: int32(len(e.threads))}
				th.os.vruntime = rapid.Int64Range(-3, 30).Draw(rt, "v")
				switch rapid.IntRange(0, 2).Draw(rt, "far") {
				case 1:
					th.os.vruntime = rapid.Int64Range(-spread/2, spread).Draw(rt, "v")
				case 2:
					// clusters far apart: buckets of many entries
					// between empty ones
					c := rapid.SampledFrom([]int64{-spread / 2, 0, spread / 7, spread / 3, spread - 40}).Draw(rt, "c")
					th.os.vruntime = c + rapid.Int64Range(0, 40).Draw(rt, "dv")
				}
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

// TestFairQueueSplitOrder pushes and pops tens of thousands of threads,
// of vruntimes in clusters far apart and spread over ranges from a few
// to 2^40, against a binary heap of (vruntime, order of the push): a
// split queue, its buckets sorted by counting (those of many entries)
// or by comparisons, pops them in the same order.
func TestFairQueueSplitOrder(t *testing.T) {
	defer func(m int) { fairSplitMin = m }(fairSplitMin)
	for _, m := range []int{64, fairSplitMin} {
		fairSplitMin = m
		for _, spread := range []int64{8, 300, 2_000, 70_000, 500_000, 1 << 40} {
			rng := rand.New(rand.NewPCG(uint64(spread), uint64(m)))
			e := &engine{}
			q := newFairQueue(e)
			var want refHeap
			ord := 0
			for op := range 60_000 {
				// grow to a few thousand, then shrink to nothing
				if want.Len() == 0 || (op < 40_000 && rng.IntN(5) < 3) || (op >= 40_000 && rng.IntN(5) < 1) {
					th := &thread{idx: int32(len(e.threads))}
					c := []int64{0, spread / 7, spread / 3, spread}[rng.IntN(4)]
					th.os.vruntime = c + rng.Int64N(spread/8+1) + int64(op/16)
					e.threads = append(e.threads, th)
					q.push(th)
					ord++
					heap.Push(&want, refEntry{th.os.vruntime, ord, th.idx})
					continue
				}
				w := heap.Pop(&want).(refEntry)
				if got := q.pop(); got != w.th {
					t.Fatalf("split_min %d, spread %d, op %d: popped thread %d, want %d", m, spread, op, got, w.th)
				}
				if q.len() != want.Len() {
					t.Fatalf("%d queued, want %d", q.len(), want.Len())
				}
			}
		}
	}
}

type refEntry struct {
	v   int64
	ord int
	th  int32
}

type refHeap []refEntry

func (h refHeap) Len() int { return len(h) }
func (h refHeap) Less(i, j int) bool {
	return h[i].v < h[j].v || (h[i].v == h[j].v && h[i].ord < h[j].ord)
}
func (h refHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)   { *h = append(*h, x.(refEntry)) }
func (h *refHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TestFairOnPlain: the lead uses a core's copy only at weight 1024, a
// vruntime strictly within ±2^60 and a start in [0, 2^53).
func TestFairOnPlain(t *testing.T) {
	for _, c := range []struct {
		o    fairOn
		want bool
	}{
		{fairOn{vr: 0, since: 0, w: 1024}, true},
		{fairOn{vr: 0, since: 0, w: 1023}, false},
		{fairOn{vr: 1<<60 - 1, since: 1<<53 - 1, w: 1024}, true},
		{fairOn{vr: -1<<60 + 1, since: 5, w: 1024}, true},
		{fairOn{vr: 1 << 60, since: 5, w: 1024}, false},
		{fairOn{vr: -1 << 60, since: 5, w: 1024}, false},
		{fairOn{vr: math.MaxInt64, since: 5, w: 1024}, false},
		{fairOn{vr: math.MinInt64, since: 5, w: 1024}, false},
		{fairOn{vr: 7, since: -1, w: 1024}, false},
		{fairOn{vr: 7, since: 1 << 53, w: 1024}, false},
	} {
		if got := c.o.plain(); got != c.want {
			t.Errorf("%+v: plain %v, want %v", c.o, got, c.want)
		}
	}
}
