package analysis

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/go-gota/gota/dataframe"
)

// AddressKind says whether an address is unicast, multicast, broadcast or
// unspecified. Broadcast is 255.255.255.255, and an address of a private
// IPv4 range ending in .255 (the usual /24 directed broadcast; the capture
// does not tell the prefix length).
func AddressKind(a netip.Addr) string {
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast():
		return "multicast"
	case a.Is4() && (a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || (a.IsPrivate() && a.As4()[3] == 255)):
		return "broadcast"
	}
	return "unicast"
}

// AddressScope says where an address is valid: public, private (RFC 1918,
// IPv6 unique local), link-local, loopback, shared (CGNAT, 100.64.0.0/10),
// documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 2001:db8::/32), or "-" for multicast, broadcast and unspecified addresses.
func AddressScope(a netip.Addr) string {
	if AddressKind(a) != "unicast" {
		return "-"
	}
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsPrivate():
		return "private"
	case a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64:
		return "shared (CGNAT)"
	case documentation(a):
		return "documentation"
	}
	return "public"
}

// HostCounts answers T3.1: how many IPv4 and IPv6 addresses took part, split
// by kind (unicast, multicast, broadcast, unspecified) and scope. Columns:
// family, kind, scope, hosts, packets, bytes. A packet counts once for each
// distinct address, so packets and bytes do not add up to the capture's.
func (c *Capture) HostCounts() dataframe.DataFrame {
	type key struct{ fam, kind, scope string }
	type acc struct{ hosts, packets, bytes uint64 }
	m := map[key]*acc{}
	for a, h := range c.m.Hosts {
		k := key{family(a), AddressKind(a), AddressScope(a)}
		x := m[k]
		if x == nil {
			x = &acc{}
			m[k] = x
		}
		x.hosts++
		x.packets += h.Packets
		x.bytes += h.Bytes
	}
	keys := make([]key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	order := map[string]int{"unicast": 0, "multicast": 1, "broadcast": 2, "unspecified": 3}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.fam != b.fam {
			return a.fam < b.fam
		}
		if a.kind != b.kind {
			return order[a.kind] < order[b.kind]
		}
		return a.scope < b.scope
	})
	t := newTable(strCol("family"), strCol("kind"), strCol("scope"), intCol("hosts"), intCol("packets"), intCol("bytes"))
	for _, k := range keys {
		x := m[k]
		t.row(k.fam, k.kind, k.scope, x.hosts, x.packets, x.bytes)
	}
	return t.frame()
}

var docPrefixes = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}

