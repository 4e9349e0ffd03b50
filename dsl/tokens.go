package dsl

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// TokenKind says what a Token is, for tools that read a file without
// parsing it: a formatter, an editor's highlighting and completion.
type TokenKind uint8

// The kinds of Token. A malformed quantity (`5min`) is still a
// TokenQuantity, and an unterminated string a TokenBad: Tokens never
// fails, it only classifies.
const (
	TokenKeyword  TokenKind = iota + 1 // a reserved word: task, cpu, expect
	TokenIdent                         // any other word: a policy, a metric, a machine key
	TokenString                        // "quoted", escapes and all
	TokenQuantity                      // a number glued to its unit: 5ms, 8GB, -5, 50%
	TokenParamRef                      // $name
	TokenOp                            // < <= > >= == ~=
	TokenPunct                         // { } ( ) [ ] , =
	TokenComment                       // # to the end of the line, without the line ending
	TokenBad                           // anything else, and strings left open
)

var tokenKinds = map[lexer.TokenType]TokenKind{
	tokKeyword:   TokenKeyword,
	tokIdent:     TokenIdent,
	tokString:    TokenString,
	tokQuantity:  TokenQuantity,
	tokParamRef:  TokenParamRef,
	tokOp:        TokenOp,
	tokPunct:     TokenPunct,
	tokComment:   TokenComment,
	tokBad:       TokenBad,
	tokBadString: TokenBad,
}

// Token is one token of a file as Tokens finds it.
type Token struct {
	Kind   TokenKind
	Text   string // as written (a comment keeps its #, not a trailing \r)
	Offset int    // byte offset in the source given to Tokens, byte-order mark included
	Line   int    // 1-based
	Col    int    // 1-based, in runes, not counting a leading byte-order mark (as errors count)
}

// End is the byte offset just past the token.
func (t Token) End() int { return t.Offset + len(t.Text) }

// Tokens splits src into tokens, comments included, whatever it holds: a
// half-typed or broken file gives the tokens it has. A leading byte-order
// mark is skipped, and Offset counts it. Files larger than MaxFileSize
// give no tokens.
func Tokens(src []byte) []Token {
	if len(src) > MaxFileSize {
		return nil
	}
	text := string(src)
	bom := 0
	if strings.HasPrefix(text, "\uFEFF") {
		bom = len("\uFEFF")
		text = text[bom:]
	}
	raw := scanTokens("", text, true)
	out := make([]Token, 0, len(raw))
	for _, t := range raw {
		if t.EOF() {
			break
		}
		v := t.Value
		if t.Type == tokComment {
			v = strings.TrimRight(v, "\r")
		}
		out = append(out, Token{Kind: tokenKinds[t.Type], Text: v, Offset: t.Pos.Offset + bom, Line: t.Pos.Line, Col: t.Pos.Column})
	}
	return out
}

// IsKeyword reports whether word is a reserved word of the language.
func IsKeyword(word string) bool { return keywordSet[word] }

// Keywords returns the reserved words, in the order doc.go lists them.
func Keywords() []string { return append([]string(nil), keywords...) }
