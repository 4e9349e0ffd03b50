package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/gilsim/gilsim/fidelity"
)

const fidelityUsage = `Usage: gilsim fidelity [--doc FILE]

Runs the calibration scenarios (scenarios/calibration, built into gilsim)
and compares each prediction with CPython measured on the reference
machine (fidelity/data, built in too: Debian CPython 3.11.2 on a 2-vCPU
Linux VM). Prints the comparison as markdown: the fidelity table, the
known limitations and the machine parameters, which is the generated
section of docs/fidelity.md (its links are relative to docs/).

Flags:
  --doc FILE      instead of printing, replace the text between
                  <!-- fidelity:begin --> and <!-- fidelity:end --> in FILE,
                  leaving the rest of FILE as it is (--readme is the
                  former name of this flag)

Exit status:
  0  every prediction within its band, or a known limitation
  1  a prediction outside its band that is not a known limitation
  2  usage error, or FILE cannot be read, has no markers, or cannot be written
`

func fidelityCommand(e *env, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("gilsim fidelity", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	doc := docFlag(fset)
	if err := parseFlags(fset, args); err != nil {
		if err == flag.ErrHelp {
			io.WriteString(stdout, fidelityUsage)
			return exitOK
		}
		return badUsage(stderr, "fidelity", fidelityUsage, err.Error())
	}
	if fset.NArg() > 0 {
		return badUsage(stderr, "fidelity", fidelityUsage, fmt.Sprintf("unexpected argument %q", fset.Arg(0)))
	}

	results, err := e.fidelity()
	if err != nil {
		fmt.Fprintf(stderr, "gilsim fidelity: %s\n", safe(err.Error()))
		return exitUsage
	}
	status := exitOK
	for _, r := range results {
		if !r.OK && r.Limit == nil {
			status = exitFailed
			fmt.Fprintf(stderr, "gilsim fidelity: %s is outside its band and is not a known limitation\n", r.ID())
		}
	}

	section := fidelity.Markdown(results)
	if doc.path == "" {
		io.WriteString(stdout, section)
		return status
	}
	if code := writeSection("fidelity", doc, fidelity.SectionName, section, stderr); code != exitOK {
		return code
	}
	return status
}
