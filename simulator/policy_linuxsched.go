package simulator

import "math"

// linuxPolicy is Linux's scheduler as it behaves on a small machine
// (semantics.md 14.3): a run queue per core, FIFO, in which CPU-bound
// tasks take turns at the scheduler tick; a new task placed at fork by
// the load its candidates have shown for a while (so that children forked
// close together pile up on one core); a woken task on its previous core
// if idle, else an idle core, else its previous core's queue, where it
// preempts a task that has had its base slice; and a load balancer that
// moves a waiting task between cores only after an imbalance has lasted:
// at once an idle core's balance, slowly a busy core's.
type linuxPolicy struct {
	e         *engine
	queues    []coreQueue
	qcore     []int32 // per thread: the core whose queue holds it, or which it last ran on (-1: none yet)
	baseSlice int64
	// balancing: the imbalance being timed, and when it started
	imbKind  int8 // 0 none, 2 behind by 2 or more, 3 behind by 1
	imbSince int64
	imbDelay int64  // the delay drawn for this imbalance
	tickAt   int64  // the pending tick event's time (-1: none)
	lastFork int32  // the core the latest fork placement chose
	toPlace  []bool // per thread: admitted, to be placed when queued
	// the cores' answers kept up to date at every change of a core's
	// queue, load or running task (touch), so that the dispatch and a
	// wake-up's placement find their core in O(log64 cores), not by a
	// pass over every core
	avail coreSet // idle cores with a task waiting in their queue
	empty coreSet // cores with no task, running or waiting
	// the victim: a core is a candidate while a woken task waits in its
	// queue and another task runs there, ripe once that task has had its
	// base slice; candidates not ripe yet wait in a heap by the time
	// they ripen (entries of an older candidacy are skipped by version)
	ripe   coreSet
	ripeAt []ripeEntry
	filed  []victimFiling // per core: the candidacy last filed
	pulls  donorTree      // the idle balance's candidates (balance)
	// the fork placement: the tasks placed at fork in the last ForkRamp,
	// in time order, their count per core, and a tree of the cores'
	// established loads (load less those), brought up to date when a
	// fork asks (only the cores changed since are recomputed)
	forks   []recentFork
	forksH  int
	nRecent []int32
	est     lazyMinTree
}

// recentFork is a task placed on core c at fork at time at.
type recentFork struct {
	at int64
	c  int32
}

// victimFiling is a core's candidacy as the victim's index holds it.
type victimFiling struct {
	cand bool
	run  int32 // the task running there
	at   int64 // when it has had its base slice
	ver  uint32
}

// ripeEntry is a candidate core that ripens at at (if ver is still its
// filing's version).
type ripeEntry struct {
	at  int64
	c   int32
	ver uint32
}

func ripeLess(a, b *ripeEntry) bool { return a.at < b.at || (a.at == b.at && a.c < b.c) }

// coreQueue is one core's run queue: the threads waiting for that core,
// those that woke from a sleep (or were just started) ahead of those
// that were preempted, each in order; how many threads it has (waiting
// or running). EEVDF places a waking task at the average virtual runtime
// with a fresh deadline, ahead of tasks that have used their slices.
type coreQueue struct {
	woken queue[*thread] // woke up (or started): picked first, may preempt
	q     queue[*thread] // preempted or moved
	load  int            // waiting + running
	// idleSince is when the core last ran out of tasks (idle: it has
	// none now); idleAcc the idle time before that, in all; snapAt and
	// snapIdle the start of the window over which the balancer judges
	// how idle the core has been, and idleAcc then.
	idleSince, idleAcc, snapAt, snapIdle int64
	idle                                 bool
}

// busyAgain notes that core queue cq gets a task.
func (p *linuxPolicy) busyAgain(cq *coreQueue) {
	if cq.idle {
		cq.idle = false
		cq.idleAcc += p.e.now - cq.idleSince
	}
}

