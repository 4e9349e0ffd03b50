package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// client speaks LSP to a server running on the other end of a pipe, as an
// editor would, and keeps a transcript of what it sent and received.
type client struct {
	t      *testing.T
	conn   net.Conn
	in     chan map[string]any
	nextID int
	log    bytes.Buffer
	done   chan int
}

func startServer(t *testing.T, opt Options) *client {
	t.Helper()
	a, b := net.Pipe()
	c := &client{t: t, conn: a, in: make(chan map[string]any, 100), done: make(chan int, 1)}
	go func() { c.done <- Serve(context.Background(), b, opt) }()
	go c.read(bufio.NewReader(a))
	t.Cleanup(func() { a.Close() })
	return c
}

func (c *client) read(r *bufio.Reader) {
	defer close(c.in)
	for {
		length := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			c.t.Errorf("the server sent something that is not JSON: %q", body)
			return
		}
		c.in <- m
	}
}

func (c *client) raw(body string) {
	c.t.Helper()
	fmt.Fprintf(&c.log, "--> %s\n", body)
	if _, err := fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) send(msg map[string]any) {
	c.t.Helper()
	msg["jsonrpc"] = "2.0"
	data, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	c.raw(string(data))
}

// notify sends a notification.
func (c *client) notify(method string, params any) {
	c.t.Helper()
	c.send(map[string]any{"method": method, "params": params})
}

// call sends a request and returns its response.
func (c *client) call(method string, params any) map[string]any {
	c.t.Helper()
	c.nextID++
	msg := map[string]any{"id": c.nextID, "method": method}
	if params != nil {
		msg["params"] = params
	}
	c.send(msg)
	return c.expect(func(m map[string]any) bool { return m["id"] == float64(c.nextID) })
}

// expect waits for the message that match accepts, records it, and
// fails on any other message that is not a notification.
func (c *client) expect(match func(map[string]any) bool) map[string]any {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				c.t.Fatal("the server closed the connection")
			}
			if !match(m) {
				if _, notif := m["method"]; !notif {
					c.t.Fatalf("unexpected message %v", m)
				}
				continue
			}
			data, _ := json.MarshalIndent(m, "", "  ")
			fmt.Fprintf(&c.log, "<-- %s\n", data)
			return m
		case <-timeout:
			c.t.Fatal("no answer within 30s")
		}
	}
}

// diagnostics waits for the diagnostics of version v of a document.
func (c *client) diagnostics(uri string, v int) map[string]any {
	c.t.Helper()
	return c.expect(func(m map[string]any) bool {
		p, _ := m["params"].(map[string]any)
		return m["method"] == "textDocument/publishDiagnostics" && p["uri"] == uri && p["version"] == float64(v)
	})
}

func (c *client) comment(s string) { fmt.Fprintf(&c.log, "\n# %s\n", s) }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lsp -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./lsp -update rewrites it; review the diff)\n--- got\n%s", path, got)
	}
}

func pos(line, char int) map[string]any { return map[string]any{"line": line, "character": char} }

func at(uri string, line, char int) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos(line, char)}
}

const uri = "file:///work/app.sim"

// broken has an unknown metric on line 8.
const broken = `scenario "demo" {
  process "app" {
    gil interval 5ms
    thread "db" x 2 { lock "conn" { io 2ms } }
    asyncio { task "req" x 3 { cpu 150ms  await io 5ms } }
  }
  expect finish("db") < 1s
  expect makspan < 1s
}
`

