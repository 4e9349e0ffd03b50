package dsl

import (
	"math/rand/v2"

	"github.com/gilsim/gilsim/simulator"
)

// defaultPolicy is the scenario's policy: the one it names, or by default
// linux (per-core run queues, as a real machine runs CPython) when it
// holds a CPython process, and fair when it holds only native tasks,
// which are textbook-ideal: their answers come out as a textbook's.
func defaultPolicy(p *program) simulator.PolicyKind {
	if p.policySet {
		return p.policy
	}
	for _, t := range p.tops {
		if !t.native {
			return simulator.PolicyLinux
		}
	}
	return simulator.PolicyFair
}

// lower expands a checked program into the simulator's model: `x N`
// becomes N entities named name#1 … name#N, in place and depth first.
// Replicas share their []Step (programs are never copied) and a
// replicated process's replicas share its lock names. check has already
// refused anything past simulator.MaxEntities.
func lower(p *program) *simulator.Scenario {
	sc := &simulator.Scenario{
		Title:    p.title,
		Seed:     p.seed,
		Cores:    p.cores,
		Policy:   defaultPolicy(p),
		Quantum:  p.quantum,
		Machine:  p.machine,
		Expects:  p.expects,
		Warnings: p.warnings, // found checking this run's values
	}
	resolveSwitchTargets(p.switches)

	nProc, nNative := 0, 0
	for _, t := range p.tops {
		nProc += int(reps(t.x))
		if t.native {
			nNative += int(reps(t.x))
		}
	}
	procs := make([]simulator.Process, nProc)
	sc.Processes = make([]*simulator.Process, 0, nProc)
	// the one thread of each native process, all in one block
	natives := make([]simulator.Thread, nNative)
	nativePtrs := make([]*simulator.Thread, nNative)
	arrivals := newArrivals(p.seed)

	for _, t := range p.tops {
		one := []string{t.name}
		names := one[:]
		if t.x != 0 {
			names = replicaNames(t.name, t.x)
		}
		for _, name := range names {
			pr := &procs[len(sc.Processes)]
			sc.Processes = append(sc.Processes, pr)
			pr.Name = name
			pr.Arrival = arrivals.draw(t.at)
			pr.Nice = t.nice
			pr.Pos = t.pos
			if t.native {
				pr.Native = true
				// th is fresh and zero: set field by field, not copied
				// whole (a bulk write barrier while the collector runs)
				th := &natives[0]
				natives = natives[1:]
				th.Name, th.Kind, th.Arrival = pr.Name, simulator.ThreadPlain, pr.Arrival
				th.Priority, th.Nice, th.Steps, th.Pos = t.priority, t.nice, t.steps, t.pos
				nativePtrs[0] = th
				pr.Threads = nativePtrs[:1:1]
				nativePtrs = nativePtrs[1:]
				continue
			}
			pr.GIL = t.gil
			pr.Startup = t.startup
			pr.Locks = t.locks
			pr.LockSizes = lockSizes(t.lockSize)
			pr.Threads = lowerThreads(t.threads, arrivals)
		}
	}
	return sc
}

func lowerThreads(ths []*threadT, arrivals *arrivals) []*simulator.Thread {
	n := 0
	for _, th := range ths {
		if th.kind == simulator.ThreadPlain {
			n += int(reps(th.x))
		} else {
			n++
		}
	}
	block := make([]simulator.Thread, n)
	out := make([]*simulator.Thread, n)
	i := 0
	for _, th := range ths {
		if th.kind != simulator.ThreadPlain {
			t := &block[i]
			out[i] = t
			i++
			t.Name, t.Kind, t.Patched, t.Nice, t.Pos = th.name, th.kind, th.patched, th.nice, th.pos
			t.Members = lowerMembers(th.members, arrivals)
			continue
		}
		if th.names == nil {
			th.names = replicaNames(th.name, th.x)
		}
		for _, name := range th.names {
			t := &block[i]
			out[i] = t
			i++
			t.Name = name
			t.Kind = simulator.ThreadPlain
			t.Arrival = arrivals.draw(th.at)
			t.Priority, t.Nice, t.Steps, t.Pos = th.priority, th.nice, th.steps, th.pos
		}
	}
	return out
}