// mostlyIdle says whether the idle core cq has been idle at least half of
// a window of at least BalanceIdle (a core idle in short gaps, as beside
// a task that wakes every millisecond, balances as the kernel's newly
// idle balance does), and starts a new window once one has run out.
func (p *linuxPolicy) mostlyIdle(cq *coreQueue) bool {
	now := p.e.now
	w := now - cq.snapAt
	if w < p.e.m.BalanceIdle {
		return false
	}
	idle := cq.idleAcc - cq.snapIdle
	if cq.idle {
		idle += now - cq.idleSince
	}
	cq.snapAt, cq.snapIdle = now, cq.idleAcc
	if cq.idle {
		// the current idle period counts from here in the next window
		cq.snapIdle -= now - cq.idleSince
	}
	return 2*idle >= w
}

// minGranularity is the least a task runs before a woken one preempts it,
// whatever the base slice: CFS's lowest sched_min_granularity_ns (0.1 ms).
const minGranularity = 100_000

func newLinuxPolicy(e *engine) osPolicy {
	n := len(e.cores)
	// the kernel scales the base slice by 1 + ilog2(ncpus), counting at
	// most 8 CPUs (get_update_sysctl_factor, SCHED_TUNABLESCALING_LOG)
	f := int64(1)
	for k := min(n, 8); k > 1; k >>= 1 {
		f++
	}
	p := &linuxPolicy{e: e, queues: make([]coreQueue, n), baseSlice: satMul(e.m.BaseSlice, f), tickAt: -1,
		avail: newCoreSet(n), empty: newCoreSet(n), ripe: newCoreSet(n), filed: make([]victimFiling, n),
		nRecent: make([]int32, n), est: newLazyMinTree(n)}
	for c := range n {
		p.empty.add(c)
	}
	return p
}

// touch brings core c's entries in avail and empty up to date after a
// change of its queue, its load or whether a task runs on it.
func (p *linuxPolicy) touch(c int) {
	cq := &p.queues[c]
	idle := p.e.cores[c].cur < 0
	p.avail.flip(c, idle && cq.waiting())
	p.empty.flip(c, idle && cq.load == 0)
	p.fileVictim(c)
	p.est.mark(c)
}

// fileVictim re-files core c's candidacy as the victim if it changed.
func (p *linuxPolicy) fileVictim(c int) {
	f := &p.filed[c]
	id := p.e.cores[c].cur
	cand := p.queues[c].woken.len() > 0 && id >= 0
	var at int64
	if cand {
		at = satAdd(p.e.threads[id].os.sliceBase, max(p.baseSlice, minGranularity))
	} else {
		id = -1
	}
	if cand == f.cand && id == f.run && at == f.at {
		return
	}
	f.cand, f.run, f.at = cand, id, at
	f.ver++
	p.ripe.remove(c)
	switch {
	case !cand:
	case at <= p.e.now:
		p.ripe.add(c)
	default:
		// the entries of candidacies re-filed since are stale
		lazyPush(&p.ripeAt, ripeEntry{at: at, c: int32(c), ver: f.ver}, ripeLess, 2*len(p.queues)+64,
			func(r ripeEntry) bool { return r.ver == p.filed[r.c].ver })
	}
}

func (p *linuxPolicy) coreOf(t *thread) int32 {
	for int(t.idx) >= len(p.qcore) {
		p.qcore = append(p.qcore, -1)
		p.toPlace = append(p.toPlace, false)
	}
	return p.qcore[t.idx]
}

// admit notes that t becomes runnable, and how; enqueue places it (at
// the dispatch, in file order, so that the tasks made runnable at one
// instant see one another's placements).
func (p *linuxPolicy) admit(t *thread, woke bool) {
	p.coreOf(t)
	t.os.wokeUp = woke
	p.toPlace[t.idx] = true
}

