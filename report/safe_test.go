package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTermSafe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"plain name", "plain name"},
		{"w#3", "w#3"},
		{"café ünïcode 名前", "café ünïcode 名前"},
		{`C:\tmp`, `C:\tmp`},
		{"red\x1b[31mtext\x1b[0m", `red\x1b[31mtext\x1b[0m`},
		{"title\x1b]0;pwned\x07", `title\x1b]0;pwned\x07`},
		{"clear\x1b[2J\x1b[H", `clear\x1b[2J\x1b[H`},
		{"line\nbreak", `line\nbreak`},
		{"tab\there", `tab\there`},
		{"cr\rover", `cr\rover`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 \u009b6n and \u0085", `c1 \u009b6n and \u0085`},
		{"raw \x9b byte", `raw \x9b byte`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"rtl \u202eevil\u202c", `rtl \u202eevil\u202c`},
		{"isolate \u2066x\u2069 mark \u200f", `isolate \u2066x\u2069 mark \u200f`},
		{"sep\u2028para\u2029", `sep\u2028para\u2029`},
		{"zero\u200bwidth\u200d\u2060", `zero\u200bwidth\u200d\u2060`},
		{"soft\u00adhyphen bom\ufeff", `soft\u00adhyphen bom\ufeff`},
		{"vs\ufe0f filler\u3164", `vs\ufe0f filler\u3164`},
		{"tag\U000e0041", `tag\U000e0041`},
		{"e\u0301 kept, \u0600 shown", "e\u0301 kept, \u0600 shown"},
	}
	for _, c := range cases {
		if got := termSafe(c.in); got != c.want {
			t.Errorf("termSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTermSafeOutputIsInert(t *testing.T) {
	var all strings.Builder
	for r := rune(0); r < 0x30000; r++ {
		all.WriteRune(r)
	}
	all.WriteString("\xff\xc0")
	got := termSafe(all.String())
	if !utf8.ValidString(got) {
		t.Fatal("termSafe returned invalid UTF-8")
	}
	for i, r := range got {
		if needsEscape(r) {
			t.Fatalf("termSafe left %U at byte %d", r, i)
		}
	}
}

func TestTermSafeText(t *testing.T) {
	in := "a.sim:3:7: unexpected \"\x1b[31m\"\n  cpu\t\x1b[31m\n      ^\r\n"
	want := "a.sim:3:7: unexpected \"\\x1b[31m\"\n  cpu\t\\x1b[31m\n      ^\\r\n"
	if got := TermSafeText(in); got != want {
		t.Errorf("TermSafeText(%q) = %q, want %q", in, got, want)
	}
	if got := TermSafeText("clean\n\ttext"); got != "clean\n\ttext" {
		t.Errorf("TermSafeText changed clean text: %q", got)
	}
}
