package ingest

import (
	"fmt"
	"math"
	"net/netip"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

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
	Sent       Counter // as source
	Received   Counter // as destination
	Flows      uint64  // flows it takes part in (counted when a flow starts)
	Originated uint64  // flows it started (as originator)
	// MAC is the hardware address of the first frame it sent, when the
	// link layer has one (zero otherwise). Packets from beyond a router
	// carry the router's address.
	MAC [6]byte
}

// PortStats counts packets and bytes for one port number. A packet counts
// once for each distinct port among its source and destination ports.
type PortStats struct {
	Counter
	AsSource, AsDest uint64 // packets with the port as source / destination
}

// Skip is a reason a packet could not be fully decoded.
type Skip struct {
	Problem decode.Problem
	Detail  uint16 // the link type or EtherType the reason names
}

// counters is the stage that counts every packet: totals, time range,
// link types, non-IP EtherTypes, IP protocols, ports, time bins, decode
// problems, and the per-host counters the flow table updates.
type counters struct {
	m     *Model
	bins  bins
	ltCur layers.LinkType
	ltC   *Counter
	any   bool // a timestamp was seen
	now   int64
	nonIP map[decode.NonIP]*Counter
	// overflow takes the counts of addresses past MaxHosts (its packets
	// are Dropped.HostPackets).
	overflow HostStats
}

func newCounters(m *Model, binWidth int64) *counters {
	return &counters{m: m, bins: bins{width: binWidth, m: map[int64]*Counter{}, dropped: &m.Dropped.BinPackets},
		nonIP: map[decode.NonIP]*Counter{}}
}

// observe counts a packet; it reports whether the packet has an IP header
// (and so goes on to the flow table).
func (c *counters) observe(rec *capfile.Record, p *decode.Packet) bool {
	m := c.m
	ts, wire := rec.Time, rec.WireLen
	m.Packets++
	m.Bytes += uint64(wire)
	if !c.any || ts < m.First {
		m.First = ts
	}
	if !c.any || ts > m.Last {
		m.Last = ts
	}
	if !c.any {
		m.BinOrigin, c.bins.origin = ts, ts // bins start at the first packet, as tshark's io,stat
	}
	c.any = true
	c.now = max(c.now, ts)
	c.bins.add(ts, wire)
	if c.ltC == nil || rec.LinkType != c.ltCur {
		c.ltCur, c.ltC = rec.LinkType, counterOf(m.LinkTypes, uint16(rec.LinkType))
	}
	c.ltC.add(wire)
	if p.Problem != decode.OK {
		c.skip(p)
	}
	c.vlan(p)
	switch p.Net {
	case decode.NetIPv4, decode.NetIPv6:
		m.IPProtocols[p.Proto].add(wire) // the source's MAC is taken where its host is counted
		return true
	case decode.NetARP, decode.NetOther:
		n := c.nonIP[p.NonIP]
		if n == nil {
			if len(c.nonIP) >= limits.nonIP {
				m.Dropped.NonIP++
				return false
			}
			n = &Counter{}
			c.nonIP[p.NonIP] = n
		}
		n.add(wire)
	}
	return false
}

// vlan counts 802.1Q tags: frames with one, frames with two or more, and
// frames per outer VLAN ID.
func (c *counters) vlan(p *decode.Packet) {
	switch {
	case p.VLANTags == 0:
		return
	case p.VLANTags == 1:
		c.m.VLAN.Single++
	default:
		c.m.VLAN.Double++
	}
	if c.m.VLAN.IDs == nil {
		c.m.VLAN.IDs = map[uint16]uint64{}
	}
	c.m.VLAN.IDs[p.VLANID]++
}

// VLANCounts counts the frames with 802.1Q tags.
type VLANCounts struct {
	Single, Double uint64            // frames with one tag, with two or more (QinQ)
	IDs            map[uint16]uint64 // frames by outer VLAN ID
}

