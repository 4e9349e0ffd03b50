package simulator

import (
	"math"
	"math/bits"
)

// DefaultMachine returns the machine parameters gilsim uses unless a
// scenario overrides them. Each default names where it comes from:
// docs/semantics.md (section) or fidelity/data (entry), both
// measured on a 2-vCPU Linux 6.18 VM with CPython 3.11.2.
func DefaultMachine() Machine {
	return Machine{
		// semantics.md 6.3: 2.2-2.7 us for a same-core thread switch
		// including two syscalls; the scenario language's default is 0 so
		// that textbook answers come out exactly. Scenarios set it.
		ContextSwitch: 0,
		// semantics.md 6.3 and 9.3: OS wake-up on another core, 24 us
		// measured on the calibration VM.
		WakeupLatency: 24_000,
		// Linux default timer slack for normal threads (50 us);
		// calibration sleep_op_alone_us = 278 us for time.sleep(200 us)
		// is 200 + 50 + wake-up + interpreter overhead.
		TimerSlack: 50_000,
		// calibration thread_start_join_empty_k1_ms = 0.119 ms; about
		// 80-90 us of it is Thread.start (semantics.md 6.2).
		ThreadStart: 85_000,
		// Python 2.7: a tick is about one bytecode instruction; about
		// 25 ns on the calibration VM's countdown loop (4 instructions per
		// 10 ns iteration at 3.11 speed, ~2.5x slower on 2.7).
		LegacyTick: 25,
		// semantics.md 2: 2.7 runs two CPU threads 1.77x slower than
		// sequential on 2 cores; a contended release that signals a
		// sleeping waiter (futex wake, cache-line bounce) costs the
		// releaser about this much per check.
		LegacySignalCost: 1_900,
		// semantics.md 8.1: 3.14t, about 8 % on x86-64 Linux.
		FreeThreadingOverheadPermille: 1080,
		// 1000 (no slowdown) so that textbook answers come out exact; the
		// reference VM's two vCPUs run two CPU-bound processes at 0.917
		// of one's speed each (calibration E1: 2 processes take 1.09
		// units; `gilsim calibrate` measures it), which the calibration
		// scenarios set.
		MulticoreSpeedPermille: 1000,
		// semantics.md 14.3: Linux 6.18 with HZ=250 on the reference VM;
		// the balancer's delays are those traced there (an idle CPU pulls
		// after 3-8 ms, a 3-vs-1 imbalance lasts 56-120 ms, three tasks on
		// two CPUs change pairs every 116-148 ms).
		Tick:        4_000_000,
		BaseSlice:   700_000,
		ForkRamp:    10_000_000,
		BalanceIdle: 5_000_000,
		BalanceBusy: 100_000_000,
		BalanceFlip: 130_000_000,
		// semantics.md 14.1: who takes the new GIL at a forced drop; the
		// chance and window are fitted to the convoy rows (calibration
		// E3 beside one and two CPU-bound threads).
		GILHandoff:    GILHandoffFutex,
		GILSignalRace: 770,
		GILReentry:    2_000,
		GILStealCost:  5_000,
		// semantics.md 13.3 / 6.3 hand-off costs.
		AsyncioSwitch:  1_500, // calibration asyncio_await_sleep0_us = 1.499
		GeventSwitch:   1_170, // calibration gevent_sleep0_us_patched = 1.17
		EventletSwitch: 2_600, // semantics.md 11.8: eventlet.sleep(0) 2.6 us
		// Raw greenlet and generator hand-offs cost 0.117 us and 0.024 us
		// (semantics.md 12.2, 13.2), but default to 0, like context_switch,
		// so that docs/language.md's examples of `greenlets` and `coroutines`
		// come out exactly as it states; set them in `machine { }` (the
		// calibration scenarios do, and `gilsim calibrate` prints them).
		GreenletSwitch:  0,
		GeneratorSwitch: 0,
		// semantics.md 13.2: a round-robin trampoline's step is 59 ns
		// (10^5 steps in 5.9 ms), of which the send is 24 ns; the deque
		// and StopIteration handling make the other 35 ns. 0 by default
		// for the same reason as generator_switch.
		TrampolineDispatch: 0,
		// Process start-up by start method. fork: calibration
		// process_start_join_empty_k1_ms = 1.977 ms (fork, start and join
		// of an empty target, CPython 3.11 on the reference VM).
		// forkserver (server already running) and spawn: semantics.md 7.2,
		// Process(target=noop).start() and join on 3.11, 8.2 ms and 26 ms
		// (measured on another machine, where fork took 1.4 ms).
		ProcessStartFork:       1_977_000,
		ProcessStartForkserver: 8_200_000,
		ProcessStartSpawn:      26_000_000,
		// One side of a pipe transfer, fitted to semantics.md 7.3's
		// Pool(2).apply round trips on 3.11 (a round trip is four sides:
		// send and receive, each way): 1 KB in 157 us and 10 MB in 53 ms
		// give 37.96 us a message and 1.321 ms per MiB. The fit
		// overestimates the 100 KB round trip (668 us against ~410 us).
		IPCBase:   37_960,
		IPCPerMiB: 1_321_000,
		// calibration e8 (RSS per idle unit at N = 10 000) and semantics.md.
		MemProcess:     9_199_616, // 8.8 MiB: RSS of a fresh Debian CPython 3.11.2 (`gilsim calibrate` on the reference VM)
		MemThread:      16_527,    // 16.14 KiB (rss_kib_per_threads_10000)
		MemCoroutine:   1_205,     // 1.177 KiB (rss_kib_per_tasks_10000)
		MemGreenlet:    8_513,     // 8.314 KiB (rss_kib_per_greenlets_10000)
		MemGreenthread: 7_567,     // 7.39 KiB (semantics.md 11.8)
		MemRawGreenlet: 5_816,     // 5.68 KiB (semantics.md 12.2)
		MemGenerator:   174,       // 0.17 KiB (semantics.md 13.2)
		MemTotal:       24 << 30,  // the reference machine: 24 GiB
	}
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
