package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadmeAtlas keeps the README's table of the seed's claims identical
// to what `gilsim atlas scenarios/seed` prints. After changing a seed
// scenario or the engine, run
// `go run ./cmd/gilsim atlas --readme README.md scenarios/seed`.
func TestReadmeAtlas(t *testing.T) {
	t.Chdir("../..") // the paths in the table are relative to the repository's root
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "\n## The seed's claims, checked\n") {
		t.Error("README.md lacks the heading ## The seed's claims, checked")
	}
	got, err := atlasSection(string(readme))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"atlas", "scenarios/seed"}, &out, &errb); code != exitOK {
		t.Fatalf("gilsim atlas scenarios/seed: exit %d\n%s", code, errb.String())
	}
	want := out.String()
	if got == want {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("README.md's atlas section differs from `gilsim atlas scenarios/seed` at its line %d:\nREADME:    %s\ngenerated: %s\nRun `go run ./cmd/gilsim atlas --readme README.md scenarios/seed`.", i+1, g, w)
		}
	}
}
