package main

import (
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/simulator"
)

// atomicFile is the --out file: output goes to a temporary file, and
// Commit makes it the destination only once it is complete. Until then the
// destination is untouched, so an interrupted or failed batch never leaves
// a half-written result.
//
// A regular file (or a name that does not exist yet) is replaced: the
// temporary file is beside it, and Commit syncs and renames it into place.
// A character device (/dev/null, a terminal) or a FIFO (a named pipe,
// /dev/stdout into a pipe) cannot be replaced, and must not be: the
// temporary file is an unlinked one in the system's temporary folder, and
// Commit copies it into the destination. Anything else that is not a
// regular file (a block device, a socket) is refused.
type atomicFile struct {
	f       *os.File
	name    string // the flag and the path as given, for messages
	dest    string // the file replaced: path, or the target of its link
	mode    fs.FileMode
	through bool // dest is a device or a FIFO: written into, not replaced
}

// createAtomic checks that path can be written (its folder exists, it is
// not a folder, not read-only) and opens the temporary file. When path is
// a symbolic link, the file it points to is written and the link kept: the
// temporary file goes beside the target, and is renamed onto it.
func createAtomic(path string) (*atomicFile, error) {
	return createAtomicFor("--out", path)
}

// createAtomicFor is createAtomic for the file of another flag (--readme),
// which its messages name.
func createAtomicFor(flag, path string) (*atomicFile, error) {
	return createAtomicAs(flag+" "+path, path)
}

// createAtomicAs is createAtomic with name naming the file in errors
// ("--out report.html", or just the path when rewriting a file in place).
func createAtomicAs(name, path string) (*atomicFile, error) {
	// Stat follows links all the way, through /proc's links too: it is
	// how /dev/stdout is found to be a pipe.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return createThrough(name, path, st)
	}
	dest, err := resolveLink(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, unwrapPath(err))
	}
	dir := filepath.Dir(dest)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: the folder %s does not exist", name, dir)
	case err != nil:
		return nil, fmt.Errorf("%s: %v", name, unwrapPath(err))
	case !st.IsDir():
		return nil, fmt.Errorf("%s: %s is not a folder", name, dir)
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(dest); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("%s: is a folder", name)
		}
		if err := checkWritable(name, dest, st); err != nil {
			return nil, err
		}
		mode = st.Mode().Perm() // keep the mode of the file it replaces
	}
	removeStaleTemps(dir, filepath.Base(dest))
	f, err := os.CreateTemp(dir, tempPattern(filepath.Base(dest)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, unwrapPath(err))
	}
	return &atomicFile{f: f, name: name, dest: dest, mode: mode}, nil
}

// checkWritable refuses to replace a file that may not be written: one
// without any write permission (root could rename over it, but a file
// marked read-only is meant to stay as it is), or one this user may not
// write. The rename would succeed in both cases, as it needs only the
// folder to be writable, so it must be asked.
func checkWritable(name, dest string, st fs.FileInfo) error {
	if st.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s: the file is read-only (mode %04o); make it writable (chmod u+w) or write the output elsewhere", name, st.Mode().Perm())
	}
	if err := canWrite(dest); err != nil {
		return fmt.Errorf("%s: %v; the file is not this user's to replace", name, unwrapPath(err))
	}
	return nil
}

// createThrough prepares writing into a file that is not a regular file,
// whose Stat is st.
func createThrough(name, path string, st fs.FileInfo) (*atomicFile, error) {
	m := st.Mode()
	switch {
	case m.IsDir():
		return nil, fmt.Errorf("%s: is a folder", name)
	case m&fs.ModeCharDevice != 0, m&fs.ModeNamedPipe != 0:
	default:
		kind := "not a regular file"
		switch {
		case m&fs.ModeDevice != 0:
			kind = "a block device"
		case m&fs.ModeSocket != 0:
			kind = "a socket"
		}
		return nil, fmt.Errorf("%s: is %s; gilsim writes to regular files, character devices (such as /dev/null) and FIFOs", name, kind)
	}
	if err := canWrite(path); err != nil {
		return nil, fmt.Errorf("%s: %v", name, unwrapPath(err))
	}
	f, err := spoolFile()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return &atomicFile{f: f, name: name, dest: path, through: true}, nil
}

