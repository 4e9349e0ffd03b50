package dsl

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/gilsim/gilsim/dsl/internal/grammar"
	"github.com/gilsim/gilsim/simulator"
)

// MaxRuns bounds the runs of one sweep: the product of the lengths of its
// vary lists. A file past it is refused before anything runs.
const MaxRuns = 10_000

// MaxSweepEntities bounds the entities of all the runs of one sweep
// together, since they are all built before any runs.
const MaxSweepEntities = 4 * simulator.MaxEntities

// entitiesOf counts what a run will simulate: processes, threads and units,
// or a workload's tasks.
func entitiesOf(sc *simulator.Scenario, w *simulator.Workload) int64 {
	var n int64
	if sc != nil {
		for _, p := range sc.Processes {
			n++
			if p.Native {
				continue // a native task is one entity, its thread is itself
			}
			for _, t := range p.Threads {
				n += 1 + int64(len(t.Members))
			}
		}
	}
	if w != nil {
		n += int64(len(w.Tasks))
	}
	return n
}

// Sweep is a scenario file with its parameters resolved: one Run per
// combination of its `vary` lines, or a single Run for a file without
// any. Every Run has the same seed unless the file varies `seed` itself.
type Sweep struct {
	File   string
	Title  string
	Params []Param  // every declared parameter, in file order
	Varied []string // the varied parameters, outermost first
	Runs   []Run    // in cross-product order, the first varied parameter outermost
}

// Param is one `param` line, after any --set override.
type Param struct {
	Name    string
	Kind    string   // "number", "duration", "size" or "percentage", from its default
	Default string   // the literal of its `param` line
	Values  []string // the values its runs take: its vary list, or one value
	Line    int      // the line of its `param`
}

// Run is one combination of a sweep: a Scenario, or for a workload file
// (see ParseWorkloadSweep) a Workload.
type Run struct {
	Params   []Binding // every parameter's value in this run, in declaration order
	Varied   []Binding // the varied parameters only, outermost first
	Scenario *simulator.Scenario
	Workload *simulator.Workload
}

// Binding is a parameter's value in one run, as written in the file or on
// the command line (`5ms`, `4`).
type Binding struct {
	Name  string
	Value string
}

// Label names a run by its varied parameters, "workers=8 switch=5ms", or
// "" for a run of a file without vary lines.
func (r *Run) Label() string {
	parts := make([]string, len(r.Varied))
	for i, b := range r.Varied {
		parts[i] = b.Name + "=" + b.Value
	}
	return strings.Join(parts, " ")
}

// IsSweep reports whether the file varies anything (even over one value).
func (s *Sweep) IsSweep() bool { return len(s.Varied) > 0 }

// IsWorkload reports whether the file is a workload file, whose runs hold
// a Workload instead of a Scenario.
func (s *Sweep) IsWorkload() bool { return len(s.Runs) > 0 && s.Runs[0].Workload != nil }

// ParseSweepFile reads the scenario file at path and expands it (see
// ParseSweep).
func ParseSweepFile(path string, set map[string]string) (*Sweep, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, err
	}
	return ParseSweep(path, src, set)
}

// ParseSweep parses a scenario file and expands its `vary` lines into one
// run per combination. set overrides parameters by name, as `gilsim
// --set` does: a value, or a comma-separated list of values that becomes
// the parameter's vary list (replacing the file's list, or making a fixed
// parameter varied, innermost). An unknown name, or a value whose kind
// differs from the parameter's default, is an error about the file as a
// whole (an Error with Line 0). Errors of a single run carry the value
// that caused them: "`x` must be at least 1 ($workers = 0)".
//
// A workload file is an error here, at its `workload`, saying to compare
// it: see ParseWorkloadSweep.
func ParseSweep(filename string, src []byte, set map[string]string) (*Sweep, error) {
	return parseSweepAs(filename, src, set, modeScenario)
}

// ParseWorkloadSweep is ParseSweep for a workload file, the input of
// `gilsim compare`: each Run holds a Workload (and no Scenario). A file
// without a workload is an error.
func ParseWorkloadSweep(filename string, src []byte, set map[string]string) (*Sweep, error) {
	return parseSweepAs(filename, src, set, modeWorkload)
}

