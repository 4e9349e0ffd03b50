package dsl

import (
	"sort"
	"strings"

	"github.com/gilsim/gilsim/simulator"
)

// Help describes a word of the language, for an editor's hover and
// completion: how it is written, what it means, and its default when it
// has one, with where that default comes from.
type Help struct {
	Syntax  string // `cpu D`
	Doc     string
	Default string // the value when the word is not given; "" when it has none
	Source  string // where the default comes from
}

// keywordHelp documents every keyword in its main role. A keyword with
// another role somewhere (`thread` as a memory kind, `cpu` as a metric,
// `context_switch` as a machine key) is documented there too; see
// HelpAt.
var keywordHelp = map[string]Help{
	"scenario":       {Syntax: `scenario "title" { ... }`, Doc: "The file's one scenario: settings, entities and expectations in any order."},
	"seed":           {Syntax: "seed N", Doc: "Seeds the one random generator that every draw of the run comes from (distributions, `at`, the GIL hand-off among waiters). Same file, same seed: same result.", Default: "1", Source: "docs/language.md"},
	"cores":          {Syntax: "cores N", Doc: "How many cores the machine has (1 to 1,000,000).", Default: "1", Source: "docs/language.md"},
	"policy":         {Syntax: "policy fair|fifo|sjf|srtf|priority|round_robin [quantum D]", Doc: "The OS scheduling policy: which runnable OS thread runs on which core.", Default: "fair", Source: "docs/language.md (Linux's CFS/EEVDF)"},
	"quantum":        {Syntax: "quantum D", Doc: "The time slice of `policy round_robin`, which needs it; no other policy takes one."},
	"context_switch": {Syntax: "context_switch D", Doc: "Core time charged whenever a core starts an entity other than the one it ran last. The same setting as `machine { context_switch D }`.", Default: "0", Source: "docs/language.md: 0 so that textbook answers come out exactly (a real same-core switch costs 2.2-2.7 us, docs/semantics.md §6.3)"},
	"task":           {Syntax: `task "name" [x N] [at T] [priority P] [nice N] { steps }`, Doc: "At the top level, a native single-threaded process: no interpreter, no GIL. In an `asyncio` block, a coroutine (asyncio task), which takes `x` and `at`. In a `workload`, one task of the work to compare."},
	"process":        {Syntax: `process "name" [x N] [at T] [nice N] { ... }`, Doc: "A CPython process: one interpreter with one GIL, holding threads and at most one block of each runtime. Its `at` is absolute; its threads inherit its `nice`."},
	"thread":         {Syntax: `thread "name" [x N] [at T] [priority P] [nice N] { steps }`, Doc: "A Python thread of its process (an OS thread): it needs the process's GIL for `cpu` steps."},
	"x":              {Syntax: "x N", Doc: "Replicas: N copies named name#1 ... name#N (even for x 1), expanded in place, depth first."},
	"at":             {Syntax: "at T", Doc: "Arrival: a duration or a distribution (drawn once per replica when the file is loaded). A process's `at` is absolute; inside a process `at` counts from the end of its startup.", Default: "0"},
	"priority":       {Syntax: "priority P", Doc: "The entity's priority under `policy priority` and the tie rules: smaller is more urgent. Takes a sign.", Default: "0"},
	"nice":           {Syntax: "nice N", Doc: "The Linux nice value, -20..19: the weight of the entity under `policy fair` (the `linux` policy does not weigh it yet). Takes a sign.", Default: "0"},
	"gil":            {Syntax: "gil interval D | gil legacy [check N] | gil off", Doc: "The process's GIL: the new GIL of CPython 3.2+ with its switch interval, the Python 2 GIL that checks every N ticks, or none (the free-threaded build, 3.13t+).", Default: "interval 5ms", Source: "CPython >= 3.2: sys.getswitchinterval() is 0.005 (docs/semantics.md §1.2)"},
	"interval":       {Syntax: "gil interval D", Doc: "The switch interval: how long a GIL waiter waits before asking the holder to drop it (must be > 0).", Default: "5ms", Source: "CPython's sys.setswitchinterval default"},
	"legacy":         {Syntax: "gil legacy [check N]", Doc: "The Python 2 GIL: the holder drops it every N ticks (about a bytecode each), and waiters race for it."},
	"check":          {Syntax: "gil legacy check N", Doc: "Ticks between the legacy GIL's checks (sys.setcheckinterval).", Default: "100", Source: "Python 2's sys.getcheckinterval()"},
	"off":            {Syntax: "gil off", Doc: "No GIL: the free-threaded build (3.13t+), whose bytecode runs slower by `freethreading_overhead`."},
	"startup":        {Syntax: "startup D", Doc: "Interpreter start-up: CPU time on one core that each replica of the process pays before its first entity runs. Wins over the cost of `start`.", Default: "0, or the start method's cost with `start`"},
	"asyncio":        {Syntax: `asyncio { task "c" ... }`, Doc: "An asyncio event loop on a thread of its own (named asyncio), running coroutines. Excluded by `gevent patched` and `eventlet patched`."},
	"gevent":         {Syntax: `gevent patched|unpatched { greenlet "g" ... }`, Doc: "A gevent hub on a thread of its own, running greenlets. Patched, blocking io and sleep are cooperative (and plain threads and asyncio are excluded from the process); unpatched, they block the hub."},
	"eventlet":       {Syntax: `eventlet patched|unpatched { greenthread "g" ... }`, Doc: "An eventlet hub on a thread of its own, running greenthreads; `offload` goes to its tpool of 20 threads. Patched, it excludes plain threads, asyncio and gevent."},
	"greenlets":      {Syntax: `greenlets { greenlet "A" ... }`, Doc: "Raw greenlets without a hub: control moves only by `switch`; the block's thread resumes the first unfinished greenlet whenever control comes back to it."},
	"coroutines":     {Syntax: `coroutines { gen "g" ... }`, Doc: "Generators driven by a round-robin trampoline in file order: `yield` hands control to the next unfinished one."},
	"patched":        {Syntax: "gevent patched", Doc: "After monkey-patching: blocking io and sleep switch to the hub instead of blocking its thread."},
	"unpatched":      {Syntax: "gevent unpatched", Doc: "Without monkey-patching: a blocking io or sleep blocks the hub and every greenlet of its thread."},
	"greenlet":       {Syntax: `greenlet "name" [x N] [at T] { steps }`, Doc: "A greenlet of a `gevent` block (run by the hub) or of a `greenlets` block (moved by `switch`)."},
	"greenthread":    {Syntax: `greenthread "name" [x N] [at T] { steps }`, Doc: "A greenthread of an `eventlet` block."},
	"gen":            {Syntax: `gen "name" [x N] [at T] { steps }`, Doc: "A generator of a `coroutines` block."},
	"cpu":            {Syntax: "cpu D", Doc: "Pure-Python bytecode for D of core time: needs a core and the process's GIL (a native task needs only the core)."},
	"native":         {Syntax: "native D", Doc: "C code that releases the GIL (hashlib, zlib, numpy) for D: needs a core, not the GIL."},
	"io":             {Syntax: "io D", Doc: "A blocking call that completes after D. A thread releases the GIL while it waits; in asyncio it blocks the loop (and is warned about); under `gevent patched` or `eventlet patched` it is cooperative (a call the patch does not reach is `blocking io`)."},
	"sleep":          {Syntax: "sleep D", Doc: "time.sleep(D): behaves as `io D`."},
	"await":          {Syntax: "await io D | await sleep D", Doc: "asyncio only: a non-blocking wait; the loop runs other coroutines meanwhile. `await sleep 0` is `yield`."},
	"blocking":       {Syntax: "blocking io D | blocking sleep D", Doc: "A blocking call the runtime does not see (a C database driver under `gevent patched` or `eventlet patched`, time.sleep in a coroutine): it blocks its thread and everything multiplexed on it, releases the GIL and counts as io. In a plain thread it is `io D`; in a coroutine or a hub it is warned about."},
	"yield":          {Syntax: "yield", Doc: "asyncio: await asyncio.sleep(0); gevent: gevent.sleep(0); a generator: hand control to the next one; a thread: time.sleep(0), which drops and retakes the GIL."},
	"offload":        {Syntax: "offload { steps }", Doc: "asyncio's to_thread (the default executor: min(32, cores + 4) threads), gevent's threadpool (10) or eventlet's tpool (20): the steps run on a worker thread of the same process, under its GIL, while the caller waits cooperatively."},
	"repeat":         {Syntax: "repeat N { steps }", Doc: "Runs the steps N times (N >= 0); looped, never expanded in memory."},
	"lock":           {Syntax: `lock "name" { steps }`, Doc: "Holds a lock of the process instance while the steps run. Not re-entrant. A thread's is a threading.Lock (waiters block, releasing the GIL); an asyncio task's an asyncio.Lock (a waiter parks and the loop runs other tasks); a greenlet's a gevent or eventlet lock when patched (cooperative), a threading.Lock that blocks the hub when not."},
	"send":           {Syntax: "send SIZE", Doc: "The sending side of a multiprocessing pipe or queue transfer (Connection.send, Queue.put): ipc_base of CPU under the GIL for pickling, then the copy of SIZE into the pipe at ipc_per_mib with the GIL released. In an asyncio task or a greenlet it blocks the loop or hub, as the real call does. Not in a native task or a workload."},
	"recv":           {Syntax: "recv SIZE", Doc: "The receiving side of a pipe or queue transfer (Connection.recv, Queue.get) once the data is there: the copy of SIZE out of the pipe with the GIL released, then ipc_base of unpickling under the GIL. Waiting for the sender is not included: write it as `io`."},
	"semaphore":      {Syntax: `semaphore "name" N { steps }`, Doc: "Holds one of N slots while the steps run; N >= 1. threading.Semaphore in a thread (a waiter blocks, releasing the GIL), asyncio.Semaphore in an asyncio task and gevent's BoundedSemaphore (or eventlet's Semaphore) in a greenlet: a waiter parks and the loop or hub runs the others, patched or not. One name is one semaphore of the process instance."},
	"start":          {Syntax: "process \"name\" start [fork|forkserver|spawn] { ... }", Doc: "How multiprocessing started the process: its `startup` defaults to the start method's measured cost (machine keys process_start_fork, process_start_forkserver, process_start_spawn); an explicit `startup` wins. Bare `start` is fork, multiprocessing's default on Linux up to Python 3.13 (3.14 chose forkserver).", Default: "no start: startup 0"},
	"switch":         {Syntax: `switch "name"`, Doc: "Moves control at once to a greenlet of the same `greenlets` block (a replica is g#k)."},
	"uniform":        {Syntax: "uniform(a, b)", Doc: "A duration drawn uniformly between a and b, from the scenario's seeded generator."},
	"exp":            {Syntax: "exp(mean)", Doc: "A duration drawn from an exponential distribution of that mean."},
	"normal":         {Syntax: "normal(mean, sd)", Doc: "A duration drawn from a normal distribution, clamped at 0; when clamping raises its mean by more than 5 % (normal(1ms, 5ms) averages 2.534ms), the file is warned about."},
	"expect":         {Syntax: `expect METRIC[("name")] OP VALUE [within TOL] [when COND]`, Doc: "An expectation that `gilsim test` checks after the run: OP is < <= > >= == or ~=, VALUE has the metric's type."},
	"within":         {Syntax: "within P% | within VALUE", Doc: "The tolerance of `~=`: relative to the value, or absolute in the metric's type. Goes with `~=` only."},
	"machine":        {Syntax: "machine { key value ... }", Doc: "The costs of the machine the scenario stands for; unset keys keep their calibrated defaults."},
	"workload":       {Syntax: `workload "name" { task "t" x N { steps } }`, Doc: "What a program does, without how it runs: `gilsim compare` runs it as threads, processes, asyncio, gevent... Alone in its file, beside settings, params and expectations."},
	"param":          {Syntax: "param NAME = VALUE", Doc: "A parameter and its default; `$NAME` stands for it wherever a quantity does. Its unit fixes its kind."},
	"vary":           {Syntax: "vary NAME in [v1, v2, ...]", Doc: "One run per value; several vary lines make the cross product, the first outermost."},
	"in":             {Syntax: "vary NAME in [v1, v2, ...]", Doc: "The list of values a parameter takes in a sweep."},
	"when":           {Syntax: "expect ... when NAME OP VALUE [and ...]", Doc: "Restricts an expectation to the runs of a sweep whose parameters meet every condition."},
	"and":            {Syntax: "when A == 1 and B < 5ms", Doc: "Joins the conditions of a `when`."},
}

