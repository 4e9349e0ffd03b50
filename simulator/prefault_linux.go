package simulator

import (
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// madvPopulateWrite is MADV_POPULATE_WRITE (Linux 5.14): fault a range's
// pages in writable, as a write to each would, without changing them.
const madvPopulateWrite = 23

var (
	pageSize = uintptr(os.Getpagesize())
	// populateRefused: the kernel refused MADV_POPULATE_WRITE once
	// (older than 5.14, or a seccomp filter); it is not asked again
	populateRefused atomic.Bool
)

// prefault maps in the whole pages of the n bytes at p, writable, in one
// madvise call, and says whether it did. The pages at the ends that the
// array shares with its neighbours are left to fault on their own.
func prefault(p unsafe.Pointer, n uintptr) bool {
	if populateRefused.Load() {
		return false
	}
	start := (uintptr(p) + pageSize - 1) &^ (pageSize - 1)
	end := (uintptr(p) + n) &^ (pageSize - 1)
	if end <= start {
		return false
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvPopulateWrite); errno != 0 {
		populateRefused.Store(true)
		return false
	}
	return true
}
