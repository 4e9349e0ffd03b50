package report_test

import (
	"fmt"
	"os"

	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/report"
	"github.com/gilsim/gilsim/simulator"
)

// Tables writes a run as gilsim run prints it: the summary, the processes,
// the tasks and the expectations.
func ExampleTables() {
	sc, err := dsl.Parse("pool.sim", []byte(`scenario "two workers" {
  cores 2
  process "app" { thread "w" x 2 { cpu 10ms io 5ms } }
  expect makespan < 40ms
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := simulator.Run(sc, simulator.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	simulator.Evaluate(sc, res)
	if err := report.Tables(os.Stdout, res, report.TableOptions{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// == two workers (pool.sim) ==
	// +----------+----------+-------------+------------------+--------+-------------+
	// | makespan | cpu time | utilization | context switches | events | peak memory |
	// +----------+----------+-------------+------------------+--------+-------------+
	// | 25.175ms | 20.098ms |     39.917% |                2 |     34 |    8.805MiB |
	// +----------+----------+-------------+------------------+--------+-------------+
	//
	// +---------+--------------+-----------------+----------+-------------+
	// | process | gil handoffs | forced switches | gil wait | peak memory |
	// +---------+--------------+-----------------+----------+-------------+
	// | app     |            5 |               1 |  4.998ms |    8.805MiB |
	// +---------+--------------+-----------------+----------+-------------+
	//
	// +-------------+--------+---------+---------+---------------+-------------------+-------------------+------+----------+----------+------+----------+
	// | task        | kind   | process | arrival |         start |            finish |        turnaround |  cpu |     wait | gil wait |   io | switches |
	// +-------------+--------+---------+---------+---------------+-------------------+-------------------+------+----------+----------+------+----------+
	// | w#1..2 (x2) | thread | app     |       0 | 73us–10.175ms | 15.133ms–25.175ms | 15.133ms–25.175ms | 20ms | 10.308ms |  4.998ms | 10ms |        5 |
	// +-------------+--------+---------+---------+---------------+-------------------+-------------------+------+----------+----------+------+----------+
	// rows marked (xN) are replica groups: arrival, start, finish and turnaround show min–max;
	// cpu, wait, gil wait, io and switches are totals (--per-task shows one row each)
	//
	// +-------+--------+---------+-------+-------------+----------+----------+----------+------------+
	// | group | kind   | process | tasks | latency p50 |      p90 |      p99 |      max | throughput |
	// +-------+--------+---------+-------+-------------+----------+----------+----------+------------+
	// | w     | thread | app     |     2 |    15.133ms | 25.175ms | 25.175ms | 25.175ms |   79.444/s |
	// +-------+--------+---------+-------+-------------+----------+----------+----------+------------+
	//
	// expectations:
	// PASS  expect makespan < 40ms  (actual 25.175ms)
}

// A name from a scenario file is the user's: escape it for the output it
// goes into.
func ExampleTermSafe() {
	name := "w\x1b[31m#1"
	fmt.Println(report.TermSafe(name))
	fmt.Println(report.MarkdownEscape("a|b *c*"))
	fmt.Println(report.CSVSafe("=SUM(A1)"))
	// Output:
	// w\x1b[31m#1
	// a\|b \*c\*
	// '=SUM(A1)
}
