package dsl

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
	"github.com/gilsim/gilsim/simulator"
)

// check walks the syntax tree, reports every semantic error it finds and
// builds the program: the scenario before replication, with values
// converted and steps already in their simulator form (shared by all
// replicas). lower then only expands.

// program is a checked scenario before `x N` expansion.
type program struct {
	title     string
	seed      uint64
	cores     int
	policy    simulator.PolicyKind
	policySet bool // `policy` given; otherwise lower picks the default
	quantum   int64
	machine   simulator.Machine
	tops      []*topT
	expects   []simulator.Expect
	warnings  []simulator.Warning
	switches  []switchFix
	workload  *workloadT // a workload file's workload; nil in a scenario
}

// workloadT is a checked workload before `x N` expansion.
type workloadT struct {
	name     string
	pos      simulator.Pos
	lpos     lexer.Position
	tasks    []*memberT
	locks    []string
	lockSize []int64
}

// topT is a top-level entity: a native task or a process.
type topT struct {
	native   bool
	name     string
	x        int64 // replicas; 0 when there is no `x`
	at       simulator.Dist
	nice     int
	priority int // native task
	gil      simulator.GIL
	startup  int64
	start    string           // the `start` method; startup then defaults to its machine cost
	hasStart bool             // `startup` given: it wins over `start`
	steps    []simulator.Step // native task
	threads  []*threadT
	locks    []string
	lockSize []int64 // per lock: 0 for a lock, N for a semaphore of N
	pos      simulator.Pos
	// names of the process's threads and members, for expect lines
	inner map[string]*innerDef
}

// threadT is a thread of a process: a plain thread or a runtime block.
type threadT struct {
	name     string
	kind     simulator.ThreadKind
	patched  bool
	x        int64
	at       simulator.Dist
	priority int
	nice     int
	steps    []simulator.Step
	members  []*memberT
	pos      simulator.Pos
	names    []string // replica names, computed once by lower
}

// memberT is a coroutine, greenlet, greenthread or generator of a block.
type memberT struct {
	name  string
	x     int64
	at    simulator.Dist
	steps []simulator.Step
	pos   simulator.Pos
	names []string // replica names, computed once by lower
}

// switchFix is a `switch` whose target index lower computes, once the
// position of every member after expansion is known.
type switchFix struct {
	step   *simulator.Step
	block  *threadT
	member int   // index into block.members
	k      int64 // replica (1-based), 0 for an unreplicated member
}

type innerDef struct {
	name string
	x    int64
	pos  lexer.Position
}

type checker struct {
	errs *errorSink
	prog *program

	tops      map[string]*topDef // every top-level name
	topOrder  []string
	inner     map[string][]*topT // thread/member name -> processes defining it
	innerList []string           // every thread/member name, first-definition order
	innerSeen map[string]bool

	blameX   int64 // largest `x`, for the entity-limit error
	blamePos lexer.Position

	suggestions int // did-you-mean searches so far (they are bounded)

	env *runEnv // the parameter values of the run being built

	// blocks of the program's steps and tasks, for a file of many
	stepSlab slab[simulator.Step]
	topSlab  slab[topT]
	defSlab  slab[topDef]

	// looseNames skips resolving the entity names of expectations, for
	// ParseExpect, which has no scenario to resolve them in.
	looseNames bool

	ipc []ipcFix // send and recv steps, timed once the machine is known

	taskState procState // the procState of a top-level task's steps
}

// ipcFix is a `send` or `recv`, lowered to a cpu and a native step at
// out[at] and out[at+1] whose durations depend on the machine block,
// which may come later in the file. out is the steps of its block once
// steps has built them all (nil until then).
type ipcFix struct {
	out  []simulator.Step
	at   int
	size int64
	recv bool // the copy comes first, then the unpickling
}

// fixMachineCosts sets what depends on the machine block: the durations
// of send and recv steps (simulator.Machine.IPC) and the start-up of a
// process with `start` and no `startup`.
func (c *checker) fixMachineCosts() {
	m := &c.prog.machine
	for _, f := range c.ipc {
		pickle, copied := m.IPC(f.size)
		steps := f.out
		p, cp := &steps[f.at], &steps[f.at+1]
		if f.recv {
			p, cp = cp, p
		}
		p.Dur, cp.Dur = simulator.Fixed(pickle), simulator.Fixed(copied)
	}
	for _, t := range c.prog.tops {
		if t.start == "" || t.hasStart {
			continue
		}
		switch t.start {
		case "fork":
			t.startup = m.ProcessStartFork
		case "forkserver":
			t.startup = m.ProcessStartForkserver
		case "spawn":
			t.startup = m.ProcessStartSpawn
		}
	}
}

// didYouMean suggests a close candidate. Only the first few errors get a
// suggestion: each search is linear in the candidates, and a file full of
// mistakes must not turn that quadratic.
func (c *checker) didYouMean(word string, candidates []string) string {
	if c.suggestions >= MaxErrors+5 {
		return ""
	}
	c.suggestions++
	return didYouMean(word, candidates)
}

// check checks the tree for one run of the scenario: env holds the value
// of every parameter in that run (the tree's `$name` quantities already
// carry them) and decides which `expect ... when` lines apply.
func check(f *fileNode, errs *errorSink, env *runEnv) *program {
	sc := f.Scenario
	tops := 0 // the items that define a top-level name
	for _, it := range sc.Items {
		if it.Entity != nil || it.Process != nil || it.Workload != nil {
			tops++
		}
	}
	c := &checker{
		env:       env,
		errs:      errs,
		prog:      &program{seed: 1, cores: 1, policy: simulator.PolicyLinux, machine: simulator.DefaultMachine()},
		tops:      make(map[string]*topDef, tops),
		inner:     map[string][]*topT{},
		innerSeen: map[string]bool{},
		blamePos:  sc.Pos,
		topOrder:  make([]string, 0, tops),
	}
	c.prog.tops = make([]*topT, 0, tops)
	c.prog.title = unquote(sc.Title.Raw)
	c.scenario(sc)
	return c.prog
}

func spos(p lexer.Position) simulator.Pos {
	return simulator.Pos{Line: int32(p.Line), Col: int32(p.Column)}
}

func lineOf(p lexer.Position) string { return "line " + strconv.Itoa(p.Line) }

// ---- scenario level ----

func (c *checker) scenario(sc *scenarioNode) {
	seen := map[string]lexer.Position{}
	once := func(key string, pos lexer.Position) bool {
		if first, ok := seen[key]; ok {
			c.errs.add(pos, "`%s` is already set in this scenario (%s)", key, lineOf(first))
			return false
		}
		seen[key] = pos
		return true
	}
	var policyPos lexer.Position
	var quantumPos *lexer.Position
	var expects []*grammar.Expect
	for _, it := range sc.Items {
		switch {
		case it.Setting != nil:
			s := it.Setting
			if !once(s.Key, s.Pos) {
				continue
			}
			switch s.Key {
			case "seed":
				if v, ok := c.whole(s.Value, "`seed`", false); ok {
					c.prog.seed = uint64(v)
				}
			case "cores":
				if v, ok := c.whole(s.Value, "`cores`", false); ok {
					switch {
					case v < 1:
						c.errs.add(s.Value.Pos, "`cores` must be at least 1")
					case v > simulator.MaxEntities:
						c.errs.add(s.Value.Pos, "`cores` must be at most %d", simulator.MaxEntities)
					default:
						c.prog.cores = int(v)
					}
				}
			case "context_switch":
				if v, ok := c.duration(s.Value, "`context_switch`"); ok {
					c.prog.machine.ContextSwitch = v
				}
			case "quantum":
				c.quantum(s.Value)
				p := s.Pos
				quantumPos = &p
			}
		case it.Policy != nil:
			p := it.Policy
			if !once("policy", p.Pos) {
				continue
			}
			policyPos = p.Pos
			c.policy(p.Name)
			if p.Quantum != nil {
				if !once("quantum", p.Quantum.Pos) {
					continue
				}
				c.quantum(p.Quantum.Value)
				qp := p.Quantum.Pos
				quantumPos = &qp
			}
		case it.Machine != nil:
			if !once("machine", it.Machine.Pos) {
				continue
			}
			c.machine(it.Machine, seen)
		case it.Process != nil:
			if t := c.process(it.Process); t != nil {
				c.prog.tops = append(c.prog.tops, t)
			}
		case it.Entity != nil:
			if t := c.topEntity(it.Entity); t != nil {
				c.prog.tops = append(c.prog.tops, t)
			}
		case it.Expect != nil:
			expects = append(expects, it.Expect)
		case it.Param != nil, it.Vary != nil:
			// Checked once for the whole sweep (sweep.go).
		case it.Workload != nil:
			c.workload(it.Workload)
		}
	}
	if w := c.prog.workload; w != nil {
		// the tasks and processes, which a workload file cannot hold
		for _, it := range sc.Items {
			kind, name := "process", (*grammar.Str)(nil)
			switch {
			case it.Process != nil:
				name = (*grammar.Str)(it.Process.Name)
			case it.Entity != nil:
				kind, name = it.Entity.Kind, it.Entity.Name
			default:
				continue
			}
			c.errs.add(name.Pos, "%s %s cannot stand beside workload %q (%s): a workload file describes only the work, which `gilsim compare` runs alone under each model; put the scenario in a file of its own", kind, name.Raw, w.name, lineOf(w.lpos))
		}
	}
	switch mode := c.env.mode; {
	case mode == modeScenario && c.prog.workload != nil:
		c.errs.add(c.prog.workload.lpos, "this file holds a workload, which is compared, not run: `gilsim compare %s` runs it under each concurrency model", c.errs.file)
	case mode == modeWorkload && c.prog.workload == nil:
		c.errs.add(sc.Pos, "this scenario holds no workload: `gilsim compare` needs a `workload \"name\" { task \"t\" x N { steps } }` to run under each model")
	}
	if c.prog.policy.TakesQuantum() && quantumPos == nil {
		c.errs.add(policyPos, "`policy %s` needs a quantum: policy %s quantum 10ms", c.prog.policy, c.prog.policy)
	}
	if !c.prog.policy.TakesQuantum() && quantumPos != nil {
		c.errs.add(*quantumPos, "`quantum` goes with `policy %s` only", strings.Join(quantumPolicies(), "` or `policy "))
	}
	for _, e := range expects {
		c.expect(e)
	}
	c.fixMachineCosts()
	c.checkEntityCount(sc)
}

