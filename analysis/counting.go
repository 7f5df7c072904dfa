package analysis

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sort"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// countingMethods are T2.7's four methods, in the order of every table.
var countingMethods = []struct {
	name, params string
	empty        func() pairCounter
}{
	{"exact hash map", "map[Pair]uint64 grown from empty", func() pairCounter { return exactCounter{} }},
	{"2^16 slot array", units.Count(SlotCount) + " × uint32, FNV-1a", func() pairCounter { return new(slotCounter) }},
	{"Count-Min sketch", fmt.Sprintf("%d × %s × uint32", cmDepth, units.Count(cmWidth)), func() pairCounter { return new(countMin) }},
	{"Space-Saving top-k", fmt.Sprintf("%d counters", ssCounters), func() pairCounter { return newSpaceSaving(ssCounters) }},
}

// fixedSizes are the bytes of countingMethods that do not grow: the
// counters' size for the array and Count-Min, and the live heap of an
// empty Space-Saving (it allocates all it will hold up front) measured
// once, so that a large capture's heap is collected as few times as
// possible (each forced collection took 0.3 s with 160 MB of flows live).
// The exact map grows: 0, to be measured after each stream.
func fixedSizes() []uint64 {
	return []uint64{0, SlotCount * 4, cmDepth * cmWidth * 4, liveSize(func() any { return newSpaceSaving(ssCounters) })}
}

// TopPairs is the k of T2.7's "error on the top-100".
const TopPairs = 100

// accuracy is how a method's estimates compare with the exact counts on
// the exact top-k pairs.
//
// The errors are over the exact top-k: the mean of |estimate − exact| /
// exact, the largest estimate − exact, and how many estimates are below
// the exact count. They do not depend on how ties are broken.
//
// Precision is the share of the method's own top-k list that is right,
// recall that share of k. A listed pair is a hit when its exact count is
// at least the exact k-th pair's (kth), so that a pair tied at the k-th
// place counts as right whichever of the tied pairs the exact order
// happens to list: when tied pairs share the k-th count, any of them
// belongs in the top-k, and a method that lists another of them is not
// wrong. A miss is a listed pair with fewer flows than kth, one the
// method ranks high only because of other pairs' flows. The method's list
// is Space-Saving's k largest counters, and for the others every pair of
// the stream ranked by its estimate (ties: in the key set's order, by
// address for a capture and by number for a resampled stream).
type accuracy struct {
	precision, recall, meanRelError float64
	maxOverCount                    uint64
	underCounted                    int
	kth                             uint64 // the exact k-th pair's flows
	tied                            int    // pairs with exactly kth flows, in the top-k or not
}

// keySet is the distinct pairs of a stream with their exact flows.
type keySet struct {
	n     int
	pair  func(int) Pair
	flows func(int) uint64
	index func(Pair) int // −1 for a pair not in the set
	top   []int          // the exact top-k, first first
}

func score(ks keySet, c pairCounter) accuracy {
	var a accuracy
	k := len(ks.top)
	if k == 0 {
		return a
	}
	var own []int
	switch c := c.(type) {
	case *spaceSaving:
		for _, p := range c.top(k) {
			own = append(own, ks.index(p))
		}
	case exactCounter:
		// Reading the map's entries in place of n look-ups: at 10^6 pairs
		// that is the difference between cache misses and a scan.
		est := make([]uint64, ks.n)
		for p, v := range c {
			est[ks.index(p)] = v
		}
		own = topK(ks.n, k, func(i int) uint64 { return est[i] })
	default:
		own = topK(ks.n, k, func(i int) uint64 { return c.estimate(ks.pair(i)) })
	}
	a.kth = ks.flows(ks.top[k-1])
	for i := range ks.n {
		if ks.flows(i) == a.kth {
			a.tied++
		}
	}
	hits := 0
	for _, i := range own {
		if i >= 0 && ks.flows(i) >= a.kth {
			hits++
		}
	}
	if len(own) > 0 {
		a.precision = float64(hits) / float64(len(own))
	}
	a.recall = float64(hits) / float64(k)
	var sum float64
	for _, i := range ks.top {
		e, x := c.estimate(ks.pair(i)), ks.flows(i)
		if e < x {
			a.underCounted++
			sum += float64(x-e) / float64(x)
			continue
		}
		sum += float64(e-x) / float64(x)
		a.maxOverCount = max(a.maxOverCount, e-x)
	}
	a.meanRelError = sum / float64(k)
	return a
}

