package simulator

import (
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{FormatDuration(0), "0"},
		{FormatDuration(999), "999ns"},
		{FormatDuration(1_000), "1us"},
		{FormatDuration(1_234_567), "1.235ms"},
		{FormatDuration(812_000_000), "812ms"},
		{FormatDuration(1_500_000_000), "1.5s"},
		{FormatDuration(-2_000_000), "-2ms"},
		{FormatDuration(999_999_999), "1000ms"},
		{FormatDuration(math.MaxInt64), "9223372036.855s"},
		{FormatSize(0), "0B"},
		{FormatSize(1023), "1023B"},
		{FormatSize(1536), "1.5KiB"},
		{FormatSize(9_199_616), "8.773MiB"},
		{FormatSize(24 << 30), "24GiB"},
		{FormatSize(math.MaxInt64), "8589934592GiB"},
		{FormatNumber(99.9999), "100"},
		{FormatNumber(12.5), "12.5"},
		{FormatNumber(-0.0001), "0"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
