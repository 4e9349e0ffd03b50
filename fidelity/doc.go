// Package fidelity compares gilsim's predictions with CPython measured on
// a real machine.
//
// The measurements are the JSON files of fidelity/data, built into the
// package as Data: emergent outcomes of experiments E1-E10 on a 2-vCPU
// Linux VM with Debian's CPython 3.11.2 (outcomes.json,
// outcomes-released.json, eventlet_greenlet.json), the unit costs they
// were built from (calibration.json), and the machine and method
// (data/README.md). Each experiment's workload is described, with its
// measured unit costs, by a scenario in scenarios/calibration. Rows lists
// one row per measured outcome, and one per element of an outcome that is
// a list (sorted per-worker times; Row.ID names it entry[i]): the entry of
// Data it compares with (its value and published spread are read from
// there), the scenario configuration that predicts it, and the tolerance
// band derived from the spread (Band). Known lists the rows gilsim cannot
// yet predict within their band, each with the rule of semantics.md that
// is missing; LeftOut lists the measured outcomes no scenario can
// express, with the reason.
//
//	runs, err := fidelity.Load(calibration.Files)
//	results := fidelity.Evaluate(runs)
//	io.WriteString(os.Stdout, fidelity.Markdown(results))
//
// The generated section of docs/fidelity.md is the output of
// Markdown (`gilsim fidelity`), and a test keeps the two identical.
package fidelity
