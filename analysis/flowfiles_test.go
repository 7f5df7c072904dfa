package analysis

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// flowKey identifies a flow by protocol and both endpoints.
func flowKey(f *flow.Flow) string {
	return ProtocolName(f.Proto) + " " + netip.AddrPortFrom(f.Orig, f.OrigPort).String() + " " + netip.AddrPortFrom(f.Resp, f.RespPort).String()
}

func flowsByKey(c *Capture) map[string][]flow.Flow {
	m := map[string][]flow.Flow{}
	for f := range c.Flows().All() {
		m[flowKey(f)] = append(m[flowKey(f)], *f)
	}
	return m
}

func openSample(t *testing.T, opts ...Option) *Capture {
	t.Helper()
	c, err := Open("../testdata/sample.pcapng", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openFlowFile(t *testing.T, name, wantFormat string) *Capture {
	t.Helper()
	c, err := Open("../testdata/flowfiles/" + name) // recognised from the content
	if err != nil {
		t.Fatal(err)
	}
	ff := c.Input().FlowFile
	if ff == nil || ff.Format != wantFormat {
		t.Fatalf("%s: read as %+v, want %q", name, ff, wantFormat)
	}
	return c
}

// pcaplab's own CSV gives back exactly the flows it was written from.
func TestFlowCSVRoundTrip(t *testing.T) {
	c := openSample(t)
	p := filepath.Join(t.TempDir(), "flows.csv")
	f, _ := os.Create(p)
	if err := c.Flows().WriteCSV(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := OpenFlows(p)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Flows().Slice(), back.Flows().Slice()
	if len(a) != len(b) {
		t.Fatalf("%d flows back, want %d", len(b), len(a))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x != y {
			t.Fatalf("flow %d:\n got %+v\nwant %+v", i, y, x)
		}
	}
	// and the committed example is that export of the sample
	ex := openFlowFile(t, "sample.pcaplab.csv", "pcaplab flows CSV")
	if ex.Summary().Flows != len(a) || ex.Bytes() != sumFlowBytes(a) {
		t.Errorf("example CSV: %d flows, %d bytes", ex.Summary().Flows, ex.Bytes())
	}
	if e := ex.Flows().Slice(); len(e) == len(a) {
		for i := range a {
			if e[i] != a[i] {
				t.Fatalf("example CSV, flow %d:\n got %+v\nwant %+v (regenerate it: pcaplab flows -o testdata/flowfiles/sample.pcaplab.csv testdata/sample.pcapng)", i, e[i], a[i])
			}
		}
	}
}

func sumFlowBytes(fl []flow.Flow) uint64 {
	var n uint64
	for _, f := range fl {
		n += f.Bytes()
	}
	return n
}

// tshark's conversation table, made from the sample: the same TCP and UDP
// conversations as pcaplab with no timeouts, the same packets, bytes within
// tshark's rounding.
func TestTsharkConvFile(t *testing.T) {
	c := openFlowFile(t, "sample.tshark-conv.txt", "tshark -z conv (text)")
	ref := flowsByKey(openSample(t, IdleTimeout(0)))
	s := c.Summary()
	if s.TCPFlows != 20 || s.UDPFlows != 36 || s.ICMPFlows != 0 {
		t.Errorf("flows: %d TCP %d UDP %d ICMP", s.TCPFlows, s.UDPFlows, s.ICMPFlows)
	}
	for f := range c.Flows().All() {
		r := ref[flowKey(f)]
		if len(r) != 1 {
			t.Errorf("%s: not one pcaplab flow (%d)", flowKey(f), len(r))
			continue
		}
		g := r[0]
		if f.OrigPackets != g.OrigPackets || f.RespPackets != g.RespPackets {
			t.Errorf("%s: packets %d/%d, pcaplab %d/%d", flowKey(f), f.OrigPackets, f.RespPackets, g.OrigPackets, g.RespPackets)
		}
		for _, x := range [][2]uint64{{f.OrigBytes, g.OrigBytes}, {f.RespBytes, g.RespBytes}} {
			d := int64(x[0]) - int64(x[1])
			if d > 500 || d < -500 {
				t.Errorf("%s: bytes %d, pcaplab %d: off by more than tshark's rounding", flowKey(f), x[0], x[1])
			}
		}
	}
	ff := c.Input().FlowFile
	if ff.HasState || !strings.Contains(strings.Join(ff.Notes, " "), "±500 bytes") {
		t.Errorf("notes: %v", ff.Notes)
	}
}

// IPv6 addr:port is split at the last colon; "543 kB" is 543 000 to
// 543 999 bytes (tshark cuts), read as the middle, 543 500.
func TestTsharkConvIPv6AndUnits(t *testing.T) {
	text := `================================================================================
TCP Conversations
Filter:<No Filter>
                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |
                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |
2001:db8::1:50000      <-> 2606:4700::1111:443      12 543 kB          8 1200 bytes      20 544 kB         1.500000000         2.0000
================================================================================
`
	p := filepath.Join(t.TempDir(), "conv.txt")
	os.WriteFile(p, []byte(text), 0o644)
	c, err := OpenFlows(p)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Flows().Slice()[0]
	if f.Orig != netip.MustParseAddr("2001:db8::1") || f.OrigPort != 50000 || f.Resp != netip.MustParseAddr("2606:4700::1111") ||
		f.RespPort != 443 || f.RespBytes != 543500 || f.OrigBytes != 1200 || f.RespPackets != 12 || f.Duration() != 2*time.Second {
		t.Errorf("flow = %+v", f)
	}
}

// nfdump's one-way records (nfpcapd on the sample) are paired back into
// pcaplab's flows; its bytes are IP bytes: 14 bytes less per Ethernet frame.
func TestNfdumpFile(t *testing.T) {
	c := openFlowFile(t, "sample.nfdump.csv", "nfdump -o csv")
	ref := openSample(t)
	if c.Packets() != 1657 { // every IP packet; the 2 ARP frames are not flows
		t.Errorf("packets = %d, want 1657", c.Packets())
	}
	var ipBytes uint64
	for f := range ref.Flows().All() {
		ipBytes += f.Bytes() - 14*f.Packets()
	}
	if c.Bytes() != ipBytes {
		t.Errorf("bytes = %d, want pcaplab's IP bytes %d", c.Bytes(), ipBytes)
	}
	byKey := flowsByKey(ref)
	matched := 0
	for f := range c.Flows().All() {
		if f.Proto != flow.TCP {
			continue
		}
		r := byKey[flowKey(f)]
		if len(r) == 1 {
			matched++
			if r[0].State != f.State {
				t.Errorf("%s: state %s, pcaplab %s", flowKey(f), f.State, r[0].State)
			}
		}
	}
	if matched != 20 {
		t.Errorf("%d of 20 TCP flows paired to pcaplab's", matched)
	}
	rows := c.Failures().Classes()
	if len(rows) < 2 || rows[0].Class != FailTCPNoAnswer || rows[1].Class != FailTCPRejected {
		t.Errorf("failures from nfdump flags: %+v", rows)
	}
}

// Argus (argus + ra on the sample): status records merged back into flows.
func TestArgusFile(t *testing.T) {
	c := openFlowFile(t, "sample.argus.csv", "Argus ra -c ,")
	ref := openSample(t).Summary()
	s := c.Summary()
	if s.Flows != ref.Flows || s.TCPFlows != ref.TCPFlows || s.UDPFlows != ref.UDPFlows || c.Packets() != 1657 {
		t.Errorf("argus: %d flows (%d TCP, %d UDP), %d packets; pcaplab %d (%d, %d)", s.Flows, s.TCPFlows, s.UDPFlows, c.Packets(), ref.Flows, ref.TCPFlows, ref.UDPFlows)
	}
	if c.Bytes() != 1454252 { // wire bytes of the IP packets, as pcaplab's flows
		t.Errorf("bytes = %d", c.Bytes())
	}
}

// Zeek (TSV and JSON), CICFlowMeter and NFStream examples hold five flows of
// the sample, written by hand in each tool's format.
func TestHandWrittenFormats(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		tlsBytes     uint64     // both directions of the TLS flow to 185.15.59.240
		state        flow.State // of the flow to 192.168.1.77:445 (Unknown: the format does not say)
		app, sni     string
	}{
		{"sample.zeek-conn.log", "Zeek conn.log (TSV)", 3985 - 56*14 + 177950 - 125*14, flow.S0, "TLS", ""},
		{"sample.zeek-conn.json", "Zeek conn.log (JSON)", 3985 - 56*14 + 177950 - 125*14, flow.S0, "TLS", ""},
		{"sample.cicflowmeter.csv", "CICFlowMeter CSV", 961 + 171200, flow.Unknown, "", ""},
		{"sample.nfstream.csv", "NFStream CSV", 3985 + 177950, flow.Unknown, "TLS.Wikipedia", "upload.wikimedia.org"},
	} {
		c := openFlowFile(t, tc.file, tc.format)
		m := flowsByKey(c)
		tls := m["TCP 192.168.1.23:51004 185.15.59.240:443"]
		s0 := m["TCP 192.168.1.23:51025 192.168.1.77:445"]
		if c.Flows().Count() != 5 || len(c.Flows().Slice()) != 5 || len(tls) != 1 || len(s0) != 1 {
			t.Errorf("%s: %d flows", tc.file, c.Flows().Count())
			continue
		}
		if tls[0].Bytes() != tc.tlsBytes || tls[0].Packets() != 181 || tls[0].App != tc.app || tls[0].ServerName != tc.sni || s0[0].State != tc.state {
			t.Errorf("%s: TLS flow %+v, S0 flow state %q", tc.file, tls[0], s0[0].State)
		}
	}
}

// pcaplabCSV is pcaplab's flow CSV of one flow from 10.0.0.1 to 10.0.0.2.
func pcaplabCSV(t *testing.T) (header, row string) {
	t.Helper()
	var buf bytes.Buffer
	w, err := flow.NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	r := flow.Record{Flow: flow.Flow{Proto: flow.TCP, Orig: netip.MustParseAddr("10.0.0.1"), OrigPort: 1, Resp: netip.MustParseAddr("10.0.0.2"),
		RespPort: 2, First: 1, Last: 2, OrigPackets: 1, RespPackets: 1, OrigBytes: 60, RespBytes: 60, RTT: -1}}
	if err := w.Write(&r); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	header, row, _ = strings.Cut(buf.String(), "\n")
	return header + "\n", row
}

func TestFlowFileErrors(t *testing.T) {
	dir := t.TempDir()
	header, row := pcaplabCSV(t)
	if !strings.Contains(row, ",10.0.0.1,") {
		t.Fatalf("the flow's row does not hold its originator: %q", row)
	}
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"missing.csv", "ts,te,td,sa,da,sp,dp,pr,flg\n2025-01-01 00:00:00,2025-01-01 00:00:01,1,10.0.0.1,10.0.0.2,1,2,TCP,......\n", []string{`missing column "ipkt"`}},
		{"badaddr.csv", header + strings.Replace(row, ",10.0.0.1,", ",not-an-ip,", 1), []string{`line 2: orig_addr: `, `"not-an-ip"`}},
		{"empty.csv", header, []string{"with no flow records"}},
	} {
		p := filepath.Join(dir, tc.name)
		os.WriteFile(p, []byte(tc.content), 0o644)
		_, err := OpenFlows(p)
		if err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
	}
	// The row as written is read back: only the address made it fail.
	p := filepath.Join(dir, "good.csv")
	os.WriteFile(p, []byte(header+row), 0o644)
	if c, err := OpenFlows(p); err != nil || c.Flows().Count() != 1 {
		t.Errorf("the unaltered row: %v", err)
	}
	p = filepath.Join(dir, "prose.txt")
	os.WriteFile(p, []byte("just some text\n"), 0o644)
	if _, err := OpenFlows(p); err == nil || !strings.Contains(err.Error(), "not a flow file") {
		t.Errorf("prose: %v", err)
	}
}
