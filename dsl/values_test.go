package dsl

import (
	"math"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExactScaled(t *testing.T) {
	cases := []struct {
		digits string
		scale  uint64
		want   int64
		res    convResult
	}{
		{"1.005", 1_000_000, 1_005_000, convOK},
		{"0.5", 1, 0, convNotWhole},
		{"0.001", 1000, 1, convOK},
		{"0.0001", 1000, 0, convNotWhole},
		{"1.500000000000000000000000", 1000, 1500, convOK},
		{"000000000000000000000000012", 1, 12, convOK},
		{"0.5", 1 << 10, 512, convOK},
		{"0.3", 1, 0, convNotWhole},
		{"9223372036854775807", 1, math.MaxInt64, convOK},
		{"9223372036854775808", 1, 0, convTooLarge},
		{"9223372036.854775807", 1_000_000_000, math.MaxInt64, convOK},
		{"9223372036.854775808", 1_000_000_000, 0, convTooLarge},
		{"99999999999999999999999999", 1, 0, convTooLarge},
		{"8589934591.99999999906867742538452148437", 1 << 30, math.MaxInt64 - 1, convNotWhole},
		{"0.0000000000000000000000000000009313225746154785156250", 1 << 30, 0, convNotWhole},
		{"0.00000000000000000000000000000000000000000000000000000001", 1_000_000_000, 0, convNotWhole},
		{"0", 1_000_000_000, 0, convOK},
		{"0.000", 1, 0, convOK},
		{"9999999999999999999", 1, 0, convTooLarge},
		{"0000000000000000001", 1000, 1000, convOK},
		{"9223372037", 1_000_000_000, 0, convTooLarge},
		{"9223372036", 1_000_000_000, 9_223_372_036_000_000_000, convOK},
	}
	for _, c := range cases {
		got, res := exactScaled(c.digits, c.scale)
		if res != c.res || res == convOK && got != c.want {
			t.Errorf("exactScaled(%s, %d) = %d, %d; want %d, %d", c.digits, c.scale, got, res, c.want, c.res)
		}
	}
}

// TestExactScaledMatchesRationals compares exactScaled with exact
// rational arithmetic on random decimals, whole and not, short and long.
func TestExactScaledMatchesRationals(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	scales := []uint64{1, 1_000, 1_000_000, 1_000_000_000, 1 << 10, 1 << 20, 1 << 30}
	limit := new(big.Rat).SetInt64(math.MaxInt64)
	for range 20_000 {
		var b strings.Builder
		for range 1 + r.Intn(22) {
			b.WriteByte(byte('0' + r.Intn(10)))
		}
		if r.Intn(3) == 0 {
			b.WriteByte('.')
			for range 1 + r.Intn(12) {
				b.WriteByte(byte('0' + r.Intn(10)))
			}
		}
		digits, scale := b.String(), scales[r.Intn(len(scales))]
		want, _ := new(big.Rat).SetString(digits)
		want.Mul(want, new(big.Rat).SetInt(new(big.Int).SetUint64(scale)))
		got, res := exactScaled(digits, scale)
		switch {
		case !want.IsInt():
			if res != convNotWhole && res != convTooLarge {
				t.Fatalf("exactScaled(%s, %d) = %d, %d; want not whole", digits, scale, got, res)
			}
		case want.Cmp(limit) > 0:
			if res != convTooLarge {
				t.Fatalf("exactScaled(%s, %d) = %d, %d; want too large", digits, scale, got, res)
			}
		case res != convOK || got != want.Num().Int64():
			t.Fatalf("exactScaled(%s, %d) = %d, %d; want %s", digits, scale, got, res, want.Num())
		}
	}
}

func TestDurationUnits(t *testing.T) {
	for _, c := range []struct {
		src  string
		want int64
	}{
		{"7ns", 7}, {"7us", 7000}, {"7µs", 7000}, {"7μs", 7000}, {"7ms", 7_000_000}, {"7s", 7_000_000_000},
		{"0.000000001s", 1}, {"1.5us", 1500}, {"0", 0}, {"0.0ms", 0}, {"00s", 0}, {"9223372036854775807ns", math.MaxInt64},
	} {
		sc := mustParse(t, `scenario "u" { task "t" { cpu `+c.src+` } }`)
		if got := sc.Processes[0].Threads[0].Steps[0].Dur.A; got != c.want {
			t.Errorf("%s = %d ns, want %d", c.src, got, c.want)
		}
	}
	for _, c := range []struct {
		src  string
		want int64
	}{
		{"3B", 3}, {"3KB", 3 << 10}, {"3MB", 3 << 20}, {"3GB", 3 << 30}, {"1.5KB", 1536}, {"0", 0},
		// the binary prefixes are the same powers of 1024, as results print them
		{"3KiB", 3 << 10}, {"3MiB", 3 << 20}, {"3GiB", 3 << 30}, {"1.5MiB", 3 << 19}, {"0.5KiB", 512},
	} {
		sc := mustParse(t, `scenario "u" { machine { memory `+c.src+` } }`)
		if got := sc.Machine.MemTotal; got != c.want {
			t.Errorf("%s = %d bytes, want %d", c.src, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"makespan", "finish", "start", "wait", "gil_wait"}
	for word, want := range map[string]string{
		"makspan": "makespan", "finsh": "finish", "MAKESPAN": "makespan", "strat": "start",
		"xyz": "", "wiat": "wait", "gilwait": "gil_wait", "totally_different": "",
	} {
		if got := suggest(word, cands); got != want {
			t.Errorf("suggest(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sim")
	if err := os.WriteFile(good, []byte(`scenario "f" { task "t" { cpu 1ms } }`), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := ParseFile(good)
	if err != nil || sc.File != good || sc.Title != "f" {
		t.Fatalf("ParseFile: %v %+v", err, sc)
	}
	if _, err := ParseFile(filepath.Join(dir, "missing.sim")); err == nil {
		t.Error("missing file: no error")
	}
	big := filepath.Join(dir, "big.sim")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ParseFile(big)
	if err == nil || !strings.Contains(err.Error(), "file is too large") || !strings.HasPrefix(err.Error(), big+": ") {
		t.Errorf("big file: %v", err)
	}
	if _, err := Parse("x.sim", make([]byte, MaxFileSize+1)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("big source: %v", err)
	}
}
