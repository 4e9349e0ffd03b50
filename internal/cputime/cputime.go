// Package cputime reads what the process has used so far, for the
// benchmarks: its CPU time, which they report beside wall time (on a
// shared machine wall time also counts the time other work had the
// cores), and its page faults (a run in fresh memory pays one for each
// page it touches first).
package cputime

import "time"

// Process is the CPU time the process has used so far, user and system,
// on every thread (the collector's too); 0 where the system does not say.
func Process() time.Duration { return process() }

// PageFaults is the number of minor page faults the process has taken
// so far (faults served without reading a file or swap: mostly a first
// touch of memory); 0 where the system does not say.
func PageFaults() int64 { return pageFaults() }
