package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gilsim/gilsim/internal/app"
)

// sectionFlag is --doc FILE of the commands that generate a section of
// a documentation page (fidelity, atlas); --readme is its former name,
// kept so that old scripts still work. name is the flag as given, for
// messages.
type sectionFlag struct {
	path, name string
}

// docFlag defines --doc and --readme on fset.
func docFlag(fset *flag.FlagSet) *sectionFlag {
	f := &sectionFlag{}
	for _, name := range []string{"doc", "readme"} {
		fset.Func(name, "", func(v string) error {
			f.path, f.name = v, "--"+name
			return nil
		})
	}
	return f
}

// writeSection replaces the section called name of the page f names
// with section, all at once as --out writes (a read-only file is
// refused), and says so on stderr when the page changed. It returns the
// exit status of a failure, or exitOK.
func writeSection(cmd string, f *sectionFlag, name, section string, stderr io.Writer) int {
	b, err := os.ReadFile(f.path)
	if err != nil {
		fmt.Fprintf(stderr, "gilsim %s: %s\n", cmd, safe(err.Error()))
		return exitUsage
	}
	out, err := app.ReplaceSection(string(b), name, section)
	if err != nil {
		fmt.Fprintf(stderr, "gilsim %s: %s: %s\n", cmd, safe(f.path), err)
		return exitUsage
	}
	if out == string(b) {
		return exitOK
	}
	if err := replaceFile(f.name, f.path, []byte(out)); err != nil {
		fmt.Fprintf(stderr, "gilsim %s: %s\n", cmd, safe(err.Error()))
		return exitUsage
	}
	fmt.Fprintf(stderr, "gilsim %s: updated the %s section of %s\n", cmd, name, safe(f.path))
	return exitOK
}
