// Command tsharkref derives reference values for pcaplab's tests from
// tshark, an independent implementation, and writes them as golden JSON
// files (one per capture), or with -check re-derives them and fails on any
// difference from the committed files.
//
//	go run ./scripts/tsharkref -out testdata/golden CAPTURE...
//	go run ./scripts/tsharkref -check -out testdata/golden CAPTURE...
//
// The counting rules are pcaplab's (see the analysis package documentation),
// applied to tshark's per-packet fields:
//   - a host is an address of the outermost IP header (the first ip or ipv6
//     in frame.protocols); headers quoted inside ICMP errors or tunnelled
//     inside the packet are not hosts;
//   - ports and streams come from the first TCP or UDP header after the
//     outer IP header, unless an ICMP header or another IP header comes
//     first (then the packet has no ports);
//   - a packet counts once for each distinct address, and once for each
//     distinct port;
//   - IP reassembly is switched off (ip.defragment, ipv6.defragment), so the
//     first fragment carries the ports, as in pcaplab.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Reference is what tshark says about one capture.
type Reference struct {
	File          string               `json:"file"`
	Tool          string               `json:"tool"`
	Packets       uint64               `json:"packets"`
	Bytes         uint64               `json:"bytes"`
	DurationS     float64              `json:"duration_s"`
	IPv4Hosts     int                  `json:"ipv4_hosts"`
	IPv6Hosts     int                  `json:"ipv6_hosts"`
	TCPFlows      int                  `json:"tcp_flows"`
	UDPFlows      int                  `json:"udp_flows"`
	TopByBytes    []Host               `json:"top_hosts_by_bytes"`
	TopByPackets  []Host               `json:"top_hosts_by_packets"`
	TopTCPPorts   []Port               `json:"top_tcp_ports"`
	TopUDPPorts   []Port               `json:"top_udp_ports"`
	Hosts         map[string][2]uint64 `json:"hosts"`     // address → [bytes, packets]
	TCPPortCounts map[string]uint64    `json:"tcp_ports"` // port → packets
	UDPPortCounts map[string]uint64    `json:"udp_ports"`
	// Pairs: unordered outer-header address pair "a b" (a < b) → [bytes, packets].
	Pairs map[string][2]uint64 `json:"pairs"`
	// Capinfos: its rates, as printed (two decimals).
	CapinfosBitRate    float64 `json:"capinfos_data_bit_rate"`
	CapinfosPacketRate float64 `json:"capinfos_packet_rate"`
	// ServerNames: for each TCP conversation (unordered "addr:port addr:port"),
	// the first HTTP Host or TLS SNI of each of its streams, in stream order.
	ServerNames map[string][]string `json:"server_names"`
	// IOStat: tshark -z io,stat,1: [frames, bytes] of each non-empty 1 s
	// interval from the first packet, by interval number; the last interval
	// ends at the last packet ("Dur"). Only for captures of 1 s to 1 day
	// (tshark prints every interval, empty or not; a shorter capture gets
	// one interval of its own length).
	IOStat map[string][2]uint64 `json:"io_stat_1s,omitempty"`
}

// Host is a row of a top-hosts list.
type Host struct {
	Host    string `json:"host"`
	Bytes   uint64 `json:"bytes"`
	Packets uint64 `json:"packets"`
}

// Port is a row of a top-ports list.
type Port struct {
	Port    uint16 `json:"port"`
	Packets uint64 `json:"packets"`
}

var fields = []string{"frame.len", "frame.time_epoch", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
	"tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.stream", "udp.stream"}

func main() {
	out := flag.String("out", "testdata/golden", "directory of the golden files")
	check := flag.Bool("check", false, "compare with the existing golden files instead of writing them")
	flag.Parse()
	failed := false
	for _, path := range flag.Args() {
		ref, err := derive(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "tsharkref: %s: %v\n", path, err)
			os.Exit(1)
		}
		data, _ := json.MarshalIndent(ref, "", " ")
		data = append(data, '\n')
		name := filepath.Join(*out, strings.TrimSuffix(filepath.Base(path), ".gz")+".json")
		if *check {
			old, err := os.ReadFile(name)
			if err != nil {
				fmt.Fprintf(os.Stderr, "tsharkref: %v\n", err)
				failed = true
				continue
			}
			if !bytes.Equal(old, data) {
				fmt.Fprintf(os.Stderr, "tsharkref: %s: tshark now gives different values than %s\n", path, name)
				failed = true
				continue
			}
			fmt.Printf("%s: golden file agrees with tshark\n", path)
			continue
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "tsharkref: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s\n", name)
	}
	if failed {
		os.Exit(1)
	}
}

