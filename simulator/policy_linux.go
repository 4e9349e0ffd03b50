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
	imbDelay int64 // the delay drawn for this imbalance
	tickAt   int64 // the pending tick event's time (-1: none)
	// past linuxScanMax cores, the answers about the cores come from an
	// index (policy_linux_index.go) rather than a pass over them
	indexed bool
	x       linuxIndex
	matured []bool // per core: idle since BalanceIdle ago or more (its idleSince)
}

// linuxScanMax is the most cores the linux policy passes over; past it,
// it keeps its index. (A variable for the tests, which run both ways.)
var linuxScanMax = 16

// coreQueue is one core's run queue: the threads waiting for that core,
// in order, and how many threads it has (waiting or running).
type coreQueue struct {
	q         []*thread
	head      int
	woke      []bool // q[i] woke from a sleep (it may preempt)
	load      int    // waiting + running
	idleSince int64  // when load last fell to 0
}

func newLinuxPolicy(e *engine) osPolicy {
	n := len(e.cores)
	f := int64(1)
	for k := n; k > 1; k >>= 1 {
		f++
	}
	p := &linuxPolicy{e: e, queues: make([]coreQueue, n), baseSlice: e.m.BaseSlice * f, tickAt: -1,
		indexed: n > linuxScanMax}
	p.x = newLinuxIndex(n, p.indexed)
	if p.indexed {
		p.matured = make([]bool, n)
	}
	return p
}

func (p *linuxPolicy) coreOf(t *thread) int32 {
	for int(t.idx) >= len(p.qcore) {
		p.qcore = append(p.qcore, -1)
	}
	return p.qcore[t.idx]
}

// admit places t on a core's queue: at fork by the established load,
// at a wake-up on its previous core if idle, else on an idle core, else
// on its previous core.
func (p *linuxPolicy) admit(t *thread, woke bool) {
	prev := p.coreOf(t)
	c := prev
	e := p.e
	switch {
	case !woke && prev < 0 && t.rt.announce && t.proc.main != nil && p.coreOf(t.proc.main) >= 0:
		// a thread its process's main thread starts: where the main
		// thread ran (one OS process of one Python thread is one task)
		c = p.qcore[t.proc.main.idx]
	case !woke && prev < 0:
		c = p.forkTarget()
		p.x.recent = append(p.x.recent, recentFork{at: e.now, c: c})
		p.x.nRecent[c]++
		if p.indexed {
			p.x.tree.mark(int(c))
		}
	case prev >= 0 && e.cores[prev].cur < 0 && p.queues[prev].load == 0:
		// its previous core is idle
	default:
		if idle := p.idleCore(); idle >= 0 {
			c = int32(idle)
		} else if c < 0 {
			c = p.forkTarget()
		}
	}
	p.qcore[t.idx] = c
	p.pendingWoke(t, woke)
}

// pendingWoke remembers, until t is queued, whether it woke from a sleep.
func (p *linuxPolicy) pendingWoke(t *thread, woke bool) { t.os.wokeUp = woke }

// forkTarget is the core a new task goes to: the one with the fewest
// tasks that have been there longer than the fork ramp (the utilisation
// averages the kernel compares ramp up over tens of ms, so children forked
// close together look alike and pile up), the lowest on a tie.
func (p *linuxPolicy) forkTarget() int32 {
	x := &p.x
	for x.recentH < len(x.recent) && x.recent[x.recentH].at <= p.e.now-p.e.m.ForkRamp {
		c := x.recent[x.recentH].c
		x.nRecent[c]--
		if p.indexed {
			x.tree.mark(int(c))
		}
		x.recentH++
	}
	if x.recentH == len(x.recent) {
		x.recent, x.recentH = x.recent[:0], 0
	} else if x.recentH >= 1024 && 2*x.recentH >= len(x.recent) {
		n := copy(x.recent, x.recent[x.recentH:])
		x.recent, x.recentH = x.recent[:n], 0
	}
	if p.indexed {
		return int32(unpackCore(p.root().minFork, false))
	}
	best, bestN := int32(0), int32(math.MaxInt32)
	for c := range p.queues {
		if n := max(int32(p.queues[c].load)-x.nRecent[c], 0); n < bestN {
			best, bestN = int32(c), n
		}
	}
	return best
}

// idleCore is a core with nothing to run, or -1.
func (p *linuxPolicy) idleCore() int {
	if p.indexed {
		return p.x.empty.next(0)
	}
	for c := range p.queues {
		if p.queues[c].load == 0 && p.e.cores[c].cur < 0 {
			return c
		}
	}
	return -1
}

// nextCore is the lowest idle core at or after from with a task queued.
func (p *linuxPolicy) nextCore(from int) int {
	if p.indexed {
		return p.x.avail.next(from)
	}
	for c := p.e.idleCores.next(from); c >= 0; c = p.e.idleCores.next(c + 1) {
		if cq := &p.queues[c]; cq.head < len(cq.q) {
			return c
		}
	}
	return -1
}

func (p *linuxPolicy) enqueue(t *thread) {
	c := p.coreOf(t)
	if c < 0 {
		c = p.forkTarget()
		p.qcore[t.idx] = c
	}
	cq := &p.queues[c]
	cq.q = append(cq.q, t)
	cq.woke = append(cq.woke, t.os.wokeUp)
	t.os.wokeUp = false
	cq.load++
	p.changed(int(c))
	p.armTick()
}

