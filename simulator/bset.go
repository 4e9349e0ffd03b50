package simulator

// bset is an ordered set of int64 keys in [0, 2^62]: a B+ tree whose nodes
// hold up to bsetMax keys. Up to bsetMax keys it is one sorted array (a
// binary search and a short copy, what a small set wants); past that,
// every operation walks one path of nodes, so it costs O(log n) at every
// size, with a copy of at most bsetMax keys per node it changes.
//
// The GIL's waiters come and go near the clock's phase, and the searches
// follow it: a finger, the leaf of the last walk down and the least key
// past it, lets an operation whose key falls in that leaf's range, and
// that changes no node but the leaf, skip the walk. Any change of the
// tree's shape (a split, a merge, keys moved between nodes) voids it.
type bset struct {
	root *bnode
	n    int
	free []*bnode // nodes of a cleared tree, or merged away, for reuse
	ver  uint32   // counts the changes of shape

	fLeaf  *bnode // the finger's leaf (nil: none)
	fVer   uint32 // ver when it was taken
	fHi    int64  // the least key past the leaf, when fHasHi
	fHasHi bool
	fIdx   int // where in the leaf the last search ended
}

// bnode is a node of a bset. A leaf holds keys; an inner node holds its
// children and, in keys, the least key of each child, exactly (so that
// the least key of any subtree is at hand without descending).
type bnode struct {
	keys []int64
	kids []*bnode // nil for a leaf
}

const (
	bsetMax = 128         // keys (or children) a node holds at most
	bsetMin = bsetMax / 4 // fewer, and a node is merged with a sibling or borrows from it
)

func (s *bset) len() int { return s.n }

// lowerBound is the index of the first key not less than x. Keys and x are
// in [0, 2^62], so k-x cannot overflow and its sign bit is k < x; the loop
// adds with a mask instead of branching, since the outcome of each halving
// is unpredictable and a missed branch costs more than the search.
func lowerBound(ks []int64, x int64) int {
	n := len(ks)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		lt := int(uint64(ks[base+half-1]-x) >> 63)
		base += half & -lt
		n -= half
	}
	return base + int(uint64(ks[base]-x)>>63)
}

// seek is lowerBound(ks, x), tried first a few steps from hint, the
// place of the last search in the same leaf.
func seek(ks []int64, x int64, hint int) int {
	i := min(hint, len(ks))
	for range 4 {
		switch {
		case i < len(ks) && ks[i] < x:
			i++
		case i > 0 && ks[i-1] >= x:
			i--
		default:
			return i
		}
	}
	return lowerBound(ks, x)
}

// childFor is the child of inner node keys whose range holds x: the last
// whose least key is at most x, or the first.
func childFor(keys []int64, x int64) int {
	return max(lowerBound(keys, x+1)-1, 0)
}

// finger is the finger's leaf when key k falls strictly inside its range
// (past its least key: an insert or delete of k leaves the inner nodes
// alone), else nil.
func (s *bset) finger(k int64) *bnode {
	l := s.fLeaf
	if l == nil || s.fVer != s.ver || len(l.keys) == 0 || k <= l.keys[0] || (s.fHasHi && k >= s.fHi) {
		return nil
	}
	return l
}

// walked keeps the leaf just walked down to as the finger, unless the
// walk changed the tree's shape (since ver v).
func (s *bset) walked(v uint32) {
	if s.ver != v {
		s.fLeaf = nil
		return
	}
	s.fVer = v
}

// insert adds k; false if it was there already.
func (s *bset) insert(k int64) bool {
	l := s.root
	if l != nil && l.kids == nil && len(l.keys) < bsetMax && (len(l.keys) == 0 || k > l.keys[len(l.keys)-1]) {
		// one leaf, and k past its keys (times of going to sleep come in order)
		l.keys = append(l.keys, k)
		s.n++
		return true
	}
	if l == nil || l.kids != nil || len(l.keys) == bsetMax {
		l = s.finger(k) // past one leaf
	}
	if l != nil && len(l.keys) < bsetMax {
		i := seek(l.keys, k, s.fIdx)
		s.fIdx = i
		if i < len(l.keys) && l.keys[i] == k {
			return false
		}
		l.keys = append(l.keys, 0)
		copy(l.keys[i+1:], l.keys[i:])
		l.keys[i] = k
		s.n++
		return true
	}
	v := s.ver
	s.fHasHi = false
	if s.root == nil {
		s.root = s.node(false)
	}
	added, right := s.root.insert(s, k)
	if right != nil {
		l := s.root
		s.root = s.node(true)
		s.root.keys = append(s.root.keys, l.keys[0], right.keys[0])
		s.root.kids = append(s.root.kids, l, right)
	}
	if added {
		s.n++
	}
	s.walked(v)
	return added
}