func lowerMembers(ms []*memberT, arrivals *arrivals) []*simulator.Member {
	n := 0
	for _, m := range ms {
		n += int(reps(m.x))
	}
	if n == 0 {
		return nil
	}
	block := make([]simulator.Member, n)
	out := make([]*simulator.Member, n)
	i := 0
	for _, m := range ms {
		if m.names == nil {
			m.names = replicaNames(m.name, m.x)
		}
		for _, name := range m.names {
			mb := &block[i]
			out[i] = mb
			i++
			mb.Name = name
			mb.Arrival = arrivals.draw(m.at)
			mb.Steps, mb.Pos = m.steps, m.pos
		}
	}
	return out
}

// replicaNames returns name#1 … name#x for a replicated entity (even
// with x 1), else just name. The names are cut from one string so that a
// million replicas cost one allocation, not a million; the replica number
// is counted up in decimal in place rather than formatted each time.
func replicaNames(name string, x int64) []string {
	if x == 0 {
		return []string{name}
	}
	size := 0
	for lo, digits := int64(1), 1; lo <= x; lo, digits = lo*10, digits+1 {
		hi := min(x, lo*10-1)
		size += int(hi-lo+1) * (len(name) + 1 + digits)
	}
	buf := make([]byte, 0, size)
	num := []byte{'1'}
	for range x {
		buf = append(buf, name...)
		buf = append(buf, '#')
		buf = append(buf, num...)
		num = incDecimal(num)
	}
	all := string(buf)
	out := make([]string, x)
	start, digits, wider := 0, 1, int64(10)
	for i := range out {
		if int64(i+1) == wider {
			digits, wider = digits+1, wider*10
		}
		end := start + len(name) + 1 + digits
		out[i] = all[start:end]
		start = end
	}
	return out
}

// incDecimal adds one to the decimal number d, in place when it keeps its
// length.
func incDecimal(d []byte) []byte {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] < '9' {
			d[i]++
			return d
		}
		d[i] = '0'
	}
	d[0] = '1'
	return append(d, '0')
}

// resolveSwitchTargets turns each `switch` into an index into its block's
// expanded Members.
func resolveSwitchTargets(fixes []switchFix) {
	bases := map[*threadT][]int64{}
	for _, f := range fixes {
		base, ok := bases[f.block]
		if !ok {
			base = make([]int64, len(f.block.members))
			var n int64
			for i, m := range f.block.members {
				base[i] = n
				n += reps(m.x)
			}
			bases[f.block] = base
		}
		idx := base[f.member]
		if f.k > 0 {
			idx += f.k - 1
		}
		f.step.Target = int(idx)
	}
}

// arrivals draws the `at` of each replica. The model holds arrivals as
// instants, so a distribution in `at` is drawn here, once per replica in
// expanded file order, from a generator seeded by the scenario's seed:
// the same file gives the same arrivals.
type arrivals struct {
	rng *rand.Rand
}

func newArrivals(seed uint64) *arrivals {
	return &arrivals{rng: rand.New(rand.NewPCG(seed, 0x67696c73696d /* "gilsim" */))}
}

func (a *arrivals) draw(d simulator.Dist) int64 { return simulator.Draw(d, a.rng) }

// lowerWorkload expands a checked workload file: its tasks' `x N` into
// name#1 … name#N, in file order, each replica's `at` drawn as lower
// draws it. Replicas share their steps.
func lowerWorkload(p *program) *simulator.Workload {
	wt := p.workload
	w := &simulator.Workload{
		Title: p.title, Name: wt.name, Seed: p.seed, Cores: p.cores, Policy: p.policy,
		Quantum: p.quantum, Machine: p.machine, Locks: wt.locks, LockSizes: lockSizes(wt.lockSize), Expects: p.expects, Pos: wt.pos,
	}
	n := 0
	for _, t := range wt.tasks {
		n += int(reps(t.x))
	}
	w.Tasks = make([]simulator.WorkTask, 0, n)
	arrivals := newArrivals(p.seed)
	for _, t := range wt.tasks {
		if t.names == nil {
			t.names = replicaNames(t.name, t.x)
		}
		for _, name := range t.names {
			w.Tasks = append(w.Tasks, simulator.WorkTask{Name: name, Arrival: arrivals.draw(t.at), Steps: t.steps, Pos: t.pos})
		}
	}
	return w
}

// lockSizes is a process's Process.LockSizes: nil when it holds no
// semaphore, so that a scenario of plain locks stays as it was.
func lockSizes(sizes []int64) []int64 {
	for _, n := range sizes {
		if n > 0 {
			return sizes
		}
	}
	return nil
}
