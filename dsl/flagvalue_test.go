package dsl

import (
	"strings"
	"testing"
)

func TestParseDuration(t *testing.T) {
	good := map[string]int64{
		"0": 0, "0ms": 0, "1ns": 1, "1.5s": 1_500_000_000, "1.005ms": 1_005_000,
		"10us": 10_000, "10µs": 10_000, "10μs": 10_000, "9223372036854775807ns": 1<<63 - 1,
		"500ms": 500_000_000, "10s": 10_000_000_000, "0.000000001s": 1, "2.50000000000000s": 2_500_000_000,
		"9223372036.854775s": 9_223_372_036_854_775_000,
	}
	for in, want := range good {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                      "want a duration",
		"5":                     "want a duration",
		"5min":                  "want a duration",
		"10 ms":                 "want a duration",
		"-1ms":                  "want a duration",
		"1e3ms":                 "want a duration",
		"5KB":                   "want a duration",
		".5s":                   "want a duration",
		"0.5ns":                 "not a whole number of nanoseconds",
		"9223372036854775808ns": "too large",
		"10000000000s":          "too large",
		"ms":                    "want a duration",
		"1.ms":                  "want a duration",
		"+1ms":                  "want a duration",
		"0x10ms":                "want a duration",
		"10sx":                  "want a duration",
		"1h":                    "want a duration",
		"1_000ms":               "want a duration",
		"0.0000000001s":         "not a whole number",
		"1.0005us":              "not a whole number",
		"9223372037s":           "too large",
	}
	for in, want := range bad {
		if _, err := ParseDuration(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDuration(%q): error %v, want %q", in, err, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]int64{"0": 0, "1B": 1, "256MB": 256 << 20, "2GB": 2 << 30, "1.5KB": 1536, "256MiB": 256 << 20, "1.5KiB": 1536}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"1ms": "want a size", "12": "want a size", "0.5B": "not a whole number of bytes", "9000000000GB": "too large"} {
		if _, err := ParseSize(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSize(%q): error %v, want %q", in, err, want)
		}
	}
}
