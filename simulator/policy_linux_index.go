package simulator

import "math"

// This file keeps the linux policy's questions about its cores answered
// without a pass over every core: which idle core has a task queued for
// it (the dispatch), which core has nothing at all (a wake-up's
// placement), which task waiting on a core may preempt the running one
// (the victim), and the balancer's and the fork placement's extremes.
// Each costs O(log cores) per change of a core, or less.

// coreTree is a segment tree over the cores that keeps, for the fork
// placement and the balancer, four extremes with their lowest core:
// least and most load, most load among cores with a task waiting, least
// established load (load less the tasks forked there lately). Cores whose
// numbers changed are marked and the tree is brought up to date when one
// of those rare questions is asked (at a fork or a scheduler tick).
type coreTree struct {
	size  int        // leaves: a power of two at least the cores
	nodes []treeNode // nodes[1] is the root, leaves from size
	dirty []int32    // cores changed since the last update
	isDty []bool
}

// treeNode holds each extreme packed as value<<32 | core (or, for a
// maximum, value<<32 | ^core), so that a plain min or max of the packed
// integer breaks ties by the lowest core.
type treeNode struct {
	minLoad, maxLoad, maxWaiting, minFork int64
}

func packMin(v, c int64) int64 { return v<<32 | c }
func packMax(v, c int64) int64 { return v<<32 | (math.MaxUint32 - c) }
func unpackCore(k int64, maxed bool) int {
	c := k & math.MaxUint32
	if maxed {
		c = math.MaxUint32 - c
	}
	return int(c)
}

var emptyNode = treeNode{minLoad: math.MaxInt64, maxLoad: math.MinInt64, maxWaiting: math.MinInt64, minFork: math.MaxInt64}

func newCoreTree(cores int) coreTree {
	size := 1
	for size < cores {
		size *= 2
	}
	t := coreTree{size: size, nodes: make([]treeNode, 2*size), isDty: make([]bool, cores)}
	for i := range t.nodes {
		t.nodes[i] = emptyNode
	}
	for c := range cores {
		t.mark(c)
	}
	return t
}

func (t *coreTree) mark(c int) {
	if !t.isDty[c] {
		t.isDty[c] = true
		t.dirty = append(t.dirty, int32(c))
	}
}

// update recomputes the marked cores' leaves (leaf gives a core's) and
// their paths to the root.
func (t *coreTree) update(leaf func(c int) treeNode) {
	for _, c := range t.dirty {
		t.isDty[c] = false
		i := t.size + int(c)
		t.nodes[i] = leaf(int(c))
		for i >>= 1; i >= 1; i >>= 1 {
			l, r := &t.nodes[2*i], &t.nodes[2*i+1]
			t.nodes[i] = treeNode{minLoad: min(l.minLoad, r.minLoad), maxLoad: max(l.maxLoad, r.maxLoad),
				maxWaiting: max(l.maxWaiting, r.maxWaiting), minFork: min(l.minFork, r.minFork)}
		}
	}
	t.dirty = t.dirty[:0]
}

// coreFlags is what the index holds of a core: its bits in avail, empty
// and settled, and the victim candidacy filed for it (at: when it is
// ripe; run: the task then on the core).
type coreFlags struct {
	avail, empty, settled, cand bool
	run                         int32
	at                          int64
}

// ripeEntry is a core whose waiting head may preempt from at on.
type ripeEntry struct {
	at  int64
	c   int32
	ver uint32
}

func ripeLess(a, b *ripeEntry) bool { return a.at < b.at || (a.at == b.at && a.c < b.c) }

// settleEntry is a core idle since at.
type settleEntry struct {
	at int64
	c  int32
}

// recentFork is a task placed on core c at fork at time at.
type recentFork struct {
	at int64
	c  int32
}

// linuxIndex is the linux policy's per-core bookkeeping.
type linuxIndex struct {
	avail coreSet // idle cores with a task queued
	empty coreSet // cores with no task, running or waiting
	tree  coreTree
	// the victim: cores whose queue's head woke from a sleep while
	// another task runs there (a candidate), ripe once the running task
	// has had its base slice; candidates not ripe yet wait in a heap
	ripe    coreSet
	ripeAt  []ripeEntry
	ver     []uint32 // per core: bumped whenever its candidacy changes
	flags   []coreFlags
	settled coreSet // cores idle for BalanceIdle or longer
	idleQ   []settleEntry
	idleH   int
	recent  []recentFork // forks of the last ForkRamp, in time order
	recentH int
	nRecent []int32 // per core: forks there in the last ForkRamp
}

