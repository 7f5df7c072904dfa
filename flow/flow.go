// Package flow is pcaplab's flow vocabulary, shared from the wire to the
// log: the Flow record, the unordered 5-tuple Key, the TCP connection
// state machine with Zeek's history letters and conn_state (State), why a
// flow ended (EndReason), and the one flow schema (Schema) that the CSV
// export, the flow-file reader, the notebooks' flow table and the flow
// store all use. It depends on the standard library only.
//
// A flow is a bidirectional conversation keyed by the unordered 5-tuple
// (protocol, address A, port A, address B, port B). The originator is the
// side that sent the first packet seen, except that for TCP the sender of
// the SYN is the originator. Bytes are wire bytes (frame lengths) unless a
// flow file said otherwise; see the analysis package for the full
// definitions.
package flow

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Proto is an IP protocol number.
type Proto uint8

// IP protocol numbers pcaplab names.
const (
	ICMP   Proto = 1
	IGMP   Proto = 2
	TCP    Proto = 6
	UDP    Proto = 17
	GRE    Proto = 47
	ESP    Proto = 50
	AH     Proto = 51
	ICMPv6 Proto = 58
	OSPF   Proto = 89
	PIM    Proto = 103
	VRRP   Proto = 112
	SCTP   Proto = 132
)

var protoNames = map[Proto]string{ICMP: "ICMP", IGMP: "IGMP", TCP: "TCP", UDP: "UDP", 41: "IPv6-in-IPv4", GRE: "GRE",
	ESP: "ESP", AH: "AH", ICMPv6: "ICMPv6", OSPF: "OSPF", PIM: "PIM", VRRP: "VRRP", SCTP: "SCTP", 0: "IPv6 hop-by-hop"}

// String names the protocol: TCP, UDP, ICMP, ICMPv6, GRE …, or
// "IP protocol 253" for a number without a name here.
func (p Proto) String() string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return "IP protocol " + strconv.Itoa(int(p))
}

// ParseProto reads a protocol name (any case; also the IANA keywords that
// exporters print, such as "ipv6-icmp") or number.
func ParseProto(s string) (Proto, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return Proto(n), n >= 0 && n < 256
	}
	switch ls := strings.ToLower(s); ls {
	case "ipv6-icmp", "icmp6", "icmpv6":
		return ICMPv6, true
	case "hopopt":
		return 0, true
	case "ipv6", "ipv6-in-ipv4":
		return 41, true
	default:
		if strings.HasPrefix(ls, "ip protocol ") {
			n, err := strconv.Atoi(ls[len("ip protocol "):])
			return Proto(n), err == nil && n >= 0 && n < 256
		}
		for p, name := range protoNames {
			if strings.EqualFold(name, s) {
				return p, true
			}
		}
	}
	return 0, false
}

// Flags are TCP header flags, ORed.
type Flags uint8

// TCP flag bits, as in the TCP header.
const (
	FIN Flags = 0x01
	SYN Flags = 0x02
	RST Flags = 0x04
	PSH Flags = 0x08
	ACK Flags = 0x10
)

// Dir is the direction of a packet within its flow.
type Dir uint8

// Directions.
const (
	FromOrig Dir = 0 // sent by the originator
	FromResp Dir = 1 // sent by the responder
)

// Msg says what a packet's payload is for: a request that expects an
// answer, a reply, an announcement that expects none, or unknown.
type Msg uint8

// Kinds of message, recognised from the payload (DNS and mDNS by the QR
// bit, SSDP by M-SEARCH/NOTIFY/"HTTP/1.1 200", NTP by its mode, DHCP by
// its op code, STUN by its message class, QUIC by a long-header Initial,
// DTLS by ClientHello/ServerHello) or, for a few request/response services
// (NTP, SNMP, TFTP, Kerberos, IKE, RADIUS, SIP, STUN), by a packet to the
// service's port from another port.
const (
	MsgUnknown  Msg = iota // nothing says
	MsgRequest             // expects an answer
	MsgReply               // answers a request
	MsgAnnounce            // expects no answer (SSDP NOTIFY, NTP broadcast, unsolicited mDNS responses …)
)

var msgNames = [...]string{"-", "request", "reply", "announce"}

// String names the kind: request, reply, announce or "-".
func (m Msg) String() string {
	if int(m) < len(msgNames) {
		return msgNames[m]
	}
	return "-"
}

// ParseMsg reads a name written by String.
func ParseMsg(s string) (Msg, bool) {
	for i, n := range msgNames {
		if n == s {
			return Msg(i), true
		}
	}
	return MsgUnknown, false
}

// EndReason says why a flow record was closed.
type EndReason uint8

// Why flows end.
const (
	EndEOF     EndReason = iota // still open when the input ended
	EndIdle                     // idle longer than its protocol's timeout
	EndReused                   // a new TCP SYN on the same 5-tuple started another flow
	EndEvicted                  // ended early: too many live flows at once
)

var endNames = [...]string{"eof", "idle", "reused", "evicted"}

// String names the reason: eof, idle, reused or evicted.
func (e EndReason) String() string {
	if int(e) < len(endNames) {
		return endNames[e]
	}
	return "eof"
}

// ParseEndReason reads a name written by String.
func ParseEndReason(s string) (EndReason, bool) {
	for i, n := range endNames {
		if n == s {
			return EndReason(i), true
		}
	}
	return EndEOF, false
}

// ICMPError is the first ICMP or ICMPv6 error that quoted a packet of a
// flow, as (type<<8 | code) + 1; zero means none.
type ICMPError uint16

