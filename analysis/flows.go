package analysis

import (
	"fmt"
	"sort"
	"time"

	"github.com/go-gota/gota/dataframe"
)

// FlowSizeStats answers T2.1: the number of flows and the minimum, median,
// mean and maximum flow size, in bytes and in packets (both directions; the
// median of an even count is the mean of the two middle values). Columns:
// measure ("bytes" or "packets"), flows, min, median, mean, max.
func (c *Capture) FlowSizeStats() dataframe.DataFrame {
	s := c.Summary()
	t := newTable(strCol("measure"), intCol("flows"), floatCol("min"), floatCol("median"), floatCol("mean"), floatCol("max"))
	t.row("bytes", s.Flows, s.FlowBytes.Min, s.FlowBytes.Median, s.FlowBytes.Mean, s.FlowBytes.Max)
	t.row("packets", s.Flows, s.FlowPackets.Min, s.FlowPackets.Median, s.FlowPackets.Mean, s.FlowPackets.Max)
	return t.frame()
}

// FlowSizeSentence states T2.1's answer in words.
func (c *Capture) FlowSizeSentence() string {
	s := c.Summary()
	return fmt.Sprintf("The capture holds %d flows (%d TCP, %d UDP, %d ICMP, %d other). Flow sizes range from %.0f to %.0f bytes (median %.1f, mean %.1f bytes) and from %.0f to %.0f packets (median %.1f, mean %.1f packets).",
		s.Flows, s.TCPFlows, s.UDPFlows, s.ICMPFlows, s.OtherFlows, s.FlowBytes.Min, s.FlowBytes.Max, s.FlowBytes.Median,
		s.FlowBytes.Mean, s.FlowPackets.Min, s.FlowPackets.Max, s.FlowPackets.Median, s.FlowPackets.Mean)
}

// FlowSizeDistribution is the data behind T2.2's flow-size CDF and CCDF:
// one row per distinct flow size in bytes, with the number of flows of that
// size, the fraction of flows of at most that size (cdf) and of more than
// that size (ccdf). Columns: bytes, flows, cdf, ccdf.
func (c *Capture) FlowSizeDistribution() dataframe.DataFrame {
	sizes := make([]uint64, 0, c.FlowCount())
	c.eachFlow(func(f *Flow) { sizes = append(sizes, f.Bytes()) })
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	t := newTable(intCol("bytes"), intCol("flows"), floatCol("cdf"), floatCol("ccdf"))
	n := float64(len(sizes))
	for i := 0; i < len(sizes); {
		j := i
		for j < len(sizes) && sizes[j] == sizes[i] {
			j++
		}
		t.row(sizes[i], j-i, float64(j)/n, 1-float64(j)/n)
		i = j
	}
	return t.frame()
}

// FlowTable lists every flow. Columns: start (RFC 3339, UTC), duration_s,
// protocol, orig, orig_port, resp, resp_port, packets, bytes, orig_bytes,
// resp_bytes, state, history, application, server_name.
func (c *Capture) FlowTable() dataframe.DataFrame {
	t := newTable(strCol("start"), floatCol("duration_s"), strCol("protocol"), strCol("orig"), intCol("orig_port"),
		strCol("resp"), intCol("resp_port"), intCol("packets"), intCol("bytes"), intCol("orig_bytes"), intCol("resp_bytes"),
		strCol("state"), strCol("history"), strCol("application"), strCol("server_name"))
	fl := c.Flows() // in start order, read back if spilled
	for i := range fl {
		f := &fl[i]
		app, _ := Application(f)
		t.row(time.Unix(0, f.First).UTC().Format(time.RFC3339Nano), time.Duration(f.Duration()).Seconds(), ProtocolName(f.Proto),
			f.Orig.String(), f.OrigPort, f.Resp.String(), f.RespPort, f.Packets(), f.Bytes(), f.OrigBytes, f.RespBytes,
			f.State, f.History, app, f.ServerName)
	}
	return t.frame()
}
