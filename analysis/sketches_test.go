package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// The merged pairs are those the index puts in one slot, each with its
// exact flows and the slot's sum: an index built in the test puts the
// world's pairs 0 and 3 (by flows) in slot 10, pairs 1, 2 and 4 in slot
// 20, and every other pair in a slot of its own.
func TestSlotArrayMerged(t *testing.T) {
	_, c := openWorld(t)
	pairs := c.Pairs().TopByFlows(-1)
	if len(pairs) != 7 {
		t.Fatalf("%d pairs in the world, want 7", len(pairs))
	}
	slotOf := map[Pair]uint16{}
	for i, p := range pairs {
		slotOf[p.Pair()] = map[int]uint16{0: 10, 3: 10, 1: 20, 2: 20, 4: 20}[i]
		if slotOf[p.Pair()] == 0 {
			slotOf[p.Pair()] = uint16(100 + i)
		}
	}
	s := c.Pairs().SlotArray(func(p Pair) uint16 { return slotOf[p] }, "test")
	in10, in20 := []PairRow{pairs[0], pairs[3]}, []PairRow{pairs[1], pairs[2], pairs[4]}
	sum := func(l []PairRow) uint32 {
		var n uint32
		for _, p := range l {
			n += uint32(p.Flows)
		}
		return n
	}
	type slot struct {
		k     uint16
		pairs []PairRow
	}
	want := []slot{{10, in10}, {20, in20}}
	if sum(in20) > sum(in10) { // equal counts: the lower slot number first
		want = []slot{{20, in20}, {10, in10}}
	}
	var rows []MergedRow
	var named []string
	for _, w := range want {
		var of []string
		for _, p := range w.pairs {
			rows = append(rows, MergedRow{Slot: w.k, SlotFlows: sum(w.pairs), SlotPairs: len(w.pairs), A: p.A, B: p.B,
				ExactFlows: p.Flows, OverCount: uint64(sum(w.pairs)) - p.Flows})
			of = append(of, fmt.Sprintf("%d of %s", p.Flows, p.Pair()))
		}
		named = append(named, fmt.Sprintf("slot %d counts %d flows (%s)", w.k, sum(w.pairs), andList(of)))
	}
	if got := s.MergedRows(); fmt.Sprint(got) != fmt.Sprint(rows) {
		t.Errorf("merged rows:\n%s\nwant\n%s", text(got), text(rows))
	}
	wantText := "2 slots hold more than one pair, merging 5 pairs: " + strings.Join(named, "; ") + ". "
	if got := s.Sentence(); !strings.Contains(got, wantText) {
		t.Errorf("sentence %q\nlacks %q", got, wantText)
	}
}

// The sentence names the mergedNamed fullest slots and counts the rest;
// one shared slot is singular.
func TestMergedSentenceLimit(t *testing.T) {
	s, h := &SlotArray{}, &pairHosts{}
	for k := range 8 {
		a, b := synthPair(uint32(2*k)), synthPair(uint32(2*k+1))
		s.pairs = append(s.pairs, newPairStats(h, a, 2, 0, 0), newPairStats(h, b, 1, 0, 0))
		s.merged = append(s.merged, mergedPair{uint16(k), int32(2 * k)}, mergedPair{uint16(k), int32(2*k + 1)})
		s.Counts[k] = 3
		s.Shared++
		s.PairsInShared += 2
	}
	got := s.mergedSentence()
	if !strings.Contains(got, "8 slots hold more than one pair, merging 16 pairs; the 5 fullest: slot 0 counts 3 flows (2 of 10.0.0.0 ↔ 198.18.0.0 and 1 of 10.0.0.1 ↔ 198.18.0.1); slot 1") ||
		!strings.HasSuffix(got, "; and 3 more slots") || strings.Count(got, "slot ") != 5 {
		t.Errorf("8 shared slots: %q", got)
	}
	s.merged, s.Shared, s.PairsInShared = s.merged[:2], 1, 2
	if got := s.mergedSentence(); got != "1 slot holds more than one pair, merging 2 pairs: slot 0 counts 3 flows (2 of 10.0.0.0 ↔ 198.18.0.0 and 1 of 10.0.0.1 ↔ 198.18.0.1)" {
		t.Errorf("1 shared slot: %q", got)
	}
}

// The exact-vs-slot figure says in its title and legend whether the slots
// add anything to the top pairs: with one slot per pair they add nothing,
// with one slot for all seven pairs every pair gets the others' flows.
func TestExactVsSlotPlotSaysOverCount(t *testing.T) {
	_, c := openWorld(t)
	slotOf := map[Pair]uint16{}
	for i, p := range c.Pairs().TopByFlows(-1) {
		slotOf[p.Pair()] = uint16(i)
	}
	for _, x := range []struct {
		index        SlotIndex
		title, label string
	}{
		{func(p Pair) uint16 { return slotOf[p] }, "Top 7 pairs: the 2^16-array slots add nothing (slot = exact)", "added by other pairs in the slot: 0 flows for all 7 pairs"},
		{func(Pair) uint16 { return 7 }, "Top 7 pairs: exact flows and what their 2^16-array slot adds", "added by other pairs in the slot: 7 of 7 pairs, up to 15 flows"},
	} {
		pl, err := c.Pairs().ExactVsSlotPlot(c.Pairs().SlotArray(x.index, "test"))
		if err != nil {
			t.Fatal(err)
		}
		if pl.Title.Text != x.title {
			t.Errorf("title %q, want %q", pl.Title.Text, x.title)
		}
		svg, err := RenderSVG(pl)
		if err != nil || !strings.Contains(string(svg), ">"+x.label+"<") {
			t.Errorf("%s: no legend entry %q (%v)", x.title, x.label, err)
		}
	}
}