// ParseAnySweep parses a scenario file or a workload file: its runs hold
// Scenarios or Workloads (Sweep.IsWorkload tells which).
func ParseAnySweep(filename string, src []byte, set map[string]string) (*Sweep, error) {
	return parseSweepAs(filename, src, set, modeAny)
}

// ParseAnySweepFile reads the file at path and parses it with
// ParseAnySweep.
func ParseAnySweepFile(path string, set map[string]string) (*Sweep, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, err
	}
	return ParseAnySweep(path, src, set)
}

func parseSweepAs(filename string, src []byte, set map[string]string, mode parseMode) (*Sweep, error) {
	pf, err := parseSource(filename, src)
	if err != nil {
		return nil, err
	}
	pf.mode = mode
	return pf.sweep(set)
}

// parsedFile is a file parsed once, whose tree is checked and lowered once
// per run with that run's parameter values substituted.
type parsedFile struct {
	file   string
	text   string
	ast    *fileNode
	hasRef bool // the file holds a `$name`
	params []*paramDecl
	byName map[string]*paramDecl
	varies []*paramDecl // in vary-line order
	refs   []qtyRef     // every `$name` quantity outside param and vary lines
	whens  []*grammar.When
	mode   parseMode
}

// qtyRef is a quantity written as `$name`, substituted in every run.
type qtyRef struct {
	q    *grammar.Qty
	name string // the parameter, without `$`
}

type paramDecl struct {
	name    string
	pos     lexer.Position
	lit     string
	values  []string // the vary list, or nil
	varyPos lexer.Position
	set     bool // overridden by --set
}

// runEnv is what check needs to know about the run it builds.
type runEnv struct {
	values map[string]string      // parameter -> literal
	hit    map[*grammar.When]bool // conditions that held in some run
	mode   parseMode              // what kind of file the caller wants
}

// parseMode says which files a parse accepts: scenarios (a workload is
// an error that says to compare it), workloads, or either.
type parseMode uint8

const (
	modeScenario parseMode = iota
	modeWorkload
	modeAny
)

// applies reports whether an expectation with this condition belongs to
// the run, and remembers the conditions that held.
func (e *runEnv) applies(w *grammar.When) bool {
	if w == nil {
		return true
	}
	for _, c := range w.Conds {
		v, ok := e.values[condName(c)]
		if !ok {
			return false
		}
		r, ok := compareLiterals(v, c.Value.Raw)
		if !ok || !opHolds(c.Op.Text, r) {
			return false
		}
	}
	if e.hit != nil {
		e.hit[w] = true
	}
	return true
}

func condName(c *grammar.Cond) string { return strings.TrimPrefix(c.Name, "$") }

func opHolds(op string, cmp int) bool {
	switch op {
	case "==":
		return cmp == 0
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	}
	return false
}

// parseSource lexes and parses src and checks what does not depend on
// parameter values: the param and vary lines, every `$name`, every `when`.
func parseSource(filename string, src []byte) (*parsedFile, error) {
	syn, err := parseSyntax(filename, src)
	if err != nil {
		return nil, err
	}
	text, ast := syn.text, syn.ast
	errs := &errorSink{file: filename}
	pf := &parsedFile{file: filename, text: text, ast: ast, hasRef: syn.refs, byName: map[string]*paramDecl{}}
	pf.analyse(errs)
	if !errs.empty() {
		return nil, errs.list(text)
	}
	return pf, nil
}

var kindNames = map[unitKind]string{
	unitNone:     "number",
	unitDuration: "duration",
	unitSize:     "size",
	unitPercent:  "percentage",
}

// literalKind is the kind of a literal and whether it is a bare zero,
// which stands for any kind (as `0` does in every slot).
func literalKind(raw string) (unitKind, bool) {
	_, digits, unit, _ := splitQuantity(raw)
	return units[unit].kind, unit == "" && isZero(digits)
}

// sameKind reports whether literal v may stand where def does.
func sameKind(def, v string) bool {
	dk, dz := literalKind(def)
	vk, vz := literalKind(v)
	return dk == vk || dz || vz
}

func literalKindName(lit string) string {
	k, _ := literalKind(lit)
	return kindNames[k]
}

// compareLiterals compares two literals of compatible kinds by value
// (1s == 1000ms); ok is false when they cannot be compared.
func compareLiterals(a, b string) (int, bool) {
	ra, ok1 := literalValue(a)
	rb, ok2 := literalValue(b)
	if !ok1 || !ok2 || !sameKind(a, b) {
		return 0, false
	}
	return ra.Cmp(rb), true
}

