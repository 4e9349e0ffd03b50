package dsl

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// scan is the fast path of lexerDef: a hand-written scanner that yields
// exactly the tokens the regular-expression rules would (FuzzScan checks
// this), about ten times faster. lexerDef stays the definition of the
// tokens; scan is how they are found. src must be valid UTF-8.
func scan(filename, src string) []lexer.Token {
	return scanTokens(filename, src, false)
}

// scanTokens is scan, with the comments kept as tokens of type
// tokComment when comments is set (the formatter and editors need them;
// the parser does not).
func scanTokens(filename, src string, comments bool) []lexer.Token {
	toks := make([]lexer.Token, 0, len(src)/5+1)
	s := newScanner(filename, src, comments)
	for {
		t, _ := s.Next()
		toks = append(toks, t)
		if t.Type == lexer.EOF {
			return toks
		}
	}
}

// scanner finds the tokens of src one at a time: it is the
// lexer.Lexer that lexer.Upgrade reads into participle's PeekingLexer,
// so that the parser's tokens are scanned straight into the one slice
// participle keeps. A keyword's or a punctuation's Value is the
// keyword's or the character's constant, not a slice of src: the
// collector passes over a pointer outside the heap at once.
type scanner struct {
	src      string
	pos      lexer.Position
	i        int
	comments bool
	n        int  // tokens returned, EOF included
	refs     bool // a `$name` was returned
}

func newScanner(filename, src string, comments bool) *scanner {
	return &scanner{src: src, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}, comments: comments}
}

// Next returns the next token; after the last one, EOF, again and
// again. It never fails: what no rule matches is a tokBad token.
func (s *scanner) Next() (lexer.Token, error) {
	var t lexer.Token
	s.scanInto(&t)
	return t, nil
}

// scanInto writes the next token into *t, field by field: the chunker
// scans into its window, on the heap, where a whole Token copied in
// while the collector runs costs a bulk write barrier (some 400
// instructions) and a field two pointer barriers.
func (s *scanner) scanInto(t *lexer.Token) {
	src := s.src
	for s.i < len(src) {
		i := s.i
		c := src[i]
		end := i + 1
		var typ lexer.TokenType
		value := ""
		switch cls := byteClass[c] &^ bWord; {
		case cls == bSpace:
			// skipped, the position moved as advance moves it: a line
			// at each \n, \r\n or lone \r
			line, col := s.pos.Line, s.pos.Column
		space:
			for end = i; end < len(src); end++ {
				switch src[end] {
				case ' ', '\t':
					col++
				case '\n':
					line, col = line+1, 1
				case '\r':
					if end+1 < len(src) && src[end+1] == '\n' {
						col++
					} else {
						line, col = line+1, 1
					}
				default:
					break space
				}
			}
			s.pos.Offset, s.pos.Line, s.pos.Column = end, line, col
			s.i = end
			continue
		case cls == bHash:
			end = lineEnd(src, end)
			typ = lexer.EOF // skipped
			if s.comments {
				typ = tokComment
			}
		case cls == bQuote:
			end, typ = scanString(src, i)
		case cls == bDigit || cls == bMinus && i+1 < len(src) && isDigit(src[i+1]):
			for end < len(src) {
				b := src[end]
				if b < utf8.RuneSelf {
					if !isWord(b) && b != '.' && b != '%' {
						break
					}
					end++
					continue
				}
				r, n := utf8.DecodeRuneInString(src[end:])
				if !(unicode.IsLetter(r) || unicode.IsNumber(r)) {
					break
				}
				end += n
			}
			typ = tokQuantity
		case cls == bLetter:
			for end < len(src) && byteClass[src[end]]&bWord != 0 {
				end++
			}
			typ = tokIdent
			if k := keywordCode(src[i:end]); k != 0 {
				typ, value = tokKeyword, keywords[k-1]
			}
		case cls == bDollar && i+1 < len(src) && byteClass[src[i+1]]&^bWord == bLetter:
			end = i + 2
			for end < len(src) && isWord(src[end]) {
				end++
			}
			typ = tokParamRef
			s.refs = true
		case cls == bCompare:
			switch {
			case end < len(src) && src[end] == '=':
				end++
				typ = tokOp
			case c == '<' || c == '>':
				typ = tokOp
			case c == '=':
				typ, value = tokPunct, "="
			default:
				typ = tokBad
			}
		case cls == bPunct:
			typ, value = tokPunct, punctValue(c)
		default:
			_, n := utf8.DecodeRuneInString(src[i:])
			end = i + n
			typ = tokBad
		}
		if typ == lexer.EOF { // a comment, skipped
			s.pos.Offset = end
			s.pos.Column += commentColumns(src, i, end)
			s.i = end
			continue
		}
		if value == "" {
			value = src[i:end]
		}
		// field by field: a Position copied whole into the heap while
		// the collector runs costs a bulk write barrier
		t.Type, t.Value = typ, value
		t.Pos.Filename, t.Pos.Offset, t.Pos.Line, t.Pos.Column = s.pos.Filename, s.pos.Offset, s.pos.Line, s.pos.Column
		// No token holds a line break (a comment and a string end before
		// it), so a token moves the position a column per rune.
		s.pos.Offset = end
		switch typ {
		case tokKeyword, tokIdent, tokPunct, tokOp, tokParamRef:
			// ASCII: a column per byte
			s.pos.Column += end - i
		case tokComment:
			s.pos.Column += commentColumns(src, i, end)
		default:
			s.pos.Column += utf8.RuneCountInString(src[i:end])
		}
		s.i = end
		s.n++
		return
	}
	s.n++
	t.Type, t.Value = lexer.EOF, ""
	t.Pos.Filename, t.Pos.Offset, t.Pos.Line, t.Pos.Column = s.pos.Filename, s.pos.Offset, s.pos.Line, s.pos.Column
}

