package dsl

import (
	"strings"
	"testing"
)

// at splits a source marked with | at the point into the source and the
// byte offset of the point.
func at(marked string) ([]byte, int) {
	i := strings.Index(marked, "|")
	return []byte(marked[:i] + marked[i+1:]), i
}

const assistFile = `scenario "s" {
  param workers = 4
  cores 2
  machine { wakeup_latency 24us  memory thread 16KB }
  task "native" { cpu 1ms }
  process "app" x 2 {
    gil interval 5ms
    thread "db" x 3 { lock "conn" { io 2ms } }
    asyncio { task "req" x 100 { await io 5ms  offload { cpu 1ms }  blocking sleep 1ms } }
    greenlets {
      greenlet "A" { switch "B" }
      greenlet "B" { switch "A" }
    }
  }
  vary workers in [1, 2]
  expect finish("app/db") < 1s when workers == 2
}
`

func TestComplete(t *testing.T) {
	cases := []struct {
		marked string
		want   []string // every one of these is offered
		not    []string // none of these is
	}{
		{`|`, []string{"scenario"}, []string{"task"}},
		{`scenario "s" { |`, []string{"task", "process", "expect", "cores", "machine"}, []string{"cpu", "thread"}},
		{`scenario "s" { pro|`, []string{"process"}, nil},
		{`scenario "s" { process "p" { |`, []string{"thread", "asyncio", "gil", "startup"}, []string{"task", "cpu"}},
		{`scenario "s" { task "t" { |`, []string{"cpu", "io", "sleep", "repeat"}, []string{"await", "lock", "yield", "switch"}},
		{`scenario "s" { process "p" { thread "t" { |`, []string{"cpu", "native", "lock", "yield"}, []string{"await", "offload"}},
		{`scenario "s" { process "p" { asyncio { task "c" { cpu 1ms |`, []string{"await", "offload"}, []string{"switch"}},
		{`scenario "s" { process "p" { asyncio { task "c" { offload { |`, []string{"cpu", "lock"}, []string{"await", "yield", "offload"}},
		{`scenario "s" { process "p" { asyncio { |`, []string{"task"}, []string{"greenlet"}},
		{`scenario "s" { machine { |`, []string{"wakeup_latency", "memory", "gil_handoff"}, []string{"cpu"}},
		{`scenario "s" { machine { memory |`, []string{"thread", "raw_greenlet"}, []string{"memory"}},
		{`scenario "s" { policy |`, []string{"fair", "round_robin"}, nil},
		{`scenario "s" { task "t" { cpu 5|`, []string{"5ms", "5us", "5s"}, []string{"5KB"}},
		{`scenario "s" { task "t" { cpu 5m|`, []string{"5ms"}, []string{"5us"}},
		{`scenario "s" { machine { memory 16|`, []string{"16KB", "16MB"}, []string{"16ms"}},
		{`scenario "s" { task "t" { cpu |`, []string{"uniform", "exp", "normal"}, nil},
		{`scenario "s" { process "p" { gevent patched { greenlet "g" { blocking |`, []string{"io", "sleep"}, []string{"cpu", "await"}},
		{`scenario "s" { task "t" { blocking io |`, []string{"uniform", "exp", "normal"}, nil},
		{`scenario "s" { process "p" { gevent patched { greenlet "g" { io 1ms |`, []string{"blocking", "io"}, nil},
		{`scenario "s" { task "t" |`, []string{"x", "at", "priority", "nice"}, nil},
		{`scenario "s" { task "t" x 2 |`, []string{"at"}, []string{"x"}},
		{`scenario "s" { expect |`, []string{"makespan", "finish", "gil_wait"}, []string{"speedup"}},
		{`scenario "s" { workload "w" { task "t" { cpu 1ms } } expect |`, []string{"speedup", "makespan"}, []string{"finish"}},
		{`scenario "s" { workload "w" { task "t" { cpu 1ms } } expect speedup(|`, []string{"processes", "threads-nogil"}, nil},
		{`scenario "s" { process "p" { gevent |`, []string{"patched", "unpatched"}, nil},
		{`scenario "s" { process "p" { gil |`, []string{"interval", "legacy", "off"}, nil},
		{`scenario "s" { expect makespan ~= 1s |`, []string{"within"}, nil},
	}
	for _, tc := range cases {
		src, off := at(tc.marked)
		cands, _, _ := NewOutline(src).Complete(off)
		got := map[string]bool{}
		for _, c := range cands {
			got[c.Label] = true
		}
		for _, w := range tc.want {
			if !got[w] {
				t.Errorf("%q: %q not offered (got %v)", tc.marked, w, labels(cands))
			}
		}
		for _, w := range tc.not {
			if got[w] {
				t.Errorf("%q: %q offered", tc.marked, w)
			}
		}
	}
}

func labels(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Label)
	}
	return out
}

func TestCompleteInFile(t *testing.T) {
	for _, tc := range []struct {
		after string // the point is right after the first occurrence of this
		want  []string
	}{
		{`finish(`, []string{"native", "app", "db", "app/db", "req", "app/asyncio", "A"}},
		{`finish("app/d`, []string{"app/db"}},
		{`when `, []string{"workers"}},
		{`switch "`, []string{"A", "B"}},
	} {
		i := strings.Index(assistFile, tc.after) + len(tc.after)
		cands, from, to := NewOutline([]byte(assistFile)).Complete(i)
		got := map[string]string{}
		for _, c := range cands {
			got[c.Label] = c.Insert
		}
		for _, w := range tc.want {
			if _, ok := got[w]; !ok {
				t.Errorf("after %q: %q not offered (got %v)", tc.after, w, labels(cands))
			}
		}
		if strings.HasSuffix(tc.after, `"`) || strings.HasSuffix(tc.after, "d") {
			if from >= i || to <= i {
				t.Errorf("after %q: replaces [%d, %d), not the string around %d", tc.after, from, to, i)
			}
		}
	}
}