func literalValue(raw string) (*big.Rat, bool) {
	neg, digits, unit, ok := splitQuantity(raw)
	u, known := units[unit]
	if !ok || (unit != "" && !known) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(digits)
	if !ok {
		return nil, false
	}
	if unit != "" {
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).SetUint64(u.scale)))
	}
	if neg {
		r.Neg(r)
	}
	return r, true
}

func (pf *parsedFile) analyse(errs *errorSink) {
	sc := pf.ast.Scenario
	var varyItems []*grammar.VaryLine
	for _, it := range sc.Items {
		switch {
		case it.Param != nil:
			p := it.Param
			name := p.Name.Text
			if first, dup := pf.byName[name]; dup {
				errs.add(p.Name.Pos, "parameter %q is already declared (%s)", name, lineOf(first.pos))
				continue
			}
			if strings.HasPrefix(p.Value.Raw, "$") {
				errs.add(p.Value.Pos, "a parameter's default is a value such as 4 or 5ms, not %s", p.Value.Raw)
				continue
			}
			d := &paramDecl{name: name, pos: p.Pos, lit: p.Value.Raw}
			pf.byName[name] = d
			pf.params = append(pf.params, d)
		case it.Vary != nil:
			varyItems = append(varyItems, it.Vary)
		case it.Expect != nil && it.Expect.When != nil:
			pf.whens = append(pf.whens, it.Expect.When)
		}
	}
	names := make([]string, len(pf.params))
	for i, p := range pf.params {
		names[i] = p.name
	}
	for _, v := range varyItems {
		name := v.Name.Text
		d := pf.byName[name]
		switch {
		case d == nil:
			if hint := didYouMean(name, names); hint != "" {
				errs.add(v.Name.Pos, "`vary` over %q, which is not declared%s", name, hint)
			} else {
				errs.add(v.Name.Pos, "`vary` over %q, which is not declared: add `param %s = VALUE`", name, name)
			}
			continue
		case d.values != nil:
			errs.add(v.Pos, "%q is already varied (%s)", name, lineOf(d.varyPos))
			continue
		case len(v.Values) == 0:
			errs.add(v.Pos, "`vary %s` needs at least one value: vary %s in [%s]", name, name, d.lit)
			continue
		}
		var vals []string
		good := true
		for _, q := range v.Values {
			switch {
			case strings.HasPrefix(q.Raw, "$"):
				errs.add(q.Pos, "a vary list holds values such as 4 or 5ms, not %s", q.Raw)
				good = false
			case !sameKind(d.lit, q.Raw):
				errs.add(q.Pos, "%s is %s, but %q is %s (param %s = %s, %s)", q.Raw, withArticle(literalKindName(q.Raw)), name, withArticle(literalKindName(d.lit)), name, d.lit, lineOf(d.pos))
				good = false
			default:
				for _, prev := range vals {
					if c, ok := compareLiterals(prev, q.Raw); ok && c == 0 {
						errs.add(q.Pos, "%s is listed twice in `vary %s`", q.Raw, name)
						good = false
						break
					}
				}
				vals = append(vals, q.Raw)
			}
		}
		if good {
			d.values, d.varyPos = vals, v.Pos
			pf.varies = append(pf.varies, d)
		}
	}
	var qtys []*grammar.Qty
	if pf.hasRef {
		walkQty(reflect.ValueOf(sc.Items), &qtys)
	}
	refNames := make([]string, len(names))
	for i, n := range names {
		refNames[i] = "$" + n
	}
	for _, q := range qtys {
		name := strings.TrimPrefix(q.Raw, "$")
		if pf.byName[name] == nil {
			errs.add(q.Pos, "unknown parameter %s%s", q.Raw, didYouMean(q.Raw, refNames))
			continue
		}
		pf.refs = append(pf.refs, qtyRef{q, name})
	}
	for _, w := range pf.whens {
		for _, c := range w.Conds {
			name := condName(c)
			d := pf.byName[name]
			switch {
			case d == nil:
				errs.add(c.Pos, "`when` names %q, which is not a parameter%s", name, didYouMean(name, names))
			case c.Op.Text == "~=":
				errs.add(c.Op.Pos, "`when` compares with ==, <, <=, > or >=, not ~=")
			case strings.HasPrefix(c.Value.Raw, "$"):
				errs.add(c.Value.Pos, "`when` compares a parameter with a value such as 4 or 5ms, not %s", c.Value.Raw)
			case !sameKind(d.lit, c.Value.Raw):
				errs.add(c.Value.Pos, "%s is %s, but %q is %s (param %s = %s, %s)", c.Value.Raw, withArticle(literalKindName(c.Value.Raw)), name, withArticle(literalKindName(d.lit)), name, d.lit, lineOf(d.pos))
			}
		}
	}
	if n, ok := pf.runCount(); !ok {
		errs.add(pf.varies[0].varyPos, "this sweep would make %s runs; the limit is %d", n, MaxRuns)
	}
}

