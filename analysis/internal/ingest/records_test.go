package ingest

import (
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/pcaplab/pcaplab/flow"
)

// With CompactFlows, the model's records read back (EachFlow) as exactly
// the flows Build keeps otherwise, in the same order, on every capture.
func TestCompactFlowsReadBackAsFlows(t *testing.T) {
	for _, path := range everyCapture() {
		for _, to := range []flow.Timeouts{flow.DefaultTimeouts, flow.AllTimeouts(0)} {
			cfg := Config{Timeouts: to, SpillAfter: -1}
			want, err := Build([]string{path}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.CompactFlows = true
			got, err := Build([]string{path}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var flows []flow.Flow
			got.EachFlow(func(f *flow.Flow) { flows = append(flows, *f) })
			if got.Flows != nil || got.Records.Len() != len(want.Flows) || !reflect.DeepEqual(flows, want.Flows) {
				t.Errorf("%s: %d flows read back, want %d in the same order", filepath.Base(path), len(flows), len(want.Flows))
			}
		}
	}
}

// Spilled to disk after 10 flows, the flows read back (EachFlow) as exactly
// the flows kept in memory, in the same order, on every capture.
func TestSpilledFlowsReadBackInStartOrder(t *testing.T) {
	for _, path := range everyCapture() {
		want, err := Build([]string{path}, Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Build([]string{path}, Config{Timeouts: flow.DefaultTimeouts, SpillAfter: 10})
		if err != nil {
			t.Fatal(err)
		}
		var flows []flow.Flow
		got.EachFlow(func(f *flow.Flow) { flows = append(flows, *f) })
		if len(want.Flows) > 10 && got.Spill() == nil {
			t.Errorf("%s: %d flows, not spilled", filepath.Base(path), len(want.Flows))
		}
		if !reflect.DeepEqual(flows, want.Flows) {
			t.Errorf("%s: %d flows read back, want %d in the same order", filepath.Base(path), len(flows), len(want.Flows))
		}
	}
}

// Flows spilled over many runs (runBytes each) come back merged as a stable
// sort by start (flow.Less) puts them.
func TestSpillMergesRuns(t *testing.T) {
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var in []flow.Flow
	for extra := 0; extra < 100; { // three full runs and a partial one of 100 flows
		if len(sp.runs) == 3 {
			extra++
		}
		f := flow.Flow{Proto: flow.Proto([]uint8{6, 17}[rng.IntN(2)]), First: rng.Int64N(2000), OrigPort: uint16(rng.IntN(4)), // many equal starts: the rest of the key decides
			Orig: netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(3))}), Resp: netip.AddrFrom16([16]byte{15: byte(rng.IntN(3))}),
			OrigPackets: uint64(len(in)), History: "ShAD"}
		in = append(in, f)
		if err := sp.add(&f); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.flush(); err != nil {
		t.Fatal(err)
	}
	if len(sp.runs) != 4 {
		t.Fatalf("%d runs, want 4", len(sp.runs))
	}
	var out []flow.Flow
	if err := sp.Each(func(f *flow.Flow) { out = append(out, *f) }); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(in)
	slices.SortStableFunc(want, compareFlows)
	if !reflect.DeepEqual(out, want) { // equal keys: earlier runs first, within a run in write order
		t.Fatalf("%d flows read back, want %d in start order", len(out), len(in))
	}
}

// everyCapture lists the bundled sample and captures, and the shared ones
// where ../shared exists.
func everyCapture() []string {
	var paths []string
	for _, g := range []string{"../../../testdata/sample.pcapng", "../../../testdata/captures/*.pcap*", "../../../../shared/captures/*.pcap*"} {
		p, _ := filepath.Glob(g)
		paths = append(paths, p...)
	}
	return paths
}