// policies are the OS policies' names, as the simulator registers them.
var policies = simulator.PolicyNames()

// quantumPolicies are the policies that take `quantum D`.
func quantumPolicies() []string {
	var out []string
	for _, name := range policies {
		if k, _ := simulator.PolicyByName(name); k.TakesQuantum() {
			out = append(out, name)
		}
	}
	return out
}

func (c *checker) policy(w *grammar.Word) {
	if k, ok := simulator.PolicyByName(w.Text); ok {
		c.prog.policy, c.prog.policySet = k, true
		return
	}
	c.errs.add(w.Pos, "unknown policy %q%s (policies: %s)", w.Text, c.didYouMean(w.Text, policies), strings.Join(policies, ", "))
}

func (c *checker) quantum(q *grammar.Qty) {
	if v, ok := c.duration(q, "`quantum`"); ok {
		if v <= 0 {
			c.errs.add(q.Pos, "`quantum` must be greater than 0")
			return
		}
		c.prog.quantum = v
	}
}

// ---- machine block ----

// The machine block's keys, in simulator.MachineParams's order; `memory
// KIND` rows are the kinds of the `memory` key.
var machineKeys, memoryKindNames = machineKeyLists()

func machineKeyLists() (keys, kinds []string) {
	for _, p := range simulator.MachineParams() {
		if kind, ok := strings.CutPrefix(p.Key, "memory "); ok {
			kinds = append(kinds, kind)
		} else {
			keys = append(keys, p.Key)
		}
	}
	return keys, kinds
}

func (c *checker) machine(mb *grammar.Machine, scenarioSeen map[string]lexer.Position) {
	seen := map[string]lexer.Position{}
	m := &c.prog.machine
	for _, e := range mb.Entries {
		key := e.Key
		setKey := key
		if key == "memory" {
			setKey = "memory"
			if e.Word != nil {
				setKey = "memory " + e.Word.Text
			}
		}
		if first, ok := seen[setKey]; ok {
			c.errs.add(e.Pos, "`%s` is already set in this machine block (%s)", setKey, lineOf(first))
			continue
		}
		seen[setKey] = e.Pos
		if key == "context_switch" {
			if first, ok := scenarioSeen["context_switch"]; ok {
				c.errs.add(e.Pos, "`context_switch` is already set at the top level (%s); give it once", lineOf(first))
				continue
			}
			scenarioSeen["context_switch"] = e.Pos
		}
		p, ok := simulator.MachineParamByKey(key)
		if !ok {
			c.errs.add(e.Pos, "unknown machine key %q%s (keys: %s)", key, c.didYouMean(key, machineKeys), strings.Join(machineKeys, ", "))
			continue
		}
		var v int64
		at := e.Pos
		switch p.Kind {
		case simulator.ParamDuration:
			if e.Word != nil || e.Value == nil {
				c.errs.add(e.Pos, "`%s` needs a duration: %s 10us", key, key)
				continue
			}
			if v, ok = c.duration(e.Value, "`"+key+"`"); !ok {
				continue
			}
			at = e.Value.Pos
		case simulator.ParamFactor, simulator.ParamChance:
			what := "a factor"
			if p.Kind == simulator.ParamChance {
				what = "a chance"
			}
			if e.Word != nil || e.Value == nil {
				c.errs.add(e.Pos, "`%s` needs %s: %s %s", key, what, key, p.Example)
				continue
			}
			if v, ok = c.factor(e.Value, key, p.Example); !ok {
				continue
			}
			at = e.Value.Pos
		case simulator.ParamHandoff:
			names := simulator.GILHandoffNames()
			if e.Word == nil || e.Value != nil {
				c.errs.add(e.Pos, "`%s` needs one of %s", key, strings.Join(names, ", "))
				continue
			}
			h, ok := simulator.GILHandoffByName(e.Word.Text)
			if !ok {
				c.errs.add(e.Word.Pos, "unknown `%s` %q%s: use %s", key, e.Word.Text, c.didYouMean(e.Word.Text, names), strings.Join(names, ", "))
				continue
			}
			v = int64(h)
		case simulator.ParamSize: // memory SIZE, memory KIND SIZE
			if e.Value == nil {
				c.errs.add(e.Pos, "`memory` needs a size: memory 8GB, or memory KIND SIZE (kinds: %s)", strings.Join(memoryKindNames, ", "))
				continue
			}
			if v, ok = c.size(e.Value, "`memory`"); !ok {
				continue
			}
			if e.Word != nil {
				if p, ok = simulator.MachineParamByKey("memory " + e.Word.Text); !ok {
					c.errs.add(e.Word.Pos, "unknown memory kind %q%s (kinds: %s)", e.Word.Text, c.didYouMean(e.Word.Text, memoryKindNames), strings.Join(memoryKindNames, ", "))
					continue
				}
			}
			at = e.Value.Pos
		}
		if !p.InRange(v) {
			c.errs.add(at, "`%s` %s", key, p.Range)
			continue
		}
		p.Set(m, v)
	}
}

// factor converts a plain factor such as 1.08 to permille, exactly; key
// names the setting in errors and example is a sensible value of it.
func (c *checker) factor(q *grammar.Qty, key, example string) (int64, bool) {
	neg, digits, unit, _ := splitQuantity(q.Raw)
	if neg {
		c.errs.add(q.Pos, "a sign is only allowed after `nice` and `priority`")
		return 0, false
	}
	if unit != "" {
		c.errs.add(q.Pos, "`%s` needs a plain factor such as %s, not %s", key, example, q.Raw)
		return 0, false
	}
	v, r := exactScaled(digits, 1000)
	switch {
	case r == convNotWhole:
		c.errs.add(q.Pos, "`%s` takes at most 3 decimals, not %s", key, q.Raw)
	case r == convTooLarge:
		c.errs.add(q.Pos, "`%s` %s is too large", key, q.Raw)
	default:
		return v, true
	}
	return 0, false
}

// ---- names ----

// entityName checks and returns an entity's name.
func (c *checker) entityName(s *grammar.Str) (string, bool) {
	name := unquote(s.Raw)
	switch {
	case name == "":
		c.errs.add(s.Pos, "a name cannot be empty")
	case strings.IndexByte(name, '#') >= 0 || strings.IndexByte(name, '/') >= 0:
		c.errs.add(s.Pos, "a name cannot contain `#` or `/` (%q): they address replicas and threads", name)
	default:
		return name, true
	}
	return name, false
}

// topDef is a top-level name: where it is first defined, and its task or
// process once that checks.
type topDef struct {
	pos lexer.Position
	t   *topT
}

// defineTop defines the top-level name s, defined at pos; def is nil when
// the name is bad or taken.
func (c *checker) defineTop(s *grammar.Str, pos lexer.Position) (name string, def *topDef) {
	name, ok := c.entityName(s)
	if !ok {
		return name, nil
	}
	if first, dup := c.tops[name]; dup {
		c.errs.add(s.Pos, "%q is already defined at the top level (%s)", name, lineOf(first.pos))
		return name, nil
	}
	def = c.defSlab.alloc()
	def.pos = pos
	c.tops[name] = def
	c.topOrder = append(c.topOrder, name)
	return name, def
}

// top is the checked task or process of a top-level name, or nil.
func (c *checker) top(name string) *topT {
	if d := c.tops[name]; d != nil {
		return d.t
	}
	return nil
}

// ---- modifiers ----

type modVals struct {
	x        int64
	xPos     lexer.Position
	at       simulator.Dist
	priority int
	nice     int
	hasNice  bool
	start    string // `start METHOD` of a process: fork, forkserver or spawn; "" without
}

// modKeys are the modifiers the grammar knows (Mod).
var modKeys = [...]string{"x", "at", "priority", "nice"}

// startMod checks a process's `start [METHOD]`.
func (c *checker) startMod(m *grammar.Mod, mv *modVals, seen *bool, who string) {
	if who != "a process" {
		c.errs.add(m.Pos, "`start` is taken by a process only: it says how multiprocessing started it (process \"w\" start spawn { ... })")
		return
	}
	if *seen {
		c.errs.add(m.Pos, "`start` is given twice")
		return
	}
	*seen = true
	mv.start = "fork" // multiprocessing's default on Linux up to Python 3.13
	if m.Method == nil {
		return
	}
	if !slices.Contains(startMethods, m.Method.Name) {
		c.errs.add(m.Method.Pos, "unknown start method %q%s (methods: fork, forkserver, spawn)", m.Method.Name, c.didYouMean(m.Method.Name, startMethods))
		return
	}
	mv.start = m.Method.Name
}

