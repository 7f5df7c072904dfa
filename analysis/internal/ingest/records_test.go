package ingest

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pcaplab/pcaplab/flow"
)

// With CompactFlows, the model's records read back (EachFlow) as exactly
// the flows Build keeps otherwise, in the same order, on every capture.
func TestCompactFlowsReadBackAsFlows(t *testing.T) {
	var paths []string
	for _, g := range []string{"../../../testdata/sample.pcapng", "../../../testdata/captures/*.pcap*", "../../../../shared/captures/*.pcap*"} {
		p, _ := filepath.Glob(g)
		paths = append(paths, p...)
	}
	for _, path := range paths {
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
