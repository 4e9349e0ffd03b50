package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/gilsim/gilsim/simulator"
)

// atomicFile is the --out file: output goes to a temporary file in the
// same folder, which Commit syncs and renames into place. Until then the
// destination is untouched, so an interrupted or failed batch never leaves
// a half-written result.
type atomicFile struct {
	f     *os.File
	label string // what the file is, for messages: "--out FILE"
	path  string // as given, for messages
	dest  string // the file replaced: path, or the target of its link
	mode  fs.FileMode
}

// createAtomic checks that path can be written (its folder exists, it is
// not a folder) and opens the temporary file. When path is a symbolic
// link, the file it points to is written and the link kept: the temporary
// file goes beside the target, and is renamed onto it.
func createAtomic(path string) (*atomicFile, error) {
	return createAtomicAs("--out "+path, path)
}

// createAtomicAs is createAtomic with label naming the file in errors
// ("--out report.html", or just the path when rewriting a file in place).
func createAtomicAs(label, path string) (*atomicFile, error) {
	dest, err := resolveLink(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", label, unwrapPath(err))
	}
	dir := filepath.Dir(dest)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: the folder %s does not exist", label, dir)
	case err != nil:
		return nil, fmt.Errorf("%s: %v", label, unwrapPath(err))
	case !st.IsDir():
		return nil, fmt.Errorf("%s: %s is not a folder", label, dir)
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(dest); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("%s: is a folder", label)
		}
		mode = st.Mode().Perm() // keep the mode of the file it replaces
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", label, unwrapPath(err))
	}
	return &atomicFile{f: f, label: label, path: path, dest: dest, mode: mode}, nil
}

// maxLinks bounds the symbolic links resolveLink follows, as the kernel
// bounds them (ELOOP).
const maxLinks = 40

// resolveLink returns the file that writing to path writes: path itself,
// or when path is a symbolic link the file at the end of its chain of
// links, which need not exist yet (a dangling link, whose target the
// write creates).
func resolveLink(path string) (string, error) {
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real, nil
	}
	// A dangling link: follow it by hand to the name that does not exist.
	for range maxLinks {
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			// Relative to the link's folder, with that folder's own links
			// resolved first, so that ".." means what the kernel takes it to.
			dir, err := filepath.EvalSymlinks(filepath.Dir(path))
			if err != nil {
				return "", err
			}
			target = filepath.Join(dir, target)
		}
		path = target
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
	}
	return "", errors.New("too many levels of symbolic links")
}

func (a *atomicFile) Write(b []byte) (int, error) { return a.f.Write(b) }

// Commit makes the output the destination file.
func (a *atomicFile) Commit() error {
	err := a.f.Chmod(a.mode)
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.dest)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("%s: %v", a.label, unwrapPath(err))
	}
	return nil
}

// Abort removes the temporary file; the destination is left as it was.
func (a *atomicFile) Abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

// abortOnInterrupt removes a's temporary file if the process is
// interrupted, then exits with 130 as a shell would. stop undoes it.
func abortOnInterrupt(a *atomicFile) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	go func() {
		select {
		case <-sig:
			a.Abort()
			os.Exit(130)
		case <-quit:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(quit)
	}
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// batchConfig is what the flags shared by `run` and `test` ask for.
type batchConfig struct {
	format  string
	out     string
	jobs    int
	shard   shardSpec
	set     setFlag
	opts    simulator.Options
	perTask bool
	paths   []string
	// timeline is --timeline and --width (run only; nil for test).
	timeline *timelineFlags
}

// batchFlags registers the flags shared by `run` and `test` on fset; the
// returned function checks them once parsed.
func batchFlags(fset *flag.FlagSet, formats []string) (*batchConfig, func() error) {
	cfg := &batchConfig{set: setFlag{}}
	fset.StringVar(&cfg.format, "format", "table", "")
	fset.StringVar(&cfg.out, "out", "", "")
	fset.IntVar(&cfg.jobs, "j", runtime.GOMAXPROCS(0), "")
	shard := fset.String("shard", "", "")
	fset.Var(cfg.set, "set", "")
	maxEvents := fset.Int64("max-events", simulator.DefaultMaxEvents, "")
	var maxTime durationFlag
	fset.Var(&maxTime, "max-time", "")
	check := func() error {
		known := false
		for _, f := range formats {
			known = known || f == cfg.format
		}
		if !known {
			return fmt.Errorf("--format must be one of %s, not %s", joinOr(formats), safe(fmt.Sprintf("%q", cfg.format)))
		}
		if cfg.jobs < 1 {
			return errors.New("-j must be at least 1")
		}
		if *shard != "" {
			s, err := parseShard(*shard)
			if err != nil {
				return err
			}
			cfg.shard = s
		}
		if *maxEvents <= 0 {
			return errors.New("--max-events must be at least 1")
		}
		if maxTime.set && maxTime.ns <= 0 {
			return errors.New("--max-time must be more than 0")
		}
		cfg.opts = simulator.Options{MaxEvents: *maxEvents, MaxTime: simulator.DefaultMaxTime}
		if maxTime.set {
			cfg.opts.MaxTime = maxTime.ns
		}
		return nil
	}
	return cfg, check
}

func joinOr(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	s := ""
	for i, w := range words[:len(words)-1] {
		if i > 0 {
			s += ", "
		}
		s += w
	}
	return s + " or " + words[len(words)-1]
}

// notAnInput refuses an output path that is one of the input files (an
// output written there would replace the scenario it came from). Links
// are followed on both sides: what is compared is the files themselves.
func notAnInput(out string, inputs []string) error {
	ost, err := os.Stat(out)
	if err != nil {
		return nil // a new file cannot be an input
	}
	for _, in := range inputs {
		if ist, err := os.Stat(in); err == nil && os.SameFile(ost, ist) {
			if dest, err := resolveLink(out); err == nil && dest != out {
				return fmt.Errorf("--out %s: a link to %s, which is the input file %s; write the output somewhere else", out, dest, in)
			}
			return fmt.Errorf("--out %s: that is an input file; write the output somewhere else", out)
		}
	}
	return nil
}

// openOutput returns where results go: stdout, or the --out file.
func openOutput(cfg *batchConfig, items []batchItem, stdout io.Writer) (io.Writer, *atomicFile, error) {
	if cfg.out == "" {
		return stdout, nil, nil
	}
	inputs := make([]string, 0, len(items))
	for _, it := range items {
		inputs = append(inputs, it.path)
	}
	if err := notAnInput(cfg.out, inputs); err != nil {
		return nil, nil, err
	}
	a, err := createAtomic(cfg.out)
	if err != nil {
		return nil, nil, err
	}
	return a, a, nil
}
