package analysis

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// SlotCount is the size of T2.6's fixed array: 2^16 slots.
const SlotCount = 1 << 16

// SlotIndex maps a host pair to a slot of the fixed array.
type SlotIndex func(Pair) uint16

// FNV1aSlot is the default SlotIndex: 32-bit FNV-1a over the 16-byte forms
// of A then B (A < B, IPv4 addresses in their IPv4-mapped form), folded to
// 16 bits by XOR of its two halves (flow.PairSlot, the flow schema's
// pair_slot).
func FNV1aSlot(p Pair) uint16 { return flow.PairSlot(p.A, p.B) }

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
	index         SlotIndex
	pairsIn       [SlotCount]uint32 // host pairs per slot
	pairs         []pairStats       // every pair, by address (the Capture's)
	merged        []mergedPair      // the pairs of shared slots: fullest slot first, then by exact flows
	exactTop      []pairStats       // exact top-100 by flows
}

// mergedPair is a pair (an index into pairs) of a slot holding more than
// one pair: 8 bytes a pair, where a big capture merges hundreds of
// thousands.
type mergedPair struct {
	slot uint16
	i    int32
}

// SlotArray answers T2.6: it counts the flows in the 2^16-slot array with
// the given index function (nil: FNV1aSlot; name says which was used) and
// compares with the exact counts.
func (p Pairs) SlotArray(index SlotIndex, name string) *SlotArray {
	if index == nil {
		index, name = FNV1aSlot, "FNV-1a 32-bit over both addresses, folded to 16 bits"
	}
	s := &SlotArray{Index: name, index: index}
	p.c.eachFlow(func(f *flow.Flow) {
		s.Counts[index(MakePair(f.Orig, f.Resp))]++
	})
	s.pairs = p.all()
	s.Pairs = len(s.pairs)
	for _, p := range s.pairs {
		s.pairsIn[index(p.Pair())]++
	}
	for _, n := range s.pairsIn {
		if n > 0 {
			s.Occupied++
		}
		if n > 1 {
			s.Shared++
			s.PairsInShared += int(n)
		}
	}
	m := float64(SlotCount)
	s.Expected = m * (1 - math.Pow(1-1/m, float64(s.Pairs)))
	s.merged = make([]mergedPair, 0, s.PairsInShared)
	for i, p := range s.pairs {
		if k := index(p.Pair()); s.pairsIn[k] > 1 {
			s.merged = append(s.merged, mergedPair{k, int32(i)})
		}
	}
	// Fullest slot first; equal counts by slot number, so that the order
	// does not depend on the map's; within a slot as rankPairs orders
	// (flows, then bytes, then address: the pairs' own order).
	sort.SliceStable(s.merged, func(i, j int) bool {
		a, b := s.merged[i], s.merged[j]
		if a.slot != b.slot {
			if s.Counts[a.slot] != s.Counts[b.slot] {
				return s.Counts[a.slot] > s.Counts[b.slot]
			}
			return a.slot < b.slot
		}
		pa, pb := &s.pairs[a.i], &s.pairs[b.i]
		if pa.Flows != pb.Flows {
			return pa.Flows > pb.Flows
		}
		return pa.Bytes > pb.Bytes
	})
	s.exactTop = rankPairs(s.pairs, false, 100)
	return s
}

// MergedRow is one host pair of a slot that holds more than one pair:
// T2.6's "which pairs are merged". The slot's count is the sum of its
// pairs' exact flows, so every pair of the slot is over-counted by the
// others' flows.
type MergedRow struct {
	Slot       uint16     `table:"slot,id"`
	SlotFlows  uint32     `table:"slot_flows"`
	SlotPairs  int        `table:"pairs_in_slot"`
	A          netip.Addr `table:"host_a"`
	B          netip.Addr `table:"host_b"`
	ExactFlows uint64     `table:"exact_flows"`
	OverCount  uint64     `table:"over_count"` // SlotFlows − ExactFlows: the other pairs' flows
}

