package simulator

import (
	"errors"
	"testing"
	"time"
)

// TestMetricValueTyped: a metric comes back with its kind and prints in
// its unit; one that cannot be computed is a *MetricError saying why.
func TestMetricValueTyped(t *testing.T) {
	// two native tasks on one core, fifo: a runs 0-10ms, b 10-14ms
	r := mustRun(t, scenario(1, PolicyFIFO, 0, task("a", 0, 0, cpu(10*ms)), task("b", 0, 0, cpu(4*ms))))

	v, err := MetricValue(r, "finish", "a", true)
	if err != nil || v.Kind != KindDuration || v.Duration() != 10*time.Millisecond || v.String() != "10ms" || v.Float() != 1e7 {
		t.Errorf("finish(a) = %+v (%v), %v; want 10ms", v, v, err)
	}
	v, err = MetricValue(r, "wait", "b", true)
	if err != nil || v.Duration() != 10*time.Millisecond {
		t.Errorf("wait(b) = %v, %v; want 10ms", v, err)
	}
	v, err = MetricValue(r, "switches", "a", true)
	if err != nil || v.Kind != KindNumber || v.Num != 1 || v.Duration() != 0 || v.Bytes() != 0 || v.String() != "1" {
		t.Errorf("switches(a) = %+v, %v", v, err)
	}
	for _, c := range []struct {
		metric, arg string
		fault       MetricFault
		msg         string
	}{
		{"bogus", "", UnknownMetric, "unknown metric bogus"},
		{"finish", "nobody", NoSuchEntity, `no task, thread or process named "nobody"`},
		{"lag", "nobody", NoSuchEntity, `no process named "nobody"`},
	} {
		_, err := MetricValue(r, c.metric, c.arg, c.arg != "")
		var me *MetricError
		if !errors.As(err, &me) || me.Fault != c.fault || me.Metric != c.metric || err.Error() != c.msg {
			t.Errorf("%s(%s): error %#v, want fault %d %q", c.metric, c.arg, err, c.fault, c.msg)
		}
	}
}

// TestTablesAreCopies: the tables a caller gets are its own; changing
// them changes nothing in the package.
func TestTablesAreCopies(t *testing.T) {
	Models()[0] = "changed"
	delete(Metrics(), "makespan")
	CompareMetrics()["speedup"] = MetricInfo{}
	if Models()[0] != ModelSequential || !IsModel(ModelSequential) {
		t.Error("Models changed through a copy")
	}
	if _, ok := LookupMetric("makespan"); !ok {
		t.Error("Metrics changed through a copy")
	}
	if m, _ := LookupCompareMetric("speedup"); m.Kind != KindNumber || m.Doc == "" {
		t.Error("CompareMetrics changed through a copy")
	}
}

// TestTimes: the time.Duration accessors give the nanosecond fields, on
// the hand-computed fifo run of TestMetricValueTyped.
func TestTimes(t *testing.T) {
	r := mustRun(t, scenario(1, PolicyFIFO, 0, task("a", 0, 0, cpu(10*ms)), task("b", 0, 0, cpu(4*ms))))
	if got := r.Times(); got.Makespan != 14*time.Millisecond || got.CPUTime != 14*time.Millisecond {
		t.Errorf("run times %+v, want makespan and cpu 14ms", got)
	}
	var b TaskResult
	for _, tr := range r.Tasks {
		if tr.Name == "b" {
			b = tr
		}
	}
	want := TaskTimes{Start: 10 * time.Millisecond, Finish: 14 * time.Millisecond, Turnaround: 14 * time.Millisecond, CPU: 4 * time.Millisecond, Wait: 10 * time.Millisecond}
	if got := b.Times(); got != want {
		t.Errorf("b's times %+v, want %+v", got, want)
	}
	d := Deadlock{Time: 5 * ms}
	f := Failure{Time: 7 * ms}
	p := ProcessResult{GILWait: 1, LoopLagMax: 2, LoopLagMean: 3, LoopStallMax: 4}
	if d.At() != 5*time.Millisecond || f.At() != 7*time.Millisecond || p.Times() != (ProcessTimes{1, 2, 3, 4}) {
		t.Errorf("deadlock %v, failure %v, process %+v", d.At(), f.At(), p.Times())
	}
}
