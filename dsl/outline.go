package dsl

import (
	"strconv"
	"strings"
)

// An Outline is the structure of a file read from its tokens alone: the
// entities, blocks and parameters it declares, and where each begins and
// ends. It never fails: a half-typed or broken file gives what can be
// made out of it, which is what an editor needs while the file is being
// written (Parse, by contrast, stops at the first syntax error).
type Outline struct {
	Tokens   []Token   // every token, comments included
	Symbols  []*Symbol // the top level: normally one scenario
	Workload bool      // the scenario holds a workload (its expectations compare models)

	src    string
	code   []int         // indices into Tokens of the tokens that are not comments
	blocks map[int]Scope // the block each { opens, by index into Tokens
}

// Symbol is something a file declares: the scenario, a process, a task,
// thread or other member, a runtime block, a workload, the machine block
// or a parameter.
type Symbol struct {
	Kind      string // scenario, process, task, thread, greenlet, greenthread, gen, workload, asyncio, gevent, eventlet, greenlets, coroutines, machine or param
	Name      string // unquoted; a runtime block's kind; "" for the machine block
	Detail    string // what follows the name as written: "x 4 at 10ms", "patched", "= 4"
	Replicas  string // the value of `x` as written ("4", "$workers"), "" without one
	Start     int    // byte offset of its first token
	End       int    // byte offset past its closing }, or past its last token without one
	NameStart int    // byte offsets of its name (of its keyword for a block)
	NameEnd   int
	Line      int // line of its first token
	Parent    *Symbol
	Children  []*Symbol
}

// Scope is an open { } as seen from inside: what opened it, and the
// symbol it belongs to (nil for repeat, lock, offload and unknown blocks).
type Scope struct {
	Kind string // scenario, process, task, thread, greenlet, greenthread, gen, workload, asyncio, gevent, eventlet, greenlets, coroutines, machine, repeat, lock, offload or ""
	Sym  *Symbol
}

// headerWords start the header of a { } block.
var headerWords = map[string]bool{
	"scenario": true, "process": true, "task": true, "thread": true, "greenlet": true,
	"greenthread": true, "gen": true, "workload": true, "asyncio": true, "gevent": true,
	"eventlet": true, "greenlets": true, "coroutines": true, "machine": true,
	"repeat": true, "lock": true, "offload": true, "semaphore": true,
}

var namedKinds = map[string]bool{
	"scenario": true, "process": true, "task": true, "thread": true, "greenlet": true,
	"greenthread": true, "gen": true, "workload": true,
}

var runtimeKinds = map[string]bool{"asyncio": true, "gevent": true, "eventlet": true, "greenlets": true, "coroutines": true}

// NewOutline reads the outline of src (see Outline). Files larger than
// MaxFileSize have none.
func NewOutline(src []byte) *Outline {
	o := &Outline{Tokens: Tokens(src), src: string(src), blocks: map[int]Scope{}}
	for i, t := range o.Tokens {
		if t.Kind != TokenComment {
			o.code = append(o.code, i)
		}
	}
	o.build()
	return o
}

// tok returns the k-th code token, or a zero Token past the end.
func (o *Outline) tok(k int) Token {
	if k < 0 || k >= len(o.code) {
		return Token{}
	}
	return o.Tokens[o.code[k]]
}

func isPunct(t Token, p string) bool { return t.Kind == TokenPunct && t.Text == p }

func isWordTok(t Token) bool { return t.Kind == TokenKeyword || t.Kind == TokenIdent }

