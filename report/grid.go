package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// Grid is a table of untrusted text (names and titles come from scenario
// files) that can be written as a terminal table, a Markdown table or
// CSV. Each writer makes the cells safe for its medium, so callers fill
// a Grid with raw strings.
type Grid struct {
	Columns []Column
	Rows    [][]string
}

// Column is a grid column. Numeric columns are right-aligned, and their
// cells are trusted to be numbers (never guarded against spreadsheet
// formulas, so that -1 stays a number).
type Column struct {
	Name    string
	Numeric bool
}

// AddColumn appends a column.
func (g *Grid) AddColumn(name string, numeric bool) {
	g.Columns = append(g.Columns, Column{Name: name, Numeric: numeric})
}

// WriteTable writes g as an ASCII table for a terminal (TermSafe cells).
func (g *Grid) WriteTable(w io.Writer) error {
	align := make([]byte, len(g.Columns))
	header := make([]string, len(g.Columns))
	for i, c := range g.Columns {
		align[i] = 'l'
		if c.Numeric {
			align[i] = 'r'
		}
		header[i] = termSafe(c.Name)
	}
	t := newTable(w, string(align))
	t.Header(header)
	for _, row := range g.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = termSafe(c)
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	return t.Render()
}

// WriteMarkdown writes g as a GitHub-flavoured Markdown table: every cell
// is TermSafe and MarkdownEscape'd, so a name can neither break the table
// (`|`, newlines) nor turn into markup or HTML.
func (g *Grid) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range g.Columns {
		b.WriteString(" " + MarkdownEscape(c.Name) + " |")
	}
	b.WriteString("\n|")
	for _, c := range g.Columns {
		if c.Numeric {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteByte('\n')
	for _, row := range g.Rows {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + MarkdownEscape(c) + " |")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes g as CSV (RFC 4180, by encoding/csv) with a header
// row. Text cells hold their text exactly, guarded by CSVSafe against
// formula injection; numeric cells are written as they are.
func (g *Grid) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(g.Columns))
	for i, c := range g.Columns {
		header[i] = CSVSafe(c.Name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range g.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			if i < len(g.Columns) && g.Columns[i].Numeric {
				cells[i] = c
			} else {
				cells[i] = CSVSafe(c)
			}
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvGuarded are the first characters that make CSVSafe add a quote: the
// ones a spreadsheet reads as the start of a formula (= + - @, and tab and
// carriage return, which some strip before looking), and the quote itself,
// so that the rule can be undone.
const csvGuarded = "=+-@\t\r'"

// CSVSafe is untrusted text as a CSV cell that a spreadsheet may open:
// the text exactly as it is (CSV is data, and a name must read the same in
// CSV as in JSON; encoding/csv quotes what needs quoting), except that a
// cell starting with one of = + - @, a tab, a carriage return or ' gets a
// ' in front, so that a spreadsheet shows it instead of running it as a
// formula. The rule is reversible: a cell that starts with ' lost nothing
// but that first quote.
func CSVSafe(s string) string {
	if s != "" && strings.IndexByte(csvGuarded, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// markdownSpecial are the characters that could start markup, a link, an
// HTML tag or an entity, or end a table cell.
const markdownSpecial = "\\`*_[]<>|~&#!"

// MarkdownEscape makes untrusted text safe for one Markdown table cell or
// heading: terminal controls and newlines are escaped as by TermSafe, and
// each character that Markdown could read as markup is escaped with a
// backslash, so the text renders exactly as written.
func MarkdownEscape(s string) string {
	s = termSafe(s)
	if !strings.ContainsAny(s, markdownSpecial) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune(markdownSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
