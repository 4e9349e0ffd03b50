// Package app is the application layer shared by the gilsim command and
// the Go packages that run scenarios for it (gilsimtest, the fidelity
// suite, the claims atlas). It composes dsl, simulator, compare and
// report the way each of them needs, so that none re-implements it:
//
//   - Expand turns path arguments (files, folders, globs) into a file
//     list, Shard takes a slice of it (--shard K/N);
//   - Runner parses and runs the list on several goroutines — sweeps
//     run by run, scenarios simulated, workloads compared — within a
//     memory budget, and hands the files back in list order; InOrder does
//     the same for work that needs neither parsing nor a budget;
//   - Identify gives each run its identity (report.RunID: its parameters
//     and which are varied), which outputs, failures and tests carry;
//   - Failure is one thing that went wrong in a run, and its String is
//     the line a user reads (`gilsim test`, gilsimtest);
//   - ReplaceSection and Section edit the generated sections of the
//     documentation's pages.
//
// Its dependencies (the parser, the engine) are passed in as fields and
// arguments, never swapped through package variables, so that its users'
// tests run in parallel. It holds no simulation logic and no rendering.
package app
