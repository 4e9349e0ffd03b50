package simulator

import "unsafe"

// prefetchThread asks the CPU to bring the thread at t into its caches
// without waiting for it: the fair policy's next thread to run, while a
// run of thousands of tasks has it only in memory (the thread its placing
// reads was the first miss of every round: a tenth of a 100,000-task
// run's time), or a thread dispatch is about to queue. It fetches the
// five lines of the thread a round touches (thread.go). Go has no
// prefetch of its own.
//
//go:noescape
func prefetchThread(t unsafe.Pointer)

// prefetchLine asks the CPU to bring the cache line at p into its caches
// without waiting for it, which also has the address translated (a
// page-table walk when its page is not in the TLB).
//
//go:noescape
func prefetchLine(p unsafe.Pointer)
