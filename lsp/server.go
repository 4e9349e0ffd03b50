// Package lsp is gilsim's language server: the Language Server Protocol
// over a byte stream (stdin and stdout for `gilsim lsp`), for editors
// that write scenario files.
//
// It offers diagnostics as the file is typed (every error of the dsl,
// positioned as a range, and the misuse warnings of a dry run bounded in
// events), hover documentation, completion, go-to-definition from a name
// in `expect` or `switch`, document formatting (dsl.Format, as `gilsim
// fmt`) and an outline of the document's symbols. The language knowledge
// lives in the dsl package (dsl.Outline, dsl.Format); this package maps it
// to the protocol.
//
// The protocol types and their dispatch come from
// github.com/tliron/glsp/protocol_3_16 and the JSON-RPC connection from
// github.com/sourcegraph/jsonrpc2; the framing is this package's own
// (stream.go), so that a malformed message gets the protocol's error
// instead of ending the session. Every request recovers from a panic,
// answering with an internal error; no input ends the server but the end
// of its input or an `exit`.
package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/gilsim/gilsim/dsl"
)

// Options tune a server.
type Options struct {
	Version string    // gilsim's version, for the initialize answer
	Log     io.Writer // where internal errors go (stderr for `gilsim lsp`); nil drops them
	// MaxEvents bounds each dry run of the diagnostics (0: DefaultMaxEvents).
	MaxEvents int64
}

// DefaultMaxEvents bounds the dry run behind the warnings of one version
// of a document: a few tenths of a second at most, so that a heavy
// scenario cannot stall the diagnostics of the next keystroke.
const DefaultMaxEvents = 500_000

// Server is one session with one client.
type Server struct {
	opt     Options
	handler protocol.Handler
	conn    *jsonrpc2.Conn

	mu       sync.Mutex
	docs     map[string]*document
	shutdown bool
	exited   bool

	diags *diagQueue
}

// document is the text of an open document at one version.
type document struct {
	uri     string
	version int32
	text    string

	once    sync.Once
	outline *dsl.Outline
	index   *lines
}

func (d *document) load() {
	d.once.Do(func() {
		d.index = newLines(d.text)
		d.outline = dsl.NewOutline([]byte(d.text))
	})
}

// Serve runs a session on rwc until the client exits or the input ends,
// and returns the exit status LSP asks for: 0 after shutdown, 1 without.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opt Options) int {
	if opt.MaxEvents <= 0 {
		opt.MaxEvents = DefaultMaxEvents
	}
	s := &Server{opt: opt, docs: map[string]*document{}}
	s.handler = protocol.Handler{
		Initialize:                 s.initialize,
		Initialized:                func(*glsp.Context, *protocol.InitializedParams) error { return nil },
		Shutdown:                   s.shutdownRequest,
		Exit:                       func(*glsp.Context) error { return nil },
		SetTrace:                   func(*glsp.Context, *protocol.SetTraceParams) error { return nil },
		CancelRequest:              func(*glsp.Context, *protocol.CancelParams) error { return nil },
		TextDocumentDidOpen:        s.didOpen,
		TextDocumentDidChange:      s.didChange,
		TextDocumentDidClose:       s.didClose,
		TextDocumentDidSave:        func(*glsp.Context, *protocol.DidSaveTextDocumentParams) error { return nil },
		TextDocumentHover:          s.hover,
		TextDocumentCompletion:     s.completion,
		TextDocumentDefinition:     s.definition,
		TextDocumentFormatting:     s.formatting,
		TextDocumentDocumentSymbol: s.documentSymbol,
	}
	s.diags = newDiagQueue(s)
	s.conn = jsonrpc2.NewConn(ctx, newStream(rwc), jsonrpc2.HandlerWithError(s.handle), jsonrpc2.SetLogger(logger{s}))
	go s.diags.run()
	<-s.conn.DisconnectNotify()
	s.diags.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return 0
	}
	return 1
}

// testHook, when set by a test, runs first on every message.
var testHook func(method string)

// Error codes of LSP beyond JSON-RPC's.
const (
	codeServerNotInitialized = -32002
	codeInvalidRequestLSP    = -32600
)

