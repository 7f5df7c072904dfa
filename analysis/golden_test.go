package analysis

import (
	"encoding/json"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// tsharkRef mirrors the golden files written by scripts/tsharkref.
type tsharkRef struct {
	File          string               `json:"file"`
	Packets       uint64               `json:"packets"`
	Bytes         uint64               `json:"bytes"`
	DurationS     float64              `json:"duration_s"`
	IPv4Hosts     int                  `json:"ipv4_hosts"`
	IPv6Hosts     int                  `json:"ipv6_hosts"`
	TCPFlows      int                  `json:"tcp_flows"`
	UDPFlows      int                  `json:"udp_flows"`
	TopByBytes    []TopHost            `json:"top_hosts_by_bytes"`
	TopByPackets  []TopHost            `json:"top_hosts_by_packets"`
	TopTCPPorts   []TopPort            `json:"top_tcp_ports"`
	TopUDPPorts   []TopPort            `json:"top_udp_ports"`
	Hosts         map[string][2]uint64 `json:"hosts"`
	TCPPortCounts map[string]uint64    `json:"tcp_ports"`
	UDPPortCounts map[string]uint64    `json:"udp_ports"`
	Pairs         map[string][2]uint64 `json:"pairs"`
	CapBitRate    float64              `json:"capinfos_data_bit_rate"`
	CapPacketRate float64              `json:"capinfos_packet_rate"`
	ServerNames   map[string][]string  `json:"server_names"`
	IOStat        map[string][2]uint64 `json:"io_stat_1s"`
}

// findCapture looks for a capture in testdata/captures, then in the shared
// captures beside the repository.
func findCapture(name string) string {
	for _, dir := range []string{"../testdata", "../testdata/captures", "../../shared/captures"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if _, err := os.Stat(p + ".gz"); err == nil {
			return p + ".gz"
		}
	}
	return ""
}

// TestSummaryAgreesWithTshark compares `summary --idle-timeout 0` with the
// values tshark derives (testdata/golden, made by scripts/tsharkref).
func TestSummaryAgreesWithTshark(t *testing.T) {
	goldens, _ := filepath.Glob("../testdata/golden/*.json")
	if len(goldens) == 0 {
		t.Fatal("no golden files")
	}
	ran := 0
	for _, g := range goldens {
		var ref tsharkRef
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &ref); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		path := findCapture(ref.File)
		if path == "" {
			t.Logf("%s: capture not here (only in ../shared/captures), skipped", ref.File)
			continue
		}
		ran++
		t.Run(ref.File, func(t *testing.T) {
			c, err := Open(path, IdleTimeout(0))
			if err != nil {
				t.Fatal(err)
			}
			s := c.Summary()
			check := func(what string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, tshark says %v", what, got, want)
				}
			}
			check("packets", s.Packets, ref.Packets)
			check("bytes", s.Bytes, ref.Bytes)
			if math.Abs(s.DurationS-ref.DurationS) > 1e-6 {
				t.Errorf("duration_s = %v, tshark says %v", s.DurationS, ref.DurationS)
			}
			check("ipv4_hosts", s.IPv4Hosts, ref.IPv4Hosts)
			check("ipv6_hosts", s.IPv6Hosts, ref.IPv6Hosts)
			check("tcp_flows", s.TCPFlows, ref.TCPFlows)
			check("udp_flows", s.UDPFlows, ref.UDPFlows)
			check("top_hosts_by_bytes", s.TopByBytes, ref.TopByBytes)
			check("top_hosts_by_packets", s.TopByPackets, ref.TopByPackets)
			check("top_tcp_ports", stripBytes(s.TopTCPPorts), ref.TopTCPPorts)
			check("top_udp_ports", stripBytes(s.TopUDPPorts), ref.TopUDPPorts)
			hosts := map[string][2]uint64{}
			for _, a := range c.Hosts().Addrs() {
				h, ok := c.Hosts().Get(a)
				if !ok {
					t.Errorf("host %s listed but not found", a)
				}
				hosts[a.String()] = [2]uint64{h.Bytes, h.Packets}
			}
			for a, v := range ref.Hosts {
				if hosts[a] != v {
					t.Errorf("host %s: [bytes packets] = %v, tshark says %v", a, hosts[a], v)
				}
			}
			check("number of hosts", len(hosts), len(ref.Hosts))
			for p, n := range ref.TCPPortCounts {
				port, _ := strconv.Atoi(p)
				if got := c.Ports().TCP(uint16(port)).Packets; got != n {
					t.Errorf("TCP port %s: %d packets, tshark says %d", p, got, n)
				}
			}
			// Host pairs: bytes and packets of the flows between two
			// addresses = tshark's per-packet sums over the outer header.
			pairs := map[string][2]uint64{}
			for _, p := range c.Pairs().all() {
				pairs[p.Pair().A.String()+" "+p.Pair().B.String()] = [2]uint64{p.Bytes, p.Packets}
			}
			for k, v := range ref.Pairs {
				if pairs[k] != v {
					t.Errorf("pair %s: [bytes packets] = %v, tshark says %v", k, pairs[k], v)
				}
			}
			check("number of host pairs", len(pairs), len(ref.Pairs))
			// Rates: capinfos cuts to two decimals and computes the
			// duration from timestamps held as floating-point seconds,
			// which loses a fraction of a microsecond on present-day
			// epochs: on sub-millisecond captures that is a 2e-4 relative
			// difference. pcaplab's durations are exact nanoseconds.
			r, err := c.Traffic().Rates(0)
			if err != nil {
				t.Fatal(err)
			}
			near := func(a, b float64) bool { return math.Abs(a-b) <= math.Max(0.01, 5e-4*b) }
			if !near(r.MeanBitsPerS, ref.CapBitRate) || !near(r.MeanPacketsPerS, ref.CapPacketRate) {
				t.Errorf("mean rates %.4f bit/s, %.4f packets/s; capinfos says %.2f, %.2f", r.MeanBitsPerS, r.MeanPacketsPerS, ref.CapBitRate, ref.CapPacketRate)
			}
			// Server names: the first HTTP Host or TLS SNI of each TCP
			// connection, as tshark dissects them.
			names := map[string][]string{}
			for f := range c.Flows().All() {
				if f.Proto != flow.TCP || f.ServerName == "" {
					continue
				}
				a := netip.AddrPortFrom(f.Orig, f.OrigPort).String()
				b := netip.AddrPortFrom(f.Resp, f.RespPort).String()
				if b < a {
					a, b = b, a
				}
				names[a+" "+b] = append(names[a+" "+b], f.ServerName)
			}
			for k, v := range ref.ServerNames {
				if !reflect.DeepEqual(names[k], v) {
					t.Errorf("server names of %s = %v, tshark says %v", k, names[k], v)
				}
			}
			for k, v := range names {
				if _, ok := ref.ServerNames[k]; !ok {
					t.Errorf("server names of %s = %v, tshark finds none", k, v)
				}
			}
			for p, n := range ref.UDPPortCounts {
				port, _ := strconv.Atoi(p)
				if got := c.Ports().UDP(uint16(port)).Packets; got != n {
					t.Errorf("UDP port %s: %d packets, tshark says %d", p, got, n)
				}
			}
			checkIOStat(t, c, ref.IOStat)
		})
	}
	if ran == 0 {
		t.Fatal("no capture of a golden file is present")
	}
}