// runCount is the number of runs, and whether it is within MaxRuns.
func (pf *parsedFile) runCount() (string, bool) {
	n := big.NewInt(1)
	for _, d := range pf.varies {
		n.Mul(n, big.NewInt(int64(len(d.values))))
	}
	return n.String(), n.Cmp(big.NewInt(MaxRuns)) <= 0
}

func withArticle(word string) string { return article(word) + " " + word }

func hasParamRefs(toks []lexer.Token) bool {
	for _, t := range toks {
		if t.Type == tokParamRef {
			return true
		}
	}
	return false
}

var (
	qtyType    = reflect.TypeFor[grammar.Qty]()
	posType    = reflect.TypeFor[lexer.Position]()
	tokensType = reflect.TypeFor[[]lexer.Token]()
	paramType  = reflect.TypeFor[grammar.ParamLine]()
	varyType   = reflect.TypeFor[grammar.VaryLine]()
)

// walkQty collects, in tree order, every Qty written as `$name` below v,
// except in param and vary lines (whose values must be literals).
func walkQty(v reflect.Value, out *[]*grammar.Qty) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		switch v.Type().Elem() {
		case qtyType:
			if q := v.Interface().(*grammar.Qty); strings.HasPrefix(q.Raw, "$") {
				*out = append(*out, q)
			}
			return
		case paramType, varyType:
			return
		}
		walkQty(v.Elem(), out)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Type == posType || f.Type == tokensType {
				continue
			}
			walkQty(v.Field(i), out)
		}
	case reflect.Slice:
		if k := v.Type().Elem().Kind(); k != reflect.Pointer && k != reflect.Struct {
			return
		}
		for i := range v.Len() {
			walkQty(v.Index(i), out)
		}
	}
}

// build checks and lowers the tree for one run: a Scenario, or for a
// workload file a Workload. Errors at a `$name` say which value caused
// them.
func (pf *parsedFile) build(env *runEnv, errs *errorSink) (*simulator.Scenario, *simulator.Workload) {
	env.mode = pf.mode
	at := make(map[[2]int]qtyRef, len(pf.refs))
	for _, r := range pf.refs {
		r.q.Raw = env.values[r.name]
		at[[2]int{r.q.Pos.Line, r.q.Pos.Column}] = r
	}
	start := len(errs.errs)
	prog := check(pf.ast, errs, env)
	for _, e := range errs.errs[start:] {
		if r, ok := at[[2]int{e.Line, e.Col}]; ok {
			e.Msg += " ($" + r.name + " = " + r.q.Raw + ")"
		}
	}
	if len(errs.errs) > start {
		return nil, nil
	}
	if prog.workload != nil {
		w := lowerWorkload(prog)
		w.File = pf.file
		return nil, w
	}
	sc := lower(prog)
	sc.File = pf.file
	return sc, nil
}

// defaultRun is the scenario with every parameter at its default and the
// vary lines ignored: what Parse returns.
func (pf *parsedFile) defaultRun() (*simulator.Scenario, error) {
	sc, _, err := pf.defaultBuild()
	return sc, err
}

func (pf *parsedFile) defaultBuild() (*simulator.Scenario, *simulator.Workload, error) {
	env := &runEnv{values: make(map[string]string, len(pf.params))}
	for _, d := range pf.params {
		env.values[d.name] = d.lit
	}
	errs := &errorSink{file: pf.file}
	sc, w := pf.build(env, errs)
	if !errs.empty() {
		return nil, nil, errs.list(pf.text)
	}
	return sc, w, nil
}

