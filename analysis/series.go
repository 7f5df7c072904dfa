package analysis

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// Filter selects packets for a time series (Traffic.Series): those of one
// host, one port, one conversation or one flow's 5-tuple. It reads the
// headers the model counts: the outermost IP header (a tunnelled or
// ICMP-quoted header is not a host) and the first transport header after
// it (a header quoted inside an ICMP error has no ports, nor has a
// non-first IP fragment). Zero fields match anything. The ends (Host,
// Port) and (Peer, PeerPort) are the packet's source and destination in
// either order: Host with Port selects the packets to or from Host's port
// Port, not every packet of Host and every packet of Port.
type Filter struct {
	// Proto is the protocol of the first transport header (TCP, UDP,
	// ICMP, ICMPv6 …); 0 with a port means TCP or UDP.
	Proto          flow.Proto
	Host, Peer     netip.Addr
	Port, PeerPort uint16
}

// HostFilter selects the packets to or from an address.
func HostFilter(a netip.Addr) Filter { return Filter{Host: a} }

// PortFilter selects the packets to or from a port: TCP, UDP, or both when
// proto is 0.
func PortFilter(proto flow.Proto, port uint16) Filter { return Filter{Proto: proto, Port: port} }

// FlowFilter selects the packets of a flow's 5-tuple: for TCP and UDP both
// addresses and ports, for other protocols (whose "ports" are ICMP
// identifiers or types) the protocol and both addresses. A 5-tuple reused
// by a later flow (a new SYN, a flow after an idle timeout) selects that
// flow's packets too.
func FlowFilter(f *flow.Flow) Filter {
	x := Filter{Proto: f.Proto, Host: f.Orig, Peer: f.Resp}
	if f.Proto == flow.TCP || f.Proto == flow.UDP {
		x.Port, x.PeerPort = f.OrigPort, f.RespPort
	}
	return x
}

// String describes the filter: "host 192.0.2.1", "TCP port 443",
// "TCP 192.0.2.1:51000 ↔ 198.51.100.7:443", "all packets".
func (f Filter) String() string {
	end := func(a netip.Addr, port uint16) string {
		switch {
		case a.IsValid() && port != 0:
			return netip.AddrPortFrom(a, port).String()
		case a.IsValid():
			return a.String()
		case port != 0:
			return fmt.Sprintf("port %d", port)
		}
		return "any"
	}
	proto := ""
	switch {
	case f.Proto != 0:
		proto = f.Proto.String() + " "
	case f.Port != 0 || f.PeerPort != 0:
		proto = "TCP/UDP "
	}
	one := end(f.Host, f.Port)
	switch {
	case f.Peer.IsValid() || f.PeerPort != 0:
		return proto + one + " ↔ " + end(f.Peer, f.PeerPort)
	case f.Host.IsValid():
		return proto + "host " + one
	case f.Port != 0:
		return proto + one
	case f.Proto != 0:
		return f.Proto.String()
	}
	return "all packets"
}

func (f Filter) engine() *ingest.PacketFilter {
	return &ingest.PacketFilter{Proto: f.Proto, Host: f.Host, Peer: f.Peer, Port: f.Port, PeerPort: f.PeerPort}
}

// Series is the packet-level time series of the packets the filter
// selects: packets, bytes, bit rate and packet rate in bins of the given
// width (0: one second), from the capture's first packet to its last, empty
// bins included. The bins start at the first packet, as tshark's
// `-z io,stat,WIDTH,FILTER` does, and the counts are those of io,stat with
// Filter.Tshark (tested on the bundled sample and the shared captures).
//
// The model keeps no per-packet data, so Series reads the capture files
// again with the same reader and decoder, on one goroutine: it takes less
// than opening the capture without the cache, which also builds the flows
// (the 1.1 GB benchmark capture, 1.5 M packets, in one run on a busy
// 2-core machine: 1.4–1.6 s against 2.2–2.6 s for the open). It fails on
// standard input, on a flow file (which has no packets) and when a file
// changed since it was opened. Rates are over the whole bin width, as
// tshark's io,stat counts; the last bin's Length says how much of it the
// capture covers. To draw several series, SeriesPlot reads
// the files once for all of them.
func (t Traffic) Series(f Filter, bin time.Duration) ([]RateBin, error) {
	all, err := t.series(bin, []Filter{f})
	if err != nil {
		return nil, err
	}
	return all[0], nil
}

// series reads the capture once and returns one series per filter.
func (t Traffic) series(bin time.Duration, filters []Filter) ([][]RateBin, error) {
	c := t.c
	if bin < 0 {
		return nil, fmt.Errorf("bin width %v is negative", bin)
	}
	if bin == 0 {
		bin = time.Second
	}
	if c.source != nil {
		return nil, errors.New("a flow file has no packets: a time series needs the capture")
	}
	w := int64(bin)
	n := (c.m.Last-c.m.First)/w + 1
	if n > maxBins {
		return nil, fmt.Errorf("%v bins over %v are more than %d: choose wider bins", bin, c.Duration(), maxBins)
	}
	engines := make([]*ingest.PacketFilter, len(filters))
	for i, f := range filters {
		engines[i] = f.engine()
	}
	counts, err := ingest.Series(c.m.Files, c.m.First, w, int(n), engines)
	if err != nil {
		return nil, err
	}
	sec := bin.Seconds()
	out := make([][]RateBin, len(filters))
	for i, cs := range counts {
		out[i] = make([]RateBin, len(cs))
		for j, x := range cs {
			off := time.Duration(int64(j) * w)
			length := min(bin, c.Duration()-off) // the last bin ends at the last packet
			out[i][j] = RateBin{Start: c.Start().Add(off), Offset: off, Length: length, Packets: x.Packets, Bytes: x.Bytes,
				BitsPerS: float64(x.Bytes) * 8 / sec, PacketsPerS: float64(x.Packets) / sec}
		}
	}
	return out, nil
}

