package ingest

import (
	"net/netip"
	"sort"
)

// FromFlows builds a model from flow records alone (a flow file instead of
// a capture). Packet-level facts are derived from the flows: a host's and a
// port's packets and bytes are the sums over its flows (each flow counts
// once for each distinct address and port it has), and a flow's bytes are
// spread over the time bins it spans in proportion to the time spent in
// each. Nothing about individual packets (DNS answers, ICMP errors, exact
// rates) is known.
func FromFlows(flows []Flow, opt Options) *Model {
	if opt.BinWidth <= 0 {
		opt = DefaultOptions()
	}
	m := &Model{
		Hosts:      map[netip.Addr]*HostStats{},
		TCPPorts:   make([]PortStats, 65536),
		UDPPorts:   make([]PortStats, 65536),
		LinkTypes:  map[uint16]*Counter{},
		EtherTypes: map[uint16]*Counter{},
		BinWidth:   opt.BinWidth,
		Bins:       map[int64]*Counter{},
		Skipped:    map[string]uint64{},
		Options:    opt,
		Flows:      flows,
		NFlows:     len(flows),
	}
	for i := range flows {
		f := &flows[i]
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
		o := hostTable(m.Hosts).get(f.Orig)
		o.Flows++
		o.Packets += pk
		o.Bytes += by
		o.Sent.Packets += f.OrigPackets
		o.Sent.Bytes += f.OrigBytes
		o.Received.Packets += f.RespPackets
		o.Received.Bytes += f.RespBytes
		if f.Resp != f.Orig {
			r := hostTable(m.Hosts).get(f.Resp)
			r.Flows++
			r.Packets += pk
			r.Bytes += by
			r.Sent.Packets += f.RespPackets
			r.Sent.Bytes += f.RespBytes
			r.Received.Packets += f.OrigPackets
			r.Received.Bytes += f.OrigBytes
		}
		var ports []PortStats
		switch f.Proto {
		case ProtoTCP:
			ports = m.TCPPorts
		case ProtoUDP:
			ports = m.UDPPorts
		}
		if ports != nil {
			ports[f.OrigPort].Packets += pk
			ports[f.OrigPort].Bytes += by
			if f.RespPort != f.OrigPort {
				ports[f.RespPort].Packets += pk
				ports[f.RespPort].Bytes += by
			}
		}
		spread(m, f.First, f.Last, pk, by)
	}
	sort.SliceStable(m.Flows, func(i, j int) bool { return flowLess(&m.Flows[i], &m.Flows[j]) })
	return m
}

// spread adds a flow's packets and bytes to the bins its time span covers,
// in proportion to the time in each (all in one bin for a zero duration).
func spread(m *Model, first, last int64, pk, by uint64) {
	w := m.BinWidth
	b0, b1 := floorDiv(first, w), floorDiv(last, w)
	add := func(k int64, p, b uint64) {
		c := m.Bins[k]
		if c == nil {
			c = &Counter{}
			m.Bins[k] = c
		}
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
		lo, hi := max(first, k*w), min(last, (k+1)*w)
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
