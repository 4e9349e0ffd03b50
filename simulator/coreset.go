package simulator

import "math/bits"

// coreSet is a set of core indexes in [0, n) with the search the
// dispatch needs: the lowest member at or after an index. It is a bitmap
// with a summary per level (a bit per non-empty word of the level below),
// so a search looks at a few words, O(log64 n), however many cores are
// busy or idle.
type coreSet struct {
	lv [][]uint64 // lv[0]: a bit per core; lv[i+1]: a bit per non-zero word of lv[i]
}

func newCoreSet(n int) coreSet {
	var s coreSet
	for {
		words := (n + 63) / 64
		s.lv = append(s.lv, make([]uint64, max(words, 1)))
		if words <= 1 {
			return s
		}
		n = words
	}
}

func (s *coreSet) add(i int) {
	for l := range s.lv {
		w := &s.lv[l][i>>6]
		was := *w
		*w |= 1 << (i & 63)
		if was != 0 {
			return // the levels above know this word already
		}
		i >>= 6
	}
}

func (s *coreSet) remove(i int) {
	for l := range s.lv {
		w := &s.lv[l][i>>6]
		*w &^= 1 << (i & 63)
		if *w != 0 {
			return
		}
		i >>= 6
	}
}

// flip adds i (in) or removes it.
func (s *coreSet) flip(i int, in bool) {
	if in {
		s.add(i)
	} else {
		s.remove(i)
	}
}

// next is the lowest member at or after from, or -1.
func (s *coreSet) next(from int) int {
	if len(s.lv) == 1 {
		// up to 64 cores: one word
		if from >= 64 {
			return -1
		}
		if b := s.lv[0][0] & (^uint64(0) << from); b != 0 {
			return bits.TrailingZeros64(b)
		}
		return -1
	}
	return s.nextAt(0, from)
}

func (s *coreSet) nextAt(l, from int) int {
	if l == len(s.lv) {
		return -1
	}
	words := s.lv[l]
	w := from >> 6
	if w >= len(words) {
		return -1
	}
	if b := words[w] & (^uint64(0) << (from & 63)); b != 0 {
		return w<<6 | bits.TrailingZeros64(b)
	}
	nw := s.nextAt(l+1, w+1)
	if nw < 0 {
		return -1
	}
	return nw<<6 | bits.TrailingZeros64(words[nw])
}
