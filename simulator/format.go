package simulator

import (
	"math/bits"
	"strconv"
	"strings"
)

// FormatDuration renders ns in the largest unit that keeps the value at
// least 1, with at most three decimals and no trailing zeros: 812ms,
// 1.5s, 24us, 0. The output never depends on the locale or on %v.
func FormatDuration(ns int64) string {
	if ns == 0 {
		return "0"
	}
	neg := ns < 0
	if neg {
		ns = -ns
	}
	var unit string
	var scale int64
	switch {
	case ns >= 1_000_000_000:
		unit, scale = "s", 1_000_000_000
	case ns >= 1_000_000:
		unit, scale = "ms", 1_000_000
	case ns >= 1_000:
		unit, scale = "us", 1_000
	default:
		unit, scale = "ns", 1
	}
	s := fixed3(ns, scale) + unit
	if neg {
		s = "-" + s
	}
	return s
}

// FormatSize renders bytes in B, KiB, MiB or GiB with at most three
// decimals (KB in the language means 1024 bytes; the output says KiB to be
// plain about it).
func FormatSize(b int64) string {
	if b == 0 {
		return "0B"
	}
	neg := b < 0
	if neg {
		b = -b
	}
	var unit string
	var scale int64
	switch {
	case b >= 1<<30:
		unit, scale = "GiB", 1<<30
	case b >= 1<<20:
		unit, scale = "MiB", 1<<20
	case b >= 1<<10:
		unit, scale = "KiB", 1<<10
	default:
		unit, scale = "B", 1
	}
	s := fixed3(b, scale) + unit
	if neg {
		s = "-" + s
	}
	return s
}

// sizeExact reports whether FormatSize(b) is b exactly, not rounded.
func sizeExact(b int64) bool {
	if b < 0 {
		b = -b
	}
	scale := int64(1)
	switch {
	case b >= 1<<30:
		scale = 1 << 30
	case b >= 1<<20:
		scale = 1 << 20
	case b >= 1<<10:
		scale = 1 << 10
	}
	// f/2^k has three decimals or fewer when f·1000 = f·8·125 is a
	// multiple of 2^k, that is when f is a multiple of 2^k/8
	return b%scale%max(scale/8, 1) == 0
}

// FormatNumber renders a plain number with at most three decimals.
func FormatNumber(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// fixed3 divides v (>= 0) by scale and prints at most three decimals,
// rounding half up, without going through floating point.
func fixed3(v, scale int64) string {
	if scale == 1 {
		return strconv.FormatInt(v, 10)
	}
	// thousandths of the unit, rounded; the 128-bit product keeps it exact
	hi, lo := bits.Mul64(uint64(v), 1000)
	lo, carry := bits.Add64(lo, uint64(scale/2), 0)
	hi += carry
	t, _ := bits.Div64(hi, lo, uint64(scale))
	whole, frac := t/1000, t%1000
	s := strconv.FormatUint(whole, 10)
	if frac != 0 {
		f := strconv.FormatUint(frac+1000, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	return s
}
