package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mknod makes a device node, or skips the test where that is not allowed
// (not root, or a container without CAP_MKNOD).
func mknod(t *testing.T, path string, mode uint32, major, minor int) {
	t.Helper()
	if err := syscall.Mknod(path, mode|0o666, major<<8|minor); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
}

// --out on a character device writes into it and leaves the node as it
// is; a block device is refused, untouched.
func TestOutDevice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dev := filepath.Join(dir, "dev")
	mknod(t, dev, syscall.S_IFCHR, 1, 3) // what /dev/null is
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", "--out", dev, "testdata/fcfs.sim"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if st, err := os.Lstat(dev); err != nil || st.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("the device node was replaced: %v %v", st.Mode(), err)
	}
	if got := dirEntries(t, dir); len(got) != 1 {
		t.Errorf("the folder holds %q, want only the device", got)
	}

	blk := filepath.Join(dir, "blk")
	mknod(t, blk, syscall.S_IFBLK, 7, 200)
	for _, args := range [][]string{
		{"run", "--out", blk, "testdata/fcfs.sim"},
		{"trace", "-o", blk, "testdata/fcfs.sim"},
		{"report", "-o", blk, "testdata/fcfs.sim"},
	} {
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "is a block device") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
		if st, err := os.Lstat(blk); err != nil || st.Mode()&fs.ModeDevice == 0 || st.Mode()&fs.ModeCharDevice != 0 {
			t.Fatalf("%q replaced the block device: %v %v", args, st.Mode(), err)
		}
	}
}

// --out on a FIFO writes the output into it, for the process reading it,
// and leaves the FIFO in place. Every command that takes --out does.
func TestOutFIFO(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"run", "--format", "csv", "testdata/fcfs.sim", "--out"},
		{"test", "testdata/fcfs.sim", "--out"},
		{"trace", "testdata/fcfs.sim", "-o"},
		{"report", "testdata/fcfs.sim", "-o"},
		{"compare", "../../scenarios/compare/cpu-bound.sim", "--out"},
	} {
		t.Run(args[0], func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Skipf("no FIFOs here: %v", err)
			}
			got := make(chan []byte, 1)
			go func() {
				f, err := os.Open(fifo) // waits for the writer
				if err != nil {
					got <- []byte(err.Error())
					return
				}
				b, _ := io.ReadAll(f)
				f.Close()
				got <- b
			}()
			var stdout, stderr bytes.Buffer
			if code := run(append(args, fifo), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			select {
			case b := <-got:
				if len(b) < 30 {
					t.Errorf("the reader got %q", b)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the reader got nothing")
			}
			if st, err := os.Lstat(fifo); err != nil || st.Mode()&fs.ModeNamedPipe == 0 {
				t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
			}
			if got := dirEntries(t, dir); len(got) != 1 {
				t.Errorf("the folder holds %q, want only the FIFO", got)
			}
		})
	}
}

// --out on a read-only file is refused, before anything runs, and the
// file stays as it was: even root, who could rename over it.
func TestOutReadOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "r.csv")
	old := []byte("keep me\n")
	if err := os.WriteFile(out, old, 0o444); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"run", "--out", out, "testdata/fcfs.sim"},
		{"test", "--out", out, "testdata/fcfs.sim"},
		{"trace", "-o", out, "testdata/fcfs.sim"},
		{"report", "-o", out, "testdata/fcfs.sim"},
		{"compare", "--out", out, "../../scenarios/compare/cpu-bound.sim"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		want := "gilsim " + args[0] + ": --out " + out + ": the file is read-only (mode 0444); make it writable (chmod u+w) or write the output elsewhere\n"
		if code != 2 || stderr.String() != want {
			t.Errorf("%q: exit %d, stderr %q, want %q", args, code, stderr.String(), want)
		}
		if b, _ := os.ReadFile(out); !bytes.Equal(b, old) {
			t.Fatalf("%q changed the read-only file: %q", args, b)
		}
		if got := dirEntries(t, dir); len(got) != 1 {
			t.Errorf("%q left %q", args, got)
		}
	}
}

// Writing an output removes the temporary files that earlier runs of the
// same output left when they were killed, and nothing else.
func TestOutRemovesStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dead := deadPID(t)
	host := hostTag()
	stale := ".r.csv.tmp-" + host + "-" + dead + "-123"
	// A writer killed but not yet reaped (a zombie) is dead too.
	z, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	defer z.Wait()
	for i := 0; !zombie(z.Pid); i++ {
		if i == 500 {
			t.Fatal("the child never became a zombie")
		}
		time.Sleep(10 * time.Millisecond)
	}
	staleZombie := ".r.csv.tmp-" + host + "-" + strconv.Itoa(z.Pid) + "-5"
	os.WriteFile(filepath.Join(dir, staleZombie), []byte("half"), 0o644)
	keep := []string{
		".r.csv.tmp-" + host + "-1-456",          // pid 1 is alive
		".r.csv.tmp-00000000-" + dead + "-7",     // another machine's (unless this one hashes to 0)
		".r.csv.tmp-" + host + "-" + dead + "-x", // not the pattern
		".r.csv.tmp-123",                         // no writer named
		".s.csv.tmp-" + host + "-" + dead + "-8", // another output
		"r.csv.tmp-" + host + "-" + dead + "-9",  // not hidden
	}
	if host == "00000000" {
		keep = append(keep[:1], keep[2:]...)
	}
	for _, name := range append([]string{stale}, keep...) {
		os.WriteFile(filepath.Join(dir, name), []byte("half"), 0o644)
	}
	staleDir := ".r.csv.tmp-" + host + "-" + dead + "-10"
	os.Mkdir(filepath.Join(dir, staleDir), 0o755) // not a regular file
	keep = append(keep, staleDir)

	var stdout, stderr bytes.Buffer
	out := filepath.Join(dir, "r.csv")
	if code := run([]string{"run", "--format", "csv", "--out", out, "testdata/fcfs.sim"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{stale, staleZombie} {
		if _, err := os.Lstat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the stale temporary file %s is still there: %v", name, err)
		}
	}
	for _, name := range append(keep, "r.csv") {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
}

// deadPID is the pid of a process that has ended.
func deadPID(t *testing.T) string {
	t.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if pidAlive(p.Pid) {
		t.Skip("the pid was reused at once")
	}
	return strconv.Itoa(p.Pid)
}
