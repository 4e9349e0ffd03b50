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