var policyHelp = map[string]string{
	"fair":        "Linux's fair scheduler (CFS/EEVDF-like): weighted fair shares by nice.",
	"fifo":        "First come, first served: no preemption by the OS.",
	"sjf":         "Shortest next CPU burst first, not preemptive.",
	"srtf":        "Shortest remaining time first, preemptive.",
	"priority":    "Preemptive by priority: smaller is more urgent; equal priorities never preempt.",
	"round_robin": "Time slices of `quantum` in turn; needs `quantum D`.",
}

var modelHelp = map[string]string{
	simulator.ModelSequential:      "one Python thread runs the tasks one after another: the baseline of speedup",
	simulator.ModelThreads:         "one process, a thread per task, sharing one GIL",
	simulator.ModelThreadsNoGIL:    "threads of the free-threaded build (gil off)",
	simulator.ModelProcesses:       "a pool of worker processes (one per core) to which the tasks are dealt in chunks, like Pool.map",
	simulator.ModelAsyncio:         "coroutines on one asyncio loop; io and sleep become awaits",
	simulator.ModelAsyncioThreads:  "asyncio, with every burst of cpu and native steps sent to the default executor (to_thread)",
	simulator.ModelGevent:          "greenlets on a patched gevent hub",
	simulator.ModelGeventUnpatched: "greenlets on an unpatched gevent hub: blocking calls block it",
}

