package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is gilsim's version. Release builds set it with
// -ldflags "-X main.version=v1.2.3"; otherwise the module version from the
// build information is used when there is one.
var version = "devel"

const versionUsage = `Usage: gilsim version

Prints gilsim's version and the Go version it was built with. Results are
reproducible for the same scenario file and the same gilsim version.
`

func versionString() string {
	v := version
	if v == "devel" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return "gilsim " + v + " (" + runtime.Version() + ")"
}

func versionCommand(e *env, args []string, stdout, stderr io.Writer) int {
	if len(args) != 0 {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			io.WriteString(stdout, versionUsage)
			return exitOK
		}
		return badUsage(stderr, "version", versionUsage, "takes no arguments")
	}
	fmt.Fprintln(stdout, versionString())
	return exitOK
}
