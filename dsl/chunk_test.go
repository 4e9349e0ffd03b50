package dsl

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/gilsim/gilsim/internal/longtest"
)

// compareChunks checks that parseChunks, cutting after at least min
// tokens, takes src exactly when parseWhole takes it with participle
// (a file only the grammar takes is parseWhole's alone), into the same
// tree, positions and all, and that parseSyntax gives parseWhole's tree
// or error, word for word. It returns the number of chunks.
func compareChunks(t *testing.T, name, src string, min int) int {
	t.Helper()
	defer func(n int) { chunkMin = n }(chunkMin)
	chunkMin = min
	text := strings.TrimPrefix(src, "\uFEFF")
	if !utf8.ValidString(text) {
		return 0
	}
	chunked, chunks := parseChunks("f.sim", text)
	whole, werr := parseWhole("f.sim", text)
	syn, serr := parseSyntax("f.sim", []byte(src))
	_, _, parseable := parseableSyntax(text)
	switch {
	case fmt.Sprint(serr) != fmt.Sprint(werr):
		t.Fatalf("%s: parseSyntax says %v, the whole file %v, for:\n%s", name, serr, werr, src)
	case (chunked != nil) != (werr == nil && parseable):
		t.Fatalf("%s: in chunks of %d, ok=%v; whole, %v (participle: %v), for:\n%s", name, min, chunked != nil, werr, parseable, src)
	case chunked == nil:
		if werr == nil && !reflect.DeepEqual(syn, whole) {
			t.Fatalf("%s: parseSyntax and the whole file's parse differ for:\n%s", name, src)
		}
		return 0
	case chunked.refs != whole.refs || chunked.text != whole.text:
		t.Fatalf("%s: in chunks, refs=%v; whole, refs=%v, for:\n%s", name, chunked.refs, whole.refs, src)
	case !reflect.DeepEqual(chunked.ast, whole.ast):
		t.Fatalf("%s: the trees differ in chunks of %d for:\n%s\n--- chunks\n%s\n--- whole\n%s", name, min, src, dumpTree(chunked.ast), dumpTree(whole.ast))
	case !reflect.DeepEqual(syn, whole):
		t.Fatalf("%s: parseSyntax and the whole file's parse differ for:\n%s", name, src)
	}
	return chunks
}

// TestChunksMatchWhole: on every file of the corpus and on mutants of
// each, parsing in chunks, cut after every item or after the default
// chunkMin tokens, agrees with parsing the file whole.
//
// Mutants of every fifth file, unless the long tests run (-tags long:
// of every file).
func TestChunksMatchWhole(t *testing.T) {
	corpus := parseCorpus(t)
	every := 5
	if longtest.Enabled {
		every = 1
	}
	many, n := 0, 0
	for ci, src := range corpus {
		if compareChunks(t, fmt.Sprintf("corpus %d", ci), src, 1) > 1 {
			many++
		}
		compareChunks(t, fmt.Sprintf("corpus %d", ci), src, chunkMin)
		if len(src) > 100_000 || ci%every != 0 {
			continue
		}
		for mi, m := range mutants(src, 25, int64(ci)) {
			compareChunks(t, fmt.Sprintf("mutant %d of corpus %d", mi, ci), m, 1)
			n++
		}
	}
	if many < len(corpus)/2 {
		t.Errorf("only %d of %d files parse in more than one chunk", many, len(corpus))
	}
	t.Logf("%d files (%d in several chunks) and %d mutants", len(corpus), many, n)
}

// TestChunksLarge: a generated file in chunks of the default size, and
// in chunks that grow the window (one process of many threads).
func TestChunksLarge(t *testing.T) {
	big := string(bigScenario(600)) // 18 tokens a task
	if n := compareChunks(t, "600 tasks", big, chunkMin); n != 600*18/chunkMin+1 {
		t.Errorf("600 tasks in %d chunks", n)
	}
	var b strings.Builder
	b.WriteString("scenario \"s\" {\n  expect makespan < 1s\n  process \"p\" {\n")
	for i := range 1_000 { // 16,000 tokens: the window grows
		fmt.Fprintf(&b, "    thread \"t%d\" { cpu 1ms io 1ms }\n", i)
	}
	b.WriteString("  }\n  expect throughput > 1\n  task \"x\" { cpu 1ms }\n  process \"q\" { thread \"u\" { cpu 1ms } }\n}\n")
	if n := compareChunks(t, "a process of 1,000 threads", b.String(), 1); n != 4 {
		t.Errorf("a process of 1,000 threads and 2 items after it: %d chunks, want 4", n)
	}
	// an error in the last chunk of many
	bad := strings.Replace(big, `task "t599"`, `task "t599" x`, 1)
	if compareChunks(t, "an error at the end", bad, chunkMin) != 0 {
		t.Error("a file with an error parses in chunks")
	}
	lexBad := strings.Replace(big, `task "t599"`, `task "t599" @`, 1)
	if compareChunks(t, "a lexical error at the end", lexBad, chunkMin) != 0 {
		t.Error("a file with a lexical error parses in chunks")
	}
}

