package analysis

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// seriesCaptures are the bundled sample and every capture of
// testdata/captures and ../shared/captures (where it exists), once each.
func seriesCaptures(t *testing.T) []string {
	paths := []string{"../testdata/sample.pcapng"}
	seen := map[string]bool{}
	for _, dir := range []string{"../testdata/captures", "../../shared/captures"} {
		all, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range all {
			name := strings.TrimSuffix(filepath.Base(p), ".gz")
			if strings.HasSuffix(name, ".md") || seen[name] {
				continue
			}
			seen[name] = true
			paths = append(paths, p)
		}
	}
	return paths
}

// ioStat runs `tshark -q -z io,stat,SECONDS,FILTER1,FILTER2…` (one column
// per filter) and returns frames and bytes per interval of each filter.
func ioStat(t *testing.T, path string, bin time.Duration, filters []string) [][][2]uint64 {
	t.Helper()
	spec := fmt.Sprintf("io,stat,%g,%s", bin.Seconds(), strings.Join(filters, ","))
	var stderr bytes.Buffer
	cmd := exec.Command("tshark", "-r", path, "-n", "-q", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-z", spec)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}
	row := regexp.MustCompile(`^\|\s*[\d.]+\s*<>\s*(?:[\d.]+|Dur)\s*\|`)
	tables := make([][][2]uint64, len(filters))
	for _, line := range strings.Split(string(out), "\n") {
		if !row.MatchString(line) {
			continue
		}
		cells := strings.Split(line, "|")[2:]
		for i := range filters {
			frames, err1 := strconv.ParseUint(strings.TrimSpace(cells[2*i]), 10, 64)
			bytes, err2 := strconv.ParseUint(strings.TrimSpace(cells[2*i+1]), 10, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("tshark's io,stat row %q: column %d is not frames and bytes", line, i+1)
			}
			tables[i] = append(tables[i], [2]uint64{frames, bytes})
		}
	}
	return tables
}

// seriesFilters picks the filters a student would ask for on a capture:
// everything, the top host, the top IPv6 host, a host pair, the top TCP
// and UDP ports, a port of either protocol, ICMP, and the biggest TCP
// and UDP flows.
func seriesFilters(c *Capture) []Filter {
	fs := []Filter{{}}
	top := c.Hosts().TopByBytes(1000).Rows
	for _, h := range top {
		if h.Host.Is6() {
			fs = append(fs, HostFilter(h.Host))
			break
		}
	}
	if len(top) > 0 {
		fs = append(fs, HostFilter(top[0].Host))
	}
	if pairs := c.Pairs().TopByBytes(1); len(pairs) > 0 {
		fs = append(fs, Filter{Host: pairs[0].A, Peer: pairs[0].B})
	}
	if p := c.Ports().TopTCP(1).Rows; len(p) > 0 {
		fs = append(fs, PortFilter(flow.TCP, p[0].Port))
	}
	if p := c.Ports().TopUDP(1).Rows; len(p) > 0 {
		fs = append(fs, PortFilter(flow.UDP, p[0].Port), PortFilter(0, p[0].Port))
	}
	if c.Traffic().IPProtocol(flow.ICMP).Packets > 0 {
		fs = append(fs, Filter{Proto: flow.ICMP})
	}
	for _, proto := range []flow.Proto{flow.TCP, flow.UDP} {
		var big *flow.Flow
		for f := range c.Flows().All() {
			if f.Proto == proto && (big == nil || f.Bytes() > big.Bytes()) {
				g := *f // f is reused for the next flow
				big = &g
			}
		}
		if big != nil {
			fs = append(fs, FlowFilter(big))
			if big.Orig.IsValid() {
				fs = append(fs, Filter{Proto: proto, Host: big.Orig, Port: big.OrigPort})
			}
		}
	}
	return fs
}

// TestSeriesAgreesWithTshark compares every series, bin by bin, with
// tshark's io,stat under the same filter (Filter.Tshark), in 1 s and 10 s
// bins.
func TestSeriesAgreesWithTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark is missing; .ci/run installs it")
		}
		t.Skip("tshark is not installed")
	}
	for _, path := range seriesCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			filters := seriesFilters(c)
			// 1 s and 10 s bins, or wider ones on a capture of many
			// hours, so that tshark prints at most about 2 000 intervals.
			bins := []time.Duration{time.Second, 10 * time.Second}
			if d := c.Duration(); d > 2000*time.Second {
				w := (d/2000 + time.Second).Truncate(time.Second)
				bins = []time.Duration{w, 10 * w}
			}
			for _, bin := range bins {
				exprs := make([]string, len(filters))
				for i, f := range filters {
					exprs[i] = f.Tshark()
				}
				want := ioStat(t, path, bin, exprs)
				got, err := c.Traffic().series(bin, filters)
				if err != nil {
					t.Fatal(err)
				}
				for i, f := range filters {
					compareSeries(t, fmt.Sprintf("%s, %v bins", f, bin), got[i], want[i])
				}
			}
		})
	}
}

