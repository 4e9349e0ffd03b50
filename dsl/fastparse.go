package dsl

import (
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The fast path of parsing. participle's parser, built from the struct
// tags of grammar.go, is the definition of the syntax and the author of
// every syntax error; it is also slow (about 1.3 MB/s: a reflective
// capture, a branch and a deferred assignment per token, and a
// PeekingLexer copy of every token). fastParse reads a file that is
// free of errors into the very same tree, by recursive descent straight
// from the text, and gives up at the first thing it does not expect; the
// file is then lexed and parsed the slow way, which finds the errors and
// words them as always (parseSyntax). So the fast path only has to agree
// with participle on which files parse and on the trees of those that do;
// TestFastParseMatchesParticiple and FuzzFastParse check both.
//
// The grammar is LL(1): every alternative starts with its own token, so
// one token of lookahead decides, and participle's backtracking on a
// partly matched optional part never rescues a file (what follows an
// optional or repeated part never starts like it).

// fastParse parses text (valid UTF-8, without a byte-order mark) into
// its tree. ok is false when the file has any lexical or syntax error,
// or anything else the slow path must judge. refs reports whether the
// file holds a `$name`.
func fastParse(filename, text string) (f *File, refs bool, ok bool) {
	p := &fastParser{src: text, file: filename, line: 1, col: 1, maxItems: participle.MaxIterations}
	p.next()
	f = p.parseFile()
	if p.failed {
		return nil, false, false
	}
	return f, p.refs, true
}

type fastParser struct {
	src, file string
	i         int // offset of the next byte to scan
	line, col int // position of src[i]

	// the current token: not consumed yet
	typ        lexer.TokenType
	kw         kwCode // its keyword, for a keyword
	start, end int
	tline      int
	tcol       int

	bareNum  bool // the previous token is a number without a unit...
	bareLine int  // ...on this line
	depth    int  // { } open
	refs     bool // a `$name` was seen
	failed   bool
	maxItems int // participle's limit on the repetitions of one part

	// rec collects the tokens consumed while it is set (an Expect's).
	rec *[]lexer.Token

	arena fastArena
}

// fail gives up: the slow path will parse the file. The current token
// becomes EOF so that every loop ends.
func (p *fastParser) fail() {
	p.failed = true
	p.typ = lexer.EOF
	p.kw = 0
	p.rec = nil
}

// pos is the position of the current token.
func (p *fastParser) pos() lexer.Position {
	return lexer.Position{Filename: p.file, Offset: p.start, Line: p.tline, Column: p.tcol}
}

// text is the current token's text.
func (p *fastParser) text() string { return p.src[p.start:p.end] }

// value is the current token's text as the tree holds it: a keyword is
// the keyword's own constant, which points outside the heap (the
// collector skips it at once) and does not keep the source alive.
func (p *fastParser) value() string {
	if p.kw != 0 {
		return keywords[p.kw-1]
	}
	return p.text()
}

// advance consumes the current token.
func (p *fastParser) advance() {
	if p.rec != nil {
		*p.rec = append(*p.rec, lexer.Token{Type: p.typ, Value: p.text(), Pos: p.pos()})
	}
	p.next()
}

// next scans the token at src[i], skipping spaces and comments. A token
// that lex would report (a bad character, a bad string or number, a
// number and its unit apart, blocks nested too deep) fails the parse.
func (p *fastParser) next() {
	if p.failed {
		return
	}
	src := p.src
	i, line, col := p.i, p.line, p.col
skip:
	for i < len(src) {
		switch src[i] {
		case ' ', '\t':
			i++
			col++
		case '\n':
			i++
			line++
			col = 1
		case '\r':
			i++
			if i < len(src) && src[i] == '\n' {
				i++
			}
			line++
			col = 1
		case '#':
			j := i + 1
			for j < len(src) && src[j] != '\n' && src[j] != '\r' {
				j++
			}
			col += utf8.RuneCountInString(src[i:j])
			i = j
		default:
			break skip
		}
	}
	p.start, p.tline, p.tcol = i, line, col
	p.kw = 0
	if i >= len(src) {
		p.typ, p.end = lexer.EOF, i
		p.i, p.line, p.col = i, line, col
		return
	}
	c := src[i]
	end := i + 1
	runes := -1 // the token's length in runes, when it is not all ASCII
	bare := false
	switch {
	case c == '"':
		var good bool
		end, runes, good = scanCleanString(src, i)
		if !good {
			p.fail()
			return
		}
		p.typ = tokString
	case isDigit(c) || c == '-' && i+1 < len(src) && isDigit(src[i+1]):
		ascii := true
		for end < len(src) {
			b := src[end]
			if b < utf8.RuneSelf {
				if !isWord(b) && b != '.' && b != '%' {
					break
				}
				end++
				continue
			}
			r, n := utf8.DecodeRuneInString(src[end:])
			if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
				break
			}
			ascii = false
			end += n
		}
		if !ascii {
			runes = utf8.RuneCountInString(src[i:end])
		}
		var good bool
		if bare, good = quantityClean(src[i:end]); !good {
			p.fail()
			return
		}
		p.typ = tokQuantity
	case isLetter(c) || c == '_':
		for end < len(src) && isWord(src[end]) {
			end++
		}
		word := src[i:end]
		p.typ = tokIdent
		if p.kw = keywordCode(word); p.kw != 0 {
			p.typ = tokKeyword
		}
		if p.bareNum && p.bareLine == line && isUnit(word) {
			p.fail() // "no space is allowed between a number and its unit"
			return
		}
	case c == '$' && i+1 < len(src) && (isLetter(src[i+1]) || src[i+1] == '_'):
		end = i + 2
		for end < len(src) && isWord(src[end]) {
			end++
		}
		p.typ = tokParamRef
		p.refs = true
	case c == '<' || c == '>' || c == '=' || c == '~':
		switch {
		case end < len(src) && src[end] == '=':
			end++
			p.typ = tokOp
		case c == '<' || c == '>':
			p.typ = tokOp
		case c == '=':
			p.typ = tokPunct
		default:
			p.fail()
			return
		}
	case c == '{':
		if p.depth++; p.depth > maxDepth {
			p.fail()
			return
		}
		p.typ = tokPunct
	case c == '}':
		p.depth--
		p.typ = tokPunct
	case c == '(' || c == ')' || c == ',' || c == '[' || c == ']':
		p.typ = tokPunct
	default:
		p.fail()
		return
	}
	p.end = end
	p.bareNum, p.bareLine = bare, line
	if runes < 0 {
		runes = end - i
	}
	p.i, p.line, p.col = end, line, col+runes
}

