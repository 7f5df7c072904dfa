package ingest

import (
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// DNSTransaction is one DNS query over UDP port 53 and its response, matched
// by client address and port, server address and DNS ID.
type DNSTransaction struct {
	Client, Server netip.Addr
	ClientPort     uint16
	ID             uint16
	Name           string // first question, lower case, at most 255 bytes; bytes outside printable ASCII become '?'
	QType          uint16
	QueryTime      int64 // ns; 0 for a response without a query seen
	ResponseTime   int64 // ns; 0 when no response was seen
	Answered       bool
	RCode          uint8 // response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED …)
	Answers        uint16
}

// ICMPError is an ICMP or ICMPv6 error message and the packet it quotes.
type ICMPError struct {
	Time     int64
	From, To netip.Addr // outer header: the reporting router or host, and the original sender
	V6       bool
	Type     uint8
	Code     uint8
	Quoted   decode.Quote
	// Matched is true when the quoted packet belongs to a flow seen in the
	// capture (that flow's ICMPError field is set); QuotedDir says which
	// side of that flow sent the quoted packet: an error about a packet
	// the responder sent concerns a reply, not a request.
	Matched   bool
	QuotedDir flow.Dir
	// Answered says whether the matched flow's responder had sent any
	// packet before the error.
	Answered bool
}

// isDHCP reports whether a UDP packet is DHCP (ports 67 and 68).
func isDHCP(p *decode.Packet) bool {
	return (p.SrcPort == 67 || p.SrcPort == 68) && (p.DstPort == 67 || p.DstPort == 68)
}

type dnsKey struct {
	client, server netip.Addr
	port, id       uint16
}

// evidence is the stage that keeps what failures are judged by: DNS
// transactions (UDP port 53) and ICMP error messages.
type evidence struct {
	m        *Model
	dnsOpen  map[dnsKey]int
	dhcpOpen map[dhcpKey]int
	names    interner // question names, when not parsed by the reader
}

func (v *evidence) observe(p *decode.Packet, msg *dnsMessage, ts int64, live *flowTable) {
	if p.HasPorts && p.Proto == flow.UDP {
		switch {
		case p.SrcPort == 53 || p.DstPort == 53:
			if msg == nil {
				m := parseDNS(p.Payload, &v.names)
				msg = &m
			}
			v.dns(p, msg, ts)
		case isDHCP(p):
			v.dhcp(p, ts)
		}
	}
	if p.HasICMP && p.Quoted.Valid {
		v.icmpError(p, ts, live)
	}
}

// dnsMessage is what the model needs of a UDP port-53 payload, parsed on
// the reading goroutine (see parseDNS).
type dnsMessage struct {
	ok            bool // a standard query or response with a whole header
	id, flags, an uint16
	name          string
	qtype         uint16
}

// parseDNS reads a DNS header and its first question. Malformed payloads
// are not ok (they are still counted as UDP).
func parseDNS(b []byte, names *interner) dnsMessage {
	if len(b) < 12 {
		return dnsMessage{}
	}
	m := dnsMessage{id: binary.BigEndian.Uint16(b[0:2]), flags: binary.BigEndian.Uint16(b[2:4]), an: binary.BigEndian.Uint16(b[6:8])}
	if (m.flags>>11)&0xf != 0 { // only standard queries
		return dnsMessage{}
	}
	m.ok = true
	if binary.BigEndian.Uint16(b[4:6]) > 0 {
		m.name, m.qtype = dnsQuestion(b, names)
	}
	return m
}

// dns matches DNS queries to responses.
func (v *evidence) dns(p *decode.Packet, msg *dnsMessage, ts int64) {
	if !msg.ok {
		return
	}
	id, flags, name, qtype := msg.id, msg.flags, msg.name, msg.qtype
	if flags&0x8000 == 0 {
		if p.DstPort == 53 {
			v.query(dnsKey{client: p.Src, server: p.Dst, port: p.SrcPort, id: id}, name, qtype, ts)
		}
		return
	}
	if p.SrcPort != 53 {
		return
	}
	k := dnsKey{client: p.Dst, server: p.Src, port: p.DstPort, id: id}
	rcode, an := uint8(flags&0xf), msg.an
	if i, ok := v.dnsOpen[k]; ok {
		t := &v.m.DNS[i]
		t.Answered, t.ResponseTime, t.RCode, t.Answers = true, ts, rcode, an
		delete(v.dnsOpen, k)
		return
	}
	if len(v.m.DNS) >= limits.dns {
		v.m.Dropped.DNS++
		return
	}
	v.addDNS(DNSTransaction{Client: p.Dst, Server: p.Src, ClientPort: p.DstPort, ID: id,
		Name: name, QType: qtype, ResponseTime: ts, Answered: true, RCode: rcode, Answers: an})
}

func (v *evidence) query(k dnsKey, name string, qtype uint16, ts int64) {
	if _, dup := v.dnsOpen[k]; dup {
		return // a retransmitted query: same transaction
	}
	if len(v.m.DNS) >= limits.dns {
		v.m.Dropped.DNS++
		return
	}
	v.addDNS(DNSTransaction{Client: k.client, Server: k.server, ClientPort: k.port,
		ID: k.id, Name: name, QType: qtype, QueryTime: ts})
	v.dnsOpen[k] = len(v.m.DNS) - 1
}

// addDNS appends a transaction (fewer than limits.dns are kept), doubling
// the slice when it is full, up to limits.dns: append grows a large slice
// by a quarter, so the transactions of a capture with 50 000 lookups were
// copied some five times over, with the collector's write barriers on
// (they hold pointers): 0.025 s of the model goroutine's 0.17 s.
func (v *evidence) addDNS(t DNSTransaction) {
	d := v.m.DNS
	if len(d) == cap(d) {
		d = slices.Grow(d, min(max(len(d), 64), limits.dns-len(d)))
	}
	v.m.DNS = append(d, t)
}

// dnsQuestion reads the first question's name and type (no compression is
// allowed there in practice; a pointer ends the name). The name is built
// in a fixed buffer and interned (see intern).
func dnsQuestion(b []byte, names *interner) (string, uint16) {
	var buf [255]byte
	n := 0
	i := 12
	for i < len(b) {
		l := int(b[i])
		if l == 0 {
			i++
			break
		}
		sep := min(n, 1)
		if l&0xc0 != 0 || i+1+l > len(b) || n+sep+l > 255 {
			return names.intern(buf[:n]), 0
		}
		if sep == 1 {
			buf[n] = '.'
			n++
		}
		for _, c := range b[i+1 : i+1+l] {
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c <= 0x20 || c >= 0x7f:
				c = '?' // names are untrusted: no control or non-ASCII bytes
			}
			buf[n] = c
			n++
		}
		i += 1 + l
	}
	if i+2 > len(b) {
		return names.intern(buf[:n]), 0
	}
	return names.intern(buf[:n]), binary.BigEndian.Uint16(b[i : i+2])
}