// KeywordHelp documents a keyword in its main role.
func KeywordHelp(word string) (Help, bool) {
	h, ok := keywordHelp[word]
	return h, ok
}

// MachineKeyHelp documents a key of the machine block, with its default:
// its row of simulator.MachineParams.
func MachineKeyHelp(key string) (Help, bool) {
	if strings.Contains(key, " ") {
		return Help{}, false
	}
	p, ok := simulator.MachineParamByKey(key)
	if !ok {
		return Help{}, false
	}
	return machineParamHelp(p), true
}

// MemoryKindHelp documents a KIND of `memory KIND SIZE`, with its default.
func MemoryKindHelp(kind string) (Help, bool) {
	p, ok := simulator.MachineParamByKey("memory " + kind)
	if !ok || kind == "" {
		return Help{}, false
	}
	return machineParamHelp(p), true
}

// machineParamHelp is a row of simulator.MachineParams as help: the
// syntax from its kind, the default as a file writes it.
func machineParamHelp(p simulator.MachineParam) Help {
	syntax := p.Key + " D"
	switch {
	case p.Key == "memory":
		syntax = "memory SIZE | memory KIND SIZE"
	case p.Kind == simulator.ParamSize:
		syntax = p.Key + " SIZE"
	case p.Kind == simulator.ParamFactor:
		syntax = p.Key + " F"
	case p.Kind == simulator.ParamChance:
		syntax = p.Key + " P"
	case p.Kind == simulator.ParamHandoff:
		syntax = p.Key + " " + strings.Join(simulator.GILHandoffNames(), "|")
	}
	return Help{Syntax: syntax, Doc: p.Doc, Default: p.Format(p.Default), Source: p.Source}
}

