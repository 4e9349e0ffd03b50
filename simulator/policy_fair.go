package simulator

import "math"

// fairPolicy is an ideal CFS on one global queue: the runnable thread of
// least virtual runtime runs next; a thread's virtual runtime grows with
// its time on a core divided by its nice level's weight; a waking thread
// is placed half a latency behind the least virtual runtime, so it runs
// soon but cannot hoard its sleep; it takes the core of the running
// thread furthest ahead when that one leads it by more than the wake-up
// granularity; and a running thread's slice is its weight's share of the
// scheduling period while others wait (semantics.md 9.1).
type fairPolicy struct {
	fairQueue
	fairParams
	minV      int64        // the least vruntime, never going back
	runWeight int64        // the fair weights of the threads on cores
	runV      []runV       // past runVScanMax cores: the vruntimes of threads on cores, a min-heap with stale entries
	run       *fairRunning // past runVScanMax cores: the threads on cores, for the victim (policy_fair_index.go)
	on        []fairOn     // up to runVScanMax cores: what the victim's and the minimum's passes need of each core's thread
	lead      fairLead     // the victim's pass over on, kept until on changes
}

// fairLead is the victim's pass over the cores' threads done once for as
// long as none of them changes: while every one has weight 1024 and has
// begun its slice (now ≥ since), the vruntime of core c's thread now is
// vr − since + now, so the one furthest ahead is the same at every
// instant (the later core on a tie), with key = vr − since.
type fairLead struct {
	ok       bool  // the fields below are those of the threads on cores now
	usable   bool  // every thread has weight 1024, 0 ≤ since < 2^53, |vr| < 2^60: nothing overflows
	worst    int   // the core whose thread leads
	key      int64 // its vr − since
	maxSince int64 // the greatest since
}

// fairOn is what the passes over the cores need of the thread on a core,
// copied when it goes on (and when its slice begins, after a context
// switch's cost has moved its onSince): the passes then read one small
// array instead of a thread per core.
type fairOn struct {
	vr, since, w int64
}

func newFairPolicy(e *engine) osPolicy {
	p := &fairPolicy{fairQueue: newFairQueue(e), fairParams: newFairParams(len(e.cores))}
	if len(e.cores) > runVScanMax {
		p.run = newFairRunning(len(e.cores))
	} else {
		p.on = make([]fairOn, len(e.cores))
		for c := range p.on {
			p.on[c].vr = math.MaxInt64 // idle (minRunV)
		}
	}
	return p
}

// fairParams are CFS's tunables scaled by the CPU count
// (SCHED_TUNABLESCALING_LOG: f = 1 + floor(log2(min(ncpus, 8)))),
// semantics.md 9.1.
type fairParams struct {
	latency, minGran, wakeupGran int64
}

func newFairParams(cores int) fairParams {
	n := cores
	if n > 8 {
		n = 8
	}
	f := int64(1)
	for n > 1 {
		n >>= 1
		f++
	}
	return fairParams{latency: 6_000_000 * f, minGran: 750_000 * f, wakeupGran: 1_000_000 * f}
}

func (p *fairPolicy) admit(t *thread, woke bool) {
	if woke {
		if v := p.minV - p.latency/2; t.os.vruntime < v {
			t.os.vruntime = v
		}
	} else if t.os.vruntime < p.minV {
		t.os.vruntime = p.minV
	}
}

func (p *fairPolicy) enqueue(t *thread) { p.push(t) }

// vruntimeNow is a running thread's virtual runtime with its time on the
// core so far.
func (p *fairPolicy) vruntimeNow(r *thread) int64 {
	return r.os.vruntime + byWeight(max(p.e.now-r.os.onSince, 0), r.weight())
}

func (p *fairPolicy) victim() *thread {
	e := p.e
	if p.run != nil {
		if e.busyCores < len(e.cores) {
			return nil // the best waiting thread takes the idle core instead
		}
		// the best waiting thread's vruntime and weight as its queue
		// entry holds them (unchanged while it waits: admit sets the
		// vruntime before enqueue, offCore only of a running thread), so
		// that the thread itself, often not in cache, is not looked at
		top := p.peek()
		worst, _ := p.furthest(func(v int64) bool { return v-top.v > byWeight(p.wakeupGran, top.w()) })
		return worst
	}
	if e.busyCores < len(e.cores) {
		return nil // the best waiting thread takes the idle core instead
	}
	// the running thread furthest ahead in vruntime now, the later core
	// on a tie (vruntimeNow from the copies in p.on)
	if !p.lead.ok {
		p.findLead()
	}
	if l := &p.lead; l.usable && e.now >= l.maxSince && e.now < 1<<53 {
		if top := p.peek(); l.key+e.now-top.v <= byWeight(p.wakeupGran, top.w()) {
			return nil
		}
		return e.threads[e.cores[l.worst].cur]
	}
	worst, v := 0, int64(0)
	for c := range p.on {
		o := &p.on[c]
		if k := o.vr + byWeight(max(e.now-o.since, 0), o.w); c == 0 || k >= v {
			worst, v = c, k
		}
	}
	if top := p.peek(); v-top.v <= byWeight(p.wakeupGran, top.w()) {
		return nil
	}
	return e.threads[e.cores[worst].cur]
}

// plain says whether o is one the lead can use: weight 1024,
// −2^60 < vr < 2^60, 0 ≤ since < 2^53 (each range one unsigned
// comparison).
func (o *fairOn) plain() bool {
	return o.w == 1024 && uint64(o.vr+(1<<60-1)) < 1<<61-1 && uint64(o.since) < 1<<53
}

// findLead fills p.lead from p.on. (Its fields are kept in registers
// during the pass, and stored once: a pass over the fields of p.lead, or
// of a local fairLead, kept them in memory.)
func (p *fairPolicy) findLead() {
	usable := true
	// (key and maxSince start below every plain entry's, which core 0's
	// entry then replaces, as the later core does on a tie)
	worst, key, maxSince := 0, int64(math.MinInt64), int64(math.MinInt64)
	for c := range p.on {
		o := &p.on[c]
		if !o.plain() {
			usable = false
			break
		}
		// (no branches: which thread leads is a coin toss to the
		// predictor)
		k := o.vr - o.since
		ge := b2i(k >= key)
		worst ^= (worst ^ c) & -ge
		key ^= (key ^ k) & -int64(ge)
		maxSince = max(maxSince, o.since)
	}
	p.lead = fairLead{ok: true, usable: usable, worst: worst, key: key, maxSince: maxSince}
}

// leadMoved brings p.lead up to date after core c's entry in p.on
// changed from old, without a pass when it can: the leader stays unless
// c overtakes it, or c was the leader and fell back (then the pass is
// left to the next victim check, as it is when the greatest since goes
// back).
func (p *fairPolicy) leadMoved(c int, old fairOn) {
	l := &p.lead
	o := &p.on[c]
	if !l.ok || !l.usable || !o.plain() ||
		(old.since == l.maxSince && o.since < old.since) {
		l.ok = false
		return
	}
	k := o.vr - o.since
	switch {
	case c == l.worst:
		if k < l.key {
			l.ok = false
			return
		}
		l.key = k
	case k > l.key || (k == l.key && c > l.worst):
		l.worst, l.key = c, k
	}
	l.maxSince = max(l.maxSince, o.since)
}

// byWeight is d·1024/w, d ≥ 0: d itself at weight 1024 (nice 0), with no
// division, the same integer while d·1024 does not overflow.
func byWeight(d, w int64) int64 {
	if w == 1024 && d < 1<<53 {
		return d
	}
	return d * 1024 / w
}

// sliceEnd is the end of t's share of the scheduling period: the period
// (the latency, or the minimum granularity for each thread on a core or
// waiting if that is longer) split by weight, at least the minimum
// granularity.
func (p *fairPolicy) sliceEnd(t *thread) (int64, bool) {
	e := p.e
	others, othersW := int64(e.busyCores), p.runWeight
	if t.os.core >= 0 && e.cores[t.os.core].cur == t.idx {
		others, othersW = others-1, othersW-t.weight()
	}
	nr := int64(p.len()+1) + others
	sumW := t.weight() + othersW + p.weight
	period := p.latency
	if q := nr * p.minGran; q > period {
		period = q
	}
	q := period * t.weight() / sumW
	if q < p.minGran {
		q = p.minGran
	}
	return t.os.sliceBase + q, true
}

