package simulator

// This file is multicore_speed: a core runs a CPython thread's work
// (bytecode, C code, an interpreter's start-up) slower while another core
// is busy too. A segment's length is then work, not time: it ends after
// ceil(work / speed) of time, and a segment cut short has done
// floor(elapsed * speed) of its work. When the number of busy cores
// crosses 2 the running segments are re-timed at the end of the instant.

// speedNow is the speed, in thousandths, of work that starts now.
func (e *engine) speedNow() uint16 {
	if e.busyCores >= 2 && e.slowed {
		return uint16(e.m.MulticoreSpeedPermille)
	}
	return 1000
}

// scalable says whether t's current segment runs at the cores' speed.
func (t *thread) scalable() bool {
	return t.rt.cpython && (t.os.seg == segCPU || t.os.seg == segNative || t.os.seg == segStartup)
}

// wallFor is the time work takes at speed (thousandths), rounded up.
func wallFor(work int64, speed uint16) int64 {
	if speed == 0 || speed >= 1000 {
		return work
	}
	s := int64(speed)
	q, r := work/s, work%s // work*1000/s without overflowing
	return satAdd(satMul(q, 1000), (r*1000+s-1)/s)
}

// workIn is the work done in d of time at speed, rounded down.
func workIn(d int64, speed uint16) int64 {
	if speed == 0 || speed >= 1000 {
		return d
	}
	s := int64(speed)
	return d/1000*s + d%1000*s/1000
}

// wallNow is the time work of a CPython thread that starts now takes
// (the legacy GIL's ticks are bytecode too).
func (e *engine) wallNow(work int64) int64 {
	if !e.slowed {
		return work
	}
	return wallFor(work, e.speedNow())
}

// segWork is the work t's running segment has done by now.
func (e *engine) segWork(t *thread) int64 {
	d := e.now - t.os.segStart
	if t.os.segSpeed == 0 {
		return d
	}
	if d >= wallFor(t.os.segLeft, t.os.segSpeed) {
		return t.os.segLeft // its end: done, whatever the rounding
	}
	return workIn(d, t.os.segSpeed)
}

// retime restarts the running work segments whose speed is not the
// speed now (at the end of an instant, once the cores are settled).
func (e *engine) retime() {
	s := e.speedNow()
	if s == e.lastSpeed && !e.mixedSpeeds {
		return
	}
	e.lastSpeed, e.mixedSpeeds = s, false
	for c := range e.cores {
		id := e.cores[c].cur
		if id < 0 {
			continue
		}
		t := e.threads[id]
		if !t.os.running || !t.scalable() {
			continue
		}
		cur := t.os.segSpeed
		if cur == 0 {
			cur = 1000
		}
		if cur != s {
			e.stopSegment(t)
			e.startSegment(t)
			e.retimeLegacyCheck(t, cur, s)
		}
	}
}

// retimeLegacyCheck moves a legacy-GIL holder's pending check when its
// bytecode changes speed: the check comes after a number of ticks, which
// is work, not time. (Left at the old speed, a check armed at full speed
// would come before a slowed holder had done the signal cost it adds,
// and the holder would never get through its segment.)
func (e *engine) retimeLegacyCheck(h *thread, from, to uint16) {
	g := h.proc.gil
	if g == nil || g.mode != GILLegacy || !h.gil.held || g.legacyArmed != g.legacyGen || g.legacyAt <= e.now {
		return
	}
	e.legacyArm(h, e.after(wallFor(workIn(g.legacyAt-e.now, from), to)))
}
