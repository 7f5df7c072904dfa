package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var garbage [][]byte

// digitGroups finds the spaces between digit groups, which units writes as
// narrow no-break spaces.
var digitGroups = regexp.MustCompile(`(\d) (\d)`)

// liveSize agrees with sizes known by construction, to 1 % (other
// goroutines of the test binary may allocate between its readings), and
// does not count what the build threw away.
func TestLiveSize(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func() any
		want  uint64
	}{
		{"1 MiB slice (boxed in an interface: +24 bytes of slice header)", func() any { return make([]byte, 1<<20) }, 1<<20 + 24},
		{"1 MiB slice after 6.4 MB of garbage", func() any {
			for range 100 {
				garbage = append(garbage[:0], make([]byte, 1<<16))
			}
			garbage = nil
			return make([]byte, 1<<20)
		}, 1<<20 + 24},
		{"2^16 array", func() any { return new(slotCounter) }, SlotCount * 4},
		{"Count-Min", func() any { return new(countMin) }, cmDepth * cmWidth * 4},
	} {
		got := liveSize(c.build)
		if d := int64(got) - int64(c.want); d < -int64(c.want)/100 || d > int64(c.want)/100 {
			t.Errorf("%s: %d bytes, want %d", c.name, got, c.want)
		}
	}
	// A map holds at least its keys and values (48 + 8 bytes per pair) and,
	// with tables kept above 7/16 full, less than 3 times that.
	n := 10_000
	got := liveSize(func() any {
		m := exactCounter{}
		for i := range n {
			m.add(synthPair(uint32(i)))
		}
		return m
	})
	if got < uint64(56*n) || got > uint64(3*56*n) {
		t.Errorf("map of %d pairs: %d bytes", n, got)
	}
}

// The map crosses the array's 262 144 bytes at the pairs mapOverArray
// finds, up to the step of one table split (hash-seed dependent): clearly
// below it a map holds less, clearly above more (measured by liveSize, a
// measurement of its own).
func TestMapOverArray(t *testing.T) {
	n := mapOverArray(8192)
	if n < 1000 || n > 8192 {
		t.Fatalf("map over array at %d pairs", n)
	}
	size := func(n int) uint64 {
		return liveSize(func() any {
			m := exactCounter{}
			for i := range n {
				m.add(synthPair(uint32(i)))
			}
			return m
		})
	}
	if lo, hi := size(n*4/5), size(n*5/4); lo > SlotCount*4 || hi <= SlotCount*4 {
		t.Errorf("crossover %d: %d bytes at %d pairs, %d at %d", n, lo, n*4/5, hi, n*5/4)
	}
}

// Streams stay within maxStreamUpdates, with two significant digits of
// pairs, and keep their nominal size when they fit.
func TestStreamPairs(t *testing.T) {
	for _, c := range []struct {
		n    int
		mean float64
		want int
	}{
		{100_000, 3.1, 100_000},
		{100_000, 5.04, 99_000},
		{100_000, 2505, 190},
		{1_000, 2505, 190},
		{10, 1e9, 1},
	} {
		if got := streamPairs(c.n, c.mean, maxStreamUpdates); got != c.want {
			t.Errorf("streamPairs(%d, %g) = %d, want %d", c.n, c.mean, got, c.want)
		}
	}
}

