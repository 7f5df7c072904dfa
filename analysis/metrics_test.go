package analysis

import (
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/pcaplab/pcaplab/internal/synth"
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

// cell reads one cell of a dataframe as a string.
func cell(df dataframe.DataFrame, row int, col string) string {
	return df.Col(col).Elem(row).String()
}

func num(df dataframe.DataFrame, row int, col string) float64 {
	return df.Col(col).Elem(row).Float()
}

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
	df := c.FlowSizeStats()
	for row, want := range [][4]float64{stats(bytes), stats(pkts)} {
		got := [4]float64{num(df, row, "min"), num(df, row, "median"), num(df, row, "mean"), num(df, row, "max")}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Errorf("row %d (%s): %v, want %v", row, cell(df, row, "measure"), got, want)
				break
			}
		}
		if num(df, row, "flows") != 14 {
			t.Errorf("flows = %v, want 14", num(df, row, "flows"))
		}
	}
	// The distribution: the last row has cdf 1 and ccdf 0, sizes ascend.
	d := c.FlowSizeDistribution()
	last := d.Nrow() - 1
	if num(d, last, "cdf") != 1 || num(d, last, "ccdf") != 0 || num(d, 0, "bytes") != stats(bytes)[0] {
		t.Errorf("distribution:\n%s", FormatTable(d))
	}
}

func TestTopProtocolsAndPorts(t *testing.T) {
	w, c := openWorld(t)
	df := c.TopProtocols(5)
	want := []struct {
		name  string
		flows int
		bytes int
	}{
		{"TCP", 6, sumOf(w, tcpFlows...)}, // 6 flows each: TCP has more bytes
		{"UDP", 6, sumOf(w, udpFlows...)},
		{"ICMPv6", 1, sumOf(w, "ping6")}, // 1 flow each: the echo pair has more bytes
		{"ICMP", 1, sumOf(w, "icmp-err")},
	}
	if df.Nrow() != len(want) {
		t.Fatalf("protocols:\n%s", FormatTable(df))
	}
	for i, x := range want {
		if cell(df, i, "protocol") != x.name || int(num(df, i, "flows")) != x.flows || int(num(df, i, "bytes")) != x.bytes {
			t.Errorf("row %d = %s %v %v, want %+v", i, cell(df, i, "protocol"), num(df, i, "flows"), num(df, i, "bytes"), x)
		}
	}
	dp := c.TopDestinationPorts(3)
	for i, x := range []struct {
		port       int
		transport  string
		flows, byt int
	}{
		{53, "udp", 3, sumOf(w, "dns-ok", "dns-nx", "dns-lost")},
		{443, "tcp", 2, sumOf(w, "https", "https6")},
		{80, "tcp", 2, sumOf(w, "reuse1", "reuse2")},
	} {
		if int(num(dp, i, "port")) != x.port || cell(dp, i, "transport") != x.transport || int(num(dp, i, "flows")) != x.flows || int(num(dp, i, "bytes")) != x.byt {
			t.Errorf("destination ports:\n%s\nrow %d want %+v", FormatTable(dp), i, x)
		}
	}
	if got := cell(dp, 0, "usage"); got != "DNS (name lookups)" {
		t.Errorf("53/udp usage = %q", got)
	}
	// T3.5 by packets: 443/tcp carries the two HTTPS connections.
	tp := c.TopTCPPorts(1)
	if int(num(tp, 0, "port")) != 443 || int(num(tp, 0, "packets")) != w.flowPkts["https"]+w.flowPkts["https6"] {
		t.Errorf("top TCP port:\n%s", FormatTable(tp))
	}
	up := c.TopUDPPorts(5)
	if int(num(up, 0, "port")) != 53 || int(num(up, 0, "packets")) != 5 {
		t.Errorf("top UDP port:\n%s", FormatTable(up))
	}
}

