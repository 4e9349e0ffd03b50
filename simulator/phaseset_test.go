package simulator

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestPhaseSet holds the phase set (sorted slices with a search hint, and
// a B-tree past sliceMax) equal to a plain sorted list under random
// inserts, deletes and wrap-around queries, across both forms.
func TestPhaseSet(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		const period = 50
		p := newPhaseSet(period)
		if rapid.Bool().Draw(rt, "wide") {
			p = newPhaseSet(1 << 62) // phases too long to pack: the B-tree throughout
		}
		var model []phaseKey // sorted by phaseLess
		present := map[int32]phaseKey{}
		big := rapid.Bool().Draw(rt, "big") // cross sliceMax and back
		steps := rapid.IntRange(1, 300).Draw(rt, "steps")
		filled := false
		wasTree := false
		for i := 0; i < steps || (big && (!filled || len(model) >= sliceMin)); i++ {
			var op int
			switch {
			case big && !filled:
				op = 0 // fill past sliceMax, then drain below sliceMin
				filled = len(model) > sliceMax
			case big:
				op = 1
			default:
				op = rapid.IntRange(0, 2).Draw(rt, "op")
			}
			switch op {
			case 0:
				idx := int32(rapid.IntRange(0, 4*sliceMax).Draw(rt, "idx"))
				if _, ok := present[idx]; ok {
					continue
				}
				k := phaseKey{phase: int64(rapid.IntRange(0, period-1).Draw(rt, "phase")), idx: idx}
				p.insert(k)
				present[idx] = k
				j, _ := slices.BinarySearchFunc(model, k, cmpPhase)
				model = slices.Insert(model, j, k)
			case 1:
				if len(model) == 0 {
					continue
				}
				j := rapid.IntRange(0, len(model)-1).Draw(rt, "del")
				k := model[j]
				p.delete(k)
				delete(present, k.idx)
				model = slices.Delete(model, j, j+1)
			}
			if p.wide && p.bt == nil || big && filled && p.bt == nil && len(model) > sliceMax {
				rt.Fatalf("still slices at %d phases", len(model))
			}
			wasTree = wasTree || p.bt != nil
			pivot := int64(rapid.IntRange(0, period-1).Draw(rt, "pivot"))
			got, ok := p.from(pivot)
			want, wok := modelFrom(model, pivot)
			if ok != wok || got != want {
				rt.Fatalf("step %d: from(%d) = %v %v, want %v %v (size %d, tree %v)", i, pivot, got, ok, want, wok, len(model), p.bt != nil)
			}
		}
		if big && !p.wide && (!wasTree || p.bt != nil) {
			rt.Fatalf("the set did not go to a tree and back (tree now: %v)", p.bt != nil)
		}
	})
}

func cmpPhase(a, b phaseKey) int {
	switch {
	case phaseLess(a, b):
		return -1
	case phaseLess(b, a):
		return 1
	}
	return 0
}

func modelFrom(model []phaseKey, pivot int64) (phaseKey, bool) {
	for _, k := range model {
		if k.phase >= pivot {
			return k, true
		}
	}
	if len(model) > 0 {
		return model[0], true
	}
	return phaseKey{}, false
}

// TestPhaseSetHugeIndex: a thread index too large to pack moves the set to
// its B-tree for good, keeping what it held.
func TestPhaseSetHugeIndex(t *testing.T) {
	p := newPhaseSet(100)
	p.insert(phaseKey{phase: 10, idx: 3})
	p.insert(phaseKey{phase: 50, idx: 1 << 22})
	if p.bt == nil || !p.wide {
		t.Fatal("still slices after an index of 2^22")
	}
	for _, c := range []struct {
		pivot int64
		want  phaseKey
	}{{0, phaseKey{10, 3}}, {11, phaseKey{50, 1 << 22}}, {51, phaseKey{10, 3}}} {
		if k, ok := p.from(c.pivot); !ok || k != c.want {
			t.Errorf("from(%d) = %v %v, want %v", c.pivot, k, ok, c.want)
		}
	}
	p.delete(phaseKey{phase: 50, idx: 1 << 22})
	if k, ok := p.from(11); !ok || k != (phaseKey{10, 3}) {
		t.Errorf("after delete: from(11) = %v %v", k, ok)
	}
}