func (c *counters) skip(p *decode.Packet) {
	k := Skip{Problem: p.Problem}
	switch p.Problem {
	case decode.UnsupportedLink:
		k.Detail = uint16(p.LinkType)
	case decode.BadFrame:
		k.Detail = uint16(p.EtherType)
	}
	c.m.skips[k]++
}

func counterOf[K comparable](m map[K]*Counter, k K) *Counter {
	c := m[k]
	if c == nil {
		c = &Counter{}
		m[k] = c
	}
	return c
}

// ports counts a packet's TCP or UDP ports.
func (c *counters) ports(p *decode.Packet, wire int) {
	var ports []PortStats
	switch p.Proto {
	case flow.TCP:
		ports = c.m.TCPPorts
	case flow.UDP:
		ports = c.m.UDPPorts
	default:
		return
	}
	ports[p.SrcPort].add(wire)
	ports[p.SrcPort].AsSource++
	if p.DstPort != p.SrcPort {
		ports[p.DstPort].add(wire)
	}
	ports[p.DstPort].AsDest++
}

// host returns the counters of an address, created when first seen; past
// MaxHosts addresses, a new one gets the overflow counters, which are in
// no host's.
func (c *counters) host(a netip.Addr) *HostStats {
	s := c.m.Hosts[a]
	if s == nil {
		if len(c.m.Hosts) >= limits.hosts {
			return &c.overflow
		}
		s = &HostStats{}
		c.m.Hosts[a] = s
	}
	return s
}

// countHosts adds one packet between src and dst (already looked up).
func countHosts(src, dst *HostStats, wire int) {
	src.add(wire)
	src.Sent.add(wire)
	if dst != src {
		dst.add(wire)
	}
	dst.Received.add(wire)
}

// bins is a sparse time series of per-bin packet and byte counts, keyed by
// floor((t − origin) / width), origin being the first packet's time.
type bins struct {
	width, origin int64
	m             map[int64]*Counter
	curC          *Counter // the last packet's bin, which starts curLo after origin
	curLo         int64
	dropped       *uint64 // packets in no bin: past MaxBins
}

func (b *bins) add(ts int64, wire int) {
	rel := ts - b.origin
	c := b.curC
	// most packets fall in the bin of the packet before: no division
	// (0.005 s of the model goroutine's 0.17 s on 1.3 M packets)
	if c == nil || rel < b.curLo || uint64(rel-b.curLo) >= uint64(b.width) {
		i := FloorDiv(rel, b.width)
		if c = b.get(i); c == nil {
			*b.dropped++
			return
		}
		b.curC, b.curLo = c, i*b.width
		if rel < math.MinInt64+b.width {
			b.curC = nil // i·width does not fit: the next packet is looked up again
		}
	}
	c.add(wire)
}

// get returns bin i, created when first needed; nil past MaxBins.
func (b *bins) get(i int64) *Counter {
	c := b.m[i]
	if c == nil {
		if len(b.m) >= limits.bins {
			return nil
		}
		c = &Counter{}
		b.m[i] = c
	}
	return c
}

// FloorDiv is a / b rounded towards minus infinity.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// LinkTypeName is a short name for a link-layer header type.
func LinkTypeName(lt uint16) string {
	switch layers.LinkType(lt) {
	case layers.LinkTypeEthernet:
		return "Ethernet"
	case layers.LinkTypeLinuxSLL:
		return "Linux cooked (SLL)"
	case layers.LinkTypeLinuxSLL2:
		return "Linux cooked v2 (SLL2)"
	case layers.LinkTypeNull:
		return "BSD loopback (NULL)"
	case layers.LinkTypeLoop:
		return "OpenBSD loopback (LOOP)"
	case layers.LinkTypeRaw, 12, 14:
		return "raw IP"
	case layers.LinkTypeIPv4:
		return "raw IPv4"
	case layers.LinkTypeIPv6:
		return "raw IPv6"
	case layers.LinkTypeIEEE80211Radio:
		return "802.11 + radiotap"
	case layers.LinkTypeIEEE802_11:
		return "802.11"
	}
	return fmt.Sprintf("link type %d", lt)
}
