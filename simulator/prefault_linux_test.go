package simulator

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/gilsim/gilsim/internal/cputime"
)

// freshPages maps n bytes the process has never touched.
func freshPages(tb testing.TB, n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = syscall.Munmap(b) })
	return b
}

// writePages writes a byte in each page of b and returns the page faults
// the writes took.
func writePages(b []byte) int64 {
	f0 := cputime.PageFaults()
	for i := 0; i < len(b); i += int(pageSize) {
		b[i]++
	}
	return cputime.PageFaults() - f0
}

// After prefault, the writes that fill an array take no faults of their
// own; without it, one a page. prefault changes nothing it maps in.
func TestPrefaultMapsPagesIn(t *testing.T) {
	const size = 8 << 20
	pages := int64(size / pageSize)
	if f := writePages(freshPages(t, size)); f < pages/2 {
		t.Skipf("writes to fresh memory took %d faults for %d pages: this system does not count them", f, pages)
	}
	b := freshPages(t, size)
	b[0], b[size-1] = 7, 9
	if !prefault(unsafe.Pointer(&b[0]), size) {
		t.Skip("this kernel refuses MADV_POPULATE_WRITE (Linux 5.14)")
	}
	if b[0] != 7 || b[size-1] != 9 || b[size/2] != 0 {
		t.Fatalf("prefault changed the array: %d %d %d", b[0], b[size-1], b[size/2])
	}
	if f := writePages(b); f > pages/20 {
		t.Errorf("writes after prefault took %d faults for %d pages, want almost none", f, pages)
	}
}

// Where the kernel refuses the call, mapIn's pass of writes faults each
// page in, and the writes that fill the array then take none.
func TestTouchPagesMapsPagesIn(t *testing.T) {
	const size = 8 << 20
	pages := int64(size / pageSize)
	b := freshPages(t, size)
	f0 := cputime.PageFaults()
	touchPages(unsafe.Pointer(&b[0]), size)
	if f := cputime.PageFaults() - f0; f < pages/2 {
		t.Skipf("touching fresh memory took %d faults for %d pages: this system does not count them", f, pages)
	}
	if f := writePages(b); f > pages/20 {
		t.Errorf("writes after touchPages took %d faults for %d pages, want almost none", f, pages)
	}
	// (read after the writes: a read of an untouched page would map it)
	for i, c := range b {
		if want := byte(0); i%int(pageSize) == 0 && c != want+1 || i%int(pageSize) != 0 && c != want {
			t.Fatalf("byte %d is %d: touchPages changed the array", i, c)
		}
	}
}

// prefault leaves out the pages an array shares with its neighbours,
// and an array too small for a system call.
func TestPrefaultBounds(t *testing.T) {
	b := freshPages(t, 4*int(pageSize))
	if prefault(unsafe.Pointer(&b[1]), pageSize) {
		t.Error("prefault mapped in a page it shares with a neighbour")
	}
	if prefaultSlice(make([]byte, prefaultMin-1)) {
		t.Error("prefaultSlice made a system call for an array under prefaultMin")
	}
	if prefaultSlice([]thread(nil)) {
		t.Error("prefaultSlice of nothing")
	}
}

// BenchmarkFreshPages: what a write to a page the process has never
// touched costs (ns/page), page by page (touch) and after one madvise
// call has mapped them all in (populate: the call and the writes). On
// a VM it is mostly the hypervisor's: on the reference machine about
// 10 µs a page, and about 5 µs after populate.
func BenchmarkFreshPages(b *testing.B) {
	const size = 64 << 20
	for _, populate := range []bool{false, true} {
		name := "touch"
		if populate {
			name = "populate"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if populate && !prefault(unsafe.Pointer(&m[0]), size) {
					b.Skip("this kernel refuses MADV_POPULATE_WRITE (Linux 5.14)")
				}
				writePages(m)
				b.StopTimer()
				_ = syscall.Munmap(m)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size/int(pageSize)), "ns/page")
		})
	}
}