// place chooses t's core: at fork by the established load (a thread that
// its process's main thread starts goes to an idle core, else where the
// main thread ran: one OS process of one Python thread is one task), at a wake-up its previous
// core if idle, else an idle core, else its previous core.
func (p *linuxPolicy) place(t *thread) int32 {
	prev := p.coreOf(t)
	woke := t.os.wokeUp
	e := p.e
	switch {
	case !woke && prev < 0 && p.startedThread(t):
		// a new thread: an idle core if there is one, else where the main
		// thread that started it ran
		if idle := p.idleCore(); idle >= 0 {
			return int32(idle)
		}
		return p.qcore[t.proc.starter.main.idx]
	case !woke && prev < 0:
		c := p.forkTarget()
		p.forks = append(p.forks, recentFork{at: e.now, c: c})
		p.nRecent[c]++
		p.est.mark(int(c))
		return c
	case prev >= 0 && e.cores[prev].cur < 0 && p.queues[prev].load == 0:
		return prev // its previous core is idle
	}
	if idle := p.idleCore(); idle >= 0 {
		return int32(idle)
	}
	if prev < 0 {
		return p.forkTarget()
	}
	return prev
}

// forkTarget is the core a new task goes to: an idle one if any (the
// lowest); otherwise the one with the fewest tasks that have been there
// longer than the fork ramp, and on a tie the core the previous fork
// went to. The kernel compares utilisation averages that ramp up over
// tens of ms, so tasks forked close together look alike: once no core
// is idle they pile up on one (traced: 3 of 4 children on one CPU).
func (p *linuxPolicy) forkTarget() int32 {
	if c := p.idleCore(); c >= 0 {
		p.lastFork = int32(c)
		return int32(c)
	}
	// the forks older than the ramp count as established
	for p.forksH < len(p.forks) && p.forks[p.forksH].at <= p.e.now-p.e.m.ForkRamp {
		c := p.forks[p.forksH].c
		p.nRecent[c]--
		p.est.mark(int(c))
		p.forksH++
	}
	if p.forksH == len(p.forks) {
		p.forks, p.forksH = p.forks[:0], 0
	} else if p.forksH >= 1024 && 2*p.forksH >= len(p.forks) {
		n := copy(p.forks, p.forks[p.forksH:])
		p.forks, p.forksH = p.forks[:n], 0
	}
	p.est.update(p.established)
	least := p.est.min()
	best := int32(least & math.MaxUint32) // the first core of the least
	if p.est.leaf(int(p.lastFork))>>32 == least>>32 {
		best = p.lastFork
	}
	p.lastFork = best
	return best
}

// established is core c's key in the fork placement's tree: its load
// less the tasks forked there within the ramp (at least 0), and c.
func (p *linuxPolicy) established(c int) int64 {
	return int64(max(p.queues[c].load-int(p.nRecent[c]), 0))<<32 | int64(c)
}

// lazyMinTree is a min segment tree over the cores whose leaves are
// recomputed only when asked: changes mark a core, and update
// recomputes the marked cores' leaves and paths (O(log cores) each, at
// most once a change).
type lazyMinTree struct {
	size   int
	nodes  []int64 // from 1; leaves from size
	dirty  []int32
	marked []bool
}

func newLazyMinTree(n int) lazyMinTree {
	t := lazyMinTree{size: 1, marked: make([]bool, n)}
	for t.size < n {
		t.size *= 2
	}
	t.nodes = make([]int64, 2*t.size)
	for i := range t.nodes {
		t.nodes[i] = math.MaxInt64
	}
	for c := range n {
		t.mark(c)
	}
	return t
}

func (t *lazyMinTree) mark(c int) {
	if !t.marked[c] {
		t.marked[c] = true
		t.dirty = append(t.dirty, int32(c))
	}
}

func (t *lazyMinTree) update(leaf func(c int) int64) {
	for _, c := range t.dirty {
		t.marked[c] = false
		i := t.size + int(c)
		t.nodes[i] = leaf(int(c))
		for i >>= 1; i >= 1; i >>= 1 {
			t.nodes[i] = min(t.nodes[2*i], t.nodes[2*i+1])
		}
	}
	t.dirty = t.dirty[:0]
}

func (t *lazyMinTree) min() int64       { return t.nodes[1] }
func (t *lazyMinTree) leaf(c int) int64 { return t.nodes[t.size+c] }

// startedThread: t is a thread its process's main thread starts, which
// has not run yet.
func (p *linuxPolicy) startedThread(t *thread) bool {
	return t.rt.announce && t.proc.mainThread() != nil && p.coreOf(t.proc.mainThread()) >= 0
}

