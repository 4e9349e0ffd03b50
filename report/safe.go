package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// termSafe makes one line of untrusted text (an entity name, a scenario
// title, a file name) safe to print on a terminal. Every character that a
// terminal could act on instead of showing, or would show as nothing, is
// replaced by a visible Go-style escape: C0 and C1 control characters and
// DEL (\n, \t, \r, \x1b, \u0085), the Unicode line and paragraph
// separators, the bidirectional formatting characters that can reorder
// what the reader sees (\u202e), and the invisible characters (Unicode's
// default-ignorable code points: zero-width space and joiners, soft
// hyphen, variation selectors, \ufeff, tag characters as \U000e0041).
// Bytes that are not valid UTF-8 become \xNN.
//
// ANSI escape sequences are neutralised rather than removed: their ESC
// byte is shown as \x1b and the rest of the sequence as the printable text
// it is, so two different names never look the same; an invisible
// character shown as its escape likewise makes "a" and "a\u200b" look
// different, and keeps table columns aligned, since terminals disagree on
// how wide an invisible character is. Backslashes are left alone, so an
// ordinary name like `C:\tmp` reads as written.
func termSafe(s string) string { return sanitize(s, false) }

// TermSafe is termSafe for callers outside the package (the CLI's one-line
// error messages quote file names given on the command line).
func TermSafe(s string) string { return termSafe(s) }

// TermSafeText is termSafe for multi-line messages (for example parse
// errors, which quote a source line and put a caret under it): it keeps
// newlines and tabs, which carry the layout, and escapes everything else
// termSafe escapes.
func TermSafeText(s string) string { return sanitize(s, true) }

func sanitize(s string, keepLayout bool) string {
	if isClean(s, keepLayout) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeEscape(&b, rune(s[i]), true)
		case keepLayout && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case needsEscape(r):
			writeEscape(&b, r, false)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isClean(s string, keepLayout bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if needsEscape(rune(c)) && !(keepLayout && (c == '\n' || c == '\t')) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || needsEscape(r) {
			return false
		}
		i += size
	}
	return true
}

// needsEscape reports whether a terminal might act on r instead of
// showing it, or show nothing for it.
func needsEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true // C0, DEL, C1 (0x9b is a one-byte CSI on some terminals)
	case r < 0xa0:
		return false // the fast path: printable ASCII
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	case r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidi marks, embeddings, overrides and isolates
	}
	return invisible(r)
}

// invisible reports whether r is a default-ignorable code point (Unicode's
// DerivedCoreProperties): a character a renderer shows as nothing when it
// does not support it, such as U+200B ZERO WIDTH SPACE, U+00AD SOFT
// HYPHEN, U+FE0F VARIATION SELECTOR-16 or U+3164 HANGUL FILLER. Terminals
// give these 0, 1 or 2 columns, so a name holding one misaligns a table
// unless it is escaped. The property is derived from the tables Go has:
// the format characters, the variation selectors and the "other" default
// ignorables, less the prepended concatenation marks and the other
// visible exceptions the standard lists.
func invisible(r rune) bool {
	switch {
	case r < 0xad:
		return false
	case r >= 0xfff9 && r <= 0xfffb, r >= 0x13430 && r <= 0x13440:
		return false // interlinear annotation, Egyptian format controls: shown
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r),
		unicode.Is(unicode.Variation_Selector, r):
		return true
	}
	return unicode.Is(unicode.Cf, r) && !unicode.Is(unicode.Prepended_Concatenation_Mark, r)
}

const hexDigits = "0123456789abcdef"

// writeEscape writes r as \n, \t, \r, \xNN (a control character below
// 0x80, or a raw byte when rawByte is set), \uNNNN or \UNNNNNNNN.
func writeEscape(b *strings.Builder, r rune, rawByte bool) {
	if !rawByte {
		switch r {
		case '\n':
			b.WriteString(`\n`)
			return
		case '\t':
			b.WriteString(`\t`)
			return
		case '\r':
			b.WriteString(`\r`)
			return
		}
	}
	digits := 4
	switch {
	case r < 0x100 && (rawByte || r < 0x80):
		b.WriteString(`\x`)
		digits = 2
	case r > 0xffff:
		b.WriteString(`\U`)
		digits = 8
	default:
		b.WriteString(`\u`)
	}
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>uint(shift))&0xf])
	}
}
