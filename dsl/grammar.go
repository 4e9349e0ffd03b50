package dsl

import (
	"fmt"
	"slices"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
)

// The tree of a scenario file. Package grammar holds the participle
// grammar whole (every node parsed by participle from its struct tags):
// it is the definition of the syntax, its EBNF is the one Grammar
// returns, and it words every syntax error. The parser builds the same
// tree with participle from the copies below of the grammar's outer
// nodes, whose struct tags are the grammar's: the differences are
// entityNode and the leaves (a quantity, a string, a word...), which
// implement participle's Parseable (entity.go, leaves.go). An entity is
// what a large file is made of, and participle, reflection-driven, reads
// a few hundred kilobytes a second; the Parseable reads the entity's
// tokens from participle's own PeekingLexer into the tree the grammar
// would build. A leaf is one token that participle would capture at the
// cost of a score of allocations. TestParseableMatchesGrammar and
// FuzzParseable hold the two parsers to the same files and the same
// trees, and TestParserRulesAreTheGrammars the copies to the grammar's
// rules.
//
// The inner nodes are the grammar's own types, used as grammar.Step,
// grammar.Expect and so on; the copies of those that hold leaves become
// them once parsed (finishItems), as the items of the scenario and of a
// process become topItem and procItem. None of the tree is part of the
// package's API: a tool reads a file through Tokens and NewOutline.

// fileNode is a whole .sim file: exactly one scenario.
type fileNode struct {
	Scenario *scenarioNode `parser:"@@"`
}

// scenarioNode is `scenario "title" { items }`. participle parses the
// items into ItemNodes; finish turns them into Items.
type scenarioNode struct {
	Pos       lexer.Position
	Title     *strNode      `parser:"'scenario' @@"`
	ItemNodes []topItemNode `parser:"'{' @@* '}'"`

	Items []*topItem
}

// finish gives the scenario the items the checker reads (finishItems).
func (s *scenarioNode) finish() {
	s.Items, s.ItemNodes = finishItems(s.ItemNodes), nil
}

// A large file is parsed in chunks (chunk.go), each cut right after an
// item of the scenario: the first chunk is the scenario's head and its
// first items, the last its last items and the closing brace, and the
// chunks between hold items only. Together the three are the Scenario
// rule, `"scenario" Str "{" TopItem* "}"`.

// headNode is the first chunk: `scenario "title" {` and items.
type headNode struct {
	Pos   lexer.Position
	Title *strNode      `parser:"'scenario' @@"`
	Items []topItemNode `parser:"'{' @@*"`
}

// middleNode is a chunk between the first and the last: items.
type middleNode struct {
	Items []topItemNode `parser:"@@*"`
}

// tailNode is the last chunk: items and the scenario's `}`.
type tailNode struct {
	Items []topItemNode `parser:"@@* '}'"`
}

// topItemNode is a top-level item as participle parses it: a union
// (treeOptions) of
//
//	TopItem = Entity | Process | Expect | Setting | Policy | Machine | Workload | ParamLine | VaryLine .
//
// the grammar's TopItem rule, whose alternatives start with distinct
// keywords (participle tries them in order). As a union, participle
// parses an item into the alternative's node alone; as a struct with a
// field for each alternative (grammar.TopItem) it also allocates the
// struct, defers the capture of the field, and copies the node into a
// fresh one when it applies it, a fifth of what an item costs it.
type topItemNode interface{}

// topItem is one setting, entity or expectation at the top level: one
// field set, as grammar.TopItem's.
type topItem struct {
	Entity   *entityNode
	Process  *processNode
	Expect   *grammar.Expect
	Setting  *grammar.Setting
	Policy   *grammar.Policy
	Machine  *grammar.Machine
	Workload *workloadNode
	Param    *grammar.ParamLine
	Vary     *grammar.VaryLine
}

// processNode is a CPython process. participle parses its modifiers
// and items into ModNodes and ItemNodes; finish turns them into Mods
// and Items.
type processNode struct {
	Pos       lexer.Position
	Name      *strNode       `parser:"'process' @@"`
	ModNodes  []*modNode     `parser:"@@*"`
	ItemNodes []procItemNode `parser:"'{' @@* '}'"`

	Mods  []*grammar.Mod
	Items []*procItem
}

