package simulator

import "github.com/google/btree"

// phaseSet is the ordered set of sleeping GIL waiters' phases, with the one
// query the timed waits need: the first phase at or after a pivot, wrapping
// around. Up to sliceMax waiters it is a sorted slice of packed keys,
// phase<<bits | thread index (a binary search and a short memmove beat a
// tree's pointer chasing at these sizes); past it the phases move to a
// B-tree, and back below sliceMin. A period too long to pack with the
// thread indexes (past 2^41 ns, about 37 minutes, for indexes of 21
// bits), or a thread index too large, moves it to the B-tree for good.
type phaseSet struct {
	keys []int64                 // packed keys, ascending
	bt   *btree.BTreeG[phaseKey] // non-nil in tree form
	bits uint                    // low bits of a packed key, which hold the thread index
	wide bool                    // phases do not fit a packed key
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

// newPhaseSet is an empty set for phases in [0, period). Packed keys stay
// below 2^62, which leaves room for the branch-free search below.
func newPhaseSet(period int64) *phaseSet {
	const b = 21 // thread indexes: MaxEntities and then some
	p := &phaseSet{bits: b, wide: period > 1<<(62-b)}
	if p.wide {
		p.bt = btree.NewG[phaseKey](16, phaseLess)
	}
	return p
}

func (p *phaseSet) pack(k phaseKey) int64 { return k.phase<<p.bits | int64(k.idx) }

func (p *phaseSet) unpack(v int64) phaseKey {
	return phaseKey{phase: v >> p.bits, idx: int32(v & (1<<p.bits - 1))}
}

// lower is the index of the first key not less than x. Keys and x are in
// [0, 2^62], so k-x cannot overflow and its sign bit is k < x; the loop
// adds with a mask instead of branching, since the outcome of each
// halving is unpredictable and a missed branch costs more than the search.
func (p *phaseSet) lower(x int64) int {
	ks := p.keys
	n := len(ks)
	i := min(p.hint, n)
	for range 4 {
		switch {
		case i < n && ks[i] < x:
			i++
		case i > 0 && ks[i-1] >= x:
			i--
		default:
			p.hint = i
			return i
		}
	}
	base := 0
	for n > 1 {
		half := n >> 1
		lt := int(uint64(ks[base+half-1]-x) >> 63)
		base += half & -lt
		n -= half
	}
	p.hint = base + int(uint64(ks[base]-x)>>63)
	return p.hint
}

func (p *phaseSet) insert(k phaseKey) {
	if p.bt != nil {
		p.bt.ReplaceOrInsert(k)
		return
	}
	if int64(k.idx)>>p.bits != 0 {
		p.toTree()
		p.wide = true
		p.bt.ReplaceOrInsert(k)
		return
	}
	v := p.pack(k)
	i := p.lower(v)
	if i < len(p.keys) && p.keys[i] == v {
		return
	}
	p.keys = append(p.keys, 0)
	copy(p.keys[i+1:], p.keys[i:])
	p.keys[i] = v
	if len(p.keys) > sliceMax {
		p.toTree()
	}
}

// toTree moves the slice form's keys to a B-tree.
func (p *phaseSet) toTree() {
	p.bt = btree.NewG[phaseKey](16, phaseLess)
	for _, v := range p.keys {
		p.bt.ReplaceOrInsert(p.unpack(v))
	}
	p.keys = nil
}

func (p *phaseSet) delete(k phaseKey) {
	if p.bt != nil {
		p.bt.Delete(k)
		if !p.wide && p.bt.Len() < sliceMin {
			p.bt.Ascend(func(k phaseKey) bool {
				p.keys = append(p.keys, p.pack(k))
				return true
			})
			p.bt = nil
		}
		return
	}
	v := p.pack(k)
	i := p.lower(v)
	if i < len(p.keys) && p.keys[i] == v {
		p.keys = append(p.keys[:i], p.keys[i+1:]...)
	}
}

// from is the first key whose phase is at or after pivot, wrapping around
// to the smallest; ok is false when the set is empty.
func (p *phaseSet) from(pivot int64) (k phaseKey, ok bool) {
	if p.bt == nil {
		if len(p.keys) == 0 {
			return k, false
		}
		i := p.lower(pivot << p.bits)
		if i == len(p.keys) {
			i = 0
		}
		return p.unpack(p.keys[i]), true
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