// spoolFile is a temporary file in the system's temporary folder to hold
// an output until it is complete. It is unlinked at once: the open file
// holds the output, and nothing is left behind whatever ends the process.
func spoolFile() (*os.File, error) {
	f, err := os.CreateTemp("", "gilsim-out-*")
	if err != nil {
		return nil, fmt.Errorf("a temporary file to hold the output: %v", unwrapPath(err))
	}
	os.Remove(f.Name())
	return f, nil
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
	if a.through {
		err := a.copyThrough()
		a.f.Close()
		if err != nil {
			return fmt.Errorf("%s: %v", a.name, unwrapPath(err))
		}
		return nil
	}
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
		return fmt.Errorf("%s: %v", a.name, unwrapPath(err))
	}
	return nil
}

// copyThrough writes the finished output into a device or FIFO. Opening a
// FIFO waits for a reader, as a shell's redirection does.
func (a *atomicFile) copyThrough() error {
	if _, err := a.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := os.OpenFile(a.dest, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, a.f)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort removes the temporary file; the destination is left as it was.
func (a *atomicFile) Abort() {
	a.f.Close()
	if !a.through {
		os.Remove(a.f.Name())
	}
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
	shard   app.Shard
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
			s, err := app.ParseShard(*shard)
			if err != nil {
				return err
			}
			cfg.shard = s
		}
		if *maxEvents <= 0 {
			return errors.New("--max-events must be at least 1")
		}
		if maxTime.set {
			if err := maxTimeError(maxTime.ns); err != nil {
				return err
			}
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
func openOutput(cfg *batchConfig, items []app.Item, stdout io.Writer) (io.Writer, *atomicFile, error) {
	if cfg.out == "" {
		return stdout, nil, nil
	}
	inputs := make([]string, 0, len(items))
	for _, it := range items {
		inputs = append(inputs, it.Path)
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

// Stale temporary files. A process killed by a signal it cannot catch
// (kill -9, the OOM killer, a power cut) leaves its temporary file behind,
// hidden beside the output. Each name says who wrote it,
// .NAME.tmp-HOST-PID-RANDOM (HOST a hash of the machine's host name), and
// writing NAME again removes the ones written on this machine by a process
// that is no longer alive. A dead writer is the test rather than the
// file's age: a long batch may write nothing to its temporary file for
// hours (CSV is written at the end), and an age bound would remove a live
// one, while a dead pid is never a live writer. A pid reused since keeps
// its file until it dies too, which errs on the safe side. The host is in
// the name because a pid means nothing on another machine: in a folder
// shared over the network, another machine's files are left alone. Only
// names of exactly this pattern for this NAME are touched, and only
// regular files.

// tempPattern is the os.CreateTemp pattern of the temporary files of an
// output named base.
func tempPattern(base string) string {
	return "." + base + ".tmp-" + hostTag() + "-" + strconv.Itoa(os.Getpid()) + "-*"
}

// hostTag is eight hex digits that stand for this machine's host name.
func hostTag() string {
	name, _ := os.Hostname()
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%08x", h.Sum32())
}

// staleTempPID returns the writer's pid when name is the temporary file
// of the output base written on this machine (.BASE.tmp-HOST-PID-RANDOM,
// HOST this machine's hostTag, the numbers in decimal).
func staleTempPID(base, name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "."+base+".tmp-"+hostTag()+"-")
	if !ok {
		return 0, false
	}
	pid, random, ok := strings.Cut(rest, "-")
	if !ok || !allDigits(pid) || !allDigits(random) {
		return 0, false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// removeStaleTemps removes, from dir, the temporary files of the output
// base whose writer is dead. It is best effort: a file it cannot remove
// stays, and the output is written all the same.
func removeStaleTemps(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := staleTempPID(base, e.Name())
		if !ok || !e.Type().IsRegular() || pid == os.Getpid() || pidAlive(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// replaceFile writes data to path (the file of flag) through an
// atomicFile: all of it, or nothing.
func replaceFile(flag, path string, data []byte) error {
	a, err := createAtomicFor(flag, path)
	if err != nil {
		return err
	}
	defer abortOnInterrupt(a)()
	if _, err := a.Write(data); err != nil {
		a.Abort()
		return fmt.Errorf("%s %s: %v", flag, path, unwrapPath(err))
	}
	return a.Commit()
}
