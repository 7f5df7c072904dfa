// Package decode turns a captured frame into the few facts pcaplab's model
// needs (addresses, ports, TCP flags, ICMP errors, the application payload),
// with gopacket's DecodingLayerParser over preallocated layers, so the common
// path does not allocate. Addresses are copied into netip.Addr values at once:
// the layers point into the reader's reused buffer.
package decode

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/flow"
)

// Net says what the network layer of a packet is.
type Net uint8

// Network layers.
const (
	NetNone  Net = iota // link layer unknown or too short to find one
	NetIPv4             // IPv4
	NetIPv6             // IPv6
	NetARP              // ARP
	NetOther            // another EtherType (see Packet.EtherType)
)

// Packet is what the decoder learnt about one frame. Payload points into the
// frame and is only valid until the next Decode.
type Packet struct {
	Net       Net
	EtherType layers.EthernetType // network protocol when Net is NetOther
	Src, Dst  netip.Addr          // outermost IP header
	Proto     flow.Proto          // transport protocol (after extension headers)
	IPLen     int                 // bytes of IP header + payload declared by the header

	// Fragments: Fragment is set for any IP fragment; FragFirst for the one
	// at offset 0 (which carries the transport header).
	Fragment, FragFirst, MoreFrags bool
	FragID                         uint32

	HasPorts         bool // TCP, UDP (and SCTP) with a complete header
	SrcPort, DstPort uint16
	TCPFlags         flow.Flags
	Seq, Ack         uint32

	HasICMP            bool
	ICMPType, ICMPCode uint8
	ICMPID             uint16 // echo identifier

	Payload    []byte   // transport payload (as captured)
	PayloadLen int      // len(Payload), kept when Payload is dropped
	App        string   // application recognised from the payload (AppTLS …), "" if none
	Name       string   // server name from the payload: TLS SNI or HTTP Host
	Msg        flow.Msg // what the payload is for: request, reply, announcement (see flow.Msg)
	// Problem says why decoding stopped short (OK for a complete decode of
	// what pcaplab reads); LinkType is the frame's link type, named in the
	// reason of an unsupported one.
	Problem  Problem
	LinkType layers.LinkType

	// Link-layer facts: the sender's hardware address (Ethernet, Linux
	// cooked, 802.11), the number of 802.1Q/802.1ad tags and the outer
	// VLAN ID, and for a frame without IP, its protocol.
	SrcMAC   [6]byte
	HasMAC   bool
	VLANTags uint8
	VLANID   uint16
	NonIP    NonIP

	// Quoted is the packet an ICMP error refers to (last: the model
	// reads it for ICMP errors only, and the fields above for every
	// packet, in as few cache lines as possible).
	Quoted Quote
}

// Problem is why a frame could not be fully decoded.
type Problem uint8

// Problems. A packet with a problem still counts in packets and bytes (and
// its hosts, when the IP header was readable).
const (
	OK              Problem = iota
	UnsupportedLink         // a link type pcaplab does not decode
	NoNetworkLayer          // 802.11 management or control frame, or an empty frame
	BadLinkHeader           // link-layer header cut short or malformed
	BadIPv4Header
	BadIPv6Header
	BadIPHeader // an IPv6 extension header, or another IP-level field
	BadTCPHeader
	BadUDPHeader
	BadICMPHeader
	BadAppData // the transport header was fine, what follows was not
	BadFrame   // a non-IP frame (see EtherType) cut short or malformed
)

var problemText = [...]string{"", "unsupported link type", "no network layer (802.11 management or control frame, or an empty frame)",
	"malformed or truncated link-layer header", "malformed or truncated IPv4 header", "malformed or truncated IPv6 header",
	"malformed or truncated IP header", "malformed or truncated TCP header", "malformed or truncated UDP header",
	"malformed or truncated ICMP header", "malformed or truncated application data", "malformed or truncated frame"}

// Reason writes a packet's problem as the counted reason:
// "unsupported link type 147", "malformed or truncated TCP header" …
func (p *Packet) Reason() string {
	switch p.Problem {
	case UnsupportedLink:
		return fmt.Sprintf("unsupported link type %d", int(p.LinkType))
	case BadFrame:
		return "malformed or truncated " + p.EtherType.String() + " frame"
	}
	if int(p.Problem) < len(problemText) {
		return problemText[p.Problem]
	}
	return "undecodable"
}

// Quote is the header of the packet quoted inside an ICMP error.
type Quote struct {
	Valid            bool
	Proto            flow.Proto
	Src, Dst         netip.Addr
	HasPorts         bool
	SrcPort, DstPort uint16
}