func tsharkVersion() string {
	out, err := exec.Command("tshark", "--version").Output()
	if err != nil {
		return "tshark"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	// "TShark (Wireshark) 4.0.17 (Git …)" → keep name and version
	f := strings.Fields(line)
	if len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return line
}

func derive(path string) (*Reference, error) {
	args := []string{"-r", path, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command("tshark", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tshark: %v: %s", err, stderr.String())
	}
	ref := &Reference{File: strings.TrimSuffix(filepath.Base(path), ".gz"), Tool: tsharkVersion(), Hosts: map[string][2]uint64{},
		TCPPortCounts: map[string]uint64{}, UDPPortCounts: map[string]uint64{}, Pairs: map[string][2]uint64{}}
	tcpStreams, udpStreams := map[string]bool{}, map[string]bool{}
	var minT, maxT *big.Rat
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		for len(col) < len(fields) {
			col = append(col, "")
		}
		get := func(name string) []string {
			for i, f := range fields {
				if f == name && col[i] != "" {
					return strings.Split(col[i], ",")
				}
			}
			return nil
		}
		n, err := strconv.ParseUint(col[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad frame.len %q", col[0])
		}
		ref.Packets++
		ref.Bytes += n
		if t, ok := new(big.Rat).SetString(col[1]); ok {
			if minT == nil || t.Cmp(minT) < 0 {
				minT = t
			}
			if maxT == nil || t.Cmp(maxT) > 0 {
				maxT = t
			}
		}
		protos := strings.Split(col[2], ":")
		outer, at := "", -1
		for i, p := range protos {
			if p == "ip" || p == "ipv6" {
				outer, at = p, i
				break
			}
		}
		if outer == "" {
			continue
		}
		src, dst := get(outer+".src"), get(outer+".dst")
		if len(src) == 0 || len(dst) == 0 {
			continue
		}
		a, b := norm(src[0]), norm(dst[0])
		h := ref.Hosts[a]
		h[0] += n
		h[1]++
		ref.Hosts[a] = h
		if b != a {
			h := ref.Hosts[b]
			h[0] += n
			h[1]++
			ref.Hosts[b] = h
		}
		pa, pb := netip.MustParseAddr(a), netip.MustParseAddr(b)
		if pb.Less(pa) {
			pa, pb = pb, pa
		}
		pk := pa.String() + " " + pb.String()
		pv := ref.Pairs[pk]
		pv[0] += n
		pv[1]++
		ref.Pairs[pk] = pv
		transport := ""
		for _, p := range protos[at+1:] {
			if p == "tcp" || p == "udp" {
				transport = p
				break
			}
			if p == "icmp" || p == "icmpv6" || p == "ip" || p == "ipv6" {
				break
			}
		}
		if transport == "" {
			continue
		}
		sp, dp := get(transport+".srcport"), get(transport+".dstport")
		if len(sp) == 0 || len(dp) == 0 {
			continue
		}
		counts := ref.TCPPortCounts
		streams := tcpStreams
		if transport == "udp" {
			counts, streams = ref.UDPPortCounts, udpStreams
		}
		counts[sp[0]]++
		if dp[0] != sp[0] {
			counts[dp[0]]++
		}
		if s := get(transport + ".stream"); len(s) > 0 {
			streams[s[0]] = true
		}
	}
	if minT != nil {
		d, _ := new(big.Rat).Sub(maxT, minT).Float64()
		ref.DurationS = d
	}
	for a := range ref.Hosts {
		if netip.MustParseAddr(a).Is4() {
			ref.IPv4Hosts++
		} else {
			ref.IPv6Hosts++
		}
	}
	ref.TCPFlows, ref.UDPFlows = len(tcpStreams), len(udpStreams)
	if err := ioStat(path, ref); err != nil {
		return nil, err
	}
	if err := capinfos(path, ref); err != nil {
		return nil, err
	}
	if err := serverNames(path, ref); err != nil {
		return nil, err
	}
	ref.TopByBytes = topHosts(ref.Hosts, false)
	ref.TopByPackets = topHosts(ref.Hosts, true)
	ref.TopTCPPorts = topPorts(ref.TCPPortCounts, 10)
	ref.TopUDPPorts = topPorts(ref.UDPPortCounts, 5)
	return ref, nil
}

// serverNames collects the first HTTP Host or TLS SNI of each TCP stream.
func serverNames(path string, ref *Reference) error {
	args := []string{"-r", path, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-Y", "http.request or tls.handshake.type == 1", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
		"-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
		"-e", "tcp.dstport", "-e", "http.host", "-e", "tls.handshake.extensions_server_name"}
	out, err := exec.Command("tshark", args...).Output()
	if err != nil {
		return fmt.Errorf("tshark (server names): %v", err)
	}
	type first struct {
		stream int
		key    string
		name   string
	}
	seen := map[int]bool{}
	var firsts []first
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		col := strings.Split(line, "\t")
		if len(col) < 9 {
			continue
		}
		st, err := strconv.Atoi(col[0])
		if err != nil || seen[st] {
			continue
		}
		name := col[7]
		if name == "" {
			name = col[8]
		}
		if name == "" {
			continue
		}
		seen[st] = true
		src, dst := col[1]+col[2], col[4]+col[5]
		a := netip.AddrPortFrom(netip.MustParseAddr(src), uint16(atoi(col[3]))).String()
		b := netip.AddrPortFrom(netip.MustParseAddr(dst), uint16(atoi(col[6]))).String()
		if b < a {
			a, b = b, a
		}
		firsts = append(firsts, first{st, a + " " + b, name})
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i].stream < firsts[j].stream })
	ref.ServerNames = map[string][]string{}
	for _, f := range firsts {
		ref.ServerNames[f.key] = append(ref.ServerNames[f.key], f.name)
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ioStatLine is a row of tshark's io,stat table: "|  12 <>  13 |  5 |  654 |".
var ioStatLine = regexp.MustCompile(`^\|\s*(\d+)\s*<>\s*(?:\d+|Dur)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|`)

// ioStat reads tshark's 1-second io,stat: frames and bytes per interval.
func ioStat(path string, ref *Reference) error {
	if ref.DurationS < 1 || ref.DurationS > 86400 {
		return nil
	}
	out, err := exec.Command("tshark", "-n", "-r", path, "-q", "-z", "io,stat,1").Output()
	if err != nil {
		return fmt.Errorf("tshark io,stat: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if m := ioStatLine.FindStringSubmatch(l); m != nil && m[2] != "0" {
			f, _ := strconv.ParseUint(m[2], 10, 64)
			b, _ := strconv.ParseUint(m[3], 10, 64)
			if ref.IOStat == nil {
				ref.IOStat = map[string][2]uint64{}
			}
			ref.IOStat[m[1]] = [2]uint64{f, b}
		}
	}
	if len(ref.IOStat) == 0 {
		return fmt.Errorf("tshark io,stat: no intervals in %q", out)
	}
	return nil
}

// capinfos reads capinfos' data bit rate and average packet rate.
func capinfos(path string, ref *Reference) error {
	out, err := exec.Command("capinfos", "-T", "-M", "-r", "-i", "-x", path).Output()
	if err != nil {
		return fmt.Errorf("capinfos: %v", err)
	}
	f := strings.Split(strings.TrimSpace(string(out)), "\t")
	if len(f) < 3 {
		return fmt.Errorf("capinfos: unexpected output %q", out)
	}
	// -i data bit rate, -x packet rate (in that order after the name)
	ref.CapinfosBitRate, _ = strconv.ParseFloat(f[1], 64)
	ref.CapinfosPacketRate, _ = strconv.ParseFloat(f[2], 64)
	return nil
}

func norm(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return s
	}
	return a.String()
}

