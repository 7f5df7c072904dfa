package analysis

import (
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
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
	tcpFlows  = []string{"https", "s0", "rej", "reuse1", "reuse2", "https6"}
	udpFlows  = []string{"dns-ok", "dns-nx", "dns-lost", "udp-icmp", "udp-silent", "ssdp"}
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
		return [4]float64{v[0], (v[6] + v[7]) / 2, sum / 14, v[13]} // 14 flows: median of the 7th and 8th
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
		if r.Flows != 14 {
			t.Errorf("flows = %v, want 14", r.Flows)
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
		{flow.TCP, "TCP", 6, sumOf(w, tcpFlows...)}, // 6 flows each: TCP has more bytes
		{flow.UDP, "UDP", 6, sumOf(w, udpFlows...)},
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
	dp := c.Services().DestinationPorts(3)
	if len(dp) != 3 {
		t.Fatalf("destination ports:\n%s", text(dp))
	}
	for i, x := range []struct {
		port       int
		transport  string
		flows, byt int
	}{
		{53, "udp", 3, sumOf(w, "dns-ok", "dns-nx", "dns-lost")},
		{443, "tcp", 2, sumOf(w, "https", "https6")},
		{80, "tcp", 2, sumOf(w, "reuse1", "reuse2")},
	} {
		r := dp[i]
		if int(r.Port) != x.port || r.Transport != x.transport || int(r.Flows) != x.flows || int(r.Bytes) != x.byt {
			t.Errorf("destination ports:\n%s\nrow %d want %+v", text(dp), i, x)
		}
	}
	if got := dp[0].Usage; got != "DNS (name lookups)" {
		t.Errorf("53/udp usage = %q", got)
	}
	// T3.5 by packets: 443/tcp carries the two HTTPS connections.
	tp := c.Ports().TopTCP(1).Rows
	if len(tp) != 1 || tp[0].Port != 443 || int(tp[0].Packets) != w.flowPkts["https"]+w.flowPkts["https6"] {
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
	if df[1].A.String() != "93.184.216.34" || df[1].Flows != 3 { // 93.… < 192.…
		t.Errorf("second pair by flows:\n%s", text(df))
	}
	by := c.Pairs().TopByBytes(1)
	if len(by) != 1 || by[0].A.String() != "93.184.216.34" || int(by[0].Bytes) != sumOf(w, "https", "reuse1", "reuse2") {
		t.Errorf("top pair by bytes:\n%s", text(by))
	}
	o := c.Pairs().Overlap(2)
	// by flows: router pair, web pair; by bytes: web pair, then the IPv6 pair
	if len(o.Both) != 1 || o.Both[0].A != web || len(o.OnlyFlows) != 1 || o.OnlyFlows[0].A != router ||
		len(o.OnlyBy) != 1 || o.OnlyBy[0].A != client6 {
		t.Errorf("overlap = %+v", o)
	}
	if s := o.Sentence(); s[:31] != "1 of 2 pairs appear in both lis" {
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
	if s.Pairs != 7 || s.Occupied != 1 || s.Shared != 1 || s.PairsInShared != 7 || math.Abs(s.Expected-wantExp) > 1e-9 || s.Counts[7] != 14 {
		t.Errorf("constant index: %+v", s)
	}
	n, max := s.OverCounted()
	if n != 7 || max != 13 { // the pairs with one flow are counted as 14
		t.Errorf("over-counted %d, max %d; want 7, 13", n, max)
	}
	cmp := s.Comparison()
	if len(cmp) != 7 {
		t.Errorf("comparison of the 7 pairs:\n%s", text(cmp))
	}
	for r, x := range cmp {
		if x.SlotFlows != 14 || x.OverCount != 14-x.ExactFlows {
			t.Errorf("comparison row %d:\n%s", r, text(cmp))
		}
	}
	// The default index: the slots add up to the flows.
	d := c.Pairs().SlotArray(nil, "")
	var sum uint32
	for _, v := range d.Counts {
		sum += v
	}
	if sum != 14 || d.Occupied > 7 {
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
		if r.UnderCounting {
			t.Errorf("%s under-counts", r.Method)
		}
		if r.NsPerUpdate <= 0 || r.MemoryBytes == 0 {
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
	w, c := openWorld(t)
	if df := c.Flows().Fastest(10, FastestOptions{}).Rows; len(df) != 0 {
		t.Errorf("default minimums (10 packets, 10 kB, 100 ms) admit none of the small connections:\n%s", text(df))
	}
	df := c.Flows().Fastest(10, FastestOptions{MinPackets: 1, MinBytes: 1, MinDuration: time.Millisecond}).Rows
	// handshake seen: https (122 ms), https6 (82 ms), reuse1 (32 ms), reuse2 (15 ms); not s0, rej
	rate := func(name string, d time.Duration) float64 { return float64(w.flowBytes[name]) * 8 / d.Seconds() / 1e6 }
	want := map[uint16]float64{50000: rate("https", ms(122)), 50010: rate("https6", ms(82))}
	if len(df) != 4 {
		t.Fatalf("fastest:\n%s", text(df))
	}
	for r, x := range df {
		if w, ok := want[x.OrigPort]; ok && math.Abs(x.MbitPerS-w) > 1e-9 {
			t.Errorf("row %d: %v Mbit/s, want %v", r, x.MbitPerS, w)
		}
		if r > 0 && x.MbitPerS > df[r-1].MbitPerS {
			t.Errorf("not ordered:\n%s", text(df))
		}
	}
	if df[0].Bulk != "download" {
		t.Errorf("bulk direction:\n%s", text(df))
	}
}

func TestRates(t *testing.T) {
	w, c := openWorld(t)
	// Independent bins: floor(t / 1 s) of every packet.
	want := map[int64][2]int{}
	var total int
	for _, p := range w.c.Packets {
		k := p.Time.Unix()
		v := want[k]
		v[0]++
		v[1] += len(p.Data)
		want[k] = v
		total += len(p.Data)
	}
	df, err := c.Traffic().Bins(0)
	if err != nil {
		t.Fatal(err)
	}
	// SSDP at t0-1s, then t0 … t0+2.4 s: 4 bins.
	if len(df) != 4 {
		t.Fatalf("bins:\n%s", text(df))
	}
	for _, b := range df {
		v := want[b.Start.Unix()]
		if int(b.Packets) != v[0] || int(b.Bytes) != v[1] || b.BitsPerS != float64(v[1]*8) {
			t.Errorf("bin %v: %v packets %v bytes, want %v", b.Start, b.Packets, b.Bytes, v)
		}
	}
	st, _ := c.Traffic().Rates(0)
	// peak and median over the 4 one-second bins, from the independent bins
	var bits []float64
	for _, v := range want {
		bits = append(bits, float64(v[1]*8))
	}
	sort.Float64s(bits)
	if st.PeakBitsPerS != bits[3] || st.MedianBitsPerS != (bits[1]+bits[2])/2 {
		t.Errorf("peak %v median %v, want %v %v", st.PeakBitsPerS, st.MedianBitsPerS, bits[3], (bits[1]+bits[2])/2)
	}
	if math.Abs(st.MeanBitsPerS-float64(total*8)/3.415) > 1e-6 {
		t.Errorf("mean bit rate %v, want %v", st.MeanBitsPerS, float64(total*8)/3.415)
	}
	if _, err := c.Traffic().Bins(1500 * time.Millisecond); err == nil {
		t.Error("a bin that is not a multiple of the model's should be refused")
	}
	coarse, _ := c.Traffic().Bins(2 * time.Second)
	var sum uint64
	for _, b := range coarse {
		sum += b.Bytes
	}
	if int(sum) != total {
		t.Errorf("2 s bins hold %v bytes, want %d", sum, total)
	}
}

func TestFailedCommunications(t *testing.T) {
	_, c := openWorld(t)
	df := c.Failures().List()
	want := [][3]string{
		{FailTCPNoAnswer, "198.51.100.7", "tcp/22"},
		{FailTCPRejected, "203.0.113.5", "tcp/8080"},
		{FailTCPAborted, "93.184.216.34", "tcp/80"},
		{FailICMPPort, "192.168.1.1", "udp/9999 (reported by 192.168.1.1)"},
		{FailDNSNXDomain, "192.168.1.1", "nx.example"},
		{FailDNSNoResponse, "192.168.1.1", "lost.example"},
		{FailUDPNoReply, "198.51.100.9", "udp/5000"},
	}
	if len(df) != len(want) {
		t.Fatalf("failures:\n%s", text(df))
	}
	for i, x := range want {
		r := df[i]
		if r.Class != x[0] || r.Host.String() != x[1] || r.Detail != x[2] || r.Attempts != 1 {
			t.Errorf("row %d = %s %s %s, want %v", i, r.Class, r.Host, r.Detail, x)
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
// flows included (gonum/plot panics on log axes with values ≤ 0).
func TestFiguresDrawForEveryInput(t *testing.T) {
	for _, p := range []string{"../testdata/sample.pcapng", "../testdata/flowfiles/sample.cicflowmeter.csv",
		"../testdata/malformed/wifi-beacons-only.pcap", "../testdata/captures/rawip-v4v6.pcap"} {
		c, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		s := c.Pairs().SlotArray(nil, "")
		v, err := c.Traffic().VolumePlot(0)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Traffic().RatePlot(0, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, fig := range []*plot.Plot{v, r, c.Flows().SizePlot(), c.Pairs().Plot(100, true), c.Pairs().SlotPlot(s, 100, true),
			c.Pairs().ExactVsSlotPlot(s), c.Services().ApplicationsPlot(10)} {
			if _, err := RenderPNG(fig); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	}
}
