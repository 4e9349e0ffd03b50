package dsl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// What the language knows about a point of a file being written: which
// words may stand there (Complete) and what the word there means
// (HelpAt). Both read the Outline, so that they work on half-typed files.

// itemWords are the words that start an item in each kind of block.
var itemWords = map[string]map[string]bool{
	"":         {"scenario": true},
	"scenario": set("seed", "cores", "policy", "quantum", "context_switch", "machine", "task", "process", "workload", "expect", "param", "vary"),
	"process":  set("gil", "startup", "thread", "asyncio", "gevent", "eventlet", "greenlets", "coroutines"),
	"asyncio":  set("task"), "gevent": set("greenlet"), "eventlet": set("greenthread"),
	"greenlets": set("greenlet"), "coroutines": set("gen"), "workload": set("task"),
	"machine": set(machineKeys...),
}

var stepWords = set(append(stepNames[:], "blocking")...)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// stepScope reports whether a block of that kind holds steps.
func stepScope(kind string) bool {
	switch kind {
	case "task", "thread", "greenlet", "greenthread", "gen", "repeat", "lock", "semaphore", "offload":
		return true
	}
	return false
}

// startsItem reports whether the code token k starts an item of a block
// of kind scope.
func (o *Outline) startsItem(k int, scope string) bool {
	t := o.tok(k)
	if !isWordTok(t) {
		return false
	}
	if stepScope(scope) {
		if t.Text == "io" || t.Text == "sleep" {
			p := o.tok(k - 1).Text
			return p != "await" && p != "blocking"
		}
		return t.Kind == TokenKeyword && stepWords[t.Text]
	}
	return itemWords[scope][t.Text] && (scope != "machine" || o.tok(k-1).Text != "memory")
}

// itemStart returns the code index of the first token of the item that
// code token k belongs to, in a block of kind scope (k itself when k
// starts one; past the { when k is the first token of the block).
func (o *Outline) itemStart(k int, scope string) int {
	for j := k; j >= 0 && j > k-256; j-- {
		t := o.tok(j)
		if isPunct(t, "{") || isPunct(t, "}") {
			return j + 1
		}
		if o.startsItem(j, scope) {
			return j
		}
	}
	return max(k-255, 0)
}