// startMethods are the multiprocessing start methods `start` takes.
var startMethods = []string{"fork", "forkserver", "spawn"}

// mods checks an entity's modifiers against the ones it takes.
func (c *checker) mods(mods []*grammar.Mod, takes []string, who string) modVals {
	var mv modVals
	var seen [len(modKeys)]bool // by index in modKeys
	startSeen := false
	for _, m := range mods {
		if m.Start {
			c.startMod(m, &mv, &startSeen, who)
			continue
		}
		if !slices.Contains(takes, m.Key) {
			c.errs.add(m.Pos, "`%s` is not taken by %s (it takes %s)", m.Key, who, listAnd(takes))
			continue
		}
		k := slices.Index(modKeys[:], m.Key)
		if seen[k] {
			c.errs.add(m.Pos, "`%s` is given twice", m.Key)
			continue
		}
		seen[k] = true
		if m.Key == "at" {
			if d, ok := c.dist(m.Value, "`at`"); ok {
				mv.at = d
			}
			continue
		}
		q := m.Value.Fixed
		if q == nil {
			c.errs.add(m.Value.Pos, "`%s` needs a number, not a distribution", m.Key)
			continue
		}
		switch m.Key {
		case "x":
			v, ok := c.whole(q, "`x`", false)
			if !ok {
				continue
			}
			if v < 1 {
				c.errs.add(q.Pos, "`x` must be at least 1")
				continue
			}
			mv.x, mv.xPos = v, m.Pos
			if v > c.blameX {
				c.blameX, c.blamePos = v, m.Pos
			}
		case "priority":
			if v, ok := c.whole(q, "`priority`", true); ok {
				if v < math.MinInt32 || v > math.MaxInt32 {
					c.errs.add(q.Pos, "`priority` must be within %d..%d", math.MinInt32, math.MaxInt32)
					continue
				}
				mv.priority = int(v)
			}
		case "nice":
			if v, ok := c.whole(q, "`nice`", true); ok {
				if v < -20 || v > 19 {
					c.errs.add(q.Pos, "`nice` must be within -20..19")
					continue
				}
				mv.nice, mv.hasNice = int(v), true
			}
		}
	}
	return mv
}

func article(word string) string {
	if strings.ContainsRune("aeio", rune(word[0])) {
		return "an"
	}
	return "a"
}

