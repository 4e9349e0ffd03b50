package dsl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
	"github.com/gilsim/gilsim/simulator"
)

// MaxFileSize is the largest scenario file Parse and ParseFile accept.
const MaxFileSize = 16 << 20

// The participle parsers are built on first use: building them takes
// milliseconds and megabytes, which a program that reads no scenario
// (gilsim version, gilsim help) should not pay at start-up.

func parserOptions() []participle.Option {
	return []participle.Option{
		participle.Lexer(lexerDef()),
		participle.UseLookahead(participle.MaxLookahead),
	}
}

// parser parses a file whole: participle, with the parser's copies of
// the grammar's nodes, the Parseable entityNode and leaves, and the items
// as unions (grammar.go, treeOptions); the tree it gives is finished
// (scenarioNode.finish) before anything reads it. A larger file is parsed
// in chunks by the same nodes (chunk.go), and parsed whole when that
// fails.
var parser = sync.OnceValue(func() *participle.Parser[fileNode] {
	return participle.MustBuild[fileNode](treeOptions()...)
})

// grammarParser is participle with package grammar whole: it words the
// error of a file that parser refuses, and its EBNF is Grammar's.
var grammarParser = sync.OnceValue(func() *participle.Parser[grammar.File] {
	return participle.MustBuild[grammar.File](parserOptions()...)
})

// itemParsers re-parse one item on its own, with the grammar, to find
// where it really went wrong (see deepen).
var itemParsers = sync.OnceValue(func() map[string]func(*lexer.PeekingLexer) error {
	m := map[string]func(*lexer.PeekingLexer) error{}
	add := func(p func(*lexer.PeekingLexer) error, words ...string) {
		for _, w := range words {
			m[w] = p
		}
	}
	add(itemParser[grammar.Entity](), "task", "thread", "greenlet", "greenthread", "gen")
	add(itemParser[grammar.Process](), "process")
	add(itemParser[grammar.Setting](), "seed", "cores", "context_switch", "quantum")
	add(itemParser[grammar.Policy](), "policy")
	add(itemParser[grammar.Machine](), "machine")
	add(itemParser[grammar.Expect](), "expect")
	add(itemParser[grammar.Workload](), "workload")
	add(itemParser[grammar.ParamLine](), "param")
	add(itemParser[grammar.VaryLine](), "vary")
	add(itemParser[grammar.When](), "when")
	add(itemParser[grammar.GIL](), "gil")
	add(itemParser[grammar.Startup](), "startup")
	add(itemParser[grammar.Block](), "asyncio", "gevent", "eventlet", "greenlets", "coroutines")
	add(itemParser[grammar.Step](), "cpu", "native", "io", "sleep", "await", "yield", "offload", "repeat", "lock", "switch", "send", "recv", "semaphore", "blocking")
	add(itemParser[grammar.Mod](), "x", "at", "priority", "nice", "start")
	add(itemParser[grammar.MachineEntry](), machineKeys...)
	add(itemParser[grammar.ParenArg](), "(")
	return m
})

func itemParser[T any]() func(*lexer.PeekingLexer) error {
	p := participle.MustBuild[T](parserOptions()...)
	return func(l *lexer.PeekingLexer) error {
		_, err := p.ParseFromLexer(l, participle.AllowTrailing(true))
		return err
	}
}

// Grammar returns the EBNF of the scenario grammar, as participle sees
// it: package grammar's, where every node is written in struct tags.
func Grammar() string { return grammarParser().String() }