// Decoder decodes frames of any supported link type. The zero value is not
// usable; call New. A Decoder is not safe for concurrent use.
type Decoder struct {
	eth      layers.Ethernet
	dot1q    vlanTag
	sll      layers.LinuxSLL
	sll2     layers.LinuxSLL2
	loop     layers.Loopback
	radiotap layers.RadioTap
	dot11    layers.Dot11
	dot11d   layers.Dot11Data
	llc      layers.LLC
	snap     layers.SNAP
	ip4      layers.IPv4
	ip6      layers.IPv6
	ip6skip  layers.IPv6ExtensionSkipper
	ip6frag  layers.IPv6Fragment
	tcp      layers.TCP
	udp      layers.UDP
	icmp4    layers.ICMPv4
	icmp6    layers.ICMPv6
	arp      layers.ARP

	parsers map[gopacket.LayerType]*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
}

// New returns a Decoder.
func New() *Decoder {
	d := &Decoder{parsers: map[gopacket.LayerType]*gopacket.DecodingLayerParser{}, decoded: make([]gopacket.LayerType, 0, 16)}
	all := []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.sll2, &d.loop, &d.radiotap, &d.dot11, &d.dot11d,
		&d.llc, &d.snap, &d.ip4, &d.ip6, &d.ip6skip, &d.ip6frag, &d.tcp, &d.udp, &d.icmp4, &d.icmp6, &d.arp}
	for _, first := range []gopacket.LayerType{layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2,
		layers.LayerTypeLoopback, layers.LayerTypeRadioTap, layers.LayerTypeDot11, layers.LayerTypeIPv4, layers.LayerTypeIPv6} {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
		for _, l := range all {
			p.AddDecodingLayer(l)
		}
		p.IgnoreUnsupported = true
		d.parsers[first] = p
	}
	return d
}

// Supported reports whether frames of the link type can be decoded.
func Supported(lt layers.LinkType) bool {
	_, ok := firstLayer(lt, nil)
	return ok
}

// firstLayer maps a link type to the layer its frames start with. Raw IP
// looks at the version nibble.
func firstLayer(lt layers.LinkType, data []byte) (gopacket.LayerType, bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet, true
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL, true
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return layers.LayerTypeLoopback, true
	case layers.LinkTypeIEEE80211Radio:
		return layers.LayerTypeRadioTap, true
	case layers.LinkTypeIEEE802_11:
		return layers.LayerTypeDot11, true
	case layers.LinkTypeIPv4:
		return layers.LayerTypeIPv4, true
	case layers.LinkTypeIPv6:
		return layers.LayerTypeIPv6, true
	case layers.LinkTypeRaw, 12, 14: // DLT_RAW has several numbers across platforms
		if len(data) > 0 && data[0]>>4 == 6 {
			return layers.LayerTypeIPv6, true
		}
		return layers.LayerTypeIPv4, true
	}
	return 0, false
}

// Decode fills p from one frame of the given link type: the common frames
// by hand (see fast), everything else, and anything the fast path doubts,
// with gopacket's layers.
func (d *Decoder) Decode(data []byte, lt layers.LinkType, p *Packet) {
	*p = Packet{LinkType: lt}
	if d.fast(data, lt, p) {
		return
	}
	*p = Packet{LinkType: lt}
	d.slow(data, lt, p)
}

// slow decodes a frame with gopacket's DecodingLayerParser.
func (d *Decoder) slow(data []byte, lt layers.LinkType, p *Packet) {
	first, ok := firstLayer(lt, data)
	if !ok {
		p.Problem = UnsupportedLink
		return
	}
	d.dot1q.tags = 0
	err := d.parsers[first].DecodeLayers(data, &d.decoded)
	d.fillLink(p)
	transport := d.fillNetwork(p)
	switch {
	case p.Net == NetNone:
		d.fillNonIP(p, err)
		return
	case p.Net == NetARP:
		return
	case p.Fragment && p.FragFirst && transport == 0:
		// A first fragment carries the transport header; the parser
		// stops at every fragment, so decode it here.
		transport, err = d.decodeTransport(p.Proto, d.fragmentPayload(p))
	}
	switch transport {
	case layers.LayerTypeTCP:
		d.fillTCP(p)
	case layers.LayerTypeUDP:
		d.fillUDP(p)
	case layers.LayerTypeICMPv4:
		d.fillICMPv4(p)
	case layers.LayerTypeICMPv6:
		d.fillICMPv6(p)
	}
	p.PayloadLen = len(p.Payload)
	if err != nil {
		p.Problem = ipProblem(p)
	}
}

