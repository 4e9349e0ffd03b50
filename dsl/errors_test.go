package dsl

import (
	"errors"
	"strings"
	"testing"
)

// errCase is a scenario with a mistake and where the first error must be.
type errCase struct {
	name string
	src  string
	line int
	col  int
	msg  string // substring of the first error's message
}

// wrap puts steps in a native task; the steps start at line 1, column 27.
func wrap(steps string) string { return `scenario "s" { task "t" { ` + steps + ` } }` }

// inProc puts items in a process; they start at line 1, column 30.
func inProc(items string) string { return `scenario "s" { process "p" { ` + items + ` } }` }

var errCases = []errCase{
	// Lexical.
	{"unit min", wrap("cpu 5min"), 1, 31, `unknown unit "min"`},
	{"unit sx", wrap("cpu 10sx"), 1, 31, `unknown unit "sx"`},
	{"space before unit", wrap("cpu 10 ms"), 1, 31, "no space is allowed between a number and its unit"},
	{"exponent", wrap("cpu 1e3ms"), 1, 31, "exponents are not allowed"},
	{"hex", wrap("cpu 0x10ms"), 1, 31, "hexadecimal numbers are not allowed"},
	{"underscore", wrap("cpu 1_000ms"), 1, 31, "`_` is not allowed in numbers"},
	{"two points", wrap("cpu 1.5.3ms"), 1, 31, "malformed number"},
	{"trailing point", wrap("cpu 1.ms"), 1, 31, "malformed number"},
	{"bare dot", wrap("cpu .5ms"), 1, 31, "a number needs digits before its point"},
	{"half ns", wrap("cpu 0.5ns"), 1, 31, "not a whole number of nanoseconds"},
	{"too long", wrap("cpu 9223372036854775808ns"), 1, 31, "durations must be below 2^63 ns"},
	{"too long s", wrap("cpu 9223372037s"), 1, 31, "durations must be below 2^63 ns"},
	{"wide integer", wrap("repeat 9223372036854775808 { }"), 1, 34, "does not fit in 63 bits"},
	{"bad char", wrap("cpu 1ms @"), 1, 35, "unexpected character '@'"},
	{"sign alone", wrap("cpu - 1ms"), 1, 31, "a sign is written glued to its number"},
	{"signed duration", wrap("cpu -1ms"), 1, 31, "a sign is only allowed after `nice` and `priority`"},
	{"unterminated string", `scenario "s" { task "t { cpu 1ms } }`, 1, 21, "unterminated string"},
	{"bad escape", `scenario "s" { task "a\tb" { } }`, 1, 23, `unknown escape \t`},
	{"bad escape after unicode", `scenario "s" { task "µ\n" { } }`, 1, 23, `unknown escape \n`},
	{"NUL in name", "scenario \"s\" { task \"a\x00b\" { } }", 1, 23, "the control character U+0000 (NUL) in a string: names and titles cannot hold control characters"},
	{"escape in title", "scenario \"s\x1b[2J\" { }", 1, 12, "the control character U+001B (escape) in a string"},
	{"tab in name", "scenario \"s\" { task \"a\tb\" { } }", 1, 23, "U+0009 (tab) in a string"},
	{"C1 in name", "scenario \"s\" { task \"a\u0085\" { } }", 1, 23, "U+0085 (next line) in a string"},
	{"DEL in lock name", inProc("thread \"t\" { lock \"\x7f\" { } }"), 1, 49, "U+007F (delete) in a string"},
	{"line separator in name", "scenario \"s\" { task \"\u2028\" { } }", 1, 22, "U+2028 (line separator) in a string"},
	{"control in expect argument", "scenario \"s\" { task \"t\" { } expect finish(\"t\x01\") < 1s }", 1, 45, "U+0001 in a string"},
	{"raw CR in name", "scenario \"s\" { task \"a\rb\" { } }", 1, 23, "a carriage return (U+000D) in a string: it ends the line"},
	{"bare CR lines", "scenario \"s\" {\r  task \"t\" { cpu 5min }\r}\r", 2, 18, `unknown unit "min"`},
	{"CRLF lines", "scenario \"s\" {\r\n  task \"t\" { cpu 5min }\r\n}\r\n", 2, 18, `unknown unit "min"`},
	{"mixed line endings", "scenario \"s\" {\r\n\r\n\r\n  task \"t\" { }\n  task \"t\" { }\r}", 5, 8, `"t" is already defined`},
	{"comment ends at bare CR", "# a comment\rscenario \"s\" {\r  cores 0\r}\r", 3, 9, "`cores` must be at least 1"},
	{"bare CR before invalid utf8", "scenario \"s\" {\r\r  task \"\xff\" { } }", 3, 9, "not valid UTF-8"},
	{"invalid utf8", "scenario \"s\" {\n  task \"\xff\" { } }", 2, 9, "not valid UTF-8"},
	{"tab columns", "scenario \"s\" {\n\ttask \"t\" {\tcpu 5min } }", 2, 17, `unknown unit "min"`},
	{"mu units columns", "scenario \"s\" { task \"µµ\" { cpu 5µs cpu 5μs cpu 5xs } }", 1, 48, `unknown unit "xs"`},
	{"too deep", `scenario "s" {` + strings.Repeat(" offload {", 201) + strings.Repeat(" }", 202), 1, 14 + 200*10, "nested too deeply"},

	// Syntax.
	{"empty file", "", 1, 1, "the file is empty"},
	{"comment only", "# nothing\n", 2, 1, "the file is empty"},
	{"missing title", `scenario { }`, 1, 1, "`scenario` needs a title"},
	{"missing duration", wrap("cpu }"), 1, 27, "`cpu` needs a duration"},
	{"missing duration next line", "scenario \"s\" { task \"t\" {\n  cpu\n  io 5ms } }", 2, 3, "`cpu` needs a duration"},
	{"missing await kind", wrap("await 5ms"), 1, 27, "`await` needs io or sleep"},
	{"missing x count", `scenario "s" { task "t" x { } }`, 1, 25, "`x` needs a replica count"},
	{"keyword as bare name", `scenario "s" { task "t" { cpu 1ms } expect p50(x y) < 1ms }`, 1, 48, "`x` is a keyword; a name is written in quotes: \"x\""},
	{"comparison without value", "scenario \"s\" { task \"t\" { cpu 1ms }\n  expect makespan <\n  task \"u\" { cpu 1ms } }", 2, 19, "`<` needs a value to compare with"},
	{"missing name", `scenario "s" { task t { } }`, 1, 16, "`task` needs a name in quotes"},
	{"missing lock name", wrap(`lock { }`), 1, 27, "`lock` needs a name in quotes"},
	{"missing repeat count", wrap(`repeat { }`), 1, 27, "`repeat` needs a count"},
	{"missing gil mode", inProc(`gil fast`), 1, 30, "`gil` needs interval D"},
	{"missing interval", inProc(`gil interval }`), 1, 34, "`interval` needs a duration"},
	{"missing op", `scenario "s" { expect makespan 5ms }`, 1, 32, "expected a comparison"},
	{"missing paren", `scenario "s" { expect finish("a" < 5ms }`, 1, 34, "unexpected `<` (expected `)`)"},
	{"missing policy", `scenario "s" { policy }`, 1, 16, "`policy` needs a policy"},
	{"missing machine value", `scenario "s" { machine { wakeup_latency } }`, 1, 26, "`wakeup_latency` needs a value"},
	{"step at top", `scenario "s" { cpu 5ms }`, 1, 16, "`cpu` cannot stand here"},
	{"step in process", inProc(`cpu 5ms`), 1, 30, "`cpu` cannot stand here"},
	{"process in process", inProc(`process "q" { }`), 1, 30, "`process` cannot stand here"},
	{"expect in process", inProc(`expect makespan < 1s`), 1, 30, "`expect` cannot stand here"},
	{"upper-case keyword", wrap("Cpu 5ms"), 1, 27, "keywords are lower-case (cpu)"},
	{"dist missing comma", wrap("cpu uniform(1ms 2ms)"), 1, 43, "expected `)`"},
	{"unclosed brace", wrap("cpu 5ms")[:len(wrap("cpu 5ms"))-2], 1, 36, "the `{` at 1:14 is never closed"},
	{"extra brace", wrap("cpu 5ms") + " }", 1, 39, "closes nothing"},
	{"two scenarios", wrap("") + ` scenario "b" { }`, 1, 32, "exactly one scenario"},
	{"sign on nice spaced", `scenario "s" { task "t" nice - 5 { } }`, 1, 30, "a sign is written glued"},

	// Scenario settings.
	{"seed twice", `scenario "s" { seed 1 seed 2 }`, 1, 23, "`seed` is already set in this scenario (line 1)"},
	{"cores zero", `scenario "s" { cores 0 }`, 1, 22, "`cores` must be at least 1"},
	{"cores fraction", `scenario "s" { cores 1.5 }`, 1, 22, "needs a whole number"},
	{"cores duration", `scenario "s" { cores 2ms }`, 1, 22, "needs a plain whole number, not the duration 2ms"},
	{"negative seed", `scenario "s" { seed -1 }`, 1, 21, "a sign is only allowed"},
	{"unknown policy", `scenario "s" { policy round_robn quantum 1ms }`, 1, 23, "did you mean round_robin?"},
	{"rr without quantum", `scenario "s" { policy round_robin }`, 1, 16, "`policy round_robin` needs a quantum"},
	{"quantum with fifo", `scenario "s" { policy fifo quantum 10ms }`, 1, 28, "`quantum` goes with `policy round_robin` only"},
	{"quantum alone twice", `scenario "s" { policy round_robin quantum 1ms quantum 2ms }`, 1, 47, "`quantum` is already set"},
	{"quantum zero", `scenario "s" { policy round_robin quantum 0 }`, 1, 43, "`quantum` must be greater than 0"},
	{"context_switch twice", `scenario "s" { context_switch 1us machine { context_switch 2us } }`, 1, 45, "`context_switch` is already set at the top level"},
	{"context_switch machine first", `scenario "s" { machine { context_switch 2us } context_switch 1us }`, 1, 47, "`context_switch` is already set in this scenario"},
	{"context_switch plain", `scenario "s" { context_switch 5 }`, 1, 31, "needs a duration"},
	{"machine unknown key", `scenario "s" { machine { wakup_latency 5us } }`, 1, 26, "did you mean wakeup_latency?"},
	{"machine key lists keys", `scenario "s" { machine { foo 5us } }`, 1, 26, "(keys: wakeup_latency, context_switch"},
	{"machine key twice", `scenario "s" { machine { timer_slack 1us timer_slack 2us } }`, 1, 42, "`timer_slack` is already set"},
	{"machine memory kind", `scenario "s" { machine { memory thrad 5KB } }`, 1, 33, "did you mean thread?"},
	{"machine memory duration", `scenario "s" { machine { memory thread 5ms } }`, 1, 40, "needs a size, not the duration 5ms"},
	{"machine memory fraction", `scenario "s" { machine { memory 0.3B } }`, 1, 33, "not a whole number of bytes"},
	{"machine overhead low", `scenario "s" { machine { freethreading_overhead 0.9 } }`, 1, 49, "must be at least 1"},
	{"machine overhead digits", `scenario "s" { machine { freethreading_overhead 1.0805 } }`, 1, 49, "at most 3 decimals"},
	{"machine multicore high", `scenario "s" { machine { multicore_speed 1.5 } }`, 1, 42, "above 0 and at most 1"},
	{"machine multicore zero", `scenario "s" { machine { multicore_speed 0 } }`, 1, 42, "above 0 and at most 1"},
	{"machine multicore unit", `scenario "s" { machine { multicore_speed 90% } }`, 1, 42, "plain factor such as 0.917"},
	{"machine multicore word", `scenario "s" { machine { multicore_speed fast } }`, 1, 26, "needs a factor"},
	{"machine handoff", `scenario "s" { machine { gil_handoff fifoo } }`, 1, 38, "did you mean fifo?"},
	{"machine handoff missing", `scenario "s" { machine { gil_handoff 5us } }`, 1, 26, "`gil_handoff` needs one of futex, random, fifo"},
	{"machine two blocks", `scenario "s" { machine { } machine { } }`, 1, 28, "`machine` is already set"},
	{"machine legacy tick zero", `scenario "s" { machine { legacy_tick 0 } }`, 1, 38, "`legacy_tick` must be greater than 0"},
	{"workload", `scenario "s" { workload "w" { task "r" { cpu 1ms } } }`, 1, 16, "this file holds a workload, which is compared, not run: `gilsim compare t.sim` runs it"},

	// Entities and modifiers.
	{"duplicate top name", `scenario "s" { task "a" { } process "a" { } }`, 1, 37, `"a" is already defined at the top level (line 1)`},
	{"empty name", `scenario "s" { task "" { } }`, 1, 21, "a name cannot be empty"},
	{"hash in name", `scenario "s" { task "a#1" { } }`, 1, 21, "cannot contain `#` or `/`"},
	{"slash in name", inProc(`thread "a/b" { }`), 1, 37, "cannot contain `#` or `/`"},
	{"x zero", `scenario "s" { task "t" x 0 { } }`, 1, 27, "`x` must be at least 1"},
	{"x twice", `scenario "s" { task "t" x 2 x 3 { } }`, 1, 29, "`x` is given twice"},
	{"x distribution", `scenario "s" { task "t" x exp(1ms) { } }`, 1, 27, "`x` needs a number, not a distribution"},
	{"nice range", `scenario "s" { task "t" nice 20 { } }`, 1, 30, "`nice` must be within -20..19"},
	{"nice low", `scenario "s" { task "t" nice -21 { } }`, 1, 30, "`nice` must be within -20..19"},
	{"priority on process", `scenario "s" { process "p" priority 1 { } }`, 1, 28, "`priority` is not taken by a process (it takes x, at and nice)"},
	{"nice on asyncio task", inProc(`asyncio { task "c" nice 1 { } }`), 1, 49, "`nice` is not taken by a task (it takes x and at)"},
	{"priority on gen", inProc(`coroutines { gen "g" priority 1 { } gen "h" { } }`), 1, 51, "`priority` is not taken by a gen (it takes x and at)"},
	{"process metric on thread", `scenario "s" { process "p" { thread "main" { } } expect gil_handoffs("main") > 0 }`, 1, 70, "`gil_handoffs` is measured per process, and \"main\" is a thread"},
	{"process metric qualified", `scenario "s" { process "p" { thread "main" { } } expect lag("p/main") > 0 }`, 1, 61, "`lag` is measured per process"},
	{"process metric unknown", `scenario "s" { process "app" { } expect memory("ap") < 1GB }`, 1, 48, `unknown process "ap"; did you mean app?`},
	{"process metric replica", `scenario "s" { process "app" x 2 { } expect stall("app#3") < 1s }`, 1, 51, `process "app" has 2 replicas`},
	{"thread at top", `scenario "s" { thread "t" { } }`, 1, 16, "a `thread` stands inside a `process`"},
	{"greenlet at top", `scenario "s" { greenlet "t" { } }`, 1, 16, "stands inside a runtime block"},
	{"task in process", inProc(`task "t" { }`), 1, 30, "belongs in an `asyncio { }` block"},
	{"gen in process", inProc(`gen "t" { }`), 1, 30, "belongs in a `coroutines` block"},
	{"wrong member", inProc(`asyncio { greenlet "g" { } }`), 1, 40, "an `asyncio` block holds `task`s, not `greenlet`s"},
	{"gil twice", inProc(`gil off gil off`), 1, 38, "`gil` is already set in this process"},
	{"gil interval zero", inProc(`gil interval 0`), 1, 43, "`gil interval` must be greater than 0"},
	{"gil check zero", inProc(`gil legacy check 0`), 1, 47, "`check` must be at least 1"},
	{"startup twice", inProc(`startup 1ms startup 2ms`), 1, 42, "`startup` is already set"},
	{"two asyncio", inProc(`asyncio { } asyncio { }`), 1, 42, "at most one `asyncio` block (the first is at line 1)"},
	{"gevent needs patch", inProc(`gevent { }`), 1, 30, "`gevent` needs `patched` or `unpatched`"},
	{"gevent bad patch", inProc(`gevent patchd { }`), 1, 37, "did you mean patched?"},
	{"asyncio patched", inProc(`asyncio patched { }`), 1, 38, "`asyncio` takes no \"patched\""},
	{"patched excludes thread", inProc(`gevent patched { } thread "t" { }`), 1, 49, "a `thread` cannot share a process with `gevent patched`"},
	{"patched excludes asyncio", inProc(`asyncio { } eventlet patched { }`), 1, 30, "an `asyncio` block cannot share a process with `eventlet patched`"},
	{"patched excludes other", inProc(`eventlet patched { } gevent unpatched { }`), 1, 51, "a `gevent` block cannot share a process with `eventlet patched`"},
	{"duplicate thread", inProc(`thread "t" { } thread "t" { }`), 1, 52, `"t" is already defined in process "p"`},
	{"thread vs member", inProc(`thread "t" { } asyncio { task "t" { } }`), 1, 60, `"t" is already defined in process "p"`},
	{"thread named like block", inProc(`thread "asyncio" { } asyncio { }`), 1, 51, `the thread of this block is named "asyncio"`},

	// Steps and contexts.
	{"await in thread", inProc(`thread "t" { await io 1ms }`), 1, 43, "`await` is only allowed inside an asyncio task"},
	{"await in offload", inProc(`asyncio { task "c" { offload { await io 1ms } } }`), 1, 61, "`await` cannot be used inside `offload`"},
	{"offload in thread", inProc(`thread "t" { offload { } }`), 1, 43, "`offload` is only allowed inside an asyncio task"},
	{"offload in offload", inProc(`gevent patched { greenlet "g" { offload { offload { } } } }`), 1, 72, "`offload` cannot be nested in `offload`"},
	{"yield in offload", inProc(`asyncio { task "c" { offload { yield } } }`), 1, 61, "`yield` cannot be used inside `offload`"},
	{"yield in native", wrap("yield"), 1, 27, "`yield` is not allowed in a native task"},
	{"native in native", wrap("native 1ms"), 1, 27, "`native` is not allowed in a native task"},
	{"blocking cpu", wrap("blocking cpu 1ms"), 1, 27, "`blocking` goes before `io` or `sleep`, a call that waits where the runtime cannot see it: `cpu` is computation: it keeps its core and the GIL busy and cannot block"},
	{"blocking native", wrap("io 1ms  blocking native 1ms"), 1, 35, "`native` is computation without the GIL: it keeps its core busy and cannot block"},
	{"blocking await", `scenario "s" { process "p" { asyncio { task "c" { blocking await io 1ms } } } }`, 1, 51, "`await` is the call the loop does see: it parks the coroutine, never the thread"},
	{"blocking yield", inProc(`thread "t" { blocking yield }`), 1, 43, "`yield` is not a call that waits"},
	{"blocking repeat", wrap("blocking repeat 2 { io 1ms }"), 1, 27, "`repeat` is not a call that waits"},
	{"blocking twice", wrap("blocking blocking io 1ms"), 1, 27, "`blocking` is written once"},
	{"blocking alone", wrap("blocking"), 1, 27, "`blocking` needs io or sleep: blocking io 5ms"},
	{"blocking bad unit", wrap("blocking io 5min"), 1, 39, `unknown unit "min"`},
	{"lock in native", wrap(`lock "a" { }`), 1, 27, "`lock` is not allowed in a native task (it takes cpu, io, sleep and repeat)"},
	{"switch in thread", inProc(`thread "t" { switch "a" }`), 1, 43, "`switch` is only allowed inside a greenlet of a `greenlets` block"},
	{"yield in raw greenlet", inProc(`greenlets { greenlet "a" { yield } }`), 1, 57, "use `switch \"name\"`"},
	{"lock in gen", inProc(`coroutines { gen "a" { lock "l" { } } gen "b" { } }`), 1, 53, "`lock` is not allowed in a `gen`"},
	{"await in gevent", inProc(`gevent unpatched { greenlet "g" { await sleep 1ms } }`), 1, 64, "`await` is only allowed inside an asyncio task"},
	{"reentrant lock", inProc(`thread "t" { lock "a" { cpu 1ms lock "a" { } } }`), 1, 62, `lock "a" is already held here; threading.Lock is not re-entrant`},
	{"reentrant lock via repeat", inProc(`thread "t" { lock "a" { repeat 2 { lock "a" { } } } }`), 1, 65, `lock "a" is already held here`},
	{"empty lock name", inProc(`thread "t" { lock "" { } }`), 1, 48, "a lock name cannot be empty"},
	{"semaphore of 0", inProc(`thread "t" { semaphore "s" 0 { } }`), 1, 57, "a semaphore of size 0 lets nothing in: give it at least 1"},
	{"semaphore without size", inProc(`thread "t" { semaphore "s" { } }`), 1, 57, "`semaphore` needs a size after its name: semaphore \"s\" 10 { ... }"},
	{"semaphore of 1.5", inProc(`thread "t" { semaphore "s" 1.5 { } }`), 1, 57, "`semaphore` needs a whole number, not 1.5"},
	{"semaphore named like a lock", inProc(`thread "t" { lock "a" { } semaphore "a" 2 { } }`), 1, 66, `"a" is a lock (line 1); one name is one object`},
	{"semaphore of two sizes", inProc(`thread "t" { semaphore "a" 3 { } semaphore "a" 2 { } }`), 1, 73, `"a" is a semaphore of 3 (line 1); one name is one object`},
	{"semaphore inside itself", inProc(`thread "t" { semaphore "a" 2 { semaphore "a" 2 { } } }`), 1, 61, `semaphore "a" is already held here`},
	{"semaphore in native", wrap(`semaphore "a" 2 { }`), 1, 27, "`semaphore` is not allowed in a native task"},
	{"send in native", wrap("send 1KB"), 1, 27, "`send` is not allowed in a native task: it stands for multiprocessing's pickling and pipes, inside a process"},
	{"send of a duration", inProc(`thread "t" { send 1ms }`), 1, 48, "`send` needs a size, not the duration 1ms"},
	{"recv without size", inProc(`thread "t" { recv }`), 1, 43, "`recv` needs a size: recv 64KB"},
	{"recv in gen", inProc(`coroutines { gen "a" { recv 1KB } gen "b" { } }`), 1, 53, "`recv` is not allowed in a `gen`"},
	{"start on a thread", inProc(`thread "t" start { }`), 1, 41, "`start` is taken by a process only"},
	{"start on a task", `scenario "s" { task "t" start { cpu 1ms } }`, 1, 25, "`start` is taken by a process only"},
	{"unknown start method", `scenario "s" { process "p" start forkk { } }`, 1, 34, `unknown start method "forkk"; did you mean fork? (methods: fork, forkserver, spawn)`},
	{"start twice", `scenario "s" { process "p" start spawn start fork { } }`, 1, 40, "`start` is given twice"},
	{"repeat negative", wrap("repeat -1 { }"), 1, 34, "a sign is only allowed"},
	{"repeat duration", wrap("repeat 1ms { }"), 1, 34, "needs a plain whole number"},
	{"plain number duration", wrap("cpu 5"), 1, 31, "`cpu` needs a duration"},
	{"size as duration", wrap("io 5KB"), 1, 30, "`io` needs a duration, not the size 5KB"},
	{"uniform order", wrap("cpu uniform(3ms, 1ms)"), 1, 31, "`uniform(a, b)` needs a <= b"},
	{"unknown distribution", wrap("cpu unifrm(1ms, 2ms)"), 1, 31, "did you mean uniform?"},
	{"distribution arity", wrap("cpu exp(1ms, 2ms)"), 1, 31, "`exp` takes 1 argument: exp(mean)"},
	{"distribution plain arg", wrap("cpu normal(5, 1ms)"), 1, 38, "an argument of `normal` needs a duration"},
	{"yield to nothing", inProc(`coroutines { gen "a" { repeat 3 { cpu 1ms yield } } }`), 1, 72, "`yield` yields to nothing"},
	{"switch unknown", inProc(`greenlets { greenlet "alpha" { switch "alpah" } }`), 1, 68, `unknown greenlet "alpah"; did you mean alpha?`},
	{"switch ambiguous", inProc(`greenlets { greenlet "g" x 2 { switch "g" } }`), 1, 68, "is ambiguous"},
	{"switch replica too big", inProc(`greenlets { greenlet "g" x 2 { switch "g#3" } }`), 1, 68, `greenlet "g" has 2 replicas`},
	{"switch replica not replicated", inProc(`greenlets { greenlet "g" { switch "g#1" } }`), 1, 64, "is not replicated"},
	{"switch other block", inProc(`greenlets { greenlet "a" { } } thread "b" { } greenlets { greenlet "c" { switch "a" } }`), 1, 76, "at most one `greenlets` block"},

	// Expectations.
	{"unknown metric", `scenario "s" { expect makspan < 5ms }`, 1, 23, `unknown metric "makspan"; did you mean makespan?`},
	{"metric needs arg", `scenario "s" { expect finish < 5ms }`, 1, 23, "`finish` needs an entity"},
	{"metric takes no arg", `scenario "s" { expect makespan("a") < 5ms }`, 1, 32, "`makespan` takes no argument"},
	{"metric value type", `scenario "s" { expect makespan < 5 }`, 1, 34, "`makespan` needs a duration"},
	{"metric size type", `scenario "s" { expect memory < 5ms }`, 1, 32, "`memory` needs a size, not the duration 5ms"},
	{"metric number type", `scenario "s" { expect events < 5ms }`, 1, 32, "`events` needs a plain number, not the duration 5ms"},
	{"percent only utilization", `scenario "s" { expect events < 5% }`, 1, 32, "needs a plain number, not the percentage 5%"},
	{"approx needs within", `scenario "s" { expect makespan ~= 5ms }`, 1, 32, "`~=` needs a tolerance"},
	{"within needs approx", `scenario "s" { expect makespan < 5ms within 1ms }`, 1, 38, "`within` goes with `~=` only"},
	{"within type", `scenario "s" { expect makespan ~= 5ms within 5KB }`, 1, 46, "`makespan` needs a duration, not the size 5KB"},
	{"unknown entity", `scenario "s" { task "worker" { } expect finish("wroker") < 5ms }`, 1, 48, `unknown entity "wroker"; did you mean worker?`},
	{"keyword arg", `scenario "s" { task "cpu" { } expect finish(cpu) < 5ms }`, 1, 45, "write the name in quotes"},
	{"replica not replicated", `scenario "s" { task "t" { } expect finish("t#1") < 5ms }`, 1, 43, `entity "t" is not replicated`},
	{"replica too big", `scenario "s" { task "t" x 2 { } expect finish("t#3") < 5ms }`, 1, 47, `entity "t" has 2 replicas`},
	{"bad replica", `scenario "s" { task "t" x 2 { } expect finish("t#01") < 5ms }`, 1, 47, "name#k with k = 1, 2"},
	{"ambiguous thread", `scenario "s" { process "a" { thread "m" { } } process "b" { thread "m" { } } expect finish("m") < 1s }`, 1, 92, `"m" is ambiguous: several processes define it (a/m, b/m)`},
	{"unknown process", `scenario "s" { process "app" { thread "m" { } } expect finish("ap/m") < 1s }`, 1, 63, `unknown process "ap" in "ap/m"; did you mean app?`},
	{"unknown thread in process", `scenario "s" { process "app" { thread "main" { } } expect finish("app/mian") < 1s }`, 1, 66, `process "app" has no thread or member "mian"; did you mean main?`},
	// a bare 0 stands for any duration or size; other spellings of zero
	// are numbers and need a unit
	{"zero spelled 0.0", `scenario "s" { task "t" { cpu 0.0 } }`, 1, 31, "`cpu` needs a duration: zero is written 0, or with a unit (0ms), not 0.0"},
	{"zero spelled 00", `scenario "s" { task "t" at 00 { } }`, 1, 28, "`at` needs a duration: zero is written 0, or with a unit (0ms), not 00"},
	{"zero size", `scenario "s" { machine { memory 0.00 } }`, 1, 33, "`memory` needs a size: zero is written 0, or with a unit (0KB), not 0.00"},
	// a unit in the wrong case or misspelled gets a did-you-mean
	{"unit case", `scenario "s" { machine { memory 1Kib } }`, 1, 33, `unknown unit "Kib" in 1Kib: durations take ns, us, µs, ms or s; sizes B, KB, MB or GB; did you mean KiB?`},
	{"unit typo", `scenario "s" { task "t" { cpu 3msec } }`, 1, 31, `; did you mean ms?`},
	// a misspelled keyword gets a did-you-mean, as names and metrics do
	{"keyword typo top", `scenario "s" { proces "p" { } }`, 1, 16, "unknown word `proces`; did you mean process?"},
	{"keyword typo thread", `scenario "s" { process "p" { thraed "t" { } } }`, 1, 30, "unknown word `thraed`; did you mean thread?"},
	{"keyword typo block", `scenario "s" { process "p" { asynco { task "c" { } } } }`, 1, 30, "unknown word `asynco`; did you mean asyncio?"},
	{"keyword typo step", `scenario "s" { task "t" { cpu 1ms  slep 1ms } }`, 1, 36, "unknown word `slep`; did you mean sleep?"},
	{"qualified native", `scenario "s" { task "t" { } expect finish("t/u") < 1s }`, 1, 43, "is a native task, not a process"},
	// a bare name that is a top-level task and a thread of a process
	// could mean either: refused, with what to write instead
	{"task and thread share a name", `scenario "s" { task "main" { } process "p" { thread "main" { } } expect finish("main") < 1s }`, 1, 80, `"main" is ambiguous: it names a top-level task and a thread or member of a process; write one of "main/main", "p/main"`},
	{"task and members share a name", `scenario "s" { task "m" x 2 { } process "p" { asyncio { task "m" { } } } process "q" x 2 { thread "m" { } } expect wait("m#1") < 1s }`, 1, 121, `write one of "m/m", "p/m", "q/m"`},
	{"lock_wait unknown", `scenario "s" { process "p" { thread "t" { lock "db" { } } } expect lock_wait("dv") < 1s }`, 1, 78, `unknown entity "dv"`},
	{"two slashes", `scenario "s" { expect finish("a/b/c") < 1s }`, 1, 30, "with one `/`"},
	{"expect value sign", `scenario "s" { expect makespan < -5ms }`, 1, 34, "a sign is only allowed"},

	// Parameters and sweeps.
	{"vary undeclared", `scenario "s" { vary w in [1, 2] }`, 1, 21, "`vary` over \"w\", which is not declared: add `param w = VALUE`"},
	{"vary undeclared suggestion", `scenario "s" { param workers = 1 vary wrokers in [1, 2] }`, 1, 39, "`vary` over \"wrokers\", which is not declared; did you mean workers?"},
	{"unknown param ref", wrap("repeat $n { }"), 1, 34, "unknown parameter $n"},
	{"unknown param ref suggestion", `scenario "s" { param count = 1 task "t" { repeat $cuont { } } }`, 1, 50, "unknown parameter $cuont; did you mean $count?"},
	{"param twice", `scenario "s" { param n = 1 param n = 2 }`, 1, 34, `parameter "n" is already declared (line 1)`},
	{"param default ref", `scenario "s" { param n = 1 param m = $n }`, 1, 38, "a parameter's default is a value such as 4 or 5ms, not $n"},
	{"param in process", inProc(`param n = 1`), 1, 30, "`param` cannot stand here"},
	{"param missing value", `scenario "s" { param n = }`, 1, 24, "`=` needs a value"},
	{"param missing name", `scenario "s" { param = 4 }`, 1, 16, "`param` needs a name, `=` and a value"},
	{"vary missing list", `scenario "s" { param n = 1 vary n in }`, 1, 35, "`in` needs a list of values"},
	{"vary twice", `scenario "s" { param n = 1 vary n in [1] vary n in [2] }`, 1, 42, `"n" is already varied (line 1)`},
	{"vary empty", `scenario "s" { param n = 1 vary n in [] }`, 1, 28, "`vary n` needs at least one value"},
	{"vary kind", `scenario "s" { param n = 1 vary n in [1, 5ms] }`, 1, 42, `5ms is a duration, but "n" is a number (param n = 1, line 1)`},
	{"vary duplicate", `scenario "s" { param d = 1ms vary d in [1ms, 1000us] }`, 1, 46, "1000us is listed twice in `vary d`"},
	{"vary ref", `scenario "s" { param n = 1 param m = 2 vary n in [$m] }`, 1, 51, "a vary list holds values"},
	{"param wrong slot", `scenario "s" { param d = 5ms task "t" x $d { } }`, 1, 41, "`x` needs a plain whole number, not the duration 5ms ($d = 5ms)"},
	{"param value out of range", `scenario "s" { param n = 0 task "t" x $n { } }`, 1, 39, "`x` must be at least 1 ($n = 0)"},
	{"when unknown param", `scenario "s" { param workers = 1 expect makespan < 1s when wrokers == 1 }`, 1, 60, `"wrokers", which is not a parameter; did you mean workers?`},
	{"when approx", `scenario "s" { param n = 1 expect makespan < 1s when n ~= 1 }`, 1, 56, "not ~="},
	{"when kind", `scenario "s" { param n = 1 expect makespan < 1s when n == 1ms }`, 1, 59, `1ms is a duration, but "n" is a number`},
	{"when ref", `scenario "s" { param n = 1 expect makespan < 1s when n == $n }`, 1, 59, "not $n"},
	{"when without condition", `scenario "s" { param n = 1 expect makespan < 1s when }`, 1, 49, "`when` needs a condition"},
	{"sweep too large", `scenario "s" { param a = 1 param b = 1 vary a in [1,2,3,4,5,6,7,8,9,10,11] vary b in [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126,127,128,129,130,131,132,133,134,135,136,137,138,139,140,141,142,143,144,145,146,147,148,149,150,151,152,153,154,155,156,157,158,159,160,161,162,163,164,165,166,167,168,169,170,171,172,173,174,175,176,177,178,179,180,181,182,183,184,185,186,187,188,189,190,191,192,193,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216,217,218,219,220,221,222,223,224,225,226,227,228,229,230,231,232,233,234,235,236,237,238,239,240,241,242,243,244,245,246,247,248,249,250,251,252,253,254,255,256,257,258,259,260,261,262,263,264,265,266,267,268,269,270,271,272,273,274,275,276,277,278,279,280,281,282,283,284,285,286,287,288,289,290,291,292,293,294,295,296,297,298,299,300,301,302,303,304,305,306,307,308,309,310,311,312,313,314,315,316,317,318,319,320,321,322,323,324,325,326,327,328,329,330,331,332,333,334,335,336,337,338,339,340,341,342,343,344,345,346,347,348,349,350,351,352,353,354,355,356,357,358,359,360,361,362,363,364,365,366,367,368,369,370,371,372,373,374,375,376,377,378,379,380,381,382,383,384,385,386,387,388,389,390,391,392,393,394,395,396,397,398,399,400,401,402,403,404,405,406,407,408,409,410,411,412,413,414,415,416,417,418,419,420,421,422,423,424,425,426,427,428,429,430,431,432,433,434,435,436,437,438,439,440,441,442,443,444,445,446,447,448,449,450,451,452,453,454,455,456,457,458,459,460,461,462,463,464,465,466,467,468,469,470,471,472,473,474,475,476,477,478,479,480,481,482,483,484,485,486,487,488,489,490,491,492,493,494,495,496,497,498,499,500,501,502,503,504,505,506,507,508,509,510,511,512,513,514,515,516,517,518,519,520,521,522,523,524,525,526,527,528,529,530,531,532,533,534,535,536,537,538,539,540,541,542,543,544,545,546,547,548,549,550,551,552,553,554,555,556,557,558,559,560,561,562,563,564,565,566,567,568,569,570,571,572,573,574,575,576,577,578,579,580,581,582,583,584,585,586,587,588,589,590,591,592,593,594,595,596,597,598,599,600,601,602,603,604,605,606,607,608,609,610,611,612,613,614,615,616,617,618,619,620,621,622,623,624,625,626,627,628,629,630,631,632,633,634,635,636,637,638,639,640,641,642,643,644,645,646,647,648,649,650,651,652,653,654,655,656,657,658,659,660,661,662,663,664,665,666,667,668,669,670,671,672,673,674,675,676,677,678,679,680,681,682,683,684,685,686,687,688,689,690,691,692,693,694,695,696,697,698,699,700,701,702,703,704,705,706,707,708,709,710,711,712,713,714,715,716,717,718,719,720,721,722,723,724,725,726,727,728,729,730,731,732,733,734,735,736,737,738,739,740,741,742,743,744,745,746,747,748,749,750,751,752,753,754,755,756,757,758,759,760,761,762,763,764,765,766,767,768,769,770,771,772,773,774,775,776,777,778,779,780,781,782,783,784,785,786,787,788,789,790,791,792,793,794,795,796,797,798,799,800,801,802,803,804,805,806,807,808,809,810,811,812,813,814,815,816,817,818,819,820,821,822,823,824,825,826,827,828,829,830,831,832,833,834,835,836,837,838,839,840,841,842,843,844,845,846,847,848,849,850,851,852,853,854,855,856,857,858,859,860,861,862,863,864,865,866,867,868,869,870,871,872,873,874,875,876,877,878,879,880,881,882,883,884,885,886,887,888,889,890,891,892,893,894,895,896,897,898,899,900,901,902,903,904,905,906,907,908,909,910,911] }`, 1, 40, "this sweep would make 10021 runs; the limit is 10000"},

	// Limits.
	{"entity limit", `scenario "s" { task "t" x 1000000000000 { } }`, 1, 25, "scenario would expand to 1000000000000 entities (about 1118 TiB of memory to simulate); the limit is 1000000"},
	{"entity limit nested", `scenario "s" { process "p" x 1000 { thread "t" x 1000 { } } }`, 1, 28, "scenario would expand to 1001000 entities"},
	{"entity limit huge", `scenario "s" { process "p" x 9223372036854775807 { thread "t" x 9223372036854775807 { } } }`, 1, 28, "scenario would expand to 85070591730234615856620279821087277056 entities"},
	{"entity limit members", `scenario "s" { process "p" x 2 { asyncio { task "c" x 500000 { } } } }`, 1, 53, "scenario would expand to 1000004 entities"},
}

