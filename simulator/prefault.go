package simulator

import "unsafe"

// A run's big arrays (the threads' slab, the processes, a loop's
// members, the lists, the result rows) are new memory, and at 100,000
// entities a run writes tens of megabytes of pages it has never touched:
// the first write to each is a page fault. On the 2-core Linux VM the
// benchmarks run on, that costs about 10.8 µs a page (BenchmarkFreshPages,
// prefault_linux_test.go), and the 23,000 such faults of a first run at
// 100,000 native tasks under fair were half its time. Mapped in first by
// one madvise call (MADV_POPULATE_WRITE, Linux 5.14), the same pages cost
// about 5.6 µs each, the call and the writes together: what is left is
// the VM's host backing each page, which nothing in the guest avoids.

// prefaultMin is the smallest array worth a system call to map in: 16
// pages.
const prefaultMin = 64 << 10

// prefaultSlice maps in the pages of s's whole backing array ahead of
// the writes that fill it, where the system can (prefault), and says
// whether it did; it leaves the contents alone. Arrays under prefaultMin
// bytes are left to fault page by page.
func prefaultSlice[T any](s []T) bool {
	var zero T
	n := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if n < prefaultMin {
		return false
	}
	return prefault(unsafe.Pointer(unsafe.SliceData(s)), n)
}

// mapIn maps in the pages of a new array s before it is filled: with
// prefaultSlice where the system can, else by writing a zero byte into
// each 4 KiB page of it (a zero where a zero is: no pointer changes, so
// the write needs no barrier). A big array's allocation often starts the
// collector (the threads' slab is most of a big run's new memory), which
// scans it while it is filled; every page it reads first maps the
// kernel's shared zero page, which the fill's write then copies: a second
// fault, and a TLB shootdown on the collector's core. Written first, a
// page takes one fault. (At 100,000 native tasks, on a 2-core Linux VM:
// about 2,000 faults fewer a run, the collector's reads ahead of
// newThread's writes halved.)
func mapIn[T any](s []T) {
	if len(s) == 0 || prefaultSlice(s) {
		return
	}
	var zero T
	touchPages(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(zero))
}

// touchPages writes a zero byte every 4 KiB of the n zero bytes at p.
func touchPages(p unsafe.Pointer, n uintptr) {
	for off := uintptr(0); off < n; off += 4096 {
		*(*byte)(unsafe.Add(p, off)) = 0
	}
}
