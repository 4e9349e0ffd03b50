package fidelity

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"sync"
)

// Data holds the measurements of real CPython that the rows compare with,
// and the unit costs the calibration scenarios are built from: the JSON
// files of fidelity/data, whose README.md says where and how they were
// measured.
//
//go:embed data/*.json data/README.md
var dataFiles embed.FS

// Data is the folder of measurements (calibration.json, outcomes.json,
// outcomes-released.json, eventlet_greenlet.json, quoted.json and a
// README.md), as the package holds it.
var Data fs.FS = mustSub(dataFiles, "data")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// The data files the rows come from.
const (
	calibrationFile = "calibration.json"       // unit costs: inputs of the scenarios
	outcomes        = "outcomes.json"          // outcomes to predict
	released        = "outcomes-released.json" // more outcomes of the same runs
	evgr            = "eventlet_greenlet.json" // E9 and E10
	quoted          = "quoted.json"            // figures held by no other file
)

// Measurement is one measured figure: its value as the data file writes
// it (a number, a string or a boolean), and the spread of the
// measurement in percent when the file gives one.
type Measurement struct {
	File   string          // the data file, such as outcomes.json
	Entry  string          // its name there; E9 and E10 entries as section.key
	Value  json.RawMessage // as written in the file
	Unit   string          // as written in the file; "" when it gives none
	Spread float64         // spread_pct; 0 when the file gives none
}

// Number is the value of a numeric measurement.
func (m Measurement) Number() (float64, error) {
	var f float64
	if err := json.Unmarshal(m.Value, &f); err != nil {
		return 0, fmt.Errorf("%s %s: %s is not a number", m.File, m.Entry, m.Value)
	}
	return f, nil
}

// dataset is every measurement of the data files, by file and entry.
type dataset map[string]map[string]Measurement

// loadData reads the data files of fsys. The files with an "entries"
// object (calibration, outcomes, released, quoted) give one measurement
// per entry; eventlet_greenlet.json gives one per key of its e9_eventlet
// and e10_greenlet_generators sections, named section.key.
func loadData(fsys fs.FS) (dataset, error) {
	ds := dataset{}
	type entry struct {
		Value  json.RawMessage `json:"value"`
		Unit   string          `json:"unit"`
		Spread *float64        `json:"spread_pct"`
	}
	for _, name := range []string{calibrationFile, outcomes, released, quoted} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var f struct {
			Entries map[string]entry `json:"entries"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		ds[name] = map[string]Measurement{}
		for k, e := range f.Entries {
			m := Measurement{File: name, Entry: k, Value: e.Value, Unit: e.Unit}
			if e.Spread != nil {
				m.Spread = *e.Spread
			}
			ds[name][k] = m
		}
	}
	b, err := fs.ReadFile(fsys, evgr)
	if err != nil {
		return nil, err
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(b, &sections); err != nil {
		return nil, fmt.Errorf("%s: %v", evgr, err)
	}
	ds[evgr] = map[string]Measurement{}
	for _, sec := range []string{"e9_eventlet", "e10_greenlet_generators"} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sections[sec], &m); err != nil {
			return nil, fmt.Errorf("%s: section %s: %v", evgr, sec, err)
		}
		for k, v := range m {
			name := sec + "." + k
			ds[evgr][name] = Measurement{File: evgr, Entry: name, Value: v}
		}
	}
	return ds, nil
}

// entries lists the entry names of one file, sorted.
func (ds dataset) entries(file string) []string {
	var names []string
	for k := range ds[file] {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Measured returns the measurement named entry in the data file file
// (calibration.json, outcomes.json, outcomes-released.json,
// eventlet_greenlet.json or quoted.json).
func Measured(file, entry string) (Measurement, bool) {
	m, ok := loadedData()[file][entry]
	return m, ok
}

// loadedDataset is Data read and checked, on first use: not at start-up, where
// every gilsim command would pay for it.
var loadedDataset = sync.OnceValues(func() (dataset, error) { return loadData(Data) })

// loadedData is the data read from Data (nil for a file that would not
// load: rows reports that error).
func loadedData() dataset {
	ds, _ := loadedDataset()
	return ds
}

// rowValue fills r's measured value and spread from the data: a number
// for numeric units, a string for Order, a boolean ("yes"/"no") for Bool.
func rowValue(ds dataset, r *Row) error {
	m, ok := ds[r.Data][r.Entry]
	if !ok {
		return fmt.Errorf("row %s: no entry %s in data/%s", r.Entry, r.Entry, r.Data)
	}
	r.Spread = m.Spread
	switch r.Unit {
	case Order:
		if err := json.Unmarshal(m.Value, &r.Text); err != nil {
			return fmt.Errorf("row %s: data/%s gives %s, not an order", r.Entry, r.Data, m.Value)
		}
	case Bool:
		var b bool
		if err := json.Unmarshal(m.Value, &b); err != nil {
			return fmt.Errorf("row %s: data/%s gives %s, not true or false", r.Entry, r.Data, m.Value)
		}
		r.Text = map[bool]string{true: "yes", false: "no"}[b]
	default:
		if r.List {
			var vs []float64
			if err := json.Unmarshal(m.Value, &vs); err != nil {
				return fmt.Errorf("row %s: data/%s gives %s, not a list of numbers", r.ID(), r.Data, m.Value)
			}
			if r.Index < 0 || r.Index >= len(vs) {
				return fmt.Errorf("row %s: data/%s's list has %d elements", r.ID(), r.Data, len(vs))
			}
			r.Value = vs[r.Index]
			return nil
		}
		v, err := m.Number()
		if err != nil {
			return fmt.Errorf("row %s: %v", r.Entry, err)
		}
		r.Value = v
	}
	return nil
}

// listLen is the number of elements of a list entry, or an error when the
// entry is missing or not a list of numbers.
func listLen(ds dataset, file, entry string) (int, error) {
	m, ok := ds[file][entry]
	if !ok {
		return 0, fmt.Errorf("no entry %s in data/%s", entry, file)
	}
	var vs []float64
	if err := json.Unmarshal(m.Value, &vs); err != nil {
		return 0, fmt.Errorf("data/%s %s: %s is not a list of numbers", file, entry, m.Value)
	}
	return len(vs), nil
}

// unitCost is a number of calibration.json, for the rows that divide by a
// measured unit of work.
func unitCost(ds dataset, entry string) (float64, error) {
	m, ok := ds[calibrationFile][entry]
	if !ok {
		return 0, fmt.Errorf("no entry %s in data/%s", entry, calibrationFile)
	}
	return m.Number()
}
