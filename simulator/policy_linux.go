package simulator

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
}

// coreQueue is one core's run queue: the threads waiting for that core,
// those that woke from a sleep (or were just started) ahead of those
// that were preempted, each in order; how many threads it has (waiting
// or running); and the arrival times of those placed there at fork
// lately. EEVDF places a waking task at the average virtual runtime
// with a fresh deadline, ahead of tasks that have used their slices.
type coreQueue struct {
	woken  queue[*thread] // woke up (or started): picked first, may preempt
	q      queue[*thread] // preempted or moved
	load   int            // waiting + running
	recent []int64
	rHead  int
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

func newLinuxPolicy(e *engine) osPolicy {
	n := len(e.cores)
	// the kernel scales the base slice by 1 + ilog2(ncpus), counting at
	// most 8 CPUs (get_update_sysctl_factor, SCHED_TUNABLESCALING_LOG)
	f := int64(1)
	for k := min(n, 8); k > 1; k >>= 1 {
		f++
	}
	return &linuxPolicy{e: e, queues: make([]coreQueue, n), baseSlice: satMul(e.m.BaseSlice, f), tickAt: -1}
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
		return p.qcore[t.proc.main.idx]
	case !woke && prev < 0:
		c := p.forkTarget()
		cq := &p.queues[c]
		cq.recent = append(cq.recent, e.now)
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
	best, bestN := int32(-1), 0
	for c := range p.queues {
		cq := &p.queues[c]
		for cq.rHead < len(cq.recent) && cq.recent[cq.rHead] <= p.e.now-p.e.m.ForkRamp {
			cq.rHead++
		}
		if cq.rHead == len(cq.recent) {
			cq.recent, cq.rHead = cq.recent[:0], 0
		}
		n := max(cq.load-(len(cq.recent)-cq.rHead), 0)
		if best < 0 || n < bestN || (n == bestN && int32(c) == p.lastFork) {
			best, bestN = int32(c), n
		}
	}
	p.lastFork = best
	return best
}

// startedThread: t is a thread its process's main thread starts, which
// has not run yet.
func (p *linuxPolicy) startedThread(t *thread) bool {
	return t.rt.announce && t.proc.main != nil && p.coreOf(t.proc.main) >= 0
}

// idleCore is a core with nothing to run, or -1.
func (p *linuxPolicy) idleCore() int {
	for c := range p.queues {
		if p.queues[c].load == 0 && p.e.cores[c].cur < 0 {
			return c
		}
	}
	return -1
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
	return t
}

// victim: a task that woke from a sleep preempts the task on its core
// once that one has had its base slice in this turn (EEVDF's wake-up
// preemption past run-to-parity).
func (p *linuxPolicy) victim() *thread {
	e := p.e
	for c := range p.queues {
		cq := &p.queues[c]
		if cq.woken.len() == 0 {
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

// sliceEnd is the first scheduler tick after t has had its base slice
// (at least a nanosecond of it, so that a turn always runs): with no
// high-resolution tick, a CPU-bound task gives its core up only at a
// tick.
func (p *linuxPolicy) sliceEnd(t *thread) (int64, bool) {
	tick := p.e.m.Tick
	if tick <= 0 {
		return 0, false
	}
	at := satAdd(t.os.sliceBase, max(p.baseSlice, 1))
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
}

func (p *linuxPolicy) offCore(t *thread) {
	cq := &p.queues[t.os.core]
	if cq.load--; cq.load == 0 {
		cq.idleSince, cq.idle = p.e.now, true
	}
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
// BalanceIdle, or one idle while a task has waited that long, pulls a
// waiting task (the kernel's idle balance, kicked by a busy core's
// tick); a busy core behind by two or more
// pulls after BalanceBusy; behind by one, with a task waiting on the
// other core, after a delay drawn around BalanceFlip (so that three
// CPU-bound tasks on two cores change pairs now and then).
func (p *linuxPolicy) balance() {
	e := p.e
	busy, least := p.extremes()
	hi, lo := p.queues[busy].load, p.queues[least].load
	if lo == 0 && hi >= 2 {
		pulled := false
		// every idle core pulls from the busiest core with a task
		// waiting, once it has been idle for balance_idle or the task
		// has waited that long
		for c := range p.queues {
			if p.queues[c].load != 0 {
				continue
			}
			long := e.now-p.queues[c].idleSince >= e.m.BalanceIdle || p.mostlyIdle(&p.queues[c])
			from := -1
			for d := range p.queues {
				dq := &p.queues[d]
				if dq.waiting() && (long || e.now-dq.longestWait() >= e.m.BalanceIdle) && (from < 0 || dq.load > p.queues[from].load) {
					from = d
				}
			}
			if from >= 0 && p.pull(from, c) {
				pulled = true
			}
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
	return true
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
