package simulator

import (
	"math"
	"testing"
)

// The IPC rule by hand: 37.96 us a side plus 1.321 ms per MiB.
func TestIPCByHand(t *testing.T) {
	m := DefaultMachine()
	for _, c := range []struct {
		size, pickle, copied int64
	}{
		{0, 37_960, 0},
		{1024, 37_960, 1_290},                  // 1024 * 1321000 / 1048576 = 1290.04
		{1 << 20, 37_960, 1_321_000},           // one MiB
		{10 << 20, 37_960, 13_210_000},         // ten MiB
		{512, 37_960, 645},                     // 645.02
		{1536, 37_960, 1_935},                  // 1935.06
		{math.MaxInt64, 37_960, math.MaxInt64}, // saturates
	} {
		p, cp := m.IPC(c.size)
		if p != c.pickle || cp != c.copied {
			t.Errorf("IPC(%d) = %d, %d; want %d, %d", c.size, p, cp, c.pickle, c.copied)
		}
	}
	// rounding to the nearest nanosecond: 1 byte at 1 048 576 ns a MiB is
	// 1 ns; at 524 288 ns a MiB it is exactly 0.5 ns and rounds up; at
	// 524 287 it rounds down
	for _, c := range []struct{ per, want int64 }{{1 << 20, 1}, {1 << 19, 1}, {1<<19 - 1, 0}} {
		m.IPCPerMiB = c.per
		if _, cp := m.IPC(1); cp != c.want {
			t.Errorf("IPC(1) at %d ns/MiB copies in %d ns, want %d", c.per, cp, c.want)
		}
	}
}

// The compare processes model's chunk: four sides of a 1 KB transfer,
// 4 * (37 960 + 1 290) = 157 000 ns, the measured Pool(2).apply round trip.
func TestPoolRoundTrip(t *testing.T) {
	m := DefaultMachine()
	if got := m.PoolRoundTrip(); got != 157_000 {
		t.Errorf("PoolRoundTrip = %d, want 157000", got)
	}
	m.IPCBase, m.IPCPerMiB = 10_000, 1<<20 // 1 ns a byte
	if got := m.PoolRoundTrip(); got != 4*(10_000+1024) {
		t.Errorf("PoolRoundTrip with ipc_base 10us, 1ns/B = %d, want %d", got, 4*(10_000+1024))
	}
}
