package simulator

import (
	"math/bits"
	"strconv"
	"strings"
)

// A unit of printed values: the largest whose scale the value reaches is
// used, so the tables below go from the largest unit down to 1.
type printUnit struct {
	name  string
	scale int64
}

var (
	durationUnits = []printUnit{{"s", 1_000_000_000}, {"ms", 1_000_000}, {"us", 1_000}, {"ns", 1}}
	sizeUnits     = []printUnit{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
)

// printUnitFor is the unit v (>= 0) prints in.
func printUnitFor(v int64, units []printUnit) printUnit {
	for _, u := range units[:len(units)-1] {
		if v >= u.scale {
			return u
		}
	}
	return units[len(units)-1]
}

// formatIn renders v in the largest of units it reaches, with at most
// three decimals; zero is zero.
func formatIn(v int64, units []printUnit, zero string) string {
	if v == 0 {
		return zero
	}
	neg := v < 0
	if neg {
		v = -v
	}
	u := printUnitFor(v, units)
	s := fixed3(v, u.scale) + u.name
	if neg {
		s = "-" + s
	}
	return s
}

// FormatDuration renders ns in the largest unit that keeps the value at
// least 1, with at most three decimals and no trailing zeros: 812ms,
// 1.5s, 24us, 0. The output never depends on the locale or on %v.
func FormatDuration(ns int64) string { return formatIn(ns, durationUnits, "0") }

// FormatSize renders bytes in B, KiB, MiB or GiB with at most three
// decimals (KB in the language means 1024 bytes; the output says KiB to be
// plain about it).
func FormatSize(b int64) string { return formatIn(b, sizeUnits, "0B") }

// sizeExact reports whether FormatSize(b) is b exactly, not rounded.
func sizeExact(b int64) bool {
	if b < 0 {
		b = -b
	}
	scale := printUnitFor(b, sizeUnits).scale
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