// scanCleanString scans the string that starts at src[i] and reports
// whether lex would take it without an error: closed on its line, no
// control character, no escape but \" and \\. runes is its length in
// runes.
func scanCleanString(src string, i int) (end, runes int, ok bool) {
	j := i + 1
	runes = 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == '"':
			return j + 1, runes + 1, true
		case c == '\\':
			if j+1 >= len(src) || src[j+1] != '"' && src[j+1] != '\\' {
				return j, runes, false
			}
			j += 2
			runes += 2
		case c < 0x20 || c == 0x7f: // and so a line ending
			return j, runes, false
		case c < utf8.RuneSelf:
			j++
			runes++
		default:
			r, n := utf8.DecodeRuneInString(src[j:])
			if isControl(r) {
				return j, runes, false
			}
			j += n
			runes++
		}
	}
	return j, runes, false
}

// quantityClean reports whether checkQuantityShape takes the number s
// without an error, and whether it has no unit.
func quantityClean(s string) (bare, ok bool) {
	_, _, unit, good := splitQuantity(s)
	if !good {
		return false, false
	}
	if unit == "" {
		return true, true
	}
	return false, isUnit(unit)
}

// ---- tokens ----

func (p *fastParser) isKw(k kwCode) bool { return p.kw == k }

// isPunct reports whether the current token is the punctuation c.
func (p *fastParser) isPunct(c byte) bool {
	return p.typ == tokPunct && p.src[p.start] == c
}

// punct consumes the punctuation c, or fails.
func (p *fastParser) punct(c byte) {
	if !p.isPunct(c) {
		p.fail()
		return
	}
	p.advance()
}

// keyword consumes the keyword k, or fails.
func (p *fastParser) keyword(k kwCode) {
	if p.kw != k {
		p.fail()
		return
	}
	p.advance()
}

// take consumes the current token if it has type typ and returns its
// text; else it fails.
func (p *fastParser) take(typ lexer.TokenType) string {
	if p.typ != typ {
		p.fail()
		return ""
	}
	s := p.text()
	p.advance()
	return s
}