// TestSession drives a session as an editor would and compares what the
// server answers with testdata/session.golden.
func TestSession(t *testing.T) {
	c := startServer(t, Options{Version: "test"})
	c.comment("initialize: the capabilities")
	c.call("initialize", map[string]any{"processId": nil, "rootUri": nil, "capabilities": map[string]any{}})
	c.notify("initialized", map[string]any{})

	c.comment("a file with an error: its diagnostics, the metric's name as the range")
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "gilsim", "version": 1, "text": broken}})
	c.diagnostics(uri, 1)

	c.comment("hover on gil: its documentation and default")
	c.call("textDocument/hover", at(uri, 2, 5))
	c.comment("hover on a name in expect: what it is, its replicas")
	c.call("textDocument/hover", at(uri, 6, 19))

	c.comment("completion inside expect finish(: the entities")
	c.call("textDocument/completion", at(uri, 6, 16))

	c.comment("definition of \"db\" in expect: the thread's name")
	c.call("textDocument/definition", at(uri, 6, 19))

	c.comment("the outline")
	c.call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}})

	c.comment("the error fixed, the layout messy: no error, the dry run's warning")
	fixed := strings.Replace(broken, "makspan", "makespan", 1)
	fixed = strings.Replace(fixed, "    gil interval 5ms\n", "  gil   interval 5ms\n", 1)
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{map[string]any{"text": fixed}}})
	c.diagnostics(uri, 2)

	c.comment("formatting: the edits gilsim fmt would make")
	c.call("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}})

	c.comment("an incremental change that half-types a line: still answered")
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 3}, "contentChanges": []any{
		map[string]any{"range": map[string]any{"start": pos(7, 2), "end": pos(7, 21)}, "text": "expect finish(\"re"},
	}})
	c.diagnostics(uri, 3)
	c.call("textDocument/completion", at(uri, 7, 19))
	c.call("textDocument/hover", at(uri, 7, 10))
	c.call("textDocument/formatting", map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 2, "insertSpaces": true}})

	c.comment("malformed messages get the protocol's errors; the server goes on")
	c.raw(`{"jsonrpc": "2.0", "id": 99, "method": `)
	c.expect(func(m map[string]any) bool { return m["error"] != nil })
	c.raw(`{"jsonrpc": "2.0", "id": 98}`)
	c.expect(func(m map[string]any) bool { return m["error"] != nil })
	c.raw(`[1, 2]`)
	c.expect(func(m map[string]any) bool { return m["error"] != nil })
	c.call("gilsim/unknown", map[string]any{})
	c.call("textDocument/hover", map[string]any{"textDocument": 5})
	c.call("textDocument/hover", at("file:///not/open.sim", 0, 0))

	c.comment("shutdown, then exit: status 0")
	c.call("shutdown", nil)
	c.call("textDocument/hover", at(uri, 2, 5))
	c.notify("exit", nil)
	select {
	case code := <-c.done:
		fmt.Fprintf(&c.log, "\nexit status %d\n", code)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit")
	}
	golden(t, "session.golden", c.log.Bytes())
}

// TestBeforeInitialize: requests before initialize are refused with
// ServerNotInitialized; the end of input without shutdown is status 1.
func TestBeforeInitialize(t *testing.T) {
	c := startServer(t, Options{})
	r := c.call("textDocument/hover", at(uri, 0, 0))
	if e, _ := r["error"].(map[string]any); e == nil || e["code"] != float64(codeServerNotInitialized) {
		t.Errorf("hover before initialize: %v", r)
	}
	c.conn.Close()
	if code := <-c.done; code != 1 {
		t.Errorf("exit status %d without shutdown, want 1", code)
	}
}

// TestHostile: a panic in a request, a document past the size limit,
// frames too large or without a length, and requests on a half-typed
// document all get an answer, and the server keeps serving.
func TestHostile(t *testing.T) {
	testHook = func(method string) {
		if method == "gilsim/panic" {
			panic("boom")
		}
	}
	defer func() { testHook = nil }()
	c := startServer(t, Options{})
	c.call("initialize", map[string]any{"capabilities": map[string]any{}})

	r := c.call("gilsim/panic", map[string]any{})
	if e, _ := r["error"].(map[string]any); e == nil || e["code"] != float64(-32603) {
		t.Errorf("a panicking request: %v", r)
	}

	huge := strings.Repeat("# padding\n", 17<<20/10)
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 1, "text": huge}})
	d := c.diagnostics(uri, 1)
	if !strings.Contains(fmt.Sprint(d), "file is too large") {
		t.Errorf("a 17 MiB document: %v", d)
	}
	for _, method := range []string{"textDocument/hover", "textDocument/completion", "textDocument/definition"} {
		if r := c.call(method, at(uri, 5, 3)); r["error"] != nil {
			t.Errorf("%s on a huge document: %v", method, r)
		}
	}

	fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n", MaxMessage+1)
	go c.conn.Write(make([]byte, MaxMessage+1))
	c.expect(func(m map[string]any) bool { return m["error"] != nil })
	fmt.Fprintf(c.conn, "X-Nothing: 1\r\n\r\n")
	c.expect(func(m map[string]any) bool { return m["error"] != nil })

	for i, text := range []string{"", "scenario", "scenario \"s\" {\n  process \"p\" {\n    thread \"t\" { cpu", "}}}}{{{", "\xff\xfe\x00", strings.Repeat("{", 5000)} {
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2 + i}, "contentChanges": []any{map[string]any{"text": text}}})
		c.diagnostics(uri, 2+i)
		for _, method := range []string{"textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/documentSymbol", "textDocument/formatting"} {
			params := at(uri, 2, 20)
			if r := c.call(method, params); r["error"] != nil {
				t.Errorf("%s on %q: %v", method, text, r)
			}
		}
	}
	c.call("shutdown", nil)
	c.notify("exit", nil)
	if code := <-c.done; code != 0 {
		t.Errorf("exit status %d", code)
	}
}
