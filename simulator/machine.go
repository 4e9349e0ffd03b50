package simulator

import (
	"math"
	"math/bits"
)

// DefaultMachine returns the machine parameters gilsim uses unless a
// scenario overrides them: the defaults of MachineParams, where each
// names its source.
func DefaultMachine() Machine {
	var m Machine
	for _, p := range machineParams {
		p.Set(&m, p.Default)
	}
	return m
}

// IPC is what one side of a pipe or queue transfer of size bytes costs
// (semantics.md 7.3): pickle is the CPU under the GIL of pickling and
// sending the message (or receiving and unpickling it), IPCBase a message;
// copied is the copy of the payload through the pipe, IPCPerMiB per MiB,
// during which the GIL is released. The `send` and `recv` steps and the
// compare processes model's PoolRoundTrip both use it.
func (m Machine) IPC(size int64) (pickle, copied int64) {
	return max(m.IPCBase, 0), perMiB(size, m.IPCPerMiB)
}

// PoolRoundTrip is what the compare processes model charges a worker for
// one chunk of Pool.map: the round trip of a 1 KB argument and result
// through the pool's pipes, four sides of IPC (with the defaults 157 us,
// semantics.md 7.3: Pool(2).apply of 1 KB on 3.11).
func (m Machine) PoolRoundTrip() int64 {
	p, c := m.IPC(PoolPayload)
	return satMul(satAdd(p, c), 4)
}

// PoolPayload is the argument and result size the compare processes
// model assumes for a chunk of Pool.map.
const PoolPayload = 1024

// perMiB is size bytes at per nanoseconds a MiB, rounded to the nearest
// nanosecond and saturated at MaxInt64.
func perMiB(size, per int64) int64 {
	if size <= 0 || per <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(size), uint64(per))
	lo, carry := bits.Add64(lo, 1<<19, 0)
	hi += carry
	if hi >= 1<<20 {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, 1<<20)
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}
