package analysis

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/pcaplab/pcaplab/table"
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
		s := c.Pairs().SlotArray(nil, "")
		r, err := c.Traffic().Rates(0)
		if err != nil {
			t.Fatal(err)
		}
		bins, err := c.Traffic().Bins(0)
		if err != nil {
			t.Fatal(err)
		}
		return []string{
			table.Of(c.Flows().Sizes().Rows()).Text(), table.Of(c.Flows().SizeDistribution()).Text(), table.Of(c.Flows().First(20)).Text(), table.Of(c.Services().Protocols(5)).Text(),
			table.Of(c.Services().Applications(10)).Text(), table.Of(c.Services().SourcePorts(5).Rows).Text(), table.Of(c.Services().DestinationPorts(5).Rows).Text(),
			table.Of(c.Pairs().TopByFlows(10)).Text(), table.Of(c.Pairs().TopByBytes(10)).Text(), table.Of(c.Pairs().Ranking(100).Rows).Text(),
			table.Of(s.TopSlots(10)).Text(), table.Of(s.Comparison()).Text(), table.Of(c.Hosts().Kinds()).Text(), table.Of(c.Hosts().Countries(5)).Text(),
			table.Of(c.Hosts().TopByBytes(15).Rows).Text(), table.Of(c.Flows().Fastest(10, FastestOptions{}).Rows).Text(), table.Of(r.Rows()).Text(),
			table.Of(c.Failures().Classes()).Text(), table.Of(c.Failures().List()).Text(), c.Flows().Table().Text(),
			table.Of(bins).Text(),
		}
	}
	a, b := tables(mem), tables(disk)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("table %d differs:\n%s\nspilled:\n%s", i, a[i], b[i])
		}
	}
	var ca, cb bytes.Buffer
	if err := mem.Flows().WriteCSV(&ca); err != nil {
		t.Fatal(err)
	}
	if err := disk.Flows().WriteCSV(&cb); err != nil {
		t.Fatal(err)
	}
	if ca.String() != cb.String() {
		t.Error("flow CSV differs")
	}
	if !reflect.DeepEqual(mem.Flows().Slice(), disk.Flows().Slice()) || disk.Err() != nil {
		t.Errorf("flows differ (err %v)", disk.Err())
	}
	// Only failed DNS transactions are kept once spilled.
	if len(disk.DNS()) != 2 || len(mem.DNS()) != 26 {
		t.Errorf("DNS transactions: %d spilled, %d in memory", len(disk.DNS()), len(mem.DNS()))
	}
}
