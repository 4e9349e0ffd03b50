//go:build unix

package main

import (
	"math"
	"syscall"
)

// addressSpaceLimit is RLIMIT_AS (ulimit -v) in bytes, or 0 when there is none.
func addressSpaceLimit() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil || rl.Cur == 0 || rl.Cur >= math.MaxInt64 {
		return 0
	}
	return int64(rl.Cur)
}
