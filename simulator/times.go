package simulator

import "time"

// The results hold times as int64 nanoseconds, the engine's unit. These
// accessors give the same numbers as time.Duration, for a caller that
// prints or compares them with the time package.

// RunTimes are a run's totals as time.Duration.
type RunTimes struct {
	Makespan   time.Duration // the latest finish, counted from t = 0
	CPUTime    time.Duration // core time on steps, all entities
	SwitchTime time.Duration // core time on context switches
}

// Times is r's Makespan, CPUTime and SwitchTime as time.Duration.
func (r *Result) Times() RunTimes {
	return RunTimes{time.Duration(r.Makespan), time.Duration(r.CPUTime), time.Duration(r.SwitchTime)}
}

// TaskTimes are an entity's instants and totals as time.Duration.
// Instants count from t = 0; Start is -1ns when the entity never ran and
// Finish -1ns when it never finished, as in TaskResult.
type TaskTimes struct {
	Arrival, Start, Finish, Turnaround time.Duration
	CPU, Wait, GILWait, IO, LockWait   time.Duration
}

// Times is t's times as time.Duration.
func (t TaskResult) Times() TaskTimes {
	d := func(ns int64) time.Duration { return time.Duration(ns) }
	return TaskTimes{
		Arrival: d(t.Arrival), Start: d(t.Start), Finish: d(t.Finish), Turnaround: d(t.Turnaround),
		CPU: d(t.CPU), Wait: d(t.Wait), GILWait: d(t.GILWait), IO: d(t.IO), LockWait: d(t.LockWait),
	}
}

// ProcessTimes are a process's waits and loop figures as time.Duration.
type ProcessTimes struct {
	GILWait                               time.Duration
	LoopLagMax, LoopLagMean, LoopStallMax time.Duration
}

// Times is p's times as time.Duration.
func (p ProcessResult) Times() ProcessTimes {
	return ProcessTimes{time.Duration(p.GILWait), time.Duration(p.LoopLagMax), time.Duration(p.LoopLagMean), time.Duration(p.LoopStallMax)}
}

// At is the instant the run deadlocked.
func (d *Deadlock) At() time.Duration { return time.Duration(d.Time) }

// At is the instant of the failure.
func (f *Failure) At() time.Duration { return time.Duration(f.Time) }