// ParseFile reads the scenario file at path and parses it (see Parse).
// Files larger than MaxFileSize are refused.
func ParseFile(path string) (*simulator.Scenario, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// ReadFile reads the scenario file at path as Parse and ParseFile would:
// a file past MaxFileSize is refused with an ErrorList about the whole
// file, and an error opening or reading it comes back as it is
// (*fs.PathError).
func ReadFile(path string) ([]byte, error) { return readSource(path) }

// readSource reads a scenario file, refusing one past MaxFileSize. Errors
// opening or reading it are returned as they are (*fs.PathError).
func readSource(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileSize {
		return nil, tooLarge(path, st.Size())
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileSize {
		return nil, tooLarge(path, int64(len(src)))
	}
	return src, nil
}

func tooLarge(file string, size int64) error {
	return ErrorList{{File: file, Msg: fmt.Sprintf("file is too large (%d bytes; the limit is %d bytes, 16 MiB)", size, MaxFileSize)}}
}

// Parse parses, checks and lowers one scenario file. filename is used in
// error positions only. On failure the error is an ErrorList: the first
// syntax error, or every lexical or semantic error found (up to
// MaxErrors), each with its position.
//
// A file with parameters gives the scenario with every parameter at its
// default: Parse ignores `vary` lines (they are still checked), and keeps
// the `expect ... when` lines whose condition the defaults meet. Use
// ParseSweep to get every run of a sweep.
func Parse(filename string, src []byte) (*simulator.Scenario, error) {
	pf, err := parseSource(filename, src)
	if err != nil {
		return nil, err
	}
	return pf.defaultRun()
}

// syntax is a file that lexes and parses: its text (without a leading
// byte-order mark) and its tree, not yet checked; refs reports whether it
// holds a `$name`.
type syntax struct {
	text string
	ast  *fileNode
	refs bool
}

// parseSyntax lexes and parses src: every lexical error, or the first
// syntax error, comes back as an ErrorList. Nothing is checked yet.
//
// participle parses every file: in chunks of items (parseChunks), or,
// when that fails, as a whole (parseWhole), which finds and words the
// error.
func parseSyntax(filename string, src []byte) (*syntax, error) {
	if len(src) > MaxFileSize {
		return nil, tooLarge(filename, int64(len(src)))
	}
	text := string(src)
	text = strings.TrimPrefix(text, "\uFEFF")
	if !utf8.ValidString(text) {
		errs := &errorSink{file: filename}
		errs.add(invalidUTF8Pos(filename, text), "the file is not valid UTF-8")
		return nil, errs.list(text)
	}
	if syn, _ := parseChunks(filename, text); syn != nil {
		return syn, nil
	}
	return parseWhole(filename, text)
}

// parseWhole parses text, valid UTF-8, as a whole. The scanner's tokens
// go straight into participle's PeekingLexer, lex's checks read them
// there, and participle parses them (parser). A file participle refuses
// is parsed again by the grammar alone (grammarParser), which finds and
// words its error as it always has.
func parseWhole(filename, text string) (*syntax, error) {
	errs := &errorSink{file: filename}
	sc := newScanner(treeFile, text, false)
	peek, err := lexer.Upgrade(sc)
	if err != nil {
		return nil, err // the scanner never fails
	}
	toks := peek.Range(0, lexer.RawCursor(sc.n))
	checkTokens(text, toks, errs)
	if !errs.empty() {
		return nil, errs.list(text)
	}
	ast, err := parser().ParseFromLexer(peek)
	if err != nil {
		gast, gerr := parseGrammar(toks)
		if gerr != nil {
			syntaxError(gerr, toks, errs)
			return nil, errs.list(text)
		}
		// The grammar takes what the Parseable refused: that is a bug of
		// the Parseable (FuzzParseable looks for them), but the grammar's
		// tree is the right one.
		ast = fromGrammar(gast)
	} else {
		ast.Scenario.finish()
	}
	return &syntax{text: text, ast: ast, refs: sc.refs}, nil
}

func invalidUTF8Pos(filename, text string) lexer.Position {
	pos := lexer.Position{Filename: filename, Line: 1, Column: 1}
	for i, r := range text {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(text[i:]); n == 1 {
				pos.Offset = 0
				advance(&pos, text[:i])
				return pos
			}
		}
	}
	return pos
}

// sliceLexer replays tokens that lex already produced.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	t := l.toks[l.i]
	if l.i < len(l.toks)-1 {
		l.i++
	}
	return t, nil
}

// parseGrammar parses toks with the grammar alone.
func parseGrammar(toks []lexer.Token) (*grammar.File, error) {
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, err
	}
	return grammarParser().ParseFromLexer(peek)
}

