// Package fidelity compares gilsim's predictions with CPython measured on
// a real machine.
//
// The measurements are ../shared/calibration (outcomes.json and
// eventlet_greenlet.json): emergent outcomes of experiments E1-E10 on a
// 2-vCPU Linux VM with Debian's CPython 3.11.2. Each experiment's workload
// is described, with its measured unit costs, by a scenario in
// scenarios/calibration. Rows lists one row per measured outcome: the
// value, its published spread, the scenario configuration that predicts
// it, and the tolerance band derived from the spread (Band). Known lists
// the rows gilsim cannot yet predict within their band, each with the
// rule of semantics.md that is missing.
//
//	runs, err := fidelity.Load(calibration.Files)
//	results := fidelity.Evaluate(runs)
//	io.WriteString(os.Stdout, fidelity.Markdown(results))
//
// The README's "Fidelity against CPython" section is the output of
// Markdown (`gilsim fidelity`), and a test keeps the two identical.
package fidelity
