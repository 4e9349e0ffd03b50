package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShardsPartitionTheList(t *testing.T) {
	var items []Item
	for i := range 23 {
		items = append(items, Item{Path: string(rune('a' + i))})
	}
	for n := 1; n <= 30; n++ {
		var all []string
		for k := 1; k <= n; k++ {
			part := Shard{k, n}.Slice(items)
			if len(part) > len(items)/n+1 || len(part) < len(items)/n {
				t.Errorf("shard %d/%d has %d items", k, n, len(part))
			}
			for _, it := range part {
				all = append(all, it.Path)
			}
		}
		var want []string
		for _, it := range items {
			want = append(want, it.Path)
		}
		if strings.Join(all, "") != strings.Join(want, "") {
			t.Errorf("%d shards, concatenated: %v", n, all)
		}
	}
	for _, bad := range []string{"3/2", "0/2", "1/0", "x/2", "2", "1/2/3", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("--shard %s accepted", bad)
		}
	}
}

func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.sim", "a.sim", "sub/c.sim", "sub/notes.txt", "other/d.sim"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(`scenario "x" { }`), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	got := Expand([]string{dir, filepath.Join(dir, "other", "*.sim"), filepath.Join(dir, "nothing*.sim"), filepath.Join(dir, "gone.sim"), filepath.Join(dir, "empty"), filepath.Join(dir, "sub", "notes.txt")})
	var lines []string
	for _, it := range got {
		l := strings.TrimPrefix(filepath.ToSlash(it.Path), filepath.ToSlash(dir)+"/")
		if it.Err != nil {
			l += " ! " + it.Err.Error()
			l = strings.ReplaceAll(l, filepath.ToSlash(dir)+"/", "")
		}
		if it.Found {
			l += " (found)"
		}
		lines = append(lines, l)
	}
	want := []string{
		// other/*.sim names other/d.sim again: listed once, where the
		// folder walk met it, as named
		"a.sim (found)", "b.sim (found)", "other/d.sim", "sub/c.sim (found)",
		"nothing*.sim ! no file matches this pattern",
		"gone.sim ! stat gone.sim: no such file or directory",
		"empty ! no .sim files in this folder",
		"sub/notes.txt",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// A file named twice, however it is spelled, runs once: `gilsim test . .`.
func TestExpandListsEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.sim", "sub/b.sim"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(`scenario "x" { }`), 0o644)
	}
	link := filepath.Join(dir, "link.sim")
	if err := os.Symlink(filepath.Join(dir, "a.sim"), link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	got := Expand([]string{dir, dir, filepath.Join(dir, "sub", "..", "a.sim"), filepath.Join(dir, "sub") + "/./b.sim", link, filepath.Join(dir, "gone.sim"), filepath.Join(dir, "gone.sim")})
	var lines []string
	for _, it := range got {
		lines = append(lines, strings.TrimPrefix(filepath.ToSlash(it.Path), filepath.ToSlash(dir)+"/"))
	}
	// the folder walk finds a.sim, link.sim (a link to a.sim: the same
	// file) and sub/b.sim; a missing file named twice is reported once
	want := []string{"a.sim", "sub/b.sim", "gone.sim"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