// valueAfter says what a keyword needs next, for the message that points
// at the keyword when its value is missing (participle would point at the
// next token, often on the next line).
var valueAfter = map[string]string{
	"scenario":       "a title in quotes: scenario \"title\" { ... }",
	"seed":           "a whole number: seed 42",
	"cores":          "a whole number: cores 2",
	"policy":         "a policy: fifo, sjf, srtf, priority, round_robin or fair",
	"quantum":        "a duration: quantum 10ms",
	"context_switch": "a duration: context_switch 5us",
	"task":           "a name in quotes: task \"name\" { ... }",
	"process":        "a name in quotes: process \"name\" { ... }",
	"thread":         "a name in quotes: thread \"name\" { ... }",
	"greenlet":       "a name in quotes: greenlet \"name\" { ... }",
	"greenthread":    "a name in quotes: greenthread \"name\" { ... }",
	"gen":            "a name in quotes: gen \"name\" { ... }",
	"workload":       "a name in quotes: workload \"name\" { ... }",
	"x":              "a replica count: x 4",
	"at":             "a time: at 10ms",
	"priority":       "a number: priority 3",
	"nice":           "a number: nice -5",
	"gil":            "interval D, legacy [check N] or off",
	"interval":       "a duration: gil interval 5ms",
	"check":          "a whole number: gil legacy check 100",
	"startup":        "a duration: startup 30ms",
	"cpu":            "a duration: cpu 5ms",
	"native":         "a duration: native 5ms",
	"io":             "a duration: io 5ms",
	"sleep":          "a duration: sleep 5ms",
	"await":          "io or sleep: await io 5ms",
	"blocking":       "io or sleep: blocking io 5ms",
	"repeat":         "a count and a block: repeat 3 { ... }",
	"lock":           "a name in quotes and a block: lock \"name\" { ... }",
	"switch":         "a greenlet name in quotes: switch \"name\"",
	"send":           "a size: send 64KB",
	"recv":           "a size: recv 64KB",
	"semaphore":      "a name in quotes, a size and a block: semaphore \"name\" 10 { ... }",
	"offload":        "a block: offload { ... }",
	"expect":         "a metric: expect makespan < 1s",
	"within":         "a tolerance: within 5% or within 2ms",
	"machine":        "a block: machine { ... }",
	"param":          "a name, `=` and a value: param workers = 4",
	"vary":           "a parameter and a list of values: vary workers in [1, 2, 4]",
	"in":             "a list of values in brackets: vary workers in [1, 2, 4]",
	"when":           "a condition on a parameter: when workers == 8",
	"and":            "another condition: when workers == 8 and switch == 5ms",
}

