package gilsimtest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gilsim/gilsim/gilsimtest"
	"github.com/gilsim/gilsim/simulator"
)

const pool = `scenario "pool" {
  cores 2
  policy fifo
  task "batch" { cpu 30ms }
  process "app" {
    thread "w" x 2 { repeat 3 { cpu 2ms io 5ms } }
    asyncio { task "c" { await sleep 1ms cpu 3ms } }
  }
  expect finish("batch") == 30ms
}`

func ExampleRun() {
	out, err := gilsimtest.Run("pool.sim", []byte(pool))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := out.Runs[0]
	fmt.Println("makespan", r.Makespan())
	batch, _ := r.Task("batch") // a native task: textbook-exact
	fmt.Println("batch ran", batch.Start, "to", batch.Finish, "ns")
	w, _ := r.Duration("finish", "w") // the latest of the group w#1, w#2
	fmt.Println("w finished before 40ms:", w < 40*time.Millisecond)
	app, _ := r.Process("app")
	fmt.Println("the GIL changed hands:", app.GILHandoffs > 0)
	lag, _ := r.Duration("lag", "app") // the asyncio loop's worst lag
	fmt.Println("loop lag under 5ms:", lag < 5*time.Millisecond)
	fmt.Println("failures:", out.Failures())
	// Output:
	// makespan 30ms
	// batch ran 0 to 30000000 ns
	// w finished before 40ms: true
	// the GIL changed hands: true
	// loop lag under 5ms: true
	// failures: []
}

func ExampleRunResult_Check() {
	out, _ := gilsimtest.Run("pool.sim", []byte(pool))
	for _, expect := range []string{`finish("batch") == 30ms`, `makespan < 10ms`, `memory(app) < 1MB`, `finish("nobody") < 1s`} {
		x, err := out.Runs[0].Check(expect)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(x.OK, x.Text, "—", strings.TrimSpace(x.Actual+" "+x.Err))
	}
	_, err := out.Runs[0].Check("makespan < 10")
	fmt.Println(err)
	// Output:
	// true finish("batch") == 30ms — 30ms
	// false makespan < 10ms — 30ms
	// false memory(app) < 1MB — 8.822MiB
	// false finish("nobody") < 1s — ? no task, thread or process named "nobody"
	// <expect>:1:12: `makespan` needs a duration: a number glued to its unit, such as 10ms (units: ns, us, µs, ms, s)
	// makespan < 10
	//            ^
}

func ExampleRun_sweep() {
	src := `scenario "cores" {
  param cores = 1
  cores $cores
  task "t" x 4 { cpu 10ms }
  vary cores in [1, 2, 4]
  expect makespan <= 10ms when cores == 4
}`
	out, _ := gilsimtest.Run("cores.sim", []byte(src), gilsimtest.Set("cores", "1,2,4,8"))
	for _, r := range out.Runs {
		fmt.Println(r.Label(), r.Makespan())
	}
	// Output:
	// cores=1 40ms
	// cores=2 20ms
	// cores=4 10ms
	// cores=8 10ms
}

func ExampleOutcome_Failures() {
	src := `scenario "slow" {
  task "t" { cpu 24ms }
  expect makespan < 10ms
}`
	out, _ := gilsimtest.Run("slow.sim", []byte(src))
	for _, f := range out.Failures() {
		fmt.Println(f)
	}
	// Output:
	// slow.sim:3: expect makespan < 10ms — actual 24ms
}

// RunDir in a package's own test: every .sim below testdata/scenarios is
// a subtest.
func ExampleRunDir() {
	_ = func(t *testing.T) {
		gilsimtest.RunDir(t, "testdata/scenarios", gilsimtest.RequireExpectations())
	}
}

// Metric returns any metric of the language with its kind; one it cannot
// compute is a *simulator.MetricError.
func ExampleRunResult_Metric() {
	out, err := gilsimtest.Run("pool.sim", []byte(pool))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := out.Runs[0]
	v, _ := r.Metric("finish", "batch")
	fmt.Println("finish(batch):", v, v.Duration() == 30*time.Millisecond)
	v, _ = r.Metric("memory")
	fmt.Println("memory is a size:", v.Kind == simulator.KindSize, v.Bytes() > 0)
	_, err = r.Metric("finish", "nobody")
	var me *simulator.MetricError
	fmt.Println(err, errors.As(err, &me) && me.Fault == simulator.NoSuchEntity)
	x := r.Result.Expectations[0] // the file's expect line, with its exact value
	fmt.Println(x.Text, x.OK, x.Value.Duration())
	// Output:
	// finish(batch): 30ms true
	// memory is a size: true true
	// no task, thread or process named "nobody" true
	// finish("batch") == 30ms true 30ms
}
