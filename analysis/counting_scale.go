package analysis

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/units"
)

// The scaled experiment's settings (see CountingAtScale). The sizes
// bracket both crossovers (memory near 2 000 pairs, time within them on
// the machine this was measured on) and stop at 10^5 pairs for time: at
// 10^6 (3.1 million updates on the sample's distribution) one pass of the
// exact map took 2–3 s on the 2-core VM pcaplab is developed on (random
// access into 134 MB), so five rounds would not fit the report's budget of
// about 3 s. BenchmarkCountingScale measures 10^6.
var scaleSizes = []int{1_000, 10_000, 100_000}

const (
	scaleRounds = 5
	// maxStreamUpdates bounds a stream, and so the experiment's time (about
	// 1 s of CPU for the sample's 311 000 updates at 10^5 pairs, 5 rounds
	// of 4 methods): a capture with more flows per pair gets fewer pairs.
	maxStreamUpdates = 500_000
	// A round is as many passes over the stream as make this many updates,
	// so that no round is timed over less than a few milliseconds.
	minRoundUpdates = 100_000
	scaleSeed       = 0x7d27 // any fixed value: the streams are the same on every run
)

// CountingScaleRow is one counting method measured on one resampled stream.
// Memory is the live heap the exact map holds after the stream, measured
// (liveSize); the counters' size for the array and Count-Min; the live
// heap of Space-Saving, which allocates all it holds up front, measured
// once (fixedSizes). Time per update is, for each round, the time of the round's
// passes over the whole stream (each from an empty structure) divided by
// their updates: the median, the fastest and the slowest round. Accuracy
// is on the exact top-100 pairs: see accuracy for the definitions.
type CountingScaleRow struct {
	Pairs        int     `table:"pairs"`   // distinct host pairs in the stream
	Updates      int     `table:"updates"` // flows in the stream, one update each
	Method       string  `table:"method"`
	MemoryBytes  uint64  `table:"memory_bytes"`
	MedianNs     float64 `table:"update_median_ns,1"`
	MinNs        float64 `table:"update_min_ns,1"`
	MaxNs        float64 `table:"update_max_ns,1"`
	Precision    float64 `table:"precision,2"`
	Recall       float64 `table:"recall,2"`
	MeanRelError float64 `table:"mean_rel_error,3"`
	MaxOverCount uint64  `table:"max_over_count"`
	UnderCounted int     // exact top-100 pairs whose estimate is below the exact count
}

// CountingScale is T2.7 measured where the methods differ: streams of
// 1 000 to 100 000 distinct host pairs whose flows per pair are drawn from
// this capture's own.
type CountingScale struct {
	CapturePairs int // the capture's distinct host pairs, whose flow counts are resampled
	CaptureFlows int
	Rounds       int
	Seed         uint64
	// Limited is set when a stream has fewer pairs than its nominal size,
	// to stay within maxStreamUpdates.
	Limited bool
	Rows    []CountingScaleRow // by pairs, then method as in CountingMethods
	// MapOverArray is the fewest distinct pairs whose exact map holds more
	// bytes than the 2^16 array's 262 144, found by bisection over maps of
	// 1 to 8 192 pairs (0: beyond that).
	MapOverArray int
	Elapsed      time.Duration // the whole experiment
}

// CountingAtScale answers T2.7 at scale. For each N of 1 000, 10 000 and
// 100 000 distinct host pairs (fewer when N times the capture's mean flows
// per pair exceeds 500 000 updates), every pair gets a flow count drawn
// (uniformly, with replacement) from the capture's flows per pair; pair i
// is 10.0.0.0+i ↔ 198.18.0.0+(i mod 2^17); the stream of all their flows
// is shuffled with a fixed seed, so every run sees the same streams. The
// four methods of CountingMethods count each stream in 5 rounds (see
// measureScale). Each update includes making the pair from its number,
// the same few ns for every method. On the sample capture the whole
// experiment takes about 1.3 s of CPU time.
func (p Pairs) CountingAtScale() *CountingScale {
	start := time.Now()
	all := p.all()
	s := &CountingScale{CapturePairs: len(all), Rounds: scaleRounds, Seed: scaleSeed}
	counts := make([]uint64, len(all))
	for i, x := range all {
		counts[i] = x.Flows
		s.CaptureFlows += int(x.Flows)
	}
	if len(counts) == 0 {
		return s
	}
	s.MapOverArray = mapOverArray(8192)
	fixed := fixedSizes()
	rng := rand.New(rand.NewPCG(scaleSeed, scaleSeed))
	prev := 0
	for _, n := range scaleSizes {
		m := streamPairs(n, float64(s.CaptureFlows)/float64(s.CapturePairs))
		s.Limited = s.Limited || m < n
		if m == prev {
			continue
		}
		prev = m
		s.Rows = append(s.Rows, measureScale(drawStream(counts, m, rng), scaleRounds, fixed)...)
	}
	s.Elapsed = time.Since(start)
	return s
}

