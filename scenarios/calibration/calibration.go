// Package calibration holds the scenarios that describe, one file per
// experiment, the workloads measured on real CPython in
// fidelity/data (E1-E7, E9, E10). They use the measured unit costs
// of those experiments and gilsim's default machine, which was calibrated
// on the same computer.
//
// Each configuration of an experiment is a process (or a group of
// replicas) named after its key in the data, started 10 s after the
// previous one so that none overlaps another. The package fidelity runs
// them and compares every measured outcome with gilsim's prediction; the
// files are embedded so that `gilsim fidelity` works from any directory.
package calibration

import "embed"

// Files holds the calibration scenarios (*.sim).
//
//go:embed *.sim
var Files embed.FS
