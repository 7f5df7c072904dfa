package analysis

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

var t0 = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

var (
	client  = netip.MustParseAddr("192.168.1.10")
	router  = netip.MustParseAddr("192.168.1.1")
	web     = netip.MustParseAddr("93.184.216.34")
	ssh     = netip.MustParseAddr("198.51.100.7")
	closed  = netip.MustParseAddr("203.0.113.5")
	silent  = netip.MustParseAddr("198.51.100.9")
	ssdp    = netip.MustParseAddr("239.255.255.250")
	client6 = netip.MustParseAddr("2001:db8::10")
	web6    = netip.MustParseAddr("2606:4700::1111")
)

func ap(a netip.Addr, p uint16) netip.AddrPort { return netip.AddrPortFrom(a, p) }

// world is a synthetic capture with one of each kind of event, and the
// ledger of what the test put in.
type world struct {
	c         synth.Capture
	hostBytes map[netip.Addr]int
	hostPkts  map[netip.Addr]int
	flowBytes map[string]int // by a name the test gives each flow
	flowPkts  map[string]int
}

func (w *world) note(name string, n int, hosts ...netip.Addr) {
	w.flowBytes[name] += n
	w.flowPkts[name]++
	seen := map[netip.Addr]bool{}
	for _, h := range hosts {
		if !seen[h] {
			seen[h] = true
			w.hostBytes[h] += n
			w.hostPkts[h]++
		}
	}
}

func (w *world) conn(name string, k *synth.Conn, steps func(k *synth.Conn)) {
	before := len(w.c.Packets)
	steps(k)
	for _, p := range w.c.Packets[before:] {
		w.note(name, len(p.Data), k.Client.Addr(), k.Server.Addr())
	}
}

