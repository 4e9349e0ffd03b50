package dsl

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Values convert exactly, as decimals: `1.005ms` is 1005 * 10^6 / 10^3 ns
// computed in integers, never through a float.

type convResult uint8

const (
	convOK       convResult = iota
	convNotWhole            // the value has a fractional part in the target unit
	convTooLarge            // the value is 2^63 or more
)

var pow10 = func() [20]uint64 {
	var p [20]uint64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// exactScaled returns digits * scale as an int64, where digits is
// `[0-9]+(\.[0-9]+)?`.
func exactScaled(digits string, scale uint64) (int64, convResult) {
	if len(digits) <= 19 {
		// The common case, a whole number of at most 19 digits (it fits
		// in a uint64), in one pass.
		var m uint64
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if c < '0' || c > '9' {
				goto general
			}
			m = m*10 + uint64(c-'0')
		}
		hi, lo := bits.Mul64(m, scale)
		if hi != 0 || lo > math.MaxInt64 {
			return 0, convTooLarge
		}
		return int64(lo), convOK
	}
general:
	intPart, frac, _ := strings.Cut(digits, ".")
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	mant := intPart + frac
	mant = strings.TrimLeft(mant, "0")
	if mant == "" {
		return 0, convOK
	}
	k := len(frac)
	if len(mant) <= 19 && k <= 19 {
		m, err := strconv.ParseUint(mant, 10, 64)
		if err == nil {
			hi, lo := bits.Mul64(m, scale)
			div := pow10[k]
			if hi >= div {
				return 0, convTooLarge
			}
			q, r := bits.Div64(hi, lo, div)
			if r != 0 {
				return 0, convNotWhole
			}
			if q > math.MaxInt64 {
				return 0, convTooLarge
			}
			return int64(q), convOK
		}
	}
	// Long mantissas are rare: do it in big integers.
	m, ok := new(big.Int).SetString(mant, 10)
	if !ok {
		return 0, convTooLarge
	}
	m.Mul(m, new(big.Int).SetUint64(scale))
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
	q, r := new(big.Int).QuoRem(m, div, new(big.Int))
	if r.Sign() != 0 {
		return 0, convNotWhole
	}
	if !q.IsInt64() {
		return 0, convTooLarge
	}
	return q.Int64(), convOK
}

// isZero reports whether digits is the bare zero that stands for any
// duration or size: `0` exactly. Other spellings of zero (00, 0.0) are
// numbers like any other and need a unit where a duration or size goes,
// as the language contract allows `0` alone and nothing else.
func isZero(digits string) bool { return digits == "0" }

// zeroSpelling reports whether digits is a zero written otherwise than
// `0` (00, 0.0), for the error that says how to write it.
func zeroSpelling(digits string) bool {
	return digits != "0" && strings.Trim(digits, "0.") == ""
}