// streamPairs is the pairs of a stream of nominal size n whose pairs have
// mean flows each: n, or as many as fit maxStreamUpdates, rounded down to
// two significant digits.
func streamPairs(n int, mean float64) int {
	if float64(n)*mean <= maxStreamUpdates {
		return n
	}
	m := int(maxStreamUpdates / mean)
	unit := 1
	for m/unit >= 100 {
		unit *= 10
	}
	return max(1, m/unit*unit)
}

// scaleStream is a resampled stream: pair numbers in the order they are
// counted, and each pair's exact flows.
type scaleStream struct {
	ids   []uint32
	flows []uint32
}

func drawStream(counts []uint64, n int, rng *rand.Rand) scaleStream {
	st := scaleStream{flows: make([]uint32, n)}
	total := 0
	for i := range st.flows {
		st.flows[i] = uint32(counts[rng.IntN(len(counts))])
		total += int(st.flows[i])
	}
	st.ids = make([]uint32, 0, total)
	for i, c := range st.flows {
		for range c {
			st.ids = append(st.ids, uint32(i))
		}
	}
	rng.Shuffle(len(st.ids), func(i, j int) { st.ids[i], st.ids[j] = st.ids[j], st.ids[i] })
	return st
}

// keys is the stream's pairs with their exact top-100 (ties: the smaller
// number first).
func (st scaleStream) keys() keySet {
	n := len(st.flows)
	return keySet{n: n,
		pair:  func(i int) Pair { return synthPair(uint32(i)) },
		flows: func(i int) uint64 { return uint64(st.flows[i]) },
		index: func(p Pair) int { return synthID(p, n) },
		top:   topK(n, TopPairs, func(i int) uint64 { return uint64(st.flows[i]) })}
}

// measureScale runs the four methods over one stream, rounds times. A
// round is as many passes as make minRoundUpdates, the methods taking
// turns pass by pass (the first of each pass rotating), so that a busy
// moment of the machine falls on all of them. fixed are the sizes of the
// methods that do not grow (fixedSizes).
func measureScale(st scaleStream, rounds int, fixed []uint64) []CountingScaleRow {
	ks := st.keys()
	k := len(countingMethods)
	rows := make([]CountingScaleRow, k)
	ns := make([][]float64, k)
	passes := max(1, (minRoundUpdates+len(st.ids)-1)/max(1, len(st.ids)))
	for r := range rounds {
		spent := make([]time.Duration, k)
		for p := range passes {
			for j := range k {
				i := (j + r + p) % k
				m := countingMethods[i]
				build := func() pairCounter {
					c := m.empty()
					t := time.Now()
					feed(c, st.ids)
					spent[i] += time.Since(t)
					return c
				}
				if r > 0 || p > 0 {
					build()
					continue
				}
				mem, acc := measure(fixed[i], build, ks)
				rows[i] = CountingScaleRow{Pairs: ks.n, Updates: len(st.ids), Method: m.name, MemoryBytes: mem,
					Precision: acc.precision, Recall: acc.recall, MeanRelError: acc.meanRelError,
					MaxOverCount: acc.maxOverCount, UnderCounted: acc.underCounted}
			}
		}
		for i := range k {
			ns[i] = append(ns[i], float64(spent[i].Nanoseconds())/float64(max(1, passes*len(st.ids))))
		}
	}
	for i := range rows {
		slices.Sort(ns[i])
		rows[i].MedianNs, rows[i].MinNs, rows[i].MaxNs = ns[i][len(ns[i])/2], ns[i][0], ns[i][len(ns[i])-1]
	}
	return rows
}

// feed counts the stream with the method's own loop, so that no method
// pays for an indirect call per update.
func feed(c pairCounter, ids []uint32) {
	switch c := c.(type) {
	case exactCounter:
		for _, id := range ids {
			c[synthPair(id)]++
		}
	case *slotCounter:
		for _, id := range ids {
			c[FNV1aSlot(synthPair(id))]++
		}
	case *countMin:
		for _, id := range ids {
			c.add(synthPair(id))
		}
	case *spaceSaving:
		for _, id := range ids {
			c.add(synthPair(id))
		}
	}
}

