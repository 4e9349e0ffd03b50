// Package report renders a simulator.Result for people and for programs.
// It only formats: it never runs or re-runs anything, and the same Result
// always gives the same bytes.
//
// # Tables
//
// Tables writes the text a terminal user sees, in this order:
//
//	== <scenario title> (<file>) ==
//	summary       makespan, cpu time, utilization, context switches, events, peak memory
//	processes     CPython processes only (native tasks have no GIL): GIL hand-offs,
//	              forced switches, total GIL wait, peak memory, and the loop columns
//	              (lag max, lag mean, stall max) when any process has a loop metric
//	tasks         name, kind, process, arrival, start, finish, turnaround, cpu,
//	              wait, gil wait, io, [lock wait,] switches; lock wait only when
//	              some task waited for a lock
//	warnings:     one line each, file:line: process/entity: message
//	DEADLOCK / FAILURE report, when the run ended in one
//	expectations: PASS  expect makespan < 900ms  (actual 812ms)
//
// Replica groups. The replicas that `x N` makes (tasks of one Group and
// Kind whose processes belong to one process group) share one row, named
// like "w#1..4 (x4)". Instants (arrival, start, finish) and turnaround show
// the range "min–max" (one value when all are equal), because that is what
// answers "when did the group run"; accumulations (cpu, wait, gil wait,
// io, switches) show the group's total, the same sum the `wait("w")`
// expectation uses (lock wait likewise). A note under the table repeats this. Replicated
// processes collapse the same way in the process table: counts and GIL
// wait are totals, peak memory and the loop maxima are the largest
// replica's, and the loop lag mean is the mean over replicas.
// TableOptions.PerTask shows one row per task and per process instead.
//
// A start or finish that never happened (-1 in the Result) shows as "-";
// in a group, the range covers the members that have one and says how
// many never did.
//
// Numbers are formatted with simulator.FormatDuration, FormatSize and
// FormatNumber, never with %v, so output does not depend on the locale or
// on float printing.
//
// Every string that comes from a scenario (titles, file names, entity
// names, messages) is untrusted, and each format escapes it by one rule;
// see Escaping below.
//
// # JSON
//
// JSON writes the contract of docs/language.md ("JSON result"): one object for
// one result, an array otherwise; the contract's fields first, in its
// order, then extra fields: cpu_ns, switch_ns, context_switches, warnings
// (line, col, process, entity, message), deadlock and failure (null when
// the run had none); per task lock_wait_ns, group and finished; per process
// loop_lag_mean_ns, group and native; per expectation line and error (the
// latter only when the metric could not be computed). Times are integer
// nanoseconds; start_ns, finish_ns and turnaround_ns are -1 (never null)
// for a task that never started or never finished. utilization is rounded
// to three decimals and always written with a decimal point. Arrays are
// [] rather than null when empty. Strings follow the JSON rule of
// Escaping below.
//
// JSONRuns takes Runs, results with the sweep parameters that produced
// them, and adds "params": {"workers": 4, "switch": "5ms"} (declaration
// order; plain numbers as JSON numbers) after the other fields of a run
// that has parameters; without parameters its bytes are JSON's.
// JSONStream writes the same output one run at a time, and JSONLine one
// compact object per line (JSON Lines), so that the outputs of several
// machines concatenate.
//
// # Markdown, CSV and sweeps
//
// Markdown renders a result like Tables, as GitHub-flavoured Markdown.
// SweepTable and SweepMarkdown render a sweep as one table: a row per run,
// its varied parameters, then makespan, utilization, cpu time, context
// switches, total GIL wait, peak memory (and the worst loop lag when a
// run has one), and how the run went ("3/3", "1/3 FAIL", "DEADLOCK");
// what went wrong follows the table, one line per failure.
//
// A Grid is a table of raw strings that writes itself as a terminal table,
// Markdown or CSV, making each cell safe for that medium by the rules of
// Escaping below. SummaryGrid (a row per run) and TasksGrid (a row per
// task of every run) are the CSV outputs, in integer nanoseconds and
// bytes, with one column per parameter of any run.
//
// # Escaping
//
// The language refuses control characters in names and titles, but
// other text reaches the output too (file names, hand-built Results), and
// names may hold bidirectional controls and invisible characters. Each
// format has one rule, for every string of every kind:
//
//   - Terminal (Tables, SweepTable, CompareTable, Timeline, Grid.WriteTable,
//     the CLI's messages): TermSafe. Characters a terminal would act on or
//     show as nothing become visible Go-style escapes: C0 and C1 controls
//     and DEL (\x1b, \n, \u0085), U+2028 and U+2029, bidi controls
//     (\u202e), invisible characters (Unicode's default-ignorable code
//     points: \u200b, \u00ad, \ufe0f, \U000e0041), and bytes that are not
//     UTF-8 (\xff). A backslash stays as it is. Everything else is shown
//     as written, and table columns are measured per character as
//     terminals measure them (wide CJK and emoji take two columns, a
//     combining accent none), never from the locale, so the padding is the
//     same on every machine.
//   - Markdown (Markdown, SweepMarkdown, CompareMarkdown,
//     Grid.WriteMarkdown): MarkdownEscape, which is TermSafe and then a
//     backslash before each character Markdown could read as markup
//     (\ ` * _ [ ] < > | ~ & # !).
//   - HTML (HTML's page): TermSafe, then html/template's escaping for the
//     place the text stands (element text or attribute).
//   - CSV (Grid.WriteCSV): the text exactly, quoted as RFC 4180 needs by
//     encoding/csv, so that a name reads the same in CSV as in JSON; the one
//     change is CSVSafe's formula guard: a text cell that starts with = + -
//     @, a tab, a carriage return or ' gets one ' in front (remove one
//     leading ' to read it back). Numeric cells are numbers and unguarded.
//   - JSON (JSON, JSONRuns, JSONStream, JSONLine, CompareJSON) and the
//     trace (TraceWriter): the text exactly, as a JSON string that decodes
//     to it. <, > and & are written as themselves; the characters the
//     terminal rule escapes are written as JSON escapes (\u001b, \u202e,
//     \u200b, a surrogate pair past U+FFFF), so that the document is as
//     inert as a table when printed; bytes that are not UTF-8 become
//     \ufffd.
//
// # Comparisons
//
// A Comparison is a workload run under several concurrency models by
// compare.Run (`gilsim compare`), with the sweep parameters of its run.
// CompareTable writes it for a terminal: a header line, what was compared
// ("workload "fetch": 200 tasks on 4 cores; processes: a pool of 4
// workers"), then one row per model with its makespan, speed-up against
// sequential (two decimals and ×), CPU parallelism (CPU time / makespan,
// two decimals), total GIL wait, worst task latency, loop lag (only for
// asyncio and gevent models, "-" for the others) and peak memory; a model
// that could not run shows "-" throughout, one that stopped in a deadlock
// or failure "-" for its speed-up and latency. Then "verdicts:" (one plain
// sentence per model), "notes:" (where a model changes what a step means)
// and "expectations:" with PASS, FAIL or SKIP (a model left out of
// --models). CompareMarkdown is the same in Markdown; CompareGrid one CSV
// row per model of every comparison, integer nanoseconds and bytes (empty
// where a number does not apply). CompareJSON writes one array with an
// object per model: model, makespan_ns, speedup (sequential makespan /
// the model's, three decimals), cpu_ns, parallelism, gil_wait_ns,
// latency_ns, loop_lag_ns (null without a loop), memory_peak_bytes,
// verdict, notes, ran and not_run, problem, the scenario, file, workload,
// tasks, cores, workers (processes), the expectations about the model and
// params. NewCompareHTMLSection lays a comparison out for HTML: the
// table, two bar charts (makespan, peak memory) as inline SVG, verdicts,
// notes and expectations.
//
// # Timelines, traces and HTML
//
// These draw a run over time, so they need more than the Result: they
// watch the run through simulator.Options.Trace (and Mark).
//
// A Recorder (NewRecorder, then its Trace method as Options.Trace) keeps,
// for each line of the chart, a fixed number of time buckets of how long
// its entities spent running, context switching, waiting for a core,
// waiting for the GIL, waiting for their loop, blocked and sleeping;
// memory does not grow with the run.
// Lines are the cores, then the entities in Result.Tasks order; a replica
// group of more than four shows three members and one "(xN)" line for the
// rest, and past 40 entity lines the rest share a "+ N more" line.
// Timeline writes it as text: a column shows the state that took most of
// its time (# running, ~ context switch, - waiting for a core, g waiting
// for the GIL, : a ready coroutine or greenlet waiting for its loop or hub,
// . blocked or parked, z sleeping, _ done, blank before arrival or for an
// idle core), under a time axis and above a legend. Time no span covers
// between an entity's arrival and finish counts as blocked: that is how a
// coroutine or greenlet parked on an await, a sleep or a switch shows.
//
// A TraceWriter streams the run as Chrome Trace Event Format JSON for
// Perfetto UI and chrome://tracing: a "cores" process with a track per
// core, then a process per simulated process with a track per entity;
// complete ("X") events per state stretch, with "parked" stretches
// between a coroutine's or greenlet's spans; GIL drop requests, forced
// drops and hand-offs as thread-scoped instants; names as metadata at the
// end. Times are microseconds with three decimals (exact nanoseconds).
//
// HTML writes a self-contained page (no script, no URL fetched) of
// HTMLSections, one per run: the tables above and the Recorder's chart as
// an SVG Gantt chart, every scenario string escaped by html/template; or
// one per comparison (NewCompareHTMLSection).
package report
