package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
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

// pairStats are the flows, packets and bytes between two hosts, the hosts
// as numbers in a table of the capture's addresses: 40 bytes a pair where
// a Pair of two netip.Addr takes 48 before its counts; 316 000 pairs hold
// 13 MB instead of 23, and the collector's heap twice that.
type pairStats struct {
	hosts                 *pairHosts
	a, b                  uint32 // Pair().A, Pair().B
	Flows, Packets, Bytes uint64
}

// pairHosts numbers the addresses of the capture's host pairs.
type pairHosts struct{ addrs []netip.Addr }

// Pair is the pair's two hosts.
func (s pairStats) Pair() Pair { return Pair{s.hosts.addrs[s.a], s.hosts.addrs[s.b]} }

// newPairStats makes the stats of one pair, its hosts numbered in h.
func newPairStats(h *pairHosts, p Pair, flows, packets, bytes uint64) pairStats {
	h.addrs = append(h.addrs, p.A, p.B)
	n := uint32(len(h.addrs))
	return pairStats{h, n - 2, n - 1, flows, packets, bytes}
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
		// Counted by a key of two host numbers: a capture has a few
		// thousand hosts but may have hundreds of thousands of pairs,
		// which a map keyed by Pair (48 bytes, a pointer to each count)
		// held in 47 MB for 316 000 pairs.
		ids := map[netip.Addr]uint32{}
		hosts := &pairHosts{}
		id := func(a netip.Addr) uint32 {
			i, ok := ids[a]
			if !ok {
				i = uint32(len(hosts.addrs))
				ids[a] = i
				hosts.addrs = append(hosts.addrs, a)
			}
			return i
		}
		type counts struct{ flows, packets, bytes uint64 }
		m := map[uint64]counts{}
		c.eachFlow(func(f *flow.Flow) {
			a, b := id(f.Orig), id(f.Resp)
			k := uint64(min(a, b))<<32 | uint64(max(a, b))
			n := m[k]
			n.flows, n.packets, n.bytes = n.flows+1, n.packets+f.Packets(), n.bytes+f.Bytes()
			m[k] = n
		})
		c.pairList = make([]pairStats, 0, len(m))
		for k, n := range m {
			a, b := uint32(k>>32), uint32(k)
			if hosts.addrs[b].Less(hosts.addrs[a]) {
				a, b = b, a
			}
			c.pairList = append(c.pairList, pairStats{hosts, a, b, n.flows, n.packets, n.bytes})
		}
		sort.Slice(c.pairList, func(i, j int) bool { return pairLess(c.pairList[i].Pair(), c.pairList[j].Pair()) })
	})
	return c.pairList
}

// Count is the number of distinct host pairs.
func (p Pairs) Count() int { return len(p.all()) }

