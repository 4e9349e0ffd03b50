package dsl

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// regexTokens lexes src with the lexer.MustSimple definition, the
// reference that scan must agree with.
func regexTokens(t *testing.T, src string) []lexer.Token {
	l, err := lexerDef().LexString("f.sim", src)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := lexer.ConsumeAll(l)
	if err != nil {
		t.Fatalf("regex lexer: %v", err)
	}
	// The regex lexer counts lines at \n only; the language counts a lone
	// \r too. Positions are recomputed from the offsets, from the start.
	for i := range toks {
		pos := lexer.Position{Filename: toks[i].Pos.Filename, Line: 1, Column: 1}
		advance(&pos, src[:toks[i].Pos.Offset])
		toks[i].Pos = pos
	}
	return toks
}

var scanSeeds = []string{
	"",
	`scenario "s" { task "t" at 1ms { cpu 1.005ms io 0 sleep uniform(1ms, 2ms) } }`,
	"\"a\\\"b\\\\c\" \"unterminated\n\"x\\\n\"y\\",
	"-5 - 5 -x 5min 10sx 1e3ms 0x10 1_000 1.5.3 1. .5 5µs 5μs 5% 3²",
	"cpu cpus _cpu cpu_ xµ gen generator in interval Cpu",
	"$x $ $1 <= >= == ~= < > = ~ { } ( ) , [ ] @ é \t\r\n # comment\n#",
	"a\n\tb\n\n  é c",
	"\"a\rb\" # c\rx \"\\\r\" \"y\r\n\"z\\\r\n# d\r\n\r\r\n#",
}

func TestScanMatchesRegexLexer(t *testing.T) {
	for _, s := range append(scanSeeds, fuzzSeeds...) {
		compareScan(t, s)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range append(scanSeeds, fuzzSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		compareScan(t, s)
	})
}

func compareScan(t *testing.T, src string) {
	t.Helper()
	want := regexTokens(t, src)
	got := scan("f.sim", src)
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("%q: token %d\n got %#v\nwant %#v", src, i, got[i], want[i])
			}
		}
		t.Fatalf("%q: %d tokens, want %d", src, len(got), len(want))
	}
}

// TestTokenTypes: the token type constants are the ones lexerDef gives
// its rules.
func TestTokenTypes(t *testing.T) {
	want := map[string]lexer.TokenType{
		"comment": tokComment, "String": tokString, "BadString": tokBadString,
		"Quantity": tokQuantity, "Keyword": tokKeyword, "Ident": tokIdent,
		"ParamRef": tokParamRef, "Op": tokOp, "Punct": tokPunct, "Bad": tokBad,
		"EOF": lexer.EOF,
	}
	syms := lexerDef().Symbols()
	for name, typ := range want {
		if got, ok := syms[name]; !ok || got != typ {
			t.Errorf("%s: lexerDef numbers it %d, the constant is %d", name, got, typ)
		}
	}
	if len(syms) != len(want)+1 { // and whitespace
		t.Errorf("lexerDef has %d symbols, want %d", len(syms), len(want)+1)
	}
}

func TestUnitFor(t *testing.T) {
	for name, want := range units {
		if got, ok := unitFor(name); !ok || got != want {
			t.Errorf("unitFor(%q) = %v, %v; units has %v", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "m", "S", "Ms", "kb", "kib", "Kib", "KIB", "min", "h", "µ", "ns ", "%%"} {
		if _, ok := unitFor(name); ok {
			t.Errorf("unitFor(%q) knows a unit units does not", name)
		}
	}
}
