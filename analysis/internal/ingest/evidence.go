package ingest

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
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

type dnsKey struct {
	client, server netip.Addr
	port, id       uint16
}

// dns parses the DNS header of a UDP port-53 payload and matches queries to
// responses. Malformed payloads are ignored (they are still counted as UDP).
func (m *builder) dns(p *decode.Packet, ts int64) {
	b := p.Payload
	if len(b) < 12 {
		return
	}
	id := binary.BigEndian.Uint16(b[0:2])
	flags := binary.BigEndian.Uint16(b[2:4])
	qd := binary.BigEndian.Uint16(b[4:6])
	an := binary.BigEndian.Uint16(b[6:8])
	if (flags>>11)&0xf != 0 { // only standard queries
		return
	}
	name, qtype := "", uint16(0)
	if qd > 0 {
		name, qtype = dnsQuestion(b)
	}
	if flags&0x8000 == 0 { // query
		if p.DstPort != 53 {
			return
		}
		k := dnsKey{client: p.Src, server: p.Dst, port: p.SrcPort, id: id}
		if _, dup := m.dnsOpen[k]; dup {
			return // a retransmitted query: same transaction
		}
		m.model.DNS = append(m.model.DNS, DNSTransaction{Client: p.Src, Server: p.Dst, ClientPort: p.SrcPort,
			ID: id, Name: name, QType: qtype, QueryTime: ts})
		m.dnsOpen[k] = len(m.model.DNS) - 1
		return
	}
	if p.SrcPort != 53 {
		return
	}
	k := dnsKey{client: p.Dst, server: p.Src, port: p.DstPort, id: id}
	rcode := uint8(flags & 0xf)
	if i, ok := m.dnsOpen[k]; ok {
		t := &m.model.DNS[i]
		t.Answered, t.ResponseTime, t.RCode, t.Answers = true, ts, rcode, an
		delete(m.dnsOpen, k)
		return
	}
	m.model.DNS = append(m.model.DNS, DNSTransaction{Client: p.Dst, Server: p.Src, ClientPort: p.DstPort, ID: id,
		Name: name, QType: qtype, ResponseTime: ts, Answered: true, RCode: rcode, Answers: an})
}

// dnsQuestion reads the first question's name and type (no compression is
// allowed there in practice; a pointer ends the name).
func dnsQuestion(b []byte) (string, uint16) {
	var sb strings.Builder
	i := 12
	for i < len(b) {
		l := int(b[i])
		if l == 0 {
			i++
			break
		}
		if l&0xc0 != 0 || i+1+l > len(b) || sb.Len()+l+1 > 255 {
			return sb.String(), 0
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		for _, c := range b[i+1 : i+1+l] {
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c <= 0x20 || c >= 0x7f:
				c = '?' // names are untrusted: no control or non-ASCII bytes
			}
			sb.WriteByte(c)
		}
		i += 1 + l
	}
	if i+2 > len(b) {
		return sb.String(), 0
	}
	return sb.String(), binary.BigEndian.Uint16(b[i : i+2])
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
	// capture (that flow's ICMPError field is set).
	Matched bool
}