// count counts one more repetition of a part; participle refuses a
// millionth (too many iterations), and so the fast path leaves it to it.
func (p *fastParser) count(n *int) {
	if *n++; *n >= p.maxItems {
		p.fail()
	}
}

// ---- productions, in the order of grammar.go ----

func (p *fastParser) parseFile() *File {
	sc := &Scenario{Pos: p.pos()}
	p.keyword(kwScenario)
	sc.Title = p.str()
	p.punct('{')
	a := &p.arena
	base, n := len(a.topStack), 0
	for !p.failed {
		it := p.topItem()
		if it == nil {
			break
		}
		a.topStack = append(a.topStack, it)
		p.count(&n)
	}
	sc.Items = takeList(&a.topStack, base, &a.topPtrs)
	p.punct('}')
	if p.typ != lexer.EOF {
		p.fail()
	}
	return &File{Scenario: sc}
}

// topItem parses one item of the scenario, or returns nil when the
// current token starts none.
func (p *fastParser) topItem() *TopItem {
	if p.typ != tokKeyword {
		return nil
	}
	switch p.kw {
	case kwTask, kwThread, kwGreenlet, kwGreenthread, kwGen:
		it := p.arena.topItems.alloc()
		it.Entity = p.entity()
		return it
	case kwProcess:
		return &TopItem{Process: p.process()}
	case kwExpect:
		return &TopItem{Expect: p.expect()}
	case kwSeed, kwCores, kwContextSwitch, kwQuantum:
		s := &Setting{Pos: p.pos(), Key: p.value()}
		p.advance()
		s.Value = p.qty()
		return &TopItem{Setting: s}
	case kwPolicy:
		return &TopItem{Policy: p.policy()}
	case kwMachine:
		return &TopItem{Machine: p.machine()}
	case kwWorkload:
		return &TopItem{Workload: p.workload()}
	case kwParam:
		pl := &ParamLine{Pos: p.pos()}
		p.advance()
		pl.Name = p.word()
		p.punct('=')
		pl.Value = p.qty()
		return &TopItem{Param: pl}
	case kwVary:
		return &TopItem{Vary: p.vary()}
	}
	return nil
}

func (p *fastParser) vary() *VaryLine {
	v := &VaryLine{Pos: p.pos()}
	p.advance()
	v.Name = p.word()
	p.keyword(kwIn)
	p.punct('[')
	if p.typ == tokQuantity || p.typ == tokParamRef {
		v.Values = append(v.Values, p.qty())
		for n := 0; p.isPunct(',') && !p.failed; p.count(&n) {
			p.advance()
			v.Values = append(v.Values, p.qty())
		}
	}
	p.punct(']')
	return v
}

func (p *fastParser) policy() *Policy {
	pol := &Policy{Pos: p.pos()}
	p.advance()
	pol.Name = p.word()
	if p.isKw(kwQuantum) {
		q := &Quantum{Pos: p.pos()}
		p.advance()
		q.Value = p.qty()
		pol.Quantum = q
	}
	return pol
}

func (p *fastParser) machine() *Machine {
	m := &Machine{Pos: p.pos()}
	p.advance()
	p.punct('{')
	for n := 0; (p.typ == tokIdent || p.typ == tokKeyword) && !p.failed; p.count(&n) {
		e := &MachineEntry{Pos: p.pos(), Key: p.value()}
		p.advance()
		switch p.typ {
		case tokIdent, tokKeyword:
			e.Word = p.word()
			if p.typ == tokQuantity || p.typ == tokParamRef {
				e.Value = p.qty()
			}
		default:
			e.Value = p.qty()
		}
		m.Entries = append(m.Entries, e)
	}
	p.punct('}')
	return m
}

func (p *fastParser) process() *Process {
	pr := &Process{Pos: p.pos()}
	p.advance()
	pr.Name = p.str()
	pr.Mods = p.mods()
	p.punct('{')
	for n := 0; p.typ == tokKeyword && !p.failed; p.count(&n) {
		var it *ProcItem
		switch p.kw {
		case kwTask, kwThread, kwGreenlet, kwGreenthread, kwGen:
			it = p.arena.procItems.alloc()
			it.Entity = p.entity()
		case kwAsyncio, kwGevent, kwEventlet, kwGreenlets, kwCoroutines:
			it = &ProcItem{Block: p.block()}
		case kwGil:
			it = &ProcItem{GIL: p.gil()}
		case kwStartup:
			s := &Startup{Pos: p.pos()}
			p.advance()
			s.Value = p.qty()
			it = &ProcItem{Startup: s}
		}
		if it == nil {
			break
		}
		pr.Items = append(pr.Items, it)
	}
	p.punct('}')
	return pr
}

