package dsl

import (
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
)

// The tree of a scenario file. Package grammar holds the participle
// grammar whole (every node parsed by participle from its struct tags):
// it is the definition of the syntax, its EBNF is the one Grammar
// returns, and it words every syntax error. The parser builds the same
// tree with participle from the copies below of the grammar's outer
// nodes, whose struct tags are the grammar's: the difference is entityNode,
// which implements participle's Parseable (entity.go). An entity is what
// a large file is made of, and participle, reflection-driven, reads a
// few hundred kilobytes a second; the Parseable reads the entity's
// tokens from participle's own PeekingLexer into the tree the grammar
// would build. TestParseableMatchesGrammar and FuzzParseable hold the
// two parsers to the same files and the same trees.
//
// The inner nodes are the grammar's own types, used as grammar.Step,
// grammar.Expect and so on. None of the tree is part of the package's
// API: a tool reads a file through Tokens and NewOutline.

// fileNode is a whole .sim file: exactly one scenario.
type fileNode struct {
	Scenario *scenarioNode `parser:"@@"`
}

// scenarioNode is `scenario "title" { items }`.
type scenarioNode struct {
	Pos   lexer.Position
	Title *grammar.Str `parser:"'scenario' @@"`
	Items []*topItem   `parser:"'{' @@* '}'"`
}

// A large file is parsed in chunks (chunk.go), each cut right after an
// item of the scenario: the first chunk is the scenario's head and its
// first items, the last its last items and the closing brace, and the
// chunks between hold items only. Together the three are the Scenario
// rule, `"scenario" Str "{" TopItem* "}"`.

// headNode is the first chunk: `scenario "title" {` and items.
type headNode struct {
	Pos   lexer.Position
	Title *grammar.Str `parser:"'scenario' @@"`
	Items []*topItem   `parser:"'{' @@*"`
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
type topItem struct {
	Entity   *entityNode        `parser:"  @@"`
	Process  *processNode       `parser:"| @@"`
	Expect   *grammar.Expect    `parser:"| @@"`
	Setting  *grammar.Setting   `parser:"| @@"`
	Policy   *grammar.Policy    `parser:"| @@"`
	Machine  *grammar.Machine   `parser:"| @@"`
	Workload *workloadNode      `parser:"| @@"`
	Param    *grammar.ParamLine `parser:"| @@"`
	Vary     *grammar.VaryLine  `parser:"| @@"`
}

// processNode is a CPython process.
type processNode struct {
	Pos   lexer.Position
	Name  *grammar.Str   `parser:"'process' @@"`
	Mods  []*grammar.Mod `parser:"@@*"`
	Items []*procItem    `parser:"'{' @@* '}'"`
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
	Patch   *grammar.Word `parser:"@@?"`
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
	Pos  lexer.Position
	Name *grammar.Str   `parser:"'workload' @@"`
	Mods []*grammar.Mod `parser:"@@*"`
	Body []*entityNode  `parser:"'{' @@* '}'"`
}
