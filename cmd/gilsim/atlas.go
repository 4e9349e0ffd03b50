package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/gilsim/gilsim/docs"
	"github.com/gilsim/gilsim/dsl"
	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/simulator"
)

const atlasUsage = `Usage: gilsim atlas [--doc FILE] DIR

Runs every scenario file (.sim) below DIR and prints a markdown table of
the claims they check, one row per file, sorted by path: the claim, the
scenario, what gilsim shows (the actual value of each expect line) and
the verdict with its reason. It is the generated section of
docs/claims.md when DIR is scenarios/seed (citations of
docs/semantics.md become links relative to docs/).

Each file opens with a header of comment lines, one field each, in any
order:

  # claim: the claim, in the words of its source
  # source: where it comes from (docs/seed-notes.txt, line 3)
  # verdict: holds | holds with a caveat | does not hold
  # why: the reason for the verdict
  #   (a line of "#" and at least two spaces continues the field above)

The header ends at the first line that is not a field or a continuation
(usually a bare "#"); the scenario's own comment follows.

Flags:
  --doc FILE      instead of printing, replace the text between
                  <!-- atlas:begin --> and <!-- atlas:end --> in FILE,
                  leaving the rest of FILE as it is (--readme is the
                  former name of this flag)

Exit status:
  0  every scenario ran and every expectation held
  1  an expectation failed, or a run ended in a deadlock or a modelled failure
  2  usage error, a header field missing or malformed, a file that does
     not parse, or FILE cannot be read, has no markers, or cannot be written
`

// atlasSection names the generated section of a page: the text between
// <!-- atlas:begin --> and <!-- atlas:end -->.
const atlasSection = "atlas"

// The verdicts a header may give.
var atlasVerdicts = []string{"holds", "holds with a caveat", "does not hold"}

// atlasFields are the header fields, in the order the messages name them.
var atlasFields = []string{"claim", "source", "verdict", "why"}

// claimHeader is the header of one atlas scenario.
type claimHeader struct {
	Claim, Source, Verdict, Why string
}

// atlasRow is one scenario of the atlas, run.
type atlasRow struct {
	path   string // as shown: DIR joined with the file's path below DIR, with slashes
	header claimHeader
	shows  string // what gilsim shows, plain text
	failed bool   // an expectation failed, or the run did not finish cleanly
}

func atlasCommand(e *env, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("gilsim atlas", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	doc := docFlag(fset)
	dirs, err := parseInterleaved(fset, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(stdout, atlasUsage)
			return exitOK
		}
		return badUsage(stderr, "atlas", atlasUsage, err.Error())
	}
	if len(dirs) != 1 {
		return badUsage(stderr, "atlas", atlasUsage, fmt.Sprintf("want one directory, got %d arguments", len(dirs)))
	}

	rows, errs := buildAtlas(dirs[0], dirs[0])
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s\n", safe(e))
		}
		return exitUsage
	}
	status := exitOK
	for _, r := range rows {
		if r.failed {
			status = exitFailed
			fmt.Fprintf(stderr, "gilsim atlas: %s: an expectation failed or the run did not finish; its row says which\n", safe(r.path))
		}
	}

	section := atlasMarkdown(dirs[0], rows)
	if doc.path == "" {
		io.WriteString(stdout, section)
		return status
	}
	if code := writeSection("atlas", doc, atlasSection, section, stderr); code != exitOK {
		return code
	}
	return status
}