func TestHostPairs(t *testing.T) {
	w, c := openWorld(t)
	df := c.TopHostPairsByFlows(2)
	if cell(df, 0, "host_a") != "192.168.1.1" || cell(df, 0, "host_b") != "192.168.1.10" ||
		int(num(df, 0, "flows")) != 5 || int(num(df, 0, "bytes")) != sumOf(w, routerSet...) {
		t.Errorf("top pair by flows:\n%s", FormatTable(df))
	}
	if cell(df, 1, "host_a") != "93.184.216.34" || int(num(df, 1, "flows")) != 3 { // 93.… < 192.…
		t.Errorf("second pair by flows:\n%s", FormatTable(df))
	}
	by := c.TopHostPairsByBytes(1)
	if cell(by, 0, "host_a") != "93.184.216.34" || int(num(by, 0, "bytes")) != sumOf(w, "https", "reuse1", "reuse2") {
		t.Errorf("top pair by bytes:\n%s", FormatTable(by))
	}
	o := c.HostPairOverlap(2)
	// by flows: router pair, web pair; by bytes: web pair, then the IPv6 pair
	if len(o.Both) != 1 || o.Both[0].A != web || len(o.OnlyFlows) != 1 || o.OnlyFlows[0].A != router ||
		len(o.OnlyBy) != 1 || o.OnlyBy[0].A != client6 {
		t.Errorf("overlap = %+v", o)
	}
	if s := o.Sentence(); s[:31] != "1 of 2 pairs appear in both lis" {
		t.Errorf("sentence = %q", s)
	}
	if pf := c.PairFlowCounts(100); pf.Nrow() != 7 {
		t.Errorf("7 pairs expected:\n%s", FormatTable(pf))
	}
}