// SeriesPlot draws the bit rate (or, with packets, the packet rate) over
// time of each filter's packets, one line each, from one reading of the
// capture (see Series).
func (t Traffic) SeriesPlot(bin time.Duration, packets bool, filters ...Filter) (*plot.Plot, error) {
	all, err := t.series(bin, filters)
	if err != nil {
		return nil, err
	}
	if bin == 0 {
		bin = time.Second
	}
	title, unit := "Bit rate over time", "bit rate (bit/s)"
	if packets {
		title, unit = "Packet rate over time", "packet rate (packets/s)"
	}
	p := t.c.newPlot(title, "", unit)
	t.c.timeAxis(p, bin)
	p.Y.Tick.Marker = siTicks{unit: "bit/s"}
	if packets {
		p.Y.Tick.Marker = decimalTicks{}
	}
	legend := &legendBox{}
	top := 0.0
	for i, bins := range all {
		xys := make(plotter.XYs, len(bins))
		for j, b := range bins {
			xys[j] = plotter.XY{X: b.Offset.Seconds(), Y: b.BitsPerS}
			if packets {
				xys[j].Y = b.PacketsPerS
			}
			top = max(top, xys[j].Y)
		}
		l := line(xys, seriesColors[i%len(seriesColors)], true)
		p.Add(l)
		legend.entries = append(legend.entries, legendEntry{filters[i].String(), l})
	}
	p.Add(legend)
	// room for the legend's box above the highest value: its entries take
	// about 10 % of the data area each, with their padding
	p.Y.Min, p.Y.Max = 0, math.Max(top, 1e-9)*(1.2+0.12*float64(len(filters)))
	return p, nil
}

var seriesColors = []color.RGBA{blue, orange, {R: 44, G: 160, B: 44, A: 255}, {R: 214, G: 39, B: 40, A: 255}, {R: 148, G: 103, B: 189, A: 255}}

// Tshark is the filter as a Wireshark display filter that selects the same
// packets, for `tshark -q -z io,stat,1,FILTER` and for Wireshark: the
// layer operator (ip.src#1) names the first IP header, and a pattern on
// frame.protocols makes sure it is the outermost one and that the
// transport header is the first one after it.
func (f Filter) Tshark() string {
	if f.Proto == 0 && (f.Port != 0 || f.PeerPort != 0) {
		tcp, udp := f, f
		tcp.Proto, udp.Proto = flow.TCP, flow.UDP
		return "(" + tcp.Tshark() + ") || (" + udp.Tshark() + ")"
	}
	var and []string
	if f.Proto != 0 {
		and = append(and, transportTshark(f.Proto))
	}
	for _, a := range []netip.Addr{f.Host, f.Peer} {
		if a.IsValid() {
			and = append(and, outerTshark(a))
		}
	}
	if f.Host.IsValid() || f.Peer.IsValid() || f.Port != 0 || f.PeerPort != 0 {
		and = append(and, "(("+f.endsTshark("src", "dst")+") || ("+f.endsTshark("dst", "src")+"))")
	}
	if len(and) == 0 {
		return "frame"
	}
	return strings.Join(and, " && ")
}

// endsTshark is the condition that (Host, Port) is the packet's `one` side
// (src or dst) and (Peer, PeerPort) its `other`.
func (f Filter) endsTshark(one, other string) string {
	var and []string
	add := func(a netip.Addr, port uint16, side string) {
		if a.IsValid() {
			and = append(and, fmt.Sprintf("%s.%s#1 == %s", ipName(a), side, a))
		}
		if port != 0 {
			and = append(and, fmt.Sprintf("%s.%sport#1 == %d", strings.ToLower(f.Proto.String()), side, port))
		}
	}
	add(f.Host, f.Port, one)
	add(f.Peer, f.PeerPort, other)
	return strings.Join(and, " && ")
}

func ipName(a netip.Addr) string {
	if a.Is4() {
		return "ip"
	}
	return "ipv6"
}

// outerTshark: the packet's outermost IP header has a's version (its first
// ip or ipv6 layer in frame.protocols).
func outerTshark(a netip.Addr) string {
	other := "ipv6"
	if !a.Is4() {
		other = "ip"
	}
	return fmt.Sprintf(`frame.protocols matches "^(?:(?!%s:)[^:]+:)*?%s(?::|$)"`, other, ipName(a))
}

// transportTshark: the first header after the outermost IP header that is
// a transport or IP header is p's (IPv6 extension headers and fragment
// headers may come between).
func transportTshark(p flow.Proto) string {
	name := map[flow.Proto]string{flow.TCP: "tcp", flow.UDP: "udp", flow.ICMP: "icmp", flow.ICMPv6: "icmpv6"}[p]
	if name == "" {
		return fmt.Sprintf("(ip.proto#1 == %d || ipv6.nxt#1 == %d)", p, p)
	}
	return `frame.protocols matches "^(?:(?!(?:ip|ipv6):)[^:]+:)*?(?:ip|ipv6):(?:(?!(?:ip|ipv6|icmp|icmpv6|tcp|udp):)[^:]+:)*?` + name + `(?::|$)"`
}