// finish gives the process the modifiers and items the checker reads.
func (p *processNode) finish() {
	p.Mods, p.ModNodes = mods(p.ModNodes), nil
	if p.ItemNodes == nil {
		return
	}
	p.Items = make([]*procItem, len(p.ItemNodes))
	block := make([]procItem, len(p.ItemNodes))
	for i, n := range p.ItemNodes {
		it := &block[i]
		switch n := n.(type) {
		case *entityNode:
			it.Entity = n
		case *blockNode:
			it.Block = n
		case *grammar.GIL:
			it.GIL = n
		case *grammar.Startup:
			it.Startup = n
		default:
			panic(fmt.Sprintf("dsl: a process item of type %T", n)) // a union member treeOptions lacks
		}
		p.Items[i] = it
	}
	p.ItemNodes = nil
}

// procItemNode is an item of a process as participle parses it: a union
// (treeOptions) of the grammar's ProcItem rule (see topItemNode),
//
//	ProcItem = Entity | Block | GIL | Startup .
type procItemNode interface{}

// procItem is one setting, thread or runtime block of a process: one
// field set, as grammar.ProcItem's.
type procItem struct {
	Entity  *entityNode
	Block   *blockNode
	GIL     *grammar.GIL
	Startup *grammar.Startup
}

// treeOptions are the options of the parsers of the tree (parser and
// the chunks'): parserOptions and the unions.
func treeOptions() []participle.Option {
	return append(parserOptions(),
		participle.Union[topItemNode](&entityNode{}, &processNode{}, &expectNode{}, &settingNode{},
			&grammar.Policy{}, &grammar.Machine{}, &workloadNode{}, &grammar.ParamLine{}, &grammar.VaryLine{}),
		participle.Union[procItemNode](&entityNode{}, &blockNode{}, &grammar.GIL{}, &grammar.Startup{}),
	)
}

// blockNode is a runtime block of a process: asyncio, gevent, eventlet,
// greenlets or coroutines, holding its members.
type blockNode struct {
	Pos     lexer.Position
	Kind    string        `parser:"@('asyncio' | 'gevent' | 'eventlet' | 'greenlets' | 'coroutines')"`
	Patch   *wordNode     `parser:"@@?"`
	Members []*entityNode `parser:"'{' @@* '}'"`
}

// entityNode is a task, thread, greenlet, greenthread or gen: a named unit
// with modifiers and steps. Which kind may stand where is checked later.
// Its grammar is grammar.Entity's,
//
//	Entity = ("task" | "thread" | "greenlet" | "greenthread" | "gen") Str Mod* "{" Step* "}" .
//
// and its Parse method (entity.go) reads it.
type entityNode struct {
	Pos  lexer.Position
	Kind string
	Name *grammar.Str
	Mods []*grammar.Mod
	Body []*grammar.Step
}

// workloadNode is `workload "name" { tasks }` (not runnable yet).
type workloadNode struct {
	Pos      lexer.Position
	Name     *strNode      `parser:"'workload' @@"`
	ModNodes []*modNode    `parser:"@@*"`
	Body     []*entityNode `parser:"'{' @@* '}'"`

	Mods []*grammar.Mod
}

// The parser's copies of the grammar's inner nodes that hold leaves,
// with the grammar's rules, each with the grammar's node it becomes.

// expectNode is grammar.Expect, but for its position, its first token's.
//
// A node with a field Pos gets its position from participle as soon as
// participle tries it, boxed into an interface (an allocation), and
// participle tries an expectation at every item that is not an entity
// or a process, and a within and a when after every expectation: the
// copies that are tried more often than they match have Tokens instead,
// which participle sets only on a match.
type expectNode struct {
	Metric *wordNode      `parser:"'expect' @@"`
	Arg    *metricArgNode `parser:"( '(' @@ ')' )?"`
	Op     *opTokNode     `parser:"@@"`
	Value  *qtyNode       `parser:"@@"`
	Within *withinNode    `parser:"@@?"`
	When   *whenNode      `parser:"@@?"`
	Tokens []lexer.Token
}

// grammar returns the grammar's expectation, with tokens of its own:
// participle hands out a window on the PeekingLexer's array of tokens,
// which the tree must not keep alive (and which parseChunks writes the
// next chunk over).
func (n *expectNode) grammar() *grammar.Expect {
	e := &grammar.Expect{
		Pos:    n.Tokens[0].Pos,
		Metric: (*grammar.Word)(n.Metric),
		Arg:    (*grammar.MetricArg)(n.Arg),
		Op:     (*grammar.OpTok)(n.Op),
		Value:  (*grammar.Qty)(n.Value),
		Tokens: slices.Clip(slices.Clone(n.Tokens)),
	}
	if w := n.Within; w != nil {
		e.Within = &grammar.Within{Pos: w.Tokens[0].Pos, Value: (*grammar.Qty)(w.Value)}
	}
	if w := n.When; w != nil {
		e.When = &grammar.When{Pos: w.Tokens[0].Pos, Conds: make([]*grammar.Cond, len(w.Conds))}
		for i, c := range w.Conds {
			e.When.Conds[i] = &grammar.Cond{Pos: c.Pos, Name: c.Name, Op: (*grammar.OpTok)(c.Op), Value: (*grammar.Qty)(c.Value)}
		}
	}
	return e
}

