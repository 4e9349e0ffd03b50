package main

import (
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
)

// fullWriter fails every write, as /dev/full does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// Every command whose output is lost reports it and exits 2, whatever
// the run found.
func TestStdoutWriteErrors(t *testing.T) {
	t.Parallel()
	cases := [][]string{
		{"help"},
		{"help", "run"},
		{"--help"},
		{"run", "-h"},
		{"version"},
		{"run", "testdata/fcfs.sim"},
		{"run", "--format", "json", "testdata/fcfs.sim"},
		{"run", "--format", "csv", "testdata/failing.sim"},
		{"test", "testdata/fcfs.sim"},
		{"test", "--format", "csv", "testdata/failing.sim"},
		{"trace", "-o", "-", "testdata/fcfs.sim"},
		{"report", "-o", "-", "testdata/fcfs.sim"},
		{"compare", "../../scenarios/compare/cpu-bound.sim"},
		{"fidelity"},
		{"atlas", "testdata/atlas/ok"},
		{"atlas", "testdata/atlas/failing"},
	}
	for _, args := range cases {
		var errb bytes.Buffer
		code := testEnv().run(args, fullWriter{}, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%q into a full disk: exit %d, stderr %q; want exit 2 and the error", args, code, errb.String())
		}
	}
	if testing.Short() {
		return
	}
	calibrate := []string{"calibrate", "--python", fakePython(t, "full"), "--budget", "3s"}
	var errb bytes.Buffer
	if code := testEnv().run(calibrate, fullWriter{}, &errb); code != exitUsage || !strings.Contains(errb.String(), "no space left on device") {
		t.Errorf("%q into a full disk: exit %d, stderr %q", calibrate, code, errb.String())
	}
}

// The same with the real /dev/full, where there is one.
func TestStdoutDevFull(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	defer full.Close()
	for _, args := range [][]string{{"fidelity"}, {"atlas", "testdata/atlas/ok"}, {"run", "testdata/fcfs.sim"}} {
		var errb bytes.Buffer
		if code := testEnv().run(args, full, &errb); code != exitUsage || !strings.Contains(errb.String(), "no space left on device") || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%q > /dev/full: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// A parse error's excerpt is escaped by dsl, and the whole message again
// by report.TermSafeText on its way to stderr: the second must find
// nothing left to escape, or the caret would no longer stand under its
// column.
func TestExcerptNeedsNoMoreEscaping(t *testing.T) {
	t.Parallel()
	check := func(r rune) {
		msg := dsl.ErrorAt("f.sim", []byte("a"+string(r)+"bc"), 1, 4, "m").Error()
		if got := report.TermSafeText(msg); got != msg {
			t.Fatalf("%U: dsl shows %q, the terminal gets %q", r, msg, got)
		}
	}
	for r := rune(0); r < 0x30000; r++ {
		if r != '\n' && r != '\r' && (r < 0xd800 || r > 0xdfff) {
			check(r)
		}
	}
	for r := rune(0xe0000); r < 0xe1000; r++ {
		check(r)
	}
}