func (o *Outline) build() {
	var stack []Scope
	pending := map[int]*Symbol{} // header keyword (code index) -> its symbol
	parent := func() *Symbol {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].Sym != nil {
				return stack[i].Sym
			}
		}
		return nil
	}
	add := func(s *Symbol) {
		s.Parent = parent()
		if s.Parent == nil {
			o.Symbols = append(o.Symbols, s)
		} else {
			s.Parent.Children = append(s.Parent.Children, s)
		}
	}
	for k := range o.code {
		t := o.tok(k)
		switch {
		case isPunct(t, "{"):
			b := Scope{}
			if h := o.headerOf(k); h >= 0 {
				b.Kind = o.tok(h).Text
				b.Sym = pending[h]
			}
			o.blocks[o.code[k]] = b
			stack = append(stack, b)
		case isPunct(t, "}"):
			if n := len(stack); n > 0 {
				if s := stack[n-1].Sym; s != nil {
					s.End = t.End()
				}
				stack = stack[:n-1]
			}
		case t.Kind != TokenKeyword:
		case namedKinds[t.Text] && o.tok(k+1).Kind == TokenString:
			name := o.tok(k + 1)
			s := &Symbol{Kind: t.Text, Name: unquoteLoose(name.Text), Start: t.Offset, Line: t.Line, NameStart: name.Offset, NameEnd: name.End(), End: name.End()}
			var detail []string
			j := k + 2
			for ; j < len(o.code); j++ {
				m := o.tok(j)
				if !headerPart(m) {
					break
				}
				if m.Kind == TokenKeyword && m.Text == "x" && j+1 < len(o.code) {
					s.Replicas = o.tok(j + 1).Text
				}
				detail = append(detail, m.Text)
				s.End = m.End()
			}
			s.Detail = joinTokens(detail)
			if t.Text == "workload" && len(stack) <= 1 {
				o.Workload = true
			}
			pending[k] = s
			add(s)
		case (runtimeKinds[t.Text] || t.Text == "machine") && o.opensAfter(k):
			s := &Symbol{Kind: t.Text, Name: t.Text, Start: t.Offset, Line: t.Line, NameStart: t.Offset, NameEnd: t.End(), End: t.End()}
			if t.Text == "machine" {
				s.Name = ""
			}
			if p := o.tok(k + 1); p.Text == "patched" || p.Text == "unpatched" {
				s.Detail = p.Text
			}
			pending[k] = s
			add(s)
		case t.Text == "param" && isWordTok(o.tok(k+1)):
			name := o.tok(k + 1)
			s := &Symbol{Kind: "param", Name: name.Text, Start: t.Offset, Line: t.Line, NameStart: name.Offset, NameEnd: name.End(), End: name.End()}
			if isPunct(o.tok(k+2), "=") && o.tok(k+3).Line == name.Line && o.tok(k+3).Kind != 0 {
				s.Detail = "= " + o.tok(k+3).Text
				s.End = o.tok(k + 3).End()
			}
			add(s)
		}
	}
}

var modWords = map[string]bool{"x": true, "at": true, "priority": true, "nice": true, "start": true}

// headerPart reports whether t may stand among the modifiers of an
// entity's header: `x 4 at uniform(1ms, 2ms) nice -5`.
func headerPart(t Token) bool {
	switch t.Kind {
	case TokenQuantity, TokenParamRef:
		return true
	case TokenKeyword:
		return modWords[t.Text] || distWords[t.Text]
	case TokenIdent:
		return true // a misspelt distribution
	case TokenPunct:
		return t.Text == "(" || t.Text == ")" || t.Text == ","
	}
	return false
}

var distWords = map[string]bool{"uniform": true, "exp": true, "normal": true}

// opensAfter reports whether the keyword at code index k is followed by
// its block's { (after patched or unpatched).
func (o *Outline) opensAfter(k int) bool {
	n := o.tok(k + 1)
	if n.Text == "patched" || n.Text == "unpatched" {
		n = o.tok(k + 2)
	}
	return isPunct(n, "{")
}

// headerOf returns the code index of the keyword that heads the block
// opened at code index k, or -1: the nearest header word before it on
// the way back to the previous brace.
func (o *Outline) headerOf(k int) int {
	for j := k - 1; j >= 0 && j >= k-64; j-- {
		t := o.tok(j)
		if isPunct(t, "{") || isPunct(t, "}") {
			return -1
		}
		if t.Kind == TokenKeyword && headerWords[t.Text] {
			if prev := o.tok(j - 1); prev.Kind == TokenKeyword && prev.Text == "memory" {
				continue // `memory thread 16KB` in a machine block
			}
			return j
		}
	}
	return -1
}

