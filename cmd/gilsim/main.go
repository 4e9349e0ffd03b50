// Command gilsim simulates Python concurrency — OS scheduling on N cores,
// CPython's GIL, asyncio, gevent — from scenario files (.sim), and prints
// what happened.
//
//	gilsim run [flags] PATH...
//	gilsim test [flags] PATH...
//	gilsim trace [flags] FILE -o OUT
//	gilsim report [flags] PATH... -o OUT
//	gilsim compare [flags] FILE...
//	gilsim fmt [-l] [-d] [-w] [PATH...]
//	gilsim check PATH...
//	gilsim lsp
//	gilsim fidelity [--readme FILE]
//	gilsim atlas [--readme FILE] DIR
//	gilsim calibrate [--python PATH] [--budget DURATION]
//	gilsim version
//	gilsim help [COMMAND]
//	gilsim help language
//
// Exit status: 0 when every run finished and every expectation held; 1 when
// an expectation failed or a run ended in a deadlock or a modelled failure;
// 2 for usage errors, files that do not parse, and runs stopped by
// --max-events or --max-time.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/gilsim/gilsim/docs"
	"github.com/gilsim/gilsim/internal/app"
)

func main() {
	tuneGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC lets the heap grow to five times what is live before collecting
// (app.GCPercent), unless GOGC says otherwise: parsing allocates a lot of
// short-lived garbage, and with the default the collector's work is a
// large part of a large file's parse and of a batch's (BenchmarkBatch1000
// on the 2-core reference machine, 4 December 2026, three runs each: one
// worker 108-131 ms at GOGC=400 and 142-174 ms at 100, two workers 62-71
// and 65-80 ms; the ratio of the two is larger at 100 only because one
// worker leaves the collector a core of its own).
// A soft limit (unless GOMEMLIMIT is set: 4 GiB, or half the memory this
// process may use if less, memory.go) makes it collect harder before a
// big run runs out of memory.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(app.GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultSoftLimit())
	}
}

// Exit codes.
const (
	exitOK     = 0 // every run finished, every expectation held
	exitFailed = 1 // an expectation failed, or a run deadlocked or failed
	exitUsage  = 2 // usage, parse, validation or limit error
)

const mainUsage = `gilsim simulates Python concurrency: OS scheduling on N cores, CPython's
GIL, asyncio, gevent. It reads scenario files (.sim) and reports what
happened.

Usage:
  gilsim run [flags] PATH...   simulate scenario files and print the results
  gilsim test [flags] PATH...  check the expect lines of scenario files
  gilsim trace FILE -o OUT     write a run as a Chrome trace (Perfetto, chrome://tracing)
  gilsim report PATHS -o OUT   write an HTML page: tables and a Gantt chart per run
  gilsim compare FILE...       run a workload as threads, processes, asyncio, gevent...
  gilsim fmt [-l|-d|-w] PATH   lay scenario files out canonically (gofmt's flags)
  gilsim check PATH...         report every error of scenario files without running them
  gilsim lsp                   serve the Language Server Protocol on stdin/stdout, for editors
  gilsim fidelity              compare gilsim with CPython measured on a real machine
  gilsim atlas DIR             run claim scenarios, print a table of claims and verdicts
  gilsim calibrate             measure this machine with python3, print a machine block
  gilsim version               print gilsim's version
  gilsim help [COMMAND]        print this help, or a command's
  gilsim help language         print the reference of the scenario language

Exit status:
  0  every run finished and every expectation held
  1  an expectation failed, or a run ended in a deadlock or a modelled failure
  2  usage error, a file that does not parse, or a run stopped by a limit

Run "gilsim help COMMAND" for the flags of a command.
`

// run is the whole command line: it returns the exit status instead of
// exiting, so that tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	return realEnv().run(args, stdout, stderr)
}

