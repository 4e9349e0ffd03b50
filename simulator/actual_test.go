package simulator

import "testing"

// TestActualText: three native tasks of 10, 10 and 5 ms on three cores
// keep them 25 ms busy out of 30: utilization 83.333…%. `== 83.333` fails
// (expectations compare the exact value) and, since 83.333 as printed
// would seem to meet it, the actual is printed exactly; `~= 83.333 within
// 0.001` compares at the printed precision and passes. A failure whose
// rounded value shows the difference keeps the rounded form.
func TestActualText(t *testing.T) {
	task := func(name string, d int64) *Process {
		return &Process{Name: name, Native: true, Threads: []*Thread{{Name: name, Steps: []Step{cpu(d)}}}}
	}
	sc := scenario(3, PolicyFIFO, 0, task("a", 10*ms), task("b", 10*ms), task("c", 5*ms))
	num := func(op CmpOp, v float64) Expect {
		return Expect{Metric: "utilization", Op: op, Value: Value{Kind: KindNumber, Num: v}}
	}
	dur := func(op CmpOp, v int64) Expect {
		return Expect{Metric: "makespan", Op: op, Value: Value{Kind: KindDuration, Int: v}}
	}
	approx := num(CmpApprox, 83.333)
	approx.TolAbs = Value{Kind: KindNumber, Num: 0.001}
	sc.Expects = []Expect{
		num(CmpEQ, 83.333),        // fails, shown exactly
		num(CmpLT, 83.333),        // fails, and 83.333 < 83.333 would too: shown exactly
		num(CmpGT, 83.3334),       // fails; 83.333 is shown as the expected 83.333
		num(CmpGT, 84),            // fails visibly: rounded
		approx,                    // passes: rounded
		dur(CmpEQ, 10*ms+1),       // fails, 10ms vs 10ms: exactly
		dur(CmpLT, 10*ms),         // fails visibly: rounded
		num(CmpLE, 83.3333333334), // passes
	}
	res := mustRun(t, sc)
	Evaluate(sc, res)
	want := []struct {
		ok     bool
		actual string
	}{
		{false, "83.33333333333333"},
		{false, "83.33333333333333"},
		{false, "83.33333333333333"},
		{false, "83.333"},
		{true, "83.333"},
		{false, "10000000ns"},
		{false, "10ms"},
		{true, "83.333"},
	}
	for i, w := range want {
		got := res.Expectations[i]
		if got.OK != w.ok || got.Actual != w.actual {
			t.Errorf("expectation %d: ok %v actual %q, want %v %q", i, got.OK, got.Actual, w.ok, w.actual)
		}
	}
}
