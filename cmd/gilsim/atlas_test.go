package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/internal/app"
)

var updateAtlas = flag.Bool("update-atlas", false, "rewrite testdata/atlas/ok.md")

func TestParseClaimHeader(t *testing.T) {
	t.Parallel()
	const full = "# claim: A claim.\n# source: notes, line 3\n# verdict: holds\n# why: Because.\n#\nscenario \"s\" {}\n"
	good := []struct {
		name, src string
		want      claimHeader
	}{
		{"plain", full, claimHeader{"A claim.", "notes, line 3", "holds", "Because."}},
		{"any order, continuations",
			"# why: One,\n#   two\n#     and three.\n# verdict: does not hold\n# claim: C\n# source: S\n#\n# The scenario's comment.\n",
			claimHeader{"C", "S", "does not hold", "One, two and three."}},
		{"byte-order mark and CRLF", "\uFEFF# claim: C\r\n# source: S\r\n# verdict: holds with a caveat\r\n# why: W\r\n#\r\n",
			claimHeader{"C", "S", "holds with a caveat", "W"}},
		{"lone CR line endings", "# claim: C\r# source: S\r# verdict: holds\r# why: W\r#   more\r#\r", claimHeader{"C", "S", "holds", "W more"}},
		{"no space after #", "#claim: C\n#source: S\n#verdict: holds\n#why: W\n", claimHeader{"C", "S", "holds", "W"}},
		{"colon in a value", "# claim: a: b\n# source: S\n# verdict: holds\n# why: c: d\n", claimHeader{"a: b", "S", "holds", "c: d"}},
	}
	for _, c := range good {
		got, err := parseClaimHeader("f.sim", []byte(c.src))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}

	bad := []struct{ name, src, want string }{
		{"no header at all", "scenario \"s\" {}\n", `f.sim:1: missing "# claim:"`},
		{"other comment first", "# A scenario.\n# claim: C\n", `f.sim:1: missing "# claim:"`},
		{"missing why", "# claim: C\n# source: S\n# verdict: holds\n#\n# why: too late\n", `f.sim:4: missing "# why:"`},
		{"missing source", "# claim: C\n# verdict: holds\n# why: W\nscenario \"s\" {}\n", `f.sim:4: missing "# source:"`},
		{"header is the whole file", "# claim: C\n# verdict: holds\n# why: W", `f.sim:4: missing "# source:"`},
		{"empty field", "# claim:\n# source: S\n# verdict: holds\n# why: W\n", `f.sim:1: empty "# claim:"`},
		{"second field", "# claim: C\n# claim: D\n", `f.sim:2: second "# claim:" (the first is on line 1)`},
		{"unknown verdict", "# claim: C\n# source: S\n# verdict: mostly\n# why: W\n", `f.sim:3: verdict must be "holds", "holds with a caveat" or "does not hold", not "mostly"`},
		{"unknown field", "# claim: C\n# note: N\n", `f.sim:2: want a header field`},
		{"lone CR: lines counted", "# claim: C\r# source: S\r# verdict: maybe\r# why: W\r", `f.sim:3: verdict must be`},
		{"plain comment without the bare #", "# claim: C\n# source: S\n# verdict: holds\n# why: W\n# Two threads.\n", `f.sim:5: want a header field`},
	}
	for _, c := range bad {
		_, err := parseClaimHeader("f.sim", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one starting %q", c.name, err, c.want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	t.Parallel()
	cells := []struct{ in, want string }{
		{"plain", "plain"},
		{"a|b", `a\|b`},
		{"one\ntwo", "one<br>two"},
		{"one\r\ntwo\rthree", "one<br>two<br>three"},
		{"||", `\|\|`},
	}
	for _, c := range cells {
		if got := mdCell(c.in); got != c.want {
			t.Errorf("mdCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	spans := []struct{ in, want string }{
		{"", ""},
		{"finish(a) 1ms", "`finish(a) 1ms`"},
		{"a`b", "``a`b``"},
		{"a``b`", "``` a``b` ```"},
		{"`x`", "`` `x` ``"},
		{"two\nlines", "`two lines`"},
	}
	for _, c := range spans {
		if got := codeSpan(c.in); got != c.want {
			t.Errorf("codeSpan(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// a row stays one line of the table whatever the header holds
	rows := []atlasRow{{path: "d/x|y.sim", shows: "finish(p|q) 1ms", header: claimHeader{
		Claim: "A | B", Source: "l|1", Verdict: "holds", Why: "multi\nline | reason"}}}
	md := atlasMarkdown("d", rows)
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	last := lines[len(lines)-1]
	if strings.Count(last, " | ") != 3 || !strings.Contains(last, `A \| B`) || !strings.Contains(last, "multi<br>line \\| reason") ||
		!strings.Contains(last, "`finish(p\\|q) 1ms`") || !strings.Contains(last, "`d/x\\|y.sim`") {
		t.Errorf("row not escaped into one line of four cells:\n%s", md)
	}
}

func TestAtlasGolden(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run([]string{"atlas", "testdata/atlas/ok"}, &out, &errb)
	if code != exitOK || errb.Len() != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
	golden := filepath.Join("testdata", "atlas", "ok.md")
	if *updateAtlas {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("gilsim atlas testdata/atlas/ok differs from %s (go test ./cmd/gilsim -run TestAtlasGolden -update-atlas):\n%s", golden, out.String())
	}
	// sorted by path, nested files included
	a := strings.Index(out.String(), "a-fcfs.sim")
	b := strings.Index(out.String(), "b-pipes.sim")
	c := strings.Index(out.String(), "more/c-nested.sim")
	if !(a >= 0 && a < b && b < c) {
		t.Errorf("rows not in path order:\n%s", out.String())
	}
}

func TestAtlasCommand(t *testing.T) {
	t.Parallel()
	cases := []cliCase{
		{name: "help", args: []string{"atlas", "-h"}, code: 0, stdout: []string{"Usage: gilsim atlas", "# verdict: holds | holds with a caveat | does not hold"}},
		{name: "help command", args: []string{"help", "atlas"}, code: 0, stdout: []string{"--doc FILE"}},
		{name: "listed in the main help", args: []string{"help"}, code: 0, stdout: []string{"gilsim atlas DIR"}},
		{name: "no directory", args: []string{"atlas"}, code: 2, stderr: []string{"want one directory, got 0 arguments"}, noStdout: true},
		{name: "two directories", args: []string{"atlas", "a", "b"}, code: 2, stderr: []string{"want one directory, got 2 arguments"}, noStdout: true},
		{name: "bad flag", args: []string{"atlas", "--frob", "x"}, code: 2, stderr: []string{"unknown flag --frob"}, noStdout: true},
		{name: "missing directory", args: []string{"atlas", "testdata/atlas/none"}, code: 2, stderr: []string{"testdata/atlas/none"}, noStdout: true},
		{name: "empty directory", args: []string{"atlas", t.TempDir()}, code: 2, stderr: []string{"no .sim files below"}, noStdout: true},
		{name: "headers missing", args: []string{"atlas", "testdata/atlas/bad"}, code: 2, noStdout: true,
			stderr: []string{"testdata/atlas/bad/no-header.sim:1: missing \"# claim:\"\n", "testdata/atlas/bad/no-why.sim:4: missing \"# why:\"\n"}},
		{name: "failing expectation", args: []string{"atlas", "testdata/atlas/failing"}, code: 1,
			stdout: []string{"`finish(t) 2ms (fails: expect finish(\"t\") == 1ms); makespan 2ms`"},
			stderr: []string{"testdata/atlas/failing/fails.sim: an expectation failed"}},
		{name: "flag after the directory", args: []string{"atlas", "testdata/atlas/ok", "--readme", filepath.Join(t.TempDir(), "none.md")}, code: 2, noStdout: true},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

func TestAtlasFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	header := "# claim: C\n# source: S\n# verdict: holds\n# why: W\n#\n"
	os.WriteFile(filepath.Join(dir, "a-syntax.sim"), []byte(header+"scenario \"x\" { task \"t\" { cpu 5min } }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b-no-expect.sim"), []byte(header+"scenario \"x\" { task \"t\" { cpu 1ms } }\n"), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"atlas", dir}, &out, &errb); code != exitUsage {
		t.Errorf("exit %d, want 2", code)
	}
	msg := errb.String()
	if !strings.Contains(msg, "a-syntax.sim:6:") || !strings.Contains(msg, `unknown unit "min"`) ||
		!strings.Contains(msg, "b-no-expect.sim: no expect lines") {
		t.Errorf("stderr does not name both files' errors:\n%s", msg)
	}
	if out.Len() != 0 {
		t.Errorf("printed a table despite errors:\n%s", out.String())
	}
}

func TestAtlasDocFlag(t *testing.T) {
	t.Parallel()
	atlasBegin, atlasEnd := app.Markers(atlasSection)
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	before := "# x\n\n## Claims\n\n" + atlasBegin + "\nold\n" + atlasEnd + "\n\n## After\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"atlas", "--doc", path, "testdata/atlas/ok"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	want, _ := os.ReadFile(filepath.Join("testdata", "atlas", "ok.md"))
	if got != "# x\n\n## Claims\n\n"+atlasBegin+"\n"+string(want)+atlasEnd+"\n\n## After\n" {
		t.Errorf("section not replaced in place:\n%s", got)
	}
	if s, _ := app.Section(got, atlasSection); s != string(want) {
		t.Errorf("app.Section does not give back the section:\n%s", s)
	}
	if out.Len() != 0 {
		t.Errorf("--doc printed to stdout: %s", out.String())
	}

	// no markers, or two sections: refused, file untouched
	for _, text := range []string{"# nothing\n", atlasEnd + "\n" + atlasBegin + "\n", atlasBegin + atlasEnd + atlasBegin + atlasEnd} {
		plain := filepath.Join(dir, "plain.md")
		os.WriteFile(plain, []byte(text), 0o644)
		errb.Reset()
		if code := run([]string{"atlas", "--readme", plain, "testdata/atlas/ok"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "atlas") {
			t.Errorf("%q: exit %d, stderr %q", text, code, errb.String())
		}
		if b, _ := os.ReadFile(plain); string(b) != text {
			t.Errorf("%q was changed to %q", text, b)
		}
	}
}

// --doc (and --readme, its former name) is written as --out is: all at
// once, and a read-only file is refused, unchanged.
func TestDocFlagReadOnly(t *testing.T) {
	t.Parallel()
	atlasBegin, atlasEnd := app.Markers(atlasSection)
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	before := atlasBegin + "\nold\n" + atlasEnd + "\n<!-- fidelity:begin -->\nold\n<!-- fidelity:end -->\n"
	os.WriteFile(path, []byte(before), 0o444)
	for _, args := range [][]string{
		{"atlas", "--readme", path, "testdata/atlas/ok"},
		{"fidelity", "--readme", path},
		{"atlas", "--doc", path, "testdata/atlas/ok"},
		{"fidelity", "--doc", path},
	} {
		var out, errb bytes.Buffer
		want := "gilsim " + args[0] + ": " + args[1] + " " + path + ": the file is read-only (mode 0444)"
		if code := testEnv().run(args, &out, &errb); code != 2 || !strings.HasPrefix(errb.String(), want) {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
		if b, _ := os.ReadFile(path); string(b) != before {
			t.Errorf("%q changed the read-only file", args)
		}
	}
	if got := dirEntries(t, dir); len(got) != 1 {
		t.Errorf("left behind: %q", got)
	}
}
