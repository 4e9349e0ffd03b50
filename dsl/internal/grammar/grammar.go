// Package grammar is the participle grammar of a scenario file, whole:
// every node is parsed by participle from its struct tags. It is the
// definition of the syntax. Package dsl parses with a copy of its outer
// nodes whose entities (the nodes a large file is made of) implement
// participle's Parseable; it uses this grammar for the EBNF it documents,
// to word every syntax error, and in tests as the oracle the Parseable
// nodes must agree with.
//
// It is deliberately a little looser than the language: entity kinds,
// member kinds, setting values and metric names are captured generically
// and checked in package dsl's check.go, where the error can say what
// belongs there instead of "unexpected token".
package grammar

import "github.com/alecthomas/participle/v2/lexer"

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

// ParamLine is `param NAME = VALUE`: a parameter and its default. The name may
// be a keyword (`param switch = 5ms`), because it is only ever referenced
// as `$name`.
type ParamLine struct {
	Pos   lexer.Position
	Name  *Word `parser:"'param' @@"`
	Value *Qty  `parser:"'=' @@"`
}

// VaryLine is `vary NAME in [v1, v2, ...]`: one run per value.
type VaryLine struct {
	Pos    lexer.Position
	Name   *Word  `parser:"'vary' @@ 'in'"`
	Values []*Qty `parser:"'[' ( @@ ( ',' @@ )* )? ']'"`
}

// Setting is a scenario setting that takes one value.
type Setting struct {
	Pos   lexer.Position
	Key   string `parser:"@('seed' | 'cores' | 'context_switch' | 'quantum')"`
	Value *Qty   `parser:"@@"`
}

// Policy is `policy NAME [quantum D]`.
type Policy struct {
	Pos     lexer.Position
	Name    *Word    `parser:"'policy' @@"`
	Quantum *Quantum `parser:"@@?"`
}

// Quantum is the `quantum D` that may follow a policy name.
type Quantum struct {
	Pos   lexer.Position
	Value *Qty `parser:"'quantum' @@"`
}

// Machine is `machine { key value ... }`.
type Machine struct {
	Pos     lexer.Position
	Entries []*MachineEntry `parser:"'machine' '{' @@* '}'"`
}

