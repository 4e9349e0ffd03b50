package app

import (
	"errors"
	"strings"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
)

// Loader reads an item of the list into its sweep (a plain file is a
// sweep of one run).
type Loader func(Item) (*dsl.Sweep, error)

// ParseFunc parses a file into its sweep with --set style overrides:
// dsl.ParseSweepFile (scenarios only) or dsl.ParseAnySweepFile (scenarios
// or workloads).
type ParseFunc func(path string, set map[string]string) (*dsl.Sweep, error)

// ErrSkippedWorkload is the outcome of a workload file that a scenario
// loader found by walking a folder: not an error, a file that is not its
// to run.
var ErrSkippedWorkload = errors.New("a workload, skipped")

// ScenarioLoader reads items for `gilsim run`, which runs scenarios. A
// workload file named by an argument is parse's error, which says to
// compare it; one found by walking a folder is skipped
// (ErrSkippedWorkload), so that a folder of scenarios may hold workloads
// too. A found file is parsed once, by parseAny, which takes either kind.
func ScenarioLoader(parse, parseAny ParseFunc, set map[string]string) Loader {
	return func(it Item) (*dsl.Sweep, error) {
		if !it.Found {
			return parse(it.Path, set)
		}
		sw, err := parseAny(it.Path, set)
		if err == nil && sw.IsWorkload() {
			return nil, ErrSkippedWorkload
		}
		if err != nil && IsSetError(err) {
			// --set is checked before the kind of file is known: a
			// workload without the parameter is still skipped, not a bad
			// --set.
			if w, werr := parseAny(it.Path, nil); werr == nil && w.IsWorkload() {
				return nil, ErrSkippedWorkload
			}
		}
		return sw, err
	}
}

// AnyLoader reads items for `gilsim test`: scenarios and workload files.
func AnyLoader(parseAny ParseFunc, set map[string]string) Loader {
	return func(it Item) (*dsl.Sweep, error) { return parseAny(it.Path, set) }
}

// IsSetError reports whether err is about --set (a name the file does not
// declare, a value of the wrong kind), not about the file's text.
func IsSetError(err error) bool {
	var list dsl.ErrorList
	return errors.As(err, &list) && len(list) > 0 && list[0].Line == 0 && strings.HasPrefix(list[0].Msg, "--set")
}

// Identify is the identity of run k of a sweep: every parameter's value,
// in declaration order (numbers marked, for JSON), and the varied ones,
// outermost first. It is the one place where the parser's dsl.Run becomes
// the report.RunID that outputs, failures and tests carry.
func Identify(sw *dsl.Sweep, k int) report.RunID {
	kinds := map[string]string{}
	for _, p := range sw.Params {
		kinds[p.Name] = p.Kind
	}
	r := sw.Runs[k]
	var id report.RunID
	for _, b := range r.Params {
		id.Params = append(id.Params, report.Param{Name: b.Name, Value: b.Value, Numeric: kinds[b.Name] == "number"})
	}
	for _, b := range r.Varied {
		id.Varied = append(id.Varied, b.Name)
	}
	return id
}
