// Package docs holds gilsim's manual, the markdown pages of this folder,
// and builds the language reference into the gilsim command (`gilsim help
// language` prints Language).
//
// The pages are:
//
//	language.md   the scenario language, every keyword, step and metric
//	semantics.md  how the real systems behave, with sources, and what the engine does
//	compare.md    gilsim compare: what each concurrency model does with a workload
//	cli.md        the commands, their flags, output formats and limits
//	fidelity.md   gilsim against CPython measured on a real machine (generated)
//	claims.md     the seed notes' claims, each checked by a scenario (generated)
//	speed.md      how fast the engine runs, and why
//
// The tests of this package keep them honest: every example scenario in a
// `sim` block parses and meets its expectations, the generated tables
// match what they are generated from, and every relative link and anchor
// of these pages and the README resolves.
package docs

import _ "embed"

// Language is docs/language.md, the reference of the scenario language.
//
//go:embed language.md
var Language string
