package main

import (
	"context"
	"io"
	"strings"

	"github.com/gilsim/gilsim/lsp"
)

const lspUsage = `Usage: gilsim lsp

Serves the Language Server Protocol on standard input and output, for an
editor to start: diagnostics as you type (every error of the file, and
the misuse warnings of a short dry run of the scenario), hover
documentation of keywords, steps, metrics and machine keys (with their
defaults), completion, go to definition from a name in expect or switch,
formatting (as gilsim fmt) and an outline of the file's processes,
threads and tasks. Internal errors are logged on stderr. docs/cli.md
says how to set it up in VS Code, Neovim and Helix.

Exit status:
  0  the client asked to shut down, then to exit
  1  the input ended (or exit came) without a shutdown request
`

func lspCommand(e *env, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			io.WriteString(stdout, lspUsage)
			return exitOK
		}
		// Editors often pass --stdio; that is what the server does anyway.
		if len(args) != 1 || args[0] != "--stdio" {
			return badUsage(stderr, "lsp", lspUsage, "takes no arguments")
		}
	}
	v := strings.TrimPrefix(versionString(), "gilsim ")
	return lsp.Serve(context.Background(), stdio{e.stdin, stdout}, lsp.Options{Version: v, Log: stderr})
}

// stdio is standard input and output as one stream; closing it closes
// neither (the process is about to end).
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
