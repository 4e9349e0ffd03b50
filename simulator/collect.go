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
	if e.failure != nil && e.now > r.Makespan {
		r.Makespan = e.now
	}
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
	for _, p := range e.procs {
		pr := ProcessResult{Name: p.name, Group: groupName(p.name), Native: p.spec.Native, MemoryPeak: p.memPeak}
		if g := p.gil; g != nil {
			pr.GILHandoffs = g.handoffs
			pr.GILForcedSwitches = g.forcedN
		}
		r.Processes = append(r.Processes, pr)
	}
	for _, u := range e.units {
		tr := TaskResult{
			Name: u.name, Group: u.group, Kind: u.kind, Process: e.procs[u.proc].name,
			Arrival: u.arrival, Start: u.start, Finish: u.finish,
			CPU: u.cpu, Wait: u.wait, GILWait: u.gil, IO: u.io, LockWait: u.lockWait,
			Switches: u.switches, Finished: u.done,
		}
		if u.done {
			tr.Turnaround = u.finish - u.arrival
		}
		r.Processes[u.proc].GILWait += u.gil
		r.Tasks = append(r.Tasks, tr)
	}
	if e.unfinished > 0 && e.failure == nil {
		r.Deadlock = e.deadlock()
	}
	return r
}

// deadlock names what could not move when the run ran out of events.
func (e *engine) deadlock() *Deadlock {
	d := &Deadlock{Time: e.now}
	for _, t := range e.threads {
		if t.unit == nil || t.unit.done {
			continue
		}
		who := t.proc.name + "/" + t.unit.name
		if t.proc.spec.Native {
			who = t.unit.name
		}
		what := "blocked"
		switch t.state {
		case stLock:
			what = "waiting for a lock"
			for i := range t.proc.locks {
				l := &t.proc.locks[i]
				for _, w := range l.waiters[l.head:] {
					if w.t == t {
						what = "waiting for lock \"" + l.name + "\""
					}
				}
			}
		case stGIL:
			what = "waiting for the GIL"
		case stNew:
			what = "never started"
		}
		d.Blocked = append(d.Blocked, who+" ("+what+")")
	}
	for _, p := range e.procs {
		for i := range p.locks {
			l := &p.locks[i]
			if l.holder == nil {
				continue
			}
			h := l.holder.unit.name
			name := p.name + "/" + l.name
			if p.spec.Native {
				name = l.name
			}
			d.Locks = append(d.Locks, "lock \""+name+"\" held by "+h)
		}
	}
	return d
}
