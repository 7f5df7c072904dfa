package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/units"
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
// 2001:db8::/32), NAT64 (64:ff9b::/96, an IPv4 address inside an IPv6
// one, RFC 6052: an IPv6-only client reaching an IPv4 server through its
// network's translator), or "-" for multicast, broadcast and unspecified
// addresses.
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
	case nat64.Contains(a):
		return "NAT64"
	}
	return "public"
}

// nat64 is the well-known NAT64 prefix (RFC 6052): its last 32 bits are
// the IPv4 server's address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// nat64IPv4 is the IPv4 address inside a NAT64 address.
func nat64IPv4(a netip.Addr) netip.Addr {
	b := a.As16()
	return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
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

// Hosts is the capture's hosts: IP addresses of the outermost IP header
// (T3.1–T3.4).
type Hosts struct{ c *Capture }

// Hosts returns the capture's hosts.
func (c *Capture) Hosts() Hosts { return Hosts{c} }

// HostStats are the counters of one IP address: the packets and bytes it
// took part in (a packet counts once for each distinct address among its
// source and destination), as source and as destination, and the flows it
// takes part in.
type HostStats struct {
	Packets, Bytes uint64
	Sent, Received Counter
	Flows          uint64
}

func hostStats(h *ingest.HostStats) HostStats {
	return HostStats{Packets: h.Packets, Bytes: h.Bytes, Sent: Counter(h.Sent), Received: Counter(h.Received), Flows: h.Flows}
}

// Get returns the counters of one address (false if it was not seen).
func (h Hosts) Get(a netip.Addr) (HostStats, bool) {
	s := h.c.m.Hosts[a]
	if s == nil {
		return HostStats{}, false
	}
	return hostStats(s), true
}

// Addrs returns every address seen in an IP header, in order.
func (h Hosts) Addrs() []netip.Addr {
	out := make([]netip.Addr, 0, len(h.c.m.Hosts))
	for a := range h.c.m.Hosts {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// Count returns the numbers of distinct IPv4 and IPv6 addresses seen.
func (h Hosts) Count() (v4, v6 int) {
	for a := range h.c.m.Hosts {
		if a.Is4() {
			v4++
		} else {
			v6++
		}
	}
	return v4, v6
}

// HostKindRow counts the hosts of one family, kind and scope (T3.1).
// Packets and bytes count once per address, so they do not add up to the
// capture's.
type HostKindRow struct {
	Family  string `table:"family"`
	Kind    string `table:"kind"`
	Scope   string `table:"scope"`
	Hosts   uint64 `table:"hosts"`
	Packets uint64 `table:"packets"`
	Bytes   uint64 `table:"bytes"`
}

// HostKinds are T3.1's rows.
type HostKinds []HostKindRow

// Kinds answers T3.1: how many IPv4 and IPv6 addresses took part, split by
// kind (unicast, multicast, broadcast, unspecified) and scope.
func (h Hosts) Kinds() HostKinds {
	type key struct{ fam, kind, scope string }
	m := map[key]*HostKindRow{}
	for a, s := range h.c.m.Hosts {
		k := key{family(a), AddressKind(a), AddressScope(a)}
		x := m[k]
		if x == nil {
			x = &HostKindRow{Family: k.fam, Kind: k.kind, Scope: k.scope}
			m[k] = x
		}
		x.Hosts++
		x.Packets += s.Packets
		x.Bytes += s.Bytes
	}
	order := map[string]int{"unicast": 0, "multicast": 1, "broadcast": 2, "unspecified": 3}
	out := make(HostKinds, 0, len(m))
	for _, x := range m {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		if a.Kind != b.Kind {
			return order[a.Kind] < order[b.Kind]
		}
		return a.Scope < b.Scope
	})
	return out
}

// Sentence states T3.1's counts.
func (k HostKinds) Sentence() string {
	var v4, v6 uint64
	var parts []string
	for _, r := range k {
		if r.Family == "IPv4" {
			v4 += r.Hosts
		} else {
			v6 += r.Hosts
		}
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d %s %s %s", r.Hosts, r.Family, r.Kind, strings.Trim(r.Scope, "-"))))
	}
	out := fmt.Sprintf("%d IPv4 and %d IPv6 addresses took part: %s.", v4, v6, strings.Join(parts, "; "))
	for _, r := range k {
		if r.Scope == "NAT64" {
			out += " NAT64 addresses (64:ff9b::/96) are IPv4 servers reached through the network's IPv6-to-IPv4 translator: each holds the server's IPv4 address in its last 32 bits, which places it in a country."
			break
		}
	}
	return out
}

// Machine is the machine a capture was taken on, as far as the capture
// shows it.
type Machine struct {
	// Addrs are its addresses, the IPv4 one first; none when no single
	// host takes part in most packets (a mirror port, a router's capture).
	Addrs []netip.Addr
	// MAC is the hardware address it sends from (zero when the link layer
	// has none).
	MAC [6]byte
	// Share is the fraction of the primary family's packets its address
	// takes part in.
	Share float64
	// Note says what was not joined or why no host was named, "" if all
	// is plain.
	Note string
}

// Machine infers the capturing machine. For each address family, the
// candidate is the unicast address in the most packets (ties: the one that
// originated more flows, then the lower address); it is accepted when it
// takes part in more than half of its family's packets. The family with
// more packets names the machine; the other family's candidate joins it
// only when both send from the same hardware address (so a router's
// link-local IPv6 address, seen only in its advertisements, is never taken
// for the laptop).
func (h Hosts) Machine() Machine {
	type cand struct {
		a     netip.Addr
		s     *ingest.HostStats
		share float64
		total uint64
	}
	var c [2]cand // IPv4, IPv6
	for i, v4 := range []bool{true, false} {
		c[i].total = h.familyPackets(v4)
		c[i].a, c[i].s = h.bestOf(v4)
		if c[i].s != nil && c[i].total > 0 {
			c[i].share = float64(c[i].s.Packets) / float64(c[i].total)
		}
	}
	p, o := 0, 1
	if c[1].total > c[0].total {
		p, o = 1, 0
	}
	if c[p].s == nil || 2*c[p].s.Packets <= c[p].total {
		return Machine{Note: fmt.Sprintf("no address takes part in more than half of the %s packets (a capture of other hosts' traffic, such as a mirror port or a router?)", family(c[p].a))}
	}
	m := Machine{Addrs: []netip.Addr{c[p].a}, MAC: c[p].s.MAC, Share: c[p].share}
	if other := c[o]; other.s != nil && 2*other.s.Packets > other.total {
		switch {
		case m.MAC != [6]byte{} && other.s.MAC == m.MAC:
			m.Addrs = append(m.Addrs, other.a)
		case m.MAC == [6]byte{}:
			m.Note = fmt.Sprintf("%s is also in most %s packets, but without link-layer addresses the capture cannot show it is the same machine", other.a, family(other.a))
		default:
			m.Note = fmt.Sprintf("%s, in most %s packets, sends from another hardware address: another machine", other.a, family(other.a))
		}
	}
	slices.SortFunc(m.Addrs, func(a, b netip.Addr) int { return a.BitLen() - b.BitLen() })
	return m
}

// bestOf is a family's unicast address in the most packets (ties: more
// flows originated, then the lower address).
func (h Hosts) bestOf(v4 bool) (netip.Addr, *ingest.HostStats) {
	var best netip.Addr
	var bs *ingest.HostStats
	for a, s := range h.c.m.Hosts {
		if a.Is4() != v4 || AddressKind(a) != "unicast" {
			continue
		}
		switch {
		case bs == nil, s.Packets > bs.Packets,
			s.Packets == bs.Packets && s.Originated > bs.Originated,
			s.Packets == bs.Packets && s.Originated == bs.Originated && a.Less(best):
			best, bs = a, s
		}
	}
	return best, bs
}

// Capturing is the capturing machine's addresses (see Machine).
func (h Hosts) Capturing() []netip.Addr { return h.Machine().Addrs }

// familyPackets counts the packets with an IPv4 (or IPv6) outer header: the
// sum over hosts of that family halves the packets between two addresses.
func (h Hosts) familyPackets(v4 bool) uint64 {
	var n uint64
	for a, s := range h.c.m.Hosts {
		if a.Is4() == v4 {
			n += s.Sent.Packets
		}
	}
	return n
}

// HostRow is one host of T3.3 and T3.4.
type HostRow struct {
	Rank           int        `table:"rank,id"`
	Host           netip.Addr `table:"host"`
	Bytes          uint64     `table:"bytes"`
	Packets        uint64     `table:"packets"`
	BytesPerPacket float64    `table:"bytes_per_packet,1"`
	SentBytes      uint64     `table:"sent_bytes"`
	ReceivedBytes  uint64     `table:"received_bytes"`
	Kind           string     `table:"kind"`
	Scope          string     `table:"scope"`
	Role           string     `table:"role"` // "capturing host" for the machine the capture was taken on, else "-"
}

// TopHosts is a ranking of hosts by bytes or by packets.
type TopHosts struct {
	By      string // "bytes" or "packets"
	Rows    []HostRow
	Machine Machine // the capturing machine (see Hosts.Machine)
}

// TopByBytes answers T3.3: the n hosts (IP addresses) with the most bytes,
// ties broken by packets, then by address.
func (h Hosts) TopByBytes(n int) TopHosts { return h.top(n, false) }

// TopByPackets answers T3.4: the n hosts with the most packets, ties broken
// by bytes, then by address.
func (h Hosts) TopByPackets(n int) TopHosts { return h.top(n, true) }

func (h Hosts) top(n int, byPackets bool) TopHosts {
	capt := map[netip.Addr]bool{}
	m := h.Machine()
	for _, a := range m.Addrs {
		capt[a] = true
	}
	t := TopHosts{By: "bytes", Machine: m}
	if byPackets {
		t.By = "packets"
	}
	for i, a := range h.ranked(n, byPackets) {
		s := h.c.m.Hosts[a]
		role := "-"
		if capt[a] {
			role = "capturing host"
		}
		t.Rows = append(t.Rows, HostRow{Rank: i + 1, Host: a, Bytes: s.Bytes, Packets: s.Packets, BytesPerPacket: float64(s.Bytes) / float64(s.Packets),
			SentBytes: s.Sent.Bytes, ReceivedBytes: s.Received.Bytes, Kind: AddressKind(a), Scope: AddressScope(a), Role: role})
	}
	return t
}

// ranked orders hosts by bytes (ties: packets, then address) or by packets
// (ties: bytes, then address).
func (h Hosts) ranked(n int, byPackets bool) []netip.Addr {
	type hs struct {
		a netip.Addr
		s *ingest.HostStats
	}
	all := make([]hs, 0, len(h.c.m.Hosts))
	for a, s := range h.c.m.Hosts {
		all = append(all, hs{a, s})
	}
	sort.Slice(all, func(i, j int) bool {
		x, y := all[i].s, all[j].s
		k1x, k1y, k2x, k2y := x.Bytes, y.Bytes, x.Packets, y.Packets
		if byPackets {
			k1x, k1y, k2x, k2y = k2x, k2y, k1x, k1y
		}
		if k1x != k1y {
			return k1x > k1y
		}
		if k2x != k2y {
			return k2x > k2y
		}
		return all[i].a.Less(all[j].a)
	})
	out := make([]netip.Addr, 0, min(n, len(all)))
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].a)
	}
	return out
}

