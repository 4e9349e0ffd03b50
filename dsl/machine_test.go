package dsl

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gilsim/gilsim/simulator"
)

// machineLine writes key = v as a line of a machine block: as Format
// writes it, but a size in bytes (Format's KiB and MiB are for reading;
// a file writes B, KB, MB or GB).
func machineLine(p simulator.MachineParam, v int64) string {
	if p.Kind == simulator.ParamSize {
		return p.Key + " " + strconv.FormatInt(v, 10) + "B"
	}
	return p.Key + " " + p.Format(v)
}

func parseMachine(t *testing.T, line string) (simulator.Machine, error) {
	t.Helper()
	src := "scenario \"m\" {\n  machine { " + line + " }\n  process \"p\" { thread \"t\" { cpu 1ms } }\n}\n"
	sc, err := Parse("m.sim", []byte(src))
	if err != nil {
		return simulator.Machine{}, err
	}
	return sc.Machine, nil
}

// TestMachineParamsParse checks every row of simulator.MachineParams
// against the machine block: its default, written as Format writes it (sizes in bytes),
// parses back to the default; another value in range sets the field it
// names and no other; a value just out of range is refused with the
// row's message.
func TestMachineParamsParse(t *testing.T) {
	def := simulator.DefaultMachine()
	for _, p := range simulator.MachineParams() {
		got, err := parseMachine(t, machineLine(p, p.Default))
		if err != nil || got != def {
			t.Errorf("%s: the default written as %q: %v, machine %+v", p.Key, machineLine(p, p.Default), err, got)
		}
		alt := int64(-1)
		if p.Kind == simulator.ParamHandoff {
			alt = int64(simulator.GILHandoffFIFO)
		} else {
			for _, v := range []int64{p.Min, p.Min + 7, 3000, p.Max} {
				if v != p.Default && p.InRange(v) {
					alt = v
					break
				}
			}
		}
		want := def
		p.Set(&want, alt)
		got, err = parseMachine(t, machineLine(p, alt))
		if err != nil || got != want {
			t.Errorf("%s %s: %v, machine %+v, want %+v", p.Key, p.Format(alt), err, got, want)
		}
		var out []int64
		if p.Min > 0 {
			out = append(out, p.Min-1)
		}
		if p.Max > 0 {
			out = append(out, p.Max+1)
		}
		for _, v := range out {
			_, err := parseMachine(t, machineLine(p, v))
			if err == nil || !strings.Contains(err.Error(), "`"+p.Key+"` "+p.Range) {
				t.Errorf("%s %s: %v, want %q", p.Key, p.Format(v), err, p.Range)
			}
		}
	}
}

// TestMachineKeyLists checks the lists derived from the table against a
// few keys written by hand: `memory` is a key, its kinds are not.
func TestMachineKeyLists(t *testing.T) {
	if machineKeys[0] != "wakeup_latency" || machineKeys[len(machineKeys)-1] != "memory" || len(machineKeys) != 32 {
		t.Errorf("machineKeys = %v", machineKeys)
	}
	if strings.Join(memoryKindNames, " ") != "process thread coroutine greenlet greenthread raw_greenlet gen" {
		t.Errorf("memoryKindNames = %v", memoryKindNames)
	}
	h, _ := MachineKeyHelp("memory")
	if !strings.HasSuffix(h.Doc, "takes: "+strings.Join(memoryKindNames, ", ")+".") {
		t.Errorf("memory's doc does not list the kinds: %q", h.Doc)
	}
	if _, ok := MachineKeyHelp("memory thread"); ok {
		t.Error("`memory thread` documented as a key")
	}
	if h, ok := MemoryKindHelp("thread"); !ok || h.Syntax != "memory thread SIZE" || h.Default != "16527B" {
		t.Errorf("memory thread: %+v", h)
	}
	if h, _ := MachineKeyHelp("gil_handoff"); h.Syntax != "gil_handoff futex|random|fifo" || h.Default != "futex" {
		t.Errorf("gil_handoff: %+v", h)
	}
}

// TestMachineDefaultsParse: every default that help and the docs print
// is a value a machine block accepts, and it means the default exactly
// (a size rounded to 16.14KiB would be refused: not a whole byte).
func TestMachineDefaultsParse(t *testing.T) {
	for _, p := range simulator.MachineParams() {
		text := p.Format(p.Default)
		src := fmt.Sprintf("scenario \"s\" {\n  machine { %s %s }\n  task \"t\" { cpu 1ms }\n}\n", p.Key, text)
		sc, err := Parse("defaults.sim", []byte(src))
		if err != nil {
			t.Errorf("%s %s: %v", p.Key, text, err)
			continue
		}
		if got := p.Get(&sc.Machine); got != p.Default {
			t.Errorf("%s %s reads as %d, the default is %d", p.Key, text, got, p.Default)
		}
	}
}
