package app

import "testing"

func TestReplaceSection(t *testing.T) {
	begin, end := Markers("fidelity")
	in := "# x\n\nintro\n" + begin + "\nold\n" + end + "\ntail\n"
	out, err := ReplaceSection(in, "fidelity", "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# x\n\nintro\n" + begin + "\nnew\n" + end + "\ntail\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if s, _ := Section(out, "fidelity"); s != "new\n" {
		t.Errorf("Section = %q", s)
	}
	for _, bad := range []string{"no markers", end + begin, begin + begin + end, begin + end + begin + end} {
		if _, err := ReplaceSection(bad, "fidelity", "x"); err == nil {
			t.Errorf("ReplaceSection(%q) should fail", bad)
		}
		if _, err := Section(bad, "fidelity"); err == nil {
			t.Errorf("Section(%q) should fail", bad)
		}
	}
	if _, err := ReplaceSection(in, "atlas", "x"); err == nil {
		t.Error("another section's markers should not do")
	}
}

func TestFirstDifference(t *testing.T) {
	if line, _, _ := FirstDifference("a\nb\n", "a\nb\n"); line != 0 {
		t.Errorf("equal texts: line %d", line)
	}
	if line, g, w := FirstDifference("a\nb\nc", "a\nx\nc"); line != 2 || g != "b" || w != "x" {
		t.Errorf("got %d %q %q", line, g, w)
	}
	if line, g, w := FirstDifference("a", "a\nmore"); line != 2 || g != "" || w != "more" {
		t.Errorf("longer want: got %d %q %q", line, g, w)
	}
}
