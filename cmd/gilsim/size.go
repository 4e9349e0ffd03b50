package main

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the size units of the scenario language (powers of 1024),
// longest first so that "MB" is not read as "B".
var sizeUnits = []struct {
	name  string
	scale int64
}{
	{"KB", 1 << 10},
	{"MB", 1 << 20},
	{"GB", 1 << 30},
	{"B", 1},
}

// parseSize reads a size the way the scenario language writes one: a whole
// number immediately followed by B, KB, MB or GB (powers of 1024).
func parseSize(s string) (int64, error) {
	bad := errors.New("want a size like 256MB or 2GB (units B, KB, MB, GB)")
	for _, u := range sizeUnits {
		num, ok := strings.CutSuffix(s, u.name)
		if !ok {
			continue
		}
		if !allDigits(num) {
			return 0, bad
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n > math.MaxInt64/u.scale {
			return 0, errors.New("too large: sizes must stay below 2^63 bytes")
		}
		return n * u.scale, nil
	}
	return 0, bad
}

// formatSize writes n bytes with the largest unit that divides it.
func formatSize(n int64) string {
	for i := len(sizeUnits) - 2; i >= 0; i-- {
		if u := sizeUnits[i]; n >= u.scale && n%u.scale == 0 {
			return strconv.FormatInt(n/u.scale, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// sizeFlag is a flag.Value holding bytes parsed by parseSize.
type sizeFlag struct{ bytes int64 }

func (f *sizeFlag) String() string {
	if f == nil {
		return ""
	}
	return formatSize(f.bytes)
}

func (f *sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	f.bytes = n
	return nil
}