// ParseWorkload parses a workload file, the input of `gilsim compare`,
// with every parameter at its default (see Parse). A file without a
// workload is an error.
func ParseWorkload(filename string, src []byte) (*simulator.Workload, error) {
	pf, err := parseSource(filename, src)
	if err != nil {
		return nil, err
	}
	pf.mode = modeWorkload
	_, w, err := pf.defaultBuild()
	return w, err
}

// override applies --set values.
func (pf *parsedFile) override(set map[string]string, errs *errorSink) {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	names := make([]string, len(pf.params))
	for i, p := range pf.params {
		names[i] = p.name
	}
	for _, name := range keys {
		raw := set[name]
		flag := "--set " + name + "=" + raw
		d := pf.byName[name]
		if d == nil {
			if len(names) == 0 {
				errs.addFile("%s: the scenario declares no parameters", flag)
			} else {
				errs.addFile("%s: the scenario has no parameter %q%s (it has %s)", flag, name, didYouMean(name, names), strings.Join(names, ", "))
			}
			continue
		}
		var vals []string
		good := true
		for _, v := range strings.Split(raw, ",") {
			v = strings.TrimSpace(v)
			if problem := checkLiteral(v); problem != "" {
				errs.addFile("%s: %s", flag, problem)
				good = false
				break
			}
			if !sameKind(d.lit, v) {
				errs.addFile("%s: %s is %s, but %q is %s (param %s = %s, %s)", flag, v, withArticle(literalKindName(v)), name, withArticle(literalKindName(d.lit)), name, d.lit, lineOf(d.pos))
				good = false
				break
			}
			vals = append(vals, v)
		}
		if !good {
			continue
		}
		d.set = true
		switch {
		case d.values != nil:
			d.values = vals
		case len(vals) == 1:
			d.lit = vals[0]
		default:
			d.values = vals
		}
	}
	// Parameters that --set made varied go innermost, in file order.
	for _, d := range pf.params {
		if d.values != nil && !slices.Contains(pf.varies, d) {
			pf.varies = append(pf.varies, d)
		}
	}
	if n, ok := pf.runCount(); !ok {
		errs.addFile("--set: the sweep would make %s runs; the limit is %d", n, MaxRuns)
	}
}

// checkLiteral says what is wrong with a value given on the command line,
// or "" when it is one number, duration, size or percentage.
func checkLiteral(v string) string {
	if v == "" {
		return "a value is missing"
	}
	toks := scan("", v)
	if len(toks) != 2 || toks[0].Type != tokQuantity {
		return fmt.Sprintf("%q is not a value such as 4, 5ms or 16KB", v)
	}
	sink := &errorSink{}
	checkQuantityShape(&toks[0], sink)
	if !sink.empty() {
		return sink.errs[0].Msg
	}
	return ""
}