// idleCore is the lowest core with nothing to run, or -1.
func (p *linuxPolicy) idleCore() int { return p.empty.next(0) }

// nextCore is the lowest idle core at or after from with a task queued
// for it.
func (p *linuxPolicy) nextCore(from int) int { return p.avail.next(from) }

// sliceBegan re-files t's core as the victim: its base slice counts from
// the slice's beginning.
func (p *linuxPolicy) sliceBegan(t *thread) {
	if c := t.os.core; c >= 0 && p.e.cores[c].cur == t.idx {
		p.fileVictim(int(c))
	}
}

func (p *linuxPolicy) enqueue(t *thread) {
	c := p.coreOf(t)
	preempts := t.os.wokeUp
	if p.toPlace[t.idx] || c < 0 {
		p.toPlace[t.idx] = false
		// a thread just started preempts as a woken one does
		// (wake_up_new_task checks wake-up preemption too)
		preempts = preempts || (c < 0 && p.startedThread(t))
		c = p.place(t)
		p.qcore[t.idx] = c
	}
	cq := &p.queues[c]
	if preempts {
		cq.woken.push(t)
	} else {
		cq.q.push(t)
	}
	t.os.wokeUp = false
	p.busyAgain(cq)
	cq.load++
	p.touch(int(c))
	p.armTick()
}

// next takes the head of core c's own queue: nothing moves between cores
// but placement and the balancer. A woken task goes first, unless the
// first preempted one began waiting a whole tick before it: a task that
// wakes often spends its lag and is not always eligible under EEVDF, so
// tasks that keep waking cannot starve a CPU-bound one.
func (p *linuxPolicy) next(c int) *thread {
	cq := &p.queues[c]
	var t *thread
	switch {
	case cq.woken.len() > 0 && (cq.q.len() == 0 || (*cq.q.front()).os.since+p.e.m.Tick > (*cq.woken.front()).os.since):
		t = cq.woken.pop()
	case cq.q.len() > 0:
		t = cq.q.pop()
	default:
		return nil
	}
	cq.load-- // onCore counts it again
	p.touch(c)
	return t
}

// victim: a task that woke from a sleep preempts the task on its core
// once that one has had its base slice in this turn (EEVDF's wake-up
// preemption past run-to-parity), and at least minGranularity of it: with
// a base slice of 0, waiters woken during each context switch took the
// core from every task the instant its switch ended, and nothing ran.
//
// It is the lowest such core's task: the candidates that have ripened
// by now join the ripe set, whose lowest member it is.
func (p *linuxPolicy) victim() *thread {
	e := p.e
	for len(p.ripeAt) > 0 && p.ripeAt[0].at <= e.now {
		r := heapPop(&p.ripeAt, ripeLess)
		if r.ver == p.filed[r.c].ver {
			p.ripe.add(int(r.c))
		}
	}
	c := p.ripe.next(0)
	if c < 0 {
		return nil
	}
	return e.threads[e.cores[c].cur]
}

// sliceEnd is the first scheduler tick after t has had its base slice,
// and at least minGranularity of it, as CFS's tick slice (sched_slice)
// gave each of equal tasks at least sched_min_granularity, which could not
// be set below 0.1 ms: with no high-resolution tick, a CPU-bound task
// gives its core up only at a tick. (A turn of a nanosecond let a tick falling just after every
// context switch take the core back each time: with a 20 ms switch and a
// tick of 100.001 us, a multiple of which 20.0002 ms is, each turn did
// 200 ns of work.)
func (p *linuxPolicy) sliceEnd(t *thread) (int64, bool) {
	tick := p.e.m.Tick
	if tick <= 0 {
		return 0, false
	}
	at := satAdd(t.os.sliceBase, max(p.baseSlice, minGranularity))
	if r := at % tick; r != 0 {
		at = satAdd(at, tick-r)
	}
	return at, true
}

func (p *linuxPolicy) contended(t *thread) bool {
	c := p.coreOf(t)
	return c >= 0 && p.queues[c].waiting()
}

