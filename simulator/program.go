package simulator

// frame is one level of a program counter: a step list being walked, and
// what to do when it ends (loop again, release a lock).
type frame struct {
	steps []Step
	left  int64 // repeat: iterations still to start after this one; -1 for a plain block
	i     int32
	lock  int32 // lock to release when the block ends; -1 for none
}

// program walks a step list with an explicit stack, so `repeat 1000000000`
// costs one frame, never an expanded copy.
type program struct {
	stack []frame
}

// programIn is a program at the start of steps, its first frames in
// room, which the entity that owns the program holds: walking a thread's
// or a unit's steps then touches the entity's own memory, not an
// allocation of its own (at 100,000 entities, a cache miss less per step).
func programIn(steps []Step, room *[2]frame) program {
	// field by field, not as struct copies (which are bulk write barriers
	// while the collector runs)
	f0, f1 := &room[0], &room[1]
	f0.steps, f0.left, f0.i, f0.lock = steps, -1, 0, -1
	f1.steps, f1.left, f1.i, f1.lock = nil, 0, 0, 0
	return program{stack: room[:1:2]}
}

// leafKind is what the program asks for next.
type leafKind uint8

const (
	leafStep    leafKind = iota // a leaf step to carry out (cpu, io, lock acquire, ...)
	leafRelease                 // a lock block ended: release lock
	leafDone                    // the program has finished
)

// next returns the next thing the entity must do. For a leafStep the step
// has been consumed; OpLock steps are returned so that the caller can
// acquire the lock and then call enterLock.
func (p *program) next(idle map[*Step]bool) (leafKind, *Step, int) {
	for len(p.stack) > 0 {
		f := &p.stack[len(p.stack)-1]
		if int(f.i) >= len(f.steps) {
			if f.left > 0 {
				f.left--
				f.i = 0
				continue
			}
			lock := f.lock
			p.stack = p.stack[:len(p.stack)-1]
			if lock >= 0 {
				return leafRelease, nil, int(lock)
			}
			continue
		}
		s := &f.steps[f.i]
		f.i++
		if s.Op == OpRepeat {
			if s.Count <= 0 || len(s.Body) == 0 || idle[&s.Body[0]] {
				continue
			}
			p.stack = append(p.stack, frame{steps: s.Body, left: s.Count - 1, lock: -1})
			continue
		}
		return leafStep, s, 0
	}
	return leafDone, nil, 0
}

// enterLock starts the body of a lock step whose lock is now held.
func (p *program) enterLock(s *Step) {
	p.stack = append(p.stack, frame{steps: s.Body, left: -1, lock: int32(s.Lock)})
}

// markIdle finds every repeat body that can never produce a leaf step (it
// holds only repeats of zero or of idle bodies), so that `repeat 10^12 {
// repeat 0 { cpu 1ms } }` is skipped instead of spinning without time
// passing. Keyed by the body's first step, which identifies the shared slice.
func markIdle(steps []Step, idle map[*Step]bool) bool {
	productive := false
	for i := range steps {
		s := &steps[i]
		switch s.Op {
		case OpRepeat:
			if len(s.Body) == 0 {
				continue
			}
			bodyIdle := !markIdle(s.Body, idle)
			if bodyIdle {
				idle[&s.Body[0]] = true
			} else if s.Count > 0 {
				productive = true
			}
		case OpLock, OpOffload:
			markIdle(s.Body, idle)
			productive = true
		default:
			productive = true
		}
	}
	return productive
}
