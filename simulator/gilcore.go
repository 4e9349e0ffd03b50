package simulator

// This file is where the threads of a forced GIL switch are when the
// holder signals (semantics.md 14.1), which decides whether the
// requester takes the signal (requesterTakesSignal, gil.go).
//
// The kernel wakes a sleeping thread on the core it last ran on (the
// timer of its timed wait, a futex wake). On the reference VM it stays
// there even when that core is busy and another is idle, about half of
// the time (traced: about half of an IO thread's wake-ups landed on the
// holder's vCPU). A thread woken on the holder's core cannot run before
// the holder leaves it. So, at a forced drop:
//
//   - a requester whose timed wait expired on the holder's core had to
//     wait for the holder to leave the core before it could set its
//     request and go back to sleep: it is blocked again when the holder
//     signals, and takes nothing (traced, requesters "on another core
//     than the holder" are the ones that win 73–80 %);
//   - a waiter the futex would wake instead whose core is the holder's
//     is queued behind the dropping holder: it cannot take the GIL
//     before the requester, awake on a core of its own, does (traced,
//     from there it rarely wins).
//
// Only the linux policy keeps a thread's core between runs; under the
// other policies any idle core serves a woken thread, and neither case
// arises.

// onHoldersCore says whether sleeping thread t would wake on the core of
// g's holder, where it last ran.
func (e *engine) onHoldersCore(g *gilState, t *thread) bool {
	p, ok := e.pol.(*linuxPolicy)
	h := g.holder
	if !ok || h == nil || h.os.core < 0 {
		return false
	}
	return p.coreOf(t) == h.os.core
}

// futexHead is the waiter that g's signal would wake if requester r does
// not take it (futexPick), or nil when that is r itself or there is no
// other sleeper.
func (e *engine) futexHead(g *gilState, r *thread) *thread {
	if g.nsleep < 2 {
		return nil
	}
	w := e.futexPick(g)
	if w == r {
		return nil
	}
	return w
}
