package simulator

// The engine's priority queues are min-heaps in slices of small value
// types; heapUp and heapDown restore a binary heap's order after an
// append (up) or after the root was replaced (down).

func heapUp[T any](h []T, i int, less func(a, b *T) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(&h[i], &h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func heapDown[T any](h []T, i int, less func(a, b *T) bool) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && less(&h[r], &h[l]) {
			m = r
		}
		if !less(&h[m], &h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// lazyPush pushes x onto the binary heap *h, whose stale entries (live
// false) are left to come up at the root; once the heap holds more than
// limit entries, the stale ones are dropped and the heap rebuilt, so that
// it stays proportional to the live ones.
func lazyPush[T any](h *[]T, x T, less func(a, b *T) bool, limit int, live func(T) bool) {
	s := append(*h, x)
	heapUp(s, len(s)-1, less)
	if len(s) > limit {
		n := 0
		for _, r := range s {
			if live(r) {
				s[n] = r
				n++
			}
		}
		s = s[:n]
		for i := n/2 - 1; i >= 0; i-- {
			heapDown(s, i, less)
		}
	}
	*h = s
}

// heapPop removes and returns the root.
func heapPop[T any](h *[]T, less func(a, b *T) bool) T {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	var zero T
	s[n] = zero
	s = s[:n]
	heapDown(s, 0, less)
	*h = s
	return top
}

// The largest heaps (the events, a ready queue of thousands, a loop's
// timers) are 4-ary instead: half the levels of a binary heap, and a
// node's four children side by side in memory, so a pop touches about
// half as many cache lines of a heap that does not fit in cache. Their
// orders are total (a sequence number breaks every tie), so the order of
// the pops does not depend on the heap's shape. (They compare elements
// in place: the address of a local handed to less, a function value,
// would make the local escape, an allocation per call.)

func heap4Up[T any](h []T, i int, less func(a, b *T) bool) {
	for i > 0 {
		p := (i - 1) / 4
		if !less(&h[i], &h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func heap4Down[T any](h []T, i int, less func(a, b *T) bool) {
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// heap4Pop removes and returns the root.
func heap4Pop[T any](h *[]T, less func(a, b *T) bool) T {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	var zero T
	s[n] = zero
	s = s[:n]
	heap4Down(s, 0, less)
	*h = s
	return top
}
