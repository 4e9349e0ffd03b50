package simulator

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// bsetCheck verifies the B+ tree's shape: keys sorted, every inner key the
// least key of its child, every node but the root within its bounds, all
// leaves at one depth, and the count right.
func bsetCheck(t *rapid.T, s *bset) {
	if s.root == nil {
		if s.n != 0 {
			t.Fatalf("no root but %d keys", s.n)
		}
		return
	}
	depth := -1
	n := 0
	var walk func(nd *bnode, d int, root bool) int64
	walk = func(nd *bnode, d int, root bool) int64 {
		if !slices.IsSorted(nd.keys) {
			t.Fatalf("unsorted node at depth %d", d)
		}
		if len(nd.keys) > bsetMax || (!root && len(nd.keys) < bsetMin) {
			t.Fatalf("node of %d keys at depth %d", len(nd.keys), d)
		}
		if nd.kids == nil {
			if depth >= 0 && depth != d {
				t.Fatalf("leaves at depths %d and %d", depth, d)
			}
			depth = d
			n += len(nd.keys)
			if len(nd.keys) == 0 {
				return -1
			}
			return nd.keys[0]
		}
		if len(nd.kids) != len(nd.keys) || len(nd.kids) < 2 && root {
			t.Fatalf("inner node of %d keys and %d children", len(nd.keys), len(nd.kids))
		}
		for i, c := range nd.kids {
			if m := walk(c, d+1, false); m != nd.keys[i] {
				t.Fatalf("inner key %d is %d, its child's least is %d", i, nd.keys[i], m)
			}
		}
		return nd.keys[0]
	}
	walk(s.root, 0, true)
	if n != s.n {
		t.Fatalf("%d keys in the leaves, count %d", n, s.n)
	}
}

// TestBset holds the B+ tree equal to a sorted slice under random inserts,
// deletes and searches, through one leaf, two levels and three (past
// about 2,100 keys), and back down.
func TestBset(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var s bset
		var model []int64
		universe := rapid.SampledFrom([]int64{50, 5000, 1 << 40}).Draw(rt, "universe")
		target := rapid.SampledFrom([]int{10, bsetMax + 2, 3000}).Draw(rt, "size")
		steps := rapid.IntRange(1, 4*target+50).Draw(rt, "steps")
		local := rapid.Bool().Draw(rt, "local")
		last := universe / 2
		for i := 0; i < steps; i++ {
			grow := len(model) < target && (i < 2*target || rapid.Bool().Draw(rt, "grow"))
			if grow || len(model) == 0 {
				k := rapid.Int64Range(0, universe).Draw(rt, "k")
				if local {
					// near the last key: what the finger serves
					k = min(max(last+rapid.Int64Range(-3, 5).Draw(rt, "dk"), 0), universe)
				}
				last = k
				j, found := slices.BinarySearch(model, k)
				if s.insert(k) == found {
					rt.Fatalf("insert(%d): added %v, present %v", k, !found, found)
				}
				if !found {
					model = slices.Insert(model, j, k)
				}
			} else {
				var k int64
				if rapid.IntRange(0, 9).Draw(rt, "miss") == 0 {
					k = rapid.Int64Range(0, universe).Draw(rt, "k")
				} else {
					j := rapid.IntRange(0, len(model)-1).Draw(rt, "del")
					if local {
						j, _ = slices.BinarySearch(model, last)
						j = min(max(j+rapid.IntRange(-2, 2).Draw(rt, "dj"), 0), len(model)-1)
					}
					k = model[j]
				}
				j, found := slices.BinarySearch(model, k)
				if s.delete(k) != found {
					rt.Fatalf("delete(%d): want %v", k, found)
				}
				if found {
					model = slices.Delete(model, j, j+1)
				}
			}
			if i%16 == 0 || i == steps-1 {
				bsetCheck(rt, &s)
			}
			x := rapid.Int64Range(0, universe+1).Draw(rt, "x")
			if local {
				x = min(max(last+rapid.Int64Range(-4, 4).Draw(rt, "dx"), 0), universe+1)
			}
			got, ok := s.ceil(x)
			j, _ := slices.BinarySearch(model, x)
			if ok != (j < len(model)) || ok && got != model[j] {
				rt.Fatalf("ceil(%d) = %d %v (size %d)", x, got, ok, len(model))
			}
			if m, ok := s.min(); ok != (len(model) > 0) || ok && m != model[0] {
				rt.Fatalf("min = %d %v", m, ok)
			}
		}
		var all []int64
		s.each(func(k int64) { all = append(all, k) })
		if !slices.Equal(all, model) {
			rt.Fatalf("each gives %d keys, want %d", len(all), len(model))
		}
		s.clear()
		if _, ok := s.min(); ok || s.len() != 0 {
			rt.Fatal("not empty after clear")
		}
	})
}

