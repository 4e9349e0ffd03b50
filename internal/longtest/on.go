//go:build long

package longtest

// Enabled is set by the build tag long.
const Enabled = true