// buildAtlas reads, checks and runs every .sim file below dir. It returns
// the rows sorted by path, or every header, parse and run error found
// (then the rows are of no use). shown is how to name dir in the rows
// (dir itself, for the command).
func buildAtlas(dir, shown string) ([]atlasRow, []string) {
	var rels []string
	for _, it := range app.Expand([]string{dir}) {
		switch {
		case errors.Is(it.Err, app.ErrNoScenarios):
			return nil, []string{"gilsim atlas: no .sim files below " + dir}
		case it.Err != nil:
			return nil, []string{"gilsim atlas: " + pathError(it.Path, it.Err)}
		case !it.Found:
			return nil, []string{"gilsim atlas: " + dir + " is not a directory"}
		}
		rel, err := filepath.Rel(dir, it.Path)
		if err != nil {
			return nil, []string{"gilsim atlas: " + err.Error()}
		}
		rels = append(rels, filepath.ToSlash(rel))
	}
	sort.Strings(rels)

	// Runs are independent and deterministic: they run side by side, and
	// each row lands in its file's place.
	rows := make([]atlasRow, len(rels))
	var errs []string
	app.InOrder(len(rels), runtime.GOMAXPROCS(0), func(i int) string {
		var msg string
		rows[i], msg = atlasFile(filepath.Join(dir, filepath.FromSlash(rels[i])), path.Join(filepath.ToSlash(shown), rels[i]))
		return msg
	}, func(_ int, msg string) {
		if msg != "" {
			errs = append(errs, msg)
		}
	})
	return rows, errs
}

// pathError is err about path as "path: problem", the way WalkDir's and
// Stat's errors read.
func pathError(p string, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return p + ": " + err.Error()
}

// atlasFile checks the header of one file and runs its scenario. path is
// where to read it, shown how to name it.
func atlasFile(path, shown string) (atlasRow, string) {
	row := atlasRow{path: shown}
	src, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return row, shown + ": " + err.Error()
	}
	if len(src) > dsl.MaxFileSize {
		return row, fmt.Sprintf("%s: file is too large (%d bytes)", shown, len(src))
	}
	row.header, err = parseClaimHeader(shown, src)
	if err != nil {
		return row, err.Error()
	}
	sc, err := dsl.Parse(shown, src)
	if err != nil {
		return row, strings.TrimRight(err.Error(), "\n")
	}
	if len(sc.Expects) == 0 {
		return row, shown + ": no expect lines: an atlas scenario must check what it shows"
	}
	res, err := simulator.Run(sc, simulator.Options{})
	if err != nil {
		return row, shown + ": " + oneLine(err.Error())
	}
	row.shows, row.failed = atlasShows(sc, res)
	return row, ""
}

// parseClaimHeader reads the header fields at the top of src (see
// atlasUsage). Errors are "file:line: message".
func parseClaimHeader(file string, src []byte) (claimHeader, error) {
	// Lines end as the scenario's own lines do: \n, \r\n or a lone \r.
	text := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.TrimPrefix(string(src), "\uFEFF"))
	lines := strings.Split(text, "\n")
	values := map[string]string{}
	at := map[string]int{} // line of each field
	last := ""             // the field a continuation line extends
	end := len(lines) + 1  // the first line after the header
	for i, line := range lines {
		n := i + 1
		body, isComment := strings.CutPrefix(line, "#")
		if !isComment || strings.TrimSpace(body) == "" {
			end = n
			break
		}
		if last != "" && strings.HasPrefix(body, "  ") {
			values[last] += " " + strings.TrimSpace(body)
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(body, " "), ":")
		if !ok || !isAtlasField(key) {
			if len(values) == 0 {
				// the file opens with some other comment: no header
				end = n
				break
			}
			return claimHeader{}, fmt.Errorf("%s:%d: want a header field (%s) or a continuation (\"#\" and two spaces) before the bare \"#\" that ends the header, not %q", file, n, fieldList(), line)
		}
		if _, dup := values[key]; dup {
			return claimHeader{}, fmt.Errorf("%s:%d: second \"# %s:\" (the first is on line %d)", file, n, key, at[key])
		}
		values[key] = strings.TrimSpace(value)
		at[key] = n
		last = key
	}
	for _, f := range atlasFields {
		v, ok := values[f]
		if !ok {
			return claimHeader{}, fmt.Errorf("%s:%d: missing \"# %s:\"", file, end, f)
		}
		if v == "" {
			return claimHeader{}, fmt.Errorf("%s:%d: empty \"# %s:\"", file, at[f], f)
		}
	}
	h := claimHeader{Claim: values["claim"], Source: values["source"], Verdict: values["verdict"], Why: values["why"]}
	if !slices.Contains(atlasVerdicts, h.Verdict) {
		return claimHeader{}, fmt.Errorf("%s:%d: verdict must be \"holds\", \"holds with a caveat\" or \"does not hold\", not %q", file, at["verdict"], h.Verdict)
	}
	return h, nil
}

