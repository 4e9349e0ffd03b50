//go:build unix

package main

import (
	"errors"
	"syscall"
)

// canWrite reports whether this process may open path for writing
// (access(2) with W_OK). It says yes to root whatever the mode.
func canWrite(path string) error {
	return syscall.Access(path, 2) // W_OK
}

// pidAlive reports whether a process with this pid exists on this machine.
// A process of another user (EPERM) exists too.
func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || !errors.Is(err, syscall.ESRCH)
}
