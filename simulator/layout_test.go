package simulator

import (
	"testing"
	"unsafe"
)

// The layouts thread.go and engine.go describe, on 64-bit machines: a
// thread is six whole cache lines, a round touching the first five (its
// hot fields in four, then pendDur and its result row's counters in the
// fifth); a process is two. A field added in the wrong place fails here
// rather than slowing the 100,000-entity benchmarks unseen.
func TestLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("layouts are planned for 64-bit machines")
	}
	var th thread
	var u unitStats
	for _, c := range []struct {
		what      string
		got, want uintptr
	}{
		{"thread size", unsafe.Sizeof(th), 384},
		{"thread hot part (pendDur's offset)", unsafe.Offsetof(th.pendDur), 256},
		{"own's offset", unsafe.Offsetof(th.own), 264},
		{"end of own's counters", unsafe.Offsetof(th.own) + unsafe.Offsetof(u.name), 320},
		{"proc size", unsafe.Sizeof(proc{}), 128},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d bytes, want %d", c.what, c.got, c.want)
		}
	}
}
