package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Item is one entry of a batch's file list: a scenario file, or a path
// argument that names none (missing, unreadable, a glob that matches
// nothing), reported in its place.
type Item struct {
	Path  string
	Err   error
	Found bool // found by walking a folder, not named by an argument
}

// Expand turns path arguments into the file list: a file as it is
// (whatever its extension), a folder as every *.sim below it (in lexical
// order, recursively), a glob as its matches (each expanded the same
// way). A path that names no file is an Item with an Err, in its place;
// so is a folder that cannot be read, and one with no .sim file. A file
// named twice (`gilsim test . .`, a folder and a file in it, `a.sim` and
// `./a.sim`, a symbolic link to it) is listed once, where it first comes.
func Expand(args []string) []Item {
	return dedupe(expand(args))
}

// dedupe keeps the first Item of each file: the same path once cleaned,
// made absolute and its symbolic links resolved. Items with an Err are
// kept unless their path is repeated. A file also named by an argument
// counts as named (not Found), wherever it first came: a workload file
// named on the command line is an error for `gilsim run` even when the
// folder walk met it first.
func dedupe(items []Item) []Item {
	out := items[:0]
	seen := map[string]int{} // key -> index in out
	for _, it := range items {
		key := filepath.Clean(it.Path)
		if it.Err == nil {
			if abs, err := filepath.Abs(key); err == nil {
				if real, err := filepath.EvalSymlinks(abs); err == nil {
					key = real
				}
			}
		}
		if i, ok := seen[key]; ok {
			out[i].Found = out[i].Found && it.Found
			continue
		}
		seen[key] = len(out)
		out = append(out, it)
	}
	return out
}

func expand(args []string) []Item {
	var items []Item
	for _, arg := range args {
		if strings.ContainsAny(arg, "*?[") {
			if _, err := os.Lstat(arg); err != nil {
				matches, gerr := filepath.Glob(arg)
				switch {
				case gerr != nil:
					items = append(items, Item{Path: arg, Err: fmt.Errorf("bad pattern: %v", gerr)})
				case len(matches) == 0:
					items = append(items, Item{Path: arg, Err: errors.New("no file matches this pattern")})
				}
				for _, m := range matches {
					items = append(items, expandPath(m)...)
				}
				continue
			}
		}
		items = append(items, expandPath(arg)...)
	}
	return items
}

func expandPath(path string) []Item {
	st, err := os.Stat(path)
	if err != nil {
		return []Item{{Path: path, Err: err}}
	}
	if !st.IsDir() {
		return []Item{{Path: path}}
	}
	var items []Item
	walkErr := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// An unreadable folder is reported in its place; the walk
			// goes on with its siblings.
			items = append(items, Item{Path: p, Err: err})
			if d != nil && d.IsDir() && p != path {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".sim") {
			items = append(items, Item{Path: p, Found: true})
		}
		return nil
	})
	if walkErr != nil {
		items = append(items, Item{Path: path, Err: walkErr})
	}
	if len(items) == 0 {
		items = append(items, Item{Path: path, Err: ErrNoScenarios})
	}
	return items
}

// ErrNoScenarios is the error of a folder with no .sim file below it.
var ErrNoScenarios = errors.New("no .sim files in this folder")

// Shard is --shard K/N: the K-th (1-based) of N contiguous slices of a
// file list. The zero Shard is the whole list.
type Shard struct{ K, N int }

// ParseShard reads K/N.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Shard{}, fmt.Errorf("--shard %s: want K/N, such as 2/4", s)
	case n < 1:
		return Shard{}, fmt.Errorf("--shard %s: N must be at least 1", s)
	case k < 1 || k > n:
		return Shard{}, fmt.Errorf("--shard %s: K must be between 1 and N (%d)", s, n)
	}
	return Shard{k, n}, nil
}

// Slice returns the shard's part of items: contiguous slices of sizes
// that differ by at most one, so that the outputs of shards 1..N, put end
// to end in order, are the output of the whole list.
func (s Shard) Slice(items []Item) []Item {
	if s.N <= 1 {
		return items
	}
	lo := (s.K - 1) * len(items) / s.N
	hi := s.K * len(items) / s.N
	return items[lo:hi]
}
