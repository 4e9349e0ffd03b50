package simulator

// This file is layer 1's scheduling policy: which runnable OS thread runs
// next on a core, whether a waiting thread preempts a running one, and how
// long a running thread keeps its core. Each policy is a type in a file of
// its own (policy_fair.go, policy_fifo.go, ...) and a line in policies;
// the OS machinery (os.go) calls it through osPolicy and names none.

// osPolicy is what the OS machinery asks of a scheduling policy.
type osPolicy interface {
	// admit sees t become runnable before it is queued; woke says it
	// comes back from a sleep (rather than arriving, or being preempted).
	admit(t *thread, woke bool)
	// enqueue queues runnable t.
	enqueue(t *thread)
	// nextCore is the lowest idle core at or after from for which next
	// may have a thread, or -1.
	nextCore(from int) int
	// next takes the thread that runs next on idle core c (nil: none).
	next(c int) *thread
	// victim is the running thread whose core the best waiting thread
	// takes now, or nil. It is asked while threads wait.
	victim() *thread
	// sliceEnd is when t's current time slice, begun at t.os.sliceBase,
	// ends; ok is false for a policy without time slices.
	sliceEnd(t *thread) (at int64, ok bool)
	// contended says whether another thread waits for t's core (its
	// slice's end then preempts it).
	contended(t *thread) bool
	// sliceBegan sees t, on a core, begin a time slice (sliceBase set).
	sliceBegan(t *thread)
	// onCore and offCore see t put on a core (its core and onSince set)
	// and taken off it.
	onCore(t *thread)
	offCore(t *thread)
	// tick is a scheduler tick the policy asked for (an evTick event).
	tick()
}

// policies is every OS policy, by its PolicyKind: its name in scenario
// files, whether it takes `quantum D`, and how an engine builds it. A new
// policy is a PolicyKind constant, a file with its type, and a line here.
var policies = [...]struct {
	name    string
	quantum bool
	build   func(e *engine) osPolicy
}{
	PolicyLinux:      {"linux", false, newLinuxPolicy},
	PolicyFair:       {"fair", false, newFairPolicy},
	PolicyFIFO:       {"fifo", false, newFIFOPolicy},
	PolicySJF:        {"sjf", false, newSJFPolicy},
	PolicySRTF:       {"srtf", false, newSRTFPolicy},
	PolicyPriority:   {"priority", false, newPriorityPolicy},
	PolicyRoundRobin: {"round_robin", true, newRoundRobinPolicy},
}

func (p PolicyKind) String() string {
	if int(p) < len(policies) {
		return policies[p].name
	}
	return "policy?"
}

// TakesQuantum says whether the policy needs `quantum D` (and only then
// may a scenario give one).
func (p PolicyKind) TakesQuantum() bool { return int(p) < len(policies) && policies[p].quantum }

// PolicyNames lists the policies' names, in PolicyKind order.
func PolicyNames() []string {
	out := make([]string, len(policies))
	for i, p := range policies {
		out[i] = p.name
	}
	return out
}

// PolicyByName is the policy a scenario file names.
func PolicyByName(name string) (PolicyKind, bool) {
	for i, p := range policies {
		if p.name == name {
			return PolicyKind(i), true
		}
	}
	return 0, false
}

// newPolicy builds the engine's policy (fair for an unknown kind, which
// Validate refuses before a run).
func newPolicy(e *engine) osPolicy {
	if k := e.sc.Policy; int(k) < len(policies) {
		return policies[k].build(e)
	}
	return newFairPolicy(e)
}

// readyQueue is one ready queue for the whole machine, a min-heap of
// runnable threads ordered by a policy's key (k1, k2, k3), then by the
// order they were queued. (Linux keeps one queue per core and balances
// them; a single queue is the textbook model, and what the language's tie
// rules describe.) The global-queue policies embed it.
type readyQueue struct {
	e      *engine
	h      []rqItem
	seq    uint64
	weight int64 // sum of the queued threads' fair weights
}

type rqItem struct {
	k1, k2, k3 int64
	seq        uint64
	th         int32
	w          int64
}

func rqLess(a, b *rqItem) bool {
	if a.k1 != b.k1 {
		return a.k1 < b.k1
	}
	if a.k2 != b.k2 {
		return a.k2 < b.k2
	}
	if a.k3 != b.k3 {
		return a.k3 < b.k3
	}
	return a.seq < b.seq
}

// push queues t under the key (k1, k2, k3).
func (q *readyQueue) push(t *thread, k1, k2, k3 int64) {
	it := rqItem{k1: k1, k2: k2, k3: k3, th: t.idx, w: t.weight()}
	q.weight += it.w
	q.seq++
	it.seq = q.seq
	q.h = append(q.h, it)
	heap4Up(q.h, len(q.h)-1, rqLess)
}

func (q *readyQueue) peek() *rqItem { return &q.h[0] }

func (q *readyQueue) pop() rqItem {
	top := heap4Pop(&q.h, rqLess)
	q.weight -= top.w
	return top
}

// What every global-queue policy does the same way.
func (q *readyQueue) next(int) *thread               { return q.e.threads[q.pop().th] }
func (q *readyQueue) nextCore(from int) int          { return q.e.idleCores.next(from) }
func (q *readyQueue) admit(*thread, bool)            {}
func (q *readyQueue) onCore(*thread)                 {}
func (q *readyQueue) sliceBegan(*thread)             {}
func (q *readyQueue) offCore(*thread)                {}
func (q *readyQueue) contended(*thread) bool         { return len(q.h) > 0 }
func (q *readyQueue) tick()                          {}
func (q *readyQueue) victim() *thread                { return nil }
func (q *readyQueue) sliceEnd(*thread) (int64, bool) { return 0, false }

// worstRunning is the running thread of the highest key, the later core
// on a tie, for a preemptive policy's victim; nil when a core is idle
// (the best waiting thread takes that instead).
func (e *engine) worstRunning(key func(*thread) int64) (*thread, int64) {
	var worst *thread
	var wk int64
	for c := range e.cores {
		id := e.cores[c].cur
		if id < 0 {
			return nil, 0
		}
		r := e.threads[id]
		if k := key(r); worst == nil || k >= wk {
			worst, wk = r, k
		}
	}
	return worst, wk
}

// niceWeight is Linux's sched_prio_to_weight (kernel/sched/core.c), index
// nice+20: nice 0 weighs 1024 and each step is about 1.25x.
var niceWeight = [40]int64{
	88761, 71755, 56483, 46273, 36291,
	29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906,
	3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423,
	335, 272, 215, 172, 137,
	110, 87, 70, 56, 45,
	36, 29, 23, 18, 15,
}