// run is the command line in the env e.
func (e *env) run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		io.WriteString(stderr, mainUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	if c, ok := commands[cmd]; ok {
		out := &stdoutWriter{w: stdout}
		code := c.run(e, rest, out, stderr)
		return checkStdout(cmd, out, code, stderr)
	}
	switch cmd {
	case "help", "-h", "-help", "--help":
		out := &stdoutWriter{w: stdout}
		code := exitOK
		if cmd == "help" && len(rest) > 0 {
			code = helpCommand(rest, out, stderr)
		} else {
			io.WriteString(out, mainUsage)
		}
		return checkStdout("help", out, code, stderr)
	default:
		msg := fmt.Sprintf("gilsim: unknown command %q", cmd)
		if strings.HasSuffix(cmd, ".sim") {
			msg += fmt.Sprintf(" (did you mean \"gilsim run %s\"?)", cmd)
		}
		fmt.Fprintf(stderr, "%s\nRun \"gilsim help\" for usage.\n", safe(msg))
		return exitUsage
	}
}

// badUsage reports a mistake on the command line of cmd: what is wrong,
// the command's synopsis (the first line of its help) and where to read
// the rest, not the whole help. It returns exitUsage.
func badUsage(stderr io.Writer, cmd, usage, msg string) int {
	synopsis, _, _ := strings.Cut(usage, "\n")
	fmt.Fprintf(stderr, "gilsim %s: %s\n%s\nRun \"gilsim help %s\" for more.\n", cmd, safe(msg), synopsis, cmd)
	return exitUsage
}

// command is a subcommand and its help text.
type command struct {
	run   func(e *env, args []string, stdout, stderr io.Writer) int
	usage string
}

// commands are gilsim's subcommands by name (help is apart).
var commands = map[string]command{
	"run":       {runCommand, runUsage},
	"test":      {testCommand, testUsage},
	"trace":     {traceCommand, traceUsage},
	"report":    {reportCommand, reportUsage},
	"compare":   {compareCommand, compareUsage},
	"fmt":       {fmtCommand, fmtUsage},
	"check":     {checkCommand, checkUsage},
	"lsp":       {lspCommand, lspUsage},
	"fidelity":  {fidelityCommand, fidelityUsage},
	"atlas":     {atlasCommand, atlasUsage},
	"calibrate": {calibrateCommand, calibrateUsage},
	"version":   {versionCommand, versionUsage},
}

func helpCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		io.WriteString(stderr, "usage: gilsim help [COMMAND]\n")
		return exitUsage
	}
	switch c, ok := commands[args[0]]; {
	case ok:
		io.WriteString(stdout, c.usage)
	case args[0] == "help":
		io.WriteString(stdout, mainUsage)
	case args[0] == "language":
		io.WriteString(stdout, docs.Language)
	default:
		fmt.Fprintf(stderr, "gilsim help: unknown command %s\nRun \"gilsim help\" for usage.\n", safe(fmt.Sprintf("%q", args[0])))
		return exitUsage
	}
	return exitOK
}

// stdoutWriter is stdout as the commands see it: it remembers the first
// error writing to it (a full disk, a closed pipe), so that no command
// can end with exit 0 when its output was lost.
type stdoutWriter struct {
	w   io.Writer
	err error
}

func (s *stdoutWriter) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}

// Unwrap is the writer underneath, for asking whether it is a terminal.
func (s *stdoutWriter) Unwrap() io.Writer { return s.w }

// checkStdout turns a command's exit status into exitUsage, with a message,
// when writing to stdout failed and the command did not say so itself
// (the commands that do exit with exitUsage).
func checkStdout(cmd string, out *stdoutWriter, code int, stderr io.Writer) int {
	if out.err == nil || code == exitUsage {
		return code
	}
	fmt.Fprintf(stderr, "gilsim %s: writing to stdout: %s\n", cmd, safe(unwrapPath(out.err).Error()))
	return exitUsage
}

// osFile is the file behind w, through the writers that wrap stdout.
func osFile(w io.Writer) (*os.File, bool) {
	for {
		switch v := w.(type) {
		case *os.File:
			return v, true
		case interface{ Unwrap() io.Writer }:
			w = v.Unwrap()
		default:
			return nil, false
		}
	}
}