// codeIndex returns the code index of Tokens[i], or of the first code
// token after it.
func (o *Outline) codeIndex(i int) int {
	lo, hi := 0, len(o.code)
	for lo < hi {
		m := (lo + hi) / 2
		if o.code[m] < i {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func innermost(scopes []Scope) string {
	if len(scopes) == 0 {
		return ""
	}
	return scopes[len(scopes)-1].Kind
}

// stepContext is the context of the steps of the innermost step block:
// which steps may stand there.
func stepContext(scopes []Scope) ctxKind {
	for i := len(scopes) - 1; i >= 0; i-- {
		switch scopes[i].Kind {
		case "offload":
			return ctxOffload
		case "thread":
			return ctxThread
		case "greenthread":
			return ctxEventlet
		case "gen":
			return ctxGen
		case "greenlet":
			if i > 0 && scopes[i-1].Kind == "greenlets" {
				return ctxRaw
			}
			return ctxGevent
		case "task":
			switch {
			case i > 0 && scopes[i-1].Kind == "asyncio":
				return ctxAsyncio
			case i > 0 && scopes[i-1].Kind == "workload":
				return ctxWorkload
			}
			return ctxNative
		}
	}
	return ctxThread
}

// HelpAt documents the token at byte offset: a keyword, a machine key or
// memory kind, a metric, a policy, a model, a distribution, a quantity
// (its exact value), an entity's name (what it is, and its replicas) or
// a parameter. ok is false where there is nothing to say.
func (o *Outline) HelpAt(offset int) (h Help, tok Token, ok bool) {
	w, found := o.wordAt(offset)
	if !found {
		return Help{}, Token{}, false
	}
	t, k, start, head, scope := w.t, w.k, w.start, w.head, w.scope
	prev := o.tok(k - 1)
	switch t.Kind {
	case TokenQuantity:
		h, ok = quantityHelp(t.Text)
		return h, t, ok
	case TokenParamRef:
		h, ok = o.paramHelp(strings.TrimPrefix(t.Text, "$"))
		return h, t, ok
	case TokenString:
		h, ok = o.nameHelp(t, k, head, start)
		return h, t, ok
	case TokenKeyword, TokenIdent:
	default:
		return Help{}, Token{}, false
	}
	word := t.Text
	switch {
	case head == "expect" && k == start+1:
		h, ok = MetricHelp(word, o.Workload)
	case head == "expect" && isPunct(prev, "(") && k == start+3:
		if o.Workload {
			h, ok = ModelHelp(word)
		} else {
			h, ok = o.entityHelp(o.Resolve(word))
		}
	case head == "expect" && (prev.Text == "when" || prev.Text == "and") && t.Kind != TokenKeyword || head == "vary" && k == start+1:
		h, ok = o.paramHelp(word)
	case scope == "machine" && k == start:
		h, ok = MachineKeyHelp(word)
	case scope == "machine" && head == "memory" && k == start+1:
		h, ok = MemoryKindHelp(word)
	case scope == "machine" && head == "gil_handoff" && k == start+1:
		h, ok = MachineKeyHelp("gil_handoff")
	case head == "policy" && k == start+1:
		h, ok = PolicyHelp(word)
	case head == "param" && k == start+1:
		h, ok = o.paramHelp(word)
	case (word == "io" || word == "sleep") && (prev.Text == "await" || prev.Text == "blocking"):
		h, ok = KeywordHelp(prev.Text)
	case t.Kind == TokenKeyword:
		h, ok = KeywordHelp(word)
	}
	return h, t, ok
}

// wordInfo is a token with what surrounds it: its code index, the item
// it belongs to (the code index of its first token, and that token) and
// the kind of the innermost block.
type wordInfo struct {
	t           Token
	k, start    int
	head, scope string
}

func (o *Outline) wordAt(offset int) (wordInfo, bool) {
	i := o.TokenAt(offset)
	if i < 0 || o.Tokens[i].Kind == TokenComment {
		return wordInfo{}, false
	}
	t := o.Tokens[i]
	k := o.codeIndex(i)
	scope := innermost(o.ScopesAt(t.Offset))
	start := o.itemStart(k, scope)
	return wordInfo{t: t, k: k, start: start, head: o.tok(start).Text, scope: scope}, true
}

// DefinitionAt returns the declarations that the word at offset names,
// and that word: an entity named by an expectation, a greenlet named by a
// switch, a parameter (`$name`, or the name of a vary line or a when
// condition). A declaration's own name gives itself.
func (o *Outline) DefinitionAt(offset int) ([]*Symbol, Token) {
	w, ok := o.wordAt(offset)
	if !ok {
		return nil, Token{}
	}
	t := w.t
	prev := o.tok(w.k - 1)
	var out []*Symbol
	switch {
	case t.Kind == TokenParamRef:
		out = append(out, o.Param(t.Text[1:]))
	case w.head == "expect" && w.k == w.start+3 && isPunct(prev, "(") && !o.Workload:
		name := t.Text
		if t.Kind == TokenString {
			name = unquoteLoose(t.Text)
		}
		out = o.Resolve(name)
	case w.head == "switch" && t.Kind == TokenString:
		out = o.ResolveSwitch(t.Offset, unquoteLoose(t.Text))
	case isWordTok(t) && (w.head == "vary" && w.k == w.start+1 || w.head == "expect" && (prev.Text == "when" || prev.Text == "and")):
		out = append(out, o.Param(t.Text))
	case t.Kind == TokenString:
		o.Walk(func(s *Symbol) {
			if s.NameStart == t.Offset {
				out = append(out, s)
			}
		})
	}
	if len(out) == 1 && out[0] == nil {
		out = nil
	}
	return out, t
}

// quantityHelp gives the exact value of a duration or a size.
func quantityHelp(raw string) (Help, bool) {
	neg, digits, unit, ok := splitQuantity(raw)
	u, known := units[unit]
	if !ok || !known || u.kind == unitPercent {
		return Help{}, false
	}
	v, r := exactScaled(digits, u.scale)
	if r != convOK {
		return Help{}, false
	}
	if neg {
		v = -v
	}
	if u.kind == unitDuration {
		return Help{Syntax: raw, Doc: fmt.Sprintf("%s: %s ns", raw, groupDigits(v))}, true
	}
	return Help{Syntax: raw, Doc: fmt.Sprintf("%s: %s bytes (KB, MB and GB are powers of 1024, as KiB, MiB and GiB)", raw, groupDigits(v))}, true
}

// groupDigits writes n with a comma every three digits.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// paramHelp describes a parameter: its default and the values it varies
// over.
func (o *Outline) paramHelp(name string) (Help, bool) {
	p := o.Param(name)
	if p == nil {
		return Help{}, false
	}
	h := Help{Syntax: "param " + name + " " + p.Detail, Doc: fmt.Sprintf("A parameter, declared on line %d.", p.Line)}
	if vals := o.varyValues(name); vals != "" {
		h.Doc += " Varied over " + vals + ": one run per value."
	}
	h.Default = strings.TrimPrefix(p.Detail, "= ")
	return h, true
}

// varyValues is the list of name's vary line as written, or "".
func (o *Outline) varyValues(name string) string {
	for k := range o.code {
		if o.tok(k).Text != "vary" || o.tok(k).Kind != TokenKeyword || o.tok(k+1).Text != name || !isPunct(o.tok(k+3), "[") {
			continue
		}
		var parts []string
		for j := k + 3; j < len(o.code) && j < k+3+MaxRuns*2; j++ {
			parts = append(parts, o.tok(j).Text)
			if isPunct(o.tok(j), "]") {
				break
			}
		}
		return joinTokens(parts)
	}
	return ""
}

// nameHelp describes a string: a declaration's name, an entity named by an
// expectation, a greenlet named by a switch, a lock.
func (o *Outline) nameHelp(t Token, k int, head string, start int) (Help, bool) {
	var found *Symbol
	o.Walk(func(s *Symbol) {
		if s.NameStart == t.Offset && s.Kind != "param" {
			found = s
		}
	})
	name := unquoteLoose(t.Text)
	switch {
	case found != nil:
		return o.entityHelp([]*Symbol{found})
	case head == "expect" && k == start+3:
		if o.Workload {
			return ModelHelp(name)
		}
		return o.entityHelp(o.Resolve(name))
	case head == "switch":
		return o.entityHelp(o.ResolveSwitch(t.Offset, name))
	case head == "lock":
		return Help{Syntax: `lock "` + name + `"`, Doc: "A lock of the process instance, shared by every entity of the process that names it: threading.Lock in a thread, asyncio.Lock in an asyncio task, gevent's or eventlet's lock under monkey patching. Not re-entrant."}, true
	case head == "semaphore":
		return Help{Syntax: `semaphore "` + name + `" N`, Doc: "A semaphore of the process instance, shared by every entity of the process that names it: threading.Semaphore in a thread, asyncio.Semaphore in an asyncio task, gevent's BoundedSemaphore or eventlet's Semaphore in a greenlet."}, true
	}
	return Help{}, false
}

var kindNouns = map[string]string{
	"scenario":    "the scenario",
	"process":     "a CPython process: one interpreter, one GIL",
	"thread":      "a Python thread",
	"greenthread": "an eventlet greenthread",
	"gen":         "a generator of a `coroutines` block",
	"workload":    "a workload, which `gilsim compare` runs under each concurrency model",
	"asyncio":     "the thread of an asyncio event loop",
	"gevent":      "the thread of a gevent hub",
	"eventlet":    "the thread of an eventlet hub",
	"greenlets":   "the thread that parents raw greenlets",
	"coroutines":  "the thread of a generator trampoline",
}

// describe says what a symbol is.
func describe(s *Symbol) string {
	switch s.Kind {
	case "task":
		switch {
		case s.Parent != nil && s.Parent.Kind == "asyncio":
			return "an asyncio task (a coroutine)"
		case s.Parent != nil && s.Parent.Kind == "workload":
			return "a task of the workload"
		}
		return "a native task: a single-threaded process without a GIL"
	case "greenlet":
		if s.Parent != nil && s.Parent.Kind == "greenlets" {
			return "a raw greenlet, moved by `switch`"
		}
		return "a gevent greenlet"
	}
	return kindNouns[s.Kind]
}

// entityHelp describes the symbols a name stands for.
func (o *Outline) entityHelp(syms []*Symbol) (Help, bool) {
	if len(syms) == 0 {
		return Help{}, false
	}
	var docs []string
	for _, s := range syms {
		d := fmt.Sprintf("%s %q is %s, declared on line %d", s.Kind, s.Name, describe(s), s.Line)
		if p := s.Parent; p != nil && p.Kind != "scenario" {
			if p.Kind == "process" {
				d += fmt.Sprintf(", in process %q", p.Name)
			} else if pp := p.Parent; pp != nil && pp.Kind == "process" {
				d += fmt.Sprintf(", in the %s block of process %q", p.Kind, pp.Name)
			} else if p.Kind == "workload" {
				d += fmt.Sprintf(", in workload %q", p.Name)
			}
		}
		d += "."
		if r := replicaText(s); r != "" {
			d += " " + r
		}
		if s.Kind == "process" {
			var held []string
			for _, c := range s.Children {
				switch {
				case c.Kind == "thread":
					held = append(held, fmt.Sprintf("thread %q", c.Name)+xSuffix(c))
				case runtimeKinds[c.Kind]:
					held = append(held, fmt.Sprintf("%s (%d members)", strings.TrimSpace(c.Kind+" "+c.Detail), len(c.Children)))
				}
			}
			if len(held) > 0 {
				d += " It holds " + strings.Join(held, ", ") + "."
			}
		}
		docs = append(docs, d)
	}
	s := syms[0]
	syntax := s.Kind
	if !runtimeKinds[s.Kind] {
		syntax += " " + strconv.Quote(s.Name)
	}
	if s.Detail != "" {
		syntax += " " + s.Detail
	}
	return Help{Syntax: syntax, Doc: strings.Join(docs, "\n\n")}, true
}

func xSuffix(s *Symbol) string {
	if s.Replicas == "" {
		return ""
	}
	return " x " + s.Replicas
}

// replicaText names a symbol's replicas: "2 replicas: app#1, app#2".
func replicaText(s *Symbol) string {
	if s.Replicas == "" {
		return ""
	}
	n, err := strconv.ParseInt(s.Replicas, 10, 64)
	if err != nil || n < 1 {
		return fmt.Sprintf("Replicas: x %s, named %s#1, %s#2 ...", s.Replicas, s.Name, s.Name)
	}
	if n == 1 {
		return fmt.Sprintf("1 replica: %s#1.", s.Name)
	}
	if n <= 4 {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("%s#%d", s.Name, i+1)
		}
		return fmt.Sprintf("%d replicas: %s.", n, strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s replicas: %s#1 ... %s#%d.", groupDigits(n), s.Name, s.Name, n)
}

// CandidateKind says what a completion candidate is.
type CandidateKind uint8

// The kinds of Candidate.
const (
	CandKeyword CandidateKind = iota + 1
	CandMetric
	CandEntity
	CandUnit
	CandMachineKey
	CandValue // a policy, a memory kind, a model, an operator
	CandParam
)

// Candidate is a word that may stand at a point of a file.
type Candidate struct {
	Label  string // as shown in the list
	Insert string // the text that replaces the word being typed
	Kind   CandidateKind
	Detail string // its syntax, or a line about it
}

// Complete returns the words that may stand at byte offset, and the byte
// range [from, to) of the word being typed that a chosen one replaces.
func (o *Outline) Complete(offset int) (cands []Candidate, from, to int) {
	from, to = offset, offset
	var cur *Token
	if i := o.TokenAt(offset); i >= 0 {
		t := o.Tokens[i]
		if t.Kind == TokenComment && t.Offset < offset {
			return nil, from, to
		}
		if t.Offset < offset && t.Kind != TokenPunct && t.Kind != TokenOp && t.Kind != TokenComment {
			cur, from, to = &t, t.Offset, t.End()
		}
	}
	scopes := o.ScopesAt(from)
	scope := innermost(scopes)
	// The code tokens of the item before the word being typed.
	k := o.codeIndex(o.firstAtOrAfter(from))
	start := k
	if k > 0 {
		start = o.itemStart(k-1, scope)
	}
	var prev []Token
	for j := start; j < k; j++ {
		prev = append(prev, o.tok(j))
	}
	// A complete item on an earlier line: the word starts a new one.
	if n := len(prev); n > 0 && endsValue(prev[n-1]) && prev[n-1].Line < o.lineAt(from) {
		prev = nil
	}
	c := &completer{o: o, scopes: scopes, scope: scope, prev: prev, cur: cur}
	return c.complete(), from, to
}

// endsValue reports whether t can end an item.
func endsValue(t Token) bool {
	switch t.Kind {
	case TokenQuantity, TokenString, TokenParamRef:
		return true
	case TokenPunct:
		return t.Text == ")" || t.Text == "]"
	case TokenKeyword:
		return t.Text == "yield" || t.Text == "off" || t.Text == "legacy"
	case TokenIdent:
		return true // a policy, a gil_handoff
	}
	return false
}

// lineAt returns the line of byte offset.
func (o *Outline) lineAt(offset int) int {
	i := o.firstAtOrAfter(offset)
	if i < len(o.Tokens) && o.Tokens[i].Offset == offset {
		return o.Tokens[i].Line
	}
	if i == 0 {
		return 1
	}
	t := o.Tokens[i-1]
	offset = min(max(offset, t.End()), len(o.src))
	return t.Line + strings.Count(o.src[t.End():offset], "\n")
}

// firstAtOrAfter returns the index into Tokens of the first token that
// starts at or after offset.
func (o *Outline) firstAtOrAfter(offset int) int {
	lo, hi := 0, len(o.Tokens)
	for lo < hi {
		m := (lo + hi) / 2
		if o.Tokens[m].Offset < offset {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

type completer struct {
	o      *Outline
	scopes []Scope
	scope  string
	prev   []Token // the item's tokens before the word
	cur    *Token  // the word being typed, or nil
	out    []Candidate
}

func (c *completer) add(kind CandidateKind, label, detail string) {
	c.out = append(c.out, Candidate{Label: label, Insert: label, Kind: kind, Detail: detail})
}

func (c *completer) keywords(words ...string) {
	for _, w := range words {
		h, _ := KeywordHelp(w)
		c.add(CandKeyword, w, h.Syntax)
	}
}

func (c *completer) last(n int) string {
	if len(c.prev) < n {
		return ""
	}
	return c.prev[len(c.prev)-n].Text
}

func (c *completer) complete() []Candidate {
	if c.cur != nil {
		switch c.cur.Kind {
		case TokenQuantity:
			c.units()
			return c.out
		case TokenParamRef:
			c.params("$")
			return c.out
		case TokenBad:
			if c.cur.Text == "$" {
				c.params("$")
				return c.out
			}
			if !strings.HasPrefix(c.cur.Text, `"`) {
				return nil
			}
		}
	}
	quoted := c.cur != nil && (c.cur.Kind == TokenString || c.cur.Kind == TokenBad)
	head := ""
	if len(c.prev) > 0 {
		head = c.prev[0].Text
	}
	n := len(c.prev)
	switch {
	case head == "expect":
		c.expect(quoted)
	case quoted && head == "switch" && n == 1:
		c.greenlets()
	case quoted:
		// A name being written: nothing to offer.
	case head == "policy" && n == 1:
		for _, p := range policies {
			c.add(CandValue, p, policyHelp[p])
		}
	case head == "policy" && n == 2:
		c.keywords("quantum")
	case head == "gil" && n == 1:
		c.keywords("interval", "legacy", "off")
	case head == "gil" && n == 2 && c.last(1) == "legacy":
		c.keywords("check")
	case (head == "gevent" || head == "eventlet") && n == 1:
		c.keywords("patched", "unpatched")
	case (head == "await" || head == "blocking") && n == 1:
		c.keywords("io", "sleep")
	case head == "vary" && n == 1, head == "param" && n == 0:
		c.params("")
	case head == "vary" && n == 2:
		c.keywords("in")
	case c.scope == "machine" && head == "memory" && n == 1:
		for _, k := range memoryKindNames {
			h, _ := MemoryKindHelp(k)
			c.add(CandValue, k, "default "+h.Default)
		}
	case c.scope == "machine" && head == "gil_handoff" && n == 1:
		c.add(CandValue, "futex", "as Linux and glibc hand it (the default)")
		c.add(CandValue, "random", "a random waiter gets the GIL")
		c.add(CandValue, "fifo", "the first waiter gets the GIL")
	case n > 0 && (isDurationSlot(c.prev) || c.last(1) == "at"):
		c.keywords("uniform", "exp", "normal")
	case n >= 2 && namedKinds[head] && c.prev[1].Kind == TokenString:
		c.modifiers(head)
	default:
		c.itemStart()
	}
	return c.out
}

// isDurationSlot reports whether the item's tokens end where a step's
// duration goes: `cpu`, `await io`.
func isDurationSlot(prev []Token) bool {
	if len(prev) == 0 {
		return false
	}
	last := prev[len(prev)-1]
	switch last.Text {
	case "cpu", "native":
		return len(prev) == 1
	case "io", "sleep":
		return len(prev) == 1 || len(prev) == 2 && (prev[0].Text == "await" || prev[0].Text == "blocking")
	}
	return false
}

// itemStart offers what may begin an item in the innermost block.
func (c *completer) itemStart() {
	switch {
	case c.scope == "machine":
		for _, k := range machineKeys {
			h, _ := MachineKeyHelp(k)
			detail := h.Syntax
			if h.Default != "" {
				detail += " (default " + h.Default + ")"
			}
			c.add(CandMachineKey, k, detail)
		}
	case stepScope(c.scope):
		allowed := allowedSteps[stepContext(c.scopes)]
		for i, w := range stepNames {
			if allowed&(1<<i) != 0 {
				c.keywords(w)
			}
		}
		c.keywords("blocking") // io and sleep stand everywhere
	case c.scope == "scenario" && c.o.Workload:
		c.keywords("seed", "cores", "policy", "context_switch", "machine", "expect", "param", "vary")
	case c.scope == "scenario":
		c.keywords("task", "process", "expect", "seed", "cores", "policy", "context_switch", "machine", "workload", "param", "vary")
	case c.scope == "process":
		c.keywords("thread", "asyncio", "gevent", "eventlet", "greenlets", "coroutines", "gil", "startup")
	case c.scope == "":
		if c.o.Scenario() == nil {
			c.keywords("scenario")
		}
	default:
		for w := range itemWords[c.scope] {
			c.keywords(w)
		}
	}
}

// modifiers offers the modifiers an entity header does not have yet.
func (c *completer) modifiers(kind string) {
	takes := []string{"x", "at"}
	switch {
	case kind == "process":
		takes = append(takes, "nice", "start")
	case kind == "thread", kind == "task" && (c.scope == "scenario"):
		takes = append(takes, "priority", "nice")
	case kind == "workload", kind == "scenario":
		takes = nil
	}
	have := map[string]bool{}
	for _, t := range c.prev {
		have[t.Text] = true
	}
	for _, m := range takes {
		if !have[m] {
			c.keywords(m)
		}
	}
}

var ops = []string{"<", "<=", ">", ">=", "==", "~="}

// expect offers what the next word of an expectation may be.
func (c *completer) expect(quoted bool) {
	p := c.prev
	n := len(p)
	hasOp := -1
	for i, t := range p {
		if t.Kind == TokenOp {
			hasOp = i
		}
	}
	switch {
	case n == 1:
		for _, m := range MetricNames(c.o.Workload) {
			h, _ := MetricHelp(m, c.o.Workload)
			c.add(CandMetric, m, h.Doc)
		}
	case n == 3 && isPunct(p[2], "("):
		if c.o.Workload {
			for _, m := range simulator.Models() {
				insert := m
				if quoted || strings.ContainsAny(m, "-+") {
					insert = strconv.Quote(m)
				}
				c.out = append(c.out, Candidate{Label: m, Insert: insert, Kind: CandValue, Detail: modelHelp[m]})
			}
			return
		}
		c.entities()
	case hasOp < 0 && (n == 2 || n == 5 && isPunct(p[4], ")")):
		for _, op := range ops {
			c.add(CandValue, op, "")
		}
	case hasOp >= 0 && n == hasOp+1:
		if c.o.Workload {
			return
		}
	case hasOp >= 0 && n == hasOp+2:
		if p[hasOp].Text == "~=" {
			c.keywords("within")
		}
		if len(c.o.Params()) > 0 {
			c.keywords("when")
		}
	case n > 0 && (p[n-1].Text == "when" || p[n-1].Text == "and"):
		c.params("")
	case hasOp >= 0 && n >= hasOp+4 && p[hasOp+2].Text == "within":
		if len(c.o.Params()) > 0 {
			c.keywords("when")
		}
	}
}

// entities offers the names an expectation may take, quoted.
func (c *completer) entities() {
	seen := map[string]bool{}
	add := func(name, detail string) {
		if seen[name] {
			return
		}
		seen[name] = true
		c.out = append(c.out, Candidate{Label: name, Insert: strconv.Quote(name), Kind: CandEntity, Detail: detail})
	}
	for _, s := range c.o.Tops() {
		add(s.Name, describe(s))
	}
	for _, p := range c.o.Tops() {
		if p.Kind != "process" {
			continue
		}
		for _, in := range Inner(p) {
			add(in.Name, describe(in)+" of process "+strconv.Quote(p.Name))
			add(p.Name+"/"+in.Name, describe(in))
		}
	}
}

// greenlets offers the greenlets a `switch` may name.
func (c *completer) greenlets() {
	for i := len(c.scopes) - 1; i >= 0; i-- {
		b := c.scopes[i]
		if b.Kind == "greenlets" && b.Sym != nil {
			for _, g := range b.Sym.Children {
				c.out = append(c.out, Candidate{Label: g.Name, Insert: strconv.Quote(g.Name), Kind: CandEntity, Detail: "a greenlet of this block"})
			}
			return
		}
	}
}

// params offers the declared parameters, with prefix ("$" where a
// quantity goes).
func (c *completer) params(prefix string) {
	for _, p := range c.o.Params() {
		c.add(CandParam, prefix+p.Name, "param "+p.Name+" "+p.Detail)
	}
}

// units offers the number being typed with each unit that fits there.
func (c *completer) units() {
	neg, digits, unit, ok := splitQuantity(c.cur.Text)
	if !ok || strings.HasPrefix(unit, ".") {
		return
	}
	num := digits
	if neg {
		num = "-" + num
	}
	kinds := c.unitKinds()
	for _, u := range []string{"ns", "us", "µs", "ms", "s", "B", "KB", "MB", "GB", "KiB", "MiB", "GiB", "%"} {
		info := units[u]
		if !kinds[info.kind] || !strings.HasPrefix(u, unit) {
			continue
		}
		c.add(CandUnit, num+u, kindName(info.kind))
	}
}

// unitKinds are the kinds of quantity the slot being typed takes.
func (c *completer) unitKinds() map[unitKind]bool {
	dur := map[unitKind]bool{unitDuration: true}
	p := c.prev
	if len(p) == 0 {
		return dur
	}
	head := p[0].Text
	switch {
	case c.scope == "machine" && head == "memory":
		return map[unitKind]bool{unitSize: true}
	case head == "expect":
		metric := ""
		if len(p) > 1 {
			metric = p[1].Text
		}
		table := simulator.Metrics()
		if c.o.Workload {
			table = simulator.CompareMetrics()
		}
		kinds := map[unitKind]bool{}
		switch table[metric].Kind {
		case simulator.KindDuration:
			kinds[unitDuration] = true
		case simulator.KindSize:
			kinds[unitSize] = true
		default:
			if metric == "utilization" {
				kinds[unitPercent] = true
			}
		}
		if p[len(p)-1].Text == "within" {
			kinds[unitPercent] = true
		}
		return kinds
	case head == "param" || head == "vary":
		return map[unitKind]bool{unitDuration: true, unitSize: true, unitPercent: true}
	}
	return dur
}
