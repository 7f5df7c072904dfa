package analysis

import (
	"fmt"
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
		if got := streamPairs(c.n, c.mean); got != c.want {
			t.Errorf("streamPairs(%d, %g) = %d, want %d", c.n, c.mean, got, c.want)
		}
	}
}

// A stream holds every pair exactly its flows times, the flows drawn from
// the given counts; the same seed gives the same stream, shuffled.
func TestDrawStream(t *testing.T) {
	counts := []uint64{1, 1, 2, 7}
	st := drawStream(counts, 500, rand.New(rand.NewPCG(1, 2)))
	seen := make([]uint32, len(st.flows))
	for _, id := range st.ids {
		seen[id]++
	}
	total := 0
	for i, f := range st.flows {
		if seen[i] != f || !slices.Contains(counts, uint64(f)) {
			t.Fatalf("pair %d: %d flows, %d in the stream", i, f, seen[i])
		}
		total += int(f)
	}
	if len(st.ids) != total || slices.IsSorted(st.ids) {
		t.Errorf("stream of %d updates for %d flows, sorted: %v", len(st.ids), total, slices.IsSorted(st.ids))
	}
	again := drawStream(counts, 500, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(st.ids, again.ids) {
		t.Errorf("the same seed gave another stream")
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
// stays within updates/k; timings are positive and medians lie within
// their spreads.
func TestCountingScaleTruth(t *testing.T) {
	counts := []uint64{1, 1, 1, 2, 3, 5, 8, 40}
	st := drawStream(counts, 30_000, rand.New(rand.NewPCG(5, 6)))
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
			!(0 < r.MinNs && r.MinNs <= r.MedianNs && r.MedianNs <= r.MaxNs) {
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

// Pairs tied at the 100th place count either way: an exact count is
// exact whichever of them it lists.
func TestScoreTies(t *testing.T) {
	flows := make([]uint64, 150)
	for i := range flows {
		flows[i] = 1
	}
	ks := keySet{n: len(flows), pair: func(i int) Pair { return synthPair(uint32(i)) },
		flows: func(i int) uint64 { return flows[i] }, index: func(p Pair) int { return synthID(p, len(flows)) },
		top: []int{}}
	for i := 50; i < 150; i++ { // the exact order lists the last 100
		ks.top = append(ks.top, i)
	}
	m := exactCounter{}
	for i := range flows {
		m.add(synthPair(uint32(i)))
	}
	if a := score(ks, m); a.precision != 1 || a.recall != 1 || a.meanRelError != 0 {
		t.Errorf("exact map on ties: %+v", a)
	}
}

// Faster calls a method faster only when its median is below the other's
// fastest round.
func TestFaster(t *testing.T) {
	r := func(med, lo, hi float64) CountingScaleRow {
		return CountingScaleRow{MedianNs: med, MinNs: lo, MaxNs: hi}
	}
	for _, c := range []struct {
		a, b CountingScaleRow
		want int
	}{
		{r(30, 28, 35), r(50, 45, 60), -1},
		{r(50, 45, 60), r(30, 28, 35), 1},
		{r(70, 30, 90), r(60, 50, 65), 0}, // a's fastest round beats b's, but not its median
		{r(44, 40, 200), r(50, 45, 60), -1},
		{r(45, 40, 50), r(50, 45, 60), 0}, // a median equal to the other's fastest round is not below it
	} {
		if got := Faster(c.a, c.b); got != c.want {
			t.Errorf("Faster(%+v, %+v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// The sentence's verdicts follow the written criterion: faster only when
// the median is below the other's fastest round.
func TestCountingScaleSentence(t *testing.T) {
	row := func(n int, med, lo, hi float64) CountingScaleRow {
		return CountingScaleRow{Pairs: n, Updates: 3 * n, MemoryBytes: uint64(84 * n), MedianNs: med, MinNs: lo, MaxNs: hi, Precision: 1, Recall: 1}
	}
	scale := func(times ...[2][3]float64) *CountingScale {
		s := &CountingScale{CapturePairs: 19, CaptureFlows: 59, Rounds: 5, MapOverArray: 1820}
		for i, tm := range times {
			n := 1000 * []int{1, 10, 100}[i]
			m, a := row(n, tm[0][0], tm[0][1], tm[0][2]), row(n, tm[1][0], tm[1][1], tm[1][2])
			a.MemoryBytes, a.Precision = SlotCount*4, 0.5
			s.Rows = append(s.Rows, m, a, a, a)
		}
		return s
	}
	for _, c := range []struct {
		name  string
		s     *CountingScale
		from  int
		wants []string
	}{
		{"map, noise, array", scale([2][3]float64{{30, 28, 35}, {50, 45, 60}}, [2][3]float64{{60, 40, 90}, {55, 50, 70}}, [2][3]float64{{200, 150, 300}, {60, 55, 80}}),
			100_000, []string{"the map is faster at 1 000 pairs (50 vs 30 ns)", "within noise at 10 000 pairs", "the array is faster at 100 000 pairs (60 vs 200 ns)",
				"overtakes the map in time between 10 000 and 100 000 pairs", "from about 1 820 pairs on"}},
		{"array throughout", scale([2][3]float64{{90, 80, 95}, {50, 45, 60}}, [2][3]float64{{90, 85, 99}, {55, 50, 70}}, [2][3]float64{{200, 150, 300}, {60, 55, 80}}),
			1000, []string{"the array is faster at 1 000, 10 000 and 100 000 pairs", "already at the smallest size"}},
		{"array, then noise", scale([2][3]float64{{90, 80, 95}, {50, 45, 60}}, [2][3]float64{{90, 85, 99}, {55, 50, 70}}, [2][3]float64{{200, 50, 300}, {60, 55, 80}}),
			0, []string{"within noise at 100 000 pairs (60 vs 200 ns)", "not ahead in time at the largest size"}},
	} {
		if got := c.s.ArrayOvertakes(); got != c.from {
			t.Errorf("%s: ArrayOvertakes = %d, want %d", c.name, got, c.from)
		}
		got := c.s.Sentence()
		for _, w := range c.wants {
			if w = digitGroups.ReplaceAllString(w, "$1\u202f$2"); !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
	}
	if got := (&CountingScale{}).Sentence(); !strings.Contains(got, "no host pairs") {
		t.Errorf("empty: %q", got)
	}
}

// BenchmarkCountingScale times one pass of each method over streams drawn
// from the sample capture's flows per pair, up to the 10^6 pairs the
// report leaves out for time (see scaleSizes):
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
		st := drawStream(counts, n, rand.New(rand.NewPCG(scaleSeed, scaleSeed)))
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