func documentation(a netip.Addr) bool {
	for _, p := range docPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// CapturingHosts guesses the addresses of the machine the capture was taken
// on: for each address family, the unicast address that took part in the
// most packets, if it took part in more than half of that family's packets.
func (c *Capture) CapturingHosts() []netip.Addr {
	var out []netip.Addr
	for _, v4 := range []bool{true, false} {
		var best netip.Addr
		var bestN, total uint64
		for a, h := range c.m.Hosts {
			if a.Is4() != v4 || AddressKind(a) != "unicast" {
				continue
			}
			if h.Packets > bestN || (h.Packets == bestN && a.Less(best)) {
				best, bestN = a, h.Packets
			}
		}
		total = c.familyPackets(v4)
		if best.IsValid() && 2*bestN > total {
			out = append(out, best)
		}
	}
	return out
}

// familyPackets counts the packets with an IPv4 (or IPv6) outer header: the
// sum over hosts of that family halves the packets between two addresses.
func (c *Capture) familyPackets(v4 bool) uint64 {
	var n uint64
	for a, h := range c.m.Hosts {
		if a.Is4() == v4 {
			n += h.Sent.Packets
		}
	}
	return n
}

// TopHostsByBytes answers T3.3: the n hosts (IP addresses) with the most
// bytes, ties broken by packets, then by address. Columns: rank, host,
// bytes, packets, bytes_per_packet, sent_bytes, received_bytes, kind, scope,
// role (“capturing host” for the machine the capture was taken on).
func (c *Capture) TopHostsByBytes(n int) dataframe.DataFrame {
	return c.hostFrame(c.topHosts(n, false))
}

// TopHostsByPackets answers T3.4: the n hosts with the most packets, ties
// broken by bytes, then by address; the same columns as TopHostsByBytes.
func (c *Capture) TopHostsByPackets(n int) dataframe.DataFrame {
	return c.hostFrame(c.topHosts(n, true))
}

func (c *Capture) hostFrame(rows []HostRow) dataframe.DataFrame {
	capt := map[netip.Addr]bool{}
	for _, a := range c.CapturingHosts() {
		capt[a] = true
	}
	t := newTable(intCol("rank"), strCol("host"), intCol("bytes"), intCol("packets"), floatCol("bytes_per_packet"),
		intCol("sent_bytes"), intCol("received_bytes"), strCol("kind"), strCol("scope"), strCol("role"))
	for i, r := range rows {
		a := netip.MustParseAddr(r.Host)
		h := c.m.Hosts[a]
		role := "-"
		if capt[a] {
			role = "capturing host"
		}
		t.row(i+1, r.Host, r.Bytes, r.Packets, float64(r.Bytes)/float64(r.Packets), h.Sent.Bytes, h.Received.Bytes,
			AddressKind(a), AddressScope(a), role)
	}
	return t.frame()
}

// HostListComparison compares the top-n hosts by bytes with the top-n by
// packets (T3.4).
type HostListComparison struct {
	N            int
	Both         []string // in both lists
	OnlyByBytes  []string // in the bytes list only
	OnlyByPacket []string // in the packets list only
	// Mean bytes per packet of the hosts only in one list.
	BytesPerPacketOnlyBytes, BytesPerPacketOnlyPackets float64
	SameOrder                                          bool
}

// CompareHostLists answers T3.4's "how and why do the lists differ".
func (c *Capture) CompareHostLists(n int) HostListComparison {
	byB, byP := c.topHosts(n, false), c.topHosts(n, true)
	r := HostListComparison{N: n, SameOrder: len(byB) == len(byP)}
	inP := map[string]bool{}
	for i, h := range byP {
		inP[h.Host] = true
		if i < len(byB) && byB[i].Host != h.Host {
			r.SameOrder = false
		}
	}
	inB := map[string]bool{}
	var sb, pb, sp, pp uint64
	for _, h := range byB {
		inB[h.Host] = true
		if inP[h.Host] {
			r.Both = append(r.Both, h.Host)
		} else {
			r.OnlyByBytes = append(r.OnlyByBytes, h.Host)
			sb += h.Bytes
			pb += h.Packets
		}
	}
	for _, h := range byP {
		if !inB[h.Host] {
			r.OnlyByPacket = append(r.OnlyByPacket, h.Host)
			sp += h.Bytes
			pp += h.Packets
		}
	}
	if pb > 0 {
		r.BytesPerPacketOnlyBytes = float64(sb) / float64(pb)
	}
	if pp > 0 {
		r.BytesPerPacketOnlyPackets = float64(sp) / float64(pp)
	}
	return r
}

// Sentence states the comparison in words, from the numbers.
func (r HostListComparison) Sentence() string {
	if len(r.OnlyByBytes) == 0 {
		if r.SameOrder {
			return fmt.Sprintf("The top-%d lists by bytes and by packets hold the same hosts in the same order.", r.N)
		}
		return fmt.Sprintf("The top-%d lists by bytes and by packets hold the same hosts, in a different order: hosts with larger packets rank higher by bytes.", r.N)
	}
	return fmt.Sprintf("%d of the %d hosts appear in both lists. Only by bytes: %s (%.0f bytes per packet on average): few but large packets, such as bulk downloads. Only by packets: %s (%.0f bytes per packet): many small packets, such as acknowledgements, DNS or keep-alives.",
		len(r.Both), r.N, strings.Join(r.OnlyByBytes, ", "), r.BytesPerPacketOnlyBytes,
		strings.Join(r.OnlyByPacket, ", "), r.BytesPerPacketOnlyPackets)
}
