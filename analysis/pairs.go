package analysis

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
)

// Pair is an unordered pair of hosts, A < B.
type Pair struct{ A, B netip.Addr }

// MakePair orders two addresses into a Pair.
func MakePair(x, y netip.Addr) Pair {
	if y.Less(x) {
		x, y = y, x
	}
	return Pair{x, y}
}

// String writes the pair as "A ↔ B".
func (p Pair) String() string { return p.A.String() + " ↔ " + p.B.String() }

func pairLess(a, b Pair) bool {
	if a.A != b.A {
		return a.A.Less(b.A)
	}
	return a.B.Less(b.B)
}

// pairStats are the flows, packets and bytes between two hosts.
type pairStats struct {
	Pair
	Flows, Packets, Bytes uint64
}

// PairRow is one host pair with its flows, packets and bytes.
type PairRow struct {
	Rank    int        `table:"rank,id"`
	A       netip.Addr `table:"host_a"`
	B       netip.Addr `table:"host_b"`
	Flows   uint64     `table:"flows"`
	Packets uint64     `table:"packets"`
	Bytes   uint64     `table:"bytes"`
}

// Pair is the row's host pair.
func (r PairRow) Pair() Pair { return Pair{r.A, r.B} }

// Pairs is the capture's host pairs (T2.4–T2.7).
type Pairs struct{ c *Capture }

// Pairs returns the capture's host pairs.
func (c *Capture) Pairs() Pairs { return Pairs{c} }

// all aggregates the flows by host pair (computed once).
func (p Pairs) all() []pairStats {
	c := p.c
	c.pairsOnce.Do(func() {
		m := map[Pair]*pairStats{}
		c.eachFlow(func(f *flow.Flow) {
			k := MakePair(f.Orig, f.Resp)
			s := m[k]
			if s == nil {
				s = &pairStats{Pair: k}
				m[k] = s
			}
			s.Flows++
			s.Packets += f.Packets()
			s.Bytes += f.Bytes()
		})
		c.pairList = make([]pairStats, 0, len(m))
		for _, s := range m {
			c.pairList = append(c.pairList, *s)
		}
		sort.Slice(c.pairList, func(i, j int) bool { return pairLess(c.pairList[i].Pair, c.pairList[j].Pair) })
	})
	return c.pairList
}

// Count is the number of distinct host pairs.
func (p Pairs) Count() int { return len(p.all()) }

// rankPairs orders pairs by flows (ties: bytes, pair) or by bytes (ties:
// flows, pair).
func rankPairs(l []pairStats, byBytes bool, n int) []pairStats {
	l = append([]pairStats(nil), l...)
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		k1a, k1b, k2a, k2b := a.Flows, b.Flows, a.Bytes, b.Bytes
		if byBytes {
			k1a, k1b, k2a, k2b = k2a, k2b, k1a, k1b
		}
		if k1a != k1b {
			return k1a > k1b
		}
		return k2a > k2b
	})
	if n >= 0 && len(l) > n {
		l = l[:n]
	}
	return l
}

func pairRows(l []pairStats) []PairRow {
	out := make([]PairRow, len(l))
	for i, p := range l {
		out[i] = PairRow{Rank: i + 1, A: p.A, B: p.B, Flows: p.Flows, Packets: p.Packets, Bytes: p.Bytes}
	}
	return out
}

// TopByFlows answers T2.4: the n host pairs (unordered IP address pairs)
// with the most flows, ties broken by bytes, then by the addresses.
func (p Pairs) TopByFlows(n int) []PairRow { return pairRows(rankPairs(p.all(), false, n)) }

// TopByBytes is TopByFlows ranked by bytes (ties: flows, then the
// addresses).
func (p Pairs) TopByBytes(n int) []PairRow { return pairRows(rankPairs(p.all(), true, n)) }

// PairOverlap compares the top-n host pairs by flows and by bytes (T2.4).
type PairOverlap struct {
	N                       int
	Both, OnlyFlows, OnlyBy []Pair
}

// Overlap answers T2.4's "are they the same pairs?".
func (p Pairs) Overlap(n int) PairOverlap {
	f, b := rankPairs(p.all(), false, n), rankPairs(p.all(), true, n)
	inB := map[Pair]bool{}
	for _, x := range b {
		inB[x.Pair] = true
	}
	inF := map[Pair]bool{}
	r := PairOverlap{N: min(n, len(f))}
	for _, x := range f {
		inF[x.Pair] = true
		if inB[x.Pair] {
			r.Both = append(r.Both, x.Pair)
		} else {
			r.OnlyFlows = append(r.OnlyFlows, x.Pair)
		}
	}
	for _, x := range b {
		if !inF[x.Pair] {
			r.OnlyBy = append(r.OnlyBy, x.Pair)
		}
	}
	return r
}

// Sentence states the overlap, e.g. "6 of 10 pairs appear in both lists: …".
func (r PairOverlap) Sentence() string {
	names := func(l []Pair) string {
		s := make([]string, len(l))
		for i, p := range l {
			s[i] = p.String()
		}
		return strings.Join(s, "; ")
	}
	if len(r.OnlyFlows) == 0 {
		return fmt.Sprintf("Yes: the same %d pairs lead both lists.", r.N)
	}
	return fmt.Sprintf("%d of %d pairs appear in both lists: %s. Only by flows: %s. Only by bytes: %s. Pairs with many small flows (DNS, short connections) rank high by flows; pairs with few long transfers rank high by bytes.",
		len(r.Both), r.N, names(r.Both), names(r.OnlyFlows), names(r.OnlyBy))
}

// PairRanking is the data behind T2.5: the n most common host pairs by
// flows, with the totals the sentence relates them to.
type PairRanking struct {
	Rows       []PairRow
	TotalFlows int
	TotalPairs int
}

// Ranking is T2.5's ranking of the n most common host pairs (ties: bytes,
// then addresses).
func (p Pairs) Ranking(n int) PairRanking {
	return PairRanking{Rows: p.TopByFlows(n), TotalFlows: p.c.m.NFlows, TotalPairs: p.Count()}
}

// Sentence relates the leading pairs to all flows.
func (r PairRanking) Sentence() string {
	n := len(r.Rows)
	if n == 0 {
		return "There are no host pairs."
	}
	var inTop10 float64
	for i, x := range r.Rows {
		if i < 10 {
			inTop10 += float64(x.Flows)
		}
	}
	first, last := r.Rows[0], r.Rows[n-1]
	return fmt.Sprintf("The most common pair (%s ↔ %s) has %d flows and pair %d has %d; the 10 most common pairs hold %.0f %% of all %d flows. A few pairs dominate and many have one or two flows — the long tail is visible on the log-scale plot.",
		first.A, first.B, first.Flows, n, last.Flows, 100*inTop10/float64(r.TotalFlows), r.TotalFlows)
}