// fillNetwork takes the outermost IP (or ARP) header from the decoded
// layers, and returns the first transport layer after it.
func (d *Decoder) fillNetwork(p *Packet) gopacket.LayerType {
	var transport gopacket.LayerType
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeIPv4:
			if p.Net == NetNone { // an inner header is not ours to count
				d.fillIPv4(p)
			}
		case layers.LayerTypeIPv6:
			if p.Net == NetNone {
				d.fillIPv6(p)
			}
		case layers.LayerTypeIPv6Fragment:
			if p.Net == NetIPv6 && transport == 0 {
				p.Fragment, p.FragFirst = true, d.ip6frag.FragmentOffset == 0
				p.MoreFrags, p.FragID = d.ip6frag.MoreFragments, d.ip6frag.Identification
				p.Proto = flow.Proto(d.ip6frag.NextHeader)
			}
		case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Destination:
			if p.Net == NetIPv6 && transport == 0 {
				p.Proto = flow.Proto(d.ip6skip.NextHeader)
			}
		case layers.LayerTypeARP:
			if p.Net == NetNone {
				p.Net = NetARP
				p.NonIP.EtherType = uint16(layers.EthernetTypeARP)
			}
		case layers.LayerTypeTCP, layers.LayerTypeUDP, layers.LayerTypeICMPv4, layers.LayerTypeICMPv6:
			if transport == 0 {
				transport = t
			}
		}
	}
	return transport
}

func (d *Decoder) fillIPv4(p *Packet) {
	ip := &d.ip4
	p.Net = NetIPv4
	p.Src = netip.AddrFrom4([4]byte(ip.SrcIP.To4()))
	p.Dst = netip.AddrFrom4([4]byte(ip.DstIP.To4()))
	p.Proto = flow.Proto(ip.Protocol)
	p.IPLen = int(ip.Length)
	if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
		p.Fragment, p.FragFirst = true, ip.FragOffset == 0
		p.MoreFrags = ip.Flags&layers.IPv4MoreFragments != 0
		p.FragID = uint32(ip.Id)
	}
}

func (d *Decoder) fillIPv6(p *Packet) {
	ip := &d.ip6
	p.Net = NetIPv6
	p.Src = netip.AddrFrom16([16]byte(ip.SrcIP))
	p.Dst = netip.AddrFrom16([16]byte(ip.DstIP))
	p.Proto = flow.Proto(ip.NextHeader)
	if ip.HopByHop != nil {
		p.Proto = flow.Proto(ip.HopByHop.NextHeader)
	}
	p.IPLen = 40 + int(ip.Length)
}

func (d *Decoder) fragmentPayload(p *Packet) []byte {
	if p.Net == NetIPv4 {
		return d.ip4.Payload
	}
	return d.ip6frag.Payload
}

// fillNonIP names the network protocol of a frame without an IP header.
func (d *Decoder) fillNonIP(p *Packet, err error) {
	p.EtherType = d.linkNext()
	p.NonIP.EtherType = uint16(p.EtherType)
	if p.EtherType != 0 || p.NonIP.LLC {
		p.Net = NetOther // an 802.3 frame with an LLC header (STP, CDP …) is a protocol too
	}
	switch {
	case err != nil && p.Net == NetNone:
		p.Problem = BadLinkHeader
	case err != nil && p.EtherType == layers.EthernetTypeIPv4:
		p.Problem = BadIPv4Header
	case err != nil && p.EtherType == layers.EthernetTypeIPv6:
		p.Problem = BadIPv6Header
	case err != nil:
		p.Problem = BadFrame
	case p.Net == NetNone:
		p.Problem = NoNetworkLayer
	}
}

// ipProblem says which layer of an IP packet failed to decode.
func ipProblem(p *Packet) Problem {
	switch {
	case p.Proto == flow.TCP && !p.HasPorts:
		return BadTCPHeader
	case p.Proto == flow.UDP && !p.HasPorts:
		return BadUDPHeader
	case (p.Proto == flow.ICMP || p.Proto == flow.ICMPv6) && !p.HasICMP:
		return BadICMPHeader
	case p.HasPorts || p.HasICMP:
		return BadAppData
	}
	return BadIPHeader
}

func (d *Decoder) fillTCP(p *Packet) {
	t := &d.tcp
	p.HasPorts = true
	p.SrcPort, p.DstPort = uint16(t.SrcPort), uint16(t.DstPort)
	p.Seq, p.Ack = t.Seq, t.Ack
	var f flow.Flags
	for _, b := range [...]struct {
		on  bool
		bit flow.Flags
	}{{t.FIN, flow.FIN}, {t.SYN, flow.SYN}, {t.RST, flow.RST}, {t.PSH, flow.PSH}, {t.ACK, flow.ACK}} {
		if b.on {
			f |= b.bit
		}
	}
	p.TCPFlags = f
	p.Payload = t.Payload
	if len(p.Payload) > 0 && !p.Fragment {
		classify(p, true)
	}
}