func (pf *parsedFile) sweep(set map[string]string) (*Sweep, error) {
	errs := &errorSink{file: pf.file}
	pf.override(set, errs)
	if !errs.empty() {
		return nil, errs.list(pf.text)
	}
	sw := &Sweep{File: pf.file, Title: unquote(pf.ast.Scenario.Title.Raw)}
	for _, d := range pf.params {
		vals := d.values
		if vals == nil {
			vals = []string{d.lit}
		}
		sw.Params = append(sw.Params, Param{Name: d.name, Kind: literalKindName(d.lit), Default: d.lit, Values: vals, Line: d.pos.Line})
	}
	for _, d := range pf.varies {
		sw.Varied = append(sw.Varied, d.name)
	}
	env := &runEnv{values: make(map[string]string, len(pf.params)), hit: map[*grammar.When]bool{}}
	for _, d := range pf.params {
		env.values[d.name] = d.lit
	}
	// An odometer over the vary lists, the last one turning fastest.
	idx := make([]int, len(pf.varies))
	seen := map[Error]bool{}
	var total int64
	for {
		for i, d := range pf.varies {
			env.values[d.name] = d.values[idx[i]]
		}
		runErrs := &errorSink{file: pf.file}
		sc, w := pf.build(env, runErrs)
		for _, e := range runErrs.errs {
			if !seen[*e] {
				seen[*e] = true
				errs.errs = append(errs.errs, e)
			}
		}
		errs.more = errs.more || runErrs.more
		if sc != nil || w != nil {
			total += entitiesOf(sc, w)
			if total > MaxSweepEntities && len(pf.varies) > 0 {
				errs.add(pf.varies[0].varyPos, "this sweep's runs would hold more than %d entities in all (every run is built before any runs); vary over fewer or smaller values", MaxSweepEntities)
				return nil, errs.list(pf.text)
			}
			run := Run{Scenario: sc, Workload: w}
			for _, d := range pf.params {
				run.Params = append(run.Params, Binding{d.name, env.values[d.name]})
			}
			for _, d := range pf.varies {
				run.Varied = append(run.Varied, Binding{d.name, env.values[d.name]})
			}
			sw.Runs = append(sw.Runs, run)
		}
		if errs.full() {
			break
		}
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(pf.varies[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	if errs.empty() {
		pf.unmatchedWhens(env.hit, errs)
	}
	if !errs.empty() {
		return nil, errs.list(pf.text)
	}
	return sw, nil
}

// unmatchedWhens reports a `when` that no run meets, unless --set changed
// one of its parameters (then not matching is the user's choice).
func (pf *parsedFile) unmatchedWhens(hit map[*grammar.When]bool, errs *errorSink) {
	for _, w := range pf.whens {
		if hit[w] {
			continue
		}
		overridden := false
		var takes []string
		for _, c := range w.Conds {
			d := pf.byName[condName(c)]
			overridden = overridden || d.set
			vals := d.values
			if vals == nil {
				vals = []string{d.lit}
			}
			takes = append(takes, d.name+" takes "+strings.Join(vals, ", "))
		}
		if !overridden {
			errs.add(w.Pos, "no run of this scenario meets this `when` (%s)", strings.Join(takes, "; "))
		}
	}
}

// ParseExpect parses one expectation, `makespan < 40ms` or
// `finish("w") ~= 30ms within 5%` (a leading `expect` is optional), for
// evaluating against a result with simulator.Evaluate. Metric, argument
// rule and value types are checked as in a file; entity names are not,
// since there is no scenario to look them up in: an unknown name shows in
// the evaluated ExpectResult.Err. `when` and `$name` are errors, as there
// are no parameters.
func ParseExpect(text string) (simulator.Expect, error) {
	const name = "<expect>"
	src := strings.TrimSpace(text)
	shift := 0
	if !strings.HasPrefix(src, "expect") || len(src) > 6 && isWord(src[6]) {
		src = "expect " + src
		shift = len("expect ")
	}
	errs := &errorSink{file: name}
	fail := func() (simulator.Expect, error) {
		list := errs.list(src)
		for _, e := range list {
			if e.Line == 1 {
				e.Col = max(1, e.Col-shift)
				e.Source = e.Source[min(shift, len(e.Source)):]
			}
		}
		return simulator.Expect{}, list
	}
	if !utf8.ValidString(src) {
		errs.add(lexer.Position{Line: 1, Column: 1}, "the expectation is not valid UTF-8")
		return fail()
	}
	toks := lex(name, src, errs)
	if !errs.empty() {
		return fail()
	}
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return simulator.Expect{}, err
	}
	ex, err := expectParser().ParseFromLexer(peek)
	if err != nil {
		syntaxError(err, toks, errs)
		return fail()
	}
	if ex.When != nil {
		errs.add(ex.When.Pos, "`when` needs a sweep; here there are no parameters")
	}
	if refs := paramRefs(toks); len(refs) > 0 {
		errs.add(refs[0].Pos, "parameters (%s) need a scenario that declares them", refs[0].Value)
	}
	if !errs.empty() {
		return fail()
	}
	c := &checker{errs: errs, prog: &program{}, env: &runEnv{}, looseNames: true}
	c.expect(ex)
	if !errs.empty() {
		return fail()
	}
	return c.prog.expects[0], nil
}

var expectParser = sync.OnceValue(func() *participle.Parser[grammar.Expect] {
	return participle.MustBuild[grammar.Expect](parserOptions()...)
})

// paramRefs returns the `$name` tokens of toks.
func paramRefs(toks []lexer.Token) []lexer.Token {
	var out []lexer.Token
	for _, t := range toks {
		if t.Type == tokParamRef {
			out = append(out, t)
		}
	}
	return out
}
