package lsp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"sort"
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/gilsim/gilsim/compare"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/simulator"
)

// Diagnostics are computed off the connection's goroutine, one document
// version at a time, latest first: while a large file parses, the
// requests of the client are still answered, and versions typed in the
// meantime are skipped for the newest.

// diagQueue holds the latest unchecked version of each document.
type diagQueue struct {
	s       *Server
	mu      sync.Mutex
	pending map[string]*document
	wake    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

func newDiagQueue(s *Server) *diagQueue {
	return &diagQueue{s: s, pending: map[string]*document{}, wake: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
}

func (q *diagQueue) push(d *document) {
	q.mu.Lock()
	q.pending[d.uri] = d
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close forgets a closed document and clears its diagnostics.
func (q *diagQueue) close(uri string) {
	q.mu.Lock()
	delete(q.pending, uri)
	q.mu.Unlock()
	q.s.publish(uri, nil, []protocol.Diagnostic{})
}

func (q *diagQueue) stop() {
	close(q.done)
	<-q.stopped
}

// next takes a pending document, in the order of their URIs.
func (q *diagQueue) next() *document {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) == 0 {
		return nil
	}
	uris := make([]string, 0, len(q.pending))
	for u := range q.pending {
		uris = append(uris, u)
	}
	sort.Strings(uris)
	d := q.pending[uris[0]]
	delete(q.pending, uris[0])
	return d
}

func (q *diagQueue) run() {
	defer close(q.stopped)
	for {
		select {
		case <-q.done:
			return
		case <-q.wake:
		}
		for d := q.next(); d != nil; d = q.next() {
			diags := q.s.safeDiagnose(d)
			if cur := q.s.doc(d.uri); cur == nil || cur.version != d.version {
				continue // closed, or changed since: its turn will come
			}
			v := protocol.UInteger(max(d.version, 0))
			q.s.publish(d.uri, &v, diags)
		}
	}
}

func (s *Server) publish(uri string, version *protocol.UInteger, diags []protocol.Diagnostic) {
	s.conn.Notify(context.Background(), protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{
		URI: uri, Version: version, Diagnostics: diags,
	})
}

// safeDiagnose is diagnose, with a panic reported as a diagnostic of the
// document instead of ending the server.
func (s *Server) safeDiagnose(d *document) (out []protocol.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			s.logf("gilsim lsp: diagnosing %s panicked: %v", d.uri, r)
			out = []protocol.Diagnostic{{Severity: ptr(protocol.DiagnosticSeverityError), Source: ptr("gilsim"),
				Message: fmt.Sprintf("gilsim could not check this file (internal error: %v)", r)}}
		}
	}()
	return s.diagnose(d)
}

// fileName is the name a document's errors carry: the last element of
// its URI's path.
func fileName(uri string) string {
	if u, err := url.Parse(uri); err == nil && u.Path != "" {
		return path.Base(u.Path)
	}
	return uri
}

// diagnose returns every error of the document, or when it checks, the
// errors of planning a workload or the warnings of a bounded dry run of
// a scenario.
func (s *Server) diagnose(d *document) []protocol.Diagnostic {
	d.load()
	out := []protocol.Diagnostic{}
	name := fileName(d.uri)
	sw, err := dsl.ParseAnySweep(name, []byte(d.text), nil)
	if err != nil {
		var list dsl.ErrorList
		if !errors.As(err, &list) {
			return append(out, s.diagnostic(d, 0, 0, protocol.DiagnosticSeverityError, err.Error()))
		}
		for _, e := range list {
			out = append(out, s.diagnostic(d, e.Line, e.Col, protocol.DiagnosticSeverityError, e.Msg))
		}
		return out
	}
	seen := map[string]bool{}
	if sw.IsWorkload() {
		for _, r := range sw.Runs {
			err := compare.Plan(r.Workload, compare.Options{})
			var le *simulator.LowerError
			if errors.As(err, &le) && !seen[le.Error()] {
				seen[le.Error()] = true
				out = append(out, s.diagnostic(d, int(le.Pos.Line), int(le.Pos.Col), protocol.DiagnosticSeverityError, le.Error()))
			}
		}
		return out
	}
	// A dry run of each run of the sweep in turn, within one budget of
	// events, for the misuse warnings a real run would print.
	budget := s.opt.MaxEvents
	for _, r := range sw.Runs {
		if budget <= 0 || entities(r.Scenario) > maxDryRunEntities {
			break
		}
		res, err := simulator.Run(r.Scenario, simulator.Options{MaxEvents: budget})
		if err != nil || res == nil {
			break // stopped by the bound (or refused): nothing to say
		}
		budget -= res.Events
		for _, w := range res.Warnings {
			who := w.Entity
			if w.Process != "" && w.Process != w.Entity {
				who = w.Process + "/" + w.Entity
			}
			msg := w.Message
			if who != "" {
				msg = who + ": " + msg
			}
			if l := r.Label(); l != "" {
				msg += " [" + l + "]"
			}
			key := fmt.Sprint(w.Pos.Line, w.Pos.Col, w.Message)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, s.diagnostic(d, int(w.Pos.Line), int(w.Pos.Col), protocol.DiagnosticSeverityWarning, msg))
		}
	}
	return out
}

// maxDryRunEntities skips the dry run of a scenario too large for one to
// be quick: setting it up alone would take long.
const maxDryRunEntities = 100_000

func entities(sc *simulator.Scenario) int {
	n := 0
	for _, p := range sc.Processes {
		n++
		for _, t := range p.Threads {
			n += 1 + len(t.Members)
		}
	}
	return n
}

// diagnostic is a diagnostic at a dsl position (line 0: the whole file),
// spanning the token there.
func (s *Server) diagnostic(d *document, line, col int, sev protocol.DiagnosticSeverity, msg string) protocol.Diagnostic {
	from := 0
	if line > 0 {
		from = d.index.dslOffset(line, col)
	}
	to := from
	if i := d.outline.TokenAt(from); i >= 0 {
		if t := d.outline.Tokens[i]; t.Offset == from {
			to = t.End()
		}
	}
	return protocol.Diagnostic{Range: d.index.span(from, to), Severity: ptr(sev), Source: ptr("gilsim"), Message: msg}
}
