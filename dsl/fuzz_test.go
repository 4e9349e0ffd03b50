package dsl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gilsim/gilsim/simulator"
)

// fuzzSeeds are small scenarios that reach most of the grammar.
var fuzzSeeds = []string{
	``,
	`scenario "s" { }`,
	`scenario "s" { task "t" { cpu 1ms } }`,
	"\uFEFFscenario \"s\" { # c\n task \"t\" at 1ms priority -3 nice -5 x 2 { cpu 1.005ms io 0 sleep 2s repeat 3 { cpu 1us } } }",
	`scenario "s" { seed 3 cores 2 policy round_robin quantum 10ms context_switch 5us }`,
	`scenario "s" { machine { wakeup_latency 24us memory thread 16KB memory 8GB gil_handoff fifo freethreading_overhead 1.08 multicore_speed 0.917 } }`,
	`scenario "s" { process "p" x 2 at exp(1ms) nice 1 { gil legacy check 50 startup 30ms thread "w" x 4 { lock "a" { cpu 1ms } yield native 1ms } } }`,
	`scenario "s" { process "p" { asyncio { task "c" x 3 at uniform(0, 1ms) { await io 5ms await sleep 0 offload { cpu 1ms } } } } }`,
	`scenario "s" { process "p" { gevent patched { greenlet "g" { io 1ms offload { native 1ms } } } } }`,
	`scenario "s" { process "p" { eventlet unpatched { greenthread "g" x 100 { sleep 50ms } } } }`,
	`scenario "s" { process "p" { greenlets { greenlet "A" { cpu 1ms switch "B" } greenlet "B" x 2 { switch "A" switch "B#2" } } } }`,
	`scenario "s" { process "p" { gil off coroutines { gen "A" { repeat 3 { cpu 1ms yield } } gen "B" { yield } } } }`,
	`scenario "s" { task "t" { cpu 1ms } expect makespan < 1s expect finish("t") ~= 1ms within 5% expect utilization > 50% expect memory(t) < 1GB }`,
	`scenario "s" { workload "w" { task "r" { cpu 1ms } } }`,
	`scenario "s" { cores 2 workload "w" { task "r" x 3 at exp(1ms) { cpu 1ms lock "db" { native 1ms } repeat 2 { io 1ms sleep 0 } } } expect speedup(processes) > 1 expect lag(asyncio) < 1s }`,
	`scenario "s" { param w = 4 vary w in [1, 2] task "t" x $w { } }`,
	`scenario "s" { param d = 5ms param n = 2 vary n in [1, 2] vary d in [1ms, 0] task "t" x $n at $d { cpu uniform($d, 9ms) } expect makespan < $d when n == 1 and $d >= 1ms }`,
	`scenario "s" { param switch = 5ms process "p" { gil interval $switch } expect makespan < 1s when switch < 1s }`,
	`scenario "s" { task "t" x 1000000000 { cpu 5min 10 ms 1e3ms 0x10ms µs } }`,
	"scenario \"s\" {\n\ttask \"é\\\"\" {\tcpu 1ms }\n",
}

// FuzzParse checks that Parse and ParseSweep never panic and that every
// error they return is an ErrorList whose positions lie inside the input.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, pattern := range []string{"../scenarios/*.sim", "../scenarios/*/*.sim", "testdata/errors/*.sim"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := Parse("f.sim", src)
		if err == nil {
			if sc == nil {
				t.Fatal("nil scenario without an error")
			}
		}
		checkFuzzError(t, src, err)
		// The sweep of the same file: every run, or errors of the same shape.
		sw, serr := ParseSweep("f.sim", src, nil)
		if serr == nil && (sw == nil || len(sw.Runs) == 0) {
			t.Fatal("empty sweep without an error")
		}
		checkFuzzError(t, src, serr)
		// Either kind of file; a workload lowers under every model (or
		// says why it cannot) without panicking.
		aw, aerr := ParseAnySweep("f.sim", src, nil)
		checkFuzzError(t, src, aerr)
		if aerr == nil && aw.IsWorkload() {
			for _, m := range simulator.Models() {
				if _, err := simulator.Lower(aw.Runs[0].Workload, m, 0); err != nil {
					var le *simulator.LowerError
					if !errors.As(err, &le) {
						t.Fatalf("%s: %T %v", m, err, err)
					}
				}
			}
		}
	})
}

func checkFuzzError(t *testing.T, src []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T is not a non-empty ErrorList: %v", err, err)
	}
	if len(list) > MaxErrors+1 {
		t.Fatalf("%d errors", len(list))
	}
	// lines as positions count them: a line ends at \n, \r\n or a lone \r
	text := strings.TrimPrefix(string(src), "\uFEFF")
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	for _, e := range list {
		if e.Line < 1 || e.Line > len(lines) {
			t.Fatalf("error line %d outside 1..%d: %v", e.Line, len(lines), e)
		}
		if n := utf8.RuneCountInString(lines[e.Line-1]); e.Col < 1 || e.Col > n+1 {
			t.Fatalf("error column %d outside 1..%d on line %d: %v", e.Col, n+1, e.Line, e)
		}
		if e.Msg == "" || e.File != "f.sim" {
			t.Fatalf("bad error %#v", e)
		}
	}
	_ = err.Error()
}