// Sentence names the capturing machine with its place and share of the
// packets (or says that no single host is), and the leading other hosts.
func (t TopHosts) Sentence() string {
	if len(t.Rows) == 0 {
		return "No IP host was seen."
	}
	var out []string
	var remote []string
	for _, r := range t.Rows {
		if r.Role == "capturing host" {
			place := "leads the list"
			if r.Rank > 1 {
				place = fmt.Sprintf("ranks %d", r.Rank)
			}
			out = append(out, fmt.Sprintf("The capturing machine's address %s %s with %s and %s.", r.Host, place,
				units.Bytes(r.Bytes), units.Plural(r.Packets, "packet")))
		} else if len(remote) < 3 && !r.Host.IsLoopback() { // a loopback address is the machine talking to itself
			remote = append(remote, fmt.Sprintf("%s (%s)", r.Host, t.amount(r)))
		}
	}
	if len(t.Machine.Addrs) == 0 {
		out = append(out, "No single capturing machine can be named: "+t.Machine.Note+".")
	}
	if len(remote) > 0 {
		if len(remote) == 1 {
			out = append(out, fmt.Sprintf("The leading other host by %s is %s.", t.By, remote[0]))
		} else {
			out = append(out, fmt.Sprintf("The leading other hosts by %s are %s.", t.By, strings.Join(remote, ", ")))
		}
	}
	return strings.Join(out, " ")
}

