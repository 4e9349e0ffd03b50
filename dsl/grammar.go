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
// nodes, whose struct tags are the grammar's: the difference is Entity,
// which implements participle's Parseable (entity.go). An entity is what
// a large file is made of, and participle, reflection-driven, reads a
// few hundred kilobytes a second; the Parseable reads the entity's
// tokens from participle's own PeekingLexer into the tree the grammar
// would build. TestParseableMatchesGrammar and FuzzParseable hold the
// two parsers to the same files and the same trees.
//
// The inner nodes are the grammar's own types.
type (
	ParamLine    = grammar.ParamLine
	VaryLine     = grammar.VaryLine
	Setting      = grammar.Setting
	Policy       = grammar.Policy
	Quantum      = grammar.Quantum
	Machine      = grammar.Machine
	MachineEntry = grammar.MachineEntry
	GIL          = grammar.GIL
	Startup      = grammar.Startup
	Mod          = grammar.Mod
	Step         = grammar.Step
	Timed        = grammar.Timed
	Await        = grammar.Await
	Offload      = grammar.Offload
	Repeat       = grammar.Repeat
	Lock         = grammar.Lock
	Switch       = grammar.Switch
	Blocking     = grammar.Blocking
	IPC          = grammar.IPC
	Semaphore    = grammar.Semaphore
	Method       = grammar.Method
	Expect       = grammar.Expect
	When         = grammar.When
	Cond         = grammar.Cond
	OpTok        = grammar.OpTok
	MetricArg    = grammar.MetricArg
	Within       = grammar.Within
	Dur          = grammar.Dur
	Dist         = grammar.Dist
	Str          = grammar.Str
	Qty          = grammar.Qty
	Word         = grammar.Word
)

// File is a whole .sim file: exactly one scenario.
type File struct {
	Scenario *Scenario `parser:"@@"`
}

// Scenario is `scenario "title" { items }`.
type Scenario struct {
	Pos   lexer.Position
	Title *Str       `parser:"'scenario' @@"`
	Items []*TopItem `parser:"'{' @@* '}'"`
}

// TopItem is one setting, entity or expectation at the top level.
//
// The alternatives start with distinct keywords; the most frequent come
// first because participle tries them in order.
type TopItem struct {
	Entity   *Entity    `parser:"  @@"`
	Process  *Process   `parser:"| @@"`
	Expect   *Expect    `parser:"| @@"`
	Setting  *Setting   `parser:"| @@"`
	Policy   *Policy    `parser:"| @@"`
	Machine  *Machine   `parser:"| @@"`
	Workload *Workload  `parser:"| @@"`
	Param    *ParamLine `parser:"| @@"`
	Vary     *VaryLine  `parser:"| @@"`
}

// Process is a CPython process.
type Process struct {
	Pos   lexer.Position
	Name  *Str        `parser:"'process' @@"`
	Mods  []*Mod      `parser:"@@*"`
	Items []*ProcItem `parser:"'{' @@* '}'"`
}

// ProcItem is one setting, thread or runtime block of a process.
type ProcItem struct {
	Entity  *Entity  `parser:"  @@"`
	Block   *Block   `parser:"| @@"`
	GIL     *GIL     `parser:"| @@"`
	Startup *Startup `parser:"| @@"`
}

// Block is a runtime block of a process: asyncio, gevent, eventlet,
// greenlets or coroutines, holding its members.
type Block struct {
	Pos     lexer.Position
	Kind    string    `parser:"@('asyncio' | 'gevent' | 'eventlet' | 'greenlets' | 'coroutines')"`
	Patch   *Word     `parser:"@@?"`
	Members []*Entity `parser:"'{' @@* '}'"`
}

// Entity is a task, thread, greenlet, greenthread or gen: a named unit
// with modifiers and steps. Which kind may stand where is checked later.
// Its grammar is grammar.Entity's,
//
//	Entity = ("task" | "thread" | "greenlet" | "greenthread" | "gen") Str Mod* "{" Step* "}" .
//
// and its Parse method (entity.go) reads it.
type Entity struct {
	Pos  lexer.Position
	Kind string
	Name *Str
	Mods []*Mod
	Body []*Step
}

// Workload is `workload "name" { tasks }` (not runnable yet).
type Workload struct {
	Pos  lexer.Position
	Name *Str      `parser:"'workload' @@"`
	Mods []*Mod    `parser:"@@*"`
	Body []*Entity `parser:"'{' @@* '}'"`
}