// MergedRows lists every pair of every slot holding more than one pair:
// the fullest slot first (equal counts: the lower slot number), within a
// slot the pair with the most flows first (ties: more bytes, then by
// address, as rankPairs).
func (s *SlotArray) MergedRows() []MergedRow { return slices.Collect(s.Merged()) }

// Merged is MergedRows one row at a time, without making the list.
func (s *SlotArray) Merged() iter.Seq[MergedRow] {
	return func(yield func(MergedRow) bool) {
		for _, m := range s.merged {
			n, p := s.Counts[m.slot], &s.pairs[m.i]
			x := p.Pair()
			if !yield(MergedRow{Slot: m.slot, SlotFlows: n, SlotPairs: int(s.pairsIn[m.slot]), A: x.A, B: x.B,
				ExactFlows: p.Flows, OverCount: uint64(n) - p.Flows}) {
				return
			}
		}
	}
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
		out = append(out, SlotRow{Rank: i + 1, Slot: uint16(k), Flows: s.Counts[k], Pairs: int(s.pairsIn[k])})
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
		x := p.Pair()
		k := s.index(x)
		out[i] = ComparisonRow{Rank: i + 1, A: x.A, B: x.B, ExactFlows: p.Flows, Slot: k, SlotFlows: s.Counts[k], OverCount: uint64(s.Counts[k]) - p.Flows}
	}
	return out
}

// OverCounted returns how many of the exact top-100 pairs their slot
// over-counts, and the largest over-count.
func (s *SlotArray) OverCounted() (n int, max uint64) {
	for _, p := range s.exactTop {
		if d := uint64(s.Counts[s.index(p.Pair())]) - p.Flows; d > 0 {
			n++
			if d > max {
				max = d
			}
		}
	}
	return n, max
}