// mapOverArray finds by bisection the fewest distinct pairs whose exact map
// holds more than the array's SlotCount×4 bytes, up to limit pairs (0:
// none up to there), to within 1 %. A map's size grows in steps (Go's maps
// double their tables or split them at a load of 7/8, at points that
// depend on the hash seed), so the answer moves by about that much from
// run to run. Each probe's map is measured against one baseline, the
// live heap before the first (as liveSize does, but with one collection
// per probe: the previous probe's map is garbage by then).
func mapOverArray(limit int) int {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // sync.Pool caches, as in liveSize
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	over := func(n int) bool {
		m := make(exactCounter)
		for i := range n {
			m[synthPair(uint32(i))]++
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		runtime.KeepAlive(m)
		return ms.HeapAlloc > base+SlotCount*4
	}
	if !over(limit) {
		return 0
	}
	lo, hi := 0, limit // over(lo) is false, over(hi) true
	for hi-lo > max(1, hi/100) {
		mid := (lo + hi) / 2
		if over(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// synthPair is pair id of a resampled stream: 10.0.0.0 + id ↔ 198.18.0.0 +
// (id mod 2^17); distinct for every id below 2^24.
func synthPair(id uint32) Pair {
	a, b := 0x0a000000+id, 0xc6120000+id&0x1ffff
	return Pair{netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}),
		netip.AddrFrom4([4]byte{byte(b >> 24), byte(b >> 16), byte(b >> 8), byte(b)})}
}

// synthID inverts synthPair for a stream of n pairs (−1: not one of them).
func synthID(p Pair, n int) int {
	if !p.A.Is4() {
		return -1
	}
	a := p.A.As4()
	id := int(uint32(a[0])<<24|uint32(a[1])<<16|uint32(a[2])<<8|uint32(a[3])) - 0x0a000000
	if id < 0 || id >= n || synthPair(uint32(id)) != p {
		return -1
	}
	return id
}

// The methods' places in CountingMethods and in each size's rows.
const (
	methodMap = iota
	methodArray
	methodCountMin
	methodSpaceSaving
)

// Sizes is the number of stream sizes measured.
func (s *CountingScale) Sizes() int { return len(s.Rows) / len(countingMethods) }

// Row is method m (0 exact map, 1 array, 2 Count-Min, 3 Space-Saving) at
// the i-th size.
func (s *CountingScale) Row(i, m int) CountingScaleRow { return s.Rows[i*len(countingMethods)+m] }

// Faster compares two measurements of time per update: −1 when a is
// faster (its median below b's fastest round), 1 when b is faster, 0 when
// they are within noise.
func Faster(a, b CountingScaleRow) int {
	switch {
	case a.MedianNs < b.MinNs:
		return -1
	case b.MedianNs < a.MinNs:
		return 1
	}
	return 0
}

// ArrayOvertakes is the fewest pairs measured from which the 2^16 array is
// faster per update than the exact map (see Faster) at that size and every
// larger one; 0 when it is not faster at the largest size.
func (s *CountingScale) ArrayOvertakes() int {
	from := 0
	for i := s.Sizes() - 1; i >= 0 && Faster(s.Row(i, methodArray), s.Row(i, methodMap)) < 0; i-- {
		from = s.Row(i, methodMap).Pairs
	}
	return from
}

// Sentence states T2.7 from the measurements: memory, with the number of
// pairs from which the exact map holds more than the 2^16 array; time per
// update of the array against the map at each size, and the sizes between
// which the array overtakes the map (ArrayOvertakes); what the array pays in
// accuracy at each size; Count-Min and Space-Saving at the largest size,
// Space-Saving's over-count beside its bound (updates / counters). A
// method is called faster only when its median is below the other's
// fastest round (Faster); otherwise the two are within noise.
func (s *CountingScale) Sentence() string {
	if s.Sizes() == 0 {
		return "There are no host pairs whose flows could be resampled, so the counting methods were not measured at scale."
	}
	var sizes []string
	for i := range s.Sizes() {
		sizes = append(sizes, units.Count(s.Row(i, methodMap).Pairs))
	}
	last := s.Sizes() - 1
	m, arr := s.Row(last, methodMap), s.Row(last, methodArray)
	over := fmt.Sprintf("from about %s on", units.Plural(s.MapOverArray, "pair"))
	if s.MapOverArray == 0 {
		over = "at no size up to 8 192 pairs"
	}
	limited := ""
	if s.Limited {
		limited = fmt.Sprintf(", at most %s updates per stream", units.Count(maxStreamUpdates))
	}
	return fmt.Sprintf("Counted on streams of %s host pairs whose flows are drawn from this capture's %s (%s flows per pair on average%s), %d rounds each, the exact map holds more memory than the 2^16 array's fixed %s %s (%s, %s bytes per pair, at %s). %s %s",
		andList(sizes), units.Plural(s.CapturePairs, "pair"), units.Fixed(float64(s.CaptureFlows)/float64(s.CapturePairs), 1), limited, s.Rounds,
		units.Plural(arr.MemoryBytes, "byte"), over, units.Bytes(m.MemoryBytes), units.Fixed(float64(m.MemoryBytes)/float64(m.Pairs), 0),
		units.Plural(m.Pairs, "pair"), s.timeSentence(), s.accuracySentence())
}

// timeSentence compares the array with the map at each size, consecutive
// sizes with the same verdict together.
func (s *CountingScale) timeSentence() string {
	verdict := map[int]string{-1: "the array is faster", 0: "the array and the map are within noise", 1: "the map is faster"}
	var parts []string
	for i := 0; i < s.Sizes(); {
		v := Faster(s.Row(i, methodArray), s.Row(i, methodMap))
		var at, ns []string
		for ; i < s.Sizes() && Faster(s.Row(i, methodArray), s.Row(i, methodMap)) == v; i++ {
			at = append(at, units.Count(s.Row(i, methodMap).Pairs))
			ns = append(ns, units.Fixed(s.Row(i, methodArray).MedianNs, 0)+" vs "+units.Fixed(s.Row(i, methodMap).MedianNs, 0))
		}
		parts = append(parts, fmt.Sprintf("%s at %s pairs (%s ns)", verdict[v], andList(at), andList(ns)))
	}
	out := "Per update (median of the rounds, array vs map), " + andList(parts)
	switch from := s.ArrayOvertakes(); {
	case from == 0:
		return out + fmt.Sprintf(", so the array is not ahead in time at the largest size, %s pairs.", units.Count(s.Row(s.Sizes()-1, methodMap).Pairs))
	case from == s.Row(0, methodMap).Pairs:
		return out + ", so the array is ahead in time already at the smallest size."
	default:
		prev := 0
		for i := range s.Sizes() {
			if n := s.Row(i, methodMap).Pairs; n < from {
				prev = n
			}
		}
		return out + fmt.Sprintf(", so the array overtakes the map in time between %s and %s pairs.", units.Count(prev), units.Count(from))
	}
}

// accuracySentence states what the array pays at each size, and Count-Min
// and Space-Saving at the largest.
func (s *CountingScale) accuracySentence() string {
	var prec, rel, over []string
	exact := true
	for i := range s.Sizes() {
		a, m := s.Row(i, methodArray), s.Row(i, methodMap)
		prec = append(prec, units.Fixed(a.Precision, 2))
		rel = append(rel, units.Fixed(a.MeanRelError, 3))
		over = append(over, units.Count(a.MaxOverCount))
		exact = exact && m.Precision == 1 && m.Recall == 1 && m.MeanRelError == 0
	}
	out := fmt.Sprintf("The array pays in accuracy: on the exact top-%d pairs its precision is %s, its mean relative error %s, and it over-counts by up to %s flows",
		TopPairs, andList(prec), andList(rel), andList(over))
	if exact {
		out += ", where the map is exact"
	}
	last := s.Sizes() - 1
	cm, ss := s.Row(last, methodCountMin), s.Row(last, methodSpaceSaving)
	return out + fmt.Sprintf(". At %s, the Count-Min sketch (the same bytes in 4 rows) has precision %s and mean relative error %s at %s ns per update; Space-Saving (%d counters, %s) has precision %s and over-counts by up to %s (its bound: updates / %d = %s) at %s ns.",
		units.Plural(cm.Pairs, "pair"), units.Fixed(cm.Precision, 2), units.Fixed(cm.MeanRelError, 3), units.Fixed(cm.MedianNs, 0),
		ssCounters, units.Plural(ss.MemoryBytes, "byte"), units.Fixed(ss.Precision, 2), units.Plural(ss.MaxOverCount, "flow"), ssCounters,
		units.Fixed(float64(ss.Updates)/ssCounters, 0), units.Fixed(ss.MedianNs, 0))
}

// andList joins items as "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
