package ingest

import "container/heap"

// wheelSlot is how much time one slot of the idle wheel spans: 1 s.
const wheelSlot = int64(1e9)

// wheel files live flows by the deadline after which they are idle past
// their timeout, in slots of one second, so that a sweep visits only the
// slots whose time has come instead of every live flow. A flow is filed
// when it starts and again when a sweep finds it still active (its
// deadline moved with its packets) or when its timeout shrinks (a TCP
// connection closed); filings that no longer hold are skipped. Only the
// slots in use exist (a heap orders them), so a jump in time costs
// nothing.
type wheel struct {
	slots map[int64][]filing
	order slotHeap
	spare [][]filing
	n     int // filings held, stale ones included
}

// filing is one flow in a slot, with its filing count at the time.
type filing struct {
	e       *entry
	filings uint32
}

func newWheel() wheel { return wheel{slots: map[int64][]filing{}} }

func (w *wheel) add(e *entry) {
	k := FloorDiv(e.filed, wheelSlot)
	s, ok := w.slots[k]
	if !ok {
		heap.Push(&w.order, k)
		if n := len(w.spare); n > 0 {
			s, w.spare = w.spare[n-1], w.spare[:n-1]
		}
	}
	w.slots[k] = append(s, filing{e, e.filings})
	w.n++
}

// compact drops the stale filings of every slot.
func (w *wheel) compact() {
	w.n = 0
	for k, s := range w.slots {
		kept := s[:0]
		for _, f := range s {
			if f.filings == f.e.filings {
				kept = append(kept, f)
			}
		}
		clear(s[len(kept):])
		w.slots[k] = kept
		w.n += len(kept)
	}
}

// due calls fn for every filing of a slot that starts at or before now.
// fn may file flows again (under a later deadline); the slot that holds
// now is visited in place.
func (w *wheel) due(now int64, fn func(e *entry, filings uint32)) {
	cur := FloorDiv(now, wheelSlot)
	for len(w.order) > 0 && w.order[0] < cur {
		k := heap.Pop(&w.order).(int64)
		s := w.slots[k]
		delete(w.slots, k)
		w.n -= len(s)
		for i, f := range s {
			fn(f.e, f.filings)
			s[i] = filing{}
		}
		w.spare = append(w.spare, s[:0])
	}
	s, ok := w.slots[cur]
	if !ok {
		return
	}
	w.slots[cur] = nil // filings made again land in a fresh slice
	w.n -= len(s)
	for i, f := range s {
		fn(f.e, f.filings)
		s[i] = filing{}
	}
	if again := w.slots[cur]; len(again) > 0 {
		w.spare = append(w.spare, s[:0])
		return
	}
	delete(w.slots, cur)
	for i, k := range w.order {
		if k == cur {
			heap.Remove(&w.order, i)
			break
		}
	}
	w.spare = append(w.spare, s[:0])
}

// slotHeap orders the slots in use.
type slotHeap []int64

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h slotHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *slotHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *slotHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