// newLinuxIndex is the index of cores cores, or (not on) only the count
// of recent forks per core, which the passes use too.
func newLinuxIndex(cores int, on bool) linuxIndex {
	if !on {
		return linuxIndex{nRecent: make([]int32, cores)}
	}
	x := linuxIndex{avail: newCoreSet(cores), empty: newCoreSet(cores), tree: newCoreTree(cores),
		ripe: newCoreSet(cores), ver: make([]uint32, cores), settled: newCoreSet(cores), nRecent: make([]int32, cores),
		flags: make([]coreFlags, cores)}
	for c := range cores {
		x.empty.add(c)
		x.flags[c] = coreFlags{empty: true, run: -1}
		x.idleQ = append(x.idleQ, settleEntry{at: 0, c: int32(c)})
	}
	return x
}

// changed brings core c's entries in the index up to date after a change
// of its load, its queue or whether a task runs on it.
func (p *linuxPolicy) changed(c int) {
	if !p.indexed {
		return
	}
	cq := &p.queues[c]
	x := &p.x
	f := &x.flags[c]
	idle := p.e.cores[c].cur < 0
	if a := idle && cq.head < len(cq.q); a != f.avail {
		f.avail = a
		x.avail.flip(c, a)
	}
	if m := cq.load == 0 && idle; m != f.empty {
		f.empty = m
		x.empty.flip(c, m)
	}
	if st := cq.load == 0 && p.matured[c]; st != f.settled {
		f.settled = st
		x.settled.flip(c, st)
	}
	x.tree.mark(c)
	p.touchRipe(c)
}

// touchRipe re-files core c as a victim candidate: its queue's head woke
// from a sleep and a task runs on c; ripe once that task has had its base
// slice (sliceBase + baseSlice), which a heap of the candidates not ripe
// yet brings about when the time comes.
func (p *linuxPolicy) touchRipe(c int) {
	x := &p.x
	f := &x.flags[c]
	cq := &p.queues[c]
	id := p.e.cores[c].cur
	cand := cq.head < len(cq.q) && cq.woke[cq.head] && id >= 0
	var at int64
	if cand {
		at = satAdd(p.e.threads[id].os.sliceBase, p.baseSlice)
	}
	if cand == f.cand && at == f.at && id == f.run {
		return // the same candidate as before, filed already
	}
	f.cand, f.at, f.run = cand, at, id
	x.ver[c]++
	x.ripe.remove(c)
	if !cand {
		return
	}
	if at <= p.e.now {
		x.ripe.add(c)
		return
	}
	x.ripeAt = append(x.ripeAt, ripeEntry{at: at, c: int32(c), ver: x.ver[c]})
	heapUp(x.ripeAt, len(x.ripeAt)-1, ripeLess)
	if len(x.ripeAt) > 2*len(p.queues)+64 {
		n := 0
		for _, r := range x.ripeAt {
			if r.ver == x.ver[r.c] {
				x.ripeAt[n] = r
				n++
			}
		}
		x.ripeAt = x.ripeAt[:n]
		for i := n/2 - 1; i >= 0; i-- {
			heapDown(x.ripeAt, i, ripeLess)
		}
	}
}

// sliceBegan: the task on a core began a slice, so its base slice counts
// from then.
func (p *linuxPolicy) sliceBegan(t *thread) {
	if !p.indexed {
		return
	}
	if c := t.os.core; c >= 0 && p.e.cores[c].cur == t.idx {
		p.touchRipe(int(c))
	}
}

// leaf is core c's numbers for the tree.
func (p *linuxPolicy) leaf(c int) treeNode {
	cq := &p.queues[c]
	l, cc := int64(cq.load), int64(c)
	nd := treeNode{minLoad: packMin(l, cc), maxLoad: packMax(l, cc), maxWaiting: emptyNode.maxWaiting,
		minFork: packMin(max(l-int64(p.x.nRecent[c]), 0), cc)}
	if cq.head < len(cq.q) {
		nd.maxWaiting = nd.maxLoad
	}
	return nd
}

// root is the tree's root, up to date.
func (p *linuxPolicy) root() *treeNode {
	p.x.tree.update(p.leaf)
	return &p.x.tree.nodes[1]
}

// matureIdle marks the cores idle since BalanceIdle ago or more (each
// idle stretch's entry is looked at once).
func (p *linuxPolicy) matureIdle() {
	x := &p.x
	for x.idleH < len(x.idleQ) && x.idleQ[x.idleH].at <= p.e.now-p.e.m.BalanceIdle {
		s := x.idleQ[x.idleH]
		x.idleH++
		if p.queues[s.c].idleSince == s.at {
			p.matured[s.c] = true
			p.changed(int(s.c))
		}
	}
	if x.idleH == len(x.idleQ) {
		x.idleQ, x.idleH = x.idleQ[:0], 0
	} else if x.idleH >= 1024 && 2*x.idleH >= len(x.idleQ) {
		n := copy(x.idleQ, x.idleQ[x.idleH:])
		x.idleQ, x.idleH = x.idleQ[:n], 0
	}
}