func (p *linuxPolicy) onCore(t *thread) {
	p.coreOf(t)
	p.qcore[t.idx] = t.os.core
	cq := &p.queues[t.os.core]
	p.busyAgain(cq)
	cq.load++
	p.touch(int(t.os.core))
}

func (p *linuxPolicy) offCore(t *thread) {
	cq := &p.queues[t.os.core]
	if cq.load--; cq.load == 0 {
		cq.idleSince, cq.idle = p.e.now, true
	}
	p.touch(int(t.os.core))
}

// armTick keeps a balancing tick pending while a task waits somewhere.
func (p *linuxPolicy) armTick() {
	if p.tickAt >= p.e.now || p.e.m.Tick <= 0 {
		return
	}
	tick := p.e.m.Tick
	at := p.e.now - p.e.now%tick + tick
	p.tickAt = at
	p.e.q.push(event{at: at, kind: evTick})
}

// tick is a scheduler tick while tasks wait: the balancer's turn.
func (p *linuxPolicy) tick() {
	p.tickAt = -1
	p.balance()
	if p.e.waiting > 0 {
		p.armTick()
	}
}

// balance moves the longest-waiting task of the busiest core to the least
// loaded one once the imbalance has lasted long enough: a core idle for
// BalanceIdle (or idle half of a window that long), or one idle while a
// task has waited that long, pulls a waiting task (the kernel's idle
// balance, kicked by a busy core's tick); a busy core behind by two or more
// pulls after BalanceBusy; behind by one, with a task waiting on the
// other core, after a delay drawn around BalanceFlip (so that three
// CPU-bound tasks on two cores change pairs now and then).
func (p *linuxPolicy) balance() {
	e := p.e
	busy, least := p.extremes()
	hi, lo := p.queues[busy].load, p.queues[least].load
	if lo == 0 && hi >= 2 {
		// every idle core pulls from the busiest core with a task
		// waiting, once it has been idle for balance_idle or the task
		// has waited that long (the first such core on a tie); the
		// candidates are kept in a tree built once for this tick and
		// brought up to date after each pull, so that the idle cores do
		// not each pass over every core
		p.pulls.build(len(p.queues), p.donor)
		pulled := false
		for c := range p.queues {
			if p.queues[c].load != 0 {
				continue
			}
			long := e.now-p.queues[c].idleSince >= e.m.BalanceIdle || p.mostlyIdle(&p.queues[c])
			from := p.pulls.best(long)
			if linuxBalanceScan {
				from = p.donorByScan(long)
			}
			if from < 0 {
				continue // another idle core may still pull
			}
			if p.pull(from, c) {
				pulled = true
			}
			p.pulls.set(from, p.donor)
			p.pulls.set(c, p.donor)
		}
		if pulled {
			p.imbKind = 0 // a new imbalance, if any, is timed afresh
		}
		return
	}
	kind := int8(0)
	switch {
	case hi-lo >= 2:
		kind = 2
	case hi-lo == 1 && hi >= 2:
		kind = 3
	}
	if kind != p.imbKind {
		p.imbKind, p.imbSince = kind, e.now
		switch kind {
		case 2:
			p.imbDelay = e.m.BalanceBusy
		case 3:
			p.imbDelay = e.m.BalanceFlip/100*85 + e.rng.Int64N(e.m.BalanceFlip/100*30+1)
		}
	}
	if kind == 0 || e.now-p.imbSince < p.imbDelay {
		return
	}
	p.pull(busy, least)
	if kind == 2 {
		// the balancer moves enough waiting tasks to even the loads out
		for {
			busy, least = p.extremes()
			if p.queues[busy].load-p.queues[least].load < 2 || !p.pull(busy, least) {
				break
			}
		}
	}
	p.imbKind = 0 // a new imbalance, if any, is timed afresh
}

// extremes are the most and the least loaded cores (the lowest on a tie).
func (p *linuxPolicy) extremes() (busy, least int) {
	for c := range p.queues {
		if p.queues[c].load > p.queues[busy].load {
			busy = c
		}
		if p.queues[c].load < p.queues[least].load {
			least = c
		}
	}
	return busy, least
}

