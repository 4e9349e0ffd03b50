package main

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// How much memory gilsim lets itself use.
//
// A run holds a measured number of bytes per entity (simulator.Footprint:
// about 0.9 KB per thread, 1.2 KB per native task); the Go collector lets
// the heap grow past what is live (GOGC=400, see tuneGC) until the soft
// memory limit, and then collects harder. The limit is 4 GiB, or half the
// memory this process may use if that is less (the machine's RAM, its
// cgroup's memory.max, its address-space rlimit), unless GOMEMLIMIT sets
// one. A batch runs at once only as many simulations as the limit holds
// (runBudget), so -j never multiplies one big run's memory past it.

// defaultSoftLimit is the soft memory limit gilsim sets unless GOMEMLIMIT
// is set: 4 GiB, or half of memoryAvailable if that is less.
func defaultSoftLimit() int64 {
	return min(4<<30, memoryAvailable()/2)
}

// memoryAvailable is the most memory this process may use: the least of
// the machine's RAM, the cgroup (v2 or v1) limit and RLIMIT_AS; MaxInt64
// when none of them can be read.
func memoryAvailable() int64 {
	avail := int64(math.MaxInt64)
	if n := memTotal(); n > 0 {
		avail = min(avail, n)
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			if n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil && n > 0 {
				avail = min(avail, n)
			}
		}
	}
	if n := addressSpaceLimit(); n > 0 {
		avail = min(avail, n)
	}
	return avail
}

// memTotal is MemTotal from /proc/meminfo, or 0.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 2 && fields[1] == "kB" {
			if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
				return n << 10
			}
		}
	}
	return 0
}

// runBudget is how many bytes of simulation (simulator.Footprint) a
// batch runs at once: three quarters of the soft memory limit, leaving
// the rest for the scenarios parsed ahead and for the collector's slack.
// A run bigger than the budget still runs, alone.
func runBudget() int64 {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		limit = defaultSoftLimit()
	}
	return limit / 4 * 3
}
