package dsl

import (
	"errors"
	"github.com/gilsim/gilsim/internal/longtest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// grammarWords are the names of the parser's grammar nodes: a message
// that shows one (`(Qty (`,` Qty)*)?`) speaks the parser's language, not
// the user's.
var grammarWords = regexp.MustCompile(`\b(File|Scenario|TopItem|ParamLine|VaryLine|Setting|Policy|Quantum|Machine|MachineEntry|Process|ProcItem|GIL|Startup|Block|Entity|Workload|Mod|Step|Qty|Dur|Dist|Expect|MetricArg|When|Within|Word|Str|OpTok|Cond|Value|Values)\b|<[a-z]+>|\)[*+?]|@@|participle|branch|lookahead|struct|%!`)

var quotedText = regexp.MustCompile("`[^`]*`|\"(?:[^\"\\\\]|\\\\.)*\"")

// brokenVariants makes broken variants of src, token by token: each token left
// out, doubled, or replaced by one of a set of stray tokens, and the file
// cut after it. step thins them out for long files.
func brokenVariants(src string, step int) []string {
	toks := lex("m.sim", src, &errorSink{file: "m.sim"})
	stray := []string{"{", "}", "(", ")", ",", "[", "=", "$x", "<", `"s"`, "1ms", "-3", "50%", "word", "at", "cpu", "within", "when", "uniform("}
	var out []string
	for i := 0; i < len(toks); i += step {
		t := toks[i]
		if t.EOF() {
			break
		}
		start := t.Pos.Offset
		end := start + len(t.Value)
		out = append(out,
			src[:start]+src[end:],
			src[:end]+" "+src[start:],
			src[:end],
		)
		for _, s := range stray {
			out = append(out, src[:start]+s+src[end:], src[:end]+" "+s+" "+src[end:])
		}
	}
	return out
}

// No error message, however the file is broken, shows the grammar's
// internals: node names, EBNF operators, participle's own words.
func TestErrorsSpeakPlainly(t *testing.T) {
	seeds := []string{
		`scenario "s" {
  seed 3  cores 2  policy round_robin quantum 10ms  context_switch 5us
  machine { wakeup_latency 24us  memory thread 16KB }
  param n = 4
  task "P1" x 2 at uniform(0, 1ms) priority 3 nice -2 { cpu 24ms  io 5ms }
  process "app" x 2 at 0 {
    gil legacy check 100
    startup 30ms
    thread "w" x $n { repeat 3 { cpu 1ms  lock "db" { io 2ms } }  yield }
    asyncio { task "c" x 2 at 1ms { await io 5ms  offload { cpu 1ms } } }
  }
  process "g" { greenlets { greenlet "A" { cpu 1ms  switch "B" }  greenlet "B" { switch "A" } } }
  process "c" { coroutines { gen "a" { repeat 3 { cpu 1ms  yield } }  gen "b" { yield } } }
  vary n in [1, 2]
  expect makespan < 900ms
  expect finish("app#1/w#2") ~= 40ms within 5% when n == 2 and n > 0
}`,
		`scenario "w" {
  cores 4
  workload "fetch" { task "req" x 200 at exp(1ms) { cpu 200us  io 100ms  lock "db" { cpu 100us } } }
  expect speedup(processes) > 1.5
  expect lag(asyncio) < 2s
}`,
	}
	// and every shipped scenario, more thinly; a third of all that
	// unless the long tests run (-tags long)
	files, _ := filepath.Glob("../scenarios/*/*.sim")
	every, stride, least := 27, 3, 1500
	if longtest.Enabled {
		every, stride, least = 9, 1, 5000
	}
	var shipped []string
	for i, f := range files {
		if i%every != 0 {
			continue
		}
		if b, err := os.ReadFile(f); err == nil {
			shipped = append(shipped, string(b))
		}
	}
	n := 0
	check := func(src string) {
		n++
		_, err := Parse("m.sim", []byte(src))
		if err == nil {
			return
		}
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("not an ErrorList: %v", err)
		}
		for _, e := range list {
			// what the message quotes (the user's tokens and strings)
			// may hold anything
			plain := quotedText.ReplaceAllString(e.Msg, "")
			if m := grammarWords.FindString(plain); m != "" {
				t.Errorf("message shows grammar internals (%q):\n  %s\nfrom:\n%s", m, e.Msg, src)
			}
		}
	}
	for _, s := range seeds {
		for _, m := range brokenVariants(s, stride) {
			check(m)
		}
	}
	for _, s := range shipped {
		for _, m := range brokenVariants(s, 13*stride) {
			check(m)
		}
	}
	if testing.Short() {
		return
	}
	t.Logf("%d broken inputs", n)
	if n < least {
		t.Errorf("only %d broken inputs", n)
	}
}
