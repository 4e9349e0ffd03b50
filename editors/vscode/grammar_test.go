package vscode

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/dsl"
)

// The grammar is run here by a small TextMate engine: match rules with
// captures, begin/end rules with their captures and inner patterns,
// includes of the repository and $self. At each point the rule whose match
// starts first wins; at a tie, the end of the open begin/end rule, then
// the rule listed first. Enough of TextMate for a grammar that keeps to
// it, and every regular expression must compile with Go's regexp, which
// keeps the grammar in the subset that Oniguruma and Go share.

type rawRule struct {
	Name          string             `json:"name"`
	Match         string             `json:"match"`
	Begin         string             `json:"begin"`
	End           string             `json:"end"`
	Include       string             `json:"include"`
	Captures      map[string]capture `json:"captures"`
	BeginCaptures map[string]capture `json:"beginCaptures"`
	EndCaptures   map[string]capture `json:"endCaptures"`
	Patterns      []rawRule          `json:"patterns"`
}

type capture struct {
	Name string `json:"name"`
}

type rawGrammar struct {
	ScopeName  string             `json:"scopeName"`
	Patterns   []rawRule          `json:"patterns"`
	Repository map[string]rawRule `json:"repository"`
}

// rule is a match or begin/end rule, its includes resolved.
type rule struct {
	name          string
	match, begin  *regexp.Regexp
	end           *regexp.Regexp
	captures      map[int]string
	beginCaptures map[int]string
	endCaptures   map[int]string
	patterns      []*rule // of a begin/end rule
}

type engine struct {
	t     *testing.T
	g     rawGrammar
	root  []*rule
	cache map[string][]*rule
}