// joinTokens writes tokens as the formatter would on one line.
func joinTokens(texts []string) string {
	var b strings.Builder
	for i, s := range texts {
		if i > 0 && s != ")" && s != "]" && s != "," && texts[i-1] != "(" && texts[i-1] != "[" && !(s == "(" && isWordText(texts[i-1])) {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

func isWordText(s string) bool { return s != "" && (isLetter(s[0]) || s[0] == '_') }

// unquoteLoose unquotes a string token that lexed but may hold an escape
// the checker would refuse.
func unquoteLoose(raw string) string {
	if len(raw) < 2 {
		return ""
	}
	return unquote(raw)
}

// TokenAt returns the index into Tokens of the token that holds offset,
// or that ends exactly at it (the word being typed), or -1.
func (o *Outline) TokenAt(offset int) int {
	lo, hi := 0, len(o.Tokens)
	for lo < hi {
		m := (lo + hi) / 2
		if o.Tokens[m].End() < offset {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(o.Tokens) && o.Tokens[lo].Offset <= offset {
		// Between two tokens that touch (`finish(`), prefer the one that
		// starts here unless it is punctuation.
		if lo+1 < len(o.Tokens) && o.Tokens[lo].End() == offset && o.Tokens[lo+1].Offset == offset && o.Tokens[lo+1].Kind != TokenPunct {
			return lo + 1
		}
		return lo
	}
	return -1
}

// ScopesAt returns the blocks open at offset, outermost first.
func (o *Outline) ScopesAt(offset int) []Scope {
	var stack []Scope
	for _, i := range o.code {
		t := o.Tokens[i]
		if t.Offset >= offset {
			break
		}
		switch {
		case isPunct(t, "{"):
			stack = append(stack, o.blocks[i])
		case isPunct(t, "}") && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	return stack
}

// Walk calls f on every symbol, parents before their children.
func (o *Outline) Walk(f func(*Symbol)) {
	var walk func([]*Symbol)
	walk = func(ss []*Symbol) {
		for _, s := range ss {
			f(s)
			walk(s.Children)
		}
	}
	walk(o.Symbols)
}

// Scenario returns the file's scenario symbol, or nil.
func (o *Outline) Scenario() *Symbol {
	for _, s := range o.Symbols {
		if s.Kind == "scenario" {
			return s
		}
	}
	return nil
}

// Tops returns the tasks, processes and workloads of the top level.
func (o *Outline) Tops() []*Symbol {
	sc := o.Scenario()
	if sc == nil {
		return nil
	}
	var out []*Symbol
	for _, s := range sc.Children {
		if s.Kind == "task" || s.Kind == "process" || s.Kind == "workload" {
			out = append(out, s)
		}
	}
	return out
}

// Inner returns the members of a process that an expectation may name: its
// threads, its runtime blocks (their threads) and their members.
func Inner(p *Symbol) []*Symbol {
	var out []*Symbol
	for _, c := range p.Children {
		switch {
		case c.Kind == "thread":
			out = append(out, c)
		case runtimeKinds[c.Kind]:
			out = append(out, c)
			out = append(out, c.Children...)
		}
	}
	return out
}

// Resolve returns the declarations an entity name of an expectation
// names: a top-level task, process or workload, a thread or member of any
// process, or "process/name"; each part with or without #k.
func (o *Outline) Resolve(name string) []*Symbol {
	base := func(s string) string {
		if i := strings.LastIndexByte(s, '#'); i >= 0 {
			if _, err := strconv.Atoi(s[i+1:]); err == nil {
				return s[:i]
			}
		}
		return s
	}
	if proc, inner, ok := strings.Cut(name, "/"); ok {
		var out []*Symbol
		for _, p := range o.Tops() {
			if p.Kind == "process" && p.Name == base(proc) {
				for _, in := range Inner(p) {
					if in.Name == base(inner) {
						out = append(out, in)
					}
				}
			}
		}
		return out
	}
	var out []*Symbol
	for _, s := range o.Tops() {
		if s.Name == base(name) {
			out = append(out, s)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, p := range o.Tops() {
		if p.Kind != "process" {
			continue
		}
		for _, in := range Inner(p) {
			if in.Name == base(name) {
				out = append(out, in)
			}
		}
	}
	return out
}

// ResolveSwitch returns the greenlet a `switch` at offset names: one of
// the greenlets block it stands in.
func (o *Outline) ResolveSwitch(offset int, name string) []*Symbol {
	for _, b := range o.ScopesAt(offset) {
		if b.Kind != "greenlets" || b.Sym == nil {
			continue
		}
		target := name
		if i := strings.LastIndexByte(target, '#'); i >= 0 {
			target = target[:i]
		}
		var out []*Symbol
		for _, g := range b.Sym.Children {
			if g.Name == target {
				out = append(out, g)
			}
		}
		return out
	}
	return nil
}

// Param returns the `param` line that declares name, or nil.
func (o *Outline) Param(name string) *Symbol {
	if sc := o.Scenario(); sc != nil {
		for _, s := range sc.Children {
			if s.Kind == "param" && s.Name == name {
				return s
			}
		}
	}
	return nil
}

// Params returns the parameters the file declares, in file order.
func (o *Outline) Params() []*Symbol {
	var out []*Symbol
	if sc := o.Scenario(); sc != nil {
		for _, s := range sc.Children {
			if s.Kind == "param" {
				out = append(out, s)
			}
		}
	}
	return out
}