// The flow model's threshold, tail and index, computed by hand from the
// definitions (flowModel): nearest-rank 90th percentile, lowered to the
// next count present when no count is above it; Hill's mean of
// ln((x − ½)/u) over the counts above; the cap; no tail when all counts
// are equal.
func TestFitFlowModel(t *testing.T) {
	rep := func(x uint64, n int) []uint64 { return slices.Repeat([]uint64{x}, n) }
	cat := func(l ...[]uint64) []uint64 { return slices.Concat(l...) }
	ln := math.Log
	for _, c := range []struct {
		name          string
		counts        []uint64
		u             uint64
		tail          int
		fitted, index float64
		bodyLen       int
		tailShare     float64
	}{
		{"teams-desktop's counts", cat(rep(1, 24), rep(2, 8), []uint64{3, 4, 5, 9, 22}), 4, 3,
			(ln(4.5/4) + ln(8.5/4) + ln(21.5/4)) / 3, (ln(4.5/4) + ln(8.5/4) + ln(21.5/4)) / 3, 34, 3.0 / 37},
		{"90th percentile at the maximum: lowered to 1", cat(rep(1, 6), rep(5, 2)), 1, 2, ln(4.5), 0.9, 6, 0.25},
		{"lowered to 2; capped", []uint64{7, 1, 2, 1}, 2, 1, ln(6.5 / 2), 0.9, 3, 0.25},
		{"ten counts: the 9th smallest is the threshold", []uint64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 9, 1, ln(9.5 / 9), ln(9.5 / 9), 9, 0.1},
		{"all equal: no tail", rep(3, 5), 3, 0, 0, 0, 5, 0},
		{"one pair", []uint64{2}, 2, 0, 0, 0, 1, 0},
	} {
		m := fitFlowModel(c.counts)
		if m.threshold != c.u || m.tailPairs != c.tail || math.Abs(m.fitted-c.fitted) > 1e-12 || math.Abs(m.index-c.index) > 1e-12 ||
			len(m.body) != c.bodyLen || math.Abs(m.tailShare-c.tailShare) > 1e-12 {
			t.Errorf("%s: %+v, want u %d, %d above, fitted %.4f, index %.4f, %d in the body, share %.4f",
				c.name, m, c.u, c.tail, c.fitted, c.index, c.bodyLen, c.tailShare)
		}
		for _, x := range m.body {
			if x > m.threshold {
				t.Errorf("%s: %d in the body, above %d", c.name, x, m.threshold)
			}
		}
	}
}

// Drawn flows follow the model: the tail's share, P(flows > x | tail) =
// (x/u)^(−1/γ), the body's counts in the capture's proportions, and
// Hill's estimate over the tail draws recovers γ for u ≥ 4 (at u = 1 the
// rounding up biases it: 0.2 reads as 0.42; see flowModel). Bounds are 5
// standard errors of the 200 000 draws.
func TestFlowModelDraw(t *testing.T) {
	m := flowModel{body: []uint64{1, 1, 1, 2}, threshold: 4, tailPairs: 1, tailShare: 0.1, index: 0.5}
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 200_000
	var ones, twos, tail, over8, over16 int
	var hill float64
	for range n {
		switch x := m.draw(rng); {
		case x == 1:
			ones++
		case x == 2:
			twos++
		case x > 4:
			tail++
			hill += math.Log((float64(x) - 0.5) / 4)
			if x > 8 {
				over8++
			}
			if x > 16 {
				over16++
			}
		default:
			t.Fatalf("drew %d: neither a body count nor above the threshold", x)
		}
	}
	near := func(got, want float64, k int) bool {
		return math.Abs(got-want) <= 5*math.Sqrt(want*(1-want)/float64(k))
	}
	if !near(float64(tail)/n, 0.1, n) || !near(float64(ones)/float64(n-tail), 0.75, n-tail) {
		t.Errorf("tail share %.4f (want 0.1), ones in the body %.4f (want 0.75)", float64(tail)/n, float64(ones)/float64(n-tail))
	}
	if !near(float64(over8)/float64(tail), 0.25, tail) || !near(float64(over16)/float64(tail), 0.0625, tail) {
		t.Errorf("P(>8 | tail) = %.4f (want 0.25), P(>16 | tail) = %.4f (want 0.0625)", float64(over8)/float64(tail), float64(over16)/float64(tail))
	}
	if g := hill / float64(tail); math.Abs(g-0.5) > 0.02 {
		t.Errorf("Hill's estimate over the tail draws: %.3f, want 0.5", g)
	}
}