// maxInterned bounds the names kept for sharing: 65 536 (at most 16 MiB
// of 255-byte names); past it a name is its own copy.
const maxInterned = 1 << 16

// interner shares names: lookups repeat a few names many times.
type interner map[string]string

// intern returns a name as a string shared by every transaction that
// asks for it.
func (in *interner) intern(b []byte) string {
	if s, ok := (*in)[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(*in) < maxInterned {
		if *in == nil {
			*in = interner{}
		}
		(*in)[s] = s
	}
	return s
}

// icmpError keeps an ICMP error and marks the flow whose packet it quotes.
func (v *evidence) icmpError(p *decode.Packet, ts int64, live *flowTable) {
	q := p.Quoted
	ev := ICMPError{Time: ts, From: p.Src, To: p.Dst, V6: p.Net == decode.NetIPv6, Type: p.ICMPType, Code: p.ICMPCode, Quoted: q}
	if q.HasPorts || (q.Proto != flow.TCP && q.Proto != flow.UDP) {
		k := flow.MakeKey(q.Proto, q.Src, q.Dst, q.SrcPort, q.DstPort)
		if e := live.find(&k, live.hash(&k)); e != nil {
			ev.Matched, ev.Answered = true, e.RespPackets > 0
			if q.Src != e.Orig || q.HasPorts && q.SrcPort != e.OrigPort {
				ev.QuotedDir = flow.FromResp
			}
			if !e.ICMPError.Seen() {
				e.ICMPError = flow.MakeICMPError(p.ICMPType, p.ICMPCode)
			}
		}
	}
	if len(v.m.ICMPErrors) >= limits.icmpErrors {
		v.m.Dropped.ICMPErrors++
		return
	}
	v.m.ICMPErrors = append(v.m.ICMPErrors, ev)
}

// compactDNS drops the successful DNS transactions once flows are spilled
// (a huge capture), counting them, and keeps the failed and open ones.
func (v *evidence) compactDNS() {
	m := v.m
	kept := m.DNS[:0]
	for _, t := range m.DNS {
		if t.Answered && t.RCode == 0 {
			m.DNSAnswered++
			continue
		}
		kept = append(kept, t)
	}
	clear(m.DNS[len(kept):])
	m.DNS = kept
	clear(v.dnsOpen)
	for i, t := range m.DNS {
		if !t.Answered && t.QueryTime != 0 {
			v.dnsOpen[dnsKey{client: t.Client, server: t.Server, port: t.ClientPort, id: t.ID}] = i
		}
	}
}