// TestPhaseSet holds the phase set (packed pairs in a bset, or a B-tree of
// pairs for long periods) equal to a sorted list of pairs under random
// inserts, deletes and wrap-around queries.
func TestPhaseSet(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		period := int64(50)
		p := newPhaseSet(period)
		if rapid.Bool().Draw(rt, "wide") {
			p = newPhaseSet(1 << 62) // phases too long to pack: the B-tree throughout
		}
		var model []phaseKey // sorted by phaseLess
		present := map[int32]bool{}
		steps := rapid.IntRange(1, 600).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0, 1:
				idx := int32(rapid.IntRange(0, 1000).Draw(rt, "idx"))
				if present[idx] {
					continue
				}
				k := phaseKey{phase: int64(rapid.IntRange(0, int(period)-1).Draw(rt, "phase")), idx: idx}
				p.insert(k)
				present[idx] = true
				j, _ := slices.BinarySearchFunc(model, k, cmpPhase)
				model = slices.Insert(model, j, k)
			case 2:
				if len(model) == 0 {
					continue
				}
				j := rapid.IntRange(0, len(model)-1).Draw(rt, "del")
				p.delete(model[j])
				delete(present, model[j].idx)
				model = slices.Delete(model, j, j+1)
			}
			if p.wide && p.bt == nil {
				rt.Fatalf("a wide set packed its pairs")
			}
			pivot := int64(rapid.IntRange(0, int(period)-1).Draw(rt, "pivot"))
			got, ok := p.from(pivot)
			want, wok := modelFrom(model, pivot)
			if ok != wok || got != want {
				rt.Fatalf("step %d: from(%d) = %v %v, want %v %v (size %d)", i, pivot, got, ok, want, wok, len(model))
			}
			if p.len() != len(model) {
				rt.Fatalf("len %d, want %d", p.len(), len(model))
			}
		}
		q := newPhaseSet(period)
		p.moveTo(q)
		var all []phaseKey
		q.each(func(k phaseKey) { all = append(all, k) })
		if p.len() != 0 || !slices.Equal(all, model) {
			rt.Fatalf("moveTo left %d and moved %d of %d", p.len(), len(all), len(model))
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

// TestPhaseSetHugeIndex: a pair that does not pack (a thread index too
// large, or an a too far) moves the set to its B-tree, keeping what it
// held, until it is cleared.
func TestPhaseSetHugeIndex(t *testing.T) {
	p := newPhaseSet(100)
	p.insert(phaseKey{phase: 10, idx: 3})
	p.insert(phaseKey{phase: 50, idx: 1 << 22})
	if p.bt == nil {
		t.Fatal("still packed after an index of 2^22")
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
	p.clear()
	p.insert(phaseKey{phase: 7, idx: 1})
	if p.bt != nil {
		t.Error("still a B-tree after clear")
	}
	var s phaseSet // a set of times, no known limit
	s.insert(phaseKey{phase: 1 << 45, idx: 2})
	s.insert(phaseKey{phase: 5, idx: 9})
	if k, ok := s.min(); s.bt == nil || !ok || k != (phaseKey{5, 9}) {
		t.Errorf("a time past 2^41: min %v %v, tree %v", k, ok, s.bt != nil)
	}
}

// TestBsetDeep fills a bset to three levels and empties it again in a
// random order, checking its shape and contents on the way.
func TestBsetDeep(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(bsetMax*bsetMax+1, 3*bsetMax*bsetMax).Draw(rt, "n") // past two full levels
		seed := rapid.Uint64().Draw(rt, "seed")
		var s bset
		model := map[int64]bool{}
		x := seed | 1
		next := func() int64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return int64(x % (1 << 40)) }
		for len(model) < n {
			k := next()
			if s.insert(k) == model[k] {
				rt.Fatalf("insert(%d) disagrees", k)
			}
			model[k] = true
		}
		bsetCheck(rt, &s)
		if d := bsetDepth(&s); d < 3 {
			rt.Fatalf("%d keys in %d levels", n, d)
		}
		keys := make([]int64, 0, n)
		s.each(func(k int64) { keys = append(keys, k) })
		for i := len(keys) - 1; i > 0; i-- { // shuffle
			j := int(uint64(next()) % uint64(i+1))
			keys[i], keys[j] = keys[j], keys[i]
		}
		for i, k := range keys {
			if !s.delete(k) {
				rt.Fatalf("delete(%d) missed", k)
			}
			if i%97 == 0 {
				bsetCheck(rt, &s)
			}
		}
		if s.len() != 0 || bsetDepth(&s) > 1 {
			rt.Fatalf("left %d keys in %d levels", s.len(), bsetDepth(&s))
		}
	})
}

func bsetDepth(s *bset) int {
	d := 0
	for nd := s.root; nd != nil; d++ {
		if nd.kids == nil {
			return d + 1
		}
		nd = nd.kids[0]
	}
	return d
}
