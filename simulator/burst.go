package simulator

// This file is the CPU burst that sjf and srtf order threads by: the run
// of cpu and native steps up to a thread's next blocking step, drawn when
// the thread becomes runnable.

// remaining is a running thread's CPU left in its burst (srtf).
func (e *engine) remaining(t *thread) int64 {
	r := t.os.burstLeft
	if t.os.seg == segCPU || t.os.seg == segNative {
		r -= e.segWork(t)
	}
	return r
}

// maxBurstDraws bounds how far ahead a burst is drawn for sjf/srtf; past
// it the distributions' means stand in for the estimate.
const maxBurstDraws = 1024

// ensureBurst computes t's next CPU burst (sjf, srtf) when it is at the
// start of one: the run of cpu/native steps up to the next blocking step,
// with its distributions drawn now.
func (e *engine) ensureBurst(t *thread) {
	if t.os.inBurst || t.rt.unit == nil {
		if t.rt.unit == nil && !t.os.inBurst {
			t.os.burstLeft, t.os.inBurst = t.os.segLeft, true
		}
		return
	}
	t.os.inBurst = true
	e.drawsAhead = true
	r := t.rareOf()
	draws := r.draws[:0]
	total := t.os.segLeft
	cp := program{stack: append([]frame(nil), t.rt.prog.stack...)}
	n := 0
	for n < 1<<20 {
		n++
		k, s, _ := cp.next(e.idle)
		if k != leafStep || (s.Op != OpCPU && s.Op != OpNative) {
			break
		}
		var d int64
		if s.Dur.Kind == DistFixed {
			d = s.Dur.A
		} else if len(draws) < maxBurstDraws {
			d = Draw(s.Dur, e.rng)
			draws = append(draws, d)
		} else {
			d = mean(s.Dur)
		}
		total = satAdd(total, e.scaleCPU(t, s, d))
	}
	r.draws = draws
	t.os.burstLeft = total
}
