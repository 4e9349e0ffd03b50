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
		if err != "" {
			out.Err = err
			out.Actual = "?"
		} else {
			out.OK = Holds(v, x)
			out.Actual = ActualText(v, x, out.OK)
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
// group (see MatchTasks). The error string is empty on success.
func MetricValue(res *Result, metric, arg string, hasArg bool) (Value, string) {
	info, ok := Metrics[metric]
	if !ok {
		return Value{}, "unknown metric " + metric
	}
	v := Value{Kind: info.Kind}
	switch metric {
	case "makespan":
		v.Int = res.Makespan
		return v, ""
	case "utilization":
		v.Num = res.Utilization
		return v, ""
	case "events":
		v.Num = float64(res.Events)
		return v, ""
	case "context_switches":
		v.Num = float64(res.ContextSwitches)
		return v, ""
	case "warnings":
		v.Num = float64(len(res.Warnings))
		return v, ""
	case "memory":
		if !hasArg {
			v.Int = res.MemoryPeak
			return v, ""
		}
	}
	switch metric {
	case "gil_handoffs", "gil_forced_switches", "memory", "lag", "stall":
		ps := MatchProcesses(res, arg)
		if len(ps) == 0 {
			return v, "no process named \"" + arg + "\""
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
		return v, ""
	}
	ts := MatchTasks(res, arg)
	if len(ts) == 0 {
		return v, "no task, thread or process named \"" + arg + "\""
	}
	first := true
	for _, i := range ts {
		t := &res.Tasks[i]
		switch metric {
		case "finish":
			if !t.Finished {
				return v, "\"" + t.Name + "\" never finished"
			}
			if first || t.Finish > v.Int {
				v.Int = t.Finish
			}
		case "start":
			if t.Start < 0 {
				return v, "\"" + t.Name + "\" never started"
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
				return v, "\"" + t.Name + "\" never finished"
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
		case "switches":
			v.Num += float64(t.Switches)
		}
		first = false
	}
	return v, ""
}

// MatchTasks returns the indexes of the tasks an expectation's name means:
// an exact name (`w#2`), a replica group (`w`), a process or process group
// (all its tasks), or `proc/name` where either part may omit `#k`.
func MatchTasks(res *Result, name string) []int {
	var out []int
	pname, tname, qualified := strings.Cut(name, "/")
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