func TestErrors(t *testing.T) {
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Parse("t.sim", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error; scenario %+v", sc)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is %T, want a non-empty ErrorList: %v", err, err)
			}
			e := list[0]
			if e.Line != tc.line || e.Col != tc.col || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("first error\n  %d:%d: %s\nwant\n  %d:%d: …%s…\nall:\n%v", e.Line, e.Col, e.Msg, tc.line, tc.col, tc.msg, err)
			}
			if e.File != "t.sim" {
				t.Errorf("File = %q", e.File)
			}
		})
	}
}

func TestSeveralErrorsInOneRun(t *testing.T) {
	src := `scenario "s" {
  cores 0
  task "a" x 0 { cpu 5 }
  process "p" { thread "t" { await io 1ms } }
  expect makspan < 1s
}`
	_, err := Parse("t.sim", []byte(src))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	want := [][2]int{{2, 9}, {3, 14}, {3, 22}, {4, 30}, {5, 10}}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if list[i].Line != w[0] || list[i].Col != w[1] {
			t.Errorf("error %d at %d:%d, want %d:%d (%s)", i, list[i].Line, list[i].Col, w[0], w[1], list[i].Msg)
		}
	}
}

func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("scenario \"s\" {\n")
	for range 50 {
		b.WriteString("  task \"\" { }\n")
	}
	b.WriteString("}\n")
	_, err := Parse("t.sim", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("got %v", err)
	}
	if len(list) != MaxErrors+1 || list[MaxErrors].Msg != "too many errors" {
		t.Fatalf("got %d errors, last %q", len(list), list[len(list)-1].Msg)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Line < list[i-1].Line {
			t.Fatalf("errors not in file order")
		}
	}
}

