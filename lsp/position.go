package lsp

import (
	"sort"
	"strings"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// lines maps between byte offsets of a document and LSP positions: a
// 0-based line and a column in UTF-16 code units, as LSP counts by
// default. The dsl counts columns in runes, from 1, not counting a
// byte-order mark.
type lines struct {
	text   string
	starts []int // byte offset of each line
	bom    int   // length of a leading byte-order mark
}

func newLines(text string) *lines {
	l := &lines{text: text, starts: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	if strings.HasPrefix(text, "\uFEFF") {
		l.bom = len("\uFEFF")
	}
	return l
}

// lineEnd is the offset of the end of line n, before its line ending.
func (l *lines) lineEnd(n int) int {
	end := len(l.text)
	if n+1 < len(l.starts) {
		end = l.starts[n+1] - 1
	}
	if end > l.starts[n] && l.text[end-1] == '\r' && end < len(l.text) {
		end--
	}
	return end
}

// position converts a byte offset.
func (l *lines) position(offset int) protocol.Position {
	offset = min(max(offset, 0), len(l.text))
	n := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > offset }) - 1
	return protocol.Position{Line: protocol.UInteger(n), Character: protocol.UInteger(utf16Len(l.text[l.starts[n]:offset]))}
}

// offset converts a position, clamped to the document: a line past the
// end is the end, a column past a line's end is its end.
func (l *lines) offset(p protocol.Position) int {
	n := int(p.Line)
	if n >= len(l.starts) {
		return len(l.text)
	}
	i, end := l.starts[n], l.lineEnd(n)
	for units := 0; i < end; {
		r, size := utf8.DecodeRuneInString(l.text[i:end])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > int(p.Character) {
			break
		}
		units += w
		i += size
	}
	return i
}

// dslOffset converts a dsl position (1-based line, 1-based column in
// runes, a byte-order mark not counted) to a byte offset.
func (l *lines) dslOffset(line, col int) int {
	n := line - 1
	if n < 0 {
		return 0
	}
	if n >= len(l.starts) {
		return len(l.text)
	}
	i, end := l.starts[n], l.lineEnd(n)
	if n == 0 {
		i += l.bom
	}
	for c := 1; c < col && i < end; c++ {
		_, size := utf8.DecodeRuneInString(l.text[i:end])
		i += size
	}
	return i
}

func (l *lines) span(from, to int) protocol.Range {
	return protocol.Range{Start: l.position(from), End: l.position(to)}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