func (p *fairPolicy) onCore(t *thread) {
	if p.on != nil {
		old := p.on[t.os.core]
		p.on[t.os.core] = fairOn{vr: t.os.vruntime, since: t.os.onSince, w: t.weight()}
		p.leadMoved(int(t.os.core), old)
	}
	p.runWeight += t.weight()
	if len(p.e.cores) > runVScanMax {
		p.pushRunV(t)
	}
	p.updateMinV()
}

// sliceBegan files t, on its core, in the victim's index: its onSince is
// final once its slice begins (after a context switch's cost).
func (p *fairPolicy) sliceBegan(t *thread) {
	if p.on != nil {
		// (t is on its core: place and the dispatch of expired slices
		// begin slices of threads on cores only)
		old := p.on[t.os.core]
		p.on[t.os.core].since = t.os.onSince
		p.leadMoved(int(t.os.core), old)
		return
	}
	if p.run != nil && t.os.core >= 0 && p.e.cores[t.os.core].cur == t.idx {
		p.run.remove(t.os.core)
		p.run.add(t, t.os.core, p.e.now)
	}
}

func (p *fairPolicy) offCore(t *thread) {
	if p.run != nil {
		p.run.remove(t.os.core)
	}
	if p.on != nil {
		// an idle core's copy weighs nothing in minRunV's least
		// vruntime (the victim's passes look at the copies only while
		// every core is busy, and onCore overwrites it first)
		p.on[t.os.core].vr = math.MaxInt64
	}
	p.runWeight -= t.weight()
	t.os.vruntime += byWeight(max(p.e.now-t.os.onSince, 0), t.weight())
}

// updateMinV moves the minimum vruntime up to the least of the waiting
// and running threads'.
func (p *fairPolicy) updateMinV() {
	v := int64(math.MaxInt64)
	if p.len() > 0 {
		v = p.peek().v
	}
	if r, ok := p.minRunV(); ok && r < v {
		v = r
	}
	if v != math.MaxInt64 && v > p.minV {
		p.minV = v
	}
}

// runV is a thread's vruntime when it was put on its core (it changes
// only when the thread leaves the core). The minimum vruntime needs the
// least of those of the threads on cores. On a machine of many cores a
// min-heap of them, whose stale entries (threads gone from their core
// since, or with another vruntime) are dropped when they come to the top,
// gives it without a pass over every core at every placement.
type runV struct {
	v  int64
	th int32
}

func runVLess(a, b *runV) bool { return a.v < b.v || (a.v == b.v && a.th < b.th) }

// pushRunV records that t went on a core.
func (p *fairPolicy) pushRunV(t *thread) {
	lazyPush(&p.runV, runV{v: t.os.vruntime, th: t.idx}, runVLess, 2*p.e.busyCores+64, p.runVLive)
}

func (p *fairPolicy) runVLive(r runV) bool {
	t := p.e.threads[r.th]
	return t.os.core >= 0 && p.e.cores[t.os.core].cur == t.idx && t.os.vruntime == r.v
}

// runVScanMax is the most cores whose threads' vruntimes are simply
// scanned; past it they are kept in the runV heap.
var runVScanMax = 64 // a variable for the tests, which compare the two ways

// minRunV is the least vruntime of the threads on cores.
func (p *fairPolicy) minRunV() (int64, bool) {
	if p.on != nil {
		// (an idle core's copy has MaxInt64, offCore; a running
		// thread's vruntime of MaxInt64 would move nothing either)
		v := int64(math.MaxInt64)
		for c := range p.on {
			v = min(v, p.on[c].vr) // (a CMOV: no branch to guess)
		}
		return v, v != math.MaxInt64
	}
	for len(p.runV) > 0 {
		if r := p.runV[0]; p.runVLive(r) {
			return r.v, true
		}
		heapPop(&p.runV, runVLess)
	}
	return 0, false
}
