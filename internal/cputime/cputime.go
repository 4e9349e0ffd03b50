// Package cputime reads the CPU time the process has used, for the
// benchmarks that report work per CPU-second beside work per second of
// wall time (on a shared machine wall time also counts the time other
// work had the cores).
package cputime

import "time"

// Process is the CPU time the process has used so far, user and system,
// on every thread (the collector's too); 0 where the system does not say.
func Process() time.Duration { return process() }