// topK returns the k indices of [0, n) with the largest values, largest
// first (ties: the smaller index first), keeping only k candidates.
func topK(n, k int, val func(int) uint64) []int {
	type iv struct {
		i int
		v uint64
	}
	worse := func(a, b iv) bool { return a.v < b.v || a.v == b.v && a.i > b.i }
	h := make([]iv, 0, k) // min-heap: the worst candidate at the root
	for i := 0; i < n; i++ {
		x := iv{i, val(i)}
		if len(h) == k {
			if !worse(h[0], x) {
				continue
			}
			h[0] = x
		} else {
			h = append(h, x)
			for j := len(h) - 1; j > 0 && worse(h[j], h[(j-1)/2]); j = (j - 1) / 2 {
				h[j], h[(j-1)/2] = h[(j-1)/2], h[j]
			}
			continue
		}
		for j := 0; ; {
			c := 2*j + 1
			if c >= len(h) {
				break
			}
			if c+1 < len(h) && worse(h[c+1], h[c]) {
				c++
			}
			if !worse(h[c], h[j]) {
				break
			}
			h[j], h[c] = h[c], h[j]
			j = c
		}
	}
	slices.SortFunc(h, func(a, b iv) int {
		if worse(b, a) {
			return -1
		}
		return 1
	})
	out := make([]int, len(h))
	for j, x := range h {
		out[j] = x.i
	}
	return out
}