func (d *Decoder) fillUDP(p *Packet) {
	p.HasPorts = true
	p.SrcPort, p.DstPort = uint16(d.udp.SrcPort), uint16(d.udp.DstPort)
	p.Payload = d.udp.Payload
	if len(p.Payload) > 0 && !p.Fragment {
		classify(p, false)
	}
}

func (d *Decoder) fillICMPv4(p *Packet) {
	icmpv4(p, d.icmp4.TypeCode.Type(), d.icmp4.TypeCode.Code(), d.icmp4.Id, d.icmp4.Payload)
}

// icmpv4 takes an ICMP message's facts: its type and code, the identifier
// of an echo-like message, the header an error quotes.
func icmpv4(p *Packet, typ, code uint8, id uint16, body []byte) {
	p.HasICMP = true
	p.ICMPType, p.ICMPCode = typ, code
	switch typ {
	case layers.ICMPv4TypeEchoRequest, layers.ICMPv4TypeEchoReply, layers.ICMPv4TypeTimestampRequest,
		layers.ICMPv4TypeTimestampReply, layers.ICMPv4TypeInfoRequest, layers.ICMPv4TypeInfoReply:
		p.ICMPID = id
	case layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4TypeTimeExceeded,
		layers.ICMPv4TypeParameterProblem, layers.ICMPv4TypeSourceQuench, layers.ICMPv4TypeRedirect:
		p.Quoted = quote(body)
	}
	p.Payload = body
}

func (d *Decoder) fillICMPv6(p *Packet) {
	icmpv6(p, d.icmp6.TypeCode.Type(), d.icmp6.TypeCode.Code(), d.icmp6.Payload)
}

// icmpv6 takes an ICMPv6 message's facts (see icmpv4).
func icmpv6(p *Packet, typ, code uint8, body []byte) {
	p.HasICMP = true
	p.ICMPType, p.ICMPCode = typ, code
	switch typ {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		if len(body) >= 2 {
			p.ICMPID = binary.BigEndian.Uint16(body)
		}
	case layers.ICMPv6TypeDestinationUnreachable, layers.ICMPv6TypePacketTooBig,
		layers.ICMPv6TypeTimeExceeded, layers.ICMPv6TypeParameterProblem:
		if len(body) > 4 {
			p.Quoted = quote(body[4:])
		}
	}
	p.Payload = body
}

// decodeTransport decodes the transport header of a first fragment.
func (d *Decoder) decodeTransport(proto flow.Proto, b []byte) (gopacket.LayerType, error) {
	var l gopacket.DecodingLayer
	switch proto {
	case flow.TCP:
		l = &d.tcp
	case flow.UDP:
		l = &d.udp
	case flow.ICMP:
		l = &d.icmp4
	case flow.ICMPv6:
		l = &d.icmp6
	default:
		return 0, nil
	}
	if err := l.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return 0, err
	}
	return l.CanDecode().LayerTypes()[0], nil
}

// linkNext is the network protocol named by the last link layer decoded.
func (d *Decoder) linkNext() layers.EthernetType {
	var et layers.EthernetType
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			et = d.eth.EthernetType
		case layers.LayerTypeDot1Q:
			et = d.dot1q.Type
		case layers.LayerTypeLinuxSLL:
			et = d.sll.EthernetType
		case layers.LayerTypeLinuxSLL2:
			et = d.sll2.ProtocolType
		case layers.LayerTypeSNAP:
			et = d.snap.Type
		}
	}
	return et
}

// quote parses the IP header (and the first 8 bytes after it) that an ICMP
// error message carries.
func quote(b []byte) Quote {
	var q Quote
	if len(b) < 20 {
		return q
	}
	var rest []byte
	switch b[0] >> 4 {
	case 4:
		ihl := int(b[0]&0x0f) * 4
		if ihl < 20 || len(b) < ihl {
			return q
		}
		q.Proto = flow.Proto(b[9])
		q.Src = netip.AddrFrom4([4]byte(b[12:16]))
		q.Dst = netip.AddrFrom4([4]byte(b[16:20]))
		if binary.BigEndian.Uint16(b[6:8])&0x1fff == 0 {
			rest = b[ihl:]
		}
	case 6:
		if len(b) < 40 {
			return q
		}
		q.Proto = flow.Proto(b[6])
		q.Src = netip.AddrFrom16([16]byte(b[8:24]))
		q.Dst = netip.AddrFrom16([16]byte(b[24:40]))
		rest = b[40:]
	default:
		return q
	}
	q.Valid = true
	switch q.Proto {
	case flow.TCP, flow.UDP, flow.SCTP, 136: // 136: UDP-Lite
		if len(rest) >= 4 {
			q.HasPorts = true
			q.SrcPort = binary.BigEndian.Uint16(rest[0:2])
			q.DstPort = binary.BigEndian.Uint16(rest[2:4])
		}
	}
	return q
}
