package decode

import (
	"bytes"
	"encoding/binary"

	"github.com/pcaplab/pcaplab/flow"
)

// Application labels found from payload bytes.
const (
	AppTLS       = "TLS"
	AppQUIC      = "QUIC"
	AppHTTP      = "HTTP"
	AppDNS       = "DNS"
	AppMDNS      = "mDNS"
	AppSTUN      = "STUN"
	AppDTLS      = "DTLS"
	AppSSDP      = "SSDP"
	AppNTP       = "NTP"
	AppDHCP      = "DHCP"
	AppLLMNR     = "LLMNR"
	AppNetBIOSNS = "NetBIOS-NS"
	AppGnutella  = "Gnutella"
)

// MaxName is the longest server name kept (longer ones are cut).
const MaxName = 253

// classify looks at the first bytes of a TCP or UDP payload and says which
// application protocol it is, where that is cheap and reliable, and the
// server name it carries (TLS SNI, HTTP Host, DNS question) when asked for.
// It only reads; a name is copied out of the packet.
func classify(p *Packet, tcp bool) {
	b := p.Payload
	if len(b) == 0 {
		return
	}
	if tcp {
		switch {
		case len(b) >= 6 && b[0] == 0x16 && b[1] == 3 && b[2] <= 4:
			p.App = AppTLS
			if b[5] == 1 {
				p.Name = sni(b)
			}
		case len(b) >= 5 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 3 && b[2] <= 4:
			p.App = AppTLS
		case isHTTPRequest(b):
			p.App = AppHTTP
			p.Name = httpHost(b)
		case bytes.HasPrefix(b, []byte("HTTP/1.")):
			p.App = AppHTTP
		case bytes.HasPrefix(b, []byte("GNUTELLA CONNECT/")) || bytes.HasPrefix(b, []byte("GNUTELLA/")):
			p.App = AppGnutella // the handshake of Gnutella 0.6 and G2 peers
		}
		return
	}
	classifyUDP(p, b)
	if p.Msg == flow.MsgUnknown {
		p.Msg = byPort(p.SrcPort, p.DstPort)
	}
}

// classifyUDP recognises a UDP payload and whether it asks or answers.
func classifyUDP(p *Packet, b []byte) {
	sp, dp := p.SrcPort, p.DstPort
	switch {
	case (sp == 53 || dp == 53) && len(b) >= 12:
		p.App, p.Msg = AppDNS, dnsMsg(b)
	case (sp == 5353 || dp == 5353) && len(b) >= 12:
		p.App, p.Msg = AppMDNS, dnsMsg(b)
	case (sp == 5355 || dp == 5355) && len(b) >= 12:
		p.App, p.Msg = AppLLMNR, dnsMsg(b)
	case (sp == 137 || dp == 137) && len(b) >= 12:
		p.App, p.Msg = AppNetBIOSNS, dnsMsg(b) // NetBIOS name service has DNS's header
	case len(b) >= 7 && b[0]&0xc0 == 0xc0 && isQUICVersion(binary.BigEndian.Uint32(b[1:5])):
		p.App = AppQUIC
		if b[0]&0x30 == 0 { // long-header packet type 0: Initial
			p.Msg = flow.MsgRequest
		}
	case len(b) >= 20 && b[0]&0xc0 == 0 && binary.BigEndian.Uint32(b[4:8]) == 0x2112a442:
		p.App, p.Msg = AppSTUN, stunMsg(binary.BigEndian.Uint16(b[0:2]))
	case isDTLS(b):
		p.App = AppDTLS
		if b[0] == 22 && len(b) >= 14 { // handshake: ClientHello asks; ServerHello, HelloVerifyRequest answer
			p.Msg = handshakeMsg(b[13])
		}
	case sp == 1900 || dp == 1900:
		classifySSDP(p, b)
	case len(b) >= 8 && b[0] == 'G' && b[1] == 'N' && b[2] == 'D':
		p.App = AppGnutella // a G2 (Gnutella2) UDP packet: "GND", flags, sequence, part, count
	case isGnutellaUDP(b):
		p.App = AppGnutella
	case (sp == 123 || dp == 123) && len(b) >= 48 && (b[0]>>3)&7 >= 1 && (b[0]>>3)&7 <= 4:
		p.App, p.Msg = AppNTP, ntpMsg(b[0]&7)
	case (sp == 67 || sp == 68) && (dp == 67 || dp == 68) && len(b) >= 240 && binary.BigEndian.Uint32(b[236:240]) == 0x63825363:
		p.App, p.Msg = AppDHCP, handshakeMsg(b[0]) // op 1 BOOTREQUEST, 2 BOOTREPLY
	}
}

