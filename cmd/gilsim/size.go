package main

import (
	"strconv"

	"github.com/gilsim/gilsim/dsl"
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

// formatSize writes n bytes with the largest unit that divides it.
func formatSize(n int64) string {
	for i := len(sizeUnits) - 2; i >= 0; i-- {
		if u := sizeUnits[i]; n >= u.scale && n%u.scale == 0 {
			return strconv.FormatInt(n/u.scale, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// sizeFlag is a flag.Value holding bytes, read as the scenario language
// writes sizes (dsl.ParseSize): 256MB, 2GB, 1.5KB.
type sizeFlag struct{ bytes int64 }

func (f *sizeFlag) String() string {
	if f == nil {
		return ""
	}
	return formatSize(f.bytes)
}

func (f *sizeFlag) Set(s string) error {
	n, err := dsl.ParseSize(s)
	if err != nil {
		return err
	}
	f.bytes = n
	return nil
}
