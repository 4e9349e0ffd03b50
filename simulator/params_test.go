package simulator

import (
	"reflect"
	"strings"
	"testing"
)

// TestMachineParamsCoverMachine checks that the table sets every field
// of Machine exactly once, under the field's own name, and that each
// key is unique.
func TestMachineParamsCoverMachine(t *testing.T) {
	typ := reflect.TypeFor[Machine]()
	fields := map[string]bool{}
	for f := range typ.Fields() {
		fields[f.Name] = true
	}
	keys := map[string]bool{}
	for i, p := range MachineParams() {
		if keys[p.Key] {
			t.Errorf("key %q twice", p.Key)
		}
		keys[p.Key] = true
		if !fields[p.Field] {
			t.Errorf("%s: Machine has no field %s, or another key sets it", p.Key, p.Field)
			continue
		}
		delete(fields, p.Field)
		// Set through the row must land in the field it names, and only there.
		var m Machine
		p.Set(&m, int64(i+1))
		got := reflect.ValueOf(m).FieldByName(p.Field)
		var v int64
		if got.CanInt() {
			v = got.Int()
		} else {
			v = int64(got.Uint())
		}
		if v != int64(i+1) || !reflect.DeepEqual(clearField(m, p.Field), Machine{}) {
			t.Errorf("%s: Set writes %+v, want only %s = %d", p.Key, m, p.Field, i+1)
		}
		if p.Get(&m) != int64(i+1) {
			t.Errorf("%s: Get = %d after Set(%d)", p.Key, p.Get(&m), i+1)
		}
		if p.Doc == "" || p.Source == "" {
			t.Errorf("%s: no doc or no source", p.Key)
		}
		if !p.InRange(p.Default) {
			t.Errorf("%s: the default %d is outside the range a scenario may give", p.Key, p.Default)
		}
		if (p.Min != 0 || p.Max != 0) != (p.Range != "") {
			t.Errorf("%s: bounds [%d, %d] with message %q", p.Key, p.Min, p.Max, p.Range)
		}
		if (p.Kind == ParamFactor || p.Kind == ParamChance) && p.Example == "" {
			t.Errorf("%s: a factor with no example", p.Key)
		}
		if strings.HasPrefix(p.Key, "memory") != (p.Kind == ParamSize) {
			t.Errorf("%s: kind %d", p.Key, p.Kind)
		}
	}
	for f := range fields {
		t.Errorf("Machine.%s has no key", f)
	}
}

func clearField(m Machine, name string) Machine {
	reflect.ValueOf(&m).Elem().FieldByName(name).SetZero()
	return m
}

// TestDefaultMachine checks a few defaults by hand against their sources.
func TestDefaultMachine(t *testing.T) {
	m := DefaultMachine()
	if m.WakeupLatency != 24_000 || m.Tick != 4_000_000 || m.GILSignalRace != 770 || m.GILHandoff != GILHandoffFutex ||
		m.MemTotal != 24<<30 || m.MemGenerator != 174 || m.ContextSwitch != 0 || m.FreeThreadingOverheadPermille != 1080 {
		t.Errorf("DefaultMachine() = %+v", m)
	}
	p, ok := MachineParamByKey("memory thread")
	if !ok || p.Format(p.Get(&m)) != "16527B" || p.Format(8<<10) != "8KiB" || p.Format(1152) != "1.125KiB" {
		t.Errorf("memory thread: %v %q", ok, p.Format(p.Get(&m)))
	}
	p, _ = MachineParamByKey("multicore_speed")
	if p.Format(917) != "0.917" || p.Format(1000) != "1" || p.InRange(0) || p.InRange(1001) || !p.InRange(1) {
		t.Errorf("multicore_speed: %q %q", p.Format(917), p.Format(1000))
	}
	if _, ok := MachineParamByKey("memory"); !ok {
		t.Error("no memory key")
	}
	if _, ok := MachineParamByKey("thread"); ok {
		t.Error("thread is a memory kind, not a key")
	}
}