func isAtlasField(key string) bool { return slices.Contains(atlasFields, key) }

func fieldList() string {
	parts := make([]string, len(atlasFields))
	for i, f := range atlasFields {
		parts[i] = "# " + f + ":"
	}
	return strings.Join(parts, ", ")
}

// atlasShows renders the actual value of each expectation, compactly
// ("finish(threads) 803.72ms; gil_wait(procs) 0"), once per metric and
// argument, in file order; a failed one is marked. failed reports a failed
// expectation or a run that did not finish cleanly.
func atlasShows(sc *simulator.Scenario, res *simulator.Result) (string, bool) {
	var parts []string
	seen := map[string]int{} // label -> index in parts
	failed := false
	for i, x := range res.Expectations {
		label := sc.Expects[i].Metric
		if sc.Expects[i].HasArg {
			label += "(" + sc.Expects[i].Arg + ")"
		}
		part := label + " " + x.Actual
		if !x.OK {
			failed = true
			part += " (fails: expect " + x.Text + ")"
		}
		if j, ok := seen[label]; ok {
			if !x.OK {
				parts[j] = part
			}
			continue
		}
		seen[label] = len(parts)
		parts = append(parts, part)
	}
	if res.Deadlock != nil {
		failed = true
		parts = append(parts, "deadlock at "+simulator.FormatDuration(res.Deadlock.Time))
	}
	if res.Failure != nil {
		failed = true
		parts = append(parts, "failed: "+res.Failure.Message)
	}
	return strings.Join(parts, "; "), failed
}

// atlasMarkdown is the generated section: a line that says where it comes
// from, a count of the verdicts, and the table.
func atlasMarkdown(dir string, rows []atlasRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- generated by `gilsim atlas` from %s; do not edit by hand -->\n\n", filepath.ToSlash(dir))
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.header.Verdict]++
	}
	tally := make([]string, len(atlasVerdicts))
	for i, v := range atlasVerdicts {
		tally[i] = fmt.Sprintf("%s: %d", v, counts[v])
	}
	noun := "scenarios"
	if len(rows) == 1 {
		noun = "scenario"
	}
	fmt.Fprintf(&b, "**%d %s** — %s.\n\n", len(rows), noun, strings.Join(tally, " · "))
	b.WriteString("| claim | scenario | what gilsim shows | verdict |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, r := range rows {
		claim := mdCell(r.header.Claim) + " <br>*" + mdCell(r.header.Source) + "*"
		verdict := "**" + mdCell(r.header.Verdict) + "**: " + docs.LinkCitations(mdCell(r.header.Why))
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", claim, mdCell(codeSpan(r.path)), mdCell(codeSpan(r.shows)), verdict)
	}
	return b.String()
}

// mdCell makes s safe inside one cell of a markdown table: HTML is
// escaped, a pipe would end the cell (GitHub's tables honour \| even inside a code span) and a
// newline would end the row.
func mdCell(s string) string {
	// the text comes from scenario files: no raw HTML gets through
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

// codeSpan renders s as an inline code span whatever backticks it holds:
// the fence is one backtick longer than the longest run inside, padded
// with a space when s starts or ends with a backtick (CommonMark 6.1).
// Line breaks become spaces, as a code span shows them anyway.
func codeSpan(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
