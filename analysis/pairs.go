package analysis

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/go-gota/gota/dataframe"
)

// Pair is an unordered pair of hosts, A < B.
type Pair struct{ A, B netip.Addr }

func makePair(x, y netip.Addr) Pair {
	if y.Less(x) {
		x, y = y, x
	}
	return Pair{x, y}
}

// String writes the pair as "A ↔ B".
func (p Pair) String() string { return p.A.String() + " ↔ " + p.B.String() }

// PairStats are the flows, packets and bytes between two hosts.
type PairStats struct {
	Pair
	Flows, Packets, Bytes uint64
}

// pairs aggregates the flows by host pair (computed once).
func (c *Capture) pairs() []PairStats {
	c.pairsOnce.Do(func() {
		m := map[Pair]*PairStats{}
		c.eachFlow(func(f *Flow) {
			k := makePair(f.Orig, f.Resp)
			s := m[k]
			if s == nil {
				s = &PairStats{Pair: k}
				m[k] = s
			}
			s.Flows++
			s.Packets += f.Packets()
			s.Bytes += f.Bytes()
		})
		c.pairList = make([]PairStats, 0, len(m))
		for _, s := range m {
			c.pairList = append(c.pairList, *s)
		}
		sort.Slice(c.pairList, func(i, j int) bool { return pairLess(c.pairList[i].Pair, c.pairList[j].Pair) })
	})
	return c.pairList
}

func pairLess(a, b Pair) bool {
	if a.A != b.A {
		return a.A.Less(b.A)
	}
	return a.B.Less(b.B)
}

// rankPairs orders pairs by flows (ties: bytes, pair) or by bytes (ties:
// flows, pair).
func rankPairs(l []PairStats, byBytes bool, n int) []PairStats {
	l = append([]PairStats(nil), l...)
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

func pairFrame(l []PairStats) dataframe.DataFrame {
	t := newTable(intCol("rank"), strCol("host_a"), strCol("host_b"), intCol("flows"), intCol("packets"), intCol("bytes"))
	for i, p := range l {
		t.row(i+1, p.A.String(), p.B.String(), p.Flows, p.Packets, p.Bytes)
	}
	return t.frame()
}

// TopHostPairsByFlows answers T2.4: the n host pairs (unordered IP
// address pairs) with the most flows, ties broken by bytes, then by the
// addresses. Columns: rank, host_a, host_b, flows, packets, bytes.
func (c *Capture) TopHostPairsByFlows(n int) dataframe.DataFrame {
	return pairFrame(rankPairs(c.pairs(), false, n))
}

// TopHostPairsByBytes is TopHostPairsByFlows ranked by bytes (ties: flows,
// then the addresses).
func (c *Capture) TopHostPairsByBytes(n int) dataframe.DataFrame {
	return pairFrame(rankPairs(c.pairs(), true, n))
}

// PairOverlap compares the top-n host pairs by flows and by bytes (T2.4).
type PairOverlap struct {
	N                       int
	Both, OnlyFlows, OnlyBy []Pair
}

// HostPairOverlap answers T2.4's "are they the same pairs?".
func (c *Capture) HostPairOverlap(n int) PairOverlap {
	f, b := rankPairs(c.pairs(), false, n), rankPairs(c.pairs(), true, n)
	inB := map[Pair]bool{}
	for _, p := range b {
		inB[p.Pair] = true
	}
	inF := map[Pair]bool{}
	r := PairOverlap{N: min(n, len(f))}
	for _, p := range f {
		inF[p.Pair] = true
		if inB[p.Pair] {
			r.Both = append(r.Both, p.Pair)
		} else {
			r.OnlyFlows = append(r.OnlyFlows, p.Pair)
		}
	}
	for _, p := range b {
		if !inF[p.Pair] {
			r.OnlyBy = append(r.OnlyBy, p.Pair)
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

// PairFlowCounts is the data behind T2.5: the flows of the n most common
// host pairs, ranked (ties: bytes, then addresses). Columns: rank, host_a,
// host_b, flows.
func (c *Capture) PairFlowCounts(n int) dataframe.DataFrame {
	l := rankPairs(c.pairs(), false, n)
	t := newTable(intCol("rank"), strCol("host_a"), strCol("host_b"), intCol("flows"))
	for i, p := range l {
		t.row(i+1, p.A.String(), p.B.String(), p.Flows)
	}
	return t.frame()
}