func buildWorld(link synth.Link) *world {
	w := &world{c: synth.Capture{Link: link}, hostBytes: map[netip.Addr]int{}, hostPkts: map[netip.Addr]int{}, flowBytes: map[string]int{}, flowPkts: map[string]int{}}
	c := &w.c
	// 1. a normal HTTPS connection
	w.conn("https", c.NewConn(ap(client, 50000), ap(web, 443), 1000), func(k *synth.Conn) {
		t := k.Handshake(t0, ms(20))
		k.Data(t.Add(ms(1)), true, 300)
		k.Data(t.Add(ms(30)), false, 1400)
		k.Data(t.Add(ms(31)), false, 1400)
		k.ACK(t.Add(ms(32)), true)
		k.Close(t.Add(ms(100)), true)
	})
	// 2. a SYN never answered, retransmitted once (same ISN: one flow)
	w.conn("s0", c.NewConn(ap(client, 50001), ap(ssh, 22), 2000), func(k *synth.Conn) {
		k.SYN(t0.Add(ms(200)))
		k.Client = ap(client, 50001)
		c.TCP(t0.Add(ms(1200)), k.Client, k.Server, synth.SYN, 2000, 0, nil)
	})
	// 3. a SYN rejected with RST
	w.conn("rej", c.NewConn(ap(client, 50002), ap(closed, 8080), 3000), func(k *synth.Conn) {
		k.SYN(t0.Add(ms(300)))
		k.RST(t0.Add(ms(310)), false)
	})
	// 4. a connection, then a new SYN on the same 5-tuple, handshake and abort
	w.conn("reuse1", c.NewConn(ap(client, 50003), ap(web, 80), 4000), func(k *synth.Conn) {
		t := k.Handshake(t0.Add(ms(400)), ms(10))
		k.Data(t, true, 100)
		k.Data(t.Add(ms(10)), false, 500)
		k.Close(t.Add(ms(20)), false)
	})
	w.conn("reuse2", c.NewConn(ap(client, 50003), ap(web, 80), 9000), func(k *synth.Conn) {
		t := k.Handshake(t0.Add(ms(2400)), ms(10))
		k.RST(t.Add(ms(5)), false) // the server resets: tcp_aborted
	})
	// 5. DNS: an answer, an NXDOMAIN, and a query with no response
	dns := func(name string, port uint16, t time.Time, qname string, id uint16, rcode int) {
		n := c.UDP(t, ap(client, port), ap(router, 53), synth.DNS(id, qname, 1, false, 0, 0))
		w.note(name, n, client, router)
		if rcode >= 0 {
			answers := 0
			if rcode == 0 {
				answers = 1
			}
			n = c.UDP(t.Add(ms(15)), ap(router, 53), ap(client, port), synth.DNS(id, qname, 1, true, uint8(rcode), answers))
			w.note(name, n, router, client)
		}
	}
	dns("dns-ok", 40000, t0.Add(ms(500)), "example.com", 1, 0)
	dns("dns-nx", 40001, t0.Add(ms(600)), "nx.example", 2, 3)
	dns("dns-lost", 40002, t0.Add(ms(700)), "lost.example", 3, -1)
	// 6. UDP answered by ICMP port unreachable
	n := c.UDP(t0.Add(ms(800)), ap(client, 40003), ap(router, 9999), make([]byte, 10))
	w.note("udp-icmp", n, client, router)
	n = c.ICMPError(t0.Add(ms(801)), router, client, 3, 3, synth.UDPPacket(ap(client, 40003), ap(router, 9999), make([]byte, 10)))
	w.note("icmp-err", n, router, client)
	// 7. a UDP request (NTP, client mode) to a unicast host that never
	// answers, and a one-way datagram whose payload asks nothing
	n = c.UDP(t0.Add(ms(900)), ap(client, 40004), ap(silent, 123), synth.NTP(false))
	w.note("udp-silent", n, client, silent)
	n = c.UDP(t0.Add(ms(950)), ap(client, 40005), ap(silent, 5000), make([]byte, 20))
	w.note("udp-unknown", n, client, silent)
	// 8. IPv6 HTTPS
	w.conn("https6", c.NewConn(ap(client6, 50010), ap(web6, 443), 5000), func(k *synth.Conn) {
		t := k.Handshake(t0.Add(ms(1000)), ms(30))
		k.Data(t, true, 200)
		k.Data(t.Add(ms(40)), false, 1000)
		k.Close(t.Add(ms(50)), true)
	})
	// 9. ICMPv6 echo
	n = c.Echo(t0.Add(ms(1100)), client6, web6, 7, 1, false)
	w.note("ping6", n, client6, web6)
	n = c.Echo(t0.Add(ms(1130)), web6, client6, 7, 1, true)
	w.note("ping6", n, client6, web6)
	// 10. SSDP to multicast, stamped before everything else (out of order)
	n = c.UDP(t0.Add(-time.Second), ap(client, 1900), ap(ssdp, 1900), []byte("M-SEARCH * HTTP/1.1\r\n\r\n"))
	w.note("ssdp", n, client, ssdp)
	// 11. a short HTTPS connection 8 s in: the capture then lasts long
	// enough (AnswerWait, 5 s) to judge the unanswered requests above
	w.conn("late", c.NewConn(ap(client, 50020), ap(web, 443), 7000), func(k *synth.Conn) {
		t := k.Handshake(t0.Add(ms(8000)), ms(4))
		k.Close(t.Add(ms(6)), true)
	})
	return w
}

