package simulator

import (
	"cmp"
	"math"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestEventQueueOrder runs random pushes to the queue's three lanes (the
// heap, the in-order FIFO, the slice lane's slots, overwritten and
// emptied) against a plain list: the pops must come in (at, seq) order,
// each event once, and the emptied slots' events never. Bursts of pushes
// and pops take the heap lane past smallMax and back under smallMin,
// and compactions drop some of its events, in either form.
func TestEventQueueOrder(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var q eventQueue
		cores := rapid.IntRange(1, 9).Draw(rt, "cores")
		slots := cores
		if rapid.Bool().Draw(rt, "seg") {
			q.initCores(cores, true)
			slots = len(q.lane) // the segment slots too
		} else {
			q.initCores(cores, false)
		}
		var want []event // pending, by seq
		var fifoAt int64
		now := int64(0)
		drop := func(pred func(e event) bool) {
			want = slices.DeleteFunc(want, pred)
		}
		slotSeq := func(s int32) uint64 {
			if e := q.slot(s); e != nil {
				return e.seq
			}
			return 0
		}
		for range rapid.IntRange(1, 300).Draw(rt, "ops") {
			at := now + rapid.Int64Range(0, 20).Draw(rt, "d")
			switch rapid.IntRange(0, 6).Draw(rt, "op") {
			case 0:
				// gen 1: dropped by a compaction
				g := uint32(rapid.IntRange(0, 1).Draw(rt, "gen"))
				q.push(event{at: at, gen: g})
				want = append(want, event{at: at, seq: q.seq, gen: g})
			case 5:
				for range rapid.IntRange(1, 2*smallMax).Draw(rt, "burst") {
					at := now + rapid.Int64Range(0, 20).Draw(rt, "bd")
					q.push(event{at: at})
					want = append(want, event{at: at, seq: q.seq})
				}
			case 6:
				q.compact(func(e *event) bool { return e.gen == 1 })
				drop(func(e event) bool { return e.gen == 1 })
			case 1:
				fifoAt = max(fifoAt, now) + rapid.Int64Range(0, 3).Draw(rt, "fd")
				q.pushInOrder(event{at: fifoAt})
				want = append(want, event{at: fifoAt, seq: q.seq})
			case 2:
				s := int32(rapid.IntRange(0, slots-1).Draw(rt, "slot"))
				old := slotSeq(s)
				drop(func(e event) bool { return e.seq == old })
				q.setSlot(s, event{at: at, th: s})
				want = append(want, event{at: at, seq: q.seq, th: s})
			case 3:
				s := int32(rapid.IntRange(0, slots-1).Draw(rt, "slot"))
				if old := slotSeq(s); old != 0 {
					drop(func(e event) bool { return e.seq == old })
					q.clearSlot(s)
				}
			case 4:
				for range rapid.IntRange(1, smallMax).Draw(rt, "pops") {
					if q.len() == 0 {
						break
					}
					var ev event
					q.pop(&ev)
					best := slices.MinFunc(want, func(a, b event) int {
						return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq))
					})
					if ev.at != best.at || ev.seq != best.seq {
						rt.Fatalf("popped (%d, %d), want (%d, %d)", ev.at, ev.seq, best.at, best.seq)
					}
					drop(func(e event) bool { return e.seq == best.seq })
					now = ev.at
				}
			}
			if q.len() != len(want) {
				rt.Fatalf("%d events queued, want %d", q.len(), len(want))
			}
		}
	})
}

// TestSliceLaneSameRun runs generated scenarios under every policy with
// the slice ends in the slice lane (stale ones dropped at once) and in
// the heap (stale ones coming up): the results must be the same. The
// run with the lane puts the segment ends in it too (on at most 4
// cores), from a heap of any size or of the usual least size.
func TestSliceLaneSameRun(t *testing.T) {
	defer func(m, f int) { sliceLaneMax, segLaneFrom = m, f }(sliceLaneMax, segLaneFrom)
	rapid.Check(t, func(rt *rapid.T) {
		pol := PolicyKind(rapid.IntRange(0, len(policies)-1).Draw(rt, "policy"))
		var sc *Scenario
		if rapid.Bool().Draw(rt, "cores") {
			sc = genCoresScenario(rt, pol)
			if pol.TakesQuantum() {
				sc.Quantum = 2 * ms
			}
		} else {
			sc = invGenScenarioWith(rt, pol, rapid.Bool().Draw(rt, "runtimes"))
		}
		segLaneFrom = rapid.SampledFrom([]int{0, 16}).Draw(rt, "segLaneFrom")
		var res [2]*Result
		var lim [2]*LimitError
		for i, lane := range []bool{true, false} {
			sliceLaneMax = 0
			if lane {
				sliceLaneMax = 1 << 20
			}
			var e *engine
			e, res[i] = runEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
			lim[i] = e.limit
		}
		if !reflect.DeepEqual(res[0], res[1]) || !reflect.DeepEqual(lim[0], lim[1]) {
			rt.Fatalf("the run with the slice lane differs from the run without (limits %v, %v)", lim[0], lim[1])
		}
	})
}

// TestEarlierMatchesBefore compares the branch-free comparisons, a
// subtraction of (time, sequence) as one wide number, with the plain
// ones on the ends of their ranges and around zero.
func TestEarlierMatchesBefore(t *testing.T) {
	ats := []int64{math.MinInt64, math.MinInt64 + 1, -5, -1, 0, 1, 5, math.MaxInt64 - 1, math.MaxInt64}
	seqs := []uint64{0, 1, 2, 1 << 32, math.MaxUint64 - 1, math.MaxUint64}
	for _, a := range ats {
		for _, b := range ats {
			for _, x := range seqs {
				for _, y := range seqs {
					e1, e2 := event{at: a, seq: x}, event{at: b, seq: y}
					if got := earlier(&e1, &e2); got != b2i(e1.before(&e2)) {
						t.Fatalf("earlier(%d/%d, %d/%d) = %d", a, x, b, y, got)
					}
					f1, f2 := fairItem{v: a, seq: uint32(x)}, fairItem{v: b, seq: uint32(y)}
					if got := fairFirst(&f1, &f2); got != b2i(fairBefore(&f1, &f2)) {
						t.Fatalf("fairFirst(%d/%d, %d/%d) = %d", a, uint32(x), b, uint32(y), got)
					}
				}
			}
		}
	}
}
