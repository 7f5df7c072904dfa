package analysis

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// The cases below were each seen on a real capture, where the report made
// a false statement; each is rebuilt here with its known truth.

var (
	laptop = netip.MustParseAddr("192.168.1.20")
	gw     = netip.MustParseAddr("192.168.1.1")
	phone  = netip.MustParseAddr("192.168.1.30")
	tv     = netip.MustParseAddr("192.168.1.5")
)

func openSynth(t *testing.T, c *synth.Capture) *Capture {
	t.Helper()
	cp, err := Open(save(t, c, "case.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// closing adds an answered DNS lookup at t, so the capture lasts past
// AnswerWait after the case's events and unanswered requests get a verdict.
func closing(c *synth.Capture, t time.Time) {
	c.UDP(t, ap(laptop, 40999), ap(gw, 53), synth.DNS(999, "end.example", 1, false, 0, 0))
	c.UDP(t.Add(ms(5)), ap(gw, 53), ap(laptop, 40999), synth.DNS(999, "end.example", 1, true, 0, 1))
}

func classes(c *Capture) map[string]int {
	m := map[string]int{}
	for _, r := range c.Failures().Classes() {
		m[r.Class] = r.Attempts
	}
	return m
}

// Replies to requests that went to a multicast or broadcast address are
// not unanswered requests, and their receiver is no "contacted host".
func TestRepliesAreNotFailures(t *testing.T) {
	var c synth.Capture
	c.UDP(t0, ap(laptop, 50000), ap(netip.MustParseAddr("239.255.255.250"), 1900), []byte("M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n"))
	c.UDP(t0.Add(ms(40)), ap(tv, 1900), ap(laptop, 50000), synth.SSDPReply())
	c.UDP(t0.Add(ms(50)), ap(tv, 5353), ap(laptop, 5353), synth.DNS(0, "tv.local", 1, true, 0, 1)) // a unicast mDNS response
	c.UDP(t0.Add(ms(60)), ap(gw, 67), ap(phone, 68), synth.DHCP(synth.DHCPOffer, 7, net.HardwareAddr{2, 9, 9, 9, 9, 9}))
	c.UDP(t0.Add(ms(70)), ap(gw, 67), ap(phone, 68), synth.DHCP(synth.DHCPAck, 7, net.HardwareAddr{2, 9, 9, 9, 9, 9}))
	closing(&c, t0.Add(10*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 0 {
		t.Errorf("failures %v, want none", got)
	}
	if s := cp.Failures().Summary(); s.UDPUnjudged != 0 || len(s.FailedHosts) != 0 {
		t.Errorf("%d unjudged, failed hosts %v", s.UDPUnjudged, s.FailedHosts)
	}
}

// A client's ten Discovers of one transaction with no Offer are one failed
// attempt; a completed transaction is none.
func TestDHCPWithoutOffer(t *testing.T) {
	var c synth.Capture
	mac := net.HardwareAddr{0x02, 0xaa, 0, 0, 0, 1}
	any, bcast := netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("255.255.255.255")
	for i := 0; i < 10; i++ {
		c.UDP(t0.Add(time.Duration(i)*6*time.Second), ap(any, 68), ap(bcast, 67), synth.DHCP(synth.DHCPDiscover, 0xabcd, mac))
	}
	other := net.HardwareAddr{0x02, 0xbb, 0, 0, 0, 2}
	c.UDP(t0.Add(ms(100)), ap(any, 68), ap(bcast, 67), synth.DHCP(synth.DHCPDiscover, 0x1111, other))
	c.UDP(t0.Add(ms(110)), ap(gw, 67), ap(bcast, 68), synth.DHCP(synth.DHCPOffer, 0x1111, other))
	c.UDP(t0.Add(ms(120)), ap(any, 68), ap(bcast, 67), synth.DHCP(synth.DHCPRequest, 0x1111, other))
	c.UDP(t0.Add(ms(130)), ap(gw, 67), ap(bcast, 68), synth.DHCP(synth.DHCPAck, 0x1111, other))
	closing(&c, t0.Add(65*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 1 || got[FailDHCPNoOffer] != 1 {
		t.Fatalf("failures %v, want dhcp_no_offer 1", got)
	}
	r := cp.Failures().List()[0]
	if r.Name != mac.String() || !strings.Contains(r.Detail, "10 Discovers") || r.First != 0 {
		t.Errorf("row %+v", r)
	}
}

// A DHCPINFORM without an ACK is a failed transaction named as the Inform
// it was, and a Request with Informs of one transaction names both.
func TestDHCPInformWithoutAck(t *testing.T) {
	var c synth.Capture
	pc, srv := netip.MustParseAddr("192.168.1.20"), netip.MustParseAddr("255.255.255.255")
	a, b := net.HardwareAddr{0x02, 0xcc, 0, 0, 0, 3}, net.HardwareAddr{0x02, 0xdd, 0, 0, 0, 4}
	c.UDP(t0, ap(pc, 68), ap(srv, 67), synth.DHCP(synth.DHCPInform, 0x2222, a))
	c.UDP(t0.Add(ms(10)), ap(pc, 68), ap(srv, 67), synth.DHCP(synth.DHCPRequest, 0x3333, b))
	c.UDP(t0.Add(ms(20)), ap(pc, 68), ap(srv, 67), synth.DHCP(synth.DHCPInform, 0x3333, b))
	closing(&c, t0.Add(65*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 1 || got[FailDHCPNoAck] != 2 {
		t.Fatalf("failures %v, want dhcp_no_ack 2", got)
	}
	want := map[string]string{a.String(): "transaction 0x00002222 (1 Inform)", b.String(): "transaction 0x00003333 (1 Request and 1 Inform)"}
	for _, r := range cp.Failures().List() {
		if r.Detail != want[r.Name] {
			t.Errorf("%s: %q, want %q", r.Name, r.Detail, want[r.Name])
		}
	}
}

// A late duplicate DNS answer, refused by the asker's closed port, is a
// network signal, not a failure; a name that does not exist is counted
// once, against the name.
func TestLateDuplicateAnswers(t *testing.T) {
	var c synth.Capture
	q := func(port uint16, id uint16, name string, rcode uint8, at time.Time) {
		c.UDP(at, ap(phone, port), ap(gw, 53), synth.DNS(id, name, 1, false, 0, 0))
		ans := 1
		if rcode != 0 {
			ans = 0
		}
		resp := synth.DNS(id, name, 1, true, rcode, ans)
		c.UDP(at.Add(ms(45)), ap(gw, 53), ap(phone, port), resp)
		c.UDP(at.Add(ms(300)), ap(gw, 53), ap(phone, port), resp) // the duplicate
		c.ICMPError(at.Add(ms(301)), phone, gw, 3, 3, synth.UDPPacket(ap(gw, 53), ap(phone, port), resp))
	}
	q(40000, 1, "example.org", 0, t0)
	q(40001, 2, "nx.example.org", 3, t0.Add(time.Second))
	closing(&c, t0.Add(10*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 1 || got[FailDNSNXDomain] != 1 {
		t.Errorf("failures %v, want dns_nxdomain 1 only", got)
	}
	s := cp.Failures().Summary()
	if len(s.Signals) != 1 || s.Signals[0].Signal != SignalReplyRefused || s.Signals[0].Messages != 2 ||
		len(s.FailedHosts) != 0 || len(s.FailedNames) != 1 || s.FailedNames[0] != "nx.example.org" {
		t.Errorf("signals %+v, failed hosts %v, names %v", s.Signals, s.FailedHosts, s.FailedNames)
	}
}

// Traceroute's expected errors and path-MTU discovery are signals.
func TestTracerouteAndPathMTUAreSignals(t *testing.T) {
	var c synth.Capture
	dst := netip.MustParseAddr("203.0.113.9")
	hops := []netip.Addr{gw, netip.MustParseAddr("10.10.0.1"), dst}
	for i, hop := range hops {
		probe := ap(dst, uint16(33434+i))
		at := t0.Add(time.Duration(i) * ms(100))
		c.UDPWithTTL(at, ap(laptop, 44000), probe, uint8(i+1), make([]byte, 32))
		typ, code := uint8(11), uint8(0)
		if hop == dst {
			typ, code = 3, 3
		}
		c.ICMPError(at.Add(ms(10)), hop, laptop, typ, code, synth.UDPPacket(ap(laptop, 44000), probe, make([]byte, 32)))
	}
	srv := ap(netip.MustParseAddr("198.51.100.20"), 443)
	k := c.NewConn(ap(laptop, 50000), srv, 100)
	now := k.Handshake(t0.Add(time.Second), ms(20))
	c.ICMPError(now.Add(ms(1)), gw, laptop, 3, 4, synth.TCPPacket(k.Client, srv, synth.ACK, 101))
	k.Data(now.Add(ms(2)), true, 500)
	k.Data(now.Add(ms(30)), false, 1400)
	k.Close(now.Add(ms(40)), true)
	closing(&c, t0.Add(10*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 0 {
		t.Errorf("failures %v, want none", got)
	}
	sig := map[string]int{}
	for _, r := range cp.Failures().Signals() {
		sig[r.Signal] = r.Messages
	}
	if sig[SignalTTLExceeded] != 2 || sig[SignalTraceroute] != 1 || sig[SignalPathMTU] != 1 || len(sig) != 3 {
		t.Errorf("signals %v", sig)
	}
}

// Attempts count connections, never retransmissions: nine connections
// refused by a firewall, each SYN sent three times and each drawing an
// ICMP administratively prohibited, are nine attempts.
func TestAttemptsCountConnections(t *testing.T) {
	var c synth.Capture
	fw := netip.MustParseAddr("198.51.100.30")
	for i := 0; i < 9; i++ {
		src, dst := ap(laptop, uint16(51000+i)), ap(fw, uint16(8000+i))
		for r := 0; r < 3; r++ {
			at := t0.Add(time.Duration(i)*ms(10) + time.Duration(r)*time.Second)
			c.TCP(at, src, dst, synth.SYN, 1000, 0, nil)
			c.ICMPError(at.Add(ms(1)), gw, laptop, 3, 13, synth.TCPPacket(src, dst, synth.SYN, 1000))
		}
	}
	closing(&c, t0.Add(10*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 1 || got[FailICMPProhibited] != 9 {
		t.Errorf("failures %v, want icmp_admin_prohibited 9", got)
	}
}

// A connection the client resets right after the SYN-ACK (a browser
// dropping a spare connection, as on reddit-ipv6) is its own choice, not a
// failure; one the server resets before sending anything is tcp_aborted.
func TestResetsAfterTheHandshake(t *testing.T) {
	var c synth.Capture
	web := netip.MustParseAddr("198.51.100.80")
	cancel := c.NewConn(ap(laptop, 52000), ap(web, 443), 1000)
	at := cancel.Handshake(t0, ms(20))
	cancel.RST(at.Add(ms(0)), true)
	refused := c.NewConn(ap(laptop, 52001), ap(web, 443), 2000)
	at = refused.Handshake(t0.Add(ms(100)), ms(20))
	refused.RST(at.Add(ms(1)), false)
	closing(&c, t0.Add(10*time.Second))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 1 || got[FailTCPAborted] != 1 {
		t.Errorf("failures %v, want tcp_aborted 1 (the server's reset only)", got)
	}
	if l := cp.Failures().List(); len(l) != 1 || l[0].Detail != "tcp/443" || l[0].First != ms(100) {
		t.Errorf("rows %+v", l)
	}
}

// A SYN sent just before the capture ended has had no time to be answered:
// it is unfinished, not failed.
func TestRequestsAtTheEndAreUnfinished(t *testing.T) {
	var c synth.Capture
	closing(&c, t0)
	c.TCP(t0.Add(ms(500)), ap(laptop, 52000), ap(netip.MustParseAddr("198.51.100.40"), 443), synth.SYN, 1, 0, nil)
	c.UDP(t0.Add(ms(516)), ap(laptop, 41000), ap(gw, 53), synth.DNS(5, "late.example", 1, false, 0, 0))
	cp := openSynth(t, &c)
	if got := classes(cp); len(got) != 0 {
		t.Errorf("failures %v, want none", got)
	}
	u := cp.Failures().Unfinished()
	if len(u) != 2 || u[0].Class != FailTCPNoAnswer || u[1].Class != FailDNSNoResponse {
		t.Errorf("unfinished %+v", u)
	}
	if s := cp.Failures().Summary().Sentence(); !strings.Contains(s, "2 requests made in the last 5 s of the capture had no answer yet") {
		t.Errorf("sentence %q", s)
	}
}

// The capturing machine is the address in the most packets, ties broken
// by flows originated: a scanner, not the host it scans, even when the
// scanned host's address is the lower one.
func TestCapturingMachineTies(t *testing.T) {
	var c synth.Capture
	scanner, target := netip.MustParseAddr("10.0.0.50"), netip.MustParseAddr("10.0.0.9")
	for p := uint16(1); p <= 100; p++ {
		c.TCP(t0.Add(time.Duration(p)*ms(1)), ap(scanner, 40000), ap(target, p), synth.SYN, 7, 0, nil)
		c.TCP(t0.Add(time.Duration(p)*ms(1)+100*time.Microsecond), ap(target, p), ap(scanner, 40000), synth.RST|synth.ACK, 0, 8, nil)
	}
	if m := openSynth(t, &c).Hosts().Machine(); len(m.Addrs) != 1 || m.Addrs[0] != scanner {
		t.Errorf("SYN scan: machine %+v, want the scanner %v", m, scanner)
	}
	var two synth.Capture
	client, server := netip.MustParseAddr("192.168.1.200"), netip.MustParseAddr("192.168.1.3")
	two.TCP(t0, ap(client, 50000), ap(server, 80), synth.SYN, 1, 0, nil)
	two.TCP(t0.Add(ms(1)), ap(server, 80), ap(client, 50000), synth.RST|synth.ACK, 0, 2, nil)
	if m := openSynth(t, &two).Hosts().Machine(); len(m.Addrs) != 1 || m.Addrs[0] != client {
		t.Errorf("SYN/RST: machine %+v, want the client %v", m, client)
	}
}

// A router's link-local IPv6 address, in every IPv6 packet because it only
// sends advertisements, is not the laptop: it sends from another hardware
// address.
func TestRouterAdvertisementsAreNotTheLaptop(t *testing.T) {
	var c synth.Capture
	router6 := netip.MustParseAddr("fe80::1")
	c.MACs = map[netip.Addr]net.HardwareAddr{router6: {0x02, 0x99, 0, 0, 0, 1}, gw: {0x02, 0x99, 0, 0, 0, 1}}
	for i := 0; i < 5; i++ {
		c.RouterAdvertisement(t0.Add(time.Duration(i)*time.Second), router6)
	}
	k := c.NewConn(ap(laptop, 50000), ap(netip.MustParseAddr("93.184.216.34"), 443), 1)
	now := k.Handshake(t0, ms(20))
	k.Data(now, true, 300)
	k.Close(now.Add(ms(50)), true)
	m := openSynth(t, &c).Hosts().Machine()
	if len(m.Addrs) != 1 || m.Addrs[0] != laptop || !strings.Contains(m.Note, "fe80::1") || !strings.Contains(m.Note, "another hardware address") {
		t.Errorf("machine %+v", m)
	}
}

// Rate bins start at the first packet, not at the clock's second.
func TestRateBinsStartAtTheFirstPacket(t *testing.T) {
	var c synth.Capture
	base := t0.Add(700 * time.Millisecond)
	for i, off := range []time.Duration{0, ms(500), ms(900), ms(1100), ms(1600), ms(2200), ms(2650)} {
		c.UDP(base.Add(off), ap(laptop, 40000), ap(gw, 9), make([]byte, 10*(i+1)))
	}
	bins, _ := openSynth(t, &c).Traffic().Bins(0)
	// [0, 1 s): 3 packets; [1, 2 s): 2; [2, 2.65 s]: 2, covering 0.65 s.
	want := []struct {
		packets int
		length  time.Duration
	}{{3, time.Second}, {2, time.Second}, {2, ms(650)}}
	if len(bins) != len(want) {
		t.Fatalf("%d bins: %+v", len(bins), bins)
	}
	for i, w := range want {
		if !bins[i].Start.Equal(base.Add(time.Duration(i)*time.Second)) || int(bins[i].Packets) != w.packets || bins[i].Length != w.length {
			t.Errorf("bin %d: %+v, want %d packets over %v from %v", i, bins[i], w.packets, w.length, base.Add(time.Duration(i)*time.Second))
		}
	}
}

// A responder that never answered is not named after its service; DTLS of
// the pre-standard version 0x0100 is DTLS, not QUIC by port; TLS seen from
// the server's side is still HTTPS.
func TestApplicationNames(t *testing.T) {
	var c synth.Capture
	scan := netip.MustParseAddr("198.51.100.50")
	c.TCP(t0, ap(laptop, 50001), ap(scan, 443), synth.SYN, 1, 0, nil)
	c.TCP(t0.Add(ms(10)), ap(laptop, 50002), ap(scan, 179), synth.SYN, 1, 0, nil)
	c.TCP(t0.Add(ms(11)), ap(scan, 179), ap(laptop, 50002), synth.RST|synth.ACK, 0, 2, nil)
	vpn := netip.MustParseAddr("198.51.100.60")
	c.UDP(t0.Add(ms(20)), ap(laptop, 50003), ap(vpn, 443), synth.DTLSRecord(0x0100, 1))
	c.UDP(t0.Add(ms(40)), ap(vpn, 443), ap(laptop, 50003), synth.DTLSRecord(0x0100, 2))
	web := netip.MustParseAddr("93.184.216.34") // mid-stream: the server's TLS record comes first
	c.TCP(t0.Add(ms(50)), ap(web, 443), ap(laptop, 50004), synth.ACK|synth.PSH, 9, 9, []byte{23, 3, 3, 0, 4, 1, 2, 3, 4})
	c.TCP(t0.Add(ms(51)), ap(laptop, 50004), ap(web, 443), synth.ACK, 9, 18, nil)
	names := map[uint16]string{}
	for f := range openSynth(t, &c).Flows().All() {
		n, _ := Application(f)
		names[f.OrigPort] = n
	}
	want := map[uint16]string{50001: "tcp/443 (no answer)", 50002: "tcp/179 (refused)", 50003: "DTLS", 443: "HTTPS"}
	for port, n := range want {
		if names[port] != n {
			t.Errorf("flow from port %d is %q, want %q (all: %v)", port, names[port], n, names)
		}
	}
}

// Frames without IP are counted by protocol; VLAN tags are counted.
func TestNonIPFramesAndVLANs(t *testing.T) {
	var c synth.Capture
	c.Link = synth.VLAN
	src := []byte{0x02, 0, 0, 0, 0, 0x33}
	cdp := append([]byte{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}, src...)
	cdp = append(cdp, 0x81, 0x00, 0x00, 0x0a, 0x00, 0x20, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00)
	cdp = append(cdp, make([]byte, 24)...)
	stp := append([]byte{0x01, 0x80, 0xc2, 0, 0, 0}, src...)
	stp = append(stp, 0x00, 0x26, 0x42, 0x42, 0x03)
	stp = append(stp, make([]byte, 35)...)
	for i := 0; i < 6; i++ {
		c.Frame(t0.Add(time.Duration(i)*time.Second), cdp)
		c.Frame(t0.Add(time.Duration(i)*time.Second+ms(1)), stp)
	}
	c.UDP(t0.Add(ms(5)), ap(laptop, 40000), ap(gw, 53), synth.DNS(1, "a.example", 1, false, 0, 0))
	s := openSynth(t, &c).Summary()
	if s.NonIPFrames["CDP"] != 6 || s.NonIPFrames["STP"] != 6 || len(s.NonIPFrames) != 2 || len(s.Skipped) != 0 {
		t.Errorf("non-IP frames %v, skipped %v", s.NonIPFrames, s.Skipped)
	}
	if s.VLANTags == nil || s.VLANTags.Single != 7 || s.VLANTags.IDs[10] != 6 || s.VLANTags.IDs[100] != 1 {
		t.Errorf("VLAN tags %+v", s.VLANTags)
	}
}

// Public addresses that the country data places nowhere are said so, not
// "no public address".
func TestUnlocatedPublicAddresses(t *testing.T) {
	var c synth.Capture
	c.UDP(t0, ap(netip.MustParseAddr("2001:db9::2"), 40000), ap(netip.MustParseAddr("2001:db9::1"), 443), make([]byte, 20))
	s := openSynth(t, &c).Hosts().Countries(5).Sentence()
	if !strings.Contains(s, "2 public addresses were seen, but the country data places none of them") {
		t.Errorf("sentence %q", s)
	}
}

// The sentences obey their criteria and plurals on small inputs.
func TestSentenceCriteria(t *testing.T) {
	var c synth.Capture
	// 23 UDP flows: 20 of 100 B and 3 of 130 B (not heavy-tailed), one pair
	for i := 0; i < 23; i++ {
		n := 58
		if i >= 20 {
			n = 88
		}
		c.UDP(t0.Add(time.Duration(i)*ms(100)), ap(laptop, uint16(40000+i)), ap(gw, 9), make([]byte, n))
	}
	cp := openSynth(t, &c)
	d := cp.Flows().SizeDistribution().Sentence()
	if strings.Contains(d, "heavy") || !strings.Contains(d, "the largest 3 flows (13 % of the flows)") {
		t.Errorf("distribution: %s", d)
	}
	if s := cp.Flows().Sizes().Sentence(); strings.Contains(s, "even number") || !strings.Contains(s, "23 flows (23 UDP)") {
		t.Errorf("sizes: %s", s)
	}
	if s := cp.Pairs().Ranking(100).Sentence(); !strings.HasPrefix(s, "There is only one host pair") {
		t.Errorf("pairs: %s", s)
	}
	if s := cp.Failures().Summary().Sentence(); strings.Contains(s, "TCP SYN") || strings.Contains(s, "DNS") {
		t.Errorf("failures, in a capture without TCP or DNS: %s", s)
	}
	if f := cp.Flows().Fastest(10, FastestOptions{}).Sentence(); !strings.HasPrefix(f, "No TCP connection's handshake") {
		t.Errorf("fastest: %s", f)
	}
	if cp.Flows().Slice()[0].State != flow.S0 {
		t.Error("one-way UDP flows should be S0")
	}
}

// Addresses 10 years older than the country data are flagged.
func TestGeoIPDateNote(t *testing.T) {
	var c synth.Capture
	c.UDP(time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC), ap(laptop, 1), ap(gw, 2), nil)
	if n := openSynth(t, &c).GeoIPNote(); !strings.Contains(n, "September 2026") || !strings.Contains(n, "May 2013") {
		t.Errorf("note %q", n)
	}
}

// Several captures are one input read in the order of their first
// packets, whatever order they are given in; a file given twice is read
// once.
func TestInputOrderAndDuplicates(t *testing.T) {
	half := func(from time.Duration, port uint16) string {
		var c synth.Capture
		for i := 0; i < 3; i++ {
			c.UDP(t0.Add(from+time.Duration(i)*time.Second), ap(laptop, port), ap(gw, 53), synth.DNS(uint16(i), "a.example", 1, false, 0, 0))
			c.UDP(t0.Add(from+time.Duration(i)*time.Second+ms(5)), ap(gw, 53), ap(laptop, port), synth.DNS(uint16(i), "a.example", 1, true, 0, 1))
		}
		return save(t, &c, fmt.Sprintf("part-%d.pcap", port))
	}
	a, b := half(0, 40000), half(30*time.Second, 40000) // the same 5-tuple across the two files
	inOrder, err := OpenFiles([]string{a, b}, IdleTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	reversed, err := OpenFiles([]string{b, a}, IdleTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	if inOrder.Flows().Count() != 1 || reversed.Flows().Count() != 1 || len(reversed.Input().Warnings) != 1 || len(inOrder.Input().Warnings) != 0 {
		t.Errorf("flows %d and %d (want one flow each); warnings %v, %v", inOrder.Flows().Count(), reversed.Flows().Count(),
			inOrder.Input().Warnings, reversed.Input().Warnings)
	}
	twice, err := OpenFiles([]string{a, a})
	if err != nil {
		t.Fatal(err)
	}
	if twice.Packets() != 6 || len(twice.Input().Warnings) != 1 || !strings.Contains(twice.Input().Warnings[0], "identical") {
		t.Errorf("a file given twice: %d packets, warnings %v", twice.Packets(), twice.Input().Warnings)
	}
	// Two files over the same 2 s (two interfaces, or one link twice) are
	// read, with a warning naming both and the overlap.
	c := half(ms(1500), 41000)
	both, err := OpenFiles([]string{a, c})
	if err != nil {
		t.Fatal(err)
	}
	if w := both.Input().Warnings; len(w) != 1 || !strings.Contains(w[0], "overlap in time by 505.000 ms") || both.Packets() != 12 {
		t.Errorf("overlapping files: %d packets, warnings %v", both.Packets(), w)
	}
}

// A NAT64 address (64:ff9b::/96) is an IPv4 server behind the network's
// translator: its own scope, and the IPv4 address inside it places it.
func TestNAT64Addresses(t *testing.T) {
	a := netip.MustParseAddr("64:ff9b::9765:798c")
	v4 := netip.MustParseAddr("151.101.121.140")
	if s := AddressScope(a); s != "NAT64" {
		t.Errorf("scope %q, want NAT64", s)
	}
	code, name := Country(a)
	wantCode, wantName := Country(v4)
	if code == "" || code != wantCode || name != wantName {
		t.Errorf("country %s %s, want the IPv4 address's %s %s", code, name, wantCode, wantName)
	}
	if s := AddressScope(netip.MustParseAddr("64:ff9c::1")); s != "public" {
		t.Errorf("64:ff9c::1 scope %q, want public", s)
	}
}