// checkIOStat compares the 1 s bins, which start at the first packet, with
// tshark's io,stat intervals: the frames and bytes of every non-empty one.
func checkIOStat(t *testing.T, c *Capture, ref map[string][2]uint64) {
	t.Helper()
	if ref == nil {
		return
	}
	got := map[string][2]uint64{}
	for _, b := range c.rebin(int64(time.Second), false) {
		if b.packets > 0 {
			// A packet stamped before the first one (out of order) is in a
			// bin before bin 0; tshark counts it in its first interval.
			k := strconv.FormatInt(max(0, (b.start-c.m.BinOrigin)/int64(time.Second)), 10)
			v := got[k]
			got[k] = [2]uint64{v[0] + b.packets, v[1] + b.bytes}
		}
	}
	if !reflect.DeepEqual(got, ref) {
		for k, v := range ref {
			if got[k] != v {
				t.Errorf("1 s interval %s: %v frames and bytes, tshark io,stat says %v", k, got[k], v)
			}
		}
		for k, v := range got {
			if _, ok := ref[k]; !ok {
				t.Errorf("1 s interval %s: %v frames and bytes, tshark io,stat has none", k, v)
			}
		}
	}
}

func stripBytes(rows []TopPort) []TopPort {
	out := make([]TopPort, len(rows))
	for i, r := range rows {
		out[i] = TopPort{Port: r.Port, Packets: r.Packets}
	}
	return out
}
