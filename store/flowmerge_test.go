package store

import (
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pcaplab/pcaplab/flow"
)

// One hour's flows from two sources (one in three files, numbered past 9)
// and the edge come out in start order, each source's files read one
// after the other.
func TestEachFlowMergesSources(t *testing.T) {
	dir := t.TempDir()
	hour := Partition(0)
	files := map[string][]int64{ // file → flow start times (s), as written: each source's in order
		"part-aaaaaaaaaaaa-9.parquet":  {1, 3, 5},
		"part-aaaaaaaaaaaa-10.parquet": {7, 9},
		"part-aaaaaaaaaaaa-11.parquet": {11},
		"part-bbbbbbbbbbbb-1.parquet":  {2, 4, 8, 12},
		"part-edge-1.parquet":          {6, 10},
	}
	m := &Manifest{Sources: []SourceEntry{{}, {}}}
	for name, starts := range files {
		var rows []Flow
		for _, s := range starts {
			r := flow.Record{Flow: flow.Flow{Proto: flow.UDP, Orig: netip.MustParseAddr("10.0.0.1"), Resp: netip.MustParseAddr("10.0.0.2"),
				First: s * 1e9, Last: s * 1e9, OrigPackets: 1}}
			rows = append(rows, FlowOf(&r))
		}
		rel := filepath.Join(hour, name)
		if err := WriteFile(filepath.Join(dir, rel), rows); err != nil {
			t.Fatal(err)
		}
		switch name[5] {
		case 'a':
			m.Sources[0].Files = append(m.Sources[0].Files, rel)
		case 'b':
			m.Sources[1].Files = append(m.Sources[1].Files, rel)
		default:
			m.EdgeFiles = append(m.EdgeFiles, rel)
		}
	}
	if got := len(sourceRuns(m.Files("flows"))); got != 3 {
		t.Errorf("%d runs, want 3 (two sources and the edge)", got)
	}
	var got []int64
	err := EachFlow(dir, m, func(r *flow.Record) error {
		got = append(got, r.First/1e9)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; !slices.Equal(got, want) {
		t.Errorf("starts %v, want %v", got, want)
	}
}