// topHosts orders by bytes, then packets, then address (or packets first).
func topHosts(m map[string][2]uint64, byPackets bool) []Host {
	rows := []Host{}
	for a, v := range m {
		rows = append(rows, Host{Host: a, Bytes: v[0], Packets: v[1]})
	}
	sort.Slice(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		k1x, k1y, k2x, k2y := x.Bytes, y.Bytes, x.Packets, y.Packets
		if byPackets {
			k1x, k1y, k2x, k2y = k2x, k2y, k1x, k1y
		}
		if k1x != k1y {
			return k1x > k1y
		}
		if k2x != k2y {
			return k2x > k2y
		}
		return netip.MustParseAddr(x.Host).Less(netip.MustParseAddr(y.Host))
	})
	if len(rows) > 15 {
		rows = rows[:15]
	}
	return rows
}

func topPorts(m map[string]uint64, n int) []Port {
	rows := []Port{}
	for p, c := range m {
		v, _ := strconv.ParseUint(p, 10, 16)
		rows = append(rows, Port{Port: uint16(v), Packets: c})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Packets != rows[j].Packets {
			return rows[i].Packets > rows[j].Packets
		}
		return rows[i].Port < rows[j].Port
	})
	if len(rows) > n {
		rows = rows[:n]
	}
	return rows
}
