package simulator

import (
	"syscall"
	"unsafe"
)

// adviseHuge asks Linux to back the whole 2 MiB pages within the n bytes
// at p with huge pages (madvise MADV_HUGEPAGE: a hint, which changes
// nothing but the page tables; where transparent huge pages are off it
// does nothing). The first slab of threads (thread.go) is one array of
// 38 MB at 100,000 threads, read in no order the hardware foresees: in
// pages of 4 KiB nearly every thread's first touch was a TLB miss too,
// a page walk before the cache miss (the fair queue's prefetch of the
// next thread stalled on it).
func adviseHuge(p unsafe.Pointer, n uintptr) {
	const huge = 2 << 20
	off := (huge - uintptr(p)%huge) % huge
	if n <= off+huge {
		return
	}
	m := (n - off) &^ (huge - 1)
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, off)), m), madvHugepage)
}

// madvHugepage is MADV_HUGEPAGE (the syscall package does not name it on
// every architecture).
const madvHugepage = 14
