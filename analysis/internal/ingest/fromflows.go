package ingest

import (
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// FromFlows builds a model from flow records alone (a flow file instead of
// a capture). Packet-level facts are derived from the flows: a host's and a
// port's packets and bytes are the sums over its flows (each flow counts
// once for each distinct address and port it has), and a flow's bytes are
// spread over the time bins it spans in proportion to the time spent in
// each. Nothing about individual packets (DNS answers, ICMP errors, exact
// rates) is known.
func FromFlows(flows []flow.Flow, binWidth time.Duration) *Model {
	if binWidth <= 0 {
		binWidth = time.Second
	}
	m := newModel(int64(binWidth))
	m.Flows, m.NFlows = flows, len(flows)
	for i := range flows {
		if i == 0 || flows[i].First < m.BinOrigin {
			m.BinOrigin = flows[i].First
		}
	}
	c := newCounters(m, int64(binWidth))
	for i := range flows {
		f := &flows[i]
		if f.Proto == flow.UDP && f.Opening == flow.MsgUnknown {
			f.Opening = decode.ByPort(f.OrigPort, f.RespPort) // no payload to read: the ports say what a capture's would
		}
		pk, by := f.Packets(), f.Bytes()
		m.Packets += pk
		m.Bytes += by
		if i == 0 || f.First < m.First {
			m.First = f.First
		}
		if i == 0 || f.Last > m.Last {
			m.Last = f.Last
		}
		m.IPProtocols[f.Proto].Packets += pk
		m.IPProtocols[f.Proto].Bytes += by
		addFlowHost(c.host(f.Orig), f, false)
		if f.Resp != f.Orig {
			addFlowHost(c.host(f.Resp), f, true)
		}
		addFlowPorts(m, f)
		spread(m, f.First, f.Last, pk, by)
	}
	sort.SliceStable(m.Flows, func(i, j int) bool { return flow.Less(&m.Flows[i], &m.Flows[j]) })
	return m
}

// addFlowHost adds a flow's counts to one of its hosts (resp: the responder).
func addFlowHost(h *HostStats, f *flow.Flow, resp bool) {
	h.Flows++
	h.Packets += f.Packets()
	h.Bytes += f.Bytes()
	sent, recv := Counter{f.OrigPackets, f.OrigBytes}, Counter{f.RespPackets, f.RespBytes}
	if resp {
		sent, recv = recv, sent
	}
	h.Sent.Packets += sent.Packets
	h.Sent.Bytes += sent.Bytes
	h.Received.Packets += recv.Packets
	h.Received.Bytes += recv.Bytes
}

// addFlowPorts adds a flow's counts to its ports (once each).
func addFlowPorts(m *Model, f *flow.Flow) {
	var ports []PortStats
	switch f.Proto {
	case flow.TCP:
		ports = m.TCPPorts
	case flow.UDP:
		ports = m.UDPPorts
	default:
		return
	}
	pk, by := f.Packets(), f.Bytes()
	ports[f.OrigPort].Packets += pk
	ports[f.OrigPort].Bytes += by
	if f.RespPort != f.OrigPort {
		ports[f.RespPort].Packets += pk
		ports[f.RespPort].Bytes += by
	}
}

// spread adds a flow's packets and bytes to the bins its time span covers,
// in proportion to the time in each (all in one bin for a zero duration).
func spread(m *Model, first, last int64, pk, by uint64) {
	w, o := m.BinWidth, m.BinOrigin
	b0, b1 := FloorDiv(first-o, w), FloorDiv(last-o, w)
	add := func(k int64, p, b uint64) {
		c := counterOf(m.Bins, k)
		c.Packets += p
		c.Bytes += b
	}
	if b0 == b1 || b1-b0 > 100000 {
		add(b0, pk, by)
		return
	}
	d := float64(last - first)
	var gp, gb uint64
	for k := b0; k <= b1; k++ {
		lo, hi := max(first, o+k*w), min(last, o+(k+1)*w)
		share := float64(hi-lo) / d
		p, b := uint64(float64(pk)*share), uint64(float64(by)*share)
		if k == b1 { // the remainder, so the sums are exact
			p, b = pk-gp, by-gb
		}
		gp += p
		gb += b
		add(k, p, b)
	}
}