// TestChunksItemLimit: participle's limit on the repetitions of one part
// holds for the scenario's items when they are parsed in chunks.
func TestChunksItemLimit(t *testing.T) {
	defer func(n int) { participle.MaxIterations = n }(participle.MaxIterations)
	participle.MaxIterations = 3
	for _, src := range []string{
		`scenario "s" { task "a" { } task "b" { } }`,
		`scenario "s" { task "a" { } task "b" { } task "c" { } }`,
		`scenario "s" { task "a" { } seed 1 task "b" { } }`,
		`scenario "s" { task "a" { } task "b" { } task "c" { } task "d" { } }`,
	} {
		compareChunks(t, "limit", src, 1)
	}
}

// TestTokenCheckInRuns: lex's checks over a file's tokens cut anywhere
// into runs find the errors they find over the whole.
func TestTokenCheckInRuns(t *testing.T) {
	corpus := parseCorpus(t)
	r := rand.New(rand.NewSource(1))
	deepBlocking := `scenario "s" { task "t" { ` + strings.Repeat("blocking ", maxDepth+3) + "cpu 1ms } }"
	deepBraces := `scenario "s" { task "t" { ` + strings.Repeat("repeat 2 { ", maxDepth) + strings.Repeat("} ", maxDepth) + `} }`
	cases := append(corpus, deepBlocking, deepBraces, `scenario "s" { task "t" { cpu 5 ms io 3 ms } }`)
	for ci, src := range cases {
		text := strings.TrimPrefix(src, "\uFEFF")
		if !utf8.ValidString(text) {
			continue
		}
		for _, m := range append(mutants(text, 5, int64(ci)), text) {
			if !utf8.ValidString(m) {
				continue
			}
			toks := scan("f.sim", m)
			whole := &errorSink{file: "f.sim"}
			checkTokens(m, toks, whole)
			runs := &errorSink{file: "f.sim"}
			c := tokenCheck{src: m, errs: runs}
			for rest := toks; len(rest) > 0; {
				k := min(len(rest), r.Intn(4)+1)
				c.check(rest[:k])
				rest = rest[k:]
			}
			if w, g := fmt.Sprint(whole.list(m)), fmt.Sprint(runs.list(m)); w != g {
				t.Fatalf("checked whole: %s\nin runs: %s\nfor:\n%s", w, g, m)
			}
		}
	}
}

// FuzzChunks: on any input, parsing in chunks cut after every item
// agrees with parsing the file whole.
func FuzzChunks(f *testing.F) {
	for _, s := range parseCorpus(f) {
		if len(s) < 20_000 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		compareChunks(t, "input", src, 1)
	})
}

// TestChunksConcurrently: files parsed at once, each in chunks over a
// window of its own, give the trees they give one at a time (go test
// -race checks the windows are not shared).
func TestChunksConcurrently(t *testing.T) {
	srcs := []string{string(bigScenario(700)), string(bigScenario(300)), langStructure, langWorkload}
	want := make([]*syntax, len(srcs))
	for i, s := range srcs {
		syn, err := parseSyntax("f.sim", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = syn
	}
	errs := make(chan error, 4*len(srcs))
	for g := range 4 {
		go func() {
			for k := range len(srcs) {
				i := (g + k) % len(srcs)
				syn, err := parseSyntax("f.sim", []byte(srcs[i]))
				switch {
				case err != nil:
					errs <- err
				case !reflect.DeepEqual(syn, want[i]):
					errs <- fmt.Errorf("file %d: the tree differs when parsed beside others", i)
				default:
					errs <- nil
				}
			}
		}()
	}
	for range 4 * len(srcs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
