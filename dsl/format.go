package dsl

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/gilsim/gilsim/dsl/internal/grammar"
)

// The canonical layout of a scenario file, as Format writes it:
//
//   - Two spaces of indentation per level of { }.
//   - One space between the tokens of an item, none inside ( ) and [ ]
//     or before a comma, none between a metric or distribution and its (.
//   - A block written on one line (its { and } on the same line) stays on
//     one line, its items two spaces apart: `task "t" { cpu 1ms  io 2ms }`,
//     unless the line would be wider than MaxLineWidth, when it is opened
//     out, outermost block first. Every other block has one item per line:
//     one step, setting, entity or expectation, or a short block that
//     stays on its line. An empty block is `{ }`.
//   - Comments stay where they are: a comment on a line of its own stays on
//     its own line, indented as the items of its block (or, between the
//     tokens of one item, as the continuation of that item); a comment
//     after code stays after that code, and what followed it on the next
//     line stays there, indented one more level. Consecutive lines that end in a comment have their
//     comments aligned, two spaces past the longest code. Trailing spaces
//     are dropped.
//   - Runs of blank lines become one; none after { or before }. No
//     byte-order mark, \n line endings, one final newline.
//
// The tokens, and so the meaning, never change: only the space between
// them does.

// MaxLineWidth is the widest line (in runes, comments not counted) that
// Format keeps a one-line block on.
const MaxLineWidth = 100

// Format returns src laid out canonically (see the comment above). src
// must lex and parse, though it need not check: a file with a semantic
// error formats, one with a syntax error is an ErrorList, as from Parse.
// Formatting a formatted file changes nothing.
func Format(filename string, src []byte) ([]byte, error) {
	syn, err := parseSyntax(filename, src)
	if err != nil {
		return nil, err
	}
	all := scanTokens(filename, syn.text, true)
	all = all[:len(all)-1] // EOF
	f := &formatter{
		toks:   all,
		starts: itemStarts(syn.ast),
		match:  matchBraces(all),
		expand: map[int]bool{},
	}
	// Each pass opens out the one-line blocks of the lines that came out
	// too wide; a block opened out gives shorter lines, so this ends
	// within the nesting depth.
	for range maxDepth + 2 {
		f.layout()
		if !f.openWide() {
			break
		}
	}
	return f.render(), nil
}

// itemStarts returns the offsets of the first token of every item of
// every block: the points where a multi-line block breaks its lines.
func itemStarts(f *fileNode) map[int]bool {
	s := map[int]bool{f.Scenario.Pos.Offset: true}
	var steps func([]*grammar.Step)
	steps = func(body []*grammar.Step) {
		for _, st := range body {
			s[st.Pos.Offset] = true
			switch {
			case st.Offload != nil:
				steps(st.Offload.Body)
			case st.Repeat != nil:
				steps(st.Repeat.Body)
			case st.Lock != nil:
				steps(st.Lock.Body)
			}
		}
	}
	entity := func(e *entityNode) {
		s[e.Pos.Offset] = true
		steps(e.Body)
	}
	for _, it := range f.Scenario.Items {
		switch {
		case it.Entity != nil:
			entity(it.Entity)
		case it.Process != nil:
			s[it.Process.Pos.Offset] = true
			for _, pi := range it.Process.Items {
				switch {
				case pi.Entity != nil:
					entity(pi.Entity)
				case pi.Block != nil:
					s[pi.Block.Pos.Offset] = true
					for _, m := range pi.Block.Members {
						entity(m)
					}
				case pi.GIL != nil:
					s[pi.GIL.Pos.Offset] = true
				case pi.Startup != nil:
					s[pi.Startup.Pos.Offset] = true
				}
			}
		case it.Workload != nil:
			s[it.Workload.Pos.Offset] = true
			for _, e := range it.Workload.Body {
				entity(e)
			}
		case it.Machine != nil:
			s[it.Machine.Pos.Offset] = true
			for _, e := range it.Machine.Entries {
				s[e.Pos.Offset] = true
			}
		case it.Expect != nil:
			s[it.Expect.Pos.Offset] = true
		case it.Setting != nil:
			s[it.Setting.Pos.Offset] = true
		case it.Policy != nil:
			s[it.Policy.Pos.Offset] = true
		case it.Param != nil:
			s[it.Param.Pos.Offset] = true
		case it.Vary != nil:
			s[it.Vary.Pos.Offset] = true
		}
	}
	return s
}

// matchBraces pairs every { with its } (by token index, both ways); -1
// for an unmatched one, which a file that parses does not have.
func matchBraces(toks []lexer.Token) []int {
	match := make([]int, len(toks))
	var open []int
	for i, t := range toks {
		match[i] = -1
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "{":
			open = append(open, i)
		case "}":
			if n := len(open); n > 0 {
				match[i], match[open[n-1]] = open[n-1], i
				open = open[:n-1]
			}
		}
	}
	return match
}

type formatter struct {
	toks   []lexer.Token // comments included
	starts map[int]bool  // offsets of item starts
	match  []int
	expand map[int]bool // { indices of one-line blocks opened out for width
	lines  []*fmtLine
}

// fmtLine is one line of output.
type fmtLine struct {
	indent  int
	code    strings.Builder // a comment, on a comment-only line
	comment string          // a trailing comment
	only    bool            // a comment-only line
	blank   bool            // a blank line goes before it
	block   int             // the outermost one-line { on this line, or -1
}

