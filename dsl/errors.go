package dsl

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// MaxErrors is the most errors one Parse reports. Past it the list ends
// with a "too many errors" entry.
const MaxErrors = 20

// collectLimit bounds the errors gathered before sorting, so that a file
// with a million mistakes does not cost a million messages.
const collectLimit = 200

// Error is one problem in a scenario file, with the position it refers to.
// Line and Col count from 1; Col counts runes (characters), not bytes. A
// problem with the file as a whole (too large, unreadable) has Line 0.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	Source    string // the offending line, without its line ending
}

// Error renders e as file:line:col: message.
func (e *Error) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem Parse found, in file order, at most MaxErrors
// of them (plus a final "too many errors" entry when there were more).
type ErrorList []*Error

// Error renders every error as `file:line:col: message`, then the source
// line, then a caret under the column. Tabs of the source line are kept in
// the caret line's padding so that the caret lines up in a terminal.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
		if e.Line <= 0 || e.Source == "" && e.Col <= 1 {
			continue
		}
		line, caret := excerpt(e.Source, e.Col)
		b.WriteByte('\n')
		b.WriteString(line)
		b.WriteByte('\n')
		b.WriteString(caret)
	}
	return b.String()
}

// Unwrap lets errors.As and errors.Is look at each error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// excerptHalf is how many runes of a long source line are shown on each
// side of the error's column.
const excerptHalf = 60

// excerpt is the source line as shown under an error, and the caret line
// under it. Characters a terminal would act on are shown escaped (\x1b,
// \u202e), a line longer than about 120 runes is cut to the part around the
// column, and the caret counts what is shown, keeping tabs, so that it
// stands under the column however the line was escaped or cut.
func excerpt(src string, col int) (line, caret string) {
	runes := []rune(src)
	c := col - 1 // 0-based rune index of the column
	start, end := 0, len(runes)
	if len(runes) > 2*excerptHalf+10 {
		start = max(0, min(c, len(runes))-excerptHalf)
		end = min(len(runes), max(c, 0)+excerptHalf)
	}
	var lb, cb strings.Builder
	if start > 0 {
		lb.WriteString("…")
		cb.WriteByte(' ')
	}
	for i := start; i < end; i++ {
		shown := visible(runes[i])
		lb.WriteString(shown)
		if i < c {
			if runes[i] == '\t' {
				cb.WriteByte('\t')
			} else {
				cb.WriteString(strings.Repeat(" ", utf8.RuneCountInString(shown)))
			}
		}
	}
	if end < len(runes) {
		lb.WriteString("…")
	}
	for i := max(end, start); i < c; i++ {
		cb.WriteByte(' ') // a column past the end of the line
	}
	cb.WriteByte('^')
	return lb.String(), cb.String()
}

// visible is r as an error excerpt shows it: itself, or an escape for the
// control, bidi, line-separator and invisible characters a terminal would
// act on or show as nothing. It escapes what the report package's
// TermSafeText escapes, which the CLI applies to the whole message, so
// that the caret, placed by this escaping, stays under its column.
func visible(r rune) string {
	switch {
	case r == '\t':
		return "\t"
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("\\x%02x", r)
	case r >= 0x80 && r < 0xa0, r == utf8.RuneError, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029, r == 0x200e, r == 0x200f, r == 0x061c:
		return fmt.Sprintf("\\u%04x", r)
	case invisible(r) && r > 0xffff:
		return fmt.Sprintf("\\U%08x", r)
	case invisible(r):
		return fmt.Sprintf("\\u%04x", r)
	}
	return string(r)
}

// invisible reports whether r is a default-ignorable code point: a
// character shown as nothing (zero-width space, soft hyphen, variation
// selectors, tag characters), derived from Go's tables as the standard
// derives the property.
func invisible(r rune) bool {
	switch {
	case r < 0xad:
		return false
	case r >= 0xfff9 && r <= 0xfffb, r >= 0x13430 && r <= 0x13440:
		return false
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r),
		unicode.Is(unicode.Variation_Selector, r):
		return true
	}
	return unicode.Is(unicode.Cf, r) && !unicode.Is(unicode.Prepended_Concatenation_Mark, r)
}

// errorSink gathers positioned errors during one Parse.
type errorSink struct {
	file string
	errs []*Error
	more bool // errors were dropped past collectLimit
}

func (s *errorSink) add(pos lexer.Position, format string, args ...any) {
	if len(s.errs) >= collectLimit {
		s.more = true
		return
	}
	line, col := pos.Line, pos.Column
	if line < 1 {
		line, col = 1, 1
	}
	s.errs = append(s.errs, &Error{File: s.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// addFile records an error about the whole file (no position).
func (s *errorSink) addFile(format string, args ...any) {
	s.errs = append(s.errs, &Error{File: s.file, Msg: fmt.Sprintf(format, args...)})
}

func (s *errorSink) full() bool { return len(s.errs) >= collectLimit }

func (s *errorSink) empty() bool { return len(s.errs) == 0 }

// list sorts the errors by position, drops duplicates, caps them at
// MaxErrors and fills in their source lines.
func (s *errorSink) list(src string) ErrorList {
	if len(s.errs) == 0 {
		return nil
	}
	sort.SliceStable(s.errs, func(i, j int) bool {
		a, b := s.errs[i], s.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	out := make(ErrorList, 0, len(s.errs))
	for _, e := range s.errs {
		if n := len(out); n > 0 && *out[n-1] == *e {
			continue
		}
		out = append(out, e)
	}
	if len(out) > MaxErrors || s.more {
		extra := out[min(MaxErrors, len(out)-1)]
		if len(out) > MaxErrors {
			out = out[:MaxErrors]
		}
		out = append(out, &Error{File: s.file, Line: extra.Line, Col: extra.Col, Msg: "too many errors"})
	}
	lines := sourceLines(src, out)
	for _, e := range out {
		if e.Line > 0 {
			e.Source = lines[e.Line]
		}
	}
	return out
}

// sourceLines returns the text of every line some error refers to, in one
// pass over src.
func sourceLines(src string, errs ErrorList) map[int]string {
	want := make(map[int]string, len(errs))
	maxLine := 0
	for _, e := range errs {
		if e.Line > 0 {
			want[e.Line] = ""
			maxLine = max(maxLine, e.Line)
		}
	}
	line := 1
	for line <= maxLine {
		text, rest, more := cutLine(src)
		if _, ok := want[line]; ok {
			if !utf8.ValidString(text) {
				text = strings.ToValidUTF8(text, "\uFFFD")
			}
			want[line] = text
		}
		if !more {
			break
		}
		src = rest
		line++
	}
	return want
}

// cutLine splits the first line off src, without its ending: \n, \r\n or
// a lone \r, as the scanner counts lines. more is false on the last line.
func cutLine(src string) (line, rest string, more bool) {
	end := strings.IndexAny(src, "\r\n")
	if end < 0 {
		return src, "", false
	}
	next := end + 1
	if src[end] == '\r' && next < len(src) && src[next] == '\n' {
		next++
	}
	return src[:end], src[next:], true
}

// ErrorAt is a one-error ErrorList about line and col of src (1-based),
// for problems found after parsing (`gilsim compare` lowering a workload):
// it prints like a parse error, with the source line and a caret.
func ErrorAt(file string, src []byte, line, col int, msg string) ErrorList {
	s := &errorSink{file: file}
	s.errs = append(s.errs, &Error{File: file, Line: line, Col: col, Msg: msg})
	text := strings.TrimPrefix(string(src), "\uFEFF")
	return s.list(text)
}