func listAnd(words []string) string {
	switch len(words) {
	case 0:
		return "none"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

var (
	takesTask    = modKeys[:]
	takesProcess = []string{"x", "at", "nice"}
	takesMember  = []string{"x", "at"}
)

// ---- top-level entities ----

func (c *checker) topEntity(e *entityNode) *topT {
	switch e.Kind {
	case "task":
	case "thread":
		c.errs.add(e.Pos, "a `thread` stands inside a `process` (a native single-threaded program is a `task`)")
		return nil
	default:
		c.errs.add(e.Pos, "a `%s` stands inside a runtime block of a `process`", e.Kind)
		return nil
	}
	name, def := c.defineTop(e.Name, e.Pos)
	mv := c.mods(e.Mods, takesTask, "a task")
	// a task's steps hold no lock, switch or yield: its procState stays
	// empty, and one serves every task
	c.taskState = procState{}
	steps := c.steps(e.Body, ctxNative, &c.taskState, nil)
	if def == nil {
		return nil
	}
	// t is fresh and zero: set field by field, not copied whole (which,
	// while the collector runs, costs a bulk write barrier)
	t := c.topSlab.alloc()
	t.native, t.name, t.x, t.at, t.nice, t.priority = true, name, mv.x, mv.at, mv.nice, mv.priority
	t.steps, t.pos = steps, spos(e.Pos)
	def.t = t
	return t
}

// workload checks `workload "name" { task ... }`: tasks that take x and
// at, with cpu, native, io, sleep, repeat and lock steps. Its locks are
// the workload's, shared by every task.
func (c *checker) workload(w *workloadNode) {
	if first := c.prog.workload; first != nil {
		c.errs.add(w.Pos, "a file holds one workload (the first is at %s)", lineOf(first.lpos))
		return
	}
	name, _ := c.defineTop((*grammar.Str)(w.Name), w.Pos)
	wt := &workloadT{name: name, pos: spos(w.Pos), lpos: w.Pos}
	c.prog.workload = wt
	for _, m := range w.Mods {
		c.errs.add(m.Pos, "a workload takes no modifiers: `x` and `at` go on its tasks")
	}
	ps := &procState{top: &topT{name: name, inner: map[string]*innerDef{}}, names: map[string]lexer.Position{}, lockIndex: map[string]int{}}
	for _, e := range w.Body {
		if e.Kind != "task" {
			c.errs.add(e.Pos, "a workload holds `task`s, not `%s`s: `gilsim compare` decides what runs each task", e.Kind)
			continue
		}
		tname, ok := c.entityName(e.Name)
		mv := c.mods(e.Mods, takesMember, "a workload task")
		if ok {
			if first, dup := ps.names[tname]; dup {
				c.errs.add(e.Name.Pos, "%q is already defined in workload %q (%s)", tname, name, lineOf(first))
				ok = false
			} else {
				ps.names[tname] = e.Name.Pos
			}
		}
		steps := c.steps(e.Body, ctxWorkload, ps, nil)
		if ok {
			wt.tasks = append(wt.tasks, &memberT{name: tname, x: mv.x, at: mv.at, steps: steps, pos: spos(e.Pos)})
		}
	}
	if len(w.Body) == 0 {
		c.errs.add(w.Pos, "workload %q has no tasks: add task \"name\" x N { steps }", name)
	}
	wt.locks, wt.lockSize = ps.top.locks, ps.top.lockSize
}

// procState is what the walk of one process keeps.
type procState struct {
	top       *topT
	names     map[string]lexer.Position
	lockIndex map[string]int
	lockPos   []lexer.Position // where each lock was first named
	pending   []pendingSwitch  // switches of the greenlets block being walked
	yieldPos  *lexer.Position  // first yield of the gen being walked
}

type pendingSwitch struct {
	step   *simulator.Step
	target *grammar.Str
}

// lock registers a lock (size 0) or a semaphore of size N by name and
// returns its index; ok is false when the name is already a lock of the
// other kind or a semaphore of another size (first says where).
func (ps *procState) lock(name string, size int64, pos lexer.Position) (i int, first lexer.Position, ok bool) {
	if i, found := ps.lockIndex[name]; found {
		return i, ps.lockPos[i], ps.top.lockSize[i] == size
	}
	i = len(ps.top.locks)
	ps.top.locks = append(ps.top.locks, name)
	ps.top.lockSize = append(ps.top.lockSize, size)
	ps.lockPos = append(ps.lockPos, pos)
	ps.lockIndex[name] = i
	return i, pos, true
}

// lockKind names a lock of size 0 or a semaphore of size N.
func lockKind(size int64) string {
	if size == 0 {
		return "a lock"
	}
	return "a semaphore of " + strconv.FormatInt(size, 10)
}

var blockKinds = map[string]simulator.ThreadKind{
	"asyncio":    simulator.ThreadAsyncio,
	"gevent":     simulator.ThreadGevent,
	"eventlet":   simulator.ThreadEventlet,
	"greenlets":  simulator.ThreadGreenlets,
	"coroutines": simulator.ThreadCoroutines,
}

// memberKind is the entity keyword each block holds.
var memberKind = map[string]string{
	"asyncio":    "task",
	"gevent":     "greenlet",
	"eventlet":   "greenthread",
	"greenlets":  "greenlet",
	"coroutines": "gen",
}

var memberCtx = map[string]ctxKind{
	"asyncio":    ctxAsyncio,
	"gevent":     ctxGevent,
	"eventlet":   ctxEventlet,
	"greenlets":  ctxRaw,
	"coroutines": ctxGen,
}

func (c *checker) process(p *processNode) *topT {
	name, def := c.defineTop((*grammar.Str)(p.Name), p.Pos)
	mv := c.mods(p.Mods, takesProcess, "a process")
	t := &topT{
		name: name, x: mv.x, at: mv.at, nice: mv.nice, start: mv.start,
		gil: simulator.GIL{Mode: simulator.GILInterval, Interval: 5_000_000},
		pos: spos(p.Pos), inner: map[string]*innerDef{},
	}
	ps := &procState{top: t, names: map[string]lexer.Position{}, lockIndex: map[string]int{}}
	var gilPos, startupPos *lexer.Position
	blocks := map[string]*blockNode{}
	var plainThreads []*entityNode
	var asyncioBlock *blockNode
	var patched []*blockNode
	for _, it := range p.Items {
		switch {
		case it.GIL != nil:
			g := it.GIL
			if gilPos != nil {
				c.errs.add(g.Pos, "`gil` is already set in this process (%s)", lineOf(*gilPos))
				continue
			}
			gilPos = &g.Pos
			c.gil(g, t)
		case it.Startup != nil:
			s := it.Startup
			if startupPos != nil {
				c.errs.add(s.Pos, "`startup` is already set in this process (%s)", lineOf(*startupPos))
				continue
			}
			startupPos = &s.Pos
			t.hasStart = true
			if v, ok := c.duration(s.Value, "`startup`"); ok {
				t.startup = v
			}
		case it.Entity != nil:
			e := it.Entity
			switch e.Kind {
			case "thread":
				plainThreads = append(plainThreads, e)
				if th := c.thread(e, ps, mv); th != nil {
					t.threads = append(t.threads, th)
				}
			case "task":
				c.errs.add(e.Pos, "a `task` inside a process belongs in an `asyncio { }` block (use `thread` for an OS thread)")
			case "greenlet":
				c.errs.add(e.Pos, "a `greenlet` belongs in a `gevent` or `greenlets` block")
			case "greenthread":
				c.errs.add(e.Pos, "a `greenthread` belongs in an `eventlet` block")
			case "gen":
				c.errs.add(e.Pos, "a `gen` belongs in a `coroutines` block")
			}
		case it.Block != nil:
			b := it.Block
			if first, ok := blocks[b.Kind]; ok {
				c.errs.add(b.Pos, "a process holds at most one `%s` block (the first is at %s)", b.Kind, lineOf(first.Pos))
				continue
			}
			blocks[b.Kind] = b
			if b.Kind == "asyncio" {
				asyncioBlock = b
			}
			th := c.block(b, ps, mv)
			if th != nil {
				t.threads = append(t.threads, th)
				if th.patched {
					patched = append(patched, b)
				}
			}
		}
	}
	// `gevent patched` and `eventlet patched` patch the whole process.
	for _, pb := range patched {
		for _, e := range plainThreads {
			c.errs.add(e.Pos, "a `thread` cannot share a process with `%s patched` (%s): after monkey-patching, threads are green; use a %s", pb.Kind, lineOf(pb.Pos), memberKind[pb.Kind])
		}
		if asyncioBlock != nil {
			c.errs.add(asyncioBlock.Pos, "an `asyncio` block cannot share a process with `%s patched` (%s)", pb.Kind, lineOf(pb.Pos))
		}
		other := "eventlet"
		if pb.Kind == "eventlet" {
			other = "gevent"
		}
		// When both are patched, report only the later block.
		if ob, ok := blocks[other]; ok {
			obPatched := ob.Patch != nil && ob.Patch.Text == "patched"
			if !obPatched || ob.Pos.Offset > pb.Pos.Offset {
				c.errs.add(ob.Pos, "%s `%s` block cannot share a process with `%s patched` (%s)", article(other), other, pb.Kind, lineOf(pb.Pos))
			}
		}
	}
	if def == nil {
		return nil
	}
	def.t = t
	for n := range t.inner {
		c.inner[n] = append(c.inner[n], t)
	}
	return t
}

func (c *checker) gil(g *grammar.GIL, t *topT) {
	switch {
	case g.Interval != nil:
		if v, ok := c.duration(g.Interval, "`gil interval`"); ok {
			if v <= 0 {
				c.errs.add(g.Interval.Pos, "`gil interval` must be greater than 0")
				return
			}
			t.gil = simulator.GIL{Mode: simulator.GILInterval, Interval: v}
		}
	case g.Legacy:
		t.gil = simulator.GIL{Mode: simulator.GILLegacy, Check: 100}
		if g.Check != nil {
			if v, ok := c.whole(g.Check, "`check`", false); ok {
				if v < 1 {
					c.errs.add(g.Check.Pos, "`check` must be at least 1")
					return
				}
				t.gil.Check = v
			}
		}
	case g.Off:
		t.gil = simulator.GIL{Mode: simulator.GILOff}
	}
}

// defineInner registers a thread or member name in its process.
func (c *checker) defineInner(ps *procState, name string, x int64, pos lexer.Position, block bool) bool {
	if first, dup := ps.names[name]; dup {
		if block {
			c.errs.add(pos, "the thread of this block is named %q, which is already used in process %q (%s)", name, ps.top.name, lineOf(first))
		} else {
			c.errs.add(pos, "%q is already defined in process %q (%s)", name, ps.top.name, lineOf(first))
		}
		return false
	}
	ps.names[name] = pos
	ps.top.inner[name] = &innerDef{name: name, x: x, pos: pos}
	if !c.innerSeen[name] {
		c.innerSeen[name] = true
		c.innerList = append(c.innerList, name)
	}
	return true
}

func (c *checker) thread(e *entityNode, ps *procState, pm modVals) *threadT {
	name, ok := c.entityName(e.Name)
	mv := c.mods(e.Mods, takesTask, "a thread")
	if ok {
		ok = c.defineInner(ps, name, mv.x, e.Name.Pos, false)
	}
	steps := c.steps(e.Body, ctxThread, ps, nil)
	nice := pm.nice
	if mv.hasNice {
		nice = mv.nice
	}
	if !ok {
		return nil
	}
	return &threadT{
		name: name, kind: simulator.ThreadPlain, x: mv.x, at: mv.at,
		priority: mv.priority, nice: nice, steps: steps, pos: spos(e.Pos),
	}
}

func (c *checker) block(b *blockNode, ps *procState, pm modVals) *threadT {
	th := &threadT{name: b.Kind, kind: blockKinds[b.Kind], nice: pm.nice, pos: spos(b.Pos)}
	ok := c.defineInner(ps, b.Kind, 0, b.Pos, true)
	switch b.Kind {
	case "gevent", "eventlet":
		switch {
		case b.Patch == nil:
			c.errs.add(b.Pos, "`%s` needs `patched` or `unpatched`: %s patched { ... }", b.Kind, b.Kind)
		case b.Patch.Text == "patched":
			th.patched = true
		case b.Patch.Text == "unpatched":
		default:
			c.errs.add(b.Patch.Pos, "`%s` takes `patched` or `unpatched`, not %q%s", b.Kind, b.Patch.Text, c.didYouMean(b.Patch.Text, []string{"patched", "unpatched"}))
		}
	default:
		if b.Patch != nil {
			c.errs.add(b.Patch.Pos, "`%s` takes no %q: only gevent and eventlet are patched or unpatched", b.Kind, b.Patch.Text)
		}
	}
	want := memberKind[b.Kind]
	ctx := memberCtx[b.Kind]
	takes := takesMember
	ps.pending = ps.pending[:0]
	type genYield struct {
		x   int64
		pos *lexer.Position
	}
	var yields []genYield
	for _, e := range b.Members {
		if e.Kind != want {
			c.errs.add(e.Pos, "%s `%s` block holds `%s`s, not `%s`s", article(b.Kind), b.Kind, want, e.Kind)
			continue
		}
		name, nameOK := c.entityName(e.Name)
		mv := c.mods(e.Mods, takes, "a "+want)
		if nameOK {
			nameOK = c.defineInner(ps, name, mv.x, e.Name.Pos, false)
		}
		ps.yieldPos = nil
		steps := c.steps(e.Body, ctx, ps, nil)
		yields = append(yields, genYield{max(mv.x, 1), ps.yieldPos})
		if nameOK {
			th.members = append(th.members, &memberT{name: name, x: mv.x, at: mv.at, steps: steps, pos: spos(e.Pos)})
		}
	}
	if b.Kind == "coroutines" && len(yields) == 1 && yields[0].x == 1 && yields[0].pos != nil {
		c.errs.add(*yields[0].pos, "`yield` yields to nothing: this `coroutines` block has a single generator")
	}
	if b.Kind == "greenlets" {
		c.resolveSwitches(th, ps.pending)
	}
	ps.pending = nil
	if !ok {
		return nil
	}
	return th
}

// resolveSwitches checks every `switch` of a greenlets block against the
// block's greenlets.
func (c *checker) resolveSwitches(th *threadT, pending []pendingSwitch) {
	names := make([]string, len(th.members))
	index := make(map[string]int, len(th.members))
	for i, m := range th.members {
		names[i] = m.name
		index[m.name] = i
	}
	for _, p := range pending {
		target := unquote(p.target.Raw)
		base, k, err := splitReplica(target)
		if err != "" {
			c.errs.add(p.target.Pos, "bad greenlet name %q: %s", target, err)
			continue
		}
		idx, found := index[base]
		if !found {
			c.errs.add(p.target.Pos, "`switch` to unknown greenlet %q%s", target, c.didYouMean(base, names))
			continue
		}
		m := th.members[idx]
		switch {
		case k == 0 && m.x > 0:
			c.errs.add(p.target.Pos, "`switch %q` is ambiguous: %q is replicated (x %d); use %q … %q", target, base, m.x, base+"#1", base+"#"+strconv.FormatInt(m.x, 10))
			continue
		case k > 0 && m.x == 0:
			c.errs.add(p.target.Pos, "greenlet %q is not replicated, so there is no %q", base, target)
			continue
		case k > m.x:
			c.errs.add(p.target.Pos, "greenlet %q has %d replicas, so there is no %q", base, m.x, target)
			continue
		}
		c.prog.switches = append(c.prog.switches, switchFix{step: p.step, block: th, member: idx, k: k})
	}
}

// splitReplica splits "w#3" into ("w", 3); "w" gives ("w", 0).
func splitReplica(s string) (base string, k int64, problem string) {
	base, suffix, ok := strings.Cut(s, "#")
	if !ok {
		return s, 0, ""
	}
	if base == "" {
		return "", 0, "the name before `#` is empty"
	}
	if suffix == "" || suffix[0] == '0' || strings.Trim(suffix, "0123456789") != "" {
		return "", 0, "a replica is addressed as name#k with k = 1, 2, …"
	}
	v, err := strconv.ParseInt(suffix, 10, 64)
	if err != nil {
		return "", 0, "the replica number is too large"
	}
	return base, v, ""
}

// ---- steps ----

type ctxKind uint8

const (
	ctxNative ctxKind = iota
	ctxThread
	ctxAsyncio
	ctxGevent
	ctxEventlet
	ctxRaw
	ctxGen
	ctxOffload
	ctxWorkload
)

var ctxNames = [...]string{
	"a native task", "a thread", "an asyncio task", "a gevent greenlet",
	"an eventlet greenthread", "a greenlet of a `greenlets` block", "a `gen`", "`offload`",
	"a workload task",
}

type stepKind uint8

const (
	sCPU stepKind = iota
	sNative
	sIO
	sSleep
	sAwait
	sYield
	sOffload
	sRepeat
	sLock
	sSwitch
	sSend
	sRecv
	sSemaphore
	sLast = sSemaphore
)

var stepNames = [...]string{"cpu", "native", "io", "sleep", "await", "yield", "offload", "repeat", "lock", "switch", "send", "recv", "semaphore"}

func bitsOf(ks ...stepKind) uint16 {
	// send, recv and semaphore stand wherever lock does, but in a workload
	// (send and recv: the processes model charges pipes itself)
	if slices.Contains(ks, sLock) {
		ks = append(ks, sSemaphore, sSend, sRecv)
	}
	var b uint16
	for _, k := range ks {
		b |= 1 << k
	}
	return b
}

// allowedSteps is the table "Where each may stand" of the language.
var allowedSteps = [...]uint16{
	ctxNative:   bitsOf(sCPU, sIO, sSleep, sRepeat),
	ctxThread:   bitsOf(sCPU, sNative, sIO, sSleep, sYield, sRepeat, sLock),
	ctxAsyncio:  bitsOf(sCPU, sNative, sIO, sSleep, sAwait, sYield, sOffload, sRepeat, sLock),
	ctxGevent:   bitsOf(sCPU, sNative, sIO, sSleep, sYield, sOffload, sRepeat, sLock),
	ctxEventlet: bitsOf(sCPU, sNative, sIO, sSleep, sYield, sOffload, sRepeat, sLock),
	ctxRaw:      bitsOf(sCPU, sNative, sIO, sSleep, sRepeat, sLock, sSwitch),
	ctxGen:      bitsOf(sCPU, sNative, sIO, sSleep, sRepeat, sYield),
	ctxOffload:  bitsOf(sCPU, sNative, sIO, sSleep, sRepeat, sLock),
	ctxWorkload: bitsOf(sCPU, sNative, sIO, sSleep, sRepeat, sLock) &^ bitsOf(sSend) &^ bitsOf(sRecv),
}

func kindOf(s *grammar.Step) stepKind {
	switch {
	case s.Timed != nil:
		switch s.Timed.Op {
		case "cpu":
			return sCPU
		case "native":
			return sNative
		case "io":
			return sIO
		}
		return sSleep
	case s.Await != nil:
		return sAwait
	case s.Yield:
		return sYield
	case s.Offload != nil:
		return sOffload
	case s.Repeat != nil:
		return sRepeat
	case s.Lock != nil:
		return sLock
	case s.IPC != nil && s.IPC.Op == "send":
		return sSend
	case s.IPC != nil:
		return sRecv
	case s.Sem != nil:
		return sSemaphore
	}
	return sSwitch
}

func (c *checker) stepNotAllowed(pos lexer.Position, k stepKind, ctx ctxKind) {
	switch {
	case k == sAwait && ctx == ctxWorkload:
		c.errs.add(pos, "`await` has no place in a workload: write `io` or `sleep`, which `gilsim compare` turns into awaits under asyncio")
	case k == sOffload && ctx == ctxWorkload:
		c.errs.add(pos, "`offload` has no place in a workload: `gilsim compare` offloads cpu and native steps itself under asyncio+threads")
	case k == sAwait && ctx == ctxOffload:
		c.errs.add(pos, "`await` cannot be used inside `offload`: its steps run on a worker thread")
	case k == sAwait:
		c.errs.add(pos, "`await` is only allowed inside an asyncio task")
	case k == sSwitch:
		c.errs.add(pos, "`switch` is only allowed inside a greenlet of a `greenlets` block")
	case k == sOffload && ctx == ctxOffload:
		c.errs.add(pos, "`offload` cannot be nested in `offload`")
	case k == sOffload:
		c.errs.add(pos, "`offload` is only allowed inside an asyncio task or a gevent/eventlet greenlet")
	case k == sYield && ctx == ctxOffload:
		c.errs.add(pos, "`yield` cannot be used inside `offload`: its steps run on a worker thread")
	case k == sYield && ctx == ctxRaw:
		c.errs.add(pos, "`yield` is not allowed in a greenlet of a `greenlets` block: use `switch \"name\"`")
	case (k == sSend || k == sRecv) && ctx == ctxWorkload:
		c.errs.add(pos, "`%s` has no place in a workload: `gilsim compare`'s processes model charges the pipes of each chunk itself", stepNames[k])
	case (k == sSend || k == sRecv) && ctx == ctxNative:
		c.errs.add(pos, "`%s` is not allowed in a native task: it stands for multiprocessing's pickling and pipes, inside a process", stepNames[k])
	case k == sNative && ctx == ctxNative:
		c.errs.add(pos, "`native` is not allowed in a native task: it holds no GIL to release (use `cpu`)")
	default:
		var can []string
		for s := sCPU; s <= sLast; s++ {
			if allowedSteps[ctx]&(1<<s) != 0 {
				can = append(can, stepNames[s])
			}
		}
		c.errs.add(pos, "`%s` is not allowed in %s (it takes %s)", stepNames[k], ctxNames[ctx], listAnd(can))
	}
}

// blockingWhere and blockingTwice are the messages about a misplaced
// `blocking` (lex's checks give the second for a long run of them).
const (
	blockingWhere = "`blocking` goes before `io` or `sleep`, a call that waits where the runtime cannot see it"
	blockingTwice = blockingWhere + ": `blocking` is written once"
)

// blockingStep checks `blocking STEP`: only a call that waits (io,
// sleep) can be one the runtime does not see; it says why anything else
// cannot.
func (c *checker) blockingStep(s *grammar.Step) bool {
	in := s.Blocking.Step
	why := ""
	switch {
	case in.Blocking != nil:
		c.errs.add(s.Pos, "%s", blockingTwice)
		return false
	case in.Timed != nil && in.Timed.Op == "cpu":
		why = "`cpu` is computation: it keeps its core and the GIL busy and cannot block (a C call that holds the thread without the GIL is `native`)"
	case in.Timed != nil && in.Timed.Op == "native":
		why = "`native` is computation without the GIL: it keeps its core busy and cannot block"
	case in.Timed != nil:
		return true
	case in.Await != nil:
		why = "`await` is the call the loop does see: it parks the coroutine, never the thread"
	default:
		why = "`" + stepNames[kindOf(in)] + "` is not a call that waits"
	}
	c.errs.add(s.Pos, "%s: %s", blockingWhere, why)
	return false
}

var timedOps = [...]simulator.Op{sCPU: simulator.OpCPU, sNative: simulator.OpNative, sIO: simulator.OpIO, sSleep: simulator.OpSleep}

// steps checks a program and returns it in simulator form. held lists the
// locks held around it, innermost last.
func (c *checker) steps(body []*grammar.Step, ctx ctxKind, ps *procState, held []string) []simulator.Step {
	if len(body) == 0 {
		return nil
	}
	out := c.stepSlab.allocN(len(body))[:0]
	ipc := len(c.ipc) // the send and recv steps of this block are c.ipc[ipc:]
	var switches []int
	var targets []*grammar.Str
	for _, s := range body {
		blocking := false
		if s.Blocking != nil {
			if !c.blockingStep(s) {
				continue
			}
			s, blocking = s.Blocking.Step, true
		}
		k := kindOf(s)
		if allowedSteps[ctx]&(1<<k) == 0 {
			c.stepNotAllowed(s.Pos, k, ctx)
			continue
		}
		st := simulator.Step{Pos: spos(s.Pos), Blocking: blocking}
		switch k {
		case sCPU, sNative, sIO, sSleep:
			st.Op = timedOps[k]
			st.Dur, _ = c.dist(s.Timed.Dur, quoted(s.Timed.Op))
		case sAwait:
			st.Op = simulator.OpAwaitIO
			if s.Await.Op == "sleep" {
				st.Op = simulator.OpAwaitSleep
			}
			what := "`await io`"
			if s.Await.Op == "sleep" {
				what = "`await sleep`"
			}
			st.Dur, _ = c.dist(s.Await.Dur, what)
		case sYield:
			st.Op = simulator.OpYield
			if ctx == ctxGen && ps.yieldPos == nil {
				p := s.Pos
				ps.yieldPos = &p
			}
		case sOffload:
			st.Op = simulator.OpOffload
			st.Body = c.steps(s.Offload.Body, ctxOffload, ps, held)
		case sRepeat:
			st.Op = simulator.OpRepeat
			if v, ok := c.whole(s.Repeat.Count, "`repeat`", false); ok {
				st.Count = v
			}
			st.Body = c.steps(s.Repeat.Body, ctx, ps, held)
		case sLock, sSemaphore:
			st.Op = simulator.OpLock
			var name string
			var size int64
			var body []*grammar.Step
			var namePos lexer.Position
			if k == sLock {
				name, namePos, body = unquote(s.Lock.Name.Raw), s.Lock.Name.Pos, s.Lock.Body
			} else {
				name, namePos, body = unquote(s.Sem.Name.Raw), s.Sem.Name.Pos, s.Sem.Body
				size = -1
				if v, ok := c.whole(s.Sem.Size, "`semaphore`", false); ok {
					if v < 1 {
						c.errs.add(s.Sem.Size.Pos, "a semaphore of size 0 lets nothing in: give it at least 1")
					} else {
						size = v
					}
				}
			}
			inner := held
			switch {
			case name == "":
				c.errs.add(namePos, "a %s name cannot be empty", stepNames[k])
			case slices.Contains(held, name):
				what := "threading.Lock is not re-entrant"
				if k == sSemaphore {
					what = "acquiring a semaphore again inside itself takes a second slot (write the steps in one block)"
				}
				c.errs.add(s.Pos, "%s %q is already held here; %s", stepNames[k], name, what)
			case size < 0:
			default:
				i, first, ok := ps.lock(name, size, s.Pos)
				if !ok {
					c.errs.add(namePos, "%q is %s (%s); one name is one object", name, lockKind(ps.top.lockSize[i]), lineOf(first))
				}
				st.Lock = i
				inner = append(held[:len(held):len(held)], name)
			}
			st.Body = c.steps(body, ctx, ps, inner)
		case sSend, sRecv:
			if v, ok := c.size(s.IPC.Size, "`"+stepNames[k]+"`"); ok {
				c.ipc = append(c.ipc, ipcFix{at: len(out), size: v, recv: k == sRecv})
			}
			// one side of a transfer: the pickling under the GIL and the copy
			// with the GIL released; their durations are set once the
			// machine block is known (fixIPC)
			pickle := simulator.Step{Op: simulator.OpCPU, Pos: st.Pos}
			cp := simulator.Step{Op: simulator.OpNative, Pos: st.Pos}
			if k == sSend {
				out = append(out, pickle, cp)
			} else {
				out = append(out, cp, pickle)
			}
			continue
		case sSwitch:
			st.Op = simulator.OpSwitch
			switches = append(switches, len(out))
			targets = append(targets, s.Switch.Target)
		}
		out = append(out, st)
	}
	// out is complete: pointers into it stay valid. The ipcFix still
	// without its steps are this block's (a nested block's have theirs).
	for i := ipc; i < len(c.ipc); i++ {
		if c.ipc[i].out == nil {
			c.ipc[i].out = out
		}
	}
	for i, at := range switches {
		ps.pending = append(ps.pending, pendingSwitch{step: &out[at], target: targets[i]})
	}
	return out
}

// ---- values ----

const signOnly = "a sign is only allowed after `nice` and `priority`"

// quantityKind is what duration and size need to say about their kind.
type quantityKind struct {
	kind               unitKind
	noun, eg, units    string // "a duration", "ms", "ns, us, µs, ms, s"
	unitWord, tooLarge string
}

var (
	durationKind = quantityKind{unitDuration, "a duration", "ms", "ns, us, µs, ms, s",
		"nanoseconds", "is too long: durations must be below 2^63 ns (about 292 years)"}
	sizeKind = quantityKind{unitSize, "a size", "KB", "B, KB, MB, GB (or KiB, MiB, GiB)",
		"bytes", "is too large: sizes must be below 2^63 bytes"}
)

// duration converts a quantity that must be a duration (or a bare 0).
func (c *checker) duration(q *grammar.Qty, what string) (int64, bool) {
	return c.quantity(q, what, &durationKind)
}

// size converts a quantity that must be a size (or a bare 0).
func (c *checker) size(q *grammar.Qty, what string) (int64, bool) {
	return c.quantity(q, what, &sizeKind)
}

// quantity converts q to an exact integer of kind k's base unit.
func (c *checker) quantity(q *grammar.Qty, what string, k *quantityKind) (int64, bool) {
	neg, digits, unit, _ := splitQuantity(q.Raw)
	if neg {
		c.errs.add(q.Pos, signOnly)
		return 0, false
	}
	u, _ := unitFor(unit)
	switch {
	case unit == "" && isZero(digits):
		return 0, true
	case unit == "" && zeroSpelling(digits):
		c.errs.add(q.Pos, "%s needs %s: zero is written 0, or with a unit (0%s), not %s", what, k.noun, k.eg, q.Raw)
		return 0, false
	case unit == "":
		c.errs.add(q.Pos, "%s needs %s: a number glued to its unit, such as %s%s (units: %s)", what, k.noun, q.Raw, k.eg, k.units)
		return 0, false
	case u.kind != k.kind:
		c.errs.add(q.Pos, "%s needs %s, not %s %s", what, k.noun, kindName(u.kind), q.Raw)
		return 0, false
	}
	v, r := exactScaled(digits, u.scale)
	switch r {
	case convNotWhole:
		c.errs.add(q.Pos, "%s is not a whole number of %s", q.Raw, k.unitWord)
		return 0, false
	case convTooLarge:
		c.errs.add(q.Pos, "%s %s", q.Raw, k.tooLarge)
		return 0, false
	}
	return v, true
}

func kindName(k unitKind) string {
	switch k {
	case unitDuration:
		return "the duration"
	case unitSize:
		return "the size"
	case unitPercent:
		return "the percentage"
	}
	return "the number"
}

// whole converts a quantity that must be a plain whole number.
func (c *checker) whole(q *grammar.Qty, what string, signed bool) (int64, bool) {
	neg, digits, unit, _ := splitQuantity(q.Raw)
	if neg && !signed {
		c.errs.add(q.Pos, signOnly)
		return 0, false
	}
	if unit != "" {
		c.errs.add(q.Pos, "%s needs a plain whole number, not %s %s", what, kindName(units[unit].kind), q.Raw)
		return 0, false
	}
	if strings.Contains(digits, ".") {
		c.errs.add(q.Pos, "%s needs a whole number, not %s", what, q.Raw)
		return 0, false
	}
	v, r := exactScaled(digits, 1)
	if r != convOK {
		c.errs.add(q.Pos, "%s does not fit in 63 bits", q.Raw)
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// plain converts a quantity that must be a plain number (a `%` is
// accepted when percent is set).
func (c *checker) plain(q *grammar.Qty, what string, percent bool) (float64, bool) {
	neg, digits, unit, _ := splitQuantity(q.Raw)
	if neg {
		c.errs.add(q.Pos, signOnly)
		return 0, false
	}
	if unit != "" && !(percent && unit == "%") {
		c.errs.add(q.Pos, "%s needs a plain number, not %s %s", what, kindName(units[unit].kind), q.Raw)
		return 0, false
	}
	intPart, _, _ := strings.Cut(digits, ".")
	if _, r := exactScaled(intPart, 1); r != convOK {
		c.errs.add(q.Pos, "%s does not fit in 63 bits", q.Raw)
		return 0, false
	}
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		c.errs.add(q.Pos, "%s is not a number", q.Raw)
		return 0, false
	}
	return f, true
}

var distNames = []string{"uniform", "exp", "normal"}

// dist converts a duration that may be a distribution.
// quoted is s in backquotes, as messages name a keyword; the steps'
// keywords cost no allocation.
func quoted(s string) string {
	switch s {
	case "cpu":
		return "`cpu`"
	case "native":
		return "`native`"
	case "io":
		return "`io`"
	case "sleep":
		return "`sleep`"
	}
	return "`" + s + "`"
}

// distArgWhat names an argument of the distribution name in messages.
func distArgWhat(name string) string {
	switch name {
	case "uniform":
		return "an argument of `uniform`"
	case "exp":
		return "an argument of `exp`"
	case "normal":
		return "an argument of `normal`"
	}
	return "an argument of `" + name + "`"
}

func (c *checker) dist(d *grammar.Dur, what string) (simulator.Dist, bool) {
	if d.Fixed != nil {
		v, ok := c.duration(d.Fixed, what)
		return simulator.Fixed(v), ok
	}
	ds := d.Dist
	want := 0
	switch ds.Name {
	case "uniform", "normal":
		want = 2
	case "exp":
		want = 1
	}
	if want == 0 {
		c.errs.add(ds.Pos, "unknown distribution %q%s (distributions: uniform(a, b), exp(mean), normal(mean, sd))", ds.Name, c.didYouMean(ds.Name, distNames))
		return simulator.Dist{}, false
	}
	if len(ds.Args) != want {
		forms := map[string]string{"uniform": "uniform(a, b)", "exp": "exp(mean)", "normal": "normal(mean, sd)"}
		c.errs.add(ds.Pos, "`%s` takes %d argument%s: %s", ds.Name, want, map[bool]string{true: "s"}[want > 1], forms[ds.Name])
		return simulator.Dist{}, false
	}
	vals := make([]int64, len(ds.Args))
	ok := true
	for i, a := range ds.Args {
		v, aok := c.duration(a, distArgWhat(ds.Name))
		vals[i], ok = v, ok && aok
	}
	if !ok {
		return simulator.Dist{}, false
	}
	switch ds.Name {
	case "uniform":
		if vals[0] > vals[1] {
			c.errs.add(ds.Pos, "`uniform(a, b)` needs a <= b")
			return simulator.Dist{}, false
		}
		return simulator.Dist{Kind: simulator.DistUniform, A: vals[0], B: vals[1]}, true
	case "exp":
		return simulator.Dist{Kind: simulator.DistExp, A: vals[0]}, true
	default:
		d := simulator.Dist{Kind: simulator.DistNormal, A: vals[0], B: vals[1]}
		c.clampWarning(ds.Pos, d)
		return d, true
	}
}

// clampShift is how far clamping its draws at 0 may move a normal
// distribution's mean, as a fraction of it, before the file is warned
// about: 5 %, past which the distribution no longer has the mean it says.
const clampShift = 0.05

// clampWarning warns about normal(mean, sd) when clamping its negative
// draws at 0 raises its mean by more than clampShift. The mean of
// max(X, 0) for X ~ N(m, s) is m·Φ(m/s) + s·φ(m/s).
func (c *checker) clampWarning(pos lexer.Position, d simulator.Dist) {
	if c.prog == nil || d.B <= 0 {
		return
	}
	m, s := float64(d.A), float64(d.B)
	z := m / s
	clamped := m*0.5*math.Erfc(-z/math.Sqrt2) + s*math.Exp(-z*z/2)/math.Sqrt(2*math.Pi)
	if clamped-m <= clampShift*m {
		return
	}
	name := "normal(" + simulator.FormatDuration(d.A) + ", " + simulator.FormatDuration(d.B) + ")"
	shift := ""
	if m > 0 {
		shift = fmt.Sprintf(" (+%.0f%%)", 100*(clamped-m)/m)
	}
	c.prog.warnings = append(c.prog.warnings, simulator.Warning{Pos: spos(pos),
		Message: name + " draws below 0 become 0, which raises its mean from " + simulator.FormatDuration(d.A) +
			" to " + simulator.FormatDuration(int64(math.Round(clamped))) + shift + ": a smaller deviation keeps the mean it says"})
}

// ---- expectations ----

var metricNames = func() []string {
	names := make([]string, 0, len(simulator.Metrics()))
	for n := range simulator.Metrics() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}()

var cmpOps = map[string]simulator.CmpOp{
	"<": simulator.CmpLT, "<=": simulator.CmpLE, ">": simulator.CmpGT,
	">=": simulator.CmpGE, "==": simulator.CmpEQ, "~=": simulator.CmpApprox,
}

func (c *checker) expect(e *grammar.Expect) {
	if c.prog.workload != nil {
		c.compareExpect(e)
		return
	}
	metric := e.Metric.Text
	info, ok := simulator.LookupMetric(metric)
	if !ok {
		if _, cmp := simulator.LookupCompareMetric(metric); cmp {
			c.errs.add(e.Metric.Pos, "`%s` compares concurrency models: it belongs in a file with a `workload`, which `gilsim compare` runs", metric)
			return
		}
		c.errs.add(e.Metric.Pos, "unknown metric %q%s (metrics: %s)", metric, c.didYouMean(metric, metricNames), strings.Join(metricNames, ", "))
		return
	}
	ex := simulator.Expect{Pos: spos(e.Pos), Metric: metric, Text: expectText(e.Tokens)}
	good := true
	switch {
	case e.Arg == nil && info.Arg == simulator.ArgRequired:
		c.errs.add(e.Metric.Pos, "`%s` needs an entity: %s(\"name\")", metric, metric)
		good = false
	case e.Arg != nil && info.Arg == simulator.ArgNone:
		hint := ""
		if a := argText(e.Arg); simulator.IsModel(a) {
			hint = fmt.Sprintf(" (%s(%s) compares models: it belongs in a file with a `workload`)", metric, a)
		}
		c.errs.add(e.Arg.Pos, "`%s` takes no argument%s", metric, hint)
		good = false
	case e.Arg != nil:
		var name string
		if e.Arg.Str != nil {
			name = unquote(*e.Arg.Str)
		} else {
			name = *e.Arg.Word
			if keywordSet[name] {
				c.errs.add(e.Arg.Pos, "`%s` is a keyword: write the name in quotes, %s(%q)", name, metric, name)
				good = false
				break
			}
		}
		ex.Arg, ex.HasArg = name, true
		if c.looseNames {
			break
		}
		if processMetrics[metric] {
			if !c.resolveProcess(metric, name, e.Arg.Pos) {
				good = false
			}
		} else if metric == "lock_wait" && c.isLock(name) {
			// a lock's name: every wait on it
		} else if !c.resolveName(name, e.Arg.Pos) {
			good = false
		}
	}
	c.expectValue(e, &ex, info, good)
}

// argText is a metric's argument as written, without quotes.
func argText(a *grammar.MetricArg) string {
	if a.Str != nil {
		return unquote(*a.Str)
	}
	return *a.Word
}

var compareMetricNames = func() []string {
	names := make([]string, 0, len(simulator.CompareMetrics()))
	for n := range simulator.CompareMetrics() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}()

// compareExpect checks an expectation of a workload file: a metric of
// simulator.CompareMetrics about one model, `speedup(processes) > 3`.
func (c *checker) compareExpect(e *grammar.Expect) {
	metric := e.Metric.Text
	info, ok := simulator.LookupCompareMetric(metric)
	if !ok {
		if _, scen := simulator.LookupMetric(metric); scen {
			c.errs.add(e.Metric.Pos, "`%s` is a scenario metric; a workload file's expectations compare models (metrics: %s)", metric, strings.Join(compareMetricNames, ", "))
			return
		}
		c.errs.add(e.Metric.Pos, "unknown metric %q%s (a workload file's metrics: %s)", metric, c.didYouMean(metric, compareMetricNames), strings.Join(compareMetricNames, ", "))
		return
	}
	ex := simulator.Expect{Pos: spos(e.Pos), Metric: metric, Text: expectText(e.Tokens)}
	good := true
	if e.Arg == nil {
		c.errs.add(e.Metric.Pos, "`%s` needs a model: %s(threads) (models: %s)", metric, metric, strings.Join(simulator.Models(), ", "))
		good = false
	} else {
		// Bare keywords are fine here: `makespan(asyncio)`.
		model := argText(e.Arg)
		if !simulator.IsModel(model) {
			c.errs.add(e.Arg.Pos, "unknown model %q%s (models: %s)", model, c.didYouMean(model, simulator.Models()), strings.Join(simulator.Models(), ", "))
			good = false
		}
		ex.Arg, ex.HasArg = model, true
	}
	c.expectValue(e, &ex, info, good)
}

// expectValue checks the comparison, value and tolerance of an
// expectation and keeps it when all is well and its `when` applies.
func (c *checker) expectValue(e *grammar.Expect, ex *simulator.Expect, info simulator.MetricInfo, good bool) {
	metric := ex.Metric
	op, _ := cmpOps[e.Op.Text]
	ex.Op = op
	v, vok := c.metricValue(e.Value, metric, info.Kind)
	ex.Value = v
	good = good && vok
	switch {
	case op == simulator.CmpApprox && e.Within == nil:
		c.errs.add(e.Op.Pos, "`~=` needs a tolerance: `within 5%%` (relative) or `within` a value of the metric's type (absolute)")
		good = false
	case op != simulator.CmpApprox && e.Within != nil:
		c.errs.add(e.Within.Pos, "`within` goes with `~=` only")
		good = false
	case e.Within != nil:
		q := e.Within.Value
		if _, _, unit, _ := splitQuantity(q.Raw); unit == "%" {
			p, ok := c.plain(q, "`within`", true)
			ex.TolIsPercent, ex.TolPercent = true, p
			good = good && ok
		} else {
			tv, ok := c.metricValue(q, metric, info.Kind)
			ex.TolAbs = tv
			good = good && ok
		}
	}
	if good && c.env.applies(e.When) {
		c.prog.expects = append(c.prog.expects, *ex)
	}
}

// metricValue converts an expectation value to the metric's type.
func (c *checker) metricValue(q *grammar.Qty, metric string, kind simulator.ValueKind) (simulator.Value, bool) {
	what := "`" + metric + "`"
	switch kind {
	case simulator.KindDuration:
		v, ok := c.duration(q, what)
		return simulator.Value{Kind: kind, Int: v}, ok
	case simulator.KindSize:
		v, ok := c.size(q, what)
		return simulator.Value{Kind: kind, Int: v}, ok
	default:
		f, ok := c.plain(q, what, metric == "utilization")
		return simulator.Value{Kind: kind, Num: f}, ok
	}
}

// expectText is the source of an expect line after the keyword, with every
// run of whitespace (and comments) between tokens collapsed to one space.
func expectText(toks []lexer.Token) string {
	var b strings.Builder
	for i := 1; i < len(toks); i++ {
		t := toks[i]
		if i > 1 {
			prev := toks[i-1]
			if t.Pos.Offset > prev.Pos.Offset+len(prev.Value) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.Value)
	}
	return b.String()
}

// resolveName checks that an expectation's entity name names something:
// a top-level task or process (with or without #k), a thread or member
// name that only one process defines, or "process/name".
func (c *checker) resolveName(arg string, pos lexer.Position) bool {
	if arg == "" {
		c.errs.add(pos, "the entity name is empty")
		return false
	}
	if strings.Count(arg, "/") > 1 {
		c.errs.add(pos, "bad entity name %q: write \"process/name\" with one `/`", arg)
		return false
	}
	if procPart, namePart, qualified := strings.Cut(arg, "/"); qualified {
		pbase, pk, problem := splitReplica(procPart)
		if problem != "" {
			c.errs.add(pos, "bad process name %q: %s", procPart, problem)
			return false
		}
		top := c.top(pbase)
		if top == nil {
			var procs []string
			for _, n := range c.topOrder {
				if t := c.top(n); t != nil && !t.native {
					procs = append(procs, n)
				}
			}
			c.errs.add(pos, "unknown process %q in %q%s", pbase, arg, c.didYouMean(pbase, procs))
			return false
		}
		if top.native {
			// a native task is its own process: "main/main" (the pair
			// of the JSON result) names it unambiguously
			if tbase, tk, problem := splitReplica(namePart); problem == "" && tbase == pbase && (tk == 0 || tk == pk) {
				return c.replicaOK(pos, "entity", pbase, top.x, pk, procPart)
			}
			c.errs.add(pos, "%q is a native task, not a process: write %q", pbase, procPart)
			return false
		}
		if !c.replicaOK(pos, "process", pbase, top.x, pk, procPart) {
			return false
		}
		tbase, tk, problem := splitReplica(namePart)
		if problem != "" {
			c.errs.add(pos, "bad name %q: %s", namePart, problem)
			return false
		}
		d := top.inner[tbase]
		if d == nil {
			var names []string
			for n := range top.inner {
				names = append(names, n)
			}
			sort.Strings(names)
			c.errs.add(pos, "process %q has no thread or member %q%s", pbase, tbase, c.didYouMean(tbase, names))
			return false
		}
		return c.replicaOK(pos, "entity", tbase, d.x, tk, namePart)
	}
	base, k, problem := splitReplica(arg)
	if problem != "" {
		c.errs.add(pos, "bad entity name %q: %s", arg, problem)
		return false
	}
	procs := c.inner[base]
	if top := c.top(base); top != nil {
		if top.native && len(procs) > 0 {
			qual := []string{base + "/" + base}
			for _, p := range procs {
				if p.name != base {
					qual = append(qual, p.name+"/"+base)
				}
			}
			if len(qual) > 1 {
				c.errs.add(pos, "%s", simulator.AmbiguousName(base, qual))
				return false
			}
		}
		return c.replicaOK(pos, "entity", base, top.x, k, arg)
	}
	switch len(procs) {
	case 0:
		all := append(slices.Clip(c.topOrder), c.innerList...)
		c.errs.add(pos, "unknown entity %q%s", arg, c.didYouMean(base, all))
		return false
	case 1:
		return c.replicaOK(pos, "entity", base, procs[0].inner[base].x, k, arg)
	}
	var qual []string
	for _, p := range procs {
		qual = append(qual, p.name+"/"+base)
		if len(qual) == 3 && len(procs) > 3 {
			qual = append(qual, "…")
			break
		}
	}
	c.errs.add(pos, "%q is ambiguous: several processes define it (%s); qualify it as \"process/name\"", base, strings.Join(qual, ", "))
	return false
}

// isLock reports whether name is a lock of some process ("db") or of
// one process ("app/db") and no entity: a name of both means the entity.
func (c *checker) isLock(name string) bool {
	pname, lname, qualified := strings.Cut(name, "/")
	if !qualified {
		lname = name
		if c.top(name) != nil || len(c.inner[name]) > 0 {
			return false
		}
	}
	for _, n := range c.topOrder {
		t := c.top(n)
		if t == nil || t.native {
			continue
		}
		if qualified {
			if base, _, _ := splitReplica(pname); base != n || t.inner[lname] != nil {
				continue
			}
		}
		if slices.Contains(t.locks, lname) {
			return true
		}
	}
	return false
}

// processMetrics are measured per process: their argument names a
// top-level task or process (or a replica group of one).
var processMetrics = map[string]bool{
	"gil_handoffs": true, "gil_forced_switches": true, "memory": true, "lag": true, "stall": true,
}

func (c *checker) resolveProcess(metric, arg string, pos lexer.Position) bool {
	base, k, problem := splitReplica(arg)
	switch {
	case strings.Contains(arg, "/"):
		c.errs.add(pos, "`%s` is measured per process: name a process, not %q", metric, arg)
		return false
	case problem != "":
		c.errs.add(pos, "bad process name %q: %s", arg, problem)
		return false
	}
	top := c.top(base)
	if top == nil {
		hint := c.didYouMean(base, c.topOrder)
		if len(c.inner[base]) > 0 {
			hint = "; `" + metric + "` is measured per process, and " + strconv.Quote(base) + " is a thread"
		}
		c.errs.add(pos, "unknown process %q%s", arg, hint)
		return false
	}
	return c.replicaOK(pos, "process", base, top.x, k, arg)
}

func (c *checker) replicaOK(pos lexer.Position, what, base string, x, k int64, written string) bool {
	switch {
	case k > 0 && x == 0:
		c.errs.add(pos, "%s %q is not replicated (no `x`), so there is no %q", what, base, written)
		return false
	case k > x:
		c.errs.add(pos, "%s %q has %d replicas, so there is no %q", what, base, x, written)
		return false
	}
	return true
}

// ---- the entity limit ----

// checkEntityCount refuses a scenario that would expand past
// simulator.MaxEntities, before anything is expanded. Every task, process,
// thread (runtime threads included) and member counts as one.
func (c *checker) checkEntityCount(sc *scenarioNode) {
	n, saturated := entityCount(c.prog.tops)
	if w := c.prog.workload; w != nil {
		// the largest lowering: a process, its thread, a thread or
		// coroutine per task
		wn := int64(2)
		for _, t := range w.tasks {
			wn, saturated = satAdd(wn, reps(t.x))
			if saturated {
				break
			}
		}
		if !saturated {
			n, saturated = satAdd(n, wn)
		}
	}
	if !saturated && n <= simulator.MaxEntities {
		return
	}
	count := strconv.FormatInt(n, 10)
	if saturated {
		total := bigEntityCount(c.prog.tops)
		if w := c.prog.workload; w != nil {
			for _, t := range w.tasks {
				total.Add(total, big.NewInt(reps(t.x)))
			}
		}
		count = total.String()
	}
	est := bigFootprint(c.prog.tops, c.prog.workload)
	c.errs.add(c.blamePos, "scenario would expand to %s entities (about %s of memory to simulate); the limit is %d", count, humanBytes(est), simulator.MaxEntities)
}

func reps(x int64) int64 { return max(x, 1) }

// bigFootprint is what simulating the scenario would take, by the
// simulator's measured cost of each kind of entity (simulator.Footprint),
// for counts that may not fit an int64.
func bigFootprint(tops []*topT, w *workloadT) *big.Int {
	procs, threads, members := new(big.Int), new(big.Int), new(big.Int)
	for _, t := range tops {
		x := big.NewInt(reps(t.x))
		procs.Add(procs, x)
		if t.native {
			threads.Add(threads, x)
			continue
		}
		th, mb := new(big.Int), new(big.Int)
		for _, tt := range t.threads {
			if tt.kind == simulator.ThreadPlain {
				th.Add(th, big.NewInt(reps(tt.x)))
				continue
			}
			th.Add(th, big.NewInt(1))
			for _, m := range tt.members {
				mb.Add(mb, big.NewInt(reps(m.x)))
			}
		}
		threads.Add(threads, th.Mul(th, x))
		members.Add(members, mb.Mul(mb, x))
	}
	if w != nil {
		// the largest lowering: a thread per task in one process
		procs.Add(procs, big.NewInt(1))
		for _, t := range w.tasks {
			threads.Add(threads, big.NewInt(reps(t.x)))
		}
	}
	est := new(big.Int).Mul(procs, big.NewInt(simulator.FootprintProcess))
	est.Add(est, threads.Mul(threads, big.NewInt(simulator.FootprintThread)))
	return est.Add(est, members.Mul(members, big.NewInt(simulator.FootprintMember)))
}

// humanBytes renders a byte count in the largest binary unit (up to EiB).
func humanBytes(n *big.Int) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := new(big.Int).Set(n)
	i := 0
	k := big.NewInt(1024)
	for i < len(units)-1 && v.Cmp(big.NewInt(10240)) >= 0 {
		v.Div(v, k)
		i++
	}
	return v.String() + " " + units[i]
}

func satAdd(a, b int64) (int64, bool) {
	if a > math.MaxInt64-b {
		return math.MaxInt64, true
	}
	return a + b, false
}

func satMul(a, b int64) (int64, bool) {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64, true
	}
	return a * b, false
}

func entityCount(tops []*topT) (int64, bool) {
	var total int64
	var sat bool
	add := func(a, b int64) int64 {
		v, s := satAdd(a, b)
		sat = sat || s
		return v
	}
	mul := func(a, b int64) int64 {
		v, s := satMul(a, b)
		sat = sat || s
		return v
	}
	for _, t := range tops {
		per := int64(1)
		for _, th := range t.threads {
			if th.kind == simulator.ThreadPlain {
				per = add(per, reps(th.x))
				continue
			}
			per = add(per, 1)
			for _, m := range th.members {
				per = add(per, reps(m.x))
			}
		}
		total = add(total, mul(reps(t.x), per))
		if sat {
			return math.MaxInt64, true
		}
	}
	return total, sat
}

func bigEntityCount(tops []*topT) *big.Int {
	total := new(big.Int)
	for _, t := range tops {
		per := big.NewInt(1)
		for _, th := range t.threads {
			if th.kind == simulator.ThreadPlain {
				per.Add(per, big.NewInt(reps(th.x)))
				continue
			}
			per.Add(per, big.NewInt(1))
			for _, m := range th.members {
				per.Add(per, big.NewInt(reps(m.x)))
			}
		}
		total.Add(total, per.Mul(per, big.NewInt(reps(t.x))))
	}
	return total
}