// next takes the head of core c's own queue: nothing moves between cores
// but placement and the balancer.
func (p *linuxPolicy) next(c int) *thread {
	cq := &p.queues[c]
	if cq.head >= len(cq.q) {
		return nil
	}
	t := cq.q[cq.head]
	cq.q[cq.head] = nil
	cq.head++
	if cq.head == len(cq.q) {
		cq.q, cq.woke, cq.head = cq.q[:0], cq.woke[:0], 0
	}
	cq.load-- // onCore counts it again
	p.changed(c)
	return t
}

// victim: a task that woke from a sleep preempts the task on its core
// once that one has had its base slice in this turn (EEVDF's wake-up
// preemption past run-to-parity).
func (p *linuxPolicy) victim() *thread {
	if !p.indexed {
		e := p.e
		for c := range p.queues {
			cq := &p.queues[c]
			if cq.head >= len(cq.q) || !cq.woke[cq.head] {
				continue
			}
			if id := e.cores[c].cur; id >= 0 {
				if r := e.threads[id]; e.now-r.os.sliceBase >= p.baseSlice {
					return r
				}
			}
		}
		return nil
	}
	x := &p.x
	for len(x.ripeAt) > 0 && x.ripeAt[0].at <= p.e.now {
		r := heapPop(&x.ripeAt, ripeLess)
		if r.ver == x.ver[r.c] {
			x.ripe.add(int(r.c))
		}
	}
	c := x.ripe.next(0)
	if c < 0 {
		return nil
	}
	return p.e.threads[p.e.cores[c].cur]
}

// sliceEnd is the first scheduler tick after t has had its base slice:
// with no high-resolution tick, a CPU-bound task gives its core up only
// at a tick.
func (p *linuxPolicy) sliceEnd(t *thread) (int64, bool) {
	tick := p.e.m.Tick
	if tick <= 0 {
		return 0, false
	}
	at := t.os.sliceBase + p.baseSlice
	if r := at % tick; r != 0 {
		at += tick - r
	}
	return at, true
}

func (p *linuxPolicy) contended(t *thread) bool {
	c := p.coreOf(t)
	return c >= 0 && p.queues[c].head < len(p.queues[c].q)
}

func (p *linuxPolicy) onCore(t *thread) {
	p.coreOf(t)
	p.qcore[t.idx] = t.os.core
	p.queues[t.os.core].load++
	p.changed(int(t.os.core))
}

func (p *linuxPolicy) offCore(t *thread) {
	c := int(t.os.core)
	cq := &p.queues[c]
	cq.load--
	if cq.load == 0 {
		cq.idleSince = p.e.now
		if p.indexed {
			p.matured[c] = false
			p.x.idleQ = append(p.x.idleQ, settleEntry{at: p.e.now, c: int32(c)})
		}
	}
	p.changed(c)
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
// loaded one once the imbalance has lasted long enough: an idle core
// behind by two or more pulls after BalanceIdle; a busy core behind by two
// or more after BalanceBusy; behind by one, with a task waiting on the
// other core, after a delay drawn around BalanceFlip (so that three
// CPU-bound tasks on two cores change pairs now and then).
func (p *linuxPolicy) balance() {
	e := p.e
	busy, least := p.extremes()
	hi, lo := p.queues[busy].load, p.queues[least].load
	if lo == 0 && hi >= 2 {
		// every core idle for a while pulls from the busiest that has a
		// task waiting
		p.pullToIdle()
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
			p.imbDelay = e.m.BalanceFlip*85/100 + e.rng.Int64N(e.m.BalanceFlip*30/100+1)
		}
	}
	if kind == 0 || e.now-p.imbSince < p.imbDelay {
		return
	}
	p.pull(busy, least)
	p.imbKind = 0 // a new imbalance, if any, is timed afresh
}

// extremes are the first core of the most load and the first of the least.
func (p *linuxPolicy) extremes() (busy, least int) {
	if p.indexed {
		rt := p.root()
		return unpackCore(rt.maxLoad, true), unpackCore(rt.minLoad, false)
	}
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

// pullToIdle has each core idle for BalanceIdle or longer, in order, pull
// a task from the busiest core with one waiting (the first of them).
func (p *linuxPolicy) pullToIdle() {
	e := p.e
	if p.indexed {
		p.matureIdle()
		for c := p.x.settled.next(0); c >= 0; c = p.x.settled.next(c + 1) {
			w := p.root().maxWaiting
			if w == emptyNode.maxWaiting {
				break
			}
			p.pull(unpackCore(w, true), c)
		}
		return
	}
	for c := range p.queues {
		if p.queues[c].load != 0 || e.now-p.queues[c].idleSince < e.m.BalanceIdle {
			continue
		}
		from := -1
		for d := range p.queues {
			if dq := &p.queues[d]; dq.head < len(dq.q) && (from < 0 || dq.load > p.queues[from].load) {
				from = d
			}
		}
		if from < 0 {
			break
		}
		p.pull(from, c)
	}
}

// pull moves the longest-waiting task of core from to core to's queue.
func (p *linuxPolicy) pull(from, to int) {
	cq := &p.queues[from]
	if cq.head >= len(cq.q) {
		return // all running: nothing waits to be moved
	}
	t := cq.q[cq.head]
	woke := cq.woke[cq.head]
	cq.q[cq.head] = nil
	cq.head++
	if cq.head == len(cq.q) {
		cq.q, cq.woke, cq.head = cq.q[:0], cq.woke[:0], 0
	}
	cq.load--
	dst := &p.queues[to]
	dst.q = append(dst.q, t)
	dst.woke = append(dst.woke, woke)
	dst.load++
	p.qcore[t.idx] = int32(to)
	p.changed(from)
	p.changed(to)
}