func TestHelpAt(t *testing.T) {
	o := NewOutline([]byte(assistFile))
	for _, tc := range []struct {
		at, word string // the first occurrence of word in the first line holding at
		want     string // in the help's syntax, doc or default
	}{
		{"gil interval", "gil", "interval 5ms"},
		{"wakeup_latency", "wakeup_latency", "24us"},
		{"memory thread", "thread", "16527B"},
		{"finish(", "finish", "last step ends"},
		{"finish(", `"app/db"`, "a Python thread"},
		{`thread "db"`, `"db"`, "3 replicas: db#1, db#2, db#3"},
		{`process "app"`, `"app"`, `It holds thread "db" x 3`},
		{`switch "B"`, `"B"`, "raw greenlet"},
		{"await io", "io", "non-blocking wait"},
		{"blocking sleep", "sleep", "the runtime does not see"},
		{"blocking sleep", "blocking", "counts as io"},
		{"cpu 1ms", "1ms", "1,000,000 ns"},
		{"memory thread", "16KB", "16,384 bytes"},
		{"when workers", "workers", "Varied over [1, 2]"},
		{"cores 2", "cores", "Default"},
	} {
		line := assistFile[strings.Index(assistFile, tc.at):]
		off := strings.Index(assistFile, tc.at) + strings.Index(line, tc.word)
		h, tok, ok := o.HelpAt(off + 1)
		text := h.Syntax + " | " + h.Doc + " | Default " + h.Default
		if !ok || !strings.Contains(text, tc.want) {
			t.Errorf("help on %q (%q): %q, want %q", tc.word, tok.Text, text, tc.want)
		}
	}
}

func TestHelpCoversKeywords(t *testing.T) {
	for _, k := range keywords {
		if _, ok := keywordHelp[k]; !ok {
			t.Errorf("keyword %q has no help", k)
		}
	}
	if len(helpedKeywords()) != len(keywords) {
		t.Errorf("help for %d words, %d keywords", len(helpedKeywords()), len(keywords))
	}
	for _, k := range machineKeys {
		if h, ok := MachineKeyHelp(k); !ok || h.Default == "" || h.Source == "" {
			t.Errorf("machine key %q: help %+v", k, h)
		}
	}
	for _, k := range memoryKindNames {
		if h, ok := MemoryKindHelp(k); !ok || h.Default == "" {
			t.Errorf("memory kind %q: help %+v", k, h)
		}
	}
}

func TestOutline(t *testing.T) {
	o := NewOutline([]byte(assistFile))
	var got []string
	o.Walk(func(s *Symbol) {
		depth := 0
		for p := s.Parent; p != nil; p = p.Parent {
			depth++
		}
		got = append(got, strings.Repeat(".", depth)+s.Kind+" "+s.Name+" "+s.Detail)
	})
	want := []string{
		"scenario s ", ".param workers = 4", ".machine  ", ".task native ", ".process app x 2",
		"..thread db x 3", "..asyncio asyncio ", "...task req x 100", "..greenlets greenlets ",
		"...greenlet A ", "...greenlet B ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := o.Resolve("app#2/db#1"); len(r) != 1 || r[0].Name != "db" {
		t.Errorf("Resolve: %v", r)
	}
	// A half-typed file still has an outline.
	o = NewOutline([]byte("scenario \"s\" {\n  process \"p\" {\n    thread \"t\" { cpu\n"))
	if n := len(o.Symbols); n != 1 || len(o.Symbols[0].Children) != 1 || len(o.Symbols[0].Children[0].Children) != 1 {
		t.Errorf("half-typed outline: %d symbols", n)
	}
}

// FuzzAssist: the outline, completion and help of any text, at any point,
// never panic, and what they return lies inside the text.
func FuzzAssist(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(assistFile))
	f.Fuzz(func(t *testing.T, src []byte) {
		o := NewOutline(src)
		step := max(1, len(src)/64)
		for off := 0; off <= len(src); off += step {
			_, from, to := o.Complete(off)
			if from < 0 || to > len(src) || from > to {
				t.Fatalf("Complete(%d) replaces [%d, %d) of %d bytes", off, from, to, len(src))
			}
			if _, tok, ok := o.HelpAt(off); ok && tok.End() > len(src) {
				t.Fatalf("HelpAt(%d) points past the end", off)
			}
		}
		o.Walk(func(s *Symbol) {
			if s.Start > s.End || s.End > len(src) || s.NameStart > s.NameEnd {
				t.Fatalf("symbol %+v outside the text", s)
			}
		})
	})
}

func TestDefinitionAt(t *testing.T) {
	o := NewOutline([]byte(assistFile))
	for _, tc := range []struct{ at, want string }{
		{`"app/db"`, "thread db"},
		{`switch "B"`, "greenlet B"},
		{`when workers`, "param workers"},
		{`vary workers`, "param workers"},
	} {
		i := strings.Index(assistFile, tc.at)
		if j := strings.LastIndexAny(tc.at, " "); j >= 0 {
			i += j + 1
		}
		syms, _ := o.DefinitionAt(i + 1)
		if len(syms) != 1 || syms[0].Kind+" "+syms[0].Name != tc.want {
			t.Errorf("definition of %q: %v, want %s", tc.at, syms, tc.want)
		}
	}
}