// node is an empty node, reused if one is free.
func (s *bset) node(inner bool) *bnode {
	s.ver++
	var nd *bnode
	if n := len(s.free); n > 0 {
		nd = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		nd = &bnode{keys: make([]int64, 0, bsetMax+1)}
	}
	if inner && nd.kids == nil {
		nd.kids = make([]*bnode, 0, bsetMax+1)
	}
	if !inner {
		nd.kids = nil
	}
	return nd
}

// recycle keeps nd (and, deep, its subtree) for reuse.
func (s *bset) recycle(nd *bnode, deep bool) {
	s.ver++
	if deep {
		for _, c := range nd.kids {
			s.recycle(c, true)
		}
	}
	nd.keys = nd.keys[:0]
	clear(nd.kids)
	nd.kids = nd.kids[:0]
	s.free = append(s.free, nd)
}

// insert adds k under nd; right is the new sibling when nd split.
func (nd *bnode) insert(s *bset, k int64) (added bool, right *bnode) {
	if nd.kids == nil {
		s.fLeaf = nd
		i := lowerBound(nd.keys, k)
		if i < len(nd.keys) && nd.keys[i] == k {
			return false, nil
		}
		nd.keys = append(nd.keys, 0)
		copy(nd.keys[i+1:], nd.keys[i:])
		nd.keys[i] = k
		if len(nd.keys) > bsetMax {
			return true, nd.split(s)
		}
		return true, nil
	}
	i := childFor(nd.keys, k)
	if i+1 < len(nd.keys) {
		s.fHi, s.fHasHi = nd.keys[i+1], true
	}
	added, r := nd.kids[i].insert(s, k)
	if k < nd.keys[i] {
		nd.keys[i] = k // only the first child's least key can move down
	}
	if r == nil {
		return added, nil
	}
	nd.keys = append(nd.keys, 0)
	copy(nd.keys[i+2:], nd.keys[i+1:])
	nd.keys[i+1] = r.keys[0]
	nd.kids = append(nd.kids, nil)
	copy(nd.kids[i+2:], nd.kids[i+1:])
	nd.kids[i+1] = r
	if len(nd.kids) > bsetMax {
		return added, nd.split(s)
	}
	return added, nil
}

// split moves the upper half of nd into a new right sibling.
func (nd *bnode) split(s *bset) *bnode {
	h := len(nd.keys) / 2
	r := s.node(nd.kids != nil)
	r.keys = append(r.keys, nd.keys[h:]...)
	nd.keys = nd.keys[:h]
	if nd.kids != nil {
		r.kids = append(r.kids, nd.kids[h:]...)
		clear(nd.kids[h:])
		nd.kids = nd.kids[:h]
	}
	return r
}

// delete removes k; false if it was not there.
func (s *bset) delete(k int64) bool {
	l := s.root
	if l != nil && l.kids != nil {
		if l = s.finger(k); l != nil && len(l.keys) <= bsetMin {
			l = nil
		}
	}
	if l != nil {
		i := seek(l.keys, k, s.fIdx)
		s.fIdx = i
		if i == len(l.keys) || l.keys[i] != k {
			return false
		}
		l.keys = append(l.keys[:i], l.keys[i+1:]...)
		s.n--
		return true
	}
	v := s.ver
	s.fHasHi = false
	if s.root == nil || !s.root.delete(s, k) {
		s.walked(v)
		return false
	}
	s.n--
	if r := s.root; len(r.kids) == 1 {
		s.root = r.kids[0]
		s.recycle(r, false)
	}
	s.walked(v)
	return true
}

func (nd *bnode) delete(s *bset, k int64) bool {
	if nd.kids == nil {
		s.fLeaf = nd
		i := lowerBound(nd.keys, k)
		if i == len(nd.keys) || nd.keys[i] != k {
			return false
		}
		nd.keys = append(nd.keys[:i], nd.keys[i+1:]...)
		return true
	}
	i := childFor(nd.keys, k)
	if i+1 < len(nd.keys) {
		s.fHi, s.fHasHi = nd.keys[i+1], true
	}
	c := nd.kids[i]
	if !c.delete(s, k) {
		return false
	}
	if len(c.keys) > 0 {
		nd.keys[i] = c.keys[0]
	}
	if len(c.keys) < bsetMin {
		nd.rebalance(s, i)
	}
	return true
}

