package lsp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
)

type rw struct {
	io.Reader
	io.Writer
}

func (rw) Close() error { return nil }

func frame(s string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(s), s) }

// FuzzServe feeds arbitrary bytes to a server as its input: it must end
// when the input does, without a panic, whatever the bytes.
func FuzzServe(f *testing.F) {
	open := `{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.sim","version":1,"text":"scenario \"s\" { task \"t\" { cpu 1ms } }"}}}`
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`) + frame(open) +
		frame(`{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.sim"},"position":{"line":0,"character":20}}}`)))
	f.Add([]byte("Content-Length: 5\r\n\r\n{]}\n\nContent-Length: x\r\n\r\n"))
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`) +
		frame(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.sim","version":2},"contentChanges":[{"range":{"start":{"line":9,"character":99},"end":{"line":0,"character":0}},"text":"x"}]}}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		Serve(context.Background(), rw{bytes.NewReader(data), &out}, Options{})
	})
}
