// Package longtest says whether the long tests run. `go test ./...` is
// what a contributor runs often and stays quick; the long runs (property
// tests at the engine's size thresholds, the footprint measurement of
// 40,000-entity runs, every round of the runtime invariants) run with the
// build tag long:
//
//	go test -tags long ./...
//
// A long test starts with
//
//	if !longtest.Enabled {
//		t.Skip(longtest.Reason)
//	}
package longtest

// Reason is the message of a skipped long test.
const Reason = "a long run: go test -tags long runs it"