// rebalance mends child i of nd, grown too small: it merges with a
// neighbour when both fit in one node, else takes keys from it so that
// the two hold half each.
func (nd *bnode) rebalance(s *bset, i int) {
	if len(nd.kids) < 2 {
		return
	}
	s.ver++
	a := i
	if a == len(nd.kids)-1 {
		a--
	}
	l, r := nd.kids[a], nd.kids[a+1]
	if len(l.keys)+len(r.keys) <= bsetMax {
		l.keys = append(l.keys, r.keys...)
		if l.kids != nil {
			l.kids = append(l.kids, r.kids...)
		}
		nd.keys = append(nd.keys[:a+1], nd.keys[a+2:]...)
		copy(nd.kids[a+1:], nd.kids[a+2:])
		nd.kids[len(nd.kids)-1] = nil
		nd.kids = nd.kids[:len(nd.kids)-1]
		if len(l.keys) > 0 {
			nd.keys[a] = l.keys[0]
		}
		s.recycle(r, false)
		return
	}
	total := len(l.keys) + len(r.keys)
	want := total / 2
	if len(l.keys) < want {
		// move the first keys of r to the end of l
		m := want - len(l.keys)
		l.keys = append(l.keys, r.keys[:m]...)
		r.keys = append(r.keys[:0], r.keys[m:]...)
		if l.kids != nil {
			l.kids = append(l.kids, r.kids[:m]...)
			n := copy(r.kids, r.kids[m:])
			clear(r.kids[n:])
			r.kids = r.kids[:n]
		}
	} else {
		// move the last keys of l to the front of r
		m := len(l.keys) - want
		r.keys = append(r.keys, l.keys[:m]...) // room, then shift
		copy(r.keys[m:], r.keys[:len(r.keys)-m])
		copy(r.keys, l.keys[want:])
		l.keys = l.keys[:want]
		if l.kids != nil {
			r.kids = append(r.kids, l.kids[:m]...)
			copy(r.kids[m:], r.kids[:len(r.kids)-m])
			copy(r.kids, l.kids[want:])
			clear(l.kids[want:])
			l.kids = l.kids[:want]
		}
	}
	nd.keys[a], nd.keys[a+1] = l.keys[0], r.keys[0]
}

// ceil is the least key not less than x.
func (s *bset) ceil(x int64) (int64, bool) {
	if r := s.root; r != nil && r.kids == nil {
		// one leaf
		j := seek(r.keys, x, s.fIdx)
		if j < len(r.keys) {
			s.fIdx = j
			return r.keys[j], true
		}
		return 0, false
	}
	if l := s.fLeaf; l != nil && s.fVer == s.ver && len(l.keys) > 0 && x >= l.keys[0] && (!s.fHasHi || x < s.fHi) {
		// the last answer's place first: successive pivots are close
		if j := seek(l.keys, x, s.fIdx); j < len(l.keys) {
			s.fIdx = j
			return l.keys[j], true
		}
	}
	nd := s.root
	if nd == nil {
		return 0, false
	}
	// the least key of the next subtree on the way down: the answer when
	// every key of the subtree descended into is less than x
	next, hasNext := int64(0), false
	for nd.kids != nil {
		i := childFor(nd.keys, x)
		if i+1 < len(nd.keys) {
			next, hasNext = nd.keys[i+1], true
		}
		nd = nd.kids[i]
	}
	s.fLeaf, s.fVer, s.fHi, s.fHasHi = nd, s.ver, next, hasNext
	if j := lowerBound(nd.keys, x); j < len(nd.keys) {
		s.fIdx = j
		return nd.keys[j], true
	}
	return next, hasNext
}

// min is the least key.
func (s *bset) min() (int64, bool) {
	if s.n == 0 {
		return 0, false
	}
	return s.root.keys[0], true
}

// each calls f with every key, in order.
func (s *bset) each(f func(int64)) {
	if s.root != nil {
		s.root.each(f)
	}
}

func (nd *bnode) each(f func(int64)) {
	if nd.kids == nil {
		for _, k := range nd.keys {
			f(k)
		}
		return
	}
	for _, c := range nd.kids {
		c.each(f)
	}
}

// clear empties the set, keeping its nodes for reuse.
func (s *bset) clear() {
	s.ver++
	if s.root != nil && s.root.kids == nil {
		s.root.keys = s.root.keys[:0]
	} else if s.root != nil {
		s.recycle(s.root, true)
		s.root = nil
	}
	s.n = 0
}
