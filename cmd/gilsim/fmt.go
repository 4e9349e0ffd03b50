package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/aymanbagabas/go-udiff"

	"github.com/gilsim/gilsim/dsl"
)

const fmtUsage = `Usage: gilsim fmt [-l] [-d] [-w] [PATH...]

Lays scenario files out in gilsim's one canonical layout: two spaces of
indentation, one space between tokens, one item per line in a block
written over several lines (a block written on one line stays on it while
the line fits in 100 columns), trailing comments aligned, one blank line
at most. Comments stay where they are, and only the space between tokens
changes: the file means exactly what it meant. Formatting a formatted
file changes nothing. A PATH is a file, a folder (every *.sim below it)
or a glob; with no PATH, standard input is formatted to standard output.

With no flag, the formatted files are printed to stdout.
  -l    list the files whose layout differs from gilsim fmt's
  -d    print the changes as a unified diff
  -w    write the result back to each file that differs (atomically, its
        mode kept)

A file that does not parse is reported as file:line:col: message, with
the line and a caret, and left untouched; the other files are still
formatted. A file that parses but does not check (an unknown metric, a
missing quantum) is formatted; "gilsim check" reports those errors.

Exit status:
  0  done; with -l or -d (and no -w), every file is formatted already
  1  with -l or -d (and no -w), some file is not formatted
  2  usage error, or a file that cannot be read or does not parse
`

func fmtCommand(e *env, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("gilsim fmt", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	fset.Usage = func() {}
	list := fset.Bool("l", false, "")
	diff := fset.Bool("d", false, "")
	write := fset.Bool("w", false, "")
	paths, err := parseInterleaved(fset, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(stdout, fmtUsage)
		return exitOK
	case err != nil:
		return badUsage(stderr, "fmt", fmtUsage, err.Error())
	}
	f := &formatRun{list: *list, diff: *diff, write: *write, stdout: stdout, stderr: stderr}
	if len(paths) == 0 {
		if f.write {
			return badUsage(stderr, "fmt", fmtUsage, "-w needs a file to write: name one")
		}
		src, err := io.ReadAll(io.LimitReader(e.stdin, dsl.MaxFileSize+1))
		if err != nil {
			fmt.Fprintf(stderr, "gilsim fmt: reading standard input: %s\n", safe(err.Error()))
			return exitUsage
		}
		f.file("<standard input>", src, false)
		return f.status
	}
	for _, it := range e.expand(paths) {
		if it.Err != nil {
			writeParseError(stderr, it.Path, it.Err)
			f.status = max(f.status, exitUsage)
			continue
		}
		src, err := dsl.ReadFile(it.Path)
		if err != nil {
			writeParseError(stderr, it.Path, err)
			f.status = max(f.status, exitUsage)
			continue
		}
		f.file(it.Path, src, true)
	}
	return f.status
}

// formatRun is one `gilsim fmt`: its flags, and the worst status so far.
type formatRun struct {
	list, diff, write bool
	stdout, stderr    io.Writer
	status            int
}

// file formats one file's source, read from path (onDisk) or from
// standard input, and does with it what the flags say.
func (f *formatRun) file(path string, src []byte, onDisk bool) {
	out, err := dsl.Format(path, src)
	if err != nil {
		writeParseError(f.stderr, path, err)
		f.status = max(f.status, exitUsage)
		return
	}
	same := bytes.Equal(src, out)
	if !f.list && !f.diff && !f.write {
		f.stdout.Write(out)
		return
	}
	if same {
		return
	}
	if f.list {
		fmt.Fprintln(f.stdout, safe(path))
	}
	if f.diff {
		io.WriteString(f.stdout, udiff.Unified(path+".orig", path, string(src), string(out)))
	}
	if f.write && onDisk {
		if err := writeAtomic(path, out); err != nil {
			fmt.Fprintf(f.stderr, "gilsim fmt: %s\n", safe(err.Error()))
			f.status = max(f.status, exitUsage)
			return
		}
	}
	if !f.write {
		f.status = max(f.status, exitFailed)
	}
}

// writeAtomic replaces the file at path with data: written beside it,
// synced and renamed over it, so that an interrupted write leaves the
// old file whole. The file keeps its mode.
func writeAtomic(path string, data []byte) error {
	a, err := createAtomicAs(path, path)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.Abort()
		return fmt.Errorf("%s: %v", path, unwrapPath(err))
	}
	return a.Commit()
}
