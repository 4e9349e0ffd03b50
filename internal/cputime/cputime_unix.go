//go:build unix

package cputime

import (
	"syscall"
	"time"
)

func usage() (syscall.Rusage, bool) {
	var ru syscall.Rusage
	return ru, syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil
}

func process() time.Duration {
	ru, ok := usage()
	if !ok {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pageFaults() int64 {
	ru, ok := usage()
	if !ok {
		return 0
	}
	return int64(ru.Minflt)
}
