package simulator

import (
	"fmt"
	"strconv"
	"strings"
)

// InvalidError is a Scenario that Run refuses: what is wrong, and where.
type InvalidError struct {
	Problems []Problem
	More     int // problems found past the first maxProblems, not listed
}

// Problem is one inconsistency of a hand-built Scenario: the entity it
// belongs to (`process "p" thread "t"`, or "" for the scenario itself),
// the field, by its path from the Scenario, and what is wrong with it.
type Problem struct {
	Entity string // e.g. `process "web" thread "w#2"`
	Field  string // e.g. "Processes[0].Threads[1].Steps[2].Lock"
	Msg    string
}

func (p Problem) String() string {
	if p.Entity == "" {
		return p.Field + ": " + p.Msg
	}
	return p.Entity + ": " + p.Field + ": " + p.Msg
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	b.WriteString("invalid scenario: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if e.More > 0 {
		b.WriteString("; and " + strconv.Itoa(e.More) + " more")
	}
	return b.String()
}

// maxProblems bounds the problems an InvalidError lists.
const maxProblems = 20

// Validate checks that sc is a scenario the engine can run: every index
// in range, every count and duration non-negative, every step in a context
// that allows it (the language's table "Where each may stand"; threads
// and native tasks take every step the engine runs for them). Run calls
// it. The dsl's scenarios always pass: it matters for scenarios built by
// hand in Go. It returns nil or an *InvalidError.
func Validate(sc *Scenario) error {
	if sc == nil {
		return &InvalidError{Problems: []Problem{{Field: "Scenario", Msg: "is nil"}}}
	}
	v := &validator{seen: map[*Step]bool{}, pi: -1, ti: -1, mi: -1}
	v.scenario(sc)
	if len(v.problems) == 0 {
		return nil
	}
	return &InvalidError{Problems: v.problems, More: v.more}
}

// validator walks a Scenario. Where it stands (the process, thread and
// member indexes, and the step indexes down to the current one) is kept
// as numbers, and turned into a path only when a problem is reported:
// checking a million entities builds no strings.
type validator struct {
	problems []Problem
	more     int
	seen     map[*Step]bool // step lists checked already (replicas share them)
	entities int64

	sc         *Scenario
	pi, ti, mi int // -1: not in one
	steps      []stepAt
}

// stepAt is one level of the step path: the list's field and the index.
type stepAt struct {
	field string // "Steps" or "Body"
	i     int
}

// path is the field's path from the Scenario at the current place.
func (v *validator) path(field string) string {
	var b strings.Builder
	if v.pi >= 0 {
		fmt.Fprintf(&b, "Processes[%d]", v.pi)
		if v.ti >= 0 {
			fmt.Fprintf(&b, ".Threads[%d]", v.ti)
			if v.mi >= 0 {
				fmt.Fprintf(&b, ".Members[%d]", v.mi)
			}
		}
	}
	for _, s := range v.steps {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		fmt.Fprintf(&b, "%s[%d]", s.field, s.i)
	}
	if field != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(field)
	}
	return b.String()
}

// entity names the process, thread and unit at the current place.
func (v *validator) entity() string {
	if v.pi < 0 || v.sc.Processes[v.pi] == nil {
		return ""
	}
	p := v.sc.Processes[v.pi]
	if p.Native {
		return "task " + strconv.Quote(p.Name)
	}
	s := "process " + strconv.Quote(p.Name)
	if v.ti < 0 || p.Threads[v.ti] == nil {
		return s
	}
	t := p.Threads[v.ti]
	if v.mi < 0 || t.Members[v.mi] == nil {
		return s + " " + t.Kind.String() + " " + strconv.Quote(t.Name)
	}
	return s + " " + t.Kind.String() + " " + strconv.Quote(t.Name) + " " + memberCtx[t.Kind].unit() + " " + strconv.Quote(t.Members[v.mi].Name)
}

