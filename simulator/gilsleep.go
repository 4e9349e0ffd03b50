package simulator

// This file is the bookkeeping of a GIL's sleeping waiters. Every GIL
// counts them. The legacy GIL and a random hand-off also list them (the
// hand-off draws an index into the list, in the order removals leave it);
// the futex hand-off of the new GIL finds its waiter through the timed
// waits' ordered sets (gilwait.go) and needs no list, so a waiter's
// coming and going touches no other waiter. A FIFO hand-off keeps a heap
// of the waiters by when they began waiting, then by file order.

// fifoWaiter is a sleeping waiter in gilState.fifo, valid while the
// thread is still in the sleep it recorded (n is its thread's sleeps).
type fifoWaiter struct {
	since int64
	file  int32
	idx   int32
	n     uint32
}

func fifoLess(a, b *fifoWaiter) bool {
	return a.since < b.since || (a.since == b.since && a.file < b.file)
}

// addSleeping registers t as a sleeping waiter; since is when its current
// series of timed waits began (the FIFO hand-off's order).
func (g *gilState) addSleeping(t *thread, since int64) {
	t.gil.sleeps++
	t.gil.sleepPos = 0
	if g.listed {
		t.gil.sleepPos = int32(len(g.sleeping))
		g.sleeping = append(g.sleeping, t)
	}
	g.nsleep++
	g.peakSleeping = max(g.peakSleeping, g.nsleep)
	if g.fifoOn() {
		g.fifo = append(g.fifo, fifoWaiter{since: since, file: t.file, idx: t.idx, n: t.gil.sleeps})
		heapUp(g.fifo, len(g.fifo)-1, fifoLess)
	}
}

// compactFIFO drops the heap's entries of sleeps that have ended, once
// they outnumber the sleeping waiters (each entry is dropped once: O(1)
// a sleep, amortized).
func (g *gilState) compactFIFO(e *engine) {
	if len(g.fifo) <= 2*g.nsleep+64 {
		return
	}
	n := 0
	for _, w := range g.fifo {
		if t := e.threads[w.idx]; t.gil.sleepPos >= 0 && t.gil.sleeps == w.n {
			g.fifo[n] = w
			n++
		}
	}
	g.fifo = g.fifo[:n]
	for i := n/2 - 1; i >= 0; i-- {
		heapDown(g.fifo, i, fifoLess)
	}
}

// fifoOn says whether the FIFO heap is kept: a nil heap with a FIFO
// hand-off is made on first use.
func (g *gilState) fifoOn() bool { return g.fifo != nil }

func (g *gilState) removeSleeping(t *thread) {
	i := t.gil.sleepPos
	if i < 0 {
		return
	}
	g.wakeTimed(t)
	if g.listed {
		last := len(g.sleeping) - 1
		if int(i) != last {
			m := g.sleeping[last]
			g.sleeping[i] = m
			m.gil.sleepPos = i
		}
		g.sleeping[last] = nil
		g.sleeping = g.sleeping[:last]
	}
	g.nsleep--
	t.gil.sleepPos = -1
	if g.tw.on {
		g.treeMode()
	}
}

// firstAsleep is the sleeping waiter that began waiting first, the first
// in file order on a tie (the FIFO hand-off); there must be one.
func (g *gilState) firstAsleep(e *engine) *thread {
	for {
		top := g.fifo[0]
		if t := e.threads[top.idx]; t.gil.sleepPos >= 0 && t.gil.sleeps == top.n {
			return t
		}
		heapPop(&g.fifo, fifoLess)
	}
}
