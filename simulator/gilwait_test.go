package simulator

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// refWaits is the timed waits' queries computed the plain way, by passing
// over every sleeping waiter: the rules the engine had before its ordered
// sets, which every result depends on, and which the sets must give
// exactly (the waiter chosen included, ties and all).
type refWaits struct {
	P, h    int64
	tree    bool
	asleep  map[*thread]bool
	fresh   []*thread // in the order they went to sleep (with repeats)
	head    int
	threads []*thread
}

func (r *refWaits) phase(t *thread) int64 { return t.gil.since % r.P }

func (r *refWaits) dist(ph, pivot int64) int64 { return (ph - pivot%r.P + r.P) % r.P }

func (r *refWaits) exact(t *thread, x int64) int64 {
	if t.gil.since >= x {
		return t.gil.since + r.P
	}
	return x + r.dist(r.phase(t), x)
}

func (r *refWaits) nextDeadline(x int64) (*thread, int64) {
	var best *thread
	var bestAt int64
	if r.tree {
		// the non-fresh waiters: the first in phase order from x counts
		var first *thread
		for _, t := range r.threads {
			if !r.asleep[t] || t.gil.fresh {
				continue
			}
			if first == nil || r.dist(r.phase(t), x) < r.dist(r.phase(first), x) ||
				r.dist(r.phase(t), x) == r.dist(r.phase(first), x) && t.idx < first.idx {
				first = t
			}
		}
		if first != nil {
			best, bestAt = first, r.exact(first, x)
		}
	}
	for _, t := range r.threads {
		if r.asleep[t] && (!r.tree || t.gil.fresh) {
			best, bestAt = earliest(best, bestAt, t, r.exact(t, x))
		}
	}
	return best, bestAt
}

func (r *refWaits) nextDropRequest() (*thread, int64) {
	var best *thread
	var bestAt int64
	if !r.tree {
		for _, t := range r.threads {
			if !r.asleep[t] {
				continue
			}
			at := t.gil.since + r.P
			if !t.gil.fresh {
				at = r.h + r.dist(r.phase(t), r.h) + r.P
			}
			best, bestAt = earliest(best, bestAt, t, at)
		}
		return best, bestAt
	}
	for r.head < len(r.fresh) && !r.fresh[r.head].gil.fresh {
		r.head++
	}
	if r.head < len(r.fresh) {
		best, bestAt = r.fresh[r.head], r.fresh[r.head].gil.since+r.P
	}
	var first *thread
	for _, t := range r.threads {
		if r.asleep[t] && !t.gil.fresh && (first == nil || r.dist(r.phase(t), r.h) < r.dist(r.phase(first), r.h) ||
			r.dist(r.phase(t), r.h) == r.dist(r.phase(first), r.h) && t.idx < first.idx) {
			first = t
		}
	}
	if first != nil {
		if at := r.h + r.dist(r.phase(first), r.h) + r.P; best == nil || at < bestAt {
			best, bestAt = first, at
		}
	}
	return best, bestAt
}