func (p *fastParser) gil() *GIL {
	g := &GIL{Pos: p.pos()}
	p.advance()
	switch p.kw {
	case kwInterval:
		p.advance()
		g.Interval = p.qty()
	case kwLegacy:
		p.advance()
		g.Legacy = true
		if p.isKw(kwCheck) {
			p.advance()
			g.Check = p.qty()
		}
	case kwOff:
		p.advance()
		g.Off = true
	default:
		p.fail()
	}
	return g
}

func (p *fastParser) block() *Block {
	b := &Block{Pos: p.pos(), Kind: p.value()}
	p.advance()
	if p.typ == tokIdent || p.typ == tokKeyword {
		b.Patch = p.word()
	}
	b.Members = p.entities()
	return b
}

// entities parses `{ Entity* }`.
func (p *fastParser) entities() []*Entity {
	p.punct('{')
	a := &p.arena
	base, n := len(a.entityStack), 0
	for isEntityKw(p.kw) && !p.failed {
		a.entityStack = append(a.entityStack, p.entity())
		p.count(&n)
	}
	list := takeList(&a.entityStack, base, &a.entityPtrs)
	p.punct('}')
	return list
}

func (p *fastParser) entity() *Entity {
	e := p.arena.entities.alloc()
	e.Pos, e.Kind = p.pos(), p.value()
	p.advance()
	e.Name = p.str()
	e.Mods = p.mods()
	e.Body = p.steps()
	return e
}

func (p *fastParser) workload() *Workload {
	w := &Workload{Pos: p.pos()}
	p.advance()
	w.Name = p.str()
	w.Mods = p.mods()
	w.Body = p.entities()
	return w
}

// mods parses Mod*.
func (p *fastParser) mods() []*Mod {
	a := &p.arena
	base, n := len(a.modStack), 0
	for isModKw(p.kw) && !p.failed {
		m := a.mods.alloc()
		m.Pos, m.Key = p.pos(), p.value()
		p.advance()
		m.Value = p.dur()
		a.modStack = append(a.modStack, m)
		p.count(&n)
	}
	return takeList(&a.modStack, base, &a.modPtrs)
}

// steps parses `{ Step* }`.
func (p *fastParser) steps() []*Step {
	p.punct('{')
	a := &p.arena
	base, n := len(a.stepStack), 0
	for p.typ == tokKeyword && !p.failed {
		s := p.step()
		if s == nil {
			break
		}
		a.stepStack = append(a.stepStack, s)
		p.count(&n)
	}
	list := takeList(&a.stepStack, base, &a.stepPtrs)
	p.punct('}')
	return list
}

// step parses one step, or returns nil when the current token starts
// none.
func (p *fastParser) step() *Step {
	a := &p.arena
	var s *Step
	switch p.kw {
	case kwCPU, kwNative, kwIO, kwSleep:
		s = a.steps.alloc()
		s.Pos = p.pos()
		t := a.timed.alloc()
		t.Op = p.value()
		p.advance()
		t.Dur = p.dur()
		s.Timed = t
	case kwAwait:
		s = a.steps.alloc()
		s.Pos = p.pos()
		p.advance()
		if p.kw != kwIO && p.kw != kwSleep {
			p.fail()
			return s
		}
		aw := &Await{Op: p.value()}
		p.advance()
		aw.Dur = p.dur()
		s.Await = aw
	case kwYield:
		s = a.steps.alloc()
		s.Pos = p.pos()
		p.advance()
		s.Yield = true
	case kwOffload:
		s = a.steps.alloc()
		s.Pos = p.pos()
		p.advance()
		s.Offload = &Offload{Body: p.steps()}
	case kwRepeat:
		s = a.steps.alloc()
		s.Pos = p.pos()
		p.advance()
		r := a.repeats.alloc()
		r.Count = p.qty()
		r.Body = p.steps()
		s.Repeat = r
	case kwLock:
		s = a.steps.alloc()
		s.Pos = p.pos()
		p.advance()
		l := &Lock{Name: p.str()}
		l.Body = p.steps()
		s.Lock = l
	case kwSwitch:
		s = a.steps.alloc()
		s.Pos = p.pos()
		p.advance()
		s.Switch = &Switch{Target: p.str()}
	}
	return s
}