func compareSeries(t *testing.T, what string, got []RateBin, want [][2]uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d bins, tshark %d", what, len(got), len(want))
		return
	}
	var total uint64
	for j, b := range got {
		total += b.Packets
		if b.Packets != want[j][0] || b.Bytes != want[j][1] {
			t.Errorf("%s: bin %d: %d packets, %d bytes; tshark %d, %d", what, j, b.Packets, b.Bytes, want[j][0], want[j][1])
			return
		}
	}
	if total == 0 {
		t.Errorf("%s: selects no packet, so it tests nothing", what)
	}
}

// TestSeriesSynthetic checks the filters on a capture whose packets the
// test builds: the bins, ends with and without ports, an ICMP error that
// quotes a UDP datagram (a host of the quote is not a host of the packet,
// and its ports are not ports), and the totals of the unfiltered series.
func TestSeriesSynthetic(t *testing.T) {
	cli, srv, dns := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.53")
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ap := netip.AddrPortFrom
	b := &synth.Capture{}
	b.UDP(at(0), ap(cli, 5000), ap(dns, 53), make([]byte, 40))
	b.UDP(at(1500), ap(dns, 53), ap(cli, 5000), make([]byte, 60))
	k := b.NewConn(ap(cli, 40000), ap(srv, 443), 1)
	k.Handshake(at(1500), 10*time.Millisecond) // 3 packets in bin 1
	b.ICMPError(at(2500), srv, cli, 3, 3, synth.UDPPacket(ap(cli, 6000), ap(srv, 9), nil))
	path := filepath.Join(t.TempDir(), "s.pcap")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	count := func(f Filter, bin time.Duration) []uint64 {
		t.Helper()
		s, err := c.Traffic().Series(f, bin)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]uint64, len(s))
		for i, x := range s {
			out[i] = x.Packets
		}
		return out
	}
	for _, tc := range []struct {
		f    Filter
		bin  time.Duration
		want []uint64
	}{
		{Filter{}, time.Second, []uint64{1, 4, 1}},
		{Filter{}, 0, []uint64{1, 4, 1}},
		{Filter{}, 2 * time.Second, []uint64{5, 1}},
		{HostFilter(dns), time.Second, []uint64{1, 1, 0}},
		{HostFilter(srv), time.Second, []uint64{0, 3, 1}},
		{PortFilter(flow.UDP, 53), time.Second, []uint64{1, 1, 0}},
		{PortFilter(0, 9), time.Second, []uint64{0, 0, 0}},    // only quoted
		{PortFilter(0, 6000), time.Second, []uint64{0, 0, 0}}, // only quoted
		{Filter{Proto: flow.ICMP}, time.Second, []uint64{0, 0, 1}},
		{Filter{Host: cli, Port: 443}, time.Second, []uint64{0, 0, 0}}, // cli's port is 40000
		{Filter{Host: srv, Port: 443}, time.Second, []uint64{0, 3, 0}},
		{Filter{Proto: flow.TCP, Host: cli, Port: 40000, Peer: srv, PeerPort: 443}, time.Second, []uint64{0, 3, 0}},
		{Filter{Proto: flow.UDP, Host: cli, Port: 40000, Peer: srv, PeerPort: 443}, time.Second, []uint64{0, 0, 0}},
	} {
		if got := count(tc.f, tc.bin); !slices.Equal(got, tc.want) {
			t.Errorf("%s in %v bins: %v packets, want %v", tc.f, tc.bin, got, tc.want)
		}
	}
	s, _ := c.Traffic().Series(Filter{}, time.Second)
	if s[1].Start != c.Start().Add(time.Second) || s[1].Offset != time.Second || s[0].BitsPerS != float64(s[0].Bytes*8) {
		t.Errorf("bin 1 = %+v, capture starts %v", s[1], c.Start())
	}
	if _, err := c.Traffic().Series(Filter{}, -time.Second); err == nil {
		t.Error("a negative bin width was accepted")
	}
	// A file that changed after it was opened is an error, not a wrong answer.
	b.Packets = b.Packets[:len(b.Packets)-1]
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Traffic().Series(Filter{}, time.Second); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("changed file: %v", err)
	}
}

func TestFilterString(t *testing.T) {
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::7")
	for _, tc := range []struct {
		f    Filter
		want string
	}{
		{Filter{}, "all packets"},
		{HostFilter(a), "host 192.0.2.1"},
		{PortFilter(flow.TCP, 443), "TCP port 443"},
		{PortFilter(0, 53), "TCP/UDP port 53"},
		{Filter{Proto: flow.ICMP}, "ICMP"},
		{Filter{Host: a, Peer: b}, "192.0.2.1 ↔ 2001:db8::7"},
		{Filter{Proto: flow.TCP, Host: a, Port: 51000, Peer: b, PeerPort: 443}, "TCP 192.0.2.1:51000 ↔ [2001:db8::7]:443"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%#v: %q, want %q", tc.f, got, tc.want)
		}
	}
}
