// Package app is the application layer shared by the gilsim command and
// the Go packages that run scenarios for it (gilsimtest, the fidelity
// suite): what turns path arguments into a list of files, runs them in
// parallel and reports them in order, describes what went wrong in a run
// in the line a user reads, and rewrites the generated sections of the
// documentation.
//
// It holds no simulation logic (that is package simulator) and no
// rendering (package report); it composes dsl, simulator and compare the
// way every client needs them, so that they do not each re-implement it.
package app
