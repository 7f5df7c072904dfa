package analysis

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
	"github.com/pcaplab/pcaplab/table"
	"gonum.org/v1/plot"
)

// openWorld opens the synthetic world of engine_test.go.
func openWorld(t *testing.T) (*world, *Capture) {
	t.Helper()
	w := buildWorld(synth.Ethernet)
	c, err := Open(save(t, &w.c, "world.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	return w, c
}

// text shows rows as a table, for failure messages.
func text[T any](rows []T) string { return table.Of(rows).Text() }

func sumOf(w *world, names ...string) int {
	n := 0
	for _, x := range names {
		n += w.flowBytes[x]
	}
	return n
}

var (
	tcpFlows  = []string{"https", "s0", "rej", "reuse1", "reuse2", "https6", "late"}
	udpFlows  = []string{"dns-ok", "dns-nx", "dns-lost", "udp-icmp", "udp-silent", "udp-unknown", "ssdp"}
	allFlows  = append(append(append([]string{}, tcpFlows...), udpFlows...), "icmp-err", "ping6")
	routerSet = []string{"dns-ok", "dns-nx", "dns-lost", "udp-icmp", "icmp-err"}
)

func TestFlowSizeStats(t *testing.T) {
	w, c := openWorld(t)
	var bytes, pkts []float64
	for _, n := range allFlows {
		bytes = append(bytes, float64(w.flowBytes[n]))
		pkts = append(pkts, float64(w.flowPkts[n]))
	}
	stats := func(v []float64) [4]float64 {
		sort.Float64s(v)
		sum := 0.0
		for _, x := range v {
			sum += x
		}
		return [4]float64{v[0], (v[7] + v[8]) / 2, sum / 16, v[15]} // 16 flows: median of the 8th and 9th
	}
	rows := c.Flows().Sizes().Rows()
	if len(rows) != 2 || rows[0].Measure != "bytes" || rows[1].Measure != "packets" {
		t.Fatalf("sizes:\n%s", text(rows))
	}
	for row, want := range [][4]float64{stats(bytes), stats(pkts)} {
		r := rows[row]
		got := [4]float64{r.Min, r.Median, r.Mean, r.Max}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Errorf("row %d (%s): %v, want %v", row, r.Measure, got, want)
				break
			}
		}
		if r.Flows != 16 {
			t.Errorf("flows = %v, want 16", r.Flows)
		}
	}
	// The distribution: the last row has cdf 1 and ccdf 0, sizes ascend.
	d := c.Flows().SizeDistribution()
	last := len(d) - 1
	if d[last].CDF != 1 || d[last].CCDF != 0 || float64(d[0].Bytes) != stats(bytes)[0] {
		t.Errorf("distribution:\n%s", text(d))
	}
}