// MachineEntry is one machine key with either a quantity, a word, or a
// word and a quantity (`memory thread 16KB`).
type MachineEntry struct {
	Pos   lexer.Position
	Key   string `parser:"@(Ident | Keyword)"`
	Word  *Word  `parser:"( @@"`
	Value *Qty   `parser:"  @@? | @@ )"`
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

// GIL is `gil interval D`, `gil legacy [check N]` or `gil off`.
type GIL struct {
	Pos      lexer.Position
	Interval *Qty `parser:"'gil' ( 'interval' @@"`
	Legacy   bool `parser:"      | @'legacy'"`
	Check    *Qty `parser:"        ( 'check' @@ )?"`
	Off      bool `parser:"      | @'off' )"`
}

// Startup is `startup D`.
type Startup struct {
	Pos   lexer.Position
	Value *Qty `parser:"'startup' @@"`
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
type Entity struct {
	Pos  lexer.Position
	Kind string  `parser:"@('task' | 'thread' | 'greenlet' | 'greenthread' | 'gen')"`
	Name *Str    `parser:"@@"`
	Mods []*Mod  `parser:"@@*"`
	Body []*Step `parser:"'{' @@* '}'"`
}

// Workload is `workload "name" { tasks }` (not runnable yet).
type Workload struct {
	Pos  lexer.Position
	Name *Str      `parser:"'workload' @@"`
	Mods []*Mod    `parser:"@@*"`
	Body []*Entity `parser:"'{' @@* '}'"`
}

// Mod is an entity modifier: `x N`, `at T`, `priority P` or `nice N`,
// or a process's `start [METHOD]` (Key "" and Start set then).
type Mod struct {
	Pos    lexer.Position
	Key    string  `parser:"( @('x' | 'at' | 'priority' | 'nice')"`
	Value  *Dur    `parser:"  @@"`
	Start  bool    `parser:"| @'start'"`
	Method *Method `parser:"  @@? )"`
}

// Method is the start method after `start`: fork, spawn or forkserver,
// checked later so that a typo gets a suggestion.
type Method struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

// Step is one instruction of a program.
type Step struct {
	Pos     lexer.Position
	Timed   *Timed     `parser:"  @@"`
	Await   *Await     `parser:"| @@"`
	Yield   bool       `parser:"| @'yield'"`
	Offload *Offload   `parser:"| @@"`
	Repeat  *Repeat    `parser:"| @@"`
	Lock    *Lock      `parser:"| @@"`
	Switch  *Switch    `parser:"| @@"`
	IPC     *IPC       `parser:"| @@"`
	Sem     *Semaphore `parser:"| @@"`
	// Blocking wraps the step after `blocking`; package dsl's checker
	// accepts io and sleep only.
	Blocking *Blocking `parser:"| @@"`
}

// IPC is `send SIZE` or `recv SIZE`: one side of a pipe or queue transfer.
type IPC struct {
	Op   string `parser:"@('send' | 'recv')"`
	Size *Qty   `parser:"@@"`
}

// Semaphore is `semaphore "name" N { steps }`.
type Semaphore struct {
	Name *Str    `parser:"'semaphore' @@"`
	Size *Qty    `parser:"@@"`
	Body []*Step `parser:"'{' @@* '}'"`
}

// Blocking is `blocking io D` or `blocking sleep D`: a blocking call the
// runtime does not see (a C driver under a patched hub, time.sleep in a
// coroutine).
type Blocking struct {
	Step *Step `parser:"'blocking' @@"`
}

// Timed is `cpu D`, `native D`, `io D` or `sleep D`.
type Timed struct {
	Op  string `parser:"@('cpu' | 'native' | 'io' | 'sleep')"`
	Dur *Dur   `parser:"@@"`
}

// Await is `await io D` or `await sleep D`.
type Await struct {
	Op  string `parser:"'await' @('io' | 'sleep')"`
	Dur *Dur   `parser:"@@"`
}

// Offload is `offload { steps }`.
type Offload struct {
	Body []*Step `parser:"'offload' '{' @@* '}'"`
}

// Repeat is `repeat N { steps }`.
type Repeat struct {
	Count *Qty    `parser:"'repeat' @@"`
	Body  []*Step `parser:"'{' @@* '}'"`
}

// Lock is `lock "name" { steps }`.
type Lock struct {
	Name *Str    `parser:"'lock' @@"`
	Body []*Step `parser:"'{' @@* '}'"`
}

// Switch is `switch "name"`.
type Switch struct {
	Target *Str `parser:"'switch' @@"`
}

// Expect is `expect METRIC [ "(" arg ")" ] OP VALUE [within TOL]`.
type Expect struct {
	Pos    lexer.Position
	Metric *Word      `parser:"'expect' @@"`
	Arg    *MetricArg `parser:"( '(' @@ ')' )?"`
	Op     *OpTok     `parser:"@@"`
	Value  *Qty       `parser:"@@"`
	Within *Within    `parser:"@@?"`
	When   *When      `parser:"@@?"`
	Tokens []lexer.Token
}

// When restricts an expectation to the runs of a sweep whose parameters
// meet every condition: `when workers == 8 and switch < 5ms`.
type When struct {
	Pos   lexer.Position
	Conds []*Cond `parser:"'when' @@ ( 'and' @@ )*"`
}

// Cond is one condition of a When: a parameter (written with or without
// `$`), a comparison and a literal value.
type Cond struct {
	Pos   lexer.Position
	Name  string `parser:"@(Ident | Keyword | ParamRef)"`
	Op    *OpTok `parser:"@@"`
	Value *Qty   `parser:"@@"`
}

// OpTok is the comparison of an expectation.
type OpTok struct {
	Pos  lexer.Position
	Text string `parser:"@Op"`
}

// MetricArg is the entity a metric is about, as a string or a bare word.
type MetricArg struct {
	Pos  lexer.Position
	Str  *string `parser:"  @String"`
	Word *string `parser:"| @(Ident | Keyword)"`
}

// Within is the tolerance of `~=`.
type Within struct {
	Pos   lexer.Position
	Value *Qty `parser:"'within' @@"`
}

// Dur is a duration: a quantity or a distribution.
type Dur struct {
	Pos   lexer.Position
	Fixed *Qty  `parser:"  @@"`
	Dist  *Dist `parser:"| @@"`
}

// Dist is `uniform(a, b)`, `exp(mean)` or `normal(mean, sd)`; the name is
// checked later so that a typo gets a suggestion.
type Dist struct {
	Pos  lexer.Position
	Name string `parser:"@('uniform' | 'exp' | 'normal' | Ident) '('"`
	Args []*Qty `parser:"@@ ( ',' @@ )* ')'"`
}

// Str is a string literal, still quoted.
type Str struct {
	Pos lexer.Position
	Raw string `parser:"@String"`
}

// Qty is a number token with its optional unit (`5ms`, `4`, `-5`, `8GB`),
// or a parameter reference (`$workers`) that the sweep replaces with the
// parameter's value of each run before the checker sees it (the sweep
// keeps the parameter's name).
type Qty struct {
	Pos lexer.Position
	Raw string `parser:"@(Quantity | ParamRef)"`
}

// Word is an identifier or keyword used as a value (`policy fair`).
type Word struct {
	Pos  lexer.Position
	Text string `parser:"@(Ident | Keyword)"`
}

// ParenArg is the `( arg )` of a metric, parsed on its own to place an
// error inside it.
type ParenArg struct {
	Arg *MetricArg `parser:"'(' @@ ')'"`
}
