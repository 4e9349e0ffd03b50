package main

import (
	"os"
	"strings"
	"testing"
)

// TestSpeedDoc keeps the table of docs/speed.md in step with the
// command: the same measures and targets, in the same order. Its
// measured column is one recorded run on the reference machine, which
// no test can check.
func TestSpeedDoc(t *testing.T) {
	b, err := os.ReadFile("../../docs/speed.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "<!-- benchtable -->\n")
	if !ok {
		t.Fatal("docs/speed.md has no <!-- benchtable --> table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var rows [][2]string
	for _, line := range strings.Split(table, "\n")[2:] {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 2 {
			t.Fatalf("docs/speed.md: not a table row: %q", line)
		}
		rows = append(rows, [2]string{strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])})
	}
	var want [][2]string
	for _, tg := range speedTargets() {
		want = append(want, [2]string{tg.measure, tg.goal})
	}
	want = append(want, [2]string{speedupMeasure, speedupGoal})
	if len(rows) != len(want) {
		t.Fatalf("docs/speed.md has %d rows, the command %d", len(rows), len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: docs/speed.md has %q, the command %q", i+1, rows[i], want[i])
		}
	}
}
