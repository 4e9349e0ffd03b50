package simulator

// result turns the engine's counters into a Result.
func (e *engine) result() *Result {
	r := &Result{
		Scenario:        e.sc.Title,
		File:            e.sc.File,
		Makespan:        e.lastFinish,
		Events:          e.evs,
		CPUTime:         e.cpuTime,
		SwitchTime:      e.swTime,
		ContextSwitches: e.ctxSwitch,
		MemoryPeak:      e.memPeak,
		Warnings:        e.warnings,
		Failure:         e.failure,
	}
	r.Cores = make([]CoreResult, 0, len(e.cores))
	r.Processes = make([]ProcessResult, 0, len(e.procs))
	r.Tasks = make([]TaskResult, 0, len(e.units))
	prefaultSlice(r.Processes)
	prefaultSlice(r.Tasks)
	for _, p := range e.procs {
		pr := ProcessResult{Name: p.name, Group: groupName(p.name), Native: p.native, MemoryPeak: p.memPeak}
		if g := p.gil; g != nil {
			pr.GILHandoffs = g.handoffs
			pr.GILForcedSwitches = g.forcedN
		}
		if p.loops > 0 {
			// (the threads after the last loop thread have none: at
			// 100,000 native tasks no thread, nor the list, is read here)
			var lagSum, lagN int64
			for _, t := range p.threads[:p.loops] {
				if l := t.rt.lp; l != nil {
					pr.LoopLagMax = max(pr.LoopLagMax, l.lagMax)
					pr.LoopStallMax = max(pr.LoopStallMax, l.stallMax)
					lagSum += l.lagSum
					lagN += l.lagN
				}
			}
			if lagN > 0 {
				pr.LoopLagMean = lagSum / lagN
			}
		}
		for _, l := range p.locks {
			lr := LockResult{Name: l.name, Wait: l.waited, Contended: l.contended, Shared: l.shared}
			for _, w := range l.waiters[l.head:] {
				lr.Wait += e.now - w.since // still waiting when the run ended
			}
			pr.Locks = append(pr.Locks, lr)
		}
		r.Processes = append(r.Processes, pr)
	}
	var makespan int64
	for _, u := range e.units {
		// the process's row, not the process (whose name it holds): it
		// is written below anyway. A unit named as its process, as a
		// native task mostly is, has its group too, without a second
		// look at the name's bytes (at 100,000 tasks, two misses fewer
		// a row).
		pr := &r.Processes[u.proc]
		group := pr.Group
		if u.name != pr.Name {
			group = groupName(u.name)
		}
		tr := TaskResult{
			Name: u.name, Group: group, Kind: u.kind.String(), Process: pr.Name,
			Arrival: u.arrival, Start: u.start, Finish: u.finish,
			CPU: u.cpu, Wait: u.wait, GILWait: u.gil, IO: u.io, LockWait: u.lockWait,
			Switches: u.switches, Finished: u.done,
		}
		if u.done {
			tr.Turnaround = u.finish - u.arrival
		}
		pr.GILWait += u.gil
		r.Tasks = append(r.Tasks, tr)
		// the latest finish of anything that finished (a pool worker
		// can go idle and then take a job it never completes, so this
		// is not the running maximum)
		if u.done && u.finish > makespan {
			makespan = u.finish
		}
	}
	if (e.failure != nil || e.unfinished > 0) && e.now > makespan {
		// a run that stopped (failure) or stuck (deadlock) lasted until then
		makespan = e.now
	}
	r.Makespan = makespan
	var busy int64
	for i := range e.cores {
		r.Cores = append(r.Cores, CoreResult{ID: i, Busy: e.cores[i].busy})
		busy += e.cores[i].busy
	}
	if r.Makespan > 0 {
		u := float64(busy) * 100 / (float64(r.Makespan) * float64(len(e.cores)))
		if u > 100 {
			u = 100
		}
		r.Utilization = u
	}
	if e.unfinished > 0 && e.failure == nil {
		r.Deadlock = e.deadlock()
	}
	return r
}

// deadlock names what could not move when the run ran out of events.
func (e *engine) deadlock() *Deadlock {
	d := &Deadlock{Time: e.now}
	type waitOn struct {
		w  Wait
		on string
	}
	why := map[*unitStats]waitOn{}
	for _, p := range e.procs {
		for _, l := range p.locks {
			for _, w := range l.waiters[l.head:] {
				u := w.m.unitOr(w.t)
				wo := waitOn{WaitLock, l.name}
				if l.sem {
					wo.w = WaitSemaphore
				}
				why[u] = wo
			}
		}
	}
	for _, t := range e.threads {
		if _, set := why[t.rt.unit]; t.rt.unit != nil && t.rt.lp == nil && !set {
			switch t.os.state {
			case stGIL:
				why[t.rt.unit] = waitOn{w: WaitGIL}
			case stNew:
				why[t.rt.unit] = waitOn{w: WaitNeverStarted}
			}
		}
	}
	for _, u := range e.units {
		if u.done {
			continue
		}
		p := e.procs[u.proc]
		b := Blocked{Process: p.name, Entity: u.name}
		if p.spec.Native {
			b.Process = ""
		}
		if wo, ok := why[u]; ok {
			b.Wait, b.On = wo.w, wo.on
		} else if u.kind != kindThread && u.kind != kindTask {
			b.Wait = WaitParked
		}
		d.Blocked = append(d.Blocked, b)
	}
	reported := map[*lockState]bool{}
	for _, p := range e.procs {
		for _, l := range p.locks {
			if l.holder == nil || l.count < l.size || reported[l] {
				continue
			}
			reported[l] = true
			h := HeldLock{Name: p.name + "/" + l.name, Semaphore: l.sem, Holder: l.holder.name}
			if p.spec.Native || l.shared {
				h.Name = l.name
			}
			if !p.spec.Native {
				h.Holder = e.procs[l.holder.proc].name + "/" + h.Holder
			}
			if l.sem {
				h.Count, h.Size = l.count, l.size
			}
			d.Locks = append(d.Locks, h)
		}
	}
	return d
}

// unitOr is m's unit, or t's when m is nil.
func (m *member) unitOr(t *thread) *unitStats {
	if m != nil {
		return &m.own
	}
	return t.rt.unit
}