func TestSlotArray(t *testing.T) {
	_, c := openWorld(t)
	// Every pair in one slot: the worst index function.
	s := c.SlotArrayCounts(func(Pair) uint16 { return 7 }, "constant")
	wantExp := 65536 * (1 - math.Pow(1-1.0/65536, 7))
	if s.Pairs != 7 || s.Occupied != 1 || s.Shared != 1 || s.PairsInShared != 7 || math.Abs(s.Expected-wantExp) > 1e-9 || s.Counts[7] != 14 {
		t.Errorf("constant index: %+v", s)
	}
	n, max := s.OverCounted()
	if n != 7 || max != 13 { // the pairs with one flow are counted as 14
		t.Errorf("over-counted %d, max %d; want 7, 13", n, max)
	}
	cmp := s.Comparison()
	for r := 0; r < cmp.Nrow(); r++ {
		if num(cmp, r, "slot_flows") != 14 || num(cmp, r, "over_count") != 14-num(cmp, r, "exact_flows") {
			t.Errorf("comparison row %d:\n%s", r, FormatTable(cmp))
		}
	}
	// The default index: the slots add up to the flows.
	d := c.SlotArrayCounts(nil, "")
	var sum uint32
	for _, v := range d.Counts {
		sum += v
	}
	if sum != 14 || d.Occupied > 7 {
		t.Errorf("FNV-1a slots hold %d flows in %d slots", sum, d.Occupied)
	}
	// FNV-1a of a known pair, computed by hand from the definition.
	p := makePair(netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"))
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
	rs := c.CountingMethods()
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
	df := c.HostCounts()
	got := map[string]int{}
	for r := 0; r < df.Nrow(); r++ {
		got[cell(df, r, "family")+" "+cell(df, r, "kind")+" "+cell(df, r, "scope")] = int(num(df, r, "hosts"))
	}
	want := map[string]int{"IPv4 unicast private": 2, "IPv4 unicast public": 1, "IPv4 unicast documentation": 3,
		"IPv4 multicast -": 1, "IPv6 unicast documentation": 1, "IPv6 unicast public": 1}
	if len(got) != len(want) {
		t.Errorf("host counts:\n%s", FormatTable(df))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	top := c.TopHostsByBytes(2)
	if cell(top, 0, "host") != client.String() || int(num(top, 0, "bytes")) != w.hostBytes[client] ||
		cell(top, 0, "role") != "capturing host" || cell(top, 1, "role") != "-" {
		t.Errorf("top hosts:\n%s", FormatTable(top))
	}
	if hs := c.CapturingHosts(); len(hs) != 2 || hs[0] != client || hs[1] != client6 {
		t.Errorf("capturing hosts = %v", hs)
	}
	tp := c.TopHostsByPackets(1)
	if int(num(tp, 0, "packets")) != w.hostPkts[client] {
		t.Errorf("top by packets:\n%s", FormatTable(tp))
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
	df := c.TopCountries(5)
	hosts := 0
	for r := 0; r < df.Nrow(); r++ {
		hosts += int(num(df, r, "hosts"))
	}
	if hosts != 9 { // every host is in exactly one row
		t.Errorf("countries cover %d hosts, want 9:\n%s", hosts, FormatTable(df))
	}
}

func TestFastestTCPConnections(t *testing.T) {
	w, c := openWorld(t)
	if df := c.FastestTCPConnections(10, FastestOptions{}); df.Nrow() != 0 {
		t.Errorf("default minimums (10 packets, 10 kB, 100 ms) admit none of the small connections:\n%s", FormatTable(df))
	}
	df := c.FastestTCPConnections(10, FastestOptions{MinPackets: 1, MinBytes: 1, MinDuration: time.Millisecond})
	// handshake seen: https (122 ms), https6 (82 ms), reuse1 (32 ms), reuse2 (15 ms); not s0, rej
	rate := func(name string, d time.Duration) float64 { return float64(w.flowBytes[name]) * 8 / d.Seconds() / 1e6 }
	want := map[string]float64{"50000": rate("https", ms(122)), "50010": rate("https6", ms(82))}
	if df.Nrow() != 4 {
		t.Fatalf("fastest:\n%s", FormatTable(df))
	}
	for r := 0; r < df.Nrow(); r++ {
		if w, ok := want[cell(df, r, "orig_port")]; ok && math.Abs(num(df, r, "mbit_per_s")-w) > 1e-9 {
			t.Errorf("row %d: %v Mbit/s, want %v", r, num(df, r, "mbit_per_s"), w)
		}
		if r > 0 && num(df, r, "mbit_per_s") > num(df, r-1, "mbit_per_s") {
			t.Errorf("not ordered:\n%s", FormatTable(df))
		}
	}
	if cell(df, 0, "bulk_direction") != "download" {
		t.Errorf("bulk direction:\n%s", FormatTable(df))
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
	df, err := c.Rates(0)
	if err != nil {
		t.Fatal(err)
	}
	// SSDP at t0-1s, then t0 … t0+2.4 s: 4 bins.
	if df.Nrow() != 4 {
		t.Fatalf("bins:\n%s", FormatTable(df))
	}
	for r := 0; r < df.Nrow(); r++ {
		start, _ := time.Parse(time.RFC3339Nano, cell(df, r, "start"))
		v := want[start.Unix()]
		if int(num(df, r, "packets")) != v[0] || int(num(df, r, "bytes")) != v[1] || num(df, r, "bits_per_s") != float64(v[1]*8) {
			t.Errorf("bin %v: %v packets %v bytes, want %v", start, num(df, r, "packets"), num(df, r, "bytes"), v)
		}
	}
	st, _ := c.RateStats(0)
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
	if _, err := c.Rates(1500 * time.Millisecond); err == nil {
		t.Error("a bin that is not a multiple of the model's should be refused")
	}
	coarse, _ := c.Rates(2 * time.Second)
	var sum float64
	for r := 0; r < coarse.Nrow(); r++ {
		sum += num(coarse, r, "bytes")
	}
	if int(sum) != total {
		t.Errorf("2 s bins hold %v bytes, want %d", sum, total)
	}
}

func TestFailedCommunications(t *testing.T) {
	_, c := openWorld(t)
	df := c.FailedCommunications()
	want := [][3]string{
		{FailTCPNoAnswer, "198.51.100.7", "tcp/22"},
		{FailTCPRejected, "203.0.113.5", "tcp/8080"},
		{FailTCPAborted, "93.184.216.34", "tcp/80"},
		{FailICMPPort, "192.168.1.1", "udp/9999 (reported by 192.168.1.1)"},
		{FailDNSNXDomain, "192.168.1.1", "nx.example"},
		{FailDNSNoResponse, "192.168.1.1", "lost.example"},
		{FailUDPNoReply, "198.51.100.9", "udp/5000"},
	}
	if df.Nrow() != len(want) {
		t.Fatalf("failures:\n%s", FormatTable(df))
	}
	for i, x := range want {
		if cell(df, i, "class") != x[0] || cell(df, i, "host") != x[1] || cell(df, i, "detail") != x[2] || num(df, i, "attempts") != 1 {
			t.Errorf("row %d = %s %s %s, want %v", i, cell(df, i, "class"), cell(df, i, "host"), cell(df, i, "detail"), x)
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
	for _, f := range c.Flows() {
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
	df := c.TopCountries(5)
	got := map[string]string{}
	for r := 0; r < df.Nrow(); r++ {
		got[cell(df, r, "country_code")] = cell(df, r, "country") + "/" + cell(df, r, "hosts")
	}
	if got["FR"] != "France/1" || got["JP"] != "Japan/1" { // JP's name from the ISO table
		t.Errorf("countries with the test database:\n%s", FormatTable(df))
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
		s := c.SlotArrayCounts(nil, "")
		v, err := c.VolumePlot(0)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := c.RatePlot(0, true)
		for _, fig := range []*plot.Plot{v, r, c.FlowSizePlot(), c.PairFlowsPlot(100, true), c.SlotPlot(s, 100, true), c.ExactVsSlotPlot(s), c.ApplicationsPlot(10)} {
			if _, err := RenderPNG(fig); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	}
}
