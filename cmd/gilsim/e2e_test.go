package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// These tests run the real parser and engine on the files in testdata/.

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	cases := []cliCase{
		{name: "textbook fcfs", args: []string{"run", "testdata/fcfs.sim"}, code: 0,
			stdout: []string{"== fcfs convoy (testdata/fcfs.sim) ==", "PASS  expect makespan == 30ms", "PASS  expect finish(\"P2\") == 27ms"}},
		{name: "failed expectation", args: []string{"run", "testdata/failing.sim"}, code: 1,
			stdout: []string{"FAIL  expect makespan < 10ms  (actual 24ms)"}},
		{name: "syntax error", args: []string{"run", "testdata/syntax.sim", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"testdata/syntax.sim:3:"}, stdout: []string{"== fcfs convoy"}},
		{name: "deadlock", args: []string{"run", "testdata/crossed.sim"}, code: 1,
			stdout: []string{"DEADLOCK", "app/a", "app/b"}},
		{name: "grouped", args: []string{"run", "testdata/replicas.sim"}, code: 0,
			stdout: []string{"w#1..4 (x4)"}},
		{name: "per task", args: []string{"run", "--per-task", "testdata/replicas.sim"}, code: 0,
			stdout: []string{"| w#3 "}},
		{name: "time limit", args: []string{"run", "--max-time", "1ms", "testdata/fcfs.sim"}, code: 2,
			stderr: []string{"testdata/fcfs.sim: "}, stderrLine: true, noStdout: true},
		{name: "event limit", args: []string{"run", "testdata/fcfs.sim", "--max-events", "1"}, code: 2,
			stderr: []string{"testdata/fcfs.sim: simulation stopped after 1 events"}, stderrLine: true, noStdout: true},
	}
	for _, c := range cases {
		t.Run(c.name, c.check)
	}
}

func TestEndToEndJSON(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run([]string{"run", "--format", "json", "testdata/fcfs.sim", "testdata/failing.sim"}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errb.String())
	}
	var got []struct {
		Scenario   string `json:"scenario"`
		File       string `json:"file"`
		MakespanNS int64  `json:"makespan_ns"`
		Tasks      []struct {
			Name     string `json:"name"`
			Process  string `json:"process"`
			FinishNS int64  `json:"finish_ns"`
		} `json:"tasks"`
		Expectations []struct {
			Text string `json:"text"`
			OK   bool   `json:"ok"`
		} `json:"expectations"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(got) != 2 || got[0].File != "testdata/fcfs.sim" || got[1].File != "testdata/failing.sim" {
		t.Fatalf("want two results in file order, got %+v", got)
	}
	fcfs := got[0]
	if fcfs.MakespanNS != 30_000_000 || len(fcfs.Tasks) != 3 {
		t.Errorf("fcfs: makespan %d, %d tasks; want 30ms and 3", fcfs.MakespanNS, len(fcfs.Tasks))
	}
	var finishes []string
	for _, task := range fcfs.Tasks {
		finishes = append(finishes, task.Name+"@"+strconv.FormatInt(task.FinishNS/1_000_000, 10))
	}
	if strings.Join(finishes, " ") != "P1@24 P2@27 P3@30" {
		t.Errorf("fcfs finishes: %v", finishes)
	}
	if len(got[1].Expectations) != 1 || got[1].Expectations[0].OK {
		t.Errorf("failing.sim: want one failed expectation, got %+v", got[1].Expectations)
	}
}
