package ingest

import "net/netip"

// Counter is a packet and byte count.
type Counter struct {
	Packets, Bytes uint64
}

func (c *Counter) add(n int) {
	c.Packets++
	c.Bytes += uint64(n)
}

// HostStats counts the packets an IP address took part in. A packet counts
// once for each distinct address among its source and destination.
type HostStats struct {
	Counter
	Sent     Counter // as source
	Received Counter // as destination
	Flows    uint64  // flows it takes part in (counted when a flow starts)
}

// hostTable holds one HostStats per address.
type hostTable map[netip.Addr]*HostStats

func (h hostTable) get(a netip.Addr) *HostStats {
	s := h[a]
	if s == nil {
		s = &HostStats{}
		h[a] = s
	}
	return s
}

// countPacket adds one packet between src and dst (already looked up).
func countHosts(src, dst *HostStats, wire int) {
	src.add(wire)
	src.Sent.add(wire)
	if dst != src {
		dst.add(wire)
	}
	dst.Received.add(wire)
}

// PortStats counts packets and bytes for one port number. A packet counts
// once for each distinct port among its source and destination ports.
type PortStats struct {
	Counter
	AsSource, AsDest uint64 // packets with the port as source / destination
}

// bins is a sparse time series of per-bin packet and byte counts, keyed by
// floor(t / width).
type bins struct {
	width int64
	m     map[int64]*Counter
	cur   int64
	curC  *Counter
}

func (b *bins) add(ts int64, wire int) {
	i := floorDiv(ts, b.width)
	if b.curC == nil || i != b.cur {
		c := b.m[i]
		if c == nil {
			c = &Counter{}
			b.m[i] = c
		}
		b.cur, b.curC = i, c
	}
	b.curC.add(wire)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