func TestErrorRendering(t *testing.T) {
	l := ErrorList{
		{File: "a.sim", Line: 2, Col: 6, Msg: "bad", Source: "\tcpu\t5min"},
		{File: "a.sim", Line: 3, Col: 3, Msg: "µ", Source: "µµx"},
		{File: "a.sim", Msg: "whole file"},
	}
	want := "a.sim:2:6: bad\n\tcpu\t5min\n\t   \t^\n" +
		"a.sim:3:3: µ\nµµx\n  ^\n" +
		"a.sim: whole file"
	if got := l.Error(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := l[0].Error(); got != "a.sim:2:6: bad" {
		t.Errorf("single error: %q", got)
	}
	var e *Error
	if !errors.As(error(l), &e) || e.Msg != "bad" {
		t.Errorf("errors.As through ErrorList: %v", e)
	}
}

// An error in a file whose lines end with a lone CR shows its own line
// under the message, not the whole file.
func TestBareCRSourceLine(t *testing.T) {
	src := "scenario \"s\" {\r  cores 2\r  task \"t\" { cpu 5min }\r}\r"
	_, err := Parse("cr.sim", []byte(src))
	want := "cr.sim:3:18: unknown unit \"min\" in 5min: durations take ns, us, µs, ms or s; sizes B, KB, MB or GB\n" +
		"  task \"t\" { cpu 5min }\n" +
		"                 ^"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestExcerptEscapesAndCuts(t *testing.T) {
	line, caret := excerpt("a\x1bb c", 5)
	if line != `a\x1bb c` || caret != "       ^" {
		t.Errorf("escape: %q %q", line, caret)
	}
	long := strings.Repeat("x", 500) + "BAD" + strings.Repeat("y", 500)
	line, caret = excerpt(long, 501)
	if !strings.HasPrefix(line, "…") || !strings.HasSuffix(line, "…") || len([]rune(line)) > 2*excerptHalf+2 {
		t.Errorf("cut: %d runes", len([]rune(line)))
	}
	if i := strings.IndexRune(caret, '^'); []rune(line)[len([]rune(caret))-1] != 'B' || i < 0 {
		t.Errorf("caret not under BAD: %q / %q", line, caret)
	}
	line, caret = excerpt("ab", 5)
	if line != "ab" || caret != "    ^" {
		t.Errorf("past the end: %q %q", line, caret)
	}
}