func (v *validator) add(field, format string, args ...any) {
	if len(v.problems) >= maxProblems {
		v.more++
		return
	}
	v.problems = append(v.problems, Problem{Entity: v.entity(), Field: v.path(field), Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) nonNeg(field string, n int64) {
	if n < 0 {
		v.add(field, "is %d; it must not be negative", n)
	}
}

func (v *validator) scenario(sc *Scenario) {
	v.sc = sc
	if sc.Cores < 1 {
		v.add("Cores", "is %d; a scenario needs at least one core", sc.Cores)
	}
	switch {
	case int(sc.Policy) >= len(policies):
		v.add("Policy", "%d is no policy (there are %d)", sc.Policy, len(policies))
	case sc.Policy.TakesQuantum() && sc.Quantum <= 0:
		v.add("Quantum", "is %d; policy %s needs a quantum of at least 1 ns", sc.Quantum, sc.Policy)
	default:
		v.nonNeg("Quantum", sc.Quantum)
	}
	v.machine(&sc.Machine)
	for i, p := range sc.Processes {
		v.pi = i
		v.process(p)
	}
	v.pi, v.ti, v.mi = -1, -1, -1
	if v.entities > MaxEntities {
		v.add("Processes", "hold %d entities; the most a run takes is %d", v.entities, MaxEntities)
	}
	for i, x := range sc.Expects {
		if int(x.Op) >= len(cmpNames) {
			v.add(fmt.Sprintf("Expects[%d].Op", i), "%d is no comparison", x.Op)
		}
	}
}

func (v *validator) machine(m *Machine) {
	for _, p := range machineParams {
		if p.Kind != ParamHandoff {
			v.nonNeg("Machine."+p.Field, p.Get(m))
		}
	}
	if m.GILSignalRace > 1000 {
		v.add("Machine.GILSignalRace", "is %d; a chance is at most 1000 thousandths", m.GILSignalRace)
	}
	if int(m.GILHandoff) >= len(gilHandoffNames) {
		v.add("Machine.GILHandoff", "%d is no hand-off", m.GILHandoff)
	}
	if m.MulticoreSpeedPermille > 1000 {
		v.add("Machine.MulticoreSpeedPermille", "is %d; a busy machine is no faster than an idle one (at most 1000)", m.MulticoreSpeedPermille)
	}
}

func (v *validator) process(p *Process) {
	v.ti, v.mi = -1, -1
	if p == nil {
		v.add("", "is nil")
		return
	}
	v.entities++
	if p.Native && len(p.Threads) != 1 {
		v.add("Threads", "a native task has exactly one thread, not %d", len(p.Threads))
	}
	v.nonNeg("Arrival", p.Arrival)
	v.nonNeg("Startup", p.Startup)
	if len(p.LockSizes) > 0 && len(p.LockSizes) != len(p.Locks) {
		v.add("LockSizes", "has %d sizes for %d locks", len(p.LockSizes), len(p.Locks))
	}
	for _, n := range p.LockSizes {
		v.nonNeg("LockSizes", n)
	}
	if !p.Native {
		switch p.GIL.Mode {
		case GILInterval:
			v.nonNeg("GIL.Interval", p.GIL.Interval)
		case GILLegacy:
			v.nonNeg("GIL.Check", p.GIL.Check)
		case GILOff:
		default:
			v.add("GIL.Mode", "%d is no GIL mode", p.GIL.Mode)
		}
	}
	for i, t := range p.Threads {
		v.ti, v.mi = i, -1
		v.thread(p, t)
	}
}

func (v *validator) thread(p *Process, t *Thread) {
	if t == nil {
		v.add("", "is nil")
		return
	}
	if !p.Native {
		v.entities++
	}
	v.nonNeg("Arrival", t.Arrival)
	switch {
	case t.Kind == ThreadPlain:
		if len(t.Members) > 0 {
			v.add("Members", "a plain thread runs its Steps, not %d members", len(t.Members))
		}
		where := ctxThread
		if p.Native {
			where = ctxNative
		}
		v.stepList("Steps", t.Steps, stepCtx{where: where, locks: len(p.Locks)})
		return
	case int(t.Kind) >= len(threadKindNames):
		v.add("Kind", "%d is no kind of thread", t.Kind)
		return
	case p.Native:
		v.add("Kind", "a native task cannot run %s (a runtime needs a CPython process)", t.Kind)
	}
	if len(t.Steps) > 0 {
		v.add("Steps", "a %s thread runs its members, not steps of its own", t.Kind)
	}
	where := memberCtx[t.Kind]
	for i, m := range t.Members {
		v.mi = i
		if m == nil {
			v.add("", "is nil")
			continue
		}
		v.entities++
		v.nonNeg("Arrival", m.Arrival)
		v.stepList("Steps", m.Steps, stepCtx{where: where, locks: len(p.Locks), members: len(t.Members)})
	}
	v.mi = -1
}

// stepWhere is a context that steps stand in.
type stepWhere uint8

const (
	ctxNative stepWhere = iota
	ctxThread
	ctxAsyncio
	ctxGreen // a gevent greenlet or an eventlet greenthread
	ctxRaw   // a greenlet of a greenlets block
	ctxGen
	ctxOffload
)

var memberCtx = map[ThreadKind]stepWhere{
	ThreadAsyncio: ctxAsyncio, ThreadGevent: ctxGreen, ThreadEventlet: ctxGreen,
	ThreadGreenlets: ctxRaw, ThreadCoroutines: ctxGen,
}

func (w stepWhere) unit() string {
	return [...]string{"task", "thread", "task", "greenlet", "greenlet", "gen", "offload"}[w]
}

func (w stepWhere) String() string {
	return [...]string{"a native task", "a thread", "an asyncio task", "a gevent greenlet or an eventlet greenthread",
		"a greenlet of a greenlets block", "a gen", "an offload body"}[w]
}

// allows says whether op may stand in w.
func (w stepWhere) allows(op Op) bool {
	switch op {
	case OpCPU, OpNative, OpIO, OpSleep, OpRepeat:
		return true
	case OpAwaitIO, OpAwaitSleep:
		return w == ctxAsyncio
	case OpYield:
		return w != ctxRaw && w != ctxOffload
	case OpOffload:
		return w == ctxAsyncio || w == ctxGreen
	case OpLock:
		return w != ctxGen
	case OpSwitch:
		return w == ctxRaw
	}
	return false
}

type stepCtx struct {
	where   stepWhere
	locks   int // the process's locks
	members int // switch targets
}

// maxStepDepth bounds the nesting of step bodies in a hand-built
// scenario (the dsl allows 200).
const maxStepDepth = 10_000

func (v *validator) stepList(field string, ss []Step, c stepCtx) {
	if len(ss) == 0 || v.seen[&ss[0]] {
		return
	}
	v.seen[&ss[0]] = true
	if len(v.steps) > maxStepDepth {
		v.add(field, "steps are nested more than %d deep", maxStepDepth)
		return
	}
	v.steps = append(v.steps, stepAt{field: field})
	for i := range ss {
		v.steps[len(v.steps)-1].i = i
		v.step(&ss[i], c)
	}
	v.steps = v.steps[:len(v.steps)-1]
}

func (v *validator) step(s *Step, c stepCtx) {
	if int(s.Op) >= len(opNames) {
		v.add("Op", "%d is no step", s.Op)
		return
	}
	if !c.where.allows(s.Op) {
		v.add("Op", "`%s` cannot stand in %s", s.Op, c.where)
		return
	}
	switch s.Op {
	case OpCPU, OpNative, OpIO, OpSleep, OpAwaitIO, OpAwaitSleep:
		v.dist(s.Dur)
	case OpRepeat:
		v.nonNeg("Count", s.Count)
		v.stepList("Body", s.Body, c)
	case OpLock:
		if s.Lock < 0 || s.Lock >= c.locks {
			v.add("Lock", "lock %d is out of range: the process has %d lock(s)", s.Lock, c.locks)
		}
		v.stepList("Body", s.Body, c)
	case OpOffload:
		v.stepList("Body", s.Body, stepCtx{where: ctxOffload, locks: c.locks})
	case OpSwitch:
		if s.Target < 0 || s.Target >= c.members {
			v.add("Target", "greenlet %d does not exist: the block has %d greenlet(s)", s.Target, c.members)
		}
	}
}

func (v *validator) dist(d Dist) {
	switch d.Kind {
	case DistFixed, DistExp:
		v.nonNeg("Dur.A", d.A)
	case DistUniform:
		v.nonNeg("Dur.A", d.A)
		if d.B < d.A {
			v.add("Dur.B", "is %d, below A (%d): a uniform range runs from A to B", d.B, d.A)
		}
	case DistNormal:
		v.nonNeg("Dur.A", d.A)
		v.nonNeg("Dur.B", d.B)
	default:
		v.add("Dur.Kind", "%d is no distribution", d.Kind)
	}
}
