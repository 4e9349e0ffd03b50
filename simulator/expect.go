package simulator

import (
	"strconv"
	"strings"
)

// Evaluate computes every expectation of sc against res and stores the
// outcomes in res.Expectations, in file order.
func Evaluate(sc *Scenario, res *Result) {
	res.Expectations = res.Expectations[:0]
	for i := range sc.Expects {
		x := &sc.Expects[i]
		out := ExpectResult{Text: x.Text, Pos: x.Pos}
		v, err := MetricValue(res, x.Metric, x.Arg, x.HasArg)
		if err != nil {
			out.Err = err.Error()
			out.Actual = "?"
		} else {
			out.OK = Holds(v, x)
			out.Actual = ActualText(v, x, out.OK)
			out.Value = v
		}
		res.Expectations = append(res.Expectations, out)
	}
}

// ActualText is how an expectation's actual value is shown: as
// FormatValue rounds it (three decimals), unless the expectation failed
// and the rounded value would seem to meet it (`expect utilization ==
// 83.333` failing with 83.33333…): then exactly, so that the reason shows.
// Expectations always compare the exact value.
func ActualText(v Value, x *Expect, ok bool) string {
	s := FormatValue(v)
	if ok {
		return s
	}
	switch v.Kind {
	case KindNumber:
		shown := v
		if r, err := strconv.ParseFloat(s, 64); err == nil {
			shown.Num = r
		}
		if shown.Num != v.Num && (Holds(shown, x) || s == FormatValue(x.Value)) {
			return exactValue(v)
		}
	default:
		if s == FormatValue(x.Value) && v.Int != x.Value.Int {
			return exactValue(v)
		}
	}
	return s
}

// FormatValue renders a value in its unit.
func FormatValue(v Value) string {
	switch v.Kind {
	case KindDuration:
		return FormatDuration(v.Int)
	case KindSize:
		return FormatSize(v.Int)
	}
	return FormatNumber(v.Num)
}

// Holds says whether actual value a meets expectation x: bounds are
// inclusive; ~= allows a percentage of the expected value or an absolute
// tolerance of the metric's type. Durations and sizes compare exactly as
// integers; plain numbers allow a relative 1e-9 for rounding.
func Holds(a Value, x *Expect) bool {
	if a.Kind == KindNumber {
		tol := x.TolAbs.Num
		if x.TolIsPercent {
			tol = abs64f(x.Value.Num) * x.TolPercent / 100
		}
		return cmpOrdered(a.Num, x.Value.Num, x.Op, tol+1e-9*abs64f(x.Value.Num))
	}
	if x.Op == CmpApprox {
		tol := float64(x.TolAbs.Int)
		if x.TolIsPercent {
			tol = abs64f(float64(x.Value.Int)) * x.TolPercent / 100
		}
		return abs64f(float64(a.Int)-float64(x.Value.Int)) <= tol
	}
	return cmpOrdered(a.Int, x.Value.Int, x.Op, 0)
}

// MetricFault says why a metric could not be computed.
type MetricFault uint8

const (
	UnknownMetric MetricFault = iota + 1 // no metric of that name
	NoSuchEntity                         // the argument names nothing of the run
	Ambiguous                            // the argument names more than one kind of thing
	NeverFinished                        // a metric of finishing, on an entity that never finished
	NeverStarted                         // start, on an entity that never started
)

// MetricError is a metric MetricValue could not compute. Its Error is the
// text gilsim shows beside the expectation: `no task, thread or process
// named "x"`.
type MetricError struct {
	Metric string
	Arg    string
	Entity string // NeverFinished, NeverStarted: the entity
	Fault  MetricFault
	Msg    string
}

func (e *MetricError) Error() string { return e.Msg }

// cmpOrdered applies op; tol is used by ~= only.
func cmpOrdered[T int64 | float64](a, b T, op CmpOp, tol T) bool {
	switch op {
	case CmpLT:
		return a < b
	case CmpLE:
		return a <= b
	case CmpGT:
		return a > b
	case CmpGE:
		return a >= b
	case CmpEQ:
		return a == b
	case CmpApprox:
		d := a - b
		if d < 0 {
			d = -d
		}
		return d <= tol
	}
	return false
}

