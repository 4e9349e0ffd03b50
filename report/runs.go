package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// Run is one result together with the run it is: its RunID.
type Run struct {
	RunID
	Result *simulator.Result
}

// RunID identifies one run of a file among the runs of its sweep: the
// value of every parameter in the run, in declaration order, and which of
// them the sweep varies. A file without parameters has a single run, whose
// RunID is empty. Runs, comparisons and failures all carry this one
// identity; the application layer makes it from the parser's sweep
// (internal/app).
type RunID struct {
	Params []Param
	Varied []string // the names of the varied parameters, the outermost first
}

// Label names the run by its varied parameters, "workers=8 switch=5ms",
// or "" for a run of a file without vary lines.
func (id RunID) Label() string {
	parts := make([]string, 0, len(id.Varied))
	for _, name := range id.Varied {
		v, _ := id.Value(name)
		parts = append(parts, name+"="+v)
	}
	return strings.Join(parts, " ")
}

// Tag is the Label in brackets after a space, " [workers=8]", as messages
// end with it; "" outside a sweep.
func (id RunID) Tag() string {
	if l := id.Label(); l != "" {
		return " [" + l + "]"
	}
	return ""
}

// Value returns the value of the parameter called name in this run.
func (id RunID) Value(name string) (string, bool) {
	for _, p := range id.Params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Param is one parameter's value in a run, as written (`4`, `5ms`).
// Numeric values (plain numbers) are written as JSON numbers, the others
// as strings.
type Param struct {
	Name    string
	Value   string
	Numeric bool
}

// jsonRun is a result with its parameters, which come after every other
// field and only when there are some.
type jsonRun struct {
	jsonResult
	Params jsonParams `json:"params,omitempty"`
}

// jsonParams is written as an object whose keys keep the declaration
// order (a map would sort them).
type jsonParams []Param

func (ps jsonParams) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalNoHTML(p.Name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		if p.Numeric && json.Valid([]byte(p.Value)) {
			b.WriteString(p.Value)
			continue
		}
		v, err := marshalNoHTML(p.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshalNoHTML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// JSONRuns is JSON for runs that may carry sweep parameters: each object
// ends with "params": {"workers": 4, "switch": "5ms"} when its run has
// any. Without parameters the bytes are those of JSON.
func JSONRuns(w io.Writer, runs []Run) error {
	s := NewJSONStream(w, len(runs) != 1)
	for _, r := range runs {
		if err := s.Write(r); err != nil {
			return err
		}
	}
	return s.Close()
}

// JSONStream writes runs one at a time, as JSONRuns would write them all:
// the single object, or the elements of an array as they come, so that a
// long batch never holds every result in memory.
type JSONStream struct {
	w     io.Writer
	array bool
	n     int
}

// NewJSONStream starts a stream; array says whether the output is an
// array (any number of runs) or one object (exactly one Write).
func NewJSONStream(w io.Writer, array bool) *JSONStream {
	return &JSONStream{w: w, array: array}
}

// Write writes one run.
func (s *JSONStream) Write(r Run) error {
	prefix := ""
	if s.array {
		prefix = "  "
	}
	o := newJSONOut(s.w, true, prefix)
	switch {
	case !s.array:
	case s.n == 0:
		o.b = append(o.b, "[\n  "...)
	default:
		o.b = append(o.b, ",\n  "...)
	}
	o.writeRun(r)
	if !s.array {
		o.b = append(o.b, '\n')
	}
	s.n++
	return o.flush()
}

// Close ends the array (an empty one is written as []).
func (s *JSONStream) Close() error {
	if !s.array {
		return nil
	}
	end := "\n]\n"
	if s.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(s.w, end)
	return err
}

// JSONLine writes one run as one line of compact JSON (JSON Lines), the
// same fields as JSONRuns. Lines from several processes can simply be
// concatenated.
func JSONLine(w io.Writer, r Run) error {
	o := newJSONOut(w, false, "")
	o.writeRun(r)
	o.b = append(o.b, '\n')
	return o.flush()
}

// paramNames is the union of the runs' parameter names, in first-seen
// order.
func paramNames(runs []Run) []string {
	var names []string
	seen := map[string]bool{}
	for _, r := range runs {
		for _, p := range r.Params {
			if !seen[p.Name] {
				seen[p.Name] = true
				names = append(names, p.Name)
			}
		}
	}
	return names
}

func paramValue(r Run, name string) string {
	for _, p := range r.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}