func TestTopProtocolsAndPorts(t *testing.T) {
	w, c := openWorld(t)
	df := c.Services().Protocols(5)
	want := []struct {
		proto flow.Proto
		name  string
		flows int
		bytes int
	}{
		{flow.TCP, "TCP", 7, sumOf(w, tcpFlows...)}, // 7 flows each: TCP has more bytes
		{flow.UDP, "UDP", 7, sumOf(w, udpFlows...)},
		{flow.ICMPv6, "ICMPv6", 1, sumOf(w, "ping6")}, // 1 flow each: the echo pair has more bytes
		{flow.ICMP, "ICMP", 1, sumOf(w, "icmp-err")},
	}
	if len(df) != len(want) {
		t.Fatalf("protocols:\n%s", text(df))
	}
	for i, x := range want {
		r := df[i]
		if r.Protocol != x.proto || r.Protocol.String() != x.name || int(r.Flows) != x.flows || int(r.Bytes) != x.bytes {
			t.Errorf("row %d = %s %v %v, want %+v", i, r.Protocol, r.Flows, r.Bytes, x)
		}
	}
	dp := c.Services().DestinationPorts(3).Rows
	if len(dp) != 3 {
		t.Fatalf("destination ports:\n%s", text(dp))
	}
	for i, x := range []struct {
		port       int
		transport  string
		flows, byt int
	}{
		{443, "tcp", 3, sumOf(w, "https", "https6", "late")}, // 3 flows each: HTTPS has more bytes
		{53, "udp", 3, sumOf(w, "dns-ok", "dns-nx", "dns-lost")},
		{80, "tcp", 2, sumOf(w, "reuse1", "reuse2")},
	} {
		r := dp[i]
		if int(r.Port) != x.port || r.Transport != x.transport || int(r.Flows) != x.flows || int(r.Bytes) != x.byt {
			t.Errorf("destination ports:\n%s\nrow %d want %+v", text(dp), i, x)
		}
	}
	if got := dp[1].Usage; got != "DNS (name lookups)" {
		t.Errorf("53/udp usage = %q", got)
	}
	// T3.5 by packets: 443/tcp carries the three HTTPS connections.
	tp := c.Ports().TopTCP(1).Rows
	if len(tp) != 1 || tp[0].Port != 443 || int(tp[0].Packets) != w.flowPkts["https"]+w.flowPkts["https6"]+w.flowPkts["late"] {
		t.Errorf("top TCP port:\n%s", text(tp))
	}
	up := c.Ports().TopUDP(5).Rows
	if len(up) == 0 || up[0].Port != 53 || up[0].Packets != 5 {
		t.Errorf("top UDP port:\n%s", text(up))
	}
}

func TestHostPairs(t *testing.T) {
	w, c := openWorld(t)
	df := c.Pairs().TopByFlows(2)
	if len(df) != 2 {
		t.Fatalf("top pairs by flows:\n%s", text(df))
	}
	if df[0].A.String() != "192.168.1.1" || df[0].B.String() != "192.168.1.10" ||
		df[0].Flows != 5 || int(df[0].Bytes) != sumOf(w, routerSet...) {
		t.Errorf("top pair by flows:\n%s", text(df))
	}
	if df[1].A.String() != "93.184.216.34" || df[1].Flows != 4 { // 93.… < 192.…
		t.Errorf("second pair by flows:\n%s", text(df))
	}
	by := c.Pairs().TopByBytes(1)
	if len(by) != 1 || by[0].A.String() != "93.184.216.34" || int(by[0].Bytes) != sumOf(w, "https", "reuse1", "reuse2", "late") {
		t.Errorf("top pair by bytes:\n%s", text(by))
	}
	o := c.Pairs().Overlap(2)
	// by flows: router pair, web pair; by bytes: web pair, then the IPv6 pair
	if len(o.Both) != 1 || o.Both[0].A != web || len(o.OnlyFlows) != 1 || o.OnlyFlows[0].A != router ||
		len(o.OnlyBy) != 1 || o.OnlyBy[0].A != client6 {
		t.Errorf("overlap = %+v", o)
	}
	if s := o.Sentence(); !strings.HasPrefix(s, "1 of 2 pairs appears in both lists") {
		t.Errorf("sentence = %q", s)
	}
	if pf := c.Pairs().Ranking(100).Rows; len(pf) != 7 {
		t.Errorf("7 pairs expected:\n%s", text(pf))
	}
}

