package ingest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A packet counts in bin floor((t − origin) / width), whether it is in the
// bin of the packet before (no division) or not: out of order, before the
// origin, or far away.
func TestBinsAdd(t *testing.T) {
	for _, tc := range []struct {
		name          string
		origin, width int64
		times         func(rng *rand.Rand) int64
	}{
		{"in order, 1 s", 1e18, 1e9, nil},
		{"around the origin, 7 ns", 1000, 7, func(rng *rand.Rand) int64 { return rng.Int64N(2000) }},
		{"far apart, 3 s", 5e9, 3e9, func(rng *rand.Rand) int64 { return rng.Int64N(math.MaxInt64) }},
		{"wide bins", math.MaxInt64 / 2, math.MaxInt64 / 3, func(rng *rand.Rand) int64 { return rng.Int64N(math.MaxInt64) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dropped uint64
			b := bins{width: tc.width, origin: tc.origin, m: map[int64]*Counter{}, dropped: &dropped}
			want := map[int64]uint64{}
			rng := rand.New(rand.NewPCG(3, 4))
			ts := tc.origin
			for i := 0; i < 20000; i++ {
				if tc.times != nil {
					ts = tc.times(rng)
				} else {
					ts += rng.Int64N(3e8)
				}
				b.add(ts, 1)
				want[FloorDiv(ts-tc.origin, tc.width)]++
			}
			for i, n := range want {
				if c := b.m[i]; c == nil || c.Packets != n {
					t.Errorf("bin %d: %v, want %d packets", i, c, n)
				}
			}
			if len(b.m) != len(want) || dropped != 0 {
				t.Errorf("%d bins (want %d), %d dropped", len(b.m), len(want), dropped)
			}
		})
	}
}