func (p *fastParser) expect() *Expect {
	e := &Expect{Pos: p.pos()}
	p.rec = &e.Tokens
	p.advance()
	e.Metric = p.word()
	if p.isPunct('(') {
		p.advance()
		arg := &MetricArg{Pos: p.pos()}
		switch p.typ {
		case tokString:
			s := p.text()
			arg.Str = &s
		case tokIdent, tokKeyword:
			s := p.value()
			arg.Word = &s
		default:
			p.fail()
			return e
		}
		p.advance()
		e.Arg = arg
		p.punct(')')
	}
	e.Op = p.op()
	e.Value = p.qty()
	if p.isKw(kwWithin) {
		w := &Within{Pos: p.pos()}
		p.advance()
		w.Value = p.qty()
		e.Within = w
	}
	if p.isKw(kwWhen) {
		w := &When{Pos: p.pos()}
		p.advance()
		w.Conds = append(w.Conds, p.cond())
		for n := 0; p.isKw(kwAnd) && !p.failed; p.count(&n) {
			p.advance()
			w.Conds = append(w.Conds, p.cond())
		}
		e.When = w
	}
	p.rec = nil
	return e
}

func (p *fastParser) cond() *Cond {
	c := &Cond{Pos: p.pos()}
	switch p.typ {
	case tokIdent, tokKeyword, tokParamRef:
		c.Name = p.value()
		p.advance()
	default:
		p.fail()
		return c
	}
	c.Op = p.op()
	c.Value = p.qty()
	return c
}

func (p *fastParser) op() *OpTok {
	o := &OpTok{Pos: p.pos()}
	o.Text = p.take(tokOp)
	return o
}

// dur parses a quantity or a distribution.
func (p *fastParser) dur() *Dur {
	d := p.arena.durs.alloc()
	d.Pos = p.pos()
	switch {
	case p.typ == tokQuantity || p.typ == tokParamRef:
		d.Fixed = p.qty()
	case p.typ == tokIdent || p.kw == kwUniform || p.kw == kwExp || p.kw == kwNormal:
		dist := &Dist{Pos: p.pos(), Name: p.value()}
		p.advance()
		p.punct('(')
		dist.Args = append(dist.Args, p.qty())
		for n := 0; p.isPunct(',') && !p.failed; p.count(&n) {
			p.advance()
			dist.Args = append(dist.Args, p.qty())
		}
		p.punct(')')
		d.Dist = dist
	default:
		p.fail()
	}
	return d
}

func (p *fastParser) qty() *Qty {
	q := p.arena.qtys.alloc()
	q.Pos = p.pos()
	if p.typ != tokQuantity && p.typ != tokParamRef {
		p.fail()
		return q
	}
	q.Raw = p.text()
	p.advance()
	return q
}

func (p *fastParser) str() *Str {
	s := p.arena.strs.alloc()
	s.Pos = p.pos()
	s.Raw = p.take(tokString)
	return s
}

func (p *fastParser) word() *Word {
	w := &Word{Pos: p.pos()}
	if p.typ != tokIdent && p.typ != tokKeyword {
		p.fail()
		return w
	}
	w.Text = p.value()
	p.advance()
	return w
}

func isEntityKw(k kwCode) bool {
	return k == kwTask || k == kwThread || k == kwGreenlet || k == kwGreenthread || k == kwGen
}

func isModKw(k kwCode) bool { return k == kwX || k == kwAt || k == kwPriority || k == kwNice }

// ---- keywords ----

// kwCode numbers the keywords from 1, in the order of keywords
// (TestKeywordCodes checks it); 0 is no keyword.
type kwCode uint8

const (
	kwScenario kwCode = iota + 1
	kwSeed
	kwCores
	kwPolicy
	kwQuantum
	kwContextSwitch
	kwTask
	kwProcess
	kwThread
	kwX
	kwAt
	kwPriority
	kwNice
	kwGil
	kwInterval
	kwLegacy
	kwCheck
	kwOff
	kwStartup
	kwAsyncio
	kwGevent
	kwEventlet
	kwGreenlets
	kwCoroutines
	kwPatched
	kwUnpatched
	kwGreenlet
	kwGreenthread
	kwGen
	kwCPU
	kwNative
	kwIO
	kwSleep
	kwAwait
	kwYield
	kwOffload
	kwRepeat
	kwLock
	kwSwitch
	kwUniform
	kwExp
	kwNormal
	kwExpect
	kwWithin
	kwMachine
	kwWorkload
	kwParam
	kwVary
	kwIn
	kwWhen
	kwAnd
)

