package dsl

import "errors"

// ParseDuration reads a duration written as the language writes one — a
// number glued to ns, us, µs, ms or s, or a bare 0 — for a command line's
// flags (`--max-time 1.5s`). It returns whole nanoseconds, converted
// exactly: a value that is not a whole number of nanoseconds, or reaches
// 2^63 ns, is an error, as in a scenario file.
func ParseDuration(s string) (int64, error) {
	return parseQuantity(s, unitDuration,
		"want a duration like 500ms or 10s (units ns, us, µs, ms, s)",
		"not a whole number of nanoseconds",
		"too large: durations must stay below 2^63 ns")
}

// ParseSize reads a size written as the language writes one — a number
// glued to B, KB, MB or GB (powers of 1024, also spelled KiB, MiB, GiB), or a bare 0 — for a command
// line's flags (`--max-trace-size 256MB`). It returns whole bytes.
func ParseSize(s string) (int64, error) {
	return parseQuantity(s, unitSize,
		"want a size like 256MB or 2GB (units B, KB, MB, GB, KiB, MiB, GiB)",
		"not a whole number of bytes",
		"too large: sizes must stay below 2^63 bytes")
}

func parseQuantity(s string, kind unitKind, bad, notWhole, tooLarge string) (int64, error) {
	neg, digits, unit, ok := splitQuantity(s)
	if !ok || neg || digits[0] == '.' {
		return 0, errors.New(bad)
	}
	if unit == "" {
		if isZero(digits) {
			return 0, nil
		}
		return 0, errors.New(bad)
	}
	u, known := units[unit]
	if !known || u.kind != kind {
		return 0, errors.New(bad)
	}
	v, r := exactScaled(digits, u.scale)
	switch r {
	case convNotWhole:
		return 0, errors.New(notWhole)
	case convTooLarge:
		return 0, errors.New(tooLarge)
	}
	return v, nil
}
