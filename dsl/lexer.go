package dsl

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// keywords are reserved: they never lex as identifiers.
var keywords = []string{
	"scenario", "seed", "cores", "policy", "quantum", "context_switch",
	"task", "process", "thread", "x", "at", "priority", "nice",
	"gil", "interval", "legacy", "check", "off", "startup",
	"asyncio", "gevent", "eventlet", "greenlets", "coroutines",
	"patched", "unpatched", "greenlet", "greenthread", "gen",
	"cpu", "native", "io", "sleep", "await", "yield", "offload", "repeat", "lock", "switch", "blocking",
	"send", "recv", "semaphore", "start",
	"uniform", "exp", "normal",
	"expect", "within", "machine", "workload", "param", "vary", "in", "when", "and",
}

var keywordSet = func() map[string]bool {
	m := make(map[string]bool, len(keywords))
	for _, k := range keywords {
		m[k] = true
	}
	return m
}()

// The lexer has one token for every number, glued to whatever letters
// follow it (Quantity), so that `10sx`, `1e3ms` and `0x10ms` arrive as one
// token that checkQuantityShape can reject with a precise message rather
// than as a number followed by a stray identifier. Rules are tried in
// order; lower-case rule names are skipped by the lexer.
//
// The definition is built on first use, not at start-up: it compiles
// eleven regular expressions, scan finds the tokens without them, and
// only participle needs the definition itself.
var lexerDef = sync.OnceValue(func() *lexer.StatefulDefinition {
	return lexer.MustSimple([]lexer.SimpleRule{
		{Name: "whitespace", Pattern: `[ \t\r\n]+`},
		{Name: "comment", Pattern: `#[^\r\n]*`},
		{Name: "String", Pattern: `"(?:\\[^\r\n]|[^"\\\r\n])*"`},
		{Name: "BadString", Pattern: `"(?:\\[^\r\n]|[^"\\\r\n])*\\?`},
		{Name: "Quantity", Pattern: `-?[0-9][\p{L}\p{N}_.%]*`},
		{Name: "Keyword", Pattern: `(?:` + strings.Join(keywords, "|") + `)\b`},
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "ParamRef", Pattern: `\$[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "Op", Pattern: `<=|>=|==|~=|<|>`},
		{Name: "Punct", Pattern: `[{}(),=\[\]]`},
		{Name: "Bad", Pattern: `.`},
	})
})

// maxDepth bounds the nesting of { } blocks, so that the recursive parser
// and checker never run out of stack on a hostile file.
const maxDepth = 200

// The token types, as lexerDef numbers its rules: EOF is -1 and the rules
// follow from -2 in order (TestTokenTypes checks them against lexerDef's
// symbols).
const (
	tokComment   lexer.TokenType = -3
	tokString    lexer.TokenType = -4
	tokBadString lexer.TokenType = -5
	tokQuantity  lexer.TokenType = -6
	tokKeyword   lexer.TokenType = -7
	tokIdent     lexer.TokenType = -8
	tokParamRef  lexer.TokenType = -9
	tokOp        lexer.TokenType = -10
	tokPunct     lexer.TokenType = -11
	tokBad       lexer.TokenType = -12
)

// lex turns src into tokens (without whitespace and comments, ending with
// EOF) and reports every lexical error: bad characters, unterminated
// strings, unknown escapes, malformed numbers and units. src must be valid
// UTF-8.
func lex(filename string, src string, errs *errorSink) []lexer.Token {
	toks := scan(filename, src)
	checkTokens(src, toks, errs)
	return toks
}

// checkTokens reports the lexical errors of toks, the tokens of src.
func checkTokens(src string, toks []lexer.Token, errs *errorSink) {
	c := tokenCheck{src: src, errs: errs}
	c.check(toks)
}

// tokenCheck is checkTokens over a file's tokens given in consecutive
// runs (the chunks the parser reads): what one run leaves open — the
// depth of braces, a run of `blocking`, the last token — is carried to
// the next, so that the errors are those of checkTokens over the whole.
type tokenCheck struct {
	src      string
	errs     *errorSink
	depth    int
	blocking int            // `blocking` keywords in a row
	runStart lexer.Position // the first of them
	prev     lexer.Token    // the token before the run being checked
	hasPrev  bool
}

// check checks the next tokens of the file, up to its EOF if they hold it.
func (c *tokenCheck) check(toks []lexer.Token) {
	errs := c.errs
	for ti := range toks {
		t := &toks[ti]
		if t.EOF() {
			break
		}
		// A step after `blocking` is parsed within it: a long run of them
		// would nest the parsers past any stack (a run of two is already
		// the checker's error).
		if t.Type == tokKeyword && t.Value == "blocking" {
			if c.blocking++; c.blocking == 1 {
				c.runStart = t.Pos
			}
			if c.blocking == maxDepth+1 && !errs.full() {
				errs.add(c.runStart, "%s", blockingTwice)
			}
		} else {
			c.blocking = 0
		}
		if errs.full() {
			continue
		}
		switch t.Type {
		case tokBad:
			errs.add(t.Pos, "unexpected character %s", describeRune(t.Value))
		case tokBadString:
			end := t.Pos.Offset + len(t.Value)
			if src := c.src; end < len(src) && src[end] == '\r' && !strings.HasPrefix(src[end:], "\r\n") {
				// A lone CR ends a line, as it does in old Mac files, but
				// in the middle of a name it is more likely a stray byte.
				p := t.Pos
				advance(&p, t.Value)
				errs.add(p, "a carriage return (U+000D) in a string: it ends the line, and a string ends with \" on its line")
				break
			}
			errs.add(t.Pos, "unterminated string: a string ends with \" on the same line")
		case tokString:
			checkString(t, errs)
		case tokQuantity:
			checkQuantityShape(t, errs)
		case tokIdent, tokKeyword:
			prev := &c.prev
			if ti > 0 {
				prev = &toks[ti-1]
			}
			if (ti > 0 || c.hasPrev) && prev.Type == tokQuantity && prev.Pos.Line == t.Pos.Line && isUnit(t.Value) {
				if _, _, unit, ok := splitQuantity(prev.Value); ok && unit == "" {
					errs.add(prev.Pos, "no space is allowed between a number and its unit: write %s%s", prev.Value, t.Value)
				}
			}
		case tokPunct:
			switch t.Value {
			case "{":
				c.depth++
				if c.depth == maxDepth+1 {
					errs.add(t.Pos, "blocks are nested too deeply (the limit is %d)", maxDepth)
				}
			case "}":
				c.depth--
			}
		}
	}
	if n := len(toks); n > 0 && !toks[n-1].EOF() {
		c.prev, c.hasPrev = toks[n-1], true
	}
}

func describeRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	if r == '-' {
		return "'-': a sign is written glued to its number (nice -5)"
	}
	if r == '.' {
		return "'.': a number needs digits before its point (0.5, not .5)"
	}
	if unicode.IsPrint(r) && r != utf8.RuneError {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// checkString reports escapes other than \" and \\, at the backslash,
// and control characters, which no name or title may hold: a terminal
// would act on them, and they would print differently in every format.
func checkString(t *lexer.Token, errs *errorSink) {
	s := t.Value
	col := t.Pos.Column
	for i := 1; i < len(s)-1; {
		if c := s[i]; c >= ' ' && c < utf8.RuneSelf && c != '\\' && c != 0x7f {
			// printable ASCII, the most of any name
			i++
			col++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isControl(r) {
			p := t.Pos
			p.Column = col + 1
			p.Offset = t.Pos.Offset + i
			errs.add(p, "%s in a string: names and titles cannot hold control characters", describeControl(r))
		}
		if r == '\\' {
			next, m := utf8.DecodeRuneInString(s[i+1:])
			if next != '"' && next != '\\' {
				p := t.Pos
				p.Column = col + 1
				p.Offset = t.Pos.Offset + i
				errs.add(p, "unknown escape \\%c in string: only \\\" and \\\\ are allowed", next)
			}
			i += n + m
			col += 2
			continue
		}
		i += n
		col++
	}
}

// isControl reports whether r is a control character (C0, DEL, C1) or a
// line or paragraph separator, which some editors break lines at.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == 0x2028 || r == 0x2029
}

// controlNames are the control characters people know by name.
var controlNames = map[rune]string{
	0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x09: "tab", 0x0a: "line feed",
	0x0b: "vertical tab", 0x0c: "form feed", 0x0d: "carriage return", 0x1b: "escape",
	0x7f: "delete", 0x85: "next line", 0x2028: "line separator", 0x2029: "paragraph separator",
}

// describeControl names a control character: "the control character
// U+001B (escape)".
func describeControl(r rune) string {
	s := fmt.Sprintf("the control character U+%04X", r)
	if name, ok := controlNames[r]; ok {
		s += " (" + name + ")"
	}
	return s
}

// unquote returns the value of a String token already checked by
// checkString.
func unquote(raw string) string {
	s := raw[1 : len(raw)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var units = map[string]unitInfo{
	"ns": {kind: unitDuration, scale: 1},
	"us": {kind: unitDuration, scale: 1_000},
	"µs": {kind: unitDuration, scale: 1_000}, // U+00B5 MICRO SIGN
	"μs": {kind: unitDuration, scale: 1_000}, // U+03BC GREEK SMALL LETTER MU
	"ms": {kind: unitDuration, scale: 1_000_000},
	"s":  {kind: unitDuration, scale: 1_000_000_000},
	"B":  {kind: unitSize, scale: 1},
	"KB": {kind: unitSize, scale: 1 << 10},
	"MB": {kind: unitSize, scale: 1 << 20},
	"GB": {kind: unitSize, scale: 1 << 30},
	// KiB, MiB and GiB are the same powers of 1024, spelled as the
	// results print sizes (8.773MiB), so a printed size can be pasted
	"KiB": {kind: unitSize, scale: 1 << 10},
	"MiB": {kind: unitSize, scale: 1 << 20},
	"GiB": {kind: unitSize, scale: 1 << 30},
	"%":   {kind: unitPercent, scale: 1},
}

// unitNames are the units in a fixed order, for suggestions.
var unitNames = []string{"ns", "us", "µs", "ms", "s", "B", "KB", "MB", "GB", "KiB", "MiB", "GiB"}

type unitKind uint8

const (
	unitNone unitKind = iota
	unitDuration
	unitSize
	unitPercent
)

type unitInfo struct {
	kind  unitKind
	scale uint64
}

func isUnit(s string) bool { _, ok := unitFor(s); return ok }

// unitFor is units[s] without hashing s: every number of a file is looked
// up (TestUnitFor checks that the two agree).
func unitFor(s string) (unitInfo, bool) {
	switch s {
	case "ns":
		return unitInfo{kind: unitDuration, scale: 1}, true
	case "us", "µs", "μs":
		return unitInfo{kind: unitDuration, scale: 1_000}, true
	case "ms":
		return unitInfo{kind: unitDuration, scale: 1_000_000}, true
	case "s":
		return unitInfo{kind: unitDuration, scale: 1_000_000_000}, true
	case "B":
		return unitInfo{kind: unitSize, scale: 1}, true
	case "KB", "KiB":
		return unitInfo{kind: unitSize, scale: 1 << 10}, true
	case "MB", "MiB":
		return unitInfo{kind: unitSize, scale: 1 << 20}, true
	case "GB", "GiB":
		return unitInfo{kind: unitSize, scale: 1 << 30}, true
	case "%":
		return unitInfo{kind: unitPercent, scale: 1}, true
	}
	return unitInfo{}, false
}

// splitQuantity splits a Quantity token into sign, digits (with the
// decimal point, if any) and unit. ok is false when the digits are not
// `[0-9]+(\.[0-9]+)?`.
func splitQuantity(s string) (neg bool, digits, unit string, ok bool) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return neg, s[:i], s[i:], false
		}
		i = j
	}
	return neg, s[:i], s[i:], i > 0
}

func checkQuantityShape(t *lexer.Token, errs *errorSink) {
	s := t.Value
	_, _, unit, ok := splitQuantity(s)
	switch {
	case !ok || strings.HasPrefix(unit, "."):
		errs.add(t.Pos, "malformed number %s: a number is digits with an optional decimal part (1, 2.5)", s)
	case unit == "" || isUnit(unit):
	case strings.HasPrefix(strings.TrimPrefix(s, "-"), "0x") || strings.HasPrefix(strings.TrimPrefix(s, "-"), "0X"):
		errs.add(t.Pos, "hexadecimal numbers are not allowed: %s", s)
	case strings.HasPrefix(unit, "_"):
		errs.add(t.Pos, "`_` is not allowed in numbers: %s", s)
	case len(unit) >= 2 && (unit[0] == 'e' || unit[0] == 'E') && (unit[1] >= '0' && unit[1] <= '9' || unit[1] == '-' || unit[1] == '+'):
		errs.add(t.Pos, "exponents are not allowed in numbers: %s", s)
	default:
		errs.add(t.Pos, "unknown unit %q in %s: durations take ns, us, µs, ms or s; sizes B, KB, MB or GB%s", unit, s, didYouMean(unit, unitNames))
	}
}
