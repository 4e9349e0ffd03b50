package cputime

import (
	"runtime"
	"testing"
)

// Spinning for a while must show as CPU time where the system reports it.
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no getrusage here")
	}
	before := Process()
	x := 0
	for i := 0; Process()-before < 2_000_000 && i < 2_000_000_000; i++ {
		x += i
	}
	if Process() <= before {
		t.Fatalf("CPU time did not grow: %v then %v (%d)", before, Process(), x)
	}
}

// Touching 64 MiB of memory the process never had must show as page
// faults on Linux (the heap is far smaller, so the slice comes fresh
// from the system).
func TestPageFaultsGrow(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("page faults are checked on Linux")
	}
	before := PageFaults()
	b := make([]byte, 64<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	if got := PageFaults() - before; got < 1000 {
		t.Fatalf("touching %d pages took %d page faults, want at least 1,000", len(b)/4096, got)
	}
	runtime.KeepAlive(b)
}