// syntaxError turns participle's error into one positioned Error with a
// message written for people.
func syntaxError(err error, toks []lexer.Token, errs *errorSink) {
	var perr participle.Error
	if !errors.As(err, &perr) {
		errs.add(lexer.Position{Line: 1, Column: 1}, "%v", err)
		return
	}
	pos := perr.Position()
	var ute *participle.UnexpectedTokenError
	if !errors.As(err, &ute) {
		msg := perr.Message()
		if strings.HasPrefix(msg, "too many iterations") {
			msg = "too many items in one block (the parser's limit is a million)"
		}
		errs.add(pos, "%s", msg)
		return
	}
	ute = deepen(ute, toks)
	pos = ute.Unexpected.Pos
	bad := ute.Unexpected
	i := tokenIndex(toks, bad.Pos.Offset)
	if i > 0 {
		prev := toks[i-1]
		if prev.Type == tokKeyword && i > 1 && toks[i-2].Type == tokPunct && (toks[i-2].Value == "(" || toks[i-2].Value == ",") {
			// p50(x y): a name written bare, and a keyword at that
			errs.add(prev.Pos, "`%s` is a keyword; a name is written in quotes: \"%s\"", prev.Value, prev.Value)
			return
		}
		if prev.Type == tokOp && (bad.EOF() || bad.Pos.Line != prev.Pos.Line) {
			errs.add(prev.Pos, "`%s` needs a value to compare with: expect makespan %s 1s", prev.Value, prev.Value)
			return
		}
		if need, ok := valueAfter[prev.Value]; ok && prev.Type == tokKeyword {
			errs.add(prev.Pos, "`%s` needs %s", prev.Value, need)
			return
		}
		if i > 1 && prev.Type == tokString && toks[i-2].Type == tokKeyword && toks[i-2].Value == "semaphore" {
			errs.add(bad.Pos, "`semaphore` needs a size after its name: semaphore %s 10 { ... }", prev.Value)
			return
		}
		if prev.Type == tokPunct && prev.Value == "=" {
			errs.add(prev.Pos, "`=` needs a value: param workers = 4")
			return
		}
		if prev.Type == tokIdent && slices.Contains(machineKeys, prev.Value) {
			errs.add(prev.Pos, "`%s` needs a value", prev.Value)
			return
		}
	}
	hint := expected(ute)
	switch {
	case bad.EOF() && i == 0:
		errs.add(pos, "the file is empty: it should hold scenario \"title\" { ... }")
	case bad.EOF():
		if open, ok := unclosed(toks); ok {
			errs.add(pos, "unexpected end of file: the `{` at %d:%d is never closed", open.Line, open.Column)
			return
		}
		errs.add(pos, "unexpected end of file%s", hint)
	case bad.Type == tokKeyword && hint == " (expected `}`)" && belongs[bad.Value] != "":
		errs.add(pos, "`%s` cannot stand here: %s", bad.Value, belongs[bad.Value])
	case bad.Type == tokPunct && bad.Value == "}" && braceDepth(toks[:i]) == 0:
		errs.add(pos, "this `}` closes nothing")
	case bad.Type == tokKeyword && bad.Value == "scenario" && i > 0:
		errs.add(pos, "a file holds exactly one scenario")
	case bad.Type == tokIdent && keywordSet[strings.ToLower(bad.Value)]:
		errs.add(pos, "unexpected %s: keywords are lower-case (%s)", describeToken(bad), strings.ToLower(bad.Value))
	case bad.Type == tokIdent && suggest(bad.Value, keywords) != "":
		// a misspelled keyword: `proces`, `thraed`, `asynco`
		errs.add(pos, "unknown word `%s`; did you mean %s?", bad.Value, suggest(bad.Value, keywords))
	default:
		errs.add(pos, "unexpected %s%s", describeToken(bad), hint)
	}
}

// deepenBudget bounds the tokens deepen may re-parse for one error.
const deepenBudget = 4_000_000

// deepen finds the real place of a syntax error. With unlimited lookahead
// participle gives up on a whole repeated item (a step, an entity) when it
// fails partway, and reports the item's first token as unexpected. Parsing
// that item again on its own yields the error inside it; repeat until the
// error no longer moves.
func deepen(ute *participle.UnexpectedTokenError, toks []lexer.Token) *participle.UnexpectedTokenError {
	// Each round copies and re-parses the rest of the file; a budget of
	// tokens keeps a huge hostile file from costing maxDepth full passes
	// (its error then stays at the item's first token).
	budget := deepenBudget
	for range maxDepth + 2 {
		t := ute.Unexpected
		if t.Type != tokKeyword && t.Type != tokPunct && t.Type != tokIdent {
			return ute
		}
		reparse, ok := itemParsers()[t.Value]
		if !ok {
			return ute
		}
		i := tokenIndex(toks, t.Pos.Offset)
		if i >= len(toks) || toks[i].Pos.Offset != t.Pos.Offset {
			return ute
		}
		if budget -= len(toks) - i; budget < 0 {
			return ute
		}
		peek, err := lexer.Upgrade(&sliceLexer{toks: toks[i:]})
		if err != nil {
			return ute
		}
		err = reparse(peek)
		var inner *participle.UnexpectedTokenError
		if err == nil || !errors.As(err, &inner) || inner.Unexpected.Pos.Offset <= t.Pos.Offset {
			return ute
		}
		ute = inner
	}
	return ute
}

