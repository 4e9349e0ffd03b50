package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestLSPCommand: `gilsim lsp` serves on standard input and output, and
// exits 0 after shutdown and exit.
func TestLSPCommand(t *testing.T) {
	t.Parallel()
	var in bytes.Buffer
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	} {
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(msg), msg)
	}
	e := realEnv()
	e.stdin = &in
	var out, errb bytes.Buffer
	if code := e.run([]string{"lsp"}, &out, &errb); code != 0 {
		t.Fatalf("exit status %d, stderr %s", code, errb.String())
	}
	for _, want := range []string{`"id":1,"result":{"capabilities"`, `"name":"gilsim"`, `"id":2,"result":null`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %s:\n%s", want, out.String())
		}
	}
	if code := run([]string{"lsp", "extra"}, &out, &errb); code != exitUsage {
		t.Errorf("gilsim lsp extra: exit %d", code)
	}
}