// keywordCode is the code of the keyword w, or 0 when w is not one.
func keywordCode(w string) kwCode {
	switch w {
	case "scenario":
		return kwScenario
	case "seed":
		return kwSeed
	case "cores":
		return kwCores
	case "policy":
		return kwPolicy
	case "quantum":
		return kwQuantum
	case "context_switch":
		return kwContextSwitch
	case "task":
		return kwTask
	case "process":
		return kwProcess
	case "thread":
		return kwThread
	case "x":
		return kwX
	case "at":
		return kwAt
	case "priority":
		return kwPriority
	case "nice":
		return kwNice
	case "gil":
		return kwGil
	case "interval":
		return kwInterval
	case "legacy":
		return kwLegacy
	case "check":
		return kwCheck
	case "off":
		return kwOff
	case "startup":
		return kwStartup
	case "asyncio":
		return kwAsyncio
	case "gevent":
		return kwGevent
	case "eventlet":
		return kwEventlet
	case "greenlets":
		return kwGreenlets
	case "coroutines":
		return kwCoroutines
	case "patched":
		return kwPatched
	case "unpatched":
		return kwUnpatched
	case "greenlet":
		return kwGreenlet
	case "greenthread":
		return kwGreenthread
	case "gen":
		return kwGen
	case "cpu":
		return kwCPU
	case "native":
		return kwNative
	case "io":
		return kwIO
	case "sleep":
		return kwSleep
	case "await":
		return kwAwait
	case "yield":
		return kwYield
	case "offload":
		return kwOffload
	case "repeat":
		return kwRepeat
	case "lock":
		return kwLock
	case "switch":
		return kwSwitch
	case "uniform":
		return kwUniform
	case "exp":
		return kwExp
	case "normal":
		return kwNormal
	case "expect":
		return kwExpect
	case "within":
		return kwWithin
	case "machine":
		return kwMachine
	case "workload":
		return kwWorkload
	case "param":
		return kwParam
	case "vary":
		return kwVary
	case "in":
		return kwIn
	case "when":
		return kwWhen
	case "and":
		return kwAnd
	}
	return 0
}

// ---- allocation ----

// fastArena allocates the nodes that a large file has many of in blocks,
// and gathers the items of a list on a stack until the list is complete
// and gets a slice of its own length.
type fastArena struct {
	steps     slab[Step]
	timed     slab[Timed]
	durs      slab[Dur]
	qtys      slab[Qty]
	strs      slab[Str]
	mods      slab[Mod]
	entities  slab[Entity]
	repeats   slab[Repeat]
	topItems  slab[TopItem]
	procItems slab[ProcItem]

	stepPtrs   slab[*Step]
	modPtrs    slab[*Mod]
	entityPtrs slab[*Entity]
	topPtrs    slab[*TopItem]

	stepStack   []*Step
	modStack    []*Mod
	entityStack []*Entity
	topStack    []*TopItem
}

// slab hands out elements of blocks that double in size, up to
// slabMax elements; a block lives as long as any of its elements.
type slab[T any] struct{ block []T }

const slabMax = 1024

// alloc returns a new zero T.
func (s *slab[T]) alloc() *T {
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, min(max(2*cap(s.block), 8), slabMax))
	}
	s.block = s.block[:len(s.block)+1]
	return &s.block[len(s.block)-1]
}

// allocN returns n zero Ts as a slice of length and capacity n.
func (s *slab[T]) allocN(n int) []T {
	if n > slabMax/2 {
		return make([]T, n)
	}
	if cap(s.block)-len(s.block) < n {
		s.block = make([]T, 0, min(max(2*cap(s.block), 8, n), slabMax))
	}
	k := len(s.block)
	s.block = s.block[:k+n]
	return s.block[k : k+n : k+n]
}

// takeList pops the items pushed on stack since base into a slice of
// their own (nil for none, as participle leaves an empty list).
func takeList[T any](stack *[]*T, base int, ptrs *slab[*T]) []*T {
	n := len(*stack) - base
	if n == 0 {
		return nil
	}
	out := ptrs.allocN(n)
	copy(out, (*stack)[base:])
	*stack = (*stack)[:base]
	return out
}
