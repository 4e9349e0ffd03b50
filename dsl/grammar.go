package dsl

import (
	"slices"

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
// them once parsed (finishItems). None of the tree is part of the
// package's API: a tool reads a file through Tokens and NewOutline.

// fileNode is a whole .sim file: exactly one scenario.
type fileNode struct {
	Scenario *scenarioNode `parser:"@@"`
}

// scenarioNode is `scenario "title" { items }`.
type scenarioNode struct {
	Pos   lexer.Position
	Title *strNode   `parser:"'scenario' @@"`
	Items []*topItem `parser:"'{' @@* '}'"`
}

// A large file is parsed in chunks (chunk.go), each cut right after an
// item of the scenario: the first chunk is the scenario's head and its
// first items, the last its last items and the closing brace, and the
// chunks between hold items only. Together the three are the Scenario
// rule, `"scenario" Str "{" TopItem* "}"`.

// headNode is the first chunk: `scenario "title" {` and items.
type headNode struct {
	Pos   lexer.Position
	Title *strNode   `parser:"'scenario' @@"`
	Items []*topItem `parser:"'{' @@*"`
}

// middleNode is a chunk between the first and the last: items.
type middleNode struct {
	Items []*topItem `parser:"@@*"`
}

// tailNode is the last chunk: items and the scenario's `}`.
type tailNode struct {
	Items []*topItem `parser:"@@* '}'"`
}

// topItem is one setting, entity or expectation at the top level.
//
// The alternatives start with distinct keywords; the most frequent come
// first because participle tries them in order.
//
// Participle parses an expectation or a setting into the parser's copy
// of its node (a fooNode field), whose leaves are Parseable (leaves.go);
// finishItems then puts the grammar's node in the field of the grammar's
// name, and the checker reads that.
type topItem struct {
	Entity      *entityNode        `parser:"  @@"`
	Process     *processNode       `parser:"| @@"`
	ExpectNode  *expectNode        `parser:"| @@"`
	SettingNode *settingNode       `parser:"| @@"`
	Policy      *grammar.Policy    `parser:"| @@"`
	Machine     *grammar.Machine   `parser:"| @@"`
	Workload    *workloadNode      `parser:"| @@"`
	Param       *grammar.ParamLine `parser:"| @@"`
	Vary        *grammar.VaryLine  `parser:"| @@"`

	Expect  *grammar.Expect
	Setting *grammar.Setting
}

// processNode is a CPython process.
type processNode struct {
	Pos      lexer.Position
	Name     *strNode    `parser:"'process' @@"`
	ModNodes []*modNode  `parser:"@@*"`
	Items    []*procItem `parser:"'{' @@* '}'"`

	Mods []*grammar.Mod
}

// procItem is one setting, thread or runtime block of a process.
type procItem struct {
	Entity  *entityNode      `parser:"  @@"`
	Block   *blockNode       `parser:"| @@"`
	GIL     *grammar.GIL     `parser:"| @@"`
	Startup *grammar.Startup `parser:"| @@"`
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

// expectNode is grammar.Expect.
type expectNode struct {
	Pos    lexer.Position
	Metric *wordNode      `parser:"'expect' @@"`
	Arg    *metricArgNode `parser:"( '(' @@ ')' )?"`
	Op     *opTokNode     `parser:"@@"`
	Value  *qtyNode       `parser:"@@"`
	Within *withinNode    `parser:"@@?"`
	When   *whenNode      `parser:"@@?"`
	Tokens []lexer.Token
}

func (n *expectNode) grammar() *grammar.Expect {
	e := &grammar.Expect{
		Pos:    n.Pos,
		Metric: (*grammar.Word)(n.Metric),
		Arg:    (*grammar.MetricArg)(n.Arg),
		Op:     (*grammar.OpTok)(n.Op),
		Value:  (*grammar.Qty)(n.Value),
		Tokens: n.Tokens,
	}
	if w := n.Within; w != nil {
		e.Within = &grammar.Within{Pos: w.Pos, Value: (*grammar.Qty)(w.Value)}
	}
	if w := n.When; w != nil {
		e.When = &grammar.When{Pos: w.Pos, Conds: make([]*grammar.Cond, len(w.Conds))}
		for i, c := range w.Conds {
			e.When.Conds[i] = &grammar.Cond{Pos: c.Pos, Name: c.Name, Op: (*grammar.OpTok)(c.Op), Value: (*grammar.Qty)(c.Value)}
		}
	}
	return e
}

// withinNode is grammar.Within.
type withinNode struct {
	Pos   lexer.Position
	Value *qtyNode `parser:"'within' @@"`
}

// whenNode is grammar.When.
type whenNode struct {
	Pos   lexer.Position
	Conds []*condNode `parser:"'when' @@ ( 'and' @@ )*"`
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

// finishItems puts into each item the grammar's nodes for the parser's
// copies participle parsed (and drops the copies): the tree the checker
// reads, and the one the grammar gives (fromGrammar).
//
// It gives each expectation's tokens a slice of their own: participle
// hands out a window on the PeekingLexer's array of tokens, which the
// tree must not keep alive (and which parseChunks writes the next chunk
// over).
func finishItems(items []*topItem) {
	for _, it := range items {
		switch {
		case it.ExpectNode != nil:
			it.Expect, it.ExpectNode = it.ExpectNode.grammar(), nil
			fallthrough
		case it.Expect != nil:
			it.Expect.Tokens = slices.Clip(slices.Clone(it.Expect.Tokens))
		case it.SettingNode != nil:
			it.Setting, it.SettingNode = it.SettingNode.grammar(), nil
		case it.Process != nil:
			p := it.Process
			p.Mods, p.ModNodes = mods(p.ModNodes), nil
		case it.Workload != nil:
			w := it.Workload
			w.Mods, w.ModNodes = mods(w.ModNodes), nil
		}
	}
}
