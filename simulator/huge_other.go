//go:build !linux

package simulator

import "unsafe"

// adviseHuge does nothing but on Linux (huge_linux.go).
func adviseHuge(unsafe.Pointer, uintptr) {}