func loadGrammar(t *testing.T) *engine {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("syntaxes", "gilsim.tmLanguage.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{t: t, cache: map[string][]*rule{}}
	if err := json.Unmarshal(data, &e.g); err != nil {
		t.Fatalf("the grammar is not JSON: %v", err)
	}
	e.root = e.resolve(e.g.Patterns, 0)
	return e
}

func (e *engine) compile(expr string) *regexp.Regexp {
	re, err := regexp.Compile(expr)
	if err != nil {
		e.t.Fatalf("%q: Go's regexp cannot run it (keep to the subset Go and Oniguruma share): %v", expr, err)
	}
	return re
}

func caps(m map[string]capture) map[int]string {
	out := map[int]string{}
	for k, v := range m {
		var n int
		for _, c := range k {
			n = n*10 + int(c-'0')
		}
		out[n] = v.Name
	}
	return out
}

// resolve turns a list of patterns into rules, following includes.
func (e *engine) resolve(list []rawRule, depth int) []*rule {
	if depth > 20 {
		e.t.Fatal("includes nest too deep")
	}
	var out []*rule
	for _, r := range list {
		switch {
		case r.Include == "$self":
			out = append(out, e.resolve(e.g.Patterns, depth+1)...)
		case strings.HasPrefix(r.Include, "#"):
			name := r.Include[1:]
			if cached, ok := e.cache[name]; ok {
				out = append(out, cached...)
				continue
			}
			rep, ok := e.g.Repository[name]
			if !ok {
				e.t.Fatalf("include of unknown %s", r.Include)
			}
			rs := e.resolve([]rawRule{rep}, depth+1)
			e.cache[name] = rs
			out = append(out, rs...)
		case r.Include != "":
			e.t.Fatalf("include %q: only #name and $self are supported", r.Include)
		case r.Match != "":
			out = append(out, &rule{name: r.Name, match: e.compile(r.Match), captures: caps(r.Captures)})
		case r.Begin != "":
			out = append(out, &rule{name: r.Name, begin: e.compile(r.Begin), end: e.compile(r.End),
				beginCaptures: caps(r.BeginCaptures), endCaptures: caps(r.EndCaptures), patterns: e.resolve(r.Patterns, depth+1)})
		default:
			out = append(out, e.resolve(r.Patterns, depth+1)...)
		}
	}
	return out
}

// scopes returns the innermost scope of every byte of src.
func (e *engine) scopes(src string) []string {
	out := make([]string, len(src))
	var stack []*rule
	paint := func(from, to int, name string) {
		if name == "" {
			return
		}
		for i := from; i < to; i++ {
			out[i] = name
		}
	}
	paintCaps := func(base int, loc []int, names map[int]string) {
		for n, name := range names {
			if 2*n+1 < len(loc) && loc[2*n] >= 0 {
				paint(base+loc[2*n], base+loc[2*n+1], name)
			}
		}
	}
	offset := 0
	for _, line := range strings.SplitAfter(src, "\n") {
		text := strings.TrimRight(line, "\r\n")
		pos := 0
		for pos <= len(text) {
			patterns := e.root
			var top *rule
			if n := len(stack); n > 0 {
				top = stack[n-1]
				patterns = top.patterns
				paint(offset+pos, offset+len(text), top.name)
			}
			bestStart, bestEnd := -1, -1
			var best *rule
			var bestLoc []int
			isEnd := false
			if top != nil {
				if loc := top.end.FindStringSubmatchIndex(text[pos:]); loc != nil {
					bestStart, bestEnd, bestLoc, isEnd = pos+loc[0], pos+loc[1], loc, true
				}
			}
			for _, r := range patterns {
				re := r.match
				if re == nil {
					re = r.begin
				}
				loc := re.FindStringSubmatchIndex(text[pos:])
				if loc == nil || loc[0] == loc[1] && r.match != nil {
					continue
				}
				if bestStart < 0 || pos+loc[0] < bestStart {
					bestStart, bestEnd, bestLoc, best, isEnd = pos+loc[0], pos+loc[1], loc, r, false
				}
			}
			switch {
			case bestStart < 0:
				pos = len(text) + 1
			case isEnd:
				paint(offset+bestStart, offset+bestEnd, top.name)
				paintCaps(offset+pos, bestLoc, top.endCaptures)
				stack = stack[:len(stack)-1]
				pos = max(bestEnd, bestStart+1)
			case best.match != nil:
				paint(offset+bestStart, offset+bestEnd, best.name)
				paintCaps(offset+pos, bestLoc, best.captures)
				pos = bestEnd
			default:
				paint(offset+bestStart, offset+bestEnd, best.name)
				paintCaps(offset+pos, bestLoc, best.beginCaptures)
				stack = append(stack, best)
				pos = bestEnd
			}
		}
		offset += len(line)
	}
	return out
}

var validQuantity = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?(ns|us|µs|μs|ms|s|B|KB|MB|GB|KiB|MiB|GiB|%)?$`)

var keywordScopes = map[string]string{}

func init() {
	groups := map[string][]string{
		"storage.type.entity":           {"scenario", "process", "task", "thread", "greenlet", "greenthread", "gen", "workload"},
		"storage.type.runtime":          {"asyncio", "gevent", "eventlet", "greenlets", "coroutines", "machine"},
		"keyword.control.step":          {"cpu", "native", "io", "sleep", "await", "yield", "offload", "repeat", "lock", "switch", "blocking", "send", "recv", "semaphore"},
		"keyword.other.setting":         {"seed", "cores", "policy", "quantum", "context_switch", "gil", "interval", "legacy", "check", "off", "startup", "patched", "unpatched", "x", "at", "priority", "nice", "start", "param", "vary", "in"},
		"keyword.other.expect":          {"expect", "within", "when", "and"},
		"support.function.distribution": {"uniform", "exp", "normal"},
	}
	for scope, words := range groups {
		for _, w := range words {
			keywordScopes[w] = scope
		}
	}
}

// wantScope is the scope a token must have, by its kind and context; ""
// when anything goes (a misspelt word).
func wantScope(t dsl.Token, inExpect, inMachine, afterMemory, afterPolicy bool) string {
	switch t.Kind {
	case dsl.TokenComment:
		return "comment.line.number-sign"
	case dsl.TokenString:
		return "string.quoted.double"
	case dsl.TokenQuantity:
		if validQuantity.MatchString(t.Text) {
			return "constant.numeric"
		}
		return "invalid.illegal.number"
	case dsl.TokenParamRef:
		return "variable.other.parameter"
	case dsl.TokenOp:
		return "keyword.operator"
	case dsl.TokenPunct:
		if t.Text == "=" {
			return "keyword.operator"
		}
		if inMachine {
			return "" // inside the machine block only its braces are coloured
		}
		return "punctuation."
	case dsl.TokenKeyword:
		switch {
		case afterPolicy:
			return "constant.language.policy"
		case inExpect && dsl.IsKeyword(t.Text) && isMetric(t.Text):
			return "support.function.metric"
		case inExpect && t.Text == "asyncio":
			return "constant.language.model"
		case inMachine && afterMemory:
			return "constant.language.memory-kind"
		case inMachine && t.Text == "context_switch" || inMachine && t.Text == "memory":
			return "variable.other.property.machine"
		case inMachine && t.Text != "machine":
			return ""
		case inExpect && keywordScopes[t.Text] != "keyword.other.expect":
			return ""
		}
		return keywordScopes[t.Text]
	case dsl.TokenIdent:
		switch {
		case inExpect && isMetric(t.Text):
			return "support.function.metric"
		case inMachine && afterMemory:
			return "constant.language.memory-kind"
		case inMachine && isMachineKey(t.Text):
			return "variable.other.property.machine"
		case afterPolicy:
			return "constant.language.policy"
		}
	}
	return ""
}

func isMetric(w string) bool {
	for _, wl := range []bool{false, true} {
		for _, m := range dsl.MetricNames(wl) {
			if m == w {
				return true
			}
		}
	}
	return false
}

func isMachineKey(w string) bool {
	for _, k := range dsl.MachineKeys() {
		if k == w {
			return true
		}
	}
	return false
}

// checkFile checks the scope of every token of src, and records the
// scopes seen.
func checkFile(t *testing.T, e *engine, name string, src []byte, seen map[string]bool) {
	scopes := e.scopes(string(src))
	for _, s := range scopes {
		seen[s] = true
	}
	o := dsl.NewOutline(src)
	toks := o.Tokens
	expectLine := map[int]bool{}
	for _, tk := range toks {
		if tk.Kind == dsl.TokenKeyword && tk.Text == "expect" {
			expectLine[tk.Line] = true
		}
	}
	var prev dsl.Token
	for _, tk := range toks {
		scope := scopes[tk.Offset]
		seen[scope] = true
		scopesAt := o.ScopesAt(tk.Offset)
		inMachine := len(scopesAt) > 0 && scopesAt[len(scopesAt)-1].Kind == "machine" && tk.Text != "}"
		want := wantScope(tk, expectLine[tk.Line] && tk.Kind != dsl.TokenComment, inMachine,
			prev.Text == "memory", prev.Text == "policy")
		if want != "" && !strings.HasPrefix(scope, want) {
			t.Errorf("%s:%d:%d: %q is %q, want %s...", name, tk.Line, tk.Col, tk.Text, scope, want)
		}
		if tk.Kind != dsl.TokenComment {
			prev = tk
		}
	}
}

// TestGrammar colours every shipped scenario and testdata/highlight.sim
// and checks every token's scope, and that every class of token the
// grammar knows shows up somewhere.
func TestGrammar(t *testing.T) {
	e := loadGrammar(t)
	if e.g.ScopeName != "source.gilsim" {
		t.Errorf("scopeName %q", e.g.ScopeName)
	}
	files, _ := filepath.Glob("../../scenarios/*/*.sim")
	files = append(files, "testdata/highlight.sim")
	if len(files) < 50 {
		t.Fatalf("only %d sample files", len(files))
	}
	seen := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, e, f, src, seen)
	}
	// What no valid file holds: malformed numbers, a bad escape, an
	// unterminated string.
	checkFile(t, e, "bad", []byte("scenario \"s\" { task \"t\" { cpu 5min io 10sx } }\ntask \"a\\n\" \"open\n"), seen)
	var missing []string
	for _, want := range []string{
		"comment.line.number-sign.gilsim", "string.quoted.double.gilsim", "constant.character.escape.gilsim",
		"invalid.illegal.escape.gilsim", "constant.numeric.duration.gilsim", "constant.numeric.size.gilsim",
		"constant.numeric.percent.gilsim", "constant.numeric.gilsim", "invalid.illegal.number.gilsim",
		"variable.other.parameter.gilsim", "support.function.distribution.gilsim", "constant.language.policy.gilsim",
		"storage.type.entity.gilsim", "storage.type.runtime.gilsim", "keyword.control.step.gilsim",
		"keyword.other.setting.gilsim", "keyword.other.expect.gilsim", "keyword.operator.gilsim",
		"support.function.metric.gilsim", "constant.language.model.gilsim", "variable.other.property.machine.gilsim",
		"constant.language.memory-kind.gilsim", "constant.language.gil-handoff.gilsim",
		"punctuation.section.braces.gilsim", "punctuation.section.parens.gilsim",
		"punctuation.section.brackets.gilsim", "punctuation.separator.comma.gilsim",
	} {
		if !seen[want] {
			missing = append(missing, want)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no sample token got %s", strings.Join(missing, ", "))
	}
}

// TestManifest: the extension's manifest points at the grammar and the
// language configuration, for .sim files, and starts the server.
func TestManifest(t *testing.T) {
	var m struct {
		Main        string `json:"main"`
		Contributes struct {
			Languages []struct {
				ID            string   `json:"id"`
				Extensions    []string `json:"extensions"`
				Configuration string   `json:"configuration"`
			} `json:"languages"`
			Grammars []struct {
				Language  string `json:"language"`
				ScopeName string `json:"scopeName"`
				Path      string `json:"path"`
			} `json:"grammars"`
		} `json:"contributes"`
	}
	data, err := os.ReadFile("package.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	c := m.Contributes
	if len(c.Languages) != 1 || c.Languages[0].ID != "gilsim" || len(c.Languages[0].Extensions) != 1 || c.Languages[0].Extensions[0] != ".sim" {
		t.Errorf("languages: %+v", c.Languages)
	}
	if len(c.Grammars) != 1 || c.Grammars[0].ScopeName != "source.gilsim" || c.Grammars[0].Language != "gilsim" {
		t.Errorf("grammars: %+v", c.Grammars)
	}
	for _, p := range []string{m.Main, c.Grammars[0].Path, c.Languages[0].Configuration} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("the manifest names %s: %v", p, err)
		}
	}
	var conf map[string]any
	data, _ = os.ReadFile(c.Languages[0].Configuration)
	if err := json.Unmarshal(data, &conf); err != nil {
		t.Errorf("%s: %v", c.Languages[0].Configuration, err)
	}
	js, _ := os.ReadFile(m.Main)
	if !strings.Contains(string(js), `args: ["lsp"]`) {
		t.Errorf("%s does not start gilsim lsp", m.Main)
	}
}
