package synth

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"sort"
	"time"
)

// SampleStart is the time of the sample capture's first packet.
var SampleStart = time.Date(2025, 10, 14, 9, 30, 0, 0, time.UTC)

// Sample builds the bundled sample capture: about 106 seconds of a laptop's
// traffic on a home network (IPv4 192.168.1.23 and IPv6 2001:db8:8108:1::23)
// browsing over TLS and QUIC, with DNS, NTP, SSDP, mDNS, ARP and ICMPv6
// noise, and a few failures: an unanswered SYN, a SYN refused with RST, a
// UDP datagram answered by ICMP port unreachable, an NXDOMAIN and a DNS query
// with no response. It is deterministic: the same bytes on every run.
func Sample() *Capture {
	s := &sampler{c: &Capture{}, rng: rand.New(rand.NewPCG(2025, 10))}
	s.build()
	sort.SliceStable(s.c.Packets, func(i, j int) bool { return s.c.Packets[i].Time.Before(s.c.Packets[j].Time) })
	return s.c
}

type sampler struct {
	c    *Capture
	rng  *rand.Rand
	port uint16
}

var (
	laptop  = netip.MustParseAddr("192.168.1.23")
	laptop6 = netip.MustParseAddr("2001:db8:8108:1::23")
	gateway = netip.MustParseAddr("192.168.1.1")
)

type site struct {
	name string
	addr netip.Addr
	quic bool
	kb   int // rough download size in kB
}

var sites = []site{
	{"www.google.com", netip.MustParseAddr("142.250.185.100"), true, 90},
	{"fonts.gstatic.com", netip.MustParseAddr("142.250.186.35"), true, 60},
	{"www.wikipedia.org", netip.MustParseAddr("185.15.59.224"), false, 120},
	{"upload.wikimedia.org", netip.MustParseAddr("185.15.59.240"), false, 300},
	{"github.com", netip.MustParseAddr("140.82.121.4"), false, 80},
	{"avatars.githubusercontent.com", netip.MustParseAddr("185.199.108.133"), false, 40},
	{"www.bbc.co.uk", netip.MustParseAddr("151.101.0.81"), false, 150},
	{"static.files.bbci.co.uk", netip.MustParseAddr("151.101.64.81"), false, 200},
	{"login.microsoftonline.com", netip.MustParseAddr("20.190.159.2"), false, 15},
	{"www.youtube.com", netip.MustParseAddr("2a00:1450:4001:82b::200e"), true, 180},
	{"www.cloudflare.com", netip.MustParseAddr("2606:4700::6810:84e5"), false, 70},
	{"www.facebook.com", netip.MustParseAddr("2a03:2880:f10c:83:face:b00c:0:25de"), false, 50},
}

func (s *sampler) ephemeral() uint16 {
	s.port++
	return 51000 + s.port
}

func (s *sampler) at(sec float64) time.Time {
	return SampleStart.Add(time.Duration(sec * float64(time.Second)))
}

