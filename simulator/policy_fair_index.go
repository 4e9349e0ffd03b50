package simulator

import (
	"math/bits"

	"github.com/google/btree"
)

// This file finds the fair policy's victim on a machine of many cores
// without a pass over every running thread at each dispatch.
//
// The victim is the running thread furthest ahead in virtual runtime now,
// the later core on a tie. A running thread's virtual runtime now is
// vr + floor(d·1024/w), d the time since it went on its core (onSince)
// and w its weight: it grows with time, at a rate that depends on w. So
// the running threads are kept in one ordered set per weight, by
// A = vr·w − onSince·1024 (a 128-bit integer), which orders them by their
// virtual runtime now at any time (the floor can only make neighbours
// equal, never swap them); the set's last thread is its furthest ahead.
// A thread whose context switch is still being paid (onSince after now)
// has its vr as its virtual runtime until then: those wait in a set of
// their own, by vr, and join their weight's set when their time comes.
// At weight 1024 (nice 0, the usual case) the floor is exact, and A is
// 1024·(vr − onSince): those threads are in a max-heap of vr − onSince
// with stale entries, cheaper than a tree. A search costs O(log n) per
// weight present (one, unless nice levels differ), plus, at other
// weights, one more per distinct A whose floor ties with the furthest.

// runKey orders running threads: A, then the core.
type runKey struct {
	hi   int64
	lo   uint64
	core int32
}

func runKeyLess(a, b runKey) bool {
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	if a.lo != b.lo {
		return a.lo < b.lo
	}
	return a.core < b.core
}

// mul128 is x·m (m > 0) as a signed 128-bit integer.
func mul128(x, m int64) (int64, uint64) {
	ux := uint64(x)
	if x < 0 {
		ux = -ux
	}
	h, l := bits.Mul64(ux, uint64(m))
	if x < 0 {
		var b uint64
		l, b = bits.Sub64(0, l, 0)
		h, _ = bits.Sub64(0, h, b)
	}
	return int64(h), l
}

// keyA is the ordering key of a running thread of weight w.
func keyA(vr, onSince, w int64, core int32) runKey {
	ah, al := mul128(vr, w)
	bh, bl := mul128(onSince, 1024)
	l, b := bits.Sub64(al, bl, 0)
	return runKey{hi: ah - bh - int64(b), lo: l, core: core}
}

// keyV orders the threads still paying their switch, by vr.
func keyV(vr int64, core int32) runKey {
	h, l := mul128(vr, 1)
	return runKey{hi: h, lo: l, core: core}
}

type weightSet struct {
	w   int64
	set *btree.BTreeG[runKey]
}

// runEntry is what the index holds of the thread on a core.
type runEntry struct {
	key     runKey
	w       int64
	pending bool // in the switching set
	live    bool
	stamp   uint32
}

// pendingRun is a thread whose switch ends at at (its onSince).
type pendingRun struct {
	at    int64
	core  int32
	stamp uint32
}

func pendingLess(a, b *pendingRun) bool { return a.at < b.at || (a.at == b.at && a.core < b.core) }

// nice0Run is a thread of weight 1024 on core core, vr − onSince = k.
type nice0Run struct {
	k     int64
	core  int32
	stamp uint32
}

// nice0Before orders the max-heap: the greater k, then the later core, first.
func nice0Before(a, b *nice0Run) bool { return a.k > b.k || (a.k == b.k && a.core > b.core) }

type fairRunning struct {
	nice0     []nice0Run  // weight 1024, a max-heap with stale entries
	byWeight  []weightSet // the other weights
	switching *btree.BTreeG[runKey]
	heap      []pendingRun
	cores     []runEntry
}

func newFairRunning(cores int) *fairRunning {
	return &fairRunning{switching: btree.NewG(16, runKeyLess), cores: make([]runEntry, cores)}
}

func (r *fairRunning) setOf(w int64) *btree.BTreeG[runKey] {
	for _, ws := range r.byWeight {
		if ws.w == w {
			return ws.set
		}
	}
	s := btree.NewG(16, runKeyLess)
	r.byWeight = append(r.byWeight, weightSet{w: w, set: s})
	return s
}