func (t TopHosts) amount(r HostRow) string {
	if t.By == "packets" {
		return units.Plural(r.Packets, "packet")
	}
	return units.Bytes(r.Bytes)
}

// HostListComparison compares the top-n hosts by bytes with the top-n by
// packets (T3.4).
type HostListComparison struct {
	N            int
	Both         []netip.Addr // in both lists
	OnlyByBytes  []netip.Addr // in the bytes list only
	OnlyByPacket []netip.Addr // in the packets list only
	// Mean bytes per packet of the hosts only in one list.
	BytesPerPacketOnlyBytes, BytesPerPacketOnlyPackets float64
	SameOrder                                          bool
	// Hosts is the number of hosts in the capture: with N or fewer, both
	// lists hold all of them.
	Hosts int
}

// Compare answers T3.4's "how and why do the lists differ".
func (h Hosts) Compare(n int) HostListComparison {
	byB, byP := h.ranked(n, false), h.ranked(n, true)
	r := HostListComparison{N: n, SameOrder: len(byB) == len(byP), Hosts: len(h.c.m.Hosts)}
	inP := map[netip.Addr]bool{}
	for i, a := range byP {
		inP[a] = true
		if i < len(byB) && byB[i] != a {
			r.SameOrder = false
		}
	}
	inB := map[netip.Addr]bool{}
	var sb, pb, sp, pp uint64
	for _, a := range byB {
		inB[a] = true
		if inP[a] {
			r.Both = append(r.Both, a)
		} else {
			r.OnlyByBytes = append(r.OnlyByBytes, a)
			sb += h.c.m.Hosts[a].Bytes
			pb += h.c.m.Hosts[a].Packets
		}
	}
	for _, a := range byP {
		if !inB[a] {
			r.OnlyByPacket = append(r.OnlyByPacket, a)
			sp += h.c.m.Hosts[a].Bytes
			pp += h.c.m.Hosts[a].Packets
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

// Sentence states the comparison in words, from the numbers: which hosts
// are in one list only and their mean bytes per packet; "larger packets"
// is said only when the bytes-only hosts' packets, pooled, are at least
// twice the size of the packets-only hosts' pooled (one host of each may
// differ less: the claim is about the groups' means, and says so).
func (r HostListComparison) Sentence() string {
	if len(r.OnlyByBytes) == 0 && r.Hosts <= r.N {
		order := "in the same order"
		if !r.SameOrder {
			order = "in a different order"
		}
		return fmt.Sprintf("Only %s took part, so both top-%d lists hold all of them, %s.", units.Plural(r.Hosts, "host"), r.N, order)
	}
	if len(r.OnlyByBytes) == 0 {
		if r.SameOrder {
			return fmt.Sprintf("The top-%d lists by bytes and by packets hold the same hosts in the same order.", r.N)
		}
		return fmt.Sprintf("The top-%d lists by bytes and by packets hold the same hosts, in a different order.", r.N)
	}
	out := fmt.Sprintf("%d of the %d hosts appear in both lists. Only by bytes: %s (%s B per packet on average). Only by packets: %s (%s B per packet).",
		len(r.Both), r.N, joinAddrs(r.OnlyByBytes), units.Fixed(r.BytesPerPacketOnlyBytes, 0), joinAddrs(r.OnlyByPacket),
		units.Fixed(r.BytesPerPacketOnlyPackets, 0))
	switch ratio := r.BytesPerPacketOnlyBytes / r.BytesPerPacketOnlyPackets; {
	case ratio >= 2:
		out += " The lists differ because bytes reward large packets: taken together, the hosts only in the bytes list send or receive packets at least twice as large on average."
	case ratio > 1:
		out += fmt.Sprintf(" The lists differ because bytes reward larger packets and packets reward many small ones: taken together, the hosts only in the bytes list have packets %.1f times as large on average, which is enough to trade places near the bottom of a list.", ratio)
	default:
		out += " The hosts only in the packets list have packets at least as large on average: they differ by how much they exchanged, not by packet size."
	}
	return out
}

func joinAddrs(l []netip.Addr) string {
	s := make([]string, len(l))
	for i, a := range l {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}