// pull moves the first task waiting on core from (a preempted one before
// a woken one) to core to's queue;
// false when nothing waits there.
func (p *linuxPolicy) pull(from, to int) bool {
	cq := &p.queues[from]
	var t *thread
	switch {
	case cq.q.len() > 0:
		t = cq.q.pop()
	case cq.woken.len() > 0:
		t = cq.woken.pop()
	default:
		return false // all running: nothing waits to be moved
	}
	cq.load--
	dst := &p.queues[to]
	dst.q.push(t)
	p.busyAgain(dst)
	dst.load++
	p.qcore[t.idx] = int32(to)
	p.touch(from)
	p.touch(to)
	return true
}

// donor is core d's leaf in the idle balance's tree: its load and index
// if a task waits there (all), and also (old) if that task has waited
// balance_idle or longer.
func (p *linuxPolicy) donor(d int) (all, old int64) {
	all, old = noDonor, noDonor
	if dq := &p.queues[d]; dq.waiting() {
		all = int64(dq.load)<<32 | int64(math.MaxUint32-uint32(d))
		if p.e.now-dq.longestWait() >= p.e.m.BalanceIdle {
			old = all
		}
	}
	return all, old
}

const noDonor = math.MinInt64

// linuxBalanceScan makes the idle balance find its donors by a pass over
// the cores, as it did before its tree (for the tests, which compare).
var linuxBalanceScan = false

// donorByScan is donorTree.best by a pass over the cores.
func (p *linuxPolicy) donorByScan(all bool) int {
	from := -1
	for d := range p.queues {
		dq := &p.queues[d]
		if dq.waiting() && (all || p.e.now-dq.longestWait() >= p.e.m.BalanceIdle) && (from < 0 || dq.load > p.queues[from].load) {
			from = d
		}
	}
	return from
}

// donorTree is a max segment tree over the cores of two keys, load<<32 |
// ^core (so the greatest is the busiest core, the first on a tie): any
// (all) for a core with a task waiting, old for one whose task has waited
// balance_idle. Built in O(cores) when the balancer needs it, each
// change costs O(log cores).
type donorTree struct {
	size     int
	any, old []int64 // nodes from 1; leaves from size
}

func (t *donorTree) build(n int, leaf func(c int) (all, old int64)) {
	if t.size == 0 {
		t.size = 1
		for t.size < n {
			t.size *= 2
		}
		t.any, t.old = make([]int64, 2*t.size), make([]int64, 2*t.size)
	}
	for i := range t.size {
		a, o := int64(noDonor), int64(noDonor)
		if i < n {
			a, o = leaf(i)
		}
		t.any[t.size+i], t.old[t.size+i] = a, o
	}
	for i := t.size - 1; i >= 1; i-- {
		t.any[i] = max(t.any[2*i], t.any[2*i+1])
		t.old[i] = max(t.old[2*i], t.old[2*i+1])
	}
}

// set recomputes core c's leaf and its path to the root.
func (t *donorTree) set(c int, leaf func(c int) (all, old int64)) {
	i := t.size + c
	t.any[i], t.old[i] = leaf(c)
	for i >>= 1; i >= 1; i >>= 1 {
		t.any[i] = max(t.any[2*i], t.any[2*i+1])
		t.old[i] = max(t.old[2*i], t.old[2*i+1])
	}
}

// best is the core to pull from: the busiest with a task waiting (all:
// any, else one that has waited balance_idle), or -1.
func (t *donorTree) best(all bool) int {
	k := t.old[1]
	if all {
		k = t.any[1]
	}
	if k == noDonor {
		return -1
	}
	return int(math.MaxUint32 - uint32(k))
}

func (cq *coreQueue) waiting() bool { return cq.woken.len() > 0 || cq.q.len() > 0 }

// longestWait is when the task that has waited longest on the core
// began to wait (the queues' heads; the core must have a task waiting).
func (cq *coreQueue) longestWait() int64 {
	switch {
	case cq.q.len() == 0:
		return (*cq.woken.front()).os.since
	case cq.woken.len() == 0:
		return (*cq.q.front()).os.since
	}
	return min((*cq.q.front()).os.since, (*cq.woken.front()).os.since)
}
