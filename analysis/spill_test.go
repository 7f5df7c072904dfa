package analysis

import (
	"bytes"
	"reflect"
	"testing"
)

// Flows spilled to disk give the same answers as flows kept in memory.
func TestSpilledFlowsGiveTheSameAnswers(t *testing.T) {
	mem, err := Open("../testdata/sample.pcapng", SpillAfter(-1))
	if err != nil {
		t.Fatal(err)
	}
	disk, err := Open("../testdata/sample.pcapng", SpillAfter(5))
	if err != nil {
		t.Fatal(err)
	}
	if disk.m.Spill() == nil || mem.m.Spill() != nil {
		t.Fatal("SpillAfter(5) did not spill, or SpillAfter(-1) did")
	}
	if !reflect.DeepEqual(mem.Summary(), disk.Summary()) {
		t.Errorf("summaries differ:\n%+v\n%+v", mem.Summary(), disk.Summary())
	}
	tables := func(c *Capture) []string {
		s := c.SlotArrayCounts(nil, "")
		r, _ := c.RateStats(0)
		var out []string
		for _, df := range []string{
			FormatTable(c.FlowSizeStats()), FormatTable(c.FlowSizeDistribution()), FormatTable(c.TopProtocols(5)),
			FormatTable(c.TopApplications(10)), FormatTable(c.TopSourcePorts(5)), FormatTable(c.TopDestinationPorts(5)),
			FormatTable(c.TopHostPairsByFlows(10)), FormatTable(c.TopHostPairsByBytes(10)), FormatTable(c.PairFlowCounts(100)),
			FormatTable(s.TopSlots(10)), FormatTable(s.Comparison()), FormatTable(c.HostCounts()), FormatTable(c.TopCountries(5)),
			FormatTable(c.TopHostsByBytes(15)), FormatTable(c.FastestTCPConnections(10, FastestOptions{})), FormatTable(r.Frame()),
			FormatTable(c.FailureClasses()), FormatTable(c.FailedCommunications()), FormatTable(c.FlowTable()),
		} {
			out = append(out, df)
		}
		return out
	}
	a, b := tables(mem), tables(disk)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("table %d differs:\n%s\nspilled:\n%s", i, a[i], b[i])
		}
	}
	var ca, cb bytes.Buffer
	mem.WriteFlowsCSV(&ca)
	disk.WriteFlowsCSV(&cb)
	if ca.String() != cb.String() {
		t.Error("flow CSV differs")
	}
	if !reflect.DeepEqual(mem.Flows(), disk.Flows()) || disk.Err() != nil {
		t.Errorf("flows differ (err %v)", disk.Err())
	}
	// Only failed DNS transactions are kept once spilled.
	if len(disk.DNS()) != 2 || len(mem.DNS()) != 26 {
		t.Errorf("DNS transactions: %d spilled, %d in memory", len(disk.DNS()), len(mem.DNS()))
	}
}