// add files thread t, just put on core c at now.
func (r *fairRunning) add(t *thread, c int32, now int64) {
	ce := &r.cores[c]
	ce.stamp++
	ce.live, ce.w = true, t.weight()
	if t.os.onSince > now {
		ce.pending, ce.key = true, keyV(t.os.vruntime, c)
		r.switching.ReplaceOrInsert(ce.key)
		r.heap = append(r.heap, pendingRun{at: t.os.onSince, core: c, stamp: ce.stamp})
		heapUp(r.heap, len(r.heap)-1, pendingLess)
		return
	}
	r.file(t, c)
}

// file puts the thread t on core c, its switch paid, in its weight's set.
func (r *fairRunning) file(t *thread, c int32) {
	ce := &r.cores[c]
	ce.pending = false
	if ce.w == 1024 {
		lazyPush(&r.nice0, nice0Run{k: t.os.vruntime - t.os.onSince, core: c, stamp: ce.stamp}, nice0Before, 2*len(r.cores)+64, r.nice0Live)
		return
	}
	ce.key = keyA(t.os.vruntime, t.os.onSince, ce.w, c)
	r.setOf(ce.w).ReplaceOrInsert(ce.key)
}

func (r *fairRunning) nice0Live(x nice0Run) bool {
	ce := &r.cores[x.core]
	return ce.live && !ce.pending && ce.stamp == x.stamp
}

// remove forgets the thread on core c (before its vruntime moves on).
func (r *fairRunning) remove(c int32) {
	ce := &r.cores[c]
	if !ce.live {
		return
	}
	ce.live = false
	ce.stamp++
	switch {
	case ce.pending:
		r.switching.Delete(ce.key)
	case ce.w != 1024:
		r.setOf(ce.w).Delete(ce.key)
	}
}

// settle moves the threads whose switch has ended into their weight's set.
func (r *fairRunning) settle(e *engine) {
	for len(r.heap) > 0 && r.heap[0].at <= e.now {
		p := heapPop(&r.heap, pendingLess)
		ce := &r.cores[p.core]
		if !ce.live || !ce.pending || ce.stamp != p.stamp {
			continue
		}
		r.switching.Delete(ce.key)
		r.file(e.threads[e.cores[p.core].cur], p.core)
	}
}

// furthest is the running thread furthest ahead now and its virtual
// runtime now, the later core on a tie; all cores are busy. gate, given
// that virtual runtime, says whether the thread is wanted at all (the
// tie among cores is then not broken).
func (p *fairPolicy) furthest(gate func(v int64) bool) (*thread, int64) {
	e := p.e
	r := p.run
	r.settle(e)
	onCore := func(k runKey) *thread { return e.threads[e.cores[k.core].cur] }
	best, bestV, found := int32(-1), int64(0), false
	offer := func(c int32, v int64) {
		if !found || v > bestV || (v == bestV && c > best) {
			best, bestV, found = c, v, true
		}
	}
	if k, ok := r.switching.Max(); ok {
		offer(k.core, onCore(k).os.vruntime)
	}
	for len(r.nice0) > 0 && !r.nice0Live(r.nice0[0]) {
		heapPop(&r.nice0, nice0Before)
	}
	if len(r.nice0) > 0 {
		// the greatest vr − onSince, the later core on a tie: exact
		x := r.nice0[0]
		offer(x.core, p.vruntimeNow(onCore(runKey{core: x.core})))
	}
	for _, ws := range r.byWeight {
		if k, ok := ws.set.Max(); ok {
			offer(k.core, p.vruntimeNow(onCore(k)))
		}
	}
	if !found || !gate(bestV) {
		return nil, bestV
	}
	// the later cores among the ties: in each weight's set, threads of a
	// lower A whose floor gives the same virtual runtime
	for _, ws := range r.byWeight {
		k, ok := ws.set.Max()
		for ok && p.vruntimeNow(onCore(k)) == bestV {
			offer(k.core, bestV)
			next := runKey{hi: k.hi, lo: k.lo, core: -1}
			ok = false
			ws.set.DescendLessOrEqual(next, func(x runKey) bool {
				k, ok = x, true
				return false
			})
		}
	}
	return onCore(runKey{core: best}), bestV
}
