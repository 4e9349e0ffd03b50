package simulator

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTimerHeapPopDue: a loop's timers come off in (due, set order),
// whichever lane holds them, and popDue stops at the first timer not due.
func TestTimerHeapPopDue(t *testing.T) {
	var q timerHeap
	// 10, 20, 20 go to the FIFO lane (in order); 15 and the second 10
	// break the order and go to the heap
	for i, due := range []int64{10, 20, 20, 15, 10} {
		q.push(timerEntry{due: due, m: int32(i)})
	}
	if _, ok := q.popDue(9); ok {
		t.Fatal("popDue(9) popped a timer due at 10")
	}
	var got []int32
	for {
		te, ok := q.popDue(15)
		if !ok {
			break
		}
		got = append(got, te.m)
	}
	// due 10 (set first), due 10 (set fifth), due 15
	if want := []int32{0, 4, 3}; !slices.Equal(got, want) {
		t.Fatalf("popDue(15) gave units %v, want %v", got, want)
	}
	if q.len() != 2 || q.peek().due != 20 || q.peek().m != 1 {
		t.Fatalf("left %d timers, next %+v; want 2, unit 1 at 20", q.len(), *q.peek())
	}
}

// TestTimerHeapOrder: random pushes and pops against a sorted list.
func TestTimerHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 4))
	var q timerHeap
	type key struct {
		due int64
		m   int32
	}
	var ref []key // in (due, push order)
	now := int64(0)
	for i := range 5000 {
		switch r.IntN(3) {
		case 0, 1:
			due := now + r.Int64N(50)
			q.push(timerEntry{due: due, m: int32(i)})
			j := len(ref)
			for j > 0 && ref[j-1].due > due {
				j--
			}
			ref = slices.Insert(ref, j, key{due, int32(i)})
		case 2:
			now += r.Int64N(20)
			for {
				te, ok := q.popDue(now)
				if !ok {
					break
				}
				if len(ref) == 0 || ref[0] != (key{te.due, te.m}) || te.due > now {
					t.Fatalf("step %d: popped %+v, want %v (now %d)", i, te, ref[:min(1, len(ref))], now)
				}
				ref = ref[1:]
			}
			if len(ref) > 0 && ref[0].due <= now {
				t.Fatalf("step %d: %v is due at %d but popDue stopped", i, ref[0], now)
			}
		}
		if q.len() != len(ref) {
			t.Fatalf("step %d: %d timers, want %d", i, q.len(), len(ref))
		}
	}
}
