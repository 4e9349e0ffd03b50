package simulator

import "github.com/google/btree"

// phaseSet is the ordered set of sleeping GIL waiters' phases, with the one
// query the timed waits need: the first phase at or after a pivot, wrapping
// around. Up to sliceMax waiters it is a sorted slice (a binary search and
// a short memmove beat a tree's pointer chasing at these sizes); past it
// the phases move to a B-tree, and back below sliceMin.
type phaseSet struct {
	ph []int64                 // phases, ascending
	ix []int32                 // the waiters' thread indexes: ix[i]'s phase is ph[i]; equal phases in index order
	bt *btree.BTreeG[phaseKey] // non-nil in tree form
	// hint is the answer of the last search. Successive searches are
	// mostly for nearby phases (the pivots follow the clock, and waiters
	// come and go near it), so a short walk from it usually replaces the
	// binary search.
	hint int
}

const (
	sliceMax = 2048
	sliceMin = 512
)

// lower is the index of the first phase not less than x. Phases and x are
// in [0, period), so ph-x cannot overflow and its sign bit is ph < x; the
// loop adds with a mask instead of branching, since the outcome of each
// halving is unpredictable and a missed branch costs more than the search.
func (p *phaseSet) lower(x int64) int {
	ph := p.ph
	n := len(ph)
	i := min(p.hint, n)
	for range 4 {
		switch {
		case i < n && ph[i] < x:
			i++
		case i > 0 && ph[i-1] >= x:
			i--
		default:
			p.hint = i
			return i
		}
	}
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		lt := int(uint64(ph[base+half-1]-x) >> 63)
		base += half & -lt
		n -= half
	}
	p.hint = base + int(uint64(ph[base]-x)>>63)
	return p.hint
}

// find is where k is, or would go, in the slice form.
func (p *phaseSet) find(k phaseKey) int {
	i := p.lower(k.phase)
	for i < len(p.ph) && p.ph[i] == k.phase && p.ix[i] < k.idx {
		i++
	}
	return i
}

func (p *phaseSet) insert(k phaseKey) {
	if p.bt != nil {
		p.bt.ReplaceOrInsert(k)
		return
	}
	i := p.find(k)
	if i < len(p.ph) && p.ph[i] == k.phase && p.ix[i] == k.idx {
		return
	}
	p.ph = append(p.ph, 0)
	p.ix = append(p.ix, 0)
	copy(p.ph[i+1:], p.ph[i:])
	copy(p.ix[i+1:], p.ix[i:])
	p.ph[i], p.ix[i] = k.phase, k.idx
	if len(p.ph) > sliceMax {
		p.bt = btree.NewG[phaseKey](16, phaseLess)
		for i, x := range p.ix {
			p.bt.ReplaceOrInsert(phaseKey{phase: p.ph[i], idx: x})
		}
		p.ph, p.ix = nil, nil
	}
}

func (p *phaseSet) delete(k phaseKey) {
	if p.bt != nil {
		p.bt.Delete(k)
		if p.bt.Len() < sliceMin {
			p.bt.Ascend(func(k phaseKey) bool {
				p.ph = append(p.ph, k.phase)
				p.ix = append(p.ix, k.idx)
				return true
			})
			p.bt = nil
		}
		return
	}
	i := p.find(k)
	if i < len(p.ph) && p.ph[i] == k.phase && p.ix[i] == k.idx {
		copy(p.ph[i:], p.ph[i+1:])
		copy(p.ix[i:], p.ix[i+1:])
		n := len(p.ph) - 1
		p.ph, p.ix = p.ph[:n], p.ix[:n]
	}
}

// from is the first key whose phase is at or after pivot, wrapping around
// to the smallest; ok is false when the set is empty.
func (p *phaseSet) from(pivot int64) (k phaseKey, ok bool) {
	if p.bt == nil {
		if len(p.ph) == 0 {
			return k, false
		}
		i := p.lower(pivot)
		if i == len(p.ph) {
			i = 0
		}
		return phaseKey{phase: p.ph[i], idx: p.ix[i]}, true
	}
	piv := phaseKey{phase: pivot, idx: -1 << 31}
	p.bt.AscendGreaterOrEqual(piv, func(x phaseKey) bool {
		k, ok = x, true
		return false
	})
	if !ok {
		k, ok = p.bt.Min()
	}
	return k, ok
}