// frame is an open block.
type frame struct {
	open    int  // index of its {
	oneLine bool // laid out on its opening line
	inner   int  // indentation of its items
	outer   int  // indentation of its } when on a line of its own
}

func (f *formatter) layout() {
	f.lines = f.lines[:0]
	var (
		stack    []frame
		cur      *fmtLine
		item     int  // indentation of the current item
		broken   bool // the current line ended in a comment
		lastLine int  // source line of the last token or comment laid out
		prev     = -1 // index of the last code token laid out
		afterOpn bool // nothing laid out since a multi-line {
	)
	newLine := func(indent int, src int) *fmtLine {
		l := &fmtLine{indent: indent, block: -1}
		l.blank = len(f.lines) > 0 && !afterOpn && src-lastLine >= 2
		f.lines = append(f.lines, l)
		cur = l
		afterOpn = false
		return l
	}
	inner := func() (int, bool) {
		if n := len(stack); n > 0 {
			return stack[n-1].inner, stack[n-1].oneLine
		}
		return 0, false
	}
	for i, t := range f.toks {
		if t.Type == tokComment {
			text := strings.TrimRight(t.Value, " \t\r")
			if cur != nil && !cur.only && t.Pos.Line == lastLine {
				cur.comment = text
			} else {
				indent := item + 1
				if f.boundary(i + 1) {
					indent, _ = inner()
				}
				l := newLine(indent, t.Pos.Line)
				l.blank = l.blank && indent != item+1
				l.only = true
				l.code.WriteString(text)
			}
			broken = true
			lastLine = t.Pos.Line
			continue
		}
		isPunct := t.Type == tokPunct
		switch {
		case isPunct && t.Value == "}":
			fr := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if fr.oneLine && !broken {
				cur.code.WriteString(" }")
			} else {
				afterOpn = false
				newLine(fr.outer, t.Pos.Line).code.WriteString("}")
				cur.blank = false
			}
			item = fr.outer
		case f.starts[t.Pos.Offset]:
			ind, one := inner()
			if one && !broken {
				if prev >= 0 && f.toks[prev].Value == "{" {
					cur.code.WriteByte(' ')
				} else {
					cur.code.WriteString("  ")
				}
			} else {
				newLine(ind, t.Pos.Line)
				item = ind
			}
			cur.code.WriteString(t.Value)
		default:
			if broken || cur == nil {
				newLine(item+1, t.Pos.Line).blank = false
			} else if spaced(f.toks[prev], t) {
				cur.code.WriteByte(' ')
			}
			cur.code.WriteString(t.Value)
		}
		if isPunct && t.Value == "{" {
			end := f.match[i]
			one := end == i+1 || end >= 0 && f.toks[end].Pos.Line == t.Pos.Line && !f.expand[i]
			_, parentOne := inner()
			if one && end != i+1 && !parentOne && cur.block < 0 {
				cur.block = i
			}
			stack = append(stack, frame{open: i, oneLine: one, inner: item + 1, outer: item})
			afterOpn = !one
		} else {
			afterOpn = false
		}
		broken = false
		prev = i
		lastLine = t.Pos.Line
	}
}

// boundary reports whether the first code token from index i on starts a
// line of its own: an item, a } or the end of the file. A comment before
// it is indented as the item; one before anything else continues the
// item it interrupts.
func (f *formatter) boundary(i int) bool {
	for ; i < len(f.toks); i++ {
		t := f.toks[i]
		if t.Type == tokComment {
			continue
		}
		return f.starts[t.Pos.Offset] || t.Type == tokPunct && t.Value == "}"
	}
	return true
}

// spaced reports whether a space goes between two tokens of one line.
func spaced(a, b lexer.Token) bool {
	if a.Type == tokPunct && (a.Value == "(" || a.Value == "[") {
		return false
	}
	if b.Type == tokPunct {
		switch b.Value {
		case ")", "]", ",":
			return false
		case "(":
			return a.Type != tokIdent && a.Type != tokKeyword
		}
	}
	return true
}

// openWide marks for opening out the outermost one-line block of every
// line wider than MaxLineWidth, and reports whether it marked any.
func (f *formatter) openWide() bool {
	marked := false
	for _, l := range f.lines {
		if l.block >= 0 && !l.only && 2*l.indent+utf8.RuneCountInString(l.code.String()) > MaxLineWidth {
			f.expand[l.block] = true
			marked = true
		}
	}
	return marked
}

func (f *formatter) render() []byte {
	// Align the trailing comments of consecutive lines.
	col := make([]int, len(f.lines))
	for i := 0; i < len(f.lines); {
		j, width := i, 0
		for j < len(f.lines) && f.lines[j].comment != "" && !f.lines[j].only && (j == i || !f.lines[j].blank) {
			l := f.lines[j]
			width = max(width, 2*l.indent+utf8.RuneCountInString(l.code.String()))
			j++
		}
		for k := i; k < j; k++ {
			col[k] = width + 2
		}
		i = max(j, i+1)
	}
	var b strings.Builder
	for i, l := range f.lines {
		if l.blank {
			b.WriteByte('\n')
		}
		code := l.code.String()
		b.WriteString(strings.Repeat("  ", l.indent))
		b.WriteString(code)
		if l.comment != "" {
			pad := col[i] - 2*l.indent - utf8.RuneCountInString(code)
			b.WriteString(strings.Repeat(" ", max(pad, 1)))
			b.WriteString(l.comment)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