// MetricHelp documents a metric of a scenario's expectations, or with
// workload set of a workload file's.
func MetricHelp(name string, workload bool) (Help, bool) {
	table := simulator.Metrics()
	if workload {
		table = simulator.CompareMetrics()
	}
	info, ok := table[name]
	if !ok {
		return Help{}, false
	}
	syntax := name
	switch {
	case workload:
		syntax += "(model)"
	case info.Arg == simulator.ArgRequired:
		syntax += `("name")`
	case info.Arg == simulator.ArgOptional:
		syntax += `[("name")]`
	}
	return Help{Syntax: syntax + " OP " + valueKindName(info.Kind), Doc: info.Doc}, true
}

func valueKindName(k simulator.ValueKind) string {
	switch k {
	case simulator.KindDuration:
		return "DURATION"
	case simulator.KindSize:
		return "SIZE"
	}
	return "NUMBER"
}

// PolicyHelp documents an OS policy.
func PolicyHelp(name string) (Help, bool) {
	d, ok := policyHelp[name]
	return Help{Syntax: "policy " + name, Doc: d}, ok
}

// ModelHelp documents a concurrency model of `gilsim compare`.
func ModelHelp(name string) (Help, bool) {
	d, ok := modelHelp[name]
	return Help{Syntax: name, Doc: "The " + name + " model: " + d + "."}, ok
}

// MetricNames returns the metrics of a scenario's expectations, or with
// workload set of a workload file's, sorted.
func MetricNames(workload bool) []string {
	if workload {
		return append([]string(nil), compareMetricNames...)
	}
	return append([]string(nil), metricNames...)
}

// MachineKeys returns the keys of the machine block.
func MachineKeys() []string { return append([]string(nil), machineKeys...) }

// MemoryKinds returns the kinds of `memory KIND SIZE`.
func MemoryKinds() []string { return append([]string(nil), memoryKindNames...) }

// Policies returns the OS policies.
func Policies() []string { return append([]string(nil), policies...) }

// helpedKeywords lists the keywords keywordHelp documents, for tests.
func helpedKeywords() []string {
	out := make([]string, 0, len(keywordHelp))
	for k := range keywordHelp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