func (s *sampler) build() {
	c := s.c
	// ARP for the gateway at the start.
	c.Frame(s.at(0), arp(false))
	c.Frame(s.at(0.0008), arp(true))
	// Visit each site twice over two minutes, with DNS first.
	dnsID := uint16(0x4a10)
	for round := 0; round < 2; round++ {
		for i, st := range sites {
			t := 3 + float64(round)*55 + float64(i)*4 + s.rng.Float64()*2
			dnsID++
			qt := uint16(1)
			if st.addr.Is6() {
				qt = 28
			}
			s.dns(t, dnsID, st.name, qt, 0)
			kb := st.kb/(2*(round+1)) + s.rng.IntN(20)
			if st.quic {
				s.quic(t+0.03, st.addr, kb)
			} else {
				s.tls(t+0.03, st, kb)
			}
		}
	}
	// Background: NTP, SSDP, mDNS, ICMPv6 router solicitation.
	ntp := netip.MustParseAddr("162.159.200.1")
	for i := 0; i < 2; i++ {
		t := 1 + float64(i)*64
		c.UDP(s.at(t), netip.AddrPortFrom(laptop, 123), netip.AddrPortFrom(ntp, 123), ntpPacket(3))
		c.UDP(s.at(t+0.012), netip.AddrPortFrom(ntp, 123), netip.AddrPortFrom(laptop, 123), ntpPacket(4))
	}
	for i := 0; i < 6; i++ {
		t := 10 + float64(i)*19
		c.UDP(s.at(t), netip.AddrPortFrom(laptop, 50123), netip.AddrPortFrom(netip.MustParseAddr("239.255.255.250"), 1900),
			[]byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: urn:dial-multiscreen-org:service:dial:1\r\n\r\n"))
		c.UDP(s.at(t+0.5), netip.AddrPortFrom(laptop, 5353), netip.AddrPortFrom(netip.MustParseAddr("224.0.0.251"), 5353),
			DNS(0, "_googlecast._tcp.local", 12, false, 0, 0))
	}
	c.Echo(s.at(20), laptop6, netip.MustParseAddr("2001:db8:8108:1::1"), 1, 1, false)
	c.Echo(s.at(20.002), netip.MustParseAddr("2001:db8:8108:1::1"), laptop6, 1, 1, true)

	// Failures.
	// A printer share that does not answer: SYN and two retransmissions.
	nas := netip.AddrPortFrom(netip.MustParseAddr("192.168.1.77"), 445)
	p := netip.AddrPortFrom(laptop, s.ephemeral())
	for _, d := range []float64{0, 1, 3} {
		c.TCP(s.at(30+d), p, nas, SYN, 77001, 0, nil)
	}
	// A Chromecast port that refuses.
	cast := netip.AddrPortFrom(netip.MustParseAddr("192.168.1.50"), 8009)
	p = netip.AddrPortFrom(laptop, s.ephemeral())
	c.TCP(s.at(40), p, cast, SYN, 88001, 0, nil)
	c.TCP(s.at(40.002), cast, p, RST|ACK, 0, 88002, nil)
	// A STUN request to a LAN host with nothing listening.
	stun := netip.AddrPortFrom(netip.MustParseAddr("192.168.1.50"), 3478)
	p = netip.AddrPortFrom(laptop, s.ephemeral())
	req := stunRequest()
	c.UDP(s.at(45), p, stun, req)
	c.ICMPError(s.at(45.001), stun.Addr(), laptop, 3, 3, UDPPacket(p, stun, req))
	// A mistyped name and a query the resolver never answers.
	s.dns(50, 0x7001, "wikipedia.ogr", 1, 3)
	s.dns(80, 0x7002, "telemetry.example.net", 1, -1)
}

// dns adds a query to the gateway and its response (rcode < 0: none).
func (s *sampler) dns(t float64, id uint16, name string, qtype uint16, rcode int) {
	p := netip.AddrPortFrom(laptop, 40000+id%1000)
	g := netip.AddrPortFrom(gateway, 53)
	s.c.UDP(s.at(t), p, g, DNS(id, name, qtype, false, 0, 0))
	if rcode < 0 {
		return
	}
	answers := 0
	if rcode == 0 {
		answers = 1
	}
	s.c.UDP(s.at(t+0.008+s.rng.Float64()*0.02), g, p, DNS(id, name, qtype, true, uint8(rcode), answers))
}

// tls adds a TLS connection that downloads about kb kilobytes.
func (s *sampler) tls(t float64, st site, kb int) {
	client := laptop
	if st.addr.Is6() {
		client = laptop6
	}
	rtt := 0.01 + s.rng.Float64()*0.04
	k := s.c.NewConn(netip.AddrPortFrom(client, s.ephemeral()), netip.AddrPortFrom(st.addr, 443), s.rng.Uint32())
	now := k.Handshake(s.at(t), time.Duration(rtt*float64(time.Second)))
	step := func(d float64) time.Time { now = now.Add(time.Duration(d * float64(time.Second))); return now }
	k.seg(step(0.0005), true, PSH|ACK, clientHello(st.name, s.rng))
	for i := 0; i < 3; i++ {
		k.Data(step(rtt/2+0.0001), false, 1400)
	}
	k.ACK(step(0.0002), true)
	k.Data(step(0.001), true, 80)
	k.Data(step(0.001), true, 400+s.rng.IntN(300))
	left := kb * 1000
	for left > 0 {
		n := 1400
		if left < n {
			n = left
		}
		k.Data(step(0.0003+s.rng.Float64()*0.002), false, n)
		left -= n
		if s.rng.IntN(2) == 0 {
			k.ACK(step(0.0001), true)
		}
	}
	k.Close(step(1+s.rng.Float64()*5), true)
}

// quic adds a QUIC connection over UDP 443 that downloads about kb kilobytes.
func (s *sampler) quic(t float64, server netip.Addr, kb int) {
	client := laptop
	if server.Is6() {
		client = laptop6
	}
	p := netip.AddrPortFrom(client, s.ephemeral())
	q := netip.AddrPortFrom(server, 443)
	now := s.at(t)
	step := func(d float64) time.Time { now = now.Add(time.Duration(d * float64(time.Second))); return now }
	s.c.UDP(now, p, q, quicLong(0xc3, 1200, s.rng))
	s.c.UDP(step(0.02), q, p, quicLong(0xc1, 1200, s.rng))
	s.c.UDP(step(0.0002), q, p, quicLong(0xe1, 900, s.rng))
	s.c.UDP(step(0.001), p, q, quicLong(0xc3, 1200, s.rng))
	left := kb * 1000
	for left > 0 {
		n := 1250
		if left < n {
			n = left
		}
		s.c.UDP(step(0.0003+s.rng.Float64()*0.002), q, p, quicShort(n, s.rng))
		left -= n
		if s.rng.IntN(3) == 0 {
			s.c.UDP(step(0.0001), p, q, quicShort(40, s.rng))
		}
	}
}

func random(n int, rng *rand.Rand) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

// quicLong is a QUIC v1 long-header packet (Initial 0xc?, Handshake 0xe?)
// of n bytes with random protected contents.
func quicLong(first byte, n int, rng *rand.Rand) []byte {
	b := []byte{first, 0, 0, 0, 1, 8}
	b = append(b, random(8, rng)...)
	b = append(b, 8)
	b = append(b, random(8, rng)...)
	if first&0x30 == 0 {
		b = append(b, 0) // Initial: token length
	}
	b = binary.BigEndian.AppendUint16(b, 0x4000|uint16(n-len(b)-2))
	return append(b, random(n-len(b), rng)...)
}

// quicShort is a QUIC 1-RTT short-header packet of n bytes.
func quicShort(n int, rng *rand.Rand) []byte {
	b := random(n, rng)
	b[0] = 0x40 | b[0]&0x1f
	return b
}

// clientHello is a TLS 1.3 ClientHello record naming sni.
func clientHello(sni string, rng *rand.Rand) []byte {
	ext := func(typ uint16, body []byte) []byte {
		b := binary.BigEndian.AppendUint16(nil, typ)
		b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
		return append(b, body...)
	}
	name := []byte(sni)
	sniList := append([]byte{0}, binary.BigEndian.AppendUint16(nil, uint16(len(name)))...)
	sniList = append(sniList, name...)
	var exts []byte
	exts = append(exts, ext(0x0000, append(binary.BigEndian.AppendUint16(nil, uint16(len(sniList))), sniList...))...)
	exts = append(exts, ext(0x002b, []byte{4, 3, 4, 3, 3})...)                                                 // supported_versions: 1.3, 1.2
	exts = append(exts, ext(0x0010, []byte{0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'})...) // ALPN
	exts = append(exts, ext(0x000a, []byte{0, 4, 0, 0x1d, 0, 0x17})...)                                        // groups
	exts = append(exts, ext(0x0033, append([]byte{0, 36, 0, 0x1d, 0, 32}, random(32, rng)...))...)
	body := []byte{3, 3}
	body = append(body, random(32, rng)...)
	body = append(body, 32)
	body = append(body, random(32, rng)...)
	body = append(body, 0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 1, 0)
	body = binary.BigEndian.AppendUint16(body, uint16(len(exts)))
	body = append(body, exts...)
	hs := append([]byte{1, 0}, binary.BigEndian.AppendUint16(nil, uint16(len(body)))...)
	hs = append(hs, body...)
	rec := append([]byte{0x16, 3, 1}, binary.BigEndian.AppendUint16(nil, uint16(len(hs)))...)
	return append(rec, hs...)
}

func ntpPacket(mode byte) []byte {
	b := make([]byte, 48)
	b[0] = 4<<3 | mode
	return b
}

func stunRequest() []byte {
	b := []byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42}
	return append(b, []byte("pcaplabstun1")...)
}

// arp is an Ethernet ARP request from the laptop for the gateway, or the
// reply.
func arp(reply bool) []byte {
	lap := []byte{0x02, 0, 0, 0, 0, 0x23}
	gw := []byte{0x02, 0, 0, 0, 0, 0x01}
	var f []byte
	op := uint16(1)
	if reply {
		f = append(append(f, lap...), gw...)
		op = 2
	} else {
		f = append(append(f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), lap...)
	}
	f = append(f, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4)
	f = binary.BigEndian.AppendUint16(f, op)
	if reply {
		f = append(append(append(append(f, gw...), 192, 168, 1, 1), lap...), 192, 168, 1, 23)
	} else {
		f = append(append(append(append(f, lap...), 192, 168, 1, 23), 0, 0, 0, 0, 0, 0), 192, 168, 1, 1)
	}
	return append(f, make([]byte, 18)...) // pad to 60 bytes
}

// ClientHello returns a TLS 1.3 ClientHello record naming sni (for tests).
func ClientHello(sni string) []byte {
	return clientHello(sni, rand.New(rand.NewPCG(1, 1)))
}