// Sentence states T2.6's answer from the numbers: how many slots the
// pairs fill, which pairs are merged (the mergedNamed fullest shared
// slots, each with its count and its pairs' exact flows; MergedRows has
// all of them), and what that does to the exact top pairs.
func (s *SlotArray) Sentence() string {
	n, max := s.OverCounted()
	verb := "fill"
	if s.Pairs == 1 {
		verb = "fills"
	}
	msg := fmt.Sprintf("%s %s %s of the %s slots (%s expected for random slots: m(1−(1−1/m)^n)); %s. ",
		units.Plural(s.Pairs, "host pair"), verb, units.Count(s.Occupied), units.Count(SlotCount), units.Fixed(s.Expected, 1), s.mergedSentence())
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

// mergedNamed is how many shared slots Sentence names: five slots of two
// pairs each keep the sentence under about 600 characters.
const mergedNamed = 5

// mergedSentence names the pairs merged in the fullest shared slots, as
// "slot 4242 counts 7 flows (5 of A ↔ B and 2 of C ↔ D)".
func (s *SlotArray) mergedSentence() string {
	if s.Shared == 0 {
		return "no slot holds more than one pair"
	}
	var slots []string
	for i := 0; i < len(s.merged) && len(slots) < mergedNamed; {
		k := s.merged[i].slot
		var of []string
		for ; i < len(s.merged) && s.merged[i].slot == k; i++ {
			p := &s.pairs[s.merged[i].i]
			of = append(of, fmt.Sprintf("%s of %s", units.Count(p.Flows), p.Pair()))
		}
		slots = append(slots, fmt.Sprintf("slot %d counts %s (%s)", k, units.Plural(s.Counts[k], "flow"), andList(of)))
	}
	head := fmt.Sprintf("%s hold more than one pair, merging %s", units.Plural(s.Shared, "slot"), units.Plural(s.PairsInShared, "pair"))
	if s.Shared == 1 {
		head = fmt.Sprintf("1 slot holds more than one pair, merging %s", units.Plural(s.PairsInShared, "pair"))
	}
	if rest := s.Shared - len(slots); rest > 0 {
		return fmt.Sprintf("%s; the %d fullest: %s; and %s", head, len(slots), strings.Join(slots, "; "), units.Plural(rest, "more slot"))
	}
	return head + ": " + strings.Join(slots, "; ")
}

// The four ways T2.7 counts flows per host pair. Each adds one flow of a
// pair (add) and estimates a pair's flows (estimate).
type pairCounter interface {
	add(Pair)
	estimate(Pair) uint64
}

// exactCounter is the exact hash map: one entry per distinct pair, so its
// memory grows with the pairs.
type exactCounter map[Pair]uint64

func (m exactCounter) add(p Pair)             { m[p]++ }
func (m exactCounter) estimate(p Pair) uint64 { return m[p] }

// slotCounter is T2.6's array: 2^16 uint32 counters indexed by FNV1aSlot;
// pairs sharing a slot are merged, so a slot never under-counts.
type slotCounter [SlotCount]uint32

func (s *slotCounter) add(p Pair)             { s[FNV1aSlot(p)]++ }
func (s *slotCounter) estimate(p Pair) uint64 { return uint64(s[FNV1aSlot(p)]) }

// Count-Min dimensions: 4 rows of 16 384 uint32 counters, the same 256 KiB
// as the 2^16 array, so the two differ only in how they spend it. Four rows
// bound the chance that all of a pair's counters are crowded to (1/2)^4
// when each is crowded with probability 1/2.
const (
	cmDepth = 4
	cmWidth = 1 << 14
)

// countMin is a Count-Min sketch (Cormode and Muthukrishnan): a pair adds
// one to a counter in each row and its estimate is the smallest of them,
// so it never under-counts. The rows' counters come from one 64-bit hash of
// the pair as h1 + i·h2 (Kirsch and Mitzenmacher), which keeps the
// sketch's error bound with one hash instead of one per row.
type countMin [cmDepth * cmWidth]uint32

// cmSlots returns the pair's counter in each row.
func cmSlots(p Pair) [cmDepth]uint32 {
	h := pairHash64(p)
	h1, h2 := uint32(h), uint32(h>>32)|1
	var s [cmDepth]uint32
	for i := range s {
		s[i] = uint32(i)*cmWidth + (h1+uint32(i)*h2)&(cmWidth-1)
	}
	return s
}

func (c *countMin) add(p Pair) {
	for _, i := range cmSlots(p) {
		c[i]++
	}
}

func (c *countMin) estimate(p Pair) uint64 {
	m := uint32(math.MaxUint32)
	for _, i := range cmSlots(p) {
		m = min(m, c[i])
	}
	return uint64(m)
}

// pairHash64 hashes the 16-byte forms of A then B, eight bytes at a time,
// through SplitMix64's finaliser (Steele et al.), whose every output bit
// depends on every input bit.
func pairHash64(p Pair) uint64 {
	a, b := p.A.As16(), p.B.As16()
	h := uint64(0)
	for _, w := range [4]uint64{binary.LittleEndian.Uint64(a[:8]), binary.LittleEndian.Uint64(a[8:]),
		binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])} {
		h = mix64(h ^ w)
	}
	return h
}

func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// ssCounters is Space-Saving's number of counters: twice the 100 pairs
// T2.7 asks for, so that pairs near rank 100 are still monitored.
const ssCounters = 200

// spaceSaving is Space-Saving (Metwally, Agrawal and El Abbadi): k
// counters; a pair not monitored replaces the smallest counter and
// inherits its count, so no estimate is below the truth, and a pair not
// monitored has at most the smallest count. The counters form a min-heap
// by count, found by pair through an open-addressing index of 4k slots
// (linear probing, deletion by backward shift). Its memory is fixed: a Go
// map would do, but one whose keys are replaced at nearly every update
// fills with tombstones and keeps growing (measured: 47 kB at 1 000
// pairs, 146 kB at 1 000 000).
type spaceSaving struct {
	entries []ssEntry
	heap    []int32 // entry numbers, a min-heap by count
	index   []int32 // entry number + 1 per slot; 0: empty
}

