package dsl

import (
	"fmt"
	"github.com/gilsim/gilsim/internal/longtest"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

func TestKeywordCodes(t *testing.T) {
	for i, w := range keywords {
		if got := keywordCode(w); got != kwCode(i+1) {
			t.Errorf("keywordCode(%q) = %d, want %d (its place in keywords)", w, got, i+1)
		}
		for _, not := range []string{strings.ToUpper(w), w + "s", w + "_", "_" + w, w[:len(w)-1]} {
			if !keywordSet[not] && keywordCode(not) != 0 {
				t.Errorf("keywordCode(%q) = %d, want 0", not, keywordCode(not))
			}
		}
	}
	if n := int(kwAnd); n != len(keywords) {
		t.Errorf("%d keyword codes for %d keywords", n, len(keywords))
	}
}

// grammarSyntax parses text the way every file was parsed before
// entityNode was Parseable: scan, lex's checks, and participle with package
// grammar whole, which words the errors. It is the reference the parser
// must agree with.
func grammarSyntax(text string) (f *fileNode, refs bool, err error) {
	errs := &errorSink{file: "f.sim"}
	toks := lex("f.sim", text, errs)
	if !errs.empty() {
		return nil, false, errs.list(text)
	}
	g, gerr := parseGrammar(toks)
	if gerr != nil {
		syntaxError(gerr, toks, errs)
		return nil, false, errs.list(text)
	}
	return fromGrammar(g), hasParamRefs(toks), nil
}

// parseableSyntax is parseSyntax without its way back to the grammar:
// ok is false when lex's checks or participle with the Parseable entityNode
// refuse text.
func parseableSyntax(text string) (f *fileNode, refs bool, ok bool) {
	sc := newScanner("f.sim", text, false)
	peek, err := lexer.Upgrade(sc)
	if err != nil {
		return nil, false, false
	}
	toks := peek.Range(0, lexer.RawCursor(sc.n))
	errs := &errorSink{file: "f.sim"}
	checkTokens(text, toks, errs)
	if !errs.empty() {
		return nil, false, false
	}
	f, err = parser().ParseFromLexer(peek)
	if err != nil {
		return nil, false, false
	}
	f.Scenario.finish()
	return f, sc.refs, true
}

// compareParseable checks that participle with the Parseable Entity
// takes src exactly when participle with the grammar whole does, into
// the same tree, and that parseSyntax words every error as the grammar
// does.
func compareParseable(t *testing.T, name, src string) {
	t.Helper()
	_, perr := parseSyntax("f.sim", []byte(src))
	text := strings.TrimPrefix(src, "\uFEFF")
	if !utf8.ValidString(text) {
		return
	}
	fast, frefs, fok := parseableSyntax(text)
	slow, srefs, serr := grammarSyntax(text)
	switch {
	case fok != (serr == nil):
		t.Fatalf("%s: the Parseable says ok=%v, the grammar %v, for:\n%s", name, fok, serr, src)
	case fmt.Sprint(perr) != fmt.Sprint(serr):
		t.Fatalf("%s: parseSyntax says %v, the grammar %v, for:\n%s", name, perr, serr, src)
	case !fok:
		return
	case frefs != srefs:
		t.Fatalf("%s: the scanner says refs=%v, the tokens %v, for:\n%s", name, frefs, srefs, src)
	case !reflect.DeepEqual(fast, slow):
		t.Fatalf("%s: the trees differ for:\n%s\n--- Parseable\n%s\n--- grammar\n%s", name, src, dumpTree(fast), dumpTree(slow))
	}
}

// dumpTree prints a tree with every field, following pointers, for a
// failure message.
func dumpTree(x any) string {
	var b strings.Builder
	var walk func(v reflect.Value, indent string)
	walk = func(v reflect.Value, indent string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			walk(v.Elem(), indent)
		case reflect.Struct:
			b.WriteString(v.Type().Name() + "{\n")
			for i := range v.NumField() {
				b.WriteString(indent + "  " + v.Type().Field(i).Name + ": ")
				walk(v.Field(i), indent+"  ")
				b.WriteString("\n")
			}
			b.WriteString(indent + "}")
		case reflect.Slice:
			if v.IsNil() {
				b.WriteString("nil slice")
				return
			}
			b.WriteString("[\n")
			for i := range v.Len() {
				b.WriteString(indent + "  ")
				walk(v.Index(i), indent+"  ")
				b.WriteString("\n")
			}
			b.WriteString(indent + "]")
		case reflect.String:
			b.WriteString(strconv.Quote(v.String()))
		default:
			fmt.Fprint(&b, v)
		}
	}
	walk(reflect.ValueOf(x), "")
	return b.String()
}

