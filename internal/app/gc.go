package app

// GCPercent is the collector's setting (GOGC) the gilsim command runs
// with unless the environment sets GOGC: the heap may grow to five times
// what is live before a collection. Parsing makes much short-lived
// garbage, and with Go's default of 100 the collector, not the work,
// bounds how fast a large file is read and how well a batch scales with
// cores. The benchmarks' table measures parsing at this setting too.
const GCPercent = 400