// isGnutellaUDP recognises a Gnutella 0.6 message over UDP: a 23-byte
// header (16-byte GUID, type, TTL, hops, payload length little-endian)
// whose length field is exactly the rest of the datagram and whose TTL and
// hops add up to at most 7, as servents enforce. A random payload matches
// the length field with odds of 2^-32; on the Gnutella trace it finds
// 1 019 of the 1 146 non-G2 datagrams of the servent's port, none elsewhere.
func isGnutellaUDP(b []byte) bool {
	return len(b) >= 23 && int(binary.LittleEndian.Uint32(b[19:23])) == len(b)-23 && int(b[17])+int(b[18]) <= 7
}

// isDTLS recognises a DTLS record: content type 20–25 and version 1.0,
// 1.2 or 1.3 (0xfeff, 0xfefd, 0xfefc), or the pre-standard 0x0100 that
// OpenSSL's DTLS1_BAD_VER and Cisco AnyConnect use.
func isDTLS(b []byte) bool {
	if len(b) < 13 || b[0] < 20 || b[0] > 25 {
		return false
	}
	return b[1] == 0xfe && (b[2] == 0xff || b[2] == 0xfd || b[2] == 0xfc) || b[1] == 0x01 && b[2] == 0x00
}

func classifySSDP(p *Packet, b []byte) {
	switch {
	case bytes.HasPrefix(b, []byte("M-SEARCH ")):
		p.App, p.Msg = AppSSDP, flow.MsgRequest
	case bytes.HasPrefix(b, []byte("NOTIFY ")):
		p.App, p.Msg = AppSSDP, flow.MsgAnnounce
	case bytes.HasPrefix(b, []byte("HTTP/1.1 200")):
		p.App, p.Msg = AppSSDP, flow.MsgReply
	}
}

// handshakeMsg maps 1 to a request and 2 or 3 to a reply: DTLS handshake
// types (ClientHello; ServerHello, HelloVerifyRequest) and DHCP op codes.
func handshakeMsg(b byte) flow.Msg {
	switch b {
	case 1:
		return flow.MsgRequest
	case 2, 3:
		return flow.MsgReply
	}
	return flow.MsgUnknown
}

// dnsMsg reads the QR bit of a DNS-style header: a query asks, a response
// answers (an unsolicited mDNS or LLMNR response is no request either).
func dnsMsg(b []byte) flow.Msg {
	if b[2]&0x80 == 0 {
		return flow.MsgRequest
	}
	return flow.MsgReply
}

// stunMsg reads the class bits of a STUN message type: request and
// indication (which expects nothing), success and error responses.
func stunMsg(t uint16) flow.Msg {
	switch (t>>7)&2 | (t>>4)&1 {
	case 0:
		return flow.MsgRequest
	case 1:
		return flow.MsgAnnounce
	}
	return flow.MsgReply
}

// ntpMsg reads the NTP mode: 3 client asks, 4 server answers, 5 broadcast
// announces, 1 and 2 (symmetric) ask.
func ntpMsg(mode byte) flow.Msg {
	switch mode {
	case 1, 2, 3:
		return flow.MsgRequest
	case 4:
		return flow.MsgReply
	case 5:
		return flow.MsgAnnounce
	}
	return flow.MsgUnknown
}

