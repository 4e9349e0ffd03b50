package dsl

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShippedFilesFormatted: every .sim file of the repository that
// parses is formatted (gilsim fmt -w rewrites them), and formatting it
// keeps its meaning. Files that do not parse are error cases, left as
// they are.
func TestShippedFilesFormatted(t *testing.T) {
	n := 0
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".sim") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out, ferr := Format(path, src)
		if ferr != nil {
			return nil
		}
		n++
		checkFormatted(t, src, out)
		if !bytes.Equal(src, out) {
			t.Errorf("%s is not formatted: run go run ./cmd/gilsim fmt -w %s", path, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("only %d .sim files found", n)
	}
}