// liveSize measures the heap a structure holds: the live heap after a
// collection with it, minus the live heap after a collection once it is
// dropped. build must return the only reference to the structure (a slice
// returned as any adds its 24-byte header). Other goroutines allocating or
// freeing between the readings shift the result by as much; should that
// leave no difference at all, the bytes allocated while building are
// returned instead, an upper bound. TestLiveSize checks it against sizes
// known by construction.
func liveSize(build func() any) uint64 {
	var t0, t1, with, without runtime.MemStats
	runtime.ReadMemStats(&t0)
	v := build()
	runtime.ReadMemStats(&t1)
	// Two collections: sync.Pool caches (fmt's buffers, for one) are freed
	// only by the second, which would otherwise fall between the readings.
	runtime.GC()
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

// measure builds a method's structure and scores it; the bytes are the
// fixed size (when not 0), or the live heap it holds.
func measure(fixed uint64, build func() pairCounter, ks keySet) (uint64, accuracy) {
	var acc accuracy
	if fixed > 0 {
		return fixed, score(ks, build())
	}
	mem := liveSize(func() any {
		c := build()
		acc = score(ks, c)
		return c
	})
	return mem, acc
}

// CountingResult is one counting method run over the capture's own flows:
// its memory and its accuracy on the exact top-100 pairs (see
// CountingScaleRow for the definitions).
type CountingResult struct {
	Method       string  `table:"method"`
	Parameters   string  `table:"parameters"`
	MemoryBytes  uint64  `table:"memory_bytes"` // see fixedSizes and CountingScaleRow
	Precision    float64 `table:"precision,2"`
	Recall       float64 `table:"recall,2"`
	MeanRelError float64 `table:"mean_rel_error,3"`
	MaxOverCount uint64  `table:"max_over_count"`
	UnderCounted int     // exact top-100 pairs whose estimate is below the exact count
	Pairs        int     // the capture's distinct host pairs
	noun         string  // what the sentence calls the input (wording)
}

// CountingResults are T2.7's four methods on the capture's own flows, in
// the order exact map, 2^16 array, Count-Min, Space-Saving.
type CountingResults []CountingResult

// CountingMethods runs T2.7's four ways of counting flows per host pair
// over this capture's flows, in order: an exact hash map, the 2^16-slot
// array (FNV1aSlot), a Count-Min sketch (4 rows × 16 384 uint32 counters,
// the same 256 KiB as the array) and Space-Saving with 200 counters. It
// reports memory and accuracy; time per update is measured at scale
// (CountingAtScale), since a capture's few thousand updates take too little
// time to tell the methods apart.
func (p Pairs) CountingMethods() CountingResults {
	all := p.all()
	// A pair's index in all (sorted by address) by binary search: a map
	// of 316 000 pairs would hold 30 MB while the methods are measured.
	at := func(p Pair) int {
		i := sort.Search(len(all), func(i int) bool { return !pairLess(all[i].Pair(), p) })
		if i < len(all) && all[i].Pair() == p {
			return i
		}
		return -1
	}
	// The flows' pairs in order, as indexes into all: 4 bytes a flow (a
	// Pair is 48), and the methods read no file while they are measured.
	stream := make([]int32, 0, p.c.m.NFlows)
	p.c.eachFlow(func(f *flow.Flow) { stream = append(stream, int32(at(MakePair(f.Orig, f.Resp)))) })
	ks := keySet{n: len(all),
		pair:  func(i int) Pair { return all[i].Pair() },
		flows: func(i int) uint64 { return all[i].Flows },
		index: at}
	for _, x := range rankPairs(all, false, TopPairs) {
		ks.top = append(ks.top, at(x.Pair()))
	}
	out := make(CountingResults, len(countingMethods))
	fixed := fixedSizes()
	for i, m := range countingMethods {
		mem, acc := measure(fixed[i], func() pairCounter {
			c := m.empty()
			for _, q := range stream {
				c.add(all[q].Pair())
			}
			return c
		}, ks)
		out[i] = CountingResult{Method: m.name, Parameters: m.params, MemoryBytes: mem, Precision: acc.precision,
			Recall: acc.recall, MeanRelError: acc.meanRelError, MaxOverCount: acc.maxOverCount, UnderCounted: acc.underCounted,
			Pairs: len(all), noun: p.c.words().noun}
	}
	return out
}

// Sentence states what counting this capture's own flows shows: memory,
// and how far each method's counts of the exact top-100 are from the
// exact ones (errors first: they do not depend on ties), then precision
// and recall (see accuracy).
func (rs CountingResults) Sentence() string {
	if len(rs) < 4 {
		return ""
	}
	if rs[0].Pairs == 0 {
		return "There are no host pairs to count."
	}
	ex, arr, cm, ss := rs[0], rs[1], rs[2], rs[3]
	acc := func(r CountingResult) string {
		if r.Precision == 1 && r.Recall == 1 && r.MeanRelError == 0 {
			return "is exact on the top pairs"
		}
		return fmt.Sprintf("has mean relative error %.3f, over-counting by up to %s (precision %.2f, recall %.2f)",
			r.MeanRelError, units.Plural(r.MaxOverCount, "flow"), r.Precision, r.Recall)
	}
	noun := cmp.Or(ex.noun, "capture")
	return fmt.Sprintf("On this %s's own flows (%s), the exact map holds %s; the 2^16 array (%s) %s; the Count-Min sketch (%s) %s; Space-Saving (%s) %s.",
		noun, units.Plural(ex.Pairs, "host pair"), units.Plural(ex.MemoryBytes, "byte"), units.Plural(arr.MemoryBytes, "byte"), acc(arr),
		units.Plural(cm.MemoryBytes, "byte"), acc(cm), units.Plural(ss.MemoryBytes, "byte"), acc(ss))
}
