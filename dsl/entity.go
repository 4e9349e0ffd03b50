package dsl

import (
	"errors"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/gilsim/gilsim/dsl/internal/grammar"
)

// entityNode implements participle's Parseable: participle calls Parse where
// the grammar has an Entity (a top-level item, an item of a process, a
// member of a block, a task of a workload), with its PeekingLexer at the
// entity's first token. Parse reads the entity by recursive descent over
// those tokens, one token of lookahead, into the tree grammar.Entity
// would give: the grammar is LL(1) there (each alternative starts with
// a token of its own, and what follows an optional or repeated part
// never starts like it), so participle's backtracking never rescues an
// entity that this descent refuses.
//
// Parse returns participle.NextMatch, consuming nothing, when the next
// token starts no entity, so that participle tries the other
// alternatives. At any other token it does not expect it returns
// errEntity: the file does not parse, and parseSyntax has the grammar
// parse it again to find and word the error.
func (e *entityNode) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type != tokKeyword || !isEntityKw(keywordCode(t.Value)) {
		return participle.NextMatch
	}
	p := entityParsers.Get().(*entityParser)
	p.lex, p.failed, p.maxItems = lex, false, participle.MaxIterations
	p.entity(e)
	failed := p.failed
	p.lex = nil
	entityParsers.Put(p)
	if failed {
		return errEntity
	}
	return nil
}

var errEntity = errors.New("not an entity")

// entityParsers keep the blocks the nodes of entities are allocated from
// between entities (and files): a block is only ever handed out forward,
// so nodes of different trees may share one, never a node.
var entityParsers = sync.Pool{New: func() any { return new(entityParser) }}

type entityParser struct {
	lex      *lexer.PeekingLexer
	failed   bool
	maxItems int // participle's limit on the repetitions of one part
	arena    arena
}

// fail gives up on the entity.
func (p *entityParser) fail() { p.failed = true }

// peek is the next token; after a failure, EOF, so that every loop ends.
func (p *entityParser) peek() *lexer.Token {
	if p.failed {
		return &eofToken
	}
	return p.lex.Peek()
}

var eofToken = lexer.Token{Type: lexer.EOF}

// kw is the keyword code of the next token, 0 when it is no keyword.
func (p *entityParser) kw() kwCode {
	t := p.peek()
	if t.Type != tokKeyword {
		return 0
	}
	return keywordCode(t.Value)
}

// punct consumes the punctuation c, or fails.
func (p *entityParser) punct(c string) {
	if t := p.peek(); t.Type != tokPunct || t.Value != c {
		p.fail()
		return
	}
	p.lex.Next()
}

// count counts one more repetition of a part; participle refuses a
// millionth (too many iterations), and so Parse leaves that to it.
func (p *entityParser) count(n *int) {
	if *n++; *n >= p.maxItems {
		p.fail()
	}
}

func (p *entityParser) entity(e *entityNode) {
	t := p.lex.Next()
	setPos(&e.Pos, &t.Pos)
	e.Kind = t.Value
	e.Name = p.str()
	e.Mods = p.mods()
	e.Body = p.steps()
}

// mods parses Mod*.
func (p *entityParser) mods() []*grammar.Mod {
	a := &p.arena
	base, n := len(a.modStack), 0
	for k := p.kw(); isModKw(k) || k == kwStart; k = p.kw() {
		t := p.lex.Next()
		m := a.mods.alloc()
		setPos(&m.Pos, &t.Pos)
		if k == kwStart {
			// `start [METHOD]`, a process's, but the grammar has it
			// wherever a modifier stands
			m.Start = true
			if c := p.peek(); c.Type == tokIdent {
				p.lex.Next()
				m.Method = &grammar.Method{Pos: c.Pos, Name: c.Value}
			}
		} else {
			m.Key = t.Value
			m.Value = p.dur()
		}
		a.modStack = append(a.modStack, m)
		p.count(&n)
	}
	return takeList(&a.modStack, base, &a.modPtrs)
}

// steps parses `{ Step* }`.
func (p *entityParser) steps() []*grammar.Step {
	p.punct("{")
	a := &p.arena
	base, n := len(a.stepStack), 0
	for {
		s := p.step()
		if s == nil {
			break
		}
		a.stepStack = append(a.stepStack, s)
		p.count(&n)
	}
	list := takeList(&a.stepStack, base, &a.stepPtrs)
	p.punct("}")
	return list
}