// withinNode is grammar.Within, with Tokens for its position (see
// expectNode).
type withinNode struct {
	Tokens []lexer.Token
	Value  *qtyNode `parser:"'within' @@"`
}

// whenNode is grammar.When, with Tokens for its position (see
// expectNode).
type whenNode struct {
	Tokens []lexer.Token
	Conds  []*condNode `parser:"'when' @@ ( 'and' @@ )*"`
}

// condNode is grammar.Cond.
type condNode struct {
	Pos   lexer.Position
	Name  string     `parser:"@(Ident | Keyword | ParamRef)"`
	Op    *opTokNode `parser:"@@"`
	Value *qtyNode   `parser:"@@"`
}

// settingNode is grammar.Setting.
type settingNode struct {
	Pos   lexer.Position
	Key   string   `parser:"@('seed' | 'cores' | 'context_switch' | 'quantum')"`
	Value *qtyNode `parser:"@@"`
}

func (n *settingNode) grammar() *grammar.Setting {
	return &grammar.Setting{Pos: n.Pos, Key: n.Key, Value: (*grammar.Qty)(n.Value)}
}

// modNode is grammar.Mod.
type modNode struct {
	Pos    lexer.Position
	Key    string      `parser:"( @('x' | 'at' | 'priority' | 'nice')"`
	Value  *durNode    `parser:"  @@"`
	Start  bool        `parser:"| @'start'"`
	Method *methodNode `parser:"  @@? )"`
}

// durNode is grammar.Dur.
type durNode struct {
	Pos   lexer.Position
	Fixed *qtyNode  `parser:"  @@"`
	Dist  *distNode `parser:"| @@"`
}

// distNode is grammar.Dist.
type distNode struct {
	Pos  lexer.Position
	Name string     `parser:"@('uniform' | 'exp' | 'normal' | Ident) '('"`
	Args []*qtyNode `parser:"@@ ( ',' @@ )* ')'"`
}

// mods returns the grammar's modifiers.
func mods(ns []*modNode) []*grammar.Mod {
	if ns == nil {
		return nil
	}
	out := make([]*grammar.Mod, len(ns))
	for i, n := range ns {
		m := &grammar.Mod{Pos: n.Pos, Key: n.Key, Start: n.Start, Method: (*grammar.Method)(n.Method)}
		if d := n.Value; d != nil {
			m.Value = &grammar.Dur{Pos: d.Pos, Fixed: (*grammar.Qty)(d.Fixed)}
			if ds := d.Dist; ds != nil {
				m.Value.Dist = &grammar.Dist{Pos: ds.Pos, Name: ds.Name, Args: qtys(ds.Args)}
			}
		}
		out[i] = m
	}
	return out
}

// qtys returns the grammar's quantities.
func qtys(ns []*qtyNode) []*grammar.Qty {
	if ns == nil {
		return nil
	}
	out := make([]*grammar.Qty, len(ns))
	for i, n := range ns {
		out[i] = (*grammar.Qty)(n)
	}
	return out
}

// finishItems returns the items participle parsed as the checker reads
// them: each in a topItem, with the grammar's nodes for the parser's
// copies (expectNode, settingNode, modNode), the tree the grammar gives
// (fromGrammar).
func finishItems(nodes []topItemNode) []*topItem {
	if nodes == nil {
		return nil
	}
	items := make([]*topItem, len(nodes))
	block := make([]topItem, len(nodes))
	for i, n := range nodes {
		it := &block[i]
		switch n := n.(type) {
		case *entityNode:
			it.Entity = n
		case *processNode:
			n.finish()
			it.Process = n
		case *expectNode:
			it.Expect = n.grammar()
		case *settingNode:
			it.Setting = n.grammar()
		case *grammar.Policy:
			it.Policy = n
		case *grammar.Machine:
			it.Machine = n
		case *workloadNode:
			n.Mods, n.ModNodes = mods(n.ModNodes), nil
			it.Workload = n
		case *grammar.ParamLine:
			it.Param = n
		case *grammar.VaryLine:
			it.Vary = n
		default:
			panic(fmt.Sprintf("dsl: an item of type %T", n)) // a union member treeOptions lacks
		}
		items[i] = it
	}
	return items
}
