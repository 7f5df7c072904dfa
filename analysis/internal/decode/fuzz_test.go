package decode

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
)

var fuzzLinks = []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2,
	layers.LinkTypeNull, layers.LinkTypeRaw, layers.LinkTypeIEEE80211Radio, layers.LinkTypeIEEE802_11, 147}

// FuzzDecode: any frame of any link type decodes without a panic into a
// consistent Packet.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), []byte("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00E\x00\x00\x1c\x00\x00\x00\x00@\x11\x00\x00\xc0\xa8\x01\x01\xc0\xa8\x01\x02\x005\x005\x00\x08\x00\x00"))
	f.Add(uint8(4), []byte("`\x00\x00\x00\x00\x08\x11@ \x01\r\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01 \x01\r\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x005\x005\x00\x08\x00\x00"))
	d := New()
	f.Fuzz(func(t *testing.T, link uint8, data []byte) {
		var p Packet
		d.Decode(data, fuzzLinks[int(link)%len(fuzzLinks)], &p)
		if p.PayloadLen != len(p.Payload) || p.PayloadLen > len(data) {
			t.Fatalf("payload %d of %d bytes", p.PayloadLen, len(data))
		}
		if (p.HasPorts || p.HasICMP) && p.Net != NetIPv4 && p.Net != NetIPv6 {
			t.Fatalf("transport without IP: %+v", p)
		}
		if p.Net == NetIPv4 && (!p.Src.Is4() || !p.Dst.Is4()) || p.Net == NetIPv6 && (!p.Src.Is6() || !p.Dst.Is6()) {
			t.Fatalf("addresses of the wrong family: %+v", p)
		}
		if len(p.Name) > MaxName {
			t.Fatalf("name of %d bytes", len(p.Name))
		}
		for _, c := range p.Name {
			if c <= 0x20 || c >= 0x7f {
				t.Fatalf("unprintable name %q", p.Name)
			}
		}
	})
}

// FuzzPayload: the payload recognisers (TLS SNI, HTTP Host, QUIC, DNS,
// STUN …) on any bytes, over TCP and UDP on any ports.
func FuzzPayload(f *testing.F) {
	f.Add(true, uint16(50000), uint16(443), []byte("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x03"))
	f.Add(true, uint16(50000), uint16(80), []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"))
	f.Add(false, uint16(50000), uint16(443), []byte("\xc3\x00\x00\x00\x01\x08abcdefgh\x08abcdefgh\x00\x40\x10"))
	f.Fuzz(func(t *testing.T, tcp bool, sp, dp uint16, data []byte) {
		p := Packet{Payload: data, SrcPort: sp, DstPort: dp}
		classify(&p, tcp)
		if len(p.Name) > MaxName || (p.Name != "" && p.App != AppTLS && p.App != AppHTTP) {
			t.Fatalf("name %q for %q", p.Name, p.App)
		}
	})
}