// expected returns participle's "(expected ...)" hint when it is short
// enough to help.
func expected(ute *participle.UnexpectedTokenError) string {
	msg := ute.Message()
	i := strings.Index(msg, " (expected ")
	if i < 0 {
		return ""
	}
	hint := strings.TrimSuffix(msg[i+len(" (expected "):], ")")
	if strings.HasPrefix(hint, "OpTok") {
		return " (expected a comparison: <, <=, >, >=, == or ~=)"
	}
	// Only literal tokens make a helpful hint; participle's node names
	// (Qty, Dur, ...) and its EBNF (`{` Step* `}`) mean nothing to a
	// user. An alternative that is a sequence starting with a literal
	// is shown as that literal: `{` Step* `}` expects a `{`.
	alts := strings.Split(hint, " | ")
	for i, alt := range alts {
		if j := strings.Index(alt, " "); j > 0 {
			alt = alt[:j]
		}
		if len(alt) < 3 || alt[0] != '"' || alt[len(alt)-1] != '"' || strings.Count(alt, "\"") != 2 {
			return ""
		}
		alts[i] = "`" + alt[1:len(alt)-1] + "`"
	}
	return " (expected " + strings.Join(alts, " or ") + ")"
}

// belongs says where a keyword may stand, for a keyword met in a list of
// items that cannot hold it.
var belongs = func() map[string]string {
	m := map[string]string{}
	add := func(where string, words ...string) {
		for _, w := range words {
			m[w] = where
		}
	}
	add("scenario settings stand at the top level of the scenario", "seed", "cores", "policy", "quantum", "context_switch", "machine")
	add("`expect` lines stand at the top level of the scenario", "expect")
	add("`param` and `vary` lines stand at the top level of the scenario", "param", "vary")
	add("`when` ends an expectation: expect makespan < 1s when workers == 8", "when", "and")
	add("processes and workloads stand at the top level of the scenario", "process", "workload")
	add("process settings stand in a process", "gil", "startup")
	add("runtime blocks stand in a process", "asyncio", "gevent", "eventlet", "greenlets", "coroutines")
	add("modifiers follow an entity's name, before its {", "x", "at", "priority", "nice")
	add("`start` follows a process's name, before its {: process \"w\" start spawn { ... }", "start")
	add("steps stand in the { } of a task, thread, greenlet or gen", "cpu", "native", "io", "sleep", "yield", "repeat", "lock", "send", "recv", "semaphore", "blocking")
	add("`await` stands in the { } of an asyncio task", "await")
	add("`offload` stands in the { } of an asyncio task or a gevent/eventlet greenlet", "offload")
	add("`switch` stands in the { } of a greenlet of a `greenlets` block", "switch")
	add("a `task` stands at the top level or in an `asyncio` block", "task")
	add("a `thread` stands in a process", "thread")
	add("a `greenlet` stands in a `gevent` or `greenlets` block", "greenlet")
	add("a `greenthread` stands in an `eventlet` block", "greenthread")
	add("a `gen` stands in a `coroutines` block", "gen")
	return m
}()

// braceDepth is how many `{` are open after toks.
func braceDepth(toks []lexer.Token) int {
	d := 0
	for _, t := range toks {
		if t.Type == tokPunct {
			switch t.Value {
			case "{":
				d++
			case "}":
				d--
			}
		}
	}
	return d
}

// unclosed returns the innermost `{` that is never closed.
func unclosed(toks []lexer.Token) (lexer.Position, bool) {
	var stack []lexer.Position
	for _, t := range toks {
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "{":
			stack = append(stack, t.Pos)
		case "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return lexer.Position{}, false
	}
	return stack[len(stack)-1], true
}

func describeToken(t lexer.Token) string {
	switch t.Type {
	case tokKeyword:
		return "keyword `" + t.Value + "`"
	case tokIdent:
		return "word `" + t.Value + "`"
	case tokString:
		return "string " + t.Value
	case tokQuantity:
		return "number " + t.Value
	case lexer.EOF:
		return "end of file"
	default:
		return "`" + t.Value + "`"
	}
}

// tokenIndex finds the token starting at offset (binary search).
func tokenIndex(toks []lexer.Token, offset int) int {
	lo, hi := 0, len(toks)
	for lo < hi {
		m := (lo + hi) / 2
		if toks[m].Pos.Offset < offset {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