// TestTimedWaitsMatchScan drives one GIL's timed waits with random sleeps,
// wake-ups, changes of owner and clock steps (many at one instant, and
// periods short enough for waiters to share phases) and holds every query
// equal to the plain pass over the waiters, in both modes.
func TestTimedWaitsMatchScan(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		P := rapid.SampledFrom([]int64{1, 3, 10, 1000, 5_074_000}).Draw(rt, "period")
		n := rapid.SampledFrom([]int{4, 20, 80, 200}).Draw(rt, "threads")
		e := &engine{}
		g := &gilState{mode: GILInterval, period: P, locked: true}
		g.initWaits()
		e.procs = []*proc{{gil: g}}
		ref := &refWaits{P: P, asleep: map[*thread]bool{}}
		for i := range n {
			th := &thread{idx: int32(i)}
			th.gil.sleepPos = -1
			e.threads = append(e.threads, th)
		}
		ref.threads = e.threads
		steps := rapid.IntRange(1, 6*n).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 9).Draw(rt, "op") {
			case 0, 1, 2, 3: // a waiter goes to sleep
				th := e.threads[rapid.IntRange(0, n-1).Draw(rt, "who")]
				if ref.asleep[th] {
					continue
				}
				g.addSleeping(th, e.now)
				e.sleepTimed(g, th)
				ref.asleep[th] = true
				ref.fresh = append(ref.fresh, th)
			case 4, 5: // one wakes
				th := e.threads[rapid.IntRange(0, n-1).Draw(rt, "who")]
				if !ref.asleep[th] {
					continue
				}
				g.removeSleeping(th)
				delete(ref.asleep, th)
			case 6: // a change of owner
				e.ownerChanged(g)
				ref.h = e.now
				ref.fresh, ref.head = nil, 0
			default: // the clock moves (or not)
				e.now += rapid.SampledFrom([]int64{0, 1, P - 1, P, P + 1, 2, 7 * P / 3}).Draw(rt, "dt")
			}
			// the mode follows the count as the engine's does
			if k := len(ref.asleep); !ref.tree && k > treeAbove {
				ref.tree = true
			} else if ref.tree && k < treeBelow {
				ref.tree = false
			}
			if g.tw.tree != ref.tree {
				rt.Fatalf("tree mode %v, want %v at %d waiters", g.tw.tree, ref.tree, len(ref.asleep))
			}
			for _, x := range []int64{e.now, e.now + 1} {
				gt, gat := e.nextDeadline(g, x)
				wt, wat := ref.nextDeadline(x)
				if gt != wt || gt != nil && gat != wat {
					rt.Fatalf("nextDeadline(%d) at %d: %v at %d, want %v at %d (tree %v)", x, e.now, idxOf(gt), gat, idxOf(wt), wat, ref.tree)
				}
			}
			gt, gat := e.nextDropRequest(g)
			wt, wat := ref.nextDropRequest()
			if gt != wt || gt != nil && gat != wat {
				rt.Fatalf("nextDropRequest at %d: %v at %d, want %v at %d (tree %v)", e.now, idxOf(gt), gat, idxOf(wt), wat, ref.tree)
			}
		}
	})
}

// earliest keeps the earlier of (best, bestAt) and (t, at), the lower
// index on a tie.
func earliest(best *thread, bestAt int64, t *thread, at int64) (*thread, int64) {
	if best == nil || at < bestAt || (at == bestAt && t.idx < best.idx) {
		return t, at
	}
	return best, bestAt
}

func idxOf(t *thread) int32 {
	if t == nil {
		return -1
	}
	return t.idx
}

// TestGILShortcutsSameRun runs generated scenarios (many GIL threads
// around the engine's thresholds, and mixed ones) with the timed waits'
// shortcuts and with their general searches only: the results must be
// the same.
func TestGILShortcutsSameRun(t *testing.T) {
	defer func(v bool) { gilShortcuts = v }(gilShortcuts)
	rapid.Check(t, func(rt *rapid.T) {
		var sc *Scenario
		if rapid.Bool().Draw(rt, "sized") {
			sc = invGenSized(rt)
		} else {
			sc = invGenScenarioWith(rt, rapid.SampledFrom(invPolicies).Draw(rt, "policy"), rapid.Bool().Draw(rt, "runtimes"))
		}
		var res [2]*Result
		var lim [2]*LimitError
		for i, on := range []bool{true, false} {
			gilShortcuts = on
			var e *engine
			e, res[i] = runEngine(sc, Options{MaxEvents: 2_000_000, MaxTime: DefaultMaxTime})
			lim[i] = e.limit
		}
		if !reflect.DeepEqual(res[0], res[1]) || !reflect.DeepEqual(lim[0], lim[1]) {
			rt.Fatalf("the run with the GIL's shortcuts differs from the run without (limits %v, %v)", lim[0], lim[1])
		}
	})
}