// step parses one step, or returns nil when the next token starts none.
func (p *entityParser) step() *grammar.Step {
	a := &p.arena
	k := p.kw()
	switch k {
	case kwCPU, kwNative, kwIO, kwSleep, kwAwait, kwYield, kwOffload, kwRepeat, kwLock, kwSwitch, kwSend, kwRecv, kwSemaphore, kwBlocking:
	default:
		return nil
	}
	t := p.lex.Next()
	s := a.steps.alloc()
	setPos(&s.Pos, &t.Pos)
	switch k {
	case kwCPU, kwNative, kwIO, kwSleep:
		tm := a.timed.alloc()
		tm.Op = t.Value
		tm.Dur = p.dur()
		s.Timed = tm
	case kwAwait:
		if k := p.kw(); k != kwIO && k != kwSleep {
			p.fail()
			return s
		}
		aw := &grammar.Await{Op: p.lex.Next().Value}
		aw.Dur = p.dur()
		s.Await = aw
	case kwYield:
		s.Yield = true
	case kwOffload:
		s.Offload = &grammar.Offload{Body: p.steps()}
	case kwRepeat:
		r := a.repeats.alloc()
		r.Count = p.qty()
		r.Body = p.steps()
		s.Repeat = r
	case kwLock:
		l := &grammar.Lock{Name: p.str()}
		l.Body = p.steps()
		s.Lock = l
	case kwSwitch:
		s.Switch = &grammar.Switch{Target: p.str()}
	case kwSend, kwRecv:
		s.IPC = &grammar.IPC{Op: t.Value, Size: p.qty()}
	case kwSemaphore:
		sem := &grammar.Semaphore{Name: p.str()}
		sem.Size = p.qty()
		sem.Body = p.steps()
		s.Sem = sem
	case kwBlocking:
		in := p.step()
		if in == nil {
			p.fail()
			return s
		}
		s.Blocking = &grammar.Blocking{Step: in}
	}
	return s
}

// dur parses a quantity or a distribution.
func (p *entityParser) dur() *grammar.Dur {
	d := p.arena.durs.alloc()
	t := p.peek()
	setPos(&d.Pos, &t.Pos)
	switch {
	case t.Type == tokQuantity || t.Type == tokParamRef:
		d.Fixed = p.qty()
	case t.Type == tokIdent || t.Type == tokKeyword && (t.Value == "uniform" || t.Value == "exp" || t.Value == "normal"):
		p.lex.Next()
		dist := &grammar.Dist{Pos: t.Pos, Name: t.Value}
		p.punct("(")
		dist.Args = append(dist.Args, p.qty())
		for n := 0; ; p.count(&n) {
			if c := p.peek(); c.Type != tokPunct || c.Value != "," {
				break
			}
			p.lex.Next()
			dist.Args = append(dist.Args, p.qty())
		}
		p.punct(")")
		d.Dist = dist
	default:
		p.fail()
	}
	return d
}

func (p *entityParser) qty() *grammar.Qty {
	q := p.arena.qtys.alloc()
	t := p.peek()
	setPos(&q.Pos, &t.Pos)
	if t.Type != tokQuantity && t.Type != tokParamRef {
		p.fail()
		return q
	}
	q.Raw = t.Value
	p.lex.Next()
	return q
}

func (p *entityParser) str() *grammar.Str {
	s := p.arena.strs.alloc()
	t := p.peek()
	setPos(&s.Pos, &t.Pos)
	if t.Type != tokString {
		p.fail()
		return s
	}
	s.Raw = t.Value
	p.lex.Next()
	return s
}

// setPos sets *dst to *src field by field: a Position copied whole into
// the heap while the collector runs costs a bulk write barrier (some 400
// instructions), and the nodes take one each.
func setPos(dst, src *lexer.Position) {
	dst.Filename, dst.Offset, dst.Line, dst.Column = src.Filename, src.Offset, src.Line, src.Column
}

func isEntityKw(k kwCode) bool {
	return k == kwTask || k == kwThread || k == kwGreenlet || k == kwGreenthread || k == kwGen
}

func isModKw(k kwCode) bool { return k == kwX || k == kwAt || k == kwPriority || k == kwNice }

// arena allocates the nodes that a large file has many of in blocks,
// and gathers the items of a list on a stack until the list is complete
// and gets a slice of its own length.
type arena struct {
	steps   slab[grammar.Step]
	timed   slab[grammar.Timed]
	durs    slab[grammar.Dur]
	qtys    slab[grammar.Qty]
	strs    slab[grammar.Str]
	mods    slab[grammar.Mod]
	repeats slab[grammar.Repeat]

	stepPtrs slab[*grammar.Step]
	modPtrs  slab[*grammar.Mod]

	stepStack []*grammar.Step
	modStack  []*grammar.Mod
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
