package simulator

import "strconv"

// pool is a process's worker threads for `offload`, of the kind its
// runtime uses (workerPool). Workers are ordinary Python threads of the
// process: they contend for its GIL.
type pool struct {
	prefix  string
	max     int
	eager   bool
	workers []*thread
	idle    []*thread
	queue   []job
	head    int
	// workers created that have not arrived yet
	starting int
}

// workerPool is a kind of pool: how its workers are named, how many there
// may be, and whether they all start at once.
type workerPool interface {
	prefix() string
	size(cores int) int
	eager() bool
}

// executorPool is asyncio's default executor (ThreadPoolExecutor):
// min(32, cpus + 4) workers, started lazily, one per submit that finds no
// idle worker.
type executorPool struct{}

func (executorPool) prefix() string     { return "asyncio_" }
func (executorPool) size(cores int) int { return min(32, cores+4) }
func (executorPool) eager() bool        { return false }

// hubThreadpool is gevent's hub threadpool: 10 workers, started lazily.
type hubThreadpool struct{}

func (hubThreadpool) prefix() string { return "threadpool_" }
func (hubThreadpool) size(int) int   { return 10 }
func (hubThreadpool) eager() bool    { return false }

// tpool is eventlet's tpool: 20 workers, all started on first use.
type tpool struct{}

func (tpool) prefix() string { return "tpool_" }
func (tpool) size(int) int   { return 20 }
func (tpool) eager() bool    { return true }

// worker is what a pool thread knows of its pool.
type worker struct {
	pool *pool
	job  *member // the unit waiting for the current job
}

type job struct {
	m    *member
	body []Step
}

func (e *engine) poolFor(l *loop) *pool {
	if l.pool != nil {
		return l.pool
	}
	w := l.workers
	p := &pool{prefix: w.prefix(), max: w.size(len(e.cores)), eager: w.eager()}
	l.pool = p
	if p.eager {
		for len(p.workers) < p.max {
			e.startWorker(l, p)
		}
	}
	return p
}

// startWorker creates one worker thread; it arrives after the thread
// start-up cost and then looks for work.
func (e *engine) startWorker(l *loop, p *pool) *thread {
	pr := l.t.proc
	name := p.prefix + strconv.Itoa(len(p.workers))
	ts := &Thread{Name: name, Kind: ThreadPlain}
	t := e.newThread(pr, ts, int32(1<<30)+int32(len(e.threads)))
	t.rareOf().pool = &worker{pool: p}
	t.own = unitStats{name: name, kind: kindThread, proc: pr.idx, start: -1, finish: -1, done: true}
	t.rt.unit = &t.own
	t.rt.uidx = int32(len(e.units))
	e.units = append(e.units, t.rt.unit)
	t.rt.prog = programIn(nil, &t.frames)
	p.workers = append(p.workers, t)
	p.starting++
	t.arrival = e.after(e.m.ThreadStart)
	e.q.push(event{at: t.arrival, kind: evArrive, th: t.idx})
	return t
}

// submit hands an offload body of unit m to l's pool.
func (e *engine) submit(l *loop, m *member, body []Step) {
	p := e.poolFor(l)
	p.queue = append(p.queue, job{m: m, body: body})
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		e.wake(w)
		return
	}
	if !p.eager && len(p.workers) < p.max && len(p.queue)-p.head > p.starting {
		e.startWorker(l, p)
	}
}

// takeJob gives worker t the next queued job. It returns false when the
// queue is empty.
func (e *engine) takeJob(t *thread) bool {
	p := t.rare.pool.pool
	if p.head >= len(p.queue) {
		return false
	}
	j := p.queue[p.head]
	p.queue[p.head] = job{}
	p.head++
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	}
	t.rt.prog = programIn(j.body, &t.frames)
	t.rare.pool.job = j.m
	if u := t.rt.unit; u.done {
		u.done = false
		u.finish = -1
		e.unfinished++
	}
	if t.rt.unit.start < 0 {
		t.rt.unit.start = e.now
	}
	return true
}

// jobDone is a worker finishing its job: the waiting unit is woken through
// its loop, and the worker takes the next job or goes idle. It returns
// true when the worker goes on running.
func (e *engine) jobDone(t *thread) bool {
	if m := t.rare.pool.job; m != nil {
		t.rare.pool.job = nil
		e.offloadDone(m)
	}
	if e.takeJob(t) {
		return true
	}
	// a worker's finish is when it last went idle (after its last job, or
	// after a wake-up that found the queue empty)
	u := t.rt.unit
	if !u.done {
		u.done = true
		e.unfinished--
	}
	u.finish = e.now
	if u.start < 0 {
		u.start = e.now // a worker that never got a job ran only its wait for one
	}
	if e.now > e.lastFinish {
		e.lastFinish = e.now
	}
	// wait on the work queue: a blocking wait releases the GIL
	if t.gil.held {
		e.releaseGIL(t)
	}
	e.leaveCore(t)
	e.setState(t, stIdle)
	t.rare.pool.pool.idle = append(t.rare.pool.pool.idle, t)
	return false
}

// offloadDone brings a unit back after its offloaded work: asyncio through
// call_soon_threadsafe (a done-callback, then the task next iteration),
// gevent through an async watcher, eventlet through tpool's socket.
func (e *engine) offloadDone(m *member) {
	l := e.loopOf(m)
	l.sched.offloaded(e, m)
	e.wakeLoop(l)
}
