package dsl

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
)

// The leaves of the tree, the nodes of one token (a quantity, a string,
// a word, a comparison, a metric's argument, a start method), implement
// participle's Parseable in the parser's copies of the grammar: where
// the grammar has `@@` of a leaf, participle calls its Parse with its
// PeekingLexer. A leaf parsed from its struct tags costs participle a
// score of allocations (the node, its position boxed, a branch for each
// alternative token type, the deferred capture and its conversion); Parse
// takes the token or leaves it, and costs participle the node alone.
//
// Each leaf type is the grammar's own type, with the grammar's fields,
// so that a leaf becomes the grammar's node by a conversion of its
// pointer. Parse takes exactly the token the grammar's rule would (one
// of the token types its capture names), or returns participle.NextMatch
// without consuming anything, as a rule that does not match.
// TestParseableMatchesGrammar and FuzzParseable hold the parser, leaves
// and all, to the grammar.

// qtyNode is grammar.Qty: `@(Quantity | ParamRef)`.
type qtyNode grammar.Qty

func (q *qtyNode) Parse(lex *lexer.PeekingLexer) error {
	return take(lex, &q.Pos, &q.Raw, tokQuantity, tokParamRef)
}

// strNode is grammar.Str: `@String`.
type strNode grammar.Str

func (s *strNode) Parse(lex *lexer.PeekingLexer) error {
	return take(lex, &s.Pos, &s.Raw, tokString, tokString)
}

// wordNode is grammar.Word: `@(Ident | Keyword)`.
type wordNode grammar.Word

func (w *wordNode) Parse(lex *lexer.PeekingLexer) error {
	return take(lex, &w.Pos, &w.Text, tokIdent, tokKeyword)
}

// opTokNode is grammar.OpTok: `@Op`.
type opTokNode grammar.OpTok

func (o *opTokNode) Parse(lex *lexer.PeekingLexer) error {
	return take(lex, &o.Pos, &o.Text, tokOp, tokOp)
}

// metricArgNode is grammar.MetricArg: `@String | @(Ident | Keyword)`,
// each into a string of its own.
type metricArgNode grammar.MetricArg

func (a *metricArgNode) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	v := t.Value
	switch t.Type {
	case tokString:
		a.Str = &v
	case tokIdent, tokKeyword:
		a.Word = &v
	default:
		return participle.NextMatch
	}
	setPos(&a.Pos, &t.Pos)
	lex.Next()
	return nil
}

// methodNode is grammar.Method: `@Ident`.
type methodNode grammar.Method

func (m *methodNode) Parse(lex *lexer.PeekingLexer) error {
	return take(lex, &m.Pos, &m.Name, tokIdent, tokIdent)
}

// take is a leaf's Parse: it takes the next token if it is of type a or
// b, its position into pos and its text into text; otherwise it consumes
// nothing and returns participle.NextMatch, as a rule that does not match.
func take(lex *lexer.PeekingLexer, pos *lexer.Position, text *string, a, b lexer.TokenType) error {
	t := lex.Peek()
	if t.Type != a && t.Type != b {
		return participle.NextMatch
	}
	setPos(pos, &t.Pos)
	*text = t.Value
	lex.Next()
	return nil
}
