package dsl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/simulator"
)

// MaxFileSize is the largest scenario file Parse and ParseFile accept.
const MaxFileSize = 16 << 20

var parser = participle.MustBuild[File](
	participle.Lexer(lexerDef),
	participle.UseLookahead(participle.MaxLookahead),
)

// Grammar returns the EBNF of the scenario grammar, as participle sees it.
func Grammar() string { return parser.String() }

// ParseFile reads the scenario file at path and parses it (see Parse).
// Files larger than MaxFileSize are refused.
func ParseFile(path string) (*simulator.Scenario, error) {
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
	return Parse(path, src)
}

func tooLarge(file string, size int64) error {
	return ErrorList{{File: file, Msg: fmt.Sprintf("file is too large (%d bytes; the limit is %d bytes, 16 MiB)", size, MaxFileSize)}}
}

// Parse parses, checks and lowers one scenario file. filename is used in
// error positions only. On failure the error is an ErrorList: the first
// syntax error, or every lexical or semantic error found (up to
// MaxErrors), each with its position.
func Parse(filename string, src []byte) (*simulator.Scenario, error) {
	if len(src) > MaxFileSize {
		return nil, tooLarge(filename, int64(len(src)))
	}
	text := string(src)
	text = strings.TrimPrefix(text, "\uFEFF")
	errs := &errorSink{file: filename}
	if !utf8.ValidString(text) {
		errs.add(invalidUTF8Pos(filename, text), "the file is not valid UTF-8")
		return nil, errs.list(text)
	}
	toks := lex(filename, text, errs)
	if !errs.empty() {
		return nil, errs.list(text)
	}
	ast, err := parseTokens(toks)
	if err != nil {
		syntaxError(err, toks, errs)
		return nil, errs.list(text)
	}
	prog := check(ast, toks, errs)
	if !errs.empty() {
		return nil, errs.list(text)
	}
	sc := lower(prog)
	sc.File = filename
	return sc, nil
}

func invalidUTF8Pos(filename, text string) lexer.Position {
	pos := lexer.Position{Filename: filename, Line: 1, Column: 1}
	for i, r := range text {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(text[i:]); n == 1 {
				pos.Offset = i
				return pos
			}
		}
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
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

func parseTokens(toks []lexer.Token) (*File, error) {
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, err
	}
	return parser.ParseFromLexer(peek)
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
	"repeat":         "a count and a block: repeat 3 { ... }",
	"lock":           "a name in quotes and a block: lock \"name\" { ... }",
	"switch":         "a greenlet name in quotes: switch \"name\"",
	"offload":        "a block: offload { ... }",
	"expect":         "a metric: expect makespan < 1s",
	"within":         "a tolerance: within 5% or within 2ms",
	"machine":        "a block: machine { ... }",
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
		errs.add(pos, "%s", perr.Message())
		return
	}
	bad := ute.Unexpected
	i := tokenIndex(toks, bad.Pos.Offset)
	if i > 0 {
		prev := toks[i-1]
		if need, ok := valueAfter[prev.Value]; ok && prev.Type == tokKeyword && !(prev.Value == "repeat" && bad.Type == tokQuantity) {
			errs.add(prev.Pos, "`%s` needs %s", prev.Value, need)
			return
		}
	}
	switch {
	case bad.EOF():
		errs.add(pos, "unexpected end of file%s", expected(ute.Expect))
	case bad.Type == tokKeyword && bad.Value == "scenario" && i > 0:
		errs.add(pos, "a file holds exactly one scenario")
	case bad.Type == tokIdent && keywordSet[strings.ToLower(bad.Value)]:
		errs.add(pos, "unexpected %s: keywords are lower-case (%s)", describeToken(bad), strings.ToLower(bad.Value))
	default:
		errs.add(pos, "unexpected %s%s", describeToken(bad), expected(ute.Expect))
	}
}

func expected(e string) string {
	if e == "" || len(e) > 60 {
		return ""
	}
	return " (expected " + e + ")"
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
