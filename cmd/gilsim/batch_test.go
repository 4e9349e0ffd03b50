package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gilsim/gilsim/simulator"
)

// TestBatchIsDeterministic runs the shipped scenarios and a sweep with one
// worker and with many: every format must give the same bytes.
func TestBatchIsDeterministic(t *testing.T) {
	t.Parallel()
	for _, format := range runFormats {
		args := []string{"--format", format, "../../scenarios/os", "../../scenarios/gil", "testdata/sweep.sim", "testdata/failing.sim", "testdata/syntax.sim", "testdata/missing.sim"}
		var outs, errs []string
		for _, j := range []string{"1", "3", "16"} {
			for _, cmd := range []string{"run", "test"} {
				var out, errb bytes.Buffer
				code := run(append([]string{cmd, "-j", j}, args...), &out, &errb)
				if code != 2 {
					t.Errorf("%s -j %s --format %s: exit %d, want 2\n%s", cmd, j, format, code, errb.String())
				}
				outs = append(outs, out.String())
				errs = append(errs, errb.String())
			}
		}
		for i := 2; i < len(outs); i++ {
			if outs[i] != outs[i%2] || errs[i] != errs[i%2] {
				t.Errorf("--format %s: output %d differs from a sequential run:\n%s\n--- sequential\n%s", format, i, outs[i], outs[i%2])
			}
		}
	}
}

// TestShardOutputsConcatenate: the jsonl of every shard, concatenated, is
// the jsonl of the whole batch.
func TestShardOutputsConcatenate(t *testing.T) {
	t.Parallel()
	args := []string{"--format", "jsonl", "../../scenarios/os", "testdata/sweep.sim", "testdata/fcfs.sim"}
	var whole, errb bytes.Buffer
	run(append([]string{"run"}, args...), &whole, &errb)
	var joined bytes.Buffer
	for k := 1; k <= 4; k++ {
		run(append([]string{"run", "--shard", string(rune('0'+k)) + "/4"}, args...), &joined, &errb)
	}
	if whole.Len() == 0 || !bytes.Equal(whole.Bytes(), joined.Bytes()) {
		t.Errorf("shards concatenated differ from the whole batch\n%s\n--- whole\n%s", joined.String(), whole.String())
	}
}

func TestAtomicOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "results.json")
	os.WriteFile(out, []byte("old"), 0o600)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", "--format", "json", "--out", out, "testdata/fcfs.sim"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, _ := os.ReadFile(out)
	if stdout.Len() != 0 || !strings.HasPrefix(string(b), "{\n  \"scenario\": \"fcfs convoy\"") {
		t.Errorf("stdout %q, file %q", stdout.String(), b)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("the replaced file's mode is not kept: %v", st.Mode())
	}
	// A failed write leaves the old file and no temporary file.
	os.WriteFile(out, []byte("old"), 0o644)
	a, err := createAtomic(out)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("half"))
	a.Abort()
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("abort changed the destination: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	// A folder that does not exist is refused before anything runs.
	stderr.Reset()
	missing := filepath.Join(dir, "nope", "r.json")
	if code := run([]string{"run", "--out", missing, "testdata/fcfs.sim"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "does not exist") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	e := realEnv()
	e.terminal = func(w io.Writer) (int, bool) { return 80, w == &errb }
	e.run([]string{"test", "../../scenarios/os", "testdata/syntax.sim"}, &out, &errb)
	s := errb.String()
	if !strings.Contains(s, "runs\x1b[K") || !strings.Contains(s, "\r\x1b[K") || !strings.Contains(s, "testdata/syntax.sim:3:9") {
		t.Errorf("no bar, or no message under it: %q", s)
	}
	if strings.HasSuffix(s, "runs\x1b[K") {
		t.Errorf("bar not cleared at the end: %q", s)
	}
	errb.Reset()
	run([]string{"test", "../../scenarios/os"}, &out, &errb)
	if errb.Len() != 0 {
		t.Errorf("a bar on a pipe: %q", errb.String())
	}
}

func TestAtomicOutThroughLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "results", "r.json")
	os.MkdirAll(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("old"), 0o600)
	links := filepath.Join(dir, "links")
	os.MkdirAll(links, 0o755)
	link := filepath.Join(links, "latest.json")
	if err := os.Symlink(filepath.Join("..", "results", "r.json"), link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", "--format", "json", "--out", link, "testdata/fcfs.sim"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(real)
	if !strings.HasPrefix(string(b), "{\n  \"scenario\": \"fcfs convoy\"") {
		t.Errorf("the link's target holds %q", b)
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode is not kept: %v", st.Mode())
	}
	for _, d := range []string{links, filepath.Dir(real)} {
		if got := dirEntries(t, d); len(got) != 1 {
			t.Errorf("%s holds %q, want one file", d, got)
		}
	}

	// A dangling link: the write creates its target.
	dangling := filepath.Join(links, "new.json")
	os.Symlink(filepath.Join("..", "results", "new.json"), dangling)
	if code := run([]string{"run", "--format", "json", "--out", dangling, "testdata/fcfs.sim"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "results", "new.json")); err != nil || !strings.Contains(string(b), "fcfs convoy") {
		t.Errorf("the dangling link's target: %q, %v", b, err)
	}
	if st, err := os.Lstat(dangling); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the dangling link was replaced: %v", err)
	}

	// --out that is an input, through a link on either side: refused,
	// nothing written.
	input := filepath.Join(dir, "in.sim")
	src, _ := os.ReadFile("testdata/fcfs.sim")
	os.WriteFile(input, src, 0o644)
	toInput := filepath.Join(links, "in-link.sim")
	os.Symlink(input, toInput)
	for _, args := range [][]string{
		{"run", "--out", toInput, input},
		{"run", "--out", input, toInput},
		{"test", "--out", toInput, input},
		{"report", "-o", toInput, input},
		{"trace", "-o", toInput, input},
	} {
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "input file") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
		if b, _ := os.ReadFile(input); !bytes.Equal(b, src) {
			t.Fatalf("%q replaced the input file", args)
		}
	}
}

