package app

import "sync"

// InOrder calls do(i) for every i in [0, n) on up to workers goroutines,
// and emit(i, v) with each result on the calling goroutine, in the order
// of i, each as soon as the results before it are in. It is the Runner's
// ordering without its parsing and memory budget, for work that is
// neither (checking files, say).
func InOrder[T any](n, workers int, do func(i int) T, emit func(i int, v T)) {
	results := make([]chan T, n)
	for i := range results {
		results[i] = make(chan T, 1)
	}
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(max(workers, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] <- do(i)
			}
		}()
	}
	for i, r := range results {
		emit(i, <-r)
	}
	wg.Wait()
}