func save(t *testing.T, c *synth.Capture, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// findFlows returns the flows with the given protocol and originator port.
func findFlows(c *Capture, proto flow.Proto, origPort uint16) []flow.Flow {
	var out []flow.Flow
	for f := range c.Flows().All() {
		if f.Proto == proto && f.OrigPort == origPort {
			out = append(out, *f)
		}
	}
	return out
}

func TestWorldExactFigures(t *testing.T) {
	w := buildWorld(synth.Ethernet)
	c, err := Open(save(t, &w.c, "world.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Summary()
	if s.Packets != uint64(w.c.Len()) || s.Bytes != uint64(w.c.Bytes()) {
		t.Errorf("packets, bytes = %d, %d; want %d, %d", s.Packets, s.Bytes, w.c.Len(), w.c.Bytes())
	}
	// from -1 s (SSDP) to the last ACK of the late connection
	last := w.c.Packets[len(w.c.Packets)-1].Time
	if d := s.DurationS - last.Sub(t0.Add(-time.Second)).Seconds(); d > 1e-9 || d < -1e-9 || last.Sub(t0) < 8*time.Second {
		t.Errorf("duration_s = %v, want %v", s.DurationS, last.Sub(t0.Add(-time.Second)).Seconds())
	}
	if got := c.Start(); !got.Equal(t0.Add(-time.Second)) {
		t.Errorf("start = %v, want the out-of-order SSDP packet's time", got)
	}
	if s.IPv4Hosts != 7 || s.IPv6Hosts != 2 {
		t.Errorf("hosts = %d IPv4, %d IPv6; want 7, 2", s.IPv4Hosts, s.IPv6Hosts)
	}
	if s.TCPFlows != 7 || s.UDPFlows != 7 || s.ICMPFlows != 2 || s.Flows != 16 {
		t.Errorf("flows = %d (TCP %d, UDP %d, ICMP %d); want 16 (7, 7, 2)", s.Flows, s.TCPFlows, s.UDPFlows, s.ICMPFlows)
	}
	for h, b := range w.hostBytes {
		got, ok := c.Hosts().Get(h)
		if !ok || got.Bytes != uint64(b) || got.Packets != uint64(w.hostPkts[h]) {
			t.Errorf("host %v = %+v, want %d bytes %d packets", h, got, b, w.hostPkts[h])
		}
	}
	// TCP flows: state, history, bytes, RTT.
	tests := []struct {
		name    string
		port    uint16
		n       int
		state   flow.State
		history string
		rtt     time.Duration
	}{
		{"https", 50000, 1, flow.SF, "ShADdFf", ms(20)},
		{"s0", 50001, 1, flow.S0, "S", -1},
		{"rej", 50002, 1, flow.REJ, "Sr", -1},
		{"https6", 50010, 1, flow.SF, "ShADdFf", ms(30)},
	}
	for _, tc := range tests {
		fl := findFlows(c, flow.TCP, tc.port)
		if len(fl) != tc.n {
			t.Errorf("%s: %d flows, want %d", tc.name, len(fl), tc.n)
			continue
		}
		f := fl[0]
		if f.State != tc.state || f.History != tc.history || f.RTT != tc.rtt || f.Bytes() != uint64(w.flowBytes[tc.name]) {
			t.Errorf("%s: state %s history %s rtt %v bytes %d; want %s %s %v %d", tc.name, f.State, f.History,
				f.RTT, f.Bytes(), tc.state, tc.history, tc.rtt, w.flowBytes[tc.name])
		}
	}
	if s0 := findFlows(c, flow.TCP, 50001); len(s0) == 1 && s0[0].OrigPackets != 2 {
		t.Errorf("retransmitted SYN: %d packets in the S0 flow, want 2", s0[0].OrigPackets)
	}
	reuse := findFlows(c, flow.TCP, 50003)
	if len(reuse) != 2 {
		t.Fatalf("reused 5-tuple: %d flows, want 2", len(reuse))
	}
	if reuse[0].State != flow.SF || reuse[0].Ended != flow.EndReused || reuse[0].Ended.String() != "reused" || reuse[1].State != flow.RSTR ||
		reuse[0].Bytes() != uint64(w.flowBytes["reuse1"]) || reuse[1].Bytes() != uint64(w.flowBytes["reuse2"]) {
		t.Errorf("reused 5-tuple: %s/%s %d B, %s %d B", reuse[0].State, reuse[0].Ended, reuse[0].Bytes(), reuse[1].State, reuse[1].Bytes())
	}
	// The UDP flow that drew an ICMP error knows it.
	if u := findFlows(c, flow.UDP, 40003); len(u) != 1 || u[0].ICMPError != flow.MakeICMPError(3, 3) ||
		u[0].ICMPError.Type() != 3 || u[0].ICMPError.Code() != 3 || u[0].State != flow.S0 {
		t.Errorf("UDP flow with ICMP error: %+v", u)
	}
	if e := c.ICMPErrors(); len(e) != 1 || !e[0].Matched || e[0].QDstPort != 9999 || e[0].From != router {
		t.Errorf("ICMP errors = %+v", e)
	}
	// DNS.
	dns := c.DNS()
	if len(dns) != 3 {
		t.Fatalf("DNS transactions = %d, want 3", len(dns))
	}
	for i, want := range []struct {
		name     string
		answered bool
		rcode    uint8
	}{{"example.com", true, 0}, {"nx.example", true, 3}, {"lost.example", false, 0}} {
		d := dns[i]
		if d.Name != want.name || d.Answered != want.answered || d.RCode != want.rcode {
			t.Errorf("DNS %d = %s answered=%v rcode=%d; want %+v", i, d.Name, d.Answered, d.RCode, want)
		}
	}
	// Failures.
	wantFail := []FailureClass{
		{FailTCPNoAnswer, 1, 1}, {FailTCPRejected, 1, 1}, {FailTCPAborted, 1, 1}, {FailICMPPort, 1, 1},
		{FailDNSNXDomain, 1, 1}, {FailDNSNoResponse, 1, 1}, {FailUDPNoReply, 1, 1},
	}
	if fs := c.Failures().Summary(); fs.UDPUnjudged != 1 || len(fs.FailedHosts) != 5 || len(fs.OnlyFailed) != 3 ||
		len(fs.FailedNames) != 1 || len(fs.Unfinished) != 0 {
		// failed: ssh (no answer), closed (RST), web (aborted), router (port unreachable, no DNS answer), silent (NTP);
		// of those, web and router answered other requests
		t.Errorf("failure summary: %d unjudged UDP, failed hosts %v (only failed %v), names %v, unfinished %v",
			fs.UDPUnjudged, fs.FailedHosts, fs.OnlyFailed, fs.FailedNames, fs.Unfinished)
	}
	if got := s.Failures; !equalRows(got, wantFail) {
		t.Errorf("failures = %+v\nwant %+v", got, wantFail)
	}
	// Ports: a packet counts once per distinct port; 1900→1900 counts once.
	if p := c.Ports().UDP(1900); p.Packets != 1 {
		t.Errorf("UDP 1900: %d packets, want 1", p.Packets)
	}
	if p := c.Ports().UDP(53); p.Packets != 5 {
		t.Errorf("UDP 53: %d packets, want 5", p.Packets)
	}
	if p := c.Ports().TCP(53); p.Packets != 0 {
		t.Errorf("TCP 53: %d packets, want 0", p.Packets)
	}
}

func equalRows(a, b []FailureClass) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Every framing gives the same flows and hosts; bytes follow the frames.
func TestLinkTypes(t *testing.T) {
	ref := buildWorld(synth.Ethernet)
	rc, err := Open(save(t, &ref.c, "eth.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	want := rc.Summary()
	for _, link := range []synth.Link{synth.VLAN, synth.QinQ, synth.SLL2, synth.RawIP, synth.Null} {
		w := buildWorld(link)
		c, err := Open(save(t, &w.c, "x.pcap"))
		if err != nil {
			t.Fatal(err)
		}
		s := c.Summary()
		if s.Packets != want.Packets || s.Bytes != uint64(w.c.Bytes()) || s.Flows != want.Flows ||
			s.IPv4Hosts != want.IPv4Hosts || s.IPv6Hosts != want.IPv6Hosts || !equalRows(s.Failures, want.Failures) {
			t.Errorf("link %v: %+v\nwant like %+v", link.LinkType(), s, want)
		}
		if len(s.Skipped) != 0 {
			t.Errorf("link %v: skipped %v", link.LinkType(), s.Skipped)
		}
	}
}

// A pcapng file with two interfaces of different link types and timestamp
// resolutions, and the same file gzip-compressed.
func TestPcapngTwoInterfacesAndGzip(t *testing.T) {
	var c synth.Capture
	k := c.NewConn(ap(client, 50000), ap(web, 443), 1)
	k.Handshake(t0, ms(10))
	c.Link, c.Iface = synth.SLL2, 1
	k.Data(t0.Add(ms(11)+time.Nanosecond*7), true, 100)
	k.Close(t0.Add(ms(20)), true)
	path := save(t, &c, "two.pcapng")
	got, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Summary()
	if s.Packets != 7 || s.Bytes != uint64(c.Bytes()) || s.TCPFlows != 1 || got.Flows().Slice()[0].State != flow.SF {
		t.Errorf("pcapng: %d packets %d bytes %d flows; want 7 %d 1 SF", s.Packets, s.Bytes, s.TCPFlows, c.Bytes())
	}
	if lts := s.Files[0].LinkTypes; len(lts) != 2 {
		t.Errorf("link types = %v, want Ethernet and SLL2", lts)
	}
	// nanosecond timestamps survive
	if end := got.End(); !end.Equal(c.Packets[len(c.Packets)-1].Time) {
		t.Errorf("end = %v, want %v", end, c.Packets[len(c.Packets)-1].Time)
	}
	raw, _ := os.ReadFile(path)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	gzPath := filepath.Join(t.TempDir(), "capture.bin") // name says nothing
	os.WriteFile(gzPath, gz.Bytes(), 0o644)
	g, err := Open(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	if gs := g.Summary(); gs.Packets != s.Packets || gs.Bytes != s.Bytes || gs.Files[0].Format != "pcapng + gzip" {
		t.Errorf("gzip: %+v", gs.Files)
	}
}

func TestIdleTimeouts(t *testing.T) {
	var c synth.Capture
	a, b := ap(client, 5000), ap(silent, 6000)
	c.UDP(t0, a, b, nil)
	c.UDP(t0.Add(30*time.Second), b, a, nil)
	c.UDP(t0.Add(100*time.Second), a, b, nil) // 70 s idle: a new flow by default
	k := c.NewConn(ap(client, 50000), ap(web, 443), 1)
	k.Handshake(t0, ms(10))
	k.Close(t0.Add(ms(20)), true)
	c.TCP(t0.Add(45*time.Second), k.Client, k.Server, synth.ACK, 5, 5, nil) // 45 s after close
	path := save(t, &c, "idle.pcap")
	for _, tc := range []struct {
		opts     []Option
		udp, tcp int
	}{
		{nil, 2, 2},
		{[]Option{IdleTimeout(0)}, 1, 1},
		{[]Option{IdleTimeout(2 * time.Minute)}, 1, 1},
	} {
		got, err := Open(path, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		s := got.Summary()
		if s.UDPFlows != tc.udp || s.TCPFlows != tc.tcp {
			t.Errorf("%d options: %d UDP, %d TCP flows; want %d, %d", len(tc.opts), s.UDPFlows, s.TCPFlows, tc.udp, tc.tcp)
		}
	}
}

func TestFragmentsBelongToTheirFlow(t *testing.T) {
	var c synth.Capture
	src, dst := ap(client, 40000), ap(router, 53)
	whole := synth.UDPPacket(src, dst, make([]byte, 100)) // 20 IP + 8 UDP + 100
	// split after 48 bytes of IP payload: fragment 1 has the UDP header
	hdr := append([]byte(nil), whole[:20]...)
	f1 := append(append([]byte(nil), hdr...), whole[20:68]...)
	f1[6], f1[7] = 0x20, 0x00 // MF, offset 0
	f1[2], f1[3] = 0, byte(len(f1))
	f1[4], f1[5] = 0x12, 0x34
	f2 := append(append([]byte(nil), hdr...), whole[68:]...)
	f2[6], f2[7] = 0x00, 6 // offset 48/8
	f2[2], f2[3] = 0, byte(len(f2))
	f2[4], f2[5] = 0x12, 0x34
	n1 := c.Raw(t0, true, f1)
	n2 := c.Raw(t0.Add(ms(1)), true, f2)
	got, err := Open(save(t, &c, "frag.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	fl := got.Flows().Slice()
	if len(fl) != 1 || fl[0].Packets() != 2 || fl[0].Bytes() != uint64(n1+n2) || fl[0].RespPort != 53 {
		t.Errorf("fragmented datagram: flows %+v; want one flow of 2 packets, %d bytes", fl, n1+n2)
	}
	if p := got.Ports().UDP(53); p.Packets != 1 {
		t.Errorf("UDP port 53 counted %d packets; only the first fragment carries ports", p.Packets)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	w := buildWorld(synth.Ethernet)
	var full bytes.Buffer
	w.c.WritePcap(&full)
	n := w.c.Len()

	cases := []struct {
		name, path string
		wantErr    string // "" when the capture must open
		warning    string
		packets    uint64
	}{
		{"empty", write("empty.pcap", nil), "empty.pcap: empty file", "", 0},
		{"text", write("notes.txt", []byte("hello, this is not a capture\n")), "notes.txt: not a pcap or pcapng file", "", 0},
		{"header only: a valid capture of no packets, zeros with a warning", write("hdr.pcap", full.Bytes()[:24]), "", "hdr.pcap: no packets in capture", 0},
		{"short header", write("short.pcap", full.Bytes()[:10]), "short.pcap: bad pcap file header", "", 0},
		{"truncated last record", write("cut.pcap", full.Bytes()[:full.Len()-5]), "",
			"cut.pcap: packet " + itoa(n) + ": record truncated at end of file (kept " + itoa(n-1) + " packets)", uint64(n - 1)},
		{"missing", filepath.Join(dir, "nope.pcap"), "nope.pcap: no such file or directory", "", 0},
		{"directory", dir, "is a directory", "", 0},
	}
	for _, tc := range cases {
		c, err := Open(tc.path)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error spans lines: %q", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.Packets() != tc.packets || !strings.HasSuffix(c.Input().Files[0].Warning, tc.warning) {
			t.Errorf("%s: %d packets, warning %q; want %d, %q", tc.name, c.Packets(), c.Input().Files[0].Warning, tc.packets, tc.warning)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Frames of a link type pcaplab does not decode are counted, not fatal.
func TestUnknownLinkTypeIsCounted(t *testing.T) {
	var c synth.Capture
	c.Frame(t0, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	var buf bytes.Buffer
	c.WritePcap(&buf)
	b := buf.Bytes()
	b[20] = 147 // LINKTYPE_USER0
	p := filepath.Join(t.TempDir(), "user.pcap")
	os.WriteFile(p, b, 0o644)
	got, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Packets() != 1 || got.Bytes() != 8 || got.Input().Skipped["unsupported link type 147"] != 1 {
		t.Errorf("packets %d bytes %d skipped %v", got.Packets(), got.Bytes(), got.Input().Skipped)
	}
}

// Several files given together are one input: a flow split across two
// rotated files is one flow.
func TestSeveralFilesAreOneInput(t *testing.T) {
	var a, b synth.Capture
	k := a.NewConn(ap(client, 50000), ap(web, 443), 1)
	k.Handshake(t0, ms(10))
	k.C = &b
	k.Data(t0.Add(ms(20)), false, 500)
	k.Close(t0.Add(ms(30)), true)
	c, err := OpenFiles([]string{save(t, &a, "a.pcap"), save(t, &b, "b.pcapng")})
	if err != nil {
		t.Fatal(err)
	}
	s := c.Summary()
	if s.Packets != uint64(a.Len()+b.Len()) || s.Bytes != uint64(a.Bytes()+b.Bytes()) || s.TCPFlows != 1 ||
		c.Flows().Slice()[0].State != flow.SF || len(s.Files) != 2 {
		t.Errorf("two files: %d packets, %d bytes, %d TCP flows (%s), %d files", s.Packets, s.Bytes, s.TCPFlows, c.Flows().Slice()[0].State, len(s.Files))
	}
}

// A cap on live flows ends the longest-idle ones early and counts them.
func TestMaxFlowsEvicts(t *testing.T) {
	var c synth.Capture
	for i := 0; i < 50; i++ {
		c.UDP(t0.Add(time.Duration(i)*ms(10)), ap(client, uint16(20000+i)), ap(router, 53), synth.DNS(uint16(i), "a.example", 1, false, 0, 0))
	}
	// the first flow gets a second packet after everything else
	c.UDP(t0.Add(ms(600)), ap(client, 20000), ap(router, 53), synth.DNS(1000, "b.example", 1, false, 0, 0))
	p := save(t, &c, "many.pcap")
	got, err := Open(p, MaxFlows(10))
	if err != nil {
		t.Fatal(err)
	}
	s := got.Summary()
	if s.EvictedFlows != 41 || s.Flows != 51 || s.Packets != 51 {
		// flows 11…50 each push the oldest live flow out (40), and the
		// late packet of flow 1 finds it gone (1 more eviction, 51 flows)
		t.Errorf("evicted %d, flows %d, packets %d", s.EvictedFlows, s.Flows, s.Packets)
	}
	var evicted int
	for f := range got.Flows().All() {
		if f.Ended == flow.EndEvicted {
			evicted++
		}
	}
	if uint64(evicted) != s.EvictedFlows {
		t.Errorf("%d flows marked evicted, summary says %d", evicted, s.EvictedFlows)
	}
	if all, _ := Open(p); all.Summary().EvictedFlows != 0 || all.Summary().Flows != 50 {
		t.Errorf("without a cap: %+v", all.Summary().Flows)
	}
}
