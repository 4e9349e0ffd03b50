package simulator

import "github.com/google/btree"

// phaseSet is an ordered set of pairs (a, thread index), ordered by a then
// index, with the query the timed waits need: the first pair whose a is at
// or after a pivot, wrapping around to the least. For the GIL's waiters a
// is a phase (when in each timed wait it ends) or how long after the last
// change of owner a waiter went to sleep.
//
// The pairs are packed into one integer, a<<21 | index, and kept in a
// B+ tree of integers (bset: O(log n) at every size, a single sorted array
// up to 64 pairs). A pair that does not pack (a past 2^41 ns, about 37
// minutes, or an index past 2^21) moves the set to a B-tree of pairs for
// good, or until it is cleared; so does a set made for phases of a period
// that long.
type phaseSet struct {
	s    bset
	bt   *btree.BTreeG[phaseKey] // non-nil: the pairs do not pack
	wide bool                    // made for a period too long to pack: the B-tree throughout
}

const (
	phaseIdxBits = 21
	phaseAMax    = 1 << (62 - phaseIdxBits) // a packed pair's a is below it
)

// newPhaseSet is an empty set for a in [0, limit) (0: no known limit).
func newPhaseSet(limit int64) *phaseSet {
	p := &phaseSet{}
	p.init(limit)
	return p
}

func (p *phaseSet) init(limit int64) {
	p.wide = limit > phaseAMax
	if p.wide {
		p.bt = btree.NewG[phaseKey](16, phaseLess)
	}
}

func packs(k phaseKey) bool {
	return k.phase < phaseAMax && k.phase >= 0 && k.idx >= 0 && k.idx < 1<<phaseIdxBits
}

func pack(k phaseKey) int64 { return k.phase<<phaseIdxBits | int64(k.idx) }

func unpack(v int64) phaseKey {
	return phaseKey{phase: v >> phaseIdxBits, idx: int32(v & (1<<phaseIdxBits - 1))}
}

// empty says whether the set has no pair (inline, before a search).
func (p *phaseSet) empty() bool { return p.bt == nil && p.s.n == 0 }

func (p *phaseSet) len() int {
	if p.bt != nil {
		return p.bt.Len()
	}
	return p.s.len()
}

func (p *phaseSet) insert(k phaseKey) {
	if p.bt == nil && !packs(k) {
		p.toTree()
	}
	if p.bt != nil {
		p.bt.ReplaceOrInsert(k)
		return
	}
	p.s.insert(pack(k))
}

// insertLeaf is insert for the usual case, a set of packed pairs in one
// leaf with room for k (false, having done nothing, in any other): the
// GIL's waiters go to sleep and join the old ones one by one, and the
// layers of insert showed in profiles.
func (p *phaseSet) insertLeaf(k phaseKey) bool {
	s := &p.s
	l := s.root
	if p.bt != nil || l == nil || l.kids != nil || len(l.keys) >= bsetMax || !packs(k) {
		return false
	}
	v := pack(k)
	if n := len(l.keys); n == 0 || v > l.keys[n-1] {
		l.keys = append(l.keys, v) // past the others (times of going to sleep come in order)
		s.n++
		return true
	}
	i := seek(l.keys, v, s.fIdx)
	s.fIdx = i
	if l.keys[i] == v {
		return true // there already
	}
	l.keys = append(l.keys, 0)
	copy(l.keys[i+1:], l.keys[i:])
	l.keys[i] = v
	s.n++
	return true
}

// toTree moves the packed pairs to a B-tree of pairs.
func (p *phaseSet) toTree() {
	p.bt = btree.NewG[phaseKey](16, phaseLess)
	p.s.each(func(v int64) { p.bt.ReplaceOrInsert(unpack(v)) })
	p.s = bset{}
}

func (p *phaseSet) delete(k phaseKey) {
	if p.bt != nil {
		p.bt.Delete(k)
		return
	}
	if packs(k) {
		p.s.delete(pack(k))
	}
}

// from is the first pair whose a is at or after pivot (in [0, 2^41) unless
// the set is wide), wrapping around to the least; ok is false when the set
// is empty.
func (p *phaseSet) from(pivot int64) (k phaseKey, ok bool) {
	if p.bt == nil {
		s := &p.s
		if s.n == 0 {
			return k, false
		}
		if r := s.root; r.kids == nil {
			// one leaf, the common case (up to 128 sleeping waiters):
			// searched here, a call less on the GIL's hottest query
			j := seek(r.keys, pivot<<phaseIdxBits, s.fIdx)
			if j == len(r.keys) {
				return unpack(r.keys[0]), true
			}
			s.fIdx = j
			return unpack(r.keys[j]), true
		}
		v, ok := s.ceil(pivot << phaseIdxBits)
		if !ok {
			v, ok = p.s.min()
		}
		return unpack(v), ok
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

// min is the least pair.
func (p *phaseSet) min() (phaseKey, bool) {
	if p.bt != nil {
		return p.btMin()
	}
	if p.s.n == 0 {
		return phaseKey{}, false
	}
	return unpack(p.s.root.keys[0]), true
}

// btMin is min of a set in its B-tree (out of line: min is inlined).
func (p *phaseSet) btMin() (phaseKey, bool) { return p.bt.Min() }

// each calls f with every pair, in order.
func (p *phaseSet) each(f func(phaseKey)) {
	if p.bt != nil {
		p.bt.Ascend(func(k phaseKey) bool { f(k); return true })
		return
	}
	p.s.each(func(v int64) { f(unpack(v)) })
}

// clear empties the set; one that went to a B-tree only because a pair
// did not pack packs again.
func (p *phaseSet) clear() {
	p.s.clear()
	if p.bt != nil {
		if p.wide {
			p.bt.Clear(false)
		} else {
			p.bt = nil
		}
	}
}

// moveTo moves every pair of p into q and empties p.
func (p *phaseSet) moveTo(q *phaseSet) {
	if p.len() == 0 {
		return
	}
	if p.bt == nil && q.bt == nil {
		p.s.each(func(v int64) { q.s.insert(v) })
	} else {
		p.each(q.insert)
	}
	p.clear()
}
