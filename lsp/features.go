package lsp

import (
	"fmt"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/gilsim/gilsim/dsl"
)

// The requests about one document. Each answers from the document's
// outline (read from its tokens, so that a half-typed file still gets
// answers), and an empty answer where there is nothing to say.

func (s *Server) hover(_ *glsp.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return nil, nil
	}
	h, tok, ok := d.outline.HelpAt(d.index.offset(p.Position))
	if !ok {
		return nil, nil
	}
	r := d.index.span(tok.Offset, tok.End())
	return &protocol.Hover{
		Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: helpMarkdown(h)},
		Range:    &r,
	}, nil
}

// helpMarkdown renders a Help: the syntax as code, the text, the default
// and its source.
func helpMarkdown(h dsl.Help) string {
	var b strings.Builder
	if h.Syntax != "" {
		fmt.Fprintf(&b, "```gilsim\n%s\n```\n", h.Syntax)
	}
	if h.Doc != "" {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(h.Doc)
		b.WriteByte('\n')
	}
	if h.Default != "" {
		fmt.Fprintf(&b, "\nDefault: `%s`\n", h.Default)
		if h.Source != "" {
			fmt.Fprintf(&b, "\nSource: %s\n", h.Source)
		}
	}
	return b.String()
}

var completionKinds = map[dsl.CandidateKind]protocol.CompletionItemKind{
	dsl.CandKeyword:    protocol.CompletionItemKindKeyword,
	dsl.CandMetric:     protocol.CompletionItemKindFunction,
	dsl.CandEntity:     protocol.CompletionItemKindReference,
	dsl.CandUnit:       protocol.CompletionItemKindUnit,
	dsl.CandMachineKey: protocol.CompletionItemKindProperty,
	dsl.CandValue:      protocol.CompletionItemKindEnumMember,
	dsl.CandParam:      protocol.CompletionItemKindVariable,
}

func (s *Server) completion(_ *glsp.Context, p *protocol.CompletionParams) (any, error) {
	list := protocol.CompletionList{Items: []protocol.CompletionItem{}}
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return list, nil
	}
	cands, from, to := d.outline.Complete(d.index.offset(p.Position))
	r := d.index.span(from, to)
	for i, c := range cands {
		item := protocol.CompletionItem{
			Label:    c.Label,
			Kind:     ptr(completionKinds[c.Kind]),
			SortText: ptr(fmt.Sprintf("%04d", i)),
			TextEdit: protocol.TextEdit{Range: r, NewText: c.Insert},
		}
		if c.Label != c.Insert {
			item.FilterText = ptr(c.Insert)
		}
		if c.Detail != "" {
			item.Detail = ptr(c.Detail)
		}
		list.Items = append(list.Items, item)
	}
	return list, nil
}

func (s *Server) definition(_ *glsp.Context, p *protocol.DefinitionParams) (any, error) {
	out := []protocol.Location{}
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return out, nil
	}
	syms, _ := d.outline.DefinitionAt(d.index.offset(p.Position))
	for _, sym := range syms {
		out = append(out, protocol.Location{URI: d.uri, Range: d.index.span(sym.NameStart, sym.NameEnd)})
	}
	return out, nil
}

// formatting lays the document out as `gilsim fmt` would, as the smallest
// edits that do it; none when the document does not parse.
func (s *Server) formatting(_ *glsp.Context, p *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
	edits := []protocol.TextEdit{}
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return edits, nil
	}
	out, err := dsl.Format(fileName(d.uri), []byte(d.text))
	if err != nil {
		return edits, nil // the diagnostics say why
	}
	for _, e := range udiff.Strings(d.text, string(out)) {
		edits = append(edits, protocol.TextEdit{Range: d.index.span(e.Start, e.End), NewText: e.New})
	}
	return edits, nil
}

var symbolKinds = map[string]protocol.SymbolKind{
	"scenario":    protocol.SymbolKindFile,
	"process":     protocol.SymbolKindModule,
	"task":        protocol.SymbolKindFunction,
	"thread":      protocol.SymbolKindFunction,
	"greenlet":    protocol.SymbolKindEvent,
	"greenthread": protocol.SymbolKindEvent,
	"gen":         protocol.SymbolKindEvent,
	"workload":    protocol.SymbolKindPackage,
	"asyncio":     protocol.SymbolKindNamespace,
	"gevent":      protocol.SymbolKindNamespace,
	"eventlet":    protocol.SymbolKindNamespace,
	"greenlets":   protocol.SymbolKindNamespace,
	"coroutines":  protocol.SymbolKindNamespace,
	"machine":     protocol.SymbolKindStruct,
	"param":       protocol.SymbolKindVariable,
}

func (s *Server) documentSymbol(_ *glsp.Context, p *protocol.DocumentSymbolParams) (any, error) {
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return []protocol.DocumentSymbol{}, nil
	}
	var conv func([]*dsl.Symbol) []protocol.DocumentSymbol
	conv = func(syms []*dsl.Symbol) []protocol.DocumentSymbol {
		out := []protocol.DocumentSymbol{}
		for _, sym := range syms {
			name := sym.Name
			if name == "" {
				name = sym.Kind
			}
			detail := sym.Kind
			if runtimeKinds(sym.Kind) || sym.Kind == "machine" {
				detail = "block"
			}
			if sym.Detail != "" {
				detail += " " + sym.Detail
			}
			ds := protocol.DocumentSymbol{
				Name:           name,
				Detail:         ptr(detail),
				Kind:           symbolKinds[sym.Kind],
				Range:          d.index.span(sym.Start, max(sym.End, sym.NameEnd)),
				SelectionRange: d.index.span(sym.NameStart, sym.NameEnd),
			}
			if len(sym.Children) > 0 {
				ds.Children = conv(sym.Children)
			}
			out = append(out, ds)
		}
		return out
	}
	return conv(d.outline.Symbols), nil
}

func runtimeKinds(kind string) bool {
	switch kind {
	case "asyncio", "gevent", "eventlet", "greenlets", "coroutines":
		return true
	}
	return false
}