// requestPorts are UDP services where a datagram to the port asks for an
// answer, when the payload itself says nothing pcaplab reads.
var requestPorts = map[uint16]bool{69: true, 88: true, 123: true, 161: true, 500: true, 1812: true, 1813: true,
	3478: true, 5060: true, 19302: true}

// ByPort is what a UDP datagram from port sp to port dp is when nothing
// but its ports is known (a flow file's record): see byPort.
func ByPort(sp, dp uint16) flow.Msg { return byPort(sp, dp) }

// byPort says request for a datagram to a request/response service's port
// from another port, reply for one from it to another port.
func byPort(sp, dp uint16) flow.Msg {
	switch {
	case requestPorts[dp] && !requestPorts[sp]:
		return flow.MsgRequest
	case requestPorts[sp] && !requestPorts[dp]:
		return flow.MsgReply
	}
	return flow.MsgUnknown
}

func isQUICVersion(v uint32) bool {
	return v == 1 || v == 0x6b3343cf || v&0xffffff00 == 0xff000000 || v&0x0f0f0f0f == 0x0a0a0a0a
}

var httpMethods = [][]byte{[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("DELETE "),
	[]byte("OPTIONS "), []byte("CONNECT "), []byte("PATCH ")}

func isHTTPRequest(b []byte) bool {
	if len(b) < 14 || b[0] < 'C' || b[0] > 'P' {
		return false
	}
	for _, m := range httpMethods {
		if bytes.HasPrefix(b, m) {
			line := b
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				line = b[:i]
			}
			return bytes.Contains(line, []byte(" HTTP/1."))
		}
	}
	return false
}

// httpHost returns the Host header of an HTTP/1 request.
func httpHost(b []byte) string {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return ""
		}
		b = b[i+1:]
		if len(b) >= 5 && (b[0] == 'H' || b[0] == 'h') && bytes.EqualFold(b[:5], []byte("host:")) {
			v := b[5:]
			if j := bytes.IndexByte(v, '\n'); j >= 0 {
				v = v[:j]
			}
			return cleanName(bytes.TrimSpace(v))
		}
		if len(b) >= 2 && b[0] == '\r' && b[1] == '\n' {
			return ""
		}
	}
	return ""
}

// sni returns the server_name of a TLS ClientHello record, "" if none or
// the record is cut short.
func sni(b []byte) string {
	// record header (5), handshake type (1) and length (3), version (2),
	// random (32)
	i := 5 + 4 + 2 + 32
	if len(b) < i+1 {
		return ""
	}
	i += 1 + int(b[i]) // session id
	if len(b) < i+2 {
		return ""
	}
	i += 2 + int(binary.BigEndian.Uint16(b[i:])) // cipher suites
	if len(b) < i+1 {
		return ""
	}
	i += 1 + int(b[i]) // compression methods
	if len(b) < i+2 {
		return ""
	}
	end := i + 2 + int(binary.BigEndian.Uint16(b[i:]))
	i += 2
	if end > len(b) {
		end = len(b)
	}
	for i+4 <= end {
		typ := binary.BigEndian.Uint16(b[i:])
		l := int(binary.BigEndian.Uint16(b[i+2:]))
		i += 4
		if i+l > end {
			return ""
		}
		if typ == 0 && l >= 5 {
			// server name list: length (2), type (1), name length (2), name
			n := int(binary.BigEndian.Uint16(b[i+3:]))
			if b[i+2] == 0 && i+5+n <= end {
				return cleanName(b[i+5 : i+5+n])
			}
			return ""
		}
		i += l
	}
	return ""
}

// cleanName copies a name taken from a packet, keeping printable ASCII
// only and at most MaxName bytes: names are untrusted input.
func cleanName(b []byte) string {
	if len(b) > MaxName {
		b = b[:MaxName]
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c > 0x20 && c < 0x7f {
			out = append(out, c)
		}
	}
	return string(out)
}
