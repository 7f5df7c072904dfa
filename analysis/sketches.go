package analysis

import (
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"net/netip"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// SlotCount is the size of T2.6's fixed array: 2^16 slots.
const SlotCount = 1 << 16

// SlotIndex maps a host pair to a slot of the fixed array.
type SlotIndex func(Pair) uint16

// FNV1aSlot is the default SlotIndex: 32-bit FNV-1a over the 16-byte forms
// of A then B (A < B, IPv4 addresses in their IPv4-mapped form), folded to
// 16 bits by XOR of its two halves.
func FNV1aSlot(p Pair) uint16 {
	return fold16(fnv1a(fnvOffset, p))
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnv1a(h uint32, p Pair) uint32 {
	a, b := p.A.As16(), p.B.As16()
	for _, c := range a {
		h = (h ^ uint32(c)) * fnvPrime
	}
	for _, c := range b {
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

func fold16(h uint32) uint16 { return uint16(h>>16) ^ uint16(h) }

// SlotArray is T2.6: flows counted in 2^16 slots indexed by a hash of the
// host pair, compared with the exact per-pair counts.
type SlotArray struct {
	Index         string            // name of the SlotIndex used
	Counts        [SlotCount]uint32 // flows per slot
	Pairs         int               // distinct host pairs
	Occupied      int               // non-empty slots
	Expected      float64           // expected occupied slots for Pairs random pairs: m(1−(1−1/m)^n)
	Shared        int               // slots holding more than one pair
	PairsInShared int               // pairs in those slots
	Merged        [][]PairRow       // the pairs of each shared slot, largest slot first
	slotOf        map[Pair]uint16   // second pass: each pair's slot
	exactTop      []pairStats       // exact top-100 by flows
}

// SlotArray answers T2.6: it counts the flows in the 2^16-slot array with
// the given index function (nil: FNV1aSlot; name says which was used) and
// compares with the exact counts.
func (p Pairs) SlotArray(index SlotIndex, name string) *SlotArray {
	if index == nil {
		index, name = FNV1aSlot, "FNV-1a 32-bit over both addresses, folded to 16 bits"
	}
	s := &SlotArray{Index: name, slotOf: map[Pair]uint16{}}
	p.c.eachFlow(func(f *flow.Flow) {
		s.Counts[index(MakePair(f.Orig, f.Resp))]++
	})
	pairs := p.all()
	s.Pairs = len(pairs)
	bySlot := map[uint16][]pairStats{}
	for _, p := range pairs {
		k := index(p.Pair)
		s.slotOf[p.Pair] = k
		bySlot[k] = append(bySlot[k], p)
	}
	s.Occupied = len(bySlot)
	m := float64(SlotCount)
	s.Expected = m * (1 - math.Pow(1-1/m, float64(s.Pairs)))
	for _, l := range bySlot {
		if len(l) > 1 {
			s.Shared++
			s.PairsInShared += len(l)
			s.Merged = append(s.Merged, pairRows(l))
		}
	}
	sort.Slice(s.Merged, func(i, j int) bool {
		a, b := s.Merged[i], s.Merged[j]
		fa, fb := sumFlows(a), sumFlows(b)
		if fa != fb {
			return fa > fb
		}
		return pairLess(a[0].Pair(), b[0].Pair())
	})
	s.exactTop = rankPairs(pairs, false, 100)
	return s
}

func sumFlows(l []PairRow) uint64 {
	var n uint64
	for _, p := range l {
		n += p.Flows
	}
	return n
}

// SlotRow is one slot of the array: its flows and how many host pairs
// share it.
type SlotRow struct {
	Rank  int    `table:"rank,id"`
	Slot  uint16 `table:"slot,id"`
	Flows uint32 `table:"flows"`
	Pairs int    `table:"pairs"`
}

// TopSlots is the data behind T2.6's figure: the n fullest slots.
func (s *SlotArray) TopSlots(n int) []SlotRow {
	pairsIn := map[uint16]int{}
	for _, k := range s.slotOf {
		pairsIn[k]++
	}
	slots := make([]int, 0, s.Occupied)
	for i, v := range s.Counts {
		if v > 0 {
			slots = append(slots, i)
		}
	}
	sort.SliceStable(slots, func(i, j int) bool { return s.Counts[slots[i]] > s.Counts[slots[j]] })
	var out []SlotRow
	for i, k := range slots {
		if i == n {
			break
		}
		out = append(out, SlotRow{Rank: i + 1, Slot: uint16(k), Flows: s.Counts[k], Pairs: pairsIn[uint16(k)]})
	}
	return out
}

// ComparisonRow is one of the exact top-100 pairs with what its slot says.
// A slot never under-counts: OverCount ≥ 0.
type ComparisonRow struct {
	Rank       int        `table:"rank,id"`
	A          netip.Addr `table:"host_a"`
	B          netip.Addr `table:"host_b"`
	ExactFlows uint64     `table:"exact_flows"`
	Slot       uint16     `table:"slot,id"`
	SlotFlows  uint32     `table:"slot_flows"`
	OverCount  uint64     `table:"over_count"`
}

// Comparison lists the exact top-100 pairs with what their slot says.
func (s *SlotArray) Comparison() []ComparisonRow {
	out := make([]ComparisonRow, len(s.exactTop))
	for i, p := range s.exactTop {
		k := s.slotOf[p.Pair]
		out[i] = ComparisonRow{Rank: i + 1, A: p.A, B: p.B, ExactFlows: p.Flows, Slot: k, SlotFlows: s.Counts[k], OverCount: uint64(s.Counts[k]) - p.Flows}
	}
	return out
}

// OverCounted returns how many of the exact top-100 pairs their slot
// over-counts, and the largest over-count.
func (s *SlotArray) OverCounted() (n int, max uint64) {
	for _, p := range s.exactTop {
		if d := uint64(s.Counts[s.slotOf[p.Pair]]) - p.Flows; d > 0 {
			n++
			if d > max {
				max = d
			}
		}
	}
	return n, max
}

// Sentence states T2.6's answer from the numbers.
func (s *SlotArray) Sentence() string {
	n, max := s.OverCounted()
	shared := "no slot holds more than one pair"
	switch {
	case s.Shared == 1:
		shared = fmt.Sprintf("1 slot holds more than one pair (%s merged)", units.Plural(s.PairsInShared, "pair"))
	case s.Shared > 1:
		shared = fmt.Sprintf("%s hold more than one pair (%s merged)", units.Plural(s.Shared, "slot"), units.Plural(s.PairsInShared, "pair"))
	}
	msg := fmt.Sprintf("%s fill %s of the %s slots (%s expected for random slots: m(1−(1−1/m)^n)); %s. ",
		units.Plural(s.Pairs, "host pair"), units.Count(s.Occupied), units.Count(SlotCount), units.Fixed(s.Expected, 1), shared)
	top := fmt.Sprintf("the exact top %s", units.Plural(len(s.exactTop), "pair"))
	if len(s.exactTop) == 1 {
		top = "the one pair"
	}
	if n == 0 {
		return msg + fmt.Sprintf("No slot of %s holds a counted flow of another pair, so the array's counts equal the exact ones for them; with more pairs, collisions would over-count (a slot never under-counts) and a slot cannot say which pairs it holds.", top)
	}
	return msg + fmt.Sprintf("%s of %s are over-counted, by up to %s, because another pair shares their slot; a slot never under-counts, and it cannot say which pairs it holds.",
		units.Count(n), top, units.Plural(max, "flow"))
}

// CountingResult is one counting method's measured cost and accuracy.
type CountingResult struct {
	Method        string  `table:"method"`
	Parameters    string  `table:"parameters"`
	MemoryBytes   uint64  `table:"memory_bytes"`    // heap bytes the structure holds (measured), or its size for fixed arrays
	NsPerUpdate   float64 `table:"ns_per_update,1"` // mean time of one update, measured over all flows
	Precision     float64 `table:"precision,2"`     // of the method's top-100 against the exact top-100
	Recall        float64 `table:"recall,2"`
	MeanRelError  float64 `table:"mean_rel_error,3"` // mean |estimate − exact| / exact over the exact top-100
	MaxOverCount  uint64  `table:"max_over_count"`
	UnderCounting bool    // whether any estimate of the top-100 is below the exact count
}

// CountingResults are T2.7's measurements, in the order exact map, 2^16
// array, Count-Min, Space-Saving.
type CountingResults []CountingResult

// CountingMethods answers T2.7 by running four ways of counting flows per
// host pair over this capture's flows, in order: an exact hash map, the
// 2^16-slot array (FNV1aSlot), a Count-Min sketch (depth 4 × width 16 384
// 32-bit counters, the same 256 KiB as the array; estimates are the minimum
// over the rows) and Space-Saving with 200 counters (top-k). Memory is
// measured as the live heap the structure holds (exact map, Space-Saving) or is
// the counters' size (array, sketch); time per update is the mean over the
// whole flow stream (each round starting from an empty structure), repeated
// until at least 20 ms of updates have been timed.
func (p Pairs) CountingMethods() CountingResults {
	stream := make([]Pair, 0, p.c.m.NFlows)
	p.c.eachFlow(func(f *flow.Flow) { stream = append(stream, MakePair(f.Orig, f.Resp)) })
	exact := rankPairs(p.all(), false, 100)
	all := p.all()
	var out CountingResults

	// Exact map.
	var m map[Pair]uint64
	mem := liveSize(func() any {
		m = make(map[Pair]uint64)
		for _, p := range stream {
			m[p]++
		}
		return m
	})
	var x map[Pair]uint64
	ns := timePerUpdate(len(stream), func() { x = make(map[Pair]uint64) }, func() {
		for _, p := range stream {
			x[p]++
		}
	})
	out = append(out, score("exact hash map", "map[pair]uint64", mem, ns, exact, all, func(p Pair) uint64 { return m[p] }, nil))

	// 2^16 array.
	var arr [SlotCount]uint32
	for _, p := range stream {
		arr[FNV1aSlot(p)]++
	}
	a := new([SlotCount]uint32)
	ns = timePerUpdate(len(stream), func() { clear(a[:]) }, func() {
		for _, p := range stream {
			a[FNV1aSlot(p)]++
		}
	})
	out = append(out, score("2^16 slot array", "65 536 × uint32, FNV-1a", SlotCount*4, ns, exact, all,
		func(p Pair) uint64 { return uint64(arr[FNV1aSlot(p)]) }, nil))

	// Count-Min.
	cm := newCountMin(4, 1<<14)
	for _, p := range stream {
		cm.add(p)
	}
	cm2 := newCountMin(4, 1<<14)
	ns = timePerUpdate(len(stream), func() {
		for _, r := range cm2.rows {
			clear(r)
		}
	}, func() {
		for _, p := range stream {
			cm2.add(p)
		}
	})
	out = append(out, score("Count-Min sketch", "depth 4 × width 16 384 × uint32", uint64(4*(1<<14)*4), ns, exact, all, cm.estimate, nil))

	// Space-Saving.
	var ss *spaceSaving
	mem = liveSize(func() any {
		ss = newSpaceSaving(200)
		for _, p := range stream {
			ss.add(p)
		}
		return ss
	})
	var ss2 *spaceSaving
	ns = timePerUpdate(len(stream), func() { ss2 = newSpaceSaving(200) }, func() {
		for _, p := range stream {
			ss2.add(p)
		}
	})
	out = append(out, score("Space-Saving top-k", "200 counters", mem, ns, exact, all, ss.estimate, ss.top(100)))
	return out
}

// score measures a method's accuracy on the exact top-100. own is the
// method's own top list, when it keeps one (Space-Saving); otherwise every
// known pair is ranked by its estimate.
func score(method, params string, mem uint64, ns float64, exact, all []pairStats, est func(Pair) uint64, own []Pair) CountingResult {
	r := CountingResult{Method: method, Parameters: params, MemoryBytes: mem, NsPerUpdate: ns}
	if len(exact) == 0 {
		return r
	}
	if own == nil {
		ranked := append([]pairStats(nil), all...)
		sort.SliceStable(ranked, func(i, j int) bool { return est(ranked[i].Pair) > est(ranked[j].Pair) })
		for i := 0; i < len(ranked) && i < len(exact); i++ {
			own = append(own, ranked[i].Pair)
		}
	}
	inExact := map[Pair]bool{}
	for _, p := range exact {
		inExact[p.Pair] = true
	}
	hit := 0
	for _, p := range own {
		if inExact[p] {
			hit++
		}
	}
	if len(own) > 0 {
		r.Precision = float64(hit) / float64(len(own))
	}
	r.Recall = float64(hit) / float64(len(exact))
	var sum float64
	for _, p := range exact {
		e := est(p.Pair)
		if e < p.Flows {
			r.UnderCounting = true
			sum += float64(p.Flows-e) / float64(p.Flows)
		} else {
			sum += float64(e-p.Flows) / float64(p.Flows)
			if e-p.Flows > r.MaxOverCount {
				r.MaxOverCount = e - p.Flows
			}
		}
	}
	r.MeanRelError = sum / float64(len(exact))
	return r
}

// liveSize measures the heap a structure holds: the live heap with it,
// minus the live heap once it is dropped (both after a collection). Should
// anything else disturb that, the bytes allocated while building it are
// returned instead (an upper bound).
func liveSize(build func() any) uint64 {
	var t0, t1, with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&t0)
	v := build()
	runtime.ReadMemStats(&t1)
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(v)
	v = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	if with.HeapAlloc > without.HeapAlloc {
		return with.HeapAlloc - without.HeapAlloc
	}
	return t1.TotalAlloc - t0.TotalAlloc
}

// timePerUpdate times run (the updates only; reset prepares an empty
// structure before each round) until 20 ms of updates have been timed.
func timePerUpdate(n int, reset, run func()) float64 {
	if n == 0 {
		return 0
	}
	var spent time.Duration
	rounds := 0
	for rounds == 0 || spent < 20*time.Millisecond {
		reset()
		start := time.Now()
		run()
		spent += time.Since(start)
		rounds++
	}
	return float64(spent.Nanoseconds()) / float64(rounds*n)
}

type countMin struct {
	depth, width int
	rows         [][]uint32
}

func newCountMin(depth, width int) *countMin {
	c := &countMin{depth: depth, width: width, rows: make([][]uint32, depth)}
	for i := range c.rows {
		c.rows[i] = make([]uint32, width)
	}
	return c
}

func (c *countMin) slot(row int, p Pair) int {
	h := fnv1a(fnvOffset^uint32(row)*0x9e3779b9, p)
	return int(h % uint32(c.width))
}

func (c *countMin) add(p Pair) {
	for r := range c.rows {
		c.rows[r][c.slot(r, p)]++
	}
}

func (c *countMin) estimate(p Pair) uint64 {
	m := uint32(math.MaxUint32)
	for r := range c.rows {
		if v := c.rows[r][c.slot(r, p)]; v < m {
			m = v
		}
	}
	return uint64(m)
}

// spaceSaving keeps k counters; a new key replaces the smallest counter and
// inherits its count (Metwally et al.), so estimates never under-count.
type spaceSaving struct {
	k   int
	idx map[Pair]int
	h   ssHeap
}

type ssItem struct {
	p     Pair
	count uint64
}

type ssHeap struct {
	items []ssItem
	idx   map[Pair]int
}

func (h ssHeap) Len() int { return len(h.items) }
func (h ssHeap) Less(i, j int) bool {
	if h.items[i].count != h.items[j].count {
		return h.items[i].count < h.items[j].count
	}
	return pairLess(h.items[j].p, h.items[i].p)
}
func (h ssHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.idx[h.items[i].p] = i
	h.idx[h.items[j].p] = j
}
func (h *ssHeap) Push(x any) {
	it := x.(ssItem)
	h.idx[it.p] = len(h.items)
	h.items = append(h.items, it)
}
func (h *ssHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.idx, it.p)
	return it
}

func newSpaceSaving(k int) *spaceSaving {
	idx := make(map[Pair]int, k)
	return &spaceSaving{k: k, idx: idx, h: ssHeap{idx: idx}}
}

func (s *spaceSaving) add(p Pair) {
	if i, ok := s.idx[p]; ok {
		s.h.items[i].count++
		heap.Fix(&s.h, i)
		return
	}
	if len(s.h.items) < s.k {
		heap.Push(&s.h, ssItem{p: p, count: 1})
		return
	}
	min := s.h.items[0]
	delete(s.idx, min.p)
	s.h.items[0] = ssItem{p: p, count: min.count + 1}
	s.idx[p] = 0
	heap.Fix(&s.h, 0)
}

func (s *spaceSaving) estimate(p Pair) uint64 {
	if i, ok := s.idx[p]; ok {
		return s.h.items[i].count
	}
	if len(s.h.items) < s.k || len(s.h.items) == 0 {
		return 0
	}
	return s.h.items[0].count // an unmonitored key has at most the minimum
}

func (s *spaceSaving) top(n int) []Pair {
	items := append([]ssItem(nil), s.h.items...)
	sort.Slice(items, func(i, j int) bool {
		if items[i].count != items[j].count {
			return items[i].count > items[j].count
		}
		return pairLess(items[i].p, items[j].p)
	})
	var out []Pair
	for i := 0; i < len(items) && i < n; i++ {
		out = append(out, items[i].p)
	}
	return out
}

// Sentence compares the four methods from their measurements.
func (rs CountingResults) Sentence() string {
	if len(rs) < 4 {
		return ""
	}
	fastest := rs[0]
	for _, r := range rs {
		if r.NsPerUpdate < fastest.NsPerUpdate {
			fastest = r
		}
	}
	ex, arr, cm, ss := rs[0], rs[1], rs[2], rs[3]
	return fmt.Sprintf("Measured here: the exact map uses %s bytes (growing with the number of pairs) at %.0f ns per update; the 2^16 array a fixed %s bytes at %.0f ns, mean relative error %.3f on the top-100; the Count-Min sketch %s bytes at %.0f ns, error %.3f (it never under-counts); Space-Saving %s bytes at %.0f ns, precision %.2f and recall %.2f on the top-100. Fastest per update: %s. For a top-k question on a large capture, Space-Saving keeps memory proportional to k with exact counts for the heavy pairs; Count-Min bounds memory for any key at the price of over-counting.",
		units.Count(ex.MemoryBytes), ex.NsPerUpdate, units.Count(arr.MemoryBytes), arr.NsPerUpdate, arr.MeanRelError,
		units.Count(cm.MemoryBytes), cm.NsPerUpdate, cm.MeanRelError, units.Count(ss.MemoryBytes), ss.NsPerUpdate,
		ss.Precision, ss.Recall, fastest.Method)
}
