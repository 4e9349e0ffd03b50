package simulator

// The engine's priority queues (events, ready threads, a loop's timers)
// are binary min-heaps in slices of small value types; these two
// functions restore the heap order after an append (up) or after the root
// was replaced (down).

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
