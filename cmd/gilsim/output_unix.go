//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// canWrite reports whether this process may open path for writing
// (access(2) with W_OK). It says yes to root whatever the mode.
func canWrite(path string) error {
	return syscall.Access(path, 2) // W_OK
}

// pidAlive reports whether a process with this pid is running on this
// machine. A process of another user (EPERM) is. A zombie, killed but not
// yet reaped by its parent, is not: it writes nothing any more.
func pidAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	return !zombie(pid)
}

// zombie reports whether /proc says pid has exited but is not reaped yet
// (state Z, after the command name in parentheses). Without /proc it
// cannot tell, and says no.
func zombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}