// parseCorpus is every scenario of the repository and of the tests: the
// shipped scenarios, the error and format cases, the fuzz seeds, the
// examples of the language reference.
func parseCorpus(t testing.TB) []string {
	var out []string
	for _, pattern := range []string{"../scenarios/*.sim", "../scenarios/*/*.sim", "testdata/errors/*.sim", "testdata/format/*.in", "../cmd/gilsim/testdata/*.sim"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(src))
		}
	}
	if len(out) < 60 {
		t.Fatalf("only %d files", len(out))
	}
	out = append(out, fuzzSeeds...)
	for _, c := range errCases {
		out = append(out, c.src)
	}
	return append(out, langStructure, langCooperative, langMachine, langParams, langWorkload)
}

// mutants returns n variations of src, each with one token deleted,
// doubled, replaced or swapped with the next, or the text cut at a token:
// mostly files with one mistake.
func mutants(src string, n int, seed int64) []string {
	toks := scanTokens("m", src, true)
	toks = toks[:len(toks)-1]
	if len(toks) == 0 {
		return nil
	}
	words := append(slicesClone(keywords), "{", "}", "(", ")", ",", "=", "[", "]", "<", "~=", "1ms", "4", "$x",
		`"n"`, "foo", "Task", "makespan", "memory", "#c\n", "\n", "-5", "0.5", "1.", "5min", "5 ms", "\r")
	r := rand.New(rand.NewSource(seed))
	out := make([]string, 0, n)
	for range n {
		i := r.Intn(len(toks))
		tk := toks[i]
		s, e := tk.Pos.Offset, tk.Pos.Offset+len(tk.Value)
		switch r.Intn(6) {
		case 0:
			out = append(out, src[:s]+src[e:])
		case 1:
			out = append(out, src[:e]+" "+tk.Value+src[e:])
		case 2:
			out = append(out, src[:s]+words[r.Intn(len(words))]+" "+src[s:])
		case 3:
			out = append(out, src[:s]+words[r.Intn(len(words))]+src[e:])
		case 4:
			out = append(out, src[:s])
		case 5:
			if i+1 == len(toks) {
				out = append(out, src[:s])
				continue
			}
			u := toks[i+1]
			us, ue := u.Pos.Offset, u.Pos.Offset+len(u.Value)
			out = append(out, src[:s]+u.Value+src[e:us]+tk.Value+src[ue:])
		}
	}
	return out
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// TestParseableMatchesGrammar: on every scenario of the corpus and on
// mutants of each, participle with the Parseable Entity accepts the file
// exactly when participle with the grammar whole does, into the same
// tree, and parseSyntax words the errors the grammar's way.
//
// Every file is compared; mutants of every third file, unless the long
// tests run (-tags long: of every file).
func TestParseableMatchesGrammar(t *testing.T) {
	corpus := parseCorpus(t)
	every := 3
	if longtest.Enabled {
		every = 1
	}
	n := 0
	for ci, src := range corpus {
		compareParseable(t, fmt.Sprintf("corpus %d", ci), src)
		if len(src) > 100_000 || ci%every != 0 {
			continue
		}
		for mi, m := range mutants(src, 25, int64(ci)) {
			compareParseable(t, fmt.Sprintf("mutant %d of corpus %d", mi, ci), m)
			n++
		}
	}
	t.Logf("%d files and %d mutants", len(corpus), n)
}

// TestParseableLimits: participle's limit on the repetitions of one part
// (too many iterations) holds inside an entity as outside, and the
// nesting limit is lex's.
func TestParseableLimits(t *testing.T) {
	defer func(n int) { participle.MaxIterations = n }(participle.MaxIterations)
	participle.MaxIterations = 3
	for _, src := range []string{
		`scenario "s" { task "t" { cpu 1ms cpu 1ms } }`,
		`scenario "s" { task "t" { cpu 1ms cpu 1ms cpu 1ms } }`,
		`scenario "s" { task "t" x 1 at 1ms priority 1 { } }`,
		`scenario "s" { task "t" { cpu uniform(1, 2, 3, 4) } }`,
		`scenario "s" { task "t" { cpu uniform(1, 2, 3) } }`,
		`scenario "s" { param a = 1 vary a in [1, 2, 3, 4] }`,
		`scenario "s" { param a = 1 expect makespan < 1s when a == 1 and a == 1 and a == 1 and a == 1 }`,
		`scenario "s" { machine { a 1 b 2 c 3 } }`,
		`scenario "s" { process "p" { gil off startup 1ms thread "t" { } } }`,
		`scenario "s" { process "p" { asyncio { task "a" { } task "b" { } task "c" { } } } }`,
		`scenario "s" { seed 1 cores 2 quantum 3ms }`,
		`scenario "s" { seed 1 cores 2 }`,
	} {
		compareParseable(t, "limit", src)
	}
	deep := `scenario "s" { task "t" { ` + strings.Repeat("repeat 2 { ", maxDepth) + strings.Repeat("} ", maxDepth) + `} }`
	compareParseable(t, "deep", deep)
	if _, _, ok := parseableSyntax(deep); ok {
		t.Error("a file nested past maxDepth parses")
	}
}

// FuzzParseable: on any input, participle with the Parseable Entity
// agrees with participle with the grammar whole.
func FuzzParseable(f *testing.F) {
	for _, s := range parseCorpus(f) {
		if len(s) < 20_000 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		compareParseable(t, "input", src)
	})
}