// gilsim run skips the workload files it finds in a folder, naming each
// on one escaped line of stderr; gilsim test compares them.
func TestRunSkipsFoundWorkloads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.sim"), []byte(`scenario "a" { task "t" { cpu 1ms } expect makespan == 1ms }`), 0o644)
	hostile := filepath.Join(dir, "w\x1b[2J.sim")
	if err := os.WriteFile(hostile, []byte(`scenario "w" { workload "w" { task "t" x 2 { cpu 1ms } } }`), 0o644); err != nil {
		t.Skipf("no such file names here: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", "--format", "jsonl", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if want := "gilsim run: skipping " + filepath.Join(dir, `w\x1b[2J.sim`) + ": a workload (use gilsim compare)\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 1 || !strings.Contains(stdout.String(), `"scenario":"a"`) {
		t.Errorf("want the scenario's one line, got:\n%s", stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"test", dir}, &stdout, &stderr); code != 0 || stderr.Len() != 0 || !strings.Contains(stdout.String(), "2 passed, 0 failed") {
		t.Errorf("test: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// A batch runs at once only as many runs as its memory budget holds: a
// sweep of two runs each bigger than half the budget runs them one after
// the other, whatever -j says (a sweep of two million-task runs crashed
// with -j 2 under 4 GiB). A run bigger than the whole budget still runs.
func TestBatchRunsFitTheMemoryBudget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.sim")
	src := `scenario "s" { param n = 3000 task "t" x $n { cpu 1ms } vary n in [3000, 2999, 2998, 2997] }`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	one := simulator.FootprintOf(3000, 3000, 0)
	for _, c := range []struct {
		budget int64
		most   int32
	}{{one + one/2, 1}, {one / 10, 1}, {3*one + one/2, 3}} {
		var now, peak atomic.Int32
		e := realEnv()
		e.simulate = func(sc *simulator.Scenario, o simulator.Options) (*simulator.Result, error) {
			n := now.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			defer now.Add(-1)
			time.Sleep(20 * time.Millisecond) // let the other workers try to start theirs
			return simulator.Run(sc, o)
		}
		e.budget = func() int64 { return c.budget }
		var out, errb bytes.Buffer
		code := e.run([]string{"run", "-j", "4", "--format", "csv", path}, &out, &errb)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if p := peak.Load(); p > c.most {
			t.Errorf("budget %d: %d runs at once, want at most %d", c.budget, p, c.most)
		}
		if got := strings.Count(out.String(), "\n"); got != 5 {
			t.Errorf("budget %d: %d lines of csv, want a header and 4 runs:\n%s", c.budget, got, out.String())
		}
	}
}