// rankPairs orders pairs by flows (ties: bytes, pair) or by bytes (ties:
// flows, pair).
func rankPairs(l []pairStats, byBytes bool, n int) []pairStats {
	before := func(a, b *pairStats) bool {
		k1a, k1b, k2a, k2b := a.Flows, b.Flows, a.Bytes, b.Bytes
		if byBytes {
			k1a, k1b, k2a, k2b = k2a, k2b, k1a, k1b
		}
		if k1a != k1b {
			return k1a > k1b
		}
		return k2a > k2b
	}
	if n < 0 || n >= len(l) {
		l = append([]pairStats(nil), l...)
		sort.SliceStable(l, func(i, j int) bool { return before(&l[i], &l[j]) })
		return l
	}
	// The top n only: kept in order as the pairs go by (an equal pair goes
	// after those before it, as a stable sort puts it), so the top 10 of
	// 316 000 pairs copy 10 pairs, not all.
	top := make([]pairStats, 0, n+1)
	for i := 0; i < len(l) && n > 0; i++ {
		if len(top) == n && !before(&l[i], &top[n-1]) {
			continue
		}
		j := sort.Search(len(top), func(j int) bool { return before(&l[i], &top[j]) })
		top = slices.Insert(top, j, l[i])
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

func pairRows(l []pairStats) []PairRow {
	out := make([]PairRow, len(l))
	for i, p := range l {
		x := p.Pair()
		out[i] = PairRow{Rank: i + 1, A: x.A, B: x.B, Flows: p.Flows, Packets: p.Packets, Bytes: p.Bytes}
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
// Tied pairs are ranked by the other measure, then by address; TiedFlows
// and TiedBytes say how many pairs share the count of the last place of
// each list, when that tie reaches beyond it (the rule, not the traffic,
// then picks the last places).
type PairOverlap struct {
	N                       int
	Both, OnlyFlows, OnlyBy []Pair
	TiedFlows, TiedBytes    Tie
}

// Tie is a tie at the last place of a top-n list: the value shared, how
// many pairs share it, and from which rank the tied pairs start.
type Tie struct {
	Value     uint64
	Pairs     int
	FirstRank int
}

// Overlap answers T2.4's "are they the same pairs?".
func (p Pairs) Overlap(n int) PairOverlap {
	f, b := rankPairs(p.all(), false, n), rankPairs(p.all(), true, n)
	inB := map[Pair]bool{}
	for _, x := range b {
		inB[x.Pair()] = true
	}
	inF := map[Pair]bool{}
	r := PairOverlap{N: min(n, len(f)), TiedFlows: p.tieAt(n, false), TiedBytes: p.tieAt(n, true)}
	for _, x := range f {
		inF[x.Pair()] = true
		if inB[x.Pair()] {
			r.Both = append(r.Both, x.Pair())
		} else {
			r.OnlyFlows = append(r.OnlyFlows, x.Pair())
		}
	}
	for _, x := range b {
		if !inF[x.Pair()] {
			r.OnlyBy = append(r.OnlyBy, x.Pair())
		}
	}
	return r
}

// tieAt finds the tie at rank n of a ranking by flows (or bytes), if the
// pairs sharing the n-th value go beyond rank n.
func (p Pairs) tieAt(n int, byBytes bool) Tie {
	all := rankedValues(p.all(), byBytes)
	if n <= 0 || len(all) <= n {
		return Tie{}
	}
	v := all[n-1]
	if all[n] != v {
		return Tie{}
	}
	t := Tie{Value: v, FirstRank: n}
	for t.FirstRank > 1 && all[t.FirstRank-2] == v {
		t.FirstRank--
	}
	for _, x := range all {
		if x == v {
			t.Pairs++
		}
	}
	return t
}

// rankedValues are the pairs' flows (or bytes), largest first: the values
// a ranking by them lists, in its order, at 8 bytes a pair where a ranked
// copy of the pairs takes 72.
func rankedValues(l []pairStats, byBytes bool) []uint64 {
	out := make([]uint64, len(l))
	for i := range l {
		out[i] = l[i].Flows
		if byBytes {
			out[i] = l[i].Bytes
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// Sentence states the overlap, e.g. "6 of 10 pairs appear in both lists:
// …", and discloses ties at the last places.
func (r PairOverlap) Sentence() string {
	names := func(l []Pair) string {
		s := make([]string, len(l))
		for i, p := range l {
			s[i] = p.String()
		}
		return strings.Join(s, "; ")
	}
	var out string
	switch {
	case r.N == 0:
		return "There are no host pairs."
	case len(r.OnlyFlows) == 0:
		out = fmt.Sprintf("Yes: the same %s lead both lists.", units.Plural(r.N, "pair"))
		if r.N == 1 {
			out = "Yes: the one pair leads both lists."
		}
	default:
		verb := "appear"
		if len(r.Both) == 1 {
			verb = "appears"
		}
		out = fmt.Sprintf("%d of %d pairs %s in both lists: %s. Only by flows: %s. Only by bytes: %s.",
			len(r.Both), r.N, verb, names(r.Both), names(r.OnlyFlows), names(r.OnlyBy))
	}
	for _, t := range []struct {
		tie       Tie
		what, how string
	}{{r.TiedFlows, "flow", "by bytes, then by address"}, {r.TiedBytes, "byte", "by flows, then by address"}} {
		switch {
		case t.tie.Pairs == 0:
		case t.tie.FirstRank == r.N:
			out += fmt.Sprintf(" By %ss, rank %d is one of %s tied at %s, chosen %s.", t.what, r.N,
				units.Plural(t.tie.Pairs, "pair"), units.Plural(t.tie.Value, t.what), t.how)
		default:
			out += fmt.Sprintf(" By %ss, ranks %d–%d are %d of %s tied at %s, chosen %s.", t.what, t.tie.FirstRank, r.N,
				r.N-t.tie.FirstRank+1, units.Plural(t.tie.Pairs, "pair"), units.Plural(t.tie.Value, t.what), t.how)
		}
	}
	return out
}

// PairRanking is the data behind T2.5: the n most common host pairs by
// flows, with the totals the sentence relates them to.
type PairRanking struct {
	Rows       []PairRow
	TotalFlows int
	TotalPairs int
	// TopTenthFlows are the flows of the most common tenth of all pairs
	// (at least one pair); SmallPairs the pairs with one or two flows.
	TopTenthFlows float64
	SmallPairs    int
}

// Ranking is T2.5's ranking of the n most common host pairs (ties: bytes,
// then addresses).
func (p Pairs) Ranking(n int) PairRanking {
	r := PairRanking{Rows: p.TopByFlows(n), TotalFlows: p.c.m.NFlows, TotalPairs: p.Count()}
	all := rankedValues(p.all(), false)
	for i, flows := range all {
		if i < max(1, (len(all)+9)/10) {
			r.TopTenthFlows += float64(flows)
		}
		if flows <= 2 {
			r.SmallPairs++
		}
	}
	return r
}

// Dominance is the criterion for "a few pairs dominate": the most common
// tenth of the pairs (at least one) hold at least this share of the flows.
const Dominance = 0.5

// Sentence relates the leading pairs to all flows: the top pair, the last
// ranked, the share the top ten hold; "a few pairs dominate" only when the
// top tenth of all pairs hold at least Dominance of the flows, and "a long
// tail" only when at least half of all pairs have one or two flows.
func (r PairRanking) Sentence() string {
	n := len(r.Rows)
	switch {
	case n == 0:
		return "There are no host pairs."
	case r.TotalPairs == 1:
		return fmt.Sprintf("There is only one host pair, %s ↔ %s, with %s.", r.Rows[0].A, r.Rows[0].B, units.Plural(r.Rows[0].Flows, "flow"))
	}
	var top10 uint64
	for i := 0; i < n && i < 10; i++ {
		top10 += r.Rows[i].Flows
	}
	first, last := r.Rows[0], r.Rows[n-1]
	out := fmt.Sprintf("The most common pair (%s ↔ %s) has %s and pair %d has %s; the %d most common pairs hold %s of all %s.",
		first.A, first.B, units.Plural(first.Flows, "flow"), n, units.Plural(last.Flows, "flow"), min(10, n),
		units.Percent(top10, uint64(r.TotalFlows)), units.Plural(r.TotalFlows, "flow"))
	var notes []string
	if r.TopTenthFlows >= Dominance*float64(r.TotalFlows) {
		notes = append(notes, fmt.Sprintf("a few pairs dominate (the top tenth of the %s hold %s of the flows)",
			units.Plural(r.TotalPairs, "pair"), units.Percent(r.TopTenthFlows, float64(r.TotalFlows))))
	}
	if 2*r.SmallPairs >= r.TotalPairs {
		notes = append(notes, fmt.Sprintf("%s of the pairs have one or two flows, a long tail best seen on the log-scale plot",
			units.Percent(r.SmallPairs, r.TotalPairs)))
	}
	if len(notes) > 0 {
		out += " " + strings.ToUpper(notes[0][:1]) + notes[0][1:]
		if len(notes) > 1 {
			out += "; " + notes[1]
		}
		out += "."
	}
	return out
}