func abs64f(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// MetricValue computes one metric of a result. arg names an entity or a
// group (see MatchTasks). A metric it cannot compute comes back as a
// *MetricError.
func MetricValue(res *Result, metric, arg string, hasArg bool) (Value, error) {
	info, ok := metrics[metric]
	if !ok {
		return Value{}, &MetricError{Metric: metric, Arg: arg, Fault: UnknownMetric, Msg: "unknown metric " + metric}
	}
	v := Value{Kind: info.Kind}
	switch metric {
	case "makespan":
		v.Int = res.Makespan
		return v, nil
	case "utilization":
		v.Num = res.Utilization
		return v, nil
	case "events":
		v.Num = float64(res.Events)
		return v, nil
	case "context_switches":
		v.Num = float64(res.ContextSwitches)
		return v, nil
	case "warnings":
		v.Num = float64(len(res.Warnings))
		return v, nil
	case "memory":
		if !hasArg {
			v.Int = res.MemoryPeak
			return v, nil
		}
	}
	switch metric {
	case "gil_handoffs", "gil_forced_switches", "memory", "lag", "stall":
		ps := MatchProcesses(res, arg)
		if len(ps) == 0 {
			return v, &MetricError{Metric: metric, Arg: arg, Fault: NoSuchEntity, Msg: "no process named \"" + arg + "\""}
		}
		for _, i := range ps {
			p := &res.Processes[i]
			switch metric {
			case "gil_handoffs":
				v.Num += float64(p.GILHandoffs)
			case "gil_forced_switches":
				v.Num += float64(p.GILForcedSwitches)
			case "memory":
				v.Int += p.MemoryPeak
			case "lag":
				v.Int = max(v.Int, p.LoopLagMax)
			case "stall":
				v.Int = max(v.Int, p.LoopStallMax)
			}
		}
		return v, nil
	}
	ts := MatchTasks(res, arg)
	if metric == "lock_wait" && len(ts) == 0 {
		if ls := matchLocks(res, arg); len(ls) > 0 {
			for _, l := range ls {
				v.Int += l.Wait
			}
			return v, nil
		}
		return v, &MetricError{Metric: metric, Arg: arg, Fault: NoSuchEntity, Msg: "no task, thread, process or lock named \"" + arg + "\""}
	}
	if len(ts) == 0 {
		return v, &MetricError{Metric: metric, Arg: arg, Fault: NoSuchEntity, Msg: "no task, thread or process named \"" + arg + "\""}
	}
	if amb := ambiguous(res, arg); amb != "" {
		return v, &MetricError{Metric: metric, Arg: arg, Fault: Ambiguous, Msg: amb}
	}
	switch metric {
	case "p50", "p90", "p99", "throughput":
		lat := TaskLatency(res, ts)
		if metric == "throughput" {
			v.Num = lat.Throughput
			return v, nil
		}
		for _, i := range ts {
			if !res.Tasks[i].Finished {
				return v, &MetricError{Metric: metric, Arg: arg, Entity: res.Tasks[i].Name, Fault: NeverFinished, Msg: "\"" + res.Tasks[i].Name + "\" never finished"}
			}
		}
		v.Int = map[string]int64{"p50": lat.P50, "p90": lat.P90, "p99": lat.P99}[metric]
		return v, nil
	}
	first := true
	for _, i := range ts {
		t := &res.Tasks[i]
		switch metric {
		case "finish":
			if !t.Finished {
				return v, &MetricError{Metric: metric, Arg: arg, Entity: t.Name, Fault: NeverFinished, Msg: "\"" + t.Name + "\" never finished"}
			}
			if first || t.Finish > v.Int {
				v.Int = t.Finish
			}
		case "start":
			if t.Start < 0 {
				return v, &MetricError{Metric: metric, Arg: arg, Entity: t.Name, Fault: NeverStarted, Msg: "\"" + t.Name + "\" never started"}
			}
			if first || t.Start < v.Int {
				v.Int = t.Start
			}
		case "arrival":
			if first || t.Arrival < v.Int {
				v.Int = t.Arrival
			}
		case "turnaround":
			if !t.Finished {
				return v, &MetricError{Metric: metric, Arg: arg, Entity: t.Name, Fault: NeverFinished, Msg: "\"" + t.Name + "\" never finished"}
			}
			if first || t.Turnaround > v.Int {
				v.Int = t.Turnaround
			}
		case "wait":
			v.Int += t.Wait
		case "gil_wait":
			v.Int += t.GILWait
		case "cpu":
			v.Int += t.CPU
		case "io":
			v.Int += t.IO
		case "lock_wait":
			v.Int += t.LockWait
		case "switches":
			v.Num += float64(t.Switches)
		}
		first = false
	}
	return v, nil
}

// MatchTasks returns the indexes of the tasks an expectation's name means:
// an exact name (`w#2`), a replica group (`w`), a process or process group
// (all its tasks), or `proc/name` where either part may omit `#k`.
//
// A bare name that names a process (or a process group) means that
// process's tasks only, even when a thread of another process has the
// same name (write "q/name" for that one), as the checker resolves it.
func MatchTasks(res *Result, name string) []int {
	var out []int
	pname, tname, qualified := strings.Cut(name, "/")
	if !qualified {
		for i := range res.Processes {
			if p := &res.Processes[i]; !p.Native && (p.Name == name || p.Group == name) {
				for k := range res.Tasks {
					if t := &res.Tasks[k]; t.Process == name || groupName(t.Process) == name {
						out = append(out, k)
					}
				}
				return out
			}
		}
	}
	for i := range res.Tasks {
		t := &res.Tasks[i]
		if qualified {
			if (t.Process == pname || groupName(t.Process) == pname) && (t.Name == tname || t.Group == tname) {
				out = append(out, i)
			}
			continue
		}
		if t.Name == name || t.Group == name || t.Process == name || groupName(t.Process) == name {
			out = append(out, i)
		}
	}
	return out
}

// ambiguous says why a bare name cannot be resolved, or "": a name that
// is a top-level task and also a thread or member of a process ("main"
// and "p/main") is refused, since it could mean either. The checker
// refuses it with a position; this covers names that reach a result
// unchecked (gilsimtest's Check).
func ambiguous(res *Result, name string) string {
	if strings.Contains(name, "/") {
		return ""
	}
	var top, inner []string
	for i := range res.Tasks {
		t := &res.Tasks[i]
		if t.Name != name && t.Group != name {
			continue
		}
		if t.Kind == "task" && t.Process == t.Name {
			top = append(top, t.Name+"/"+t.Name)
		} else if t.Process != name && groupName(t.Process) != name {
			inner = append(inner, t.Process+"/"+t.Name)
		}
	}
	if len(top) == 0 || len(inner) == 0 {
		return ""
	}
	return AmbiguousName(name, append(top, inner...))
}

// AmbiguousName is the message about a bare name that means both a
// top-level task and a thread or member of a process: qualified lists
// what to write instead.
func AmbiguousName(name string, qualified []string) string {
	if len(qualified) > 4 {
		qualified = append(qualified[:3:3], "…")
	}
	quoted := make([]string, len(qualified))
	for i, q := range qualified {
		quoted[i] = strconv.Quote(q)
		if q == "…" {
			quoted[i] = q
		}
	}
	return strconv.Quote(name) + " is ambiguous: it names a top-level task and a thread or member of a process; write one of " + strings.Join(quoted, ", ")
}

// matchLocks returns the locks named name ("db", or "app/db" for the
// lock of one process or process group).
//
// A multiprocessing lock shared by processes is one lock, listed by each:
// it counts once.
func matchLocks(res *Result, name string) []LockResult {
	var out []LockResult
	shared := map[string]bool{}
	pname, lname, qualified := strings.Cut(name, "/")
	if !qualified {
		lname = name
	}
	for i := range res.Processes {
		p := &res.Processes[i]
		if qualified && p.Name != pname && p.Group != pname {
			continue
		}
		for _, l := range p.Locks {
			if l.Name != lname || l.Shared && shared[l.Name] {
				continue
			}
			shared[l.Name] = shared[l.Name] || l.Shared
			out = append(out, l)
		}
	}
	return out
}

// MatchProcesses returns the indexes of the processes named name (exactly,
// or as a replica group).
func MatchProcesses(res *Result, name string) []int {
	var out []int
	for i := range res.Processes {
		p := &res.Processes[i]
		if p.Name == name || p.Group == name {
			out = append(out, i)
		}
	}
	return out
}

// exactValue renders a duration or size without rounding.
func exactValue(v Value) string {
	if v.Kind == KindNumber {
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	}
	if v.Kind == KindSize {
		return strconv.FormatInt(v.Int, 10) + "B"
	}
	return strconv.FormatInt(v.Int, 10) + "ns"
}
