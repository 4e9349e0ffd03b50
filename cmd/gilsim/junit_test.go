package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// xmlNode is an element of a decoded XML document.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string
}

func decodeXML(t *testing.T, data []byte) *xmlNode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				if _, dup := n.attrs[a.Name.Local]; dup {
					t.Errorf("<%s> repeats %s", n.name, a.Name.Local)
				}
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					t.Fatal("two root elements")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
	if root == nil {
		t.Fatal("no root element")
	}
	return root
}

// junitSchema is the structure of JUnit XML as the common CI systems read
// it (Jenkins' junit plugin, GitLab, Azure DevOps, the GitHub Actions
// reporters): for each element, the attributes it may carry (those marked
// ! are required, # are counts, ~ are seconds) and the children it may
// hold.
var junitSchema = map[string]struct {
	attrs    []string
	children []string
}{
	"testsuites": {[]string{"name", "#tests", "#failures", "#errors", "#skipped", "#disabled", "#assertions", "~time", "timestamp"}, []string{"testsuite"}},
	"testsuite":  {[]string{"!name", "!#tests", "#failures", "#errors", "#skipped", "#disabled", "#assertions", "~time", "timestamp", "hostname", "id", "package", "file"}, []string{"testcase", "properties", "system-out", "system-err"}},
	"testcase":   {[]string{"!name", "classname", "#assertions", "~time", "file", "#line", "status"}, []string{"failure", "error", "skipped", "system-out", "system-err"}},
	"failure":    {[]string{"message", "type"}, nil},
	"error":      {[]string{"message", "type"}, nil},
	"skipped":    {[]string{"message"}, nil},
}

// validateJUnit checks n and everything below it against junitSchema and
// checks that the counts add up.
func validateJUnit(t *testing.T, n *xmlNode) {
	t.Helper()
	rule, ok := junitSchema[n.name]
	if !ok {
		t.Errorf("element <%s> is not JUnit", n.name)
		return
	}
	allowed := map[string]byte{}
	for _, a := range rule.attrs {
		kind := byte(0)
		for len(a) > 0 && strings.ContainsRune("!#~", rune(a[0])) {
			if a[0] == '!' {
				if _, has := n.attrs[strings.TrimLeft(a, "!#~")]; !has {
					t.Errorf("<%s> lacks required %s", n.name, strings.TrimLeft(a, "!#~"))
				}
			} else {
				kind = a[0]
			}
			a = a[1:]
		}
		allowed[a] = kind
	}
	for name, v := range n.attrs {
		kind, ok := allowed[name]
		switch {
		case !ok:
			t.Errorf("<%s> has attribute %s, which JUnit readers do not know", n.name, name)
		case kind == '#':
			if k, err := strconv.Atoi(v); err != nil || k < 0 {
				t.Errorf("<%s %s=%q>: not a count", n.name, name, v)
			}
		case kind == '~':
			if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 {
				t.Errorf("<%s %s=%q>: not seconds", n.name, name, v)
			}
		}
	}
	outcomes := 0
	for _, c := range n.children {
		okChild := false
		for _, want := range rule.children {
			okChild = okChild || c.name == want
		}
		if !okChild {
			t.Errorf("<%s> holds <%s>", n.name, c.name)
		}
		if c.name == "failure" || c.name == "error" || c.name == "skipped" {
			outcomes++
		}
		validateJUnit(t, c)
	}
	if outcomes > 1 {
		t.Errorf("<testcase name=%q> has %d outcomes", n.attrs["name"], outcomes)
	}
	if rule.children == nil && len(n.children) > 0 {
		t.Errorf("<%s> holds elements", n.name)
	}
	// the counts of a suite (or of all suites) are those of its cases
	count := func(n *xmlNode) map[string]int {
		m := map[string]int{}
		var walk func(*xmlNode)
		walk = func(x *xmlNode) {
			if x.name == "testcase" {
				m["tests"]++
				for _, c := range x.children {
					switch c.name {
					case "failure":
						m["failures"]++
					case "error":
						m["errors"]++
					case "skipped":
						m["skipped"]++
					}
				}
				return
			}
			for _, c := range x.children {
				walk(c)
			}
		}
		walk(n)
		return m
	}
	if n.name == "testsuites" || n.name == "testsuite" {
		got := count(n)
		for _, k := range []string{"tests", "failures", "errors", "skipped"} {
			if v, has := n.attrs[k]; has && v != strconv.Itoa(got[k]) {
				t.Errorf("<%s name=%q> says %s=%s, its cases make %d", n.name, n.attrs["name"], k, v, got[k])
			}
		}
	}
}