// A stream holds every pair exactly its flows times, the flows drawn from
// the model (body counts, or above the threshold); the same seed gives the
// same stream, shuffled; a stream whose draws exceed maxStreamUpdates
// keeps a prefix of its pairs that fits.
func TestDrawStream(t *testing.T) {
	m := flowModel{body: []uint64{1, 1, 2}, threshold: 2, tailPairs: 1, tailShare: 0.2, index: 0.5}
	st := drawStream(m, 500, maxStreamUpdates, rand.New(rand.NewPCG(1, 2)))
	seen := make([]uint32, len(st.flows))
	for _, id := range st.ids {
		seen[id]++
	}
	total, tail := 0, 0
	for i, f := range st.flows {
		if seen[i] != f || f == 0 {
			t.Fatalf("pair %d: %d flows, %d in the stream", i, f, seen[i])
		}
		if f > 2 {
			tail++
		}
		total += int(f)
	}
	if len(st.flows) != 500 || len(st.ids) != total || slices.IsSorted(st.ids) || tail < 50 || tail > 150 {
		t.Errorf("%d pairs, stream of %d updates for %d flows, %d in the tail, sorted: %v", len(st.flows), len(st.ids), total, tail, slices.IsSorted(st.ids))
	}
	again := drawStream(m, 500, maxStreamUpdates, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(st.ids, again.ids) {
		t.Errorf("the same seed gave another stream")
	}
	big := drawStream(flowModel{body: []uint64{7}, threshold: 7}, 100_000, maxStreamUpdates, rand.New(rand.NewPCG(1, 2)))
	if len(big.flows) != 71_000 || len(big.ids) != 497_000 {
		t.Errorf("100 000 pairs of 7 flows: kept %d pairs, %d updates; want 71 000 and 497 000", len(big.flows), len(big.ids))
	}
	for _, id := range []uint32{0, 1, 499, 1<<17 + 5} {
		if got := synthID(synthPair(id), 1<<18); got != int(id) {
			t.Errorf("synthID(synthPair(%d)) = %d", id, got)
		}
	}
	if synthID(synthPair(7), 5) != -1 || synthID(MakePair(netip.MustParseAddr("::1"), netip.MustParseAddr("::2")), 5) != -1 {
		t.Errorf("synthID accepts pairs that are not the stream's")
	}
}

// Space-Saving keeps its invariants under heavy replacement: the counters
// add up to the updates, none is below the truth, a pair with more than
// updates/k flows is monitored, and heap and index agree.
func TestSpaceSaving(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	truth := map[Pair]uint64{}
	s := newSpaceSaving(16)
	const updates = 20_000
	for u := range updates {
		id := uint32(rng.IntN(300))
		if rng.IntN(4) == 0 {
			id = uint32(rng.IntN(5)) // a few heavy pairs
		}
		p := synthPair(id)
		truth[p]++
		s.add(p)
		for i, e := range s.entries {
			if s.heap[e.pos] != int32(i) || s.index[e.slot] != int32(i)+1 {
				t.Fatalf("update %d, entry %d: heap or index out of step", u, i)
			}
			if f, _ := s.find(e.p); f != int32(i) {
				t.Fatalf("update %d: entry %d not found by its pair", u, i)
			}
		}
	}
	var sum uint64
	for _, e := range s.entries {
		sum += e.count
	}
	for i := 1; i < len(s.heap); i++ {
		if s.less(i, (i-1)/2) {
			t.Fatalf("heap order broken at %d", i)
		}
	}
	used := 0
	for _, v := range s.index {
		if v != 0 {
			used++
		}
	}
	if sum != updates || used != len(s.entries) {
		t.Errorf("counters add up to %d for %d updates; %d index slots for %d entries", sum, updates, used, len(s.entries))
	}
	for p, n := range truth {
		if e := s.estimate(p); e < n {
			t.Errorf("%v: estimate %d below %d", p, e, n)
		}
		if f, _ := s.find(p); n > updates/16 && f < 0 {
			t.Errorf("%v has %d > updates/k flows and is not monitored", p, n)
		}
	}
}

// The scaled experiment's numbers against truth the test computes itself:
// the exact map is exact; the array's and Count-Min's estimates are the
// sums of the exact flows of the pairs sharing their counters (so their
// errors and precision follow); nothing under-counts; Space-Saving's error
// stays within updates/k; the 100th exact count and its ties are the
// test's own; timings are positive, medians lie within their spreads, and
// every round is kept.
func TestCountingScaleTruth(t *testing.T) {
	model := flowModel{body: []uint64{1, 1, 1, 2, 3, 5, 8}, threshold: 8, tailPairs: 1, tailShare: 0.02, index: 0.5}
	st := drawStream(model, 30_000, maxStreamUpdates, rand.New(rand.NewPCG(5, 6)))
	fixed := fixedSizes()
	rows := measureScale(st, 3, fixed)
	n := len(st.flows)
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	rank := func(val func(int) uint64) []int {
		l := slices.Clone(ids)
		sort.SliceStable(l, func(a, b int) bool { return val(l[a]) > val(l[b]) })
		return l[:TopPairs]
	}
	exact := func(i int) uint64 { return uint64(st.flows[i]) }
	top := rank(exact)
	kth, tied := exact(top[TopPairs-1]), 0
	for i := range n {
		if exact(i) == kth {
			tied++
		}
	}
	bySlot := map[uint16]uint64{}
	byCM := map[uint32]uint64{}
	for i := range n {
		bySlot[FNV1aSlot(synthPair(uint32(i)))] += exact(i)
		for _, c := range cmSlots(synthPair(uint32(i))) {
			byCM[c] += exact(i)
		}
	}
	slotEst := func(i int) uint64 { return bySlot[FNV1aSlot(synthPair(uint32(i)))] }
	cmEst := func(i int) uint64 {
		m := ^uint64(0)
		for _, c := range cmSlots(synthPair(uint32(i))) {
			m = min(m, byCM[c])
		}
		return m
	}
	want := map[int]CountingScaleRow{methodMap: expectRow(top, rank(exact), exact, exact),
		methodArray: expectRow(top, rank(slotEst), exact, slotEst), methodCountMin: expectRow(top, rank(cmEst), exact, cmEst)}
	for m, w := range want {
		g := rows[m]
		if g.Precision != w.Precision || g.Recall != w.Recall || g.MaxOverCount != w.MaxOverCount || g.UnderCounted != 0 ||
			g.MeanRelError < w.MeanRelError-1e-12 || g.MeanRelError > w.MeanRelError+1e-12 {
			t.Errorf("%s: got %+v\nwant %+v", g.Method, g, w)
		}
	}
	if rows[methodArray].MaxOverCount == 0 || rows[methodMap].MeanRelError != 0 {
		t.Errorf("30 000 pairs in 65 536 slots should collide: %+v", rows[methodArray])
	}
	ss := rows[methodSpaceSaving]
	if ss.UnderCounted != 0 || ss.MaxOverCount > uint64(len(st.ids)/ssCounters) || ss.Precision < 0 || ss.Precision > 1 {
		t.Errorf("Space-Saving: %+v", ss)
	}
	for i, r := range rows {
		if r.Pairs != n || r.Updates != len(st.ids) || r.Method != countingMethods[i].name || r.MemoryBytes == 0 ||
			!(0 < r.MinNs && r.MinNs <= r.MedianNs && r.MedianNs <= r.MaxNs) || len(r.RoundNs) != 3 ||
			r.KthFlows != kth || r.TiedAtKth != tied {
			t.Errorf("row %d: %+v", i, r)
		}
		if f := fixed[i]; f > 0 && r.MemoryBytes != f {
			t.Errorf("%s: %d bytes, want %d", r.Method, r.MemoryBytes, f)
		}
	}
}

// expectRow scores a ranking and estimates as the test reads the
// definitions: a hit is a listed pair whose exact flows reach those of the
// exact 100th pair.
func expectRow(top, own []int, exact, est func(int) uint64) CountingScaleRow {
	var r CountingScaleRow
	last := exact(top[len(top)-1])
	for _, i := range own {
		if exact(i) >= last {
			r.Precision++
		}
	}
	r.Precision /= float64(len(own))
	r.Recall = r.Precision
	for _, i := range top {
		d := est(i) - exact(i)
		r.MeanRelError += float64(d) / float64(exact(i))
		r.MaxOverCount = max(r.MaxOverCount, d)
	}
	r.MeanRelError /= float64(len(top))
	return r
}

// Pairs tied at the 100th place count either way, and a listed pair
// below it is a miss: 95 pairs of 10 flows, 50 of 5 and 5 of 1, so the
// exact 100th pair has 5 flows, 50 pairs tied there. An estimator that
// adds 20 flows to the five 1-flow pairs and 1 to three 5-flow pairs lists
// the five (misses: 1 < 5), the 95 pairs of 10 (hits), and none of the
// 5-flow pairs: precision 0.95. Its errors over the exact top-100 (the 95
// pairs of 10 and the first five pairs of 5, numbers 95–99) come from the
// one of the three over-counted pairs among them (number 95: +1/5).
func TestScoreTies(t *testing.T) {
	flows := slices.Concat(slices.Repeat([]uint64{10}, 95), slices.Repeat([]uint64{5}, 50), slices.Repeat([]uint64{1}, 5))
	ks := keySet{n: len(flows), pair: func(i int) Pair { return synthPair(uint32(i)) },
		flows: func(i int) uint64 { return flows[i] }, index: func(p Pair) int { return synthID(p, len(flows)) }}
	ks.top = topK(ks.n, TopPairs, ks.flows)
	est := fakeCounter{}
	for i, f := range flows {
		est[synthPair(uint32(i))] = f
	}
	for _, i := range []int{145, 146, 147, 148, 149} {
		est[synthPair(uint32(i))] += 20
	}
	for _, i := range []int{95, 120, 144} {
		est[synthPair(uint32(i))]++
	}
	a := score(ks, est)
	want := accuracy{precision: 0.95, recall: 0.95, meanRelError: 0.2 / 100, maxOverCount: 1, kth: 5, tied: 50}
	if math.Abs(a.meanRelError-want.meanRelError) > 1e-12 {
		t.Errorf("mean relative error %g, want %g", a.meanRelError, want.meanRelError)
	}
	a.meanRelError = want.meanRelError
	if a != want {
		t.Errorf("score = %+v, want %+v", a, want)
	}
	// The exact map on a tie of all 150 pairs: any 100 of them are right.
	flows = slices.Repeat([]uint64{1}, 150)
	ks.top = nil
	for i := 50; i < 150; i++ { // the exact order lists the last 100
		ks.top = append(ks.top, i)
	}
	m := exactCounter{}
	for i := range flows {
		m.add(synthPair(uint32(i)))
	}
	if a := score(ks, m); a.precision != 1 || a.recall != 1 || a.meanRelError != 0 || a.tied != 150 {
		t.Errorf("exact map on ties: %+v", a)
	}
}

// fakeCounter estimates what the test sets.
type fakeCounter map[Pair]uint64

func (f fakeCounter) add(Pair)               {}
func (f fakeCounter) estimate(p Pair) uint64 { return f[p] }

// Faster calls a method faster only when it is faster in every round, the
// rounds paired by number; anything else is within noise.
func TestFaster(t *testing.T) {
	r := func(ns ...float64) CountingScaleRow { return CountingScaleRow{RoundNs: ns} }
	for _, c := range []struct {
		a, b CountingScaleRow
		want int
	}{
		{r(30, 28, 35, 31, 29), r(50, 45, 60, 48, 52), -1},
		{r(50, 45, 60, 48, 52), r(30, 28, 35, 31, 29), 1},
		{r(148, 80, 150, 760, 140), r(279, 130, 290, 527, 300), 0}, // 1.9× apart in median, but one round the other way
		{r(10, 10, 10), r(10, 11, 12), 0},                          // a tie is not faster
		{r(30, 30), r(50, 50, 50), 0},                              // not paired
		{r(), r(), 0},
	} {
		if got := Faster(c.a, c.b); got != c.want {
			t.Errorf("Faster(%v, %v) = %d, want %d", c.a.RoundNs, c.b.RoundNs, got, c.want)
		}
	}
}

// scaleAcc is one method's accuracy at the largest size of a scale built
// by testScale.
type scaleAcc struct {
	rel  float64
	over uint64
	prec float64
}

// testScale builds a CountingScale of 1 000, 10 000 and 100 000 pairs: the
// map's and the array's rounds at each size, and the array's, Count-Min's
// and Space-Saving's accuracy and rounds at the largest (otherwise: exact,
// and the array's rounds).
func testScale(times [3][2][]float64, acc [3]scaleAcc, last [3][]float64) *CountingScale {
	s := &CountingScale{CapturePairs: 37, CaptureFlows: 81, Rounds: 5, MapOverArray: 1820, Threshold: 4, TailPairs: 3, FittedIndex: 0.85, TailIndex: 0.85}
	for i, n := range []int{1000, 10_000, 100_000} {
		for m := range 4 {
			r := CountingScaleRow{Pairs: n, Updates: 3 * n, Method: countingMethods[m].name, MemoryBytes: uint64(84 * n),
				Precision: 1, Recall: 1, KthFlows: uint64(4 + i), TiedAtKth: 3 - i, RoundNs: times[i][0]}
			if m > 0 {
				r.MemoryBytes = []uint64{0, SlotCount * 4, SlotCount * 4, 18_640}[m]
				r.RoundNs = times[i][1]
				if i == 2 {
					r.MeanRelError, r.MaxOverCount, r.Precision, r.Recall = acc[m-1].rel, acc[m-1].over, acc[m-1].prec, acc[m-1].prec
					if last[m-1] != nil {
						r.RoundNs = last[m-1]
					}
				}
			}
			sorted := slices.Sorted(slices.Values(r.RoundNs))
			r.MedianNs, r.MinNs, r.MaxNs = sorted[len(sorted)/2], sorted[0], sorted[len(sorted)-1]
			s.Rows = append(s.Rows, r)
		}
	}
	return s
}

// The time verdicts and the crossover follow Faster's one rule, stated
// once; the conclusion never contradicts the verdicts.
func TestCountingScaleTime(t *testing.T) {
	fast, slow := []float64{30, 28, 35, 31, 29}, []float64{50, 45, 60, 48, 52}
	mixed := []float64{148, 80, 150, 760, 140} // against mixedMap: 1.9× in median, the array faster in 4 of 5 rounds
	mixedMap := []float64{279, 130, 270, 527, 300}
	good := [3]scaleAcc{{0.01, 2, 0.95}, {0.01, 2, 0.95}, {0.01, 2, 0.95}}
	for _, c := range []struct {
		name  string
		times [3][2][]float64
		from  int
		wants []string
	}{
		{"map, noise, array", [3][2][]float64{{fast, slow}, {mixedMap, mixed}, {slow, fast}}, 100_000,
			[]string{"the map is faster at 1 000 pairs (50 vs 30 ns)", "the two are within noise at 10 000 pairs (148 vs 279 ns; the array faster in 4 of the 5 rounds)",
				"the array is faster at 100 000 pairs (30 vs 50 ns), so the array overtakes the map in time by 100 000 pairs."}},
		{"array, noise, array", [3][2][]float64{{slow, fast}, {mixedMap, mixed}, {slow, fast}}, 0,
			[]string{"the array is faster at 1 000 pairs (30 vs 50 ns), the two are within noise at 10 000 pairs", "so the map is faster at no size measured."}},
		{"array, then map", [3][2][]float64{{slow, fast}, {slow, fast}, {fast, slow}}, 0,
			[]string{"the array is faster at 1 000 and 10 000 pairs (30 vs 50 and 30 vs 50 ns) and the map is faster at 100 000 pairs", "verdicts that do not order by size, so no crossover is stated."}},
		{"map throughout", [3][2][]float64{{fast, slow}, {fast, slow}, {fast, slow}}, 0,
			[]string{"the map is faster at 1 000, 10 000 and 100 000 pairs", "so the array is faster at no size measured."}},
		{"noise throughout", [3][2][]float64{{mixedMap, mixed}, {mixedMap, mixed}, {mixedMap, mixed}}, 0,
			[]string{"the two are within noise at 1 000, 10 000 and 100 000 pairs (148 vs 279, 148 vs 279 and 148 vs 279 ns; the array faster in 4, 4 and 4 of the 5 rounds)."}},
	} {
		s := testScale(c.times, good, [3][]float64{})
		if got := s.ArrayOvertakes(); got != c.from {
			t.Errorf("%s: ArrayOvertakes = %d, want %d", c.name, got, c.from)
		}
		got := s.Sentence()
		for _, w := range append(c.wants, "one is called faster only when it is faster in every round") {
			if w = digitGroups.ReplaceAllString(w, "$1\u202f$2"); !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		if strings.Count(got, "faster only when") != 1 {
			t.Errorf("%s: the rule is stated more than once: %q", c.name, got)
		}
	}
}

// The proposal follows its rule: fixed memory, mean relative error ≤ 0.05
// and precision ≥ 0.9 qualify; then not slower than the map, the least
// memory, the faster median; with none qualifying, the exact map.
func TestCountingScaleProposal(t *testing.T) {
	fast, slow := []float64{30, 28, 35, 31, 29}, []float64{50, 45, 60, 48, 52}
	faster := []float64{20, 20, 20, 20, 20}
	times := [3][2][]float64{{slow, fast}, {slow, fast}, {slow, fast}}
	for _, c := range []struct {
		name  string
		acc   [3]scaleAcc
		last  [3][]float64
		wants []string
		not   []string
	}{
		{"Count-Min alone qualifies", [3]scaleAcc{{0.012, 51, 0.33}, {0.018, 16, 0.98}, {3.7, 1227, 0.18}}, [3][]float64{},
			[]string{"for the top-100 of 100 000 pairs, the Count-Min sketch: 262 144 bytes whatever the number of pairs, against the map's 8.40 MB; faster than the map (30 vs 50 ns per update); mean relative error 0.018, over-counting by up to 16 flows, precision 0.98 (the array has precision 0.33; Space-Saving has mean relative error 3.700)",
				"It counts per pair", "Below about 1 820 pairs (this capture has 37), the exact map is both smaller than the array and exact."}, nil},
		{"none qualifies", [3]scaleAcc{{0.241, 14, 0.14}, {0.481, 15, 0.34}, {72.3, 1001, 0.01}}, [3][]float64{},
			[]string{"at 100 000 pairs no method of fixed memory qualifies (the array has mean relative error 0.241; Count-Min has mean relative error 0.481; Space-Saving has mean relative error 72.300), so keep the exact map: 8.40 MB, exact, 50 ns per update."},
			[]string{"It counts per pair"}},
		{"all qualify: the smallest", [3]scaleAcc{{0.01, 2, 0.95}, {0.01, 2, 0.95}, {0.04, 9, 0.91}}, [3][]float64{},
			[]string{"for the top-100 of 100 000 pairs, Space-Saving: 18 640 bytes"}, []string{"It counts per pair", "(the array"}},
		{"not slower than the map before smaller", [3]scaleAcc{{0.5, 2, 0.5}, {0.01, 2, 0.95}, {0.01, 2, 0.95}}, [3][]float64{nil, nil, {70, 70, 70, 70, 70}},
			[]string{"the Count-Min sketch: 262 144 bytes"}, nil},
		{"equal memory: the one not slower than the map", [3]scaleAcc{{0.01, 2, 0.95}, {0.01, 2, 0.95}, {3.7, 1227, 0.18}}, [3][]float64{nil, {70, 70, 70, 70, 70}, nil},
			[]string{"the 2^16 slot array: 262 144 bytes"}, nil},
		{"equal memory, both faster than the map: the faster", [3]scaleAcc{{0.01, 2, 0.95}, {0.01, 2, 0.95}, {3.7, 1227, 0.18}}, [3][]float64{nil, faster, nil},
			[]string{"the Count-Min sketch: 262 144 bytes", "faster than the map (20 vs 50 ns per update)"}, nil},
		{"a qualifying method slower than the map", [3]scaleAcc{{0.5, 2, 0.5}, {0.01, 2, 0.95}, {3.7, 1227, 0.18}}, [3][]float64{nil, {70, 70, 70, 70, 70}, nil},
			[]string{"the Count-Min sketch: 262 144 bytes whatever the number of pairs, against the map's 8.40 MB; but slower than the map (70 vs 50 ns per update)"}, nil},
	} {
		got := testScale(times, c.acc, c.last).Sentence()
		for _, w := range c.wants {
			if w = digitGroups.ReplaceAllString(w, "$1\u202f$2"); !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: %q has %q", c.name, got, w)
			}
		}
	}
}

// The stream sentence states the model: the capture's counts up to the
// threshold, the tail's pairs and index (capped: both numbers), the
// 500 000-update limit when it applied, and the tie of a capture with no
// tail.
func TestCountingScaleStreams(t *testing.T) {
	good := [3]scaleAcc{{0.01, 2, 0.95}, {0.01, 2, 0.95}, {0.01, 2, 0.95}}
	f := []float64{30, 30, 30, 30, 30}
	s := testScale([3][2][]float64{{f, f}, {f, f}, {f, f}}, good, [3][]float64{})
	for _, c := range []struct {
		name   string
		change func(*CountingScale)
		want   string
	}{
		{"assumed: too few above", func(*CountingScale) {}, "streams of 1 000, 10 000 and 100 000 host pairs, 5 rounds each, whose flows per pair follow this capture's 37 pairs: counts of up to 4 flows (34 of its pairs) are drawn from its own, larger ones from a Pareto tail assumed with tail index γ = 1/α = 0.85 (with only 3 pairs above, too few to fit it: Hill's estimate 0.85)"},
		{"fitted", func(s *CountingScale) { s.TailPairs = 12 }, "a Pareto tail fitted to its 12 pairs above (tail index γ = 1/α = 0.85, Hill's estimate)"},
		{"capped", func(s *CountingScale) { s.FittedIndex, s.TailIndex, s.TailPairs = 2.14, 0.9, 5 }, "a Pareto tail fitted to its 5 pairs above (tail index γ = 1/α: Hill's estimate 2.14, capped at 0.9 so the mean stays finite)"},
		{"limited", func(s *CountingScale) { s.Limited = true }, "100 000 host pairs (at most 500 000 updates per stream), 5 rounds"},
		{"a flow file", func(s *CountingScale) { s.noun = "flow file" }, "whose flows per pair follow this flow file's 37 pairs"},
		{"a flow file's size", func(s *CountingScale) { s.noun = "flow file" }, "(this flow file has 37)"},
		{"no tail", func(s *CountingScale) { s.CapturePairs, s.TailPairs, s.Threshold = 1, 0, 3 },
			"this capture's 1 pair. Its one pair has 3 flows, so every pair of a stream has as many, the exact top-100 is a tie of all of them, and any list of 100 pairs has precision 1."},
		{"no tail, all pairs exact", func(s *CountingScale) { s.CapturePairs, s.TailPairs, s.Threshold = 4, 0, 2 }, "this capture's 4 pairs. All of its pairs have 2 flows, so every pair"},
	} {
		x := *s
		c.change(&x)
		if got, w := x.Sentence(), digitGroups.ReplaceAllString(c.want, "$1\u202f$2"); !strings.Contains(got, w) {
			t.Errorf("%s: %q lacks %q", c.name, got, w)
		}
	}
	if got := (&CountingScale{}).Sentence(); !strings.Contains(got, "no host pairs") {
		t.Errorf("empty: %q", got)
	}
}

// The accuracy sentence leads with the errors, then precision with its
// criterion and the ties at the 100th place.
func TestCountingScaleAccuracy(t *testing.T) {
	f := []float64{30, 30, 30, 30, 30}
	got := testScale([3][2][]float64{{f, f}, {f, f}, {f, f}}, [3]scaleAcc{{0.012, 51, 0.33}, {0.018, 16, 0.98}, {3.712, 1227, 0.18}}, [3][]float64{}).Sentence()
	want := "On the exact top-100 pairs, the array's mean relative error is 0.000, 0.000 and 0.012 and it over-counts by up to 0, 0 and 51 flows, where the map is exact; its precision is 1.00, 1.00 and 0.33 (a pair it lists counts as right when it has at least the exact 100th pair's flows: 4, 5 and 6; pairs with exactly that many: 3, 2 and 1; the others it lists are over-counted by pairs sharing their slot). At 100 000 pairs, the Count-Min sketch (the same bytes in 4 rows) has mean relative error 0.018 and over-counts by up to 16 flows, precision 0.98, at 30 ns per update; Space-Saving (200 counters, 18 640 bytes) has mean relative error 3.712 and over-counts by up to 1 227 flows (its bound: updates / 200 = 1 500), precision 0.18, at 30 ns."
	if w := digitGroups.ReplaceAllString(want, "$1\u202f$2"); !strings.Contains(got, w) {
		t.Errorf("%q\nlacks\n%q", got, w)
	}
	// With nothing missed, the sentence does not explain misses.
	got = testScale([3][2][]float64{{f, f}, {f, f}, {f, f}}, [3]scaleAcc{{0.012, 51, 1}, {0.018, 16, 1}, {3.712, 1227, 1}}, [3][]float64{}).Sentence()
	if !strings.Contains(got, "pairs with exactly that many: 3, 2 and 1). At") || strings.Contains(got, "the others it lists") {
		t.Errorf("precision 1 throughout: %q", got)
	}
}

// BenchmarkCountingScale times one pass of each method over streams drawn
// from the sample capture's flows per pair (flowModel, without the
// report's limit of updates), up to the 10^6 pairs the report leaves out
// for time (see scaleSizes):
//
//	go test -run - -bench CountingScale -benchtime 3x ./analysis/
func BenchmarkCountingScale(b *testing.B) {
	c, err := Open("../testdata/sample.pcapng")
	if err != nil {
		b.Fatal(err)
	}
	var counts []uint64
	for _, p := range c.Pairs().all() {
		counts = append(counts, p.Flows)
	}
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		st := drawStream(fitFlowModel(counts), n, math.MaxInt, rand.New(rand.NewPCG(scaleSeed, scaleSeed)))
		for _, m := range countingMethods {
			b.Run(fmt.Sprintf("pairs=%d/%s", n, strings.ReplaceAll(m.name, " ", "_")), func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					c := m.empty()
					b.StartTimer()
					feed(c, st.ids)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(st.ids)), "ns/update")
			})
		}
	}
}
