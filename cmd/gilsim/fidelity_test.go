package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFidelityCommand(t *testing.T) {
	t.Parallel()
	cases := []cliCase{
		{name: "prints the section", args: []string{"fidelity"}, code: 0,
			stdout: []string{"| E1 |", "## Known limitations", "## Machine parameters", "`wakeup_latency`"}},
		{name: "help", args: []string{"fidelity", "-h"}, code: 0, stdout: []string{"Usage: gilsim fidelity"}},
		{name: "help command", args: []string{"help", "fidelity"}, code: 0, stdout: []string{"--doc FILE"}},
		{name: "argument", args: []string{"fidelity", "x.md"}, code: 2, stderr: []string{`unexpected argument "x.md"`}, noStdout: true},
		{name: "bad flag", args: []string{"fidelity", "--frob"}, code: 2, stderr: []string{"unknown flag --frob"}, noStdout: true},
		{name: "missing readme", args: []string{"fidelity", "--readme", filepath.Join(t.TempDir(), "none.md")}, code: 2, noStdout: true},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

func TestFidelityDocFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "README.md")
	before := "# x\n\n## Fidelity against CPython\n\n<!-- fidelity:begin -->\nold\n<!-- fidelity:end -->\n\n## After\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := testEnv().run([]string{"fidelity", "--doc", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	if strings.Contains(got, "\nold\n") || !strings.Contains(got, "| E10 |") ||
		!strings.HasPrefix(got, "# x\n\n## Fidelity against CPython\n\n<!-- fidelity:begin -->\n") ||
		!strings.HasSuffix(got, "<!-- fidelity:end -->\n\n## After\n") {
		t.Errorf("section not replaced in place:\n%s", got)
	}
	if out.Len() != 0 {
		t.Errorf("--doc printed to stdout: %s", out.String())
	}

	// no markers: refused, file untouched
	plain := filepath.Join(dir, "plain.md")
	os.WriteFile(plain, []byte("# nothing\n"), 0o644)
	errb.Reset()
	if code := testEnv().run([]string{"fidelity", "--readme", plain}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "fidelity:begin") {
		t.Errorf("no markers: exit %d, stderr %q", code, errb.String())
	}
	if b, _ := os.ReadFile(plain); string(b) != "# nothing\n" {
		t.Errorf("file without markers was changed: %q", b)
	}
}