// The classes of a token's first byte, for scanInto's switch (a byte
// that starts no token of its own is bOther); bWord marks the bytes of
// a word after its first (letters, digits and _).
const (
	bOther uint8 = iota
	bSpace
	bHash
	bQuote
	bDigit
	bMinus
	bLetter // and _
	bDollar
	bCompare // < > = ~
	bPunct

	bWord uint8 = 0x80
)

var byteClass = func() (t [256]uint8) {
	for _, c := range " \t\r\n" {
		t[c] = bSpace
	}
	t['#'], t['"'], t['-'], t['$'] = bHash, bQuote, bMinus, bDollar
	for c := '0'; c <= '9'; c++ {
		t[c] = bDigit | bWord
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = bLetter | bWord
		t[c-'a'+'A'] = bLetter | bWord
	}
	t['_'] = bLetter | bWord
	for _, c := range "<>=~" {
		t[c] = bCompare
	}
	for _, c := range "{}(),[]" {
		t[c] = bPunct
	}
	return t
}()

// lineEnd is the index of the first \n or \r of src from i, or len(src).
func lineEnd(src string, i int) int {
	rest := src[i:]
	if n := strings.IndexByte(rest, '\n'); n >= 0 {
		rest = rest[:n]
	}
	if r := strings.IndexByte(rest, '\r'); r >= 0 {
		rest = rest[:r]
	}
	return i + len(rest)
}

// commentColumns is the columns the comment src[i:end] moves the
// position: none that count when a line ends right after it, as one
// always does but at the end of the file (the line's end puts the
// position on the next line's first column).
func commentColumns(src string, i, end int) int {
	if end < len(src) {
		return 0
	}
	return utf8.RuneCountInString(src[i:end])
}

// punctValue is the constant string of a punctuation character.
func punctValue(c byte) string {
	switch c {
	case '{':
		return "{"
	case '}':
		return "}"
	case '(':
		return "("
	case ')':
		return ")"
	case ',':
		return ","
	case '[':
		return "["
	}
	return "]"
}

// scanString scans a string from the quote at src[i]: a String when it is
// closed on its line, else a BadString up to the end of the line (with a
// trailing backslash, as the BadString rule has it). A line ends at \n,
// \r\n or a lone \r.
func scanString(src string, i int) (int, lexer.TokenType) {
	j := i + 1
	for j < len(src) {
		switch src[j] {
		case '"':
			return j + 1, tokString
		case '\n', '\r':
			return j, tokBadString
		case '\\':
			if j+1 >= len(src) || src[j+1] == '\n' || src[j+1] == '\r' {
				return j + 1, tokBadString
			}
			_, n := utf8.DecodeRuneInString(src[j+1:])
			j += 1 + n
		default:
			// a byte of a rune: none of the bytes above is ever part of
			// another rune's encoding
			j++
		}
	}
	return j, tokBadString
}

// advance moves pos over span, counting columns in runes and lines at
// each \n, \r\n or lone \r (the three line endings; a file that ends its
// lines with \r alone is still a file of many lines).
func advance(pos *lexer.Position, span string) {
	pos.Offset += len(span)
	for k := 0; k < len(span); {
		if span[k] == '\r' && (k+1 >= len(span) || span[k+1] != '\n') {
			pos.Line++
			pos.Column = 1
			k++
			continue
		}
		if span[k] == '\n' {
			pos.Line++
			pos.Column = 1
			k++
			continue
		}
		if span[k] < utf8.RuneSelf {
			k++
		} else {
			_, n := utf8.DecodeRuneInString(span[k:])
			k += n
		}
		pos.Column++
	}
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }
