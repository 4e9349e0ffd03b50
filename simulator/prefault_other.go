//go:build !linux

package simulator

import "unsafe"

// prefault does nothing where MADV_POPULATE_WRITE is not (prefault_linux.go):
// the pages fault one by one as they are written.
func prefault(unsafe.Pointer, uintptr) bool { return false }