// gilsim test --format junit writes JUnit XML that the CI systems' schema
// accepts, one testcase per expectation, each failure at file:line, and
// names escaped whatever they hold.
func TestJUnitSchema(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"ok.sim": `scenario "ok" {
  policy fifo
  task "P1" { cpu 24ms }
  expect finish("P1") == 24ms
  expect makespan < 10ms
}`,
		"odd <&>\x1b.sim": `scenario "names <&> \"q\"" {
  task "a<b>&'c\"]]>" x 2 { cpu 1ms }
  param n = 1
  vary n in [1, 2]
  expect finish("a<b>&'c\"]]>") < 3ms when n == 1
  expect wait("a<b>&'c\"]]>#2") == 1ms
}`,
		"dead.sim": `scenario "crossed" {
  process "app" {
    thread "a" { lock "x" { io 1ms  lock "y" { cpu 1ms } } }
    thread "b" { lock "y" { io 1ms  lock "x" { cpu 1ms } } }
  }
  expect makespan < 1s
}`,
		"broken.sim": `scenario "b" { task "t" { cpu 5min } }`,
		"lock.sim": `scenario "l" {
  workload "w" {
    task "a" { lock "x" { io 1ms  lock "y" { cpu 1ms } } }
    task "b" { lock "y" { io 1ms  lock "x" { cpu 1ms } } }
  }
  expect makespan(sequential) < 1s
}`,
		"none.sim": `scenario "n" { task "t" { cpu 1ms } }`,
		"crawl.sim": `scenario "crawler" {
  workload "fetch" { task "req" x 4 { cpu 1ms  io 10ms } }
  expect p50(asyncio) < 20ms
  expect speedup(threads) > 10
}`,
	}
	var args []string
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	var out, errb bytes.Buffer
	e := testEnv()
	code := e.run(append([]string{"test", "--format", "junit"}, args...), &out, &errb)
	if code != exitUsage {
		t.Errorf("exit %d, want 2 (a file does not parse)", code)
	}
	root := decodeXML(t, out.Bytes())
	if root.name != "testsuites" {
		t.Fatalf("root <%s>", root.name)
	}
	validateJUnit(t, root)
	cases := map[string]*xmlNode{}
	for _, s := range root.children {
		for _, c := range s.children {
			key := filepath.Base(s.attrs["file"]) + ": " + c.attrs["name"]
			if cases[key] != nil {
				t.Errorf("two testcases %q", key)
			}
			cases[key] = c
		}
	}
	want := map[string]string{ // testcase -> its outcome
		`ok.sim: expect finish("P1") == 24ms`:                                    "",
		`ok.sim: expect makespan < 10ms`:                                         "failure",
		`odd <&>\x1b.sim: expect finish("a<b>&'c\"]]>") < 3ms when n == 1 [n=1]`: "",
		`odd <&>\x1b.sim: expect wait("a<b>&'c\"]]>#2") == 1ms [n=1]`:            "",
		`odd <&>\x1b.sim: expect wait("a<b>&'c\"]]>#2") == 1ms [n=2]`:            "",
		`dead.sim: run`:                           "failure",
		`dead.sim: expect makespan < 1s`:          "",
		`broken.sim: parse`:                       "error",
		`none.sim: run`:                           "",
		`crawl.sim: expect p50(asyncio) < 20ms`:   "",
		`crawl.sim: expect speedup(threads) > 10`: "failure",
		// a model that deadlocks fails the file, one testcase each
		`lock.sim: model threads`:                    "failure",
		`lock.sim: model threads-nogil`:              "failure",
		`lock.sim: model asyncio`:                    "failure",
		`lock.sim: model asyncio+threads`:            "failure",
		`lock.sim: model gevent`:                     "failure",
		`lock.sim: expect makespan(sequential) < 1s`: "",
	}
	for name, outcome := range want {
		c, ok := cases[name]
		if !ok {
			t.Errorf("no testcase %q", name)
			continue
		}
		got := ""
		for _, ch := range c.children {
			got = ch.name
			if ch.name == "failure" && !strings.Contains(ch.text, ".sim:") && !strings.Contains(ch.text, "DEADLOCK") {
				t.Errorf("%s: failure without file:line: %q", name, ch.text)
			}
		}
		if got != outcome {
			t.Errorf("%s: outcome %q, want %q", name, got, outcome)
		}
	}
	if len(cases) != len(want) {
		t.Errorf("%d testcases, want %d: %v", len(cases), len(want), cases)
	}
	if c := cases[`ok.sim: expect makespan < 10ms`]; c != nil && (c.attrs["line"] != "5" || !strings.HasSuffix(c.children[0].text, "ok.sim:5: expect makespan < 10ms — actual 24ms")) {
		t.Errorf("failure %v %q", c.attrs, c.children[0].text)
	}
}