type ssEntry struct {
	p     Pair
	count uint64
	pos   int32 // place in heap
	slot  int32 // place in index
}

func newSpaceSaving(k int) *spaceSaving {
	n := 1
	for n < 4*k {
		n *= 2
	}
	return &spaceSaving{entries: make([]ssEntry, 0, k), heap: make([]int32, 0, k), index: make([]int32, n)}
}

// find returns the pair's entry number, or −1 and the empty slot where it
// would go.
func (s *spaceSaving) find(p Pair) (int32, int) {
	mask := len(s.index) - 1
	for i := int(pairHash64(p)) & mask; ; i = (i + 1) & mask {
		e := s.index[i] - 1
		if e < 0 {
			return -1, i
		}
		if s.entries[e].p == p {
			return e, i
		}
	}
}

// unindex empties a slot and moves later entries of its probe run back,
// so that no probe run has a hole.
func (s *spaceSaving) unindex(i int) {
	mask := len(s.index) - 1
	for j := (i + 1) & mask; s.index[j] != 0; j = (j + 1) & mask {
		e := s.index[j] - 1
		home := int(pairHash64(s.entries[e].p)) & mask
		if (j-home)&mask >= (j-i)&mask { // home is not within (i, j]: move it to i
			s.index[i], s.entries[e].slot = e+1, int32(i)
			i = j
		}
	}
	s.index[i] = 0
}

func (s *spaceSaving) add(p Pair) {
	e, slot := s.find(p)
	switch {
	case e >= 0:
		s.entries[e].count++
	case len(s.entries) < cap(s.entries):
		e = int32(len(s.entries))
		s.entries = append(s.entries, ssEntry{p: p, pos: int32(len(s.heap)), slot: int32(slot)})
		s.heap = append(s.heap, e)
		s.index[slot] = e + 1
		s.entries[e].count = 1
		s.up(int(s.entries[e].pos))
		return
	default:
		e = s.heap[0]
		s.unindex(int(s.entries[e].slot))
		_, slot = s.find(p) // the shift may have moved the empty slot
		s.entries[e].p, s.entries[e].slot = p, int32(slot)
		s.index[slot] = e + 1
		s.entries[e].count++
	}
	s.down(int(s.entries[e].pos))
}

func (s *spaceSaving) less(i, j int) bool {
	return s.entries[s.heap[i]].count < s.entries[s.heap[j]].count
}

func (s *spaceSaving) swap(i, j int) {
	h := s.heap
	h[i], h[j] = h[j], h[i]
	s.entries[h[i]].pos, s.entries[h[j]].pos = int32(i), int32(j)
}

// down restores the heap below i after its count grew.
func (s *spaceSaving) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(s.heap) {
			return
		}
		if c+1 < len(s.heap) && s.less(c+1, c) {
			c++
		}
		if !s.less(c, i) {
			return
		}
		s.swap(i, c)
		i = c
	}
}

// up restores the heap above i.
func (s *spaceSaving) up(i int) {
	for i > 0 && s.less(i, (i-1)/2) {
		s.swap(i, (i-1)/2)
		i = (i - 1) / 2
	}
}

func (s *spaceSaving) estimate(p Pair) uint64 {
	if e, _ := s.find(p); e >= 0 {
		return s.entries[e].count
	}
	if len(s.entries) < cap(s.entries) {
		return 0 // every pair seen is monitored
	}
	return s.entries[s.heap[0]].count // a pair not monitored has at most the smallest count
}

// top returns the n monitored pairs with the largest counts (ties: by
// address).
func (s *spaceSaving) top(n int) []Pair {
	items := append([]ssEntry(nil), s.entries...)
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
