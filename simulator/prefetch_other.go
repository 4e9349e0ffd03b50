//go:build !amd64

package simulator

import "unsafe"

// prefetchThread does nothing on this architecture (prefetch_amd64.go).
func prefetchThread(unsafe.Pointer) {}

// prefetchLine does nothing on this architecture (prefetch_amd64.go).
func prefetchLine(unsafe.Pointer) {}