// handle answers one message. A panic in a handler becomes an internal
// error for this request only.
func (s *Server) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.logf("gilsim lsp: %s panicked: %v\n%s", req.Method, r, debug.Stack())
			result, err = nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInternalError, Message: fmt.Sprintf("internal error in %s: %v", req.Method, r)}
		}
	}()
	if testHook != nil {
		testHook(req.Method)
	}
	s.mu.Lock()
	shutdown := s.shutdown
	s.mu.Unlock()
	switch {
	case req.Method == "exit":
		s.mu.Lock()
		s.exited = true
		s.mu.Unlock()
		conn.Close()
		return nil, nil
	case shutdown && !req.Notif:
		return nil, &jsonrpc2.Error{Code: codeInvalidRequestLSP, Message: "the server is shut down: only exit is accepted"}
	}
	gctx := &glsp.Context{
		Method: req.Method,
		Notify: func(method string, params any) { conn.Notify(ctx, method, params) },
	}
	if req.Params != nil {
		gctx.Params = *req.Params
	} else {
		gctx.Params = json.RawMessage("null")
	}
	r, validMethod, validParams, err := s.handler.Handle(gctx)
	switch {
	case !validMethod && req.Method == "initialized":
		return nil, nil
	case !validMethod && err != nil:
		return nil, &jsonrpc2.Error{Code: codeServerNotInitialized, Message: err.Error()}
	case !validMethod:
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "method not supported: " + req.Method}
	case !validParams:
		msg := "invalid params"
		if err != nil {
			msg += ": " + err.Error()
		}
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: msg}
	case err != nil && err.Error() == "server not initialized":
		return nil, &jsonrpc2.Error{Code: codeServerNotInitialized, Message: err.Error()}
	case err != nil:
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInternalError, Message: err.Error()}
	}
	return r, nil
}

func (s *Server) logf(format string, args ...any) {
	if s.opt.Log != nil {
		fmt.Fprintf(s.opt.Log, format+"\n", args...)
	}
}

// logger passes the JSON-RPC library's complaints (a notification that
// failed, a response to nothing) to Options.Log.
type logger struct{ s *Server }

func (l logger) Printf(format string, args ...any) {
	l.s.logf("gilsim lsp: "+strings.TrimSuffix(format, "\n"), args...)
}

func ptr[T any](v T) *T { return &v }

func (s *Server) initialize(_ *glsp.Context, _ *protocol.InitializeParams) (any, error) {
	version := s.opt.Version
	return protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: ptr(true),
				Change:    ptr(protocol.TextDocumentSyncKindIncremental),
			},
			HoverProvider: true,
			CompletionProvider: &protocol.CompletionOptions{
				TriggerCharacters: []string{"\"", "(", "$"},
			},
			DefinitionProvider:         true,
			DocumentFormattingProvider: true,
			DocumentSymbolProvider:     true,
		},
		ServerInfo: &protocol.InitializeResultServerInfo{Name: "gilsim", Version: &version},
	}, nil
}

func (s *Server) shutdownRequest(*glsp.Context) error {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	return nil
}

// doc returns the open document at uri, loaded, or nil.
func (s *Server) doc(uri string) *document {
	s.mu.Lock()
	d := s.docs[uri]
	s.mu.Unlock()
	if d != nil {
		d.load()
	}
	return d
}

func (s *Server) setDoc(d *document) {
	s.mu.Lock()
	s.docs[d.uri] = d
	s.mu.Unlock()
	s.diags.push(d)
}

func (s *Server) didOpen(_ *glsp.Context, p *protocol.DidOpenTextDocumentParams) error {
	s.setDoc(&document{uri: p.TextDocument.URI, version: p.TextDocument.Version, text: p.TextDocument.Text})
	return nil
}

func (s *Server) didChange(_ *glsp.Context, p *protocol.DidChangeTextDocumentParams) error {
	s.mu.Lock()
	old := s.docs[p.TextDocument.URI]
	s.mu.Unlock()
	if old == nil {
		return fmt.Errorf("didChange of %s, which is not open", p.TextDocument.URI)
	}
	text := old.text
	for _, ch := range p.ContentChanges {
		switch c := ch.(type) {
		case protocol.TextDocumentContentChangeEventWhole:
			text = c.Text
		case protocol.TextDocumentContentChangeEvent:
			if c.Range == nil {
				text = c.Text
				continue
			}
			l := newLines(text)
			from, to := l.offset(c.Range.Start), l.offset(c.Range.End)
			if to < from {
				from, to = to, from
			}
			text = text[:from] + c.Text + text[to:]
		}
	}
	s.setDoc(&document{uri: old.uri, version: p.TextDocument.Version, text: text})
	return nil
}

func (s *Server) didClose(_ *glsp.Context, p *protocol.DidCloseTextDocumentParams) error {
	s.mu.Lock()
	delete(s.docs, p.TextDocument.URI)
	s.mu.Unlock()
	s.diags.close(p.TextDocument.URI)
	return nil
}