// MakeICMPError encodes an ICMP type and code.
func MakeICMPError(typ, code uint8) ICMPError { return ICMPError(uint16(typ)<<8|uint16(code)) + 1 }

// Seen reports whether an error was seen.
func (e ICMPError) Seen() bool { return e != 0 }

// Type and Code of the error.
func (e ICMPError) Type() uint8 { return uint8((e - 1) >> 8) }

// Code of the error.
func (e ICMPError) Code() uint8 { return uint8(e - 1) }

// String is "type/code" (3/3 is port unreachable), or "" for none.
func (e ICMPError) String() string {
	if e == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", e.Type(), e.Code())
}

// Flow is one finished bidirectional flow.
type Flow struct {
	Proto Proto
	// Orig is the originator (see the package documentation), Resp the
	// responder. Ports: TCP and UDP ports; for ICMP echo (and timestamp
	// and information) messages both are the identifier; for other ICMP
	// messages OrigPort is the type and RespPort the code; 0 for other
	// protocols.
	Orig, Resp         netip.Addr
	OrigPort, RespPort uint16
	// First and Last are the earliest and latest packet times, in
	// nanoseconds since the Unix epoch (see Start, End and Duration).
	First, Last int64

	OrigPackets, RespPackets uint64 // packets each side sent
	OrigBytes, RespBytes     uint64 // wire bytes each side sent
	OrigPayload, RespPayload uint64 // transport payload bytes each side sent (as captured)

	OrigFlags, RespFlags Flags  // TCP flags each side sent, ORed
	History              string // Zeek history: upper case originator, lower case responder (see Conn)
	State                State  // Zeek conn_state
	// RTT is the TCP handshake round trip: from the SYN to the
	// originator's first ACK after the SYN-ACK (Wireshark's
	// tcp.analysis.initial_rtt); -1 when not seen.
	RTT   time.Duration
	Ended EndReason
	// ICMPError is the first ICMP error that quoted a packet of the flow.
	ICMPError ICMPError
	// App is the application protocol recognised from the flow's payload
	// bytes (TLS, QUIC, HTTP, DNS, mDNS, LLMNR, NetBIOS-NS, STUN, DTLS,
	// SSDP, NTP, DHCP; "" when none was), ServerName the first TLS SNI or
	// HTTP Host seen in it.
	App        string
	ServerName string
	// Opening is what the originator's first payload was for: a request
	// that expects an answer, a reply (to a request not in the flow, as
	// when the request went to a multicast address), an announcement.
	Opening Msg
	// OrigTransfer and RespTransfer are each direction's transfer time:
	// from its first to its last payload segment, without the idle gaps
	// between segments longer than the model's transfer-gap threshold
	// (Options.TransferGap, 1 s by default); 0 with fewer than two
	// payload segments.
	OrigTransfer, RespTransfer time.Duration
}

// Packets is the flow's packet count in both directions.
func (f *Flow) Packets() uint64 { return f.OrigPackets + f.RespPackets }

// Bytes is the flow's bytes in both directions.
func (f *Flow) Bytes() uint64 { return f.OrigBytes + f.RespBytes }

// Start is the time of the flow's earliest packet, in UTC.
func (f *Flow) Start() time.Time { return time.Unix(0, f.First).UTC() }

// End is the time of the flow's latest packet, in UTC.
func (f *Flow) End() time.Time { return time.Unix(0, f.Last).UTC() }

// Duration is End − Start.
func (f *Flow) Duration() time.Duration { return time.Duration(f.Last - f.First) }

// Key identifies a live flow: the unordered 5-tuple, A ≤ B.
type Key struct {
	A, B         netip.Addr
	PortA, PortB uint16
	Proto        Proto
}

// MakeKey is the key of a flow between two endpoints, whichever sent.
func MakeKey(proto Proto, src, dst netip.Addr, sp, dp uint16) Key {
	c := src.Compare(dst)
	if c < 0 || (c == 0 && sp <= dp) {
		return Key{A: src, B: dst, PortA: sp, PortB: dp, Proto: proto}
	}
	return Key{A: dst, B: src, PortA: dp, PortB: sp, Proto: proto}
}

// Less orders flows by start, then protocol, addresses and ports.
func Less(a, b *Flow) bool {
	if a.First != b.First {
		return a.First < b.First
	}
	if a.Proto != b.Proto {
		return a.Proto < b.Proto
	}
	if c := a.Orig.Compare(b.Orig); c != 0 {
		return c < 0
	}
	if c := a.Resp.Compare(b.Resp); c != 0 {
		return c < 0
	}
	if a.OrigPort != b.OrigPort {
		return a.OrigPort < b.OrigPort
	}
	return a.RespPort < b.RespPort
}

// Timeouts end idle flows: a flow ends when none of its packets was seen
// for its protocol's timeout. Zero means never: then, as in Wireshark's
// tcp.stream and udp.stream numbering, only a new SYN on a TCP flow's
// 5-tuple ends it.
type Timeouts struct {
	TCP, UDP, Other time.Duration
	// Closed is the timeout of a TCP flow that has seen a RST or a FIN
	// from both sides.
	Closed time.Duration
}

// DefaultTimeouts are pcaplab's defaults: TCP 5 min, UDP and other
// protocols 1 min, a closed TCP connection 30 s.
var DefaultTimeouts = Timeouts{TCP: 5 * time.Minute, UDP: time.Minute, Other: time.Minute, Closed: 30 * time.Second}

// AllTimeouts is one timeout for every protocol (0: never).
func AllTimeouts(d time.Duration) Timeouts { return Timeouts{TCP: d, UDP: d, Other: d, Closed: d} }
