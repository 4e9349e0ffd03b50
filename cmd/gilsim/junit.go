package main

import (
	"encoding/xml"
	"io"

	"github.com/gilsim/gilsim/internal/app"
	"github.com/gilsim/gilsim/simulator"
)

// `gilsim test --format junit` writes JUnit XML, the report format CI
// systems read (Jenkins, GitLab, GitHub Actions reporters, Azure DevOps):
//
//	<testsuites name tests failures errors skipped time>
//	  <testsuite name tests failures errors skipped time file>   one per file
//	    <testcase name classname file line time>                 one per expectation
//	      <failure message type>file:line: expect … — actual …</failure>
//	      <error message type>…</error>  <skipped message/>
//
// A testcase is an expectation of one run ("expect makespan < 1s", with
// " [workers=8]" in a sweep); a run that deadlocked, failed, was stopped
// by a limit or had no expectations is a testcase "run" of its own (in a
// comparison, a model that could not run or finish is "model NAME"), and a
// file that cannot be read or parsed a testcase "parse" with an error.
// Names are the terminal-safe text of the other formats (a control
// character shows as \x1b), then XML-escaped; times are 0, since a
// simulation's wall time would make the output differ from run to run.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	File     string      `xml:"file,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// junitSuiteOf is the testsuite of one file: t is what judge made of it.
func junitSuiteOf(f *app.File, t testResult) junitSuite {
	file := safe(f.Path)
	s := junitSuite{Name: file, File: file, Time: "0"}
	add := func(c junitCase) {
		c.Name, c.Classname, c.File, c.Time = safe(c.Name), file, file, "0"
		s.Cases = append(s.Cases, c)
	}
	if f.Err != nil {
		add(junitCase{Name: "parse", Error: &junitProblem{Message: t.Error, Type: "parse", Text: safe(oneLine(f.Err.Error()))}})
	}
	for _, o := range f.Runs {
		tag := o.Tag()
		if o.Err != nil {
			add(junitCase{Name: "run" + tag, Error: &junitProblem{Message: safe(oneLine(o.Err.Error())), Type: "limit"}})
			continue
		}
		var exps []simulator.ExpectResult
		var skipped []bool
		var runFails []app.Failure
		var models []string // the model of each of a comparison's own failures
		if c := o.Comparison; c != nil {
			for _, e := range c.Expectations {
				exps = append(exps, e.ExpectResult)
				skipped = append(skipped, e.Skipped)
			}
			runFails = app.ComparisonFailures(f.Path, o.RunID, c)
			// ComparisonFailures makes one per such row, in this order
			for _, r := range app.ComparisonRows(c) {
				if r.NotRun != "" || r.Result != nil && r.Problem != "" {
					models = append(models, r.Model)
				}
			}
		} else {
			exps = o.Result.Expectations
			skipped = make([]bool, len(exps))
			runFails = app.Failures(f.Path, o.RunID, o.Result)
		}
		k := 0
		for _, fl := range runFails {
			if fl.Kind == "expect" {
				continue
			}
			// a deadlock, a modelled failure, a model that cannot run the
			// workload: "run", or "model NAME" in a comparison
			name := "run"
			if k < len(models) {
				name = "model " + models[k]
				k++
			}
			add(junitCase{Name: name + tag, Line: fl.Line, Failure: &junitProblem{Message: safe(fl.Text), Type: fl.Kind, Text: safe(fl.String())}})
		}
		for i, e := range exps {
			c := junitCase{Name: "expect " + e.Text + tag, Line: int(e.Pos.Line)}
			fl := app.Failure{File: f.Path, Kind: "expect", Line: int(e.Pos.Line), Text: e.Text, Actual: e.Actual, Error: e.Err, Label: o.Label()}
			switch {
			case skipped[i]:
				c.Skipped = &junitProblem{Message: "its model was left out of the comparison"}
			case e.OK:
			case e.Err != "":
				c.Failure = &junitProblem{Message: safe(e.Err), Type: "expect", Text: safe(fl.String())}
			default:
				c.Failure = &junitProblem{Message: "actual " + safe(e.Actual), Type: "expect", Text: safe(fl.String())}
			}
			add(c)
		}
		if len(exps) == 0 && len(runFails) == 0 {
			add(junitCase{Name: "run" + tag})
		}
	}
	for _, c := range s.Cases {
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Error != nil:
			s.Errors++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	return s
}

// writeJUnit writes the suites as one JUnit XML document.
func writeJUnit(w io.Writer, suites []junitSuite) error {
	doc := junitSuites{Name: "gilsim test", Time: "0", Suites: suites}
	for _, s := range suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(b)+"\n")
	return err
}