// TestParserRulesAreTheGrammars: the parser's copies of the grammar's
// outer nodes have the grammar's rules, word for word, and what the
// parser leaves to Parseable nodes is the Entity rule and the rules only
// an entity uses (entityNode), and the leaves that no rule participle
// parses holds any more (leaves.go: Qty and Word are still the grammar's
// in the rules the parser has no copy of). The copies are unexported and named
// fooNode, which participle writes FooNode or fooNode: their rules are
// read as Foo's.
func TestParserRulesAreTheGrammars(t *testing.T) {
	rules := func(ebnf string) map[string]string {
		m := map[string]string{}
		for _, line := range strings.Split(ebnf, "\n") {
			name, _, _ := strings.Cut(line, " = ")
			m[name] = line
		}
		return m
	}
	node := regexp.MustCompile(`\b([a-zA-Z])([a-zA-Z]*)Node\b`)
	parserEBNF := node.ReplaceAllStringFunc(parser().String(), func(w string) string {
		m := node.FindStringSubmatch(w)
		return strings.ToUpper(m[1]) + m[2]
	})
	g, p := rules(Grammar()), rules(parserEBNF)
	for name, rule := range p {
		if g[name] != rule {
			t.Errorf("the parser has %q, the grammar %q", rule, g[name])
		}
	}
	var left []string
	for name := range g {
		if _, ok := p[name]; !ok {
			left = append(left, name)
		}
	}
	slices.Sort(left)
	if want := []string{"Await", "Blocking", "Entity", "IPC", "Lock", "Method", "MetricArg", "Offload", "OpTok", "Repeat", "Semaphore", "Step", "Str", "Switch", "Timed"}; !slices.Equal(left, want) {
		t.Errorf("the parser leaves %v to Parseable nodes, want %v", left, want)
	}
}

// TestLongBlockingRun: a step after `blocking` is parsed within it, so a
// run of them nests the parsers; past maxDepth in a row it is a lexical
// error, before any parser recurses (participle with the grammar ran out
// of stack on a run of a million).
func TestLongBlockingRun(t *testing.T) {
	for _, n := range []int{2, maxDepth, maxDepth + 1, 100_000} {
		for _, tail := range []string{"io 1ms", "cpu"} {
			src := `scenario "s" { task "t" { ` + strings.Repeat("blocking ", n) + tail + ` } }`
			_, err := Parse("f.sim", []byte(src))
			if err == nil {
				t.Fatalf("%d × blocking, then %s: no error", n, tail)
			}
			first := err.(ErrorList)[0]
			if n > maxDepth || tail == "io 1ms" {
				if first.Msg != blockingTwice || first.Col != 27 {
					t.Errorf("%d × blocking, then %s: %v", n, tail, err)
				}
			}
			if n <= maxDepth {
				compareParseable(t, "blocking run", src)
			}
		}
	}
}