func TestSlotArray(t *testing.T) {
	_, c := openWorld(t)
	// Every pair in one slot: the worst index function.
	s := c.Pairs().SlotArray(func(Pair) uint16 { return 7 }, "constant")
	wantExp := 65536 * (1 - math.Pow(1-1.0/65536, 7))
	if s.Pairs != 7 || s.Occupied != 1 || s.Shared != 1 || s.PairsInShared != 7 || math.Abs(s.Expected-wantExp) > 1e-9 || s.Counts[7] != 16 {
		t.Errorf("constant index: %d pairs, %d occupied, %d shared, %d in shared, %v expected, slot 7 = %d",
			s.Pairs, s.Occupied, s.Shared, s.PairsInShared, s.Expected, s.Counts[7])
	}
	n, max := s.OverCounted()
	if n != 7 || max != 15 { // the pairs with one flow are counted as 16
		t.Errorf("over-counted %d, max %d; want 7, 13", n, max)
	}
	cmp := s.Comparison()
	if len(cmp) != 7 {
		t.Errorf("comparison of the 7 pairs:\n%s", text(cmp))
	}
	for r, x := range cmp {
		if x.SlotFlows != 16 || x.OverCount != 16-x.ExactFlows {
			t.Errorf("comparison row %d:\n%s", r, text(cmp))
		}
	}
	// The default index: the slots add up to the flows.
	d := c.Pairs().SlotArray(nil, "")
	var sum uint32
	for _, v := range d.Counts {
		sum += v
	}
	if sum != 16 || d.Occupied > 7 {
		t.Errorf("FNV-1a slots hold %d flows in %d slots", sum, d.Occupied)
	}
	// FNV-1a of a known pair, computed by hand from the definition.
	p := MakePair(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"))
	h := uint32(2166136261)
	a16, b16 := p.A.As16(), p.B.As16()
	for _, b := range append(a16[:], b16[:]...) {
		h ^= uint32(b)
		h *= 16777619
	}
	if FNV1aSlot(p) != uint16(h>>16)^uint16(h) {
		t.Errorf("FNV1aSlot differs from its definition")
	}
}

func TestCountingMethods(t *testing.T) {
	_, c := openWorld(t)
	rs := c.Pairs().CountingMethods()
	if len(rs) != 4 {
		t.Fatalf("%d methods", len(rs))
	}
	for _, r := range rs {
		if r.UnderCounted > 0 {
			t.Errorf("%s under-counts", r.Method)
		}
		if r.MemoryBytes == 0 {
			t.Errorf("%s: not measured: %+v", r.Method, r)
		}
	}
	// With 7 pairs: the exact map and Space-Saving (200 counters) are exact.
	for _, r := range []CountingResult{rs[0], rs[3]} {
		if r.Precision != 1 || r.Recall != 1 || r.MeanRelError != 0 {
			t.Errorf("%s: %+v", r.Method, r)
		}
	}
	if rs[1].MemoryBytes != 65536*4 || rs[2].MemoryBytes != 4*16384*4 {
		t.Errorf("array and sketch sizes: %d, %d", rs[1].MemoryBytes, rs[2].MemoryBytes)
	}
	// 7 pairs in 65 536 slots, 16 384 columns and 200 counters: every
	// method is exact, and the sentence says so of each; a method that is
	// not gets its numbers.
	if s := rs.Sentence(); !strings.Contains(s, "(7 host pairs)") || strings.Count(s, "is exact on the top pairs") != 3 {
		t.Errorf("sentence: %s", s)
	}
	rs[3].Precision, rs[3].Recall, rs[3].MeanRelError, rs[3].MaxOverCount = 0.86, 0.86, 0.257, 3
	if s := rs.Sentence(); !strings.HasSuffix(s, " bytes) has mean relative error 0.257, over-counting by up to 3 flows (precision 0.86, recall 0.86).") {
		t.Errorf("sentence: %s", s)
	}
	if s := (CountingResults{{}, {}, {}, {}}).Sentence(); s != "There are no host pairs to count." {
		t.Errorf("no pairs: %s", s)
	}
}

func TestHostCountsAndTopHosts(t *testing.T) {
	w, c := openWorld(t)
	df := c.Hosts().Kinds()
	got := map[string]int{}
	for _, r := range df {
		got[r.Family+" "+r.Kind+" "+r.Scope] = int(r.Hosts)
	}
	want := map[string]int{"IPv4 unicast private": 2, "IPv4 unicast public": 1, "IPv4 unicast documentation": 3,
		"IPv4 multicast -": 1, "IPv6 unicast documentation": 1, "IPv6 unicast public": 1}
	if len(got) != len(want) {
		t.Errorf("host counts:\n%s", text(df))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	top := c.Hosts().TopByBytes(2).Rows
	if len(top) != 2 || top[0].Host != client || int(top[0].Bytes) != w.hostBytes[client] ||
		top[0].Role != "capturing host" || top[1].Role != "-" {
		t.Errorf("top hosts:\n%s", text(top))
	}
	if hs := c.Hosts().Capturing(); len(hs) != 2 || hs[0] != client || hs[1] != client6 {
		t.Errorf("capturing hosts = %v", hs)
	}
	tp := c.Hosts().TopByPackets(1).Rows
	if len(tp) != 1 || int(tp[0].Packets) != w.hostPkts[client] {
		t.Errorf("top by packets:\n%s", text(tp))
	}
}

func TestCountries(t *testing.T) {
	for _, tc := range []struct{ addr, code, name string }{
		{"8.8.8.8", "US", "United States"},
		{"192.168.1.1", "", "private network"},
		{"fe80::1", "", "link-local"},
		{"224.0.0.251", "", "multicast"},
		{"127.0.0.1", "", "loopback"},
		{"2001:db8::1", "", "documentation"},
	} {
		code, name := Country(netip.MustParseAddr(tc.addr))
		if code != tc.code || name != tc.name {
			t.Errorf("Country(%s) = %q %q, want %q %q", tc.addr, code, name, tc.code, tc.name)
		}
	}
	_, c := openWorld(t)
	df := c.Hosts().Countries(5)
	hosts := 0
	for _, r := range df {
		hosts += int(r.Hosts)
	}
	if hosts != 9 { // every host is in exactly one row
		t.Errorf("countries cover %d hosts, want 9:\n%s", hosts, text(df))
	}
}

func TestFastestTCPConnections(t *testing.T) {
	_, c := openWorld(t)
	if df := c.Flows().Fastest(10, FastestOptions{}).Rows; len(df) != 0 {
		t.Errorf("default minimums (10 packets, 10 kB, 10 ms) admit none of the small connections:\n%s", text(df))
	}
	x := c.Flows().Fastest(10, FastestOptions{MinPackets: 1, MinBytes: 1, MinDuration: time.Millisecond})
	// Handshakes seen: https, reuse1, reuse2, https6, late (not s0, rej).
	// No payload: reuse2, late. One payload segment in the bulk direction,
	// so no transfer time: reuse1 (500 B), https6 (1 000 B). Ranked: https,
	// whose server sent 2 × 1 400 B 1 ms apart.
	if x.Handshakes != 5 || x.FewPackets != 0 || x.FewBytes != 2 || x.ShortTransfer != 2 || x.Ranked != 1 || len(x.Rows) != 1 {
		t.Fatalf("fastest: %d handshakes, left out %d/%d/%d, ranked %d:\n%s", x.Handshakes, x.FewPackets, x.FewBytes, x.ShortTransfer, x.Ranked, text(x.Rows))
	}
	r := x.Rows[0]
	https := findFlows(c, flow.TCP, 50000)[0]
	if r.OrigPort != 50000 || r.Bulk != "download" || r.Payload != 2800 || r.Transfer != ms(1) || math.Abs(r.KbitPerS-2800*8/0.001/1e3) > 1e-6 ||
		r.Lifetime != https.Duration() || math.Abs(r.LifetimeR-2800*8/https.Duration().Seconds()/1e3) > 1e-6 || r.LifetimeR > r.KbitPerS {
		t.Errorf("fastest row %+v", r)
	}
}

// A download followed by a long idle keep-alive is rated by its download:
// the pause longer than the transfer gap (1 s) is not transfer time.
func TestFastestLeavesIdleTimeOut(t *testing.T) {
	var c synth.Capture
	k := c.NewConn(ap(client, 50000), ap(web, 443), 1)
	now := k.Handshake(t0, ms(20))
	k.Data(now, true, 300)
	for i := 0; i < 100; i++ { // 100 × 1 400 B, 1.5 ms apart: 140 kB in 148.5 ms
		k.Data(now.Add(ms(10)+time.Duration(i)*1500*time.Microsecond), false, 1400)
	}
	k.Data(now.Add(75*time.Second), false, 10) // a keep-alive record 75 s later
	k.Close(now.Add(75*time.Second+ms(5)), true)
	cp, err := Open(save(t, &c, "keepalive.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	x := cp.Flows().Fastest(10, FastestOptions{})
	if len(x.Rows) != 1 {
		t.Fatalf("fastest:\n%s", text(x.Rows))
	}
	r := x.Rows[0]
	wantTransfer := 148500 * time.Microsecond // first to last segment of the download; the 75 s pause is left out
	if r.Payload != 140010 || r.Transfer != wantTransfer || math.Abs(r.KbitPerS-140010*8/wantTransfer.Seconds()/1e3) > 1e-6 || r.LifetimeR > 100 {
		t.Errorf("transfer %v (want %v), %.3f kbit/s, lifetime %.3f kbit/s", r.Transfer, wantTransfer, r.KbitPerS, r.LifetimeR)
	}
}

func TestRates(t *testing.T) {
	w, c := openWorld(t)
	// Independent bins: floor((t − first) / 1 s) of every packet, the first
	// being the out-of-order SSDP packet at t0 − 1 s.
	first, last := w.c.Packets[0].Time, w.c.Packets[0].Time
	for _, p := range w.c.Packets {
		if p.Time.Before(first) {
			first = p.Time
		}
		if p.Time.After(last) {
			last = p.Time
		}
	}
	type bin struct{ packets, bytes int }
	want := map[int]bin{}
	total := 0
	for _, p := range w.c.Packets {
		k := int(p.Time.Sub(first) / time.Second)
		b := want[k]
		b.packets++
		b.bytes += len(p.Data)
		want[k] = b
		total += len(p.Data)
	}
	// Bins 0 … 9; the last covers only the 12 ms from t0+8 s to the last
	// packet, less than half a bin, so it joins bin 8 (empty), which then
	// covers 1.012 s.
	lastLen := last.Sub(first) - 9*time.Second
	if lastLen <= 0 || lastLen >= 500*time.Millisecond {
		t.Fatalf("the world's last bin covers %v: the test's premise is wrong", lastLen)
	}
	got, err := c.Traffic().Bins(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 9 {
		t.Fatalf("bins:\n%s", text(got))
	}
	var peak float64
	for i, b := range got {
		wb, length := want[i], time.Second
		if i == 8 {
			wb.packets, wb.bytes, length = want[8].packets+want[9].packets, want[8].bytes+want[9].bytes, time.Second+lastLen
		}
		if b.Start != first.Add(time.Duration(i)*time.Second) || b.Length != length || int(b.Packets) != wb.packets || int(b.Bytes) != wb.bytes ||
			math.Abs(b.BitsPerS-float64(wb.bytes*8)/length.Seconds()) > 1e-6 {
			t.Errorf("bin %d: %+v, want %d packets %d bytes over %v", i, b, wb.packets, wb.bytes, length)
		}
		peak = math.Max(peak, b.BitsPerS)
	}
	st, _ := c.Traffic().Rates(0)
	mean := float64(total*8) / last.Sub(first).Seconds()
	if st.PeakBitsPerS != peak || math.Abs(st.MeanBitsPerS-mean) > 1e-6 || st.MeanBitsPerS > st.PeakBitsPerS {
		t.Errorf("peak %v mean %v; want %v, %v, and the mean at most the peak", st.PeakBitsPerS, st.MeanBitsPerS, peak, mean)
	}
	if _, err := c.Traffic().Bins(1500 * time.Millisecond); err == nil {
		t.Error("a bin that is not a multiple of the model's should be refused")
	}
	coarse, _ := c.Traffic().Bins(2 * time.Second)
	var sum uint64
	for _, b := range coarse {
		sum += b.Bytes
	}
	if int(sum) != total || len(coarse) != 5 {
		t.Errorf("%d 2 s bins hold %v bytes, want 5 and %d", len(coarse), sum, total)
	}
}

// A capture shorter than one bin has one bin, whose rate is the mean.
func TestRatesOfAShortCapture(t *testing.T) {
	var c synth.Capture
	c.UDP(t0, ap(client, 40000), ap(router, 53), synth.DNS(1, "a.example", 1, false, 0, 0))
	c.UDP(t0.Add(1316*time.Microsecond), ap(router, 53), ap(client, 40000), synth.DNS(1, "a.example", 1, true, 0, 1))
	cp, err := Open(save(t, &c, "short.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := cp.Traffic().Rates(0)
	if st.PeakBitsPerS != st.MeanBitsPerS || st.MedianBitsPerS != st.MeanBitsPerS ||
		!strings.Contains(st.Sentence(), "lasts 1.316 ms, less than one 1 s bin") {
		t.Errorf("mean %v, median %v, peak %v: %s", st.MeanBitsPerS, st.MedianBitsPerS, st.PeakBitsPerS, st.Sentence())
	}
}

func TestFailedCommunications(t *testing.T) {
	_, c := openWorld(t)
	df := c.Failures().List()
	want := [][4]string{
		{FailTCPNoAnswer, "198.51.100.7", "", "tcp/22"},
		{FailTCPRejected, "203.0.113.5", "", "tcp/8080"},
		{FailTCPAborted, "93.184.216.34", "", "tcp/80"},
		{FailICMPPort, "192.168.1.1", "", "udp/9999 (reported by 192.168.1.1)"},
		{FailDNSNXDomain, "192.168.1.1", "nx.example", ""},
		{FailDNSNoResponse, "192.168.1.1", "lost.example", ""},
		{FailUDPNoReply, "198.51.100.9", "", "udp/123"}, // the NTP request; the payload-less datagram to udp/5000 is not judged
	}
	if len(df) != len(want) {
		t.Fatalf("failures:\n%s", text(df))
	}
	for i, x := range want {
		r := df[i]
		if r.Class != x[0] || r.Host.String() != x[1] || r.Name != x[2] || r.Detail != x[3] || r.Attempts != 1 {
			t.Errorf("row %d = %s %s %q %q, want %v", i, r.Class, r.Host, r.Name, r.Detail, x)
		}
	}
}

// The sample's TLS flows carry the SNI the generator put in, each site
// visited twice; QUIC flows are recognised from their long header.
func TestApplicationsOnSample(t *testing.T) {
	c, err := Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	quic := 0
	for f := range c.Flows().All() {
		if f.App == "TLS" {
			names[f.ServerName]++
		}
		if f.App == "QUIC" {
			quic++
		}
	}
	want := []string{"avatars.githubusercontent.com", "github.com", "login.microsoftonline.com", "static.files.bbci.co.uk",
		"upload.wikimedia.org", "www.bbc.co.uk", "www.cloudflare.com", "www.facebook.com", "www.wikipedia.org"}
	if len(names) != len(want) || quic != 6 {
		t.Errorf("SNI %v, QUIC flows %d", names, quic)
	}
	for _, n := range want {
		if names[n] != 2 {
			t.Errorf("%s: %d flows, want 2", n, names[n])
		}
	}
}

// A user's MaxMind DB file replaces the embedded data.
func TestGeoIPDatabase(t *testing.T) {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "pcaplab-Test-Country", RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	_, n1, _ := net.ParseCIDR("93.184.216.0/24")
	_, n2, _ := net.ParseCIDR("2606:4700::/32")
	tree.Insert(n1, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR"), "names": mmdbtype.Map{"en": mmdbtype.String("France")}}})
	tree.Insert(n2, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("JP")}})
	p := filepath.Join(t.TempDir(), "test.mmdb")
	f, _ := os.Create(p)
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, c := openWorld(t)
	if err := c.UseGeoIPDatabase(p); err != nil {
		t.Fatal(err)
	}
	df := c.Hosts().Countries(5)
	got := map[string]string{}
	for _, r := range df {
		got[r.Code] = r.Country + "/" + strconv.FormatUint(r.Hosts, 10)
	}
	if got["FR"] != "France/1" || got["JP"] != "Japan/1" { // JP's name from the ISO table
		t.Errorf("countries with the test database:\n%s", text(df))
	}
	if !strings.Contains(c.GeoIPSource(), "pcaplab-Test-Country") {
		t.Errorf("source = %q", c.GeoIPSource())
	}
	if err := c.UseGeoIPDatabase("../testdata/sample.pcapng"); err == nil || !strings.Contains(err.Error(), "not a MaxMind DB") {
		t.Errorf("a capture as database: %v", err)
	}
}

// Every figure draws for every kind of input, flow files with zero-byte
// flows included (gonum/plot panics on log axes with values ≤ 0), or says
// why there is too little data: never an empty or broken figure.
func TestFiguresDrawForEveryInput(t *testing.T) {
	for _, p := range []string{"../testdata/sample.pcapng", "../testdata/flowfiles/sample.cicflowmeter.csv",
		"../testdata/malformed/wifi-beacons-only.pcap", "../testdata/captures/rawip-v4v6.pcap", "../testdata/captures/nsec-bigendian.pcap"} {
		c, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		s := c.Pairs().SlotArray(nil, "")
		type fig func() (*plot.Plot, error)
		for i, f := range []fig{
			func() (*plot.Plot, error) { return c.Traffic().VolumePlot(0) },
			func() (*plot.Plot, error) { return c.Traffic().RatePlot(0, true) },
			c.Flows().SizePlot,
			func() (*plot.Plot, error) { return c.Pairs().Plot(100, true) },
			func() (*plot.Plot, error) { return c.Pairs().SlotPlot(s, 100, true) },
			func() (*plot.Plot, error) { return c.Pairs().ExactVsSlotPlot(s) },
			func() (*plot.Plot, error) { return c.Services().ApplicationsPlot(10) },
		} {
			pl, err := f()
			var tl *TooLittleData
			switch {
			case errors.As(err, &tl):
				continue
			case err != nil:
				t.Errorf("%s: figure %d: %v", p, i, err)
				continue
			}
			png, err := RenderPNG(pl)
			if err != nil {
				t.Errorf("%s: figure %d: %v", p, i, err)
				continue
			}
			if img, err := pngDecode(png); err != nil || img.Bounds().Dx() < 1200 {
				t.Errorf("%s: figure %d: %v, %v wide", p, i, err, img.Bounds())
			}
		}
	}
}

func pngDecode(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }

// A histogram's Stats equal statsOf's over the same values: odd and even
// counts, repeated values, one value, none.
func TestHistogramStatsEqualSorting(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 3, 10, 1001, 5000} {
		h, vals := histogram{}, []float64{}
		for range n {
			v := uint64(rng.IntN(50)) * uint64(1+rng.IntN(3000))
			h[v]++
			vals = append(vals, float64(v))
		}
		if got, want := h.stats(), statsOf(vals); got != want {
			t.Errorf("%d values: %+v, want %+v", n, got, want)
		}
	}
}

// rankPorts keeps the top n by packets, the lower port first among equals,
// as a stable sort of every port would.
func TestRankPortsTopN(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ports := make([]ingest.PortStats, 65536)
	for i := range 5000 {
		ports[rng.IntN(65536)].Packets = uint64(1 + rng.IntN(40) + i%3)
	}
	var all []TopPort
	for p := range ports {
		if ports[p].Packets > 0 {
			all = append(all, TopPort{Port: uint16(p), Packets: ports[p].Packets})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Packets > all[j].Packets })
	for _, n := range []int{0, 1, 10, 100, len(all), len(all) + 5} {
		got := rankPorts(ports, n)
		if want := all[:min(n, len(all))]; !slices.Equal(got, want) {
			t.Errorf("rankPorts(%d): %d rows, not the first of a stable sort", n, len(got))
		}
	}
}
