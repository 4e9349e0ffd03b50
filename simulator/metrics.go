package simulator

import "maps"

// ArgRule says whether a metric takes an entity name.
type ArgRule uint8

const (
	ArgNone     ArgRule = iota // makespan
	ArgRequired                // finish("name")
	ArgOptional                // memory or memory("app")
)

// MetricInfo describes one metric that `expect` lines may test.
type MetricInfo struct {
	Kind ValueKind
	Arg  ArgRule
	Doc  string
}

// Metrics lists every metric an expectation may name, in a map of its
// own. The dsl package checks expectations against them; Evaluate
// computes them.
func Metrics() map[string]MetricInfo { return maps.Clone(metrics) }

// LookupMetric is the metric an expectation of a scenario may name.
func LookupMetric(name string) (MetricInfo, bool) {
	m, ok := metrics[name]
	return m, ok
}

var metrics = map[string]MetricInfo{
	"makespan":            {KindDuration, ArgNone, "the latest finish, counted from t = 0"},
	"utilization":         {KindNumber, ArgNone, "percent (0-100) of all cores busy over the makespan"},
	"events":              {KindNumber, ArgNone, "simulation events processed"},
	"context_switches":    {KindNumber, ArgNone, "times a core started an entity other than the one it ran last"},
	"warnings":            {KindNumber, ArgNone, "misuse warnings raised by the run"},
	"finish":              {KindDuration, ArgRequired, "the instant the entity's last step ends (group: latest)"},
	"start":               {KindDuration, ArgRequired, "the instant the entity's first step begins running (group: earliest)"},
	"arrival":             {KindDuration, ArgRequired, "the instant the entity arrives (group: earliest)"},
	"turnaround":          {KindDuration, ArgRequired, "finish minus arrival (group: largest)"},
	"wait":                {KindDuration, ArgRequired, "time runnable but not running, GIL waits included (group: sum)"},
	"gil_wait":            {KindDuration, ArgRequired, "time waiting for the GIL (group: sum)"},
	"cpu":                 {KindDuration, ArgRequired, "core time spent on the entity's steps (group: sum)"},
	"io":                  {KindDuration, ArgRequired, "time blocked in io/sleep (group: sum)"},
	"switches":            {KindNumber, ArgRequired, "times the entity was put on a core or resumed (group: sum)"},
	"gil_handoffs":        {KindNumber, ArgRequired, "times the process's GIL changed owner"},
	"gil_forced_switches": {KindNumber, ArgRequired, "GIL drops forced by a drop request"},
	"memory":              {KindSize, ArgOptional, "peak resident memory, of the machine or of one process"},
	"lag":                 {KindDuration, ArgRequired, "worst lateness of a due timer or ready callback in the process's loops"},
	"stall":               {KindDuration, ArgRequired, "longest stretch one step kept a loop's other units from running"},
	"lock_wait":           {KindDuration, ArgRequired, "time blocked waiting for a lock: an entity's (group: sum), or every wait on a lock of that name"},
	"p50":                 {KindDuration, ArgRequired, "the median latency (finish minus arrival) of the entity's tasks, nearest rank"},
	"p90":                 {KindDuration, ArgRequired, "the 90th percentile latency of the entity's tasks, nearest rank"},
	"p99":                 {KindDuration, ArgRequired, "the 99th percentile latency of the entity's tasks, nearest rank"},
	"throughput":          {KindNumber, ArgRequired, "completions per second from the group's first arrival to its last finish"},
}
