package analysis

import (
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// Summary is the machine-readable headline of a capture: the contract that
// `pcaplab summary --json` prints. Field names are stable.
type Summary struct {
	Files        []FileSummary     `json:"files"`
	Packets      uint64            `json:"packets"`
	Bytes        uint64            `json:"bytes"`
	DurationS    float64           `json:"duration_s"`
	FirstTime    string            `json:"first_time"`
	LastTime     string            `json:"last_time"`
	IPv4Hosts    int               `json:"ipv4_hosts"`
	IPv6Hosts    int               `json:"ipv6_hosts"`
	Flows        int               `json:"flows"`
	TCPFlows     int               `json:"tcp_flows"`
	UDPFlows     int               `json:"udp_flows"`
	ICMPFlows    int               `json:"icmp_flows"`
	OtherFlows   int               `json:"other_flows"`
	FlowBytes    Stats             `json:"flow_bytes"`
	FlowPackets  Stats             `json:"flow_packets"`
	TopByBytes   []HostRow         `json:"top_hosts_by_bytes"`
	TopByPackets []HostRow         `json:"top_hosts_by_packets"`
	TopTCPPorts  []PortRow         `json:"top_tcp_ports"`
	TopUDPPorts  []PortRow         `json:"top_udp_ports"`
	Failures     []FailureRow      `json:"failures"`
	Skipped      map[string]uint64 `json:"skipped"`
	EvictedFlows uint64            `json:"evicted_flows"`
	IdleTimeoutS map[string]any    `json:"idle_timeout_s"`
	// FlowSource is set when the input was a flow file, not a capture.
	FlowSource *FlowSourceInfo `json:"flow_source,omitempty"`
}

// FlowSourceInfo describes a flow-file input in a Summary.
type FlowSourceInfo struct {
	Format   string   `json:"format"`
	Bytes    string   `json:"bytes"`
	HasState bool     `json:"has_tcp_state"`
	Notes    []string `json:"notes"`
}

// FileSummary describes one input file in a Summary.
type FileSummary struct {
	Name      string   `json:"name"`
	Format    string   `json:"format"`
	LinkTypes []string `json:"link_types"`
	Packets   uint64   `json:"packets"`
	Bytes     uint64   `json:"bytes"`
	Warning   string   `json:"warning,omitempty"`
}

// Stats are the minimum, median, mean and maximum of a set of values. The
// median of an even number of values is the mean of the two middle ones.
type Stats struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Max    float64 `json:"max"`
}

// HostRow is one host (IP address) with its bytes and packets.
type HostRow struct {
	Host    string `json:"host"`
	Bytes   uint64 `json:"bytes"`
	Packets uint64 `json:"packets"`
}

// PortRow is one port number with its packets and bytes.
type PortRow struct {
	Port    uint16 `json:"port"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// Summary computes the headline figures.
func (c *Capture) Summary() Summary {
	m := c.m
	s := Summary{
		Packets:   m.Packets,
		Bytes:     m.Bytes,
		DurationS: c.Duration().Seconds(),
		FirstTime: c.Start().Format(time.RFC3339Nano),
		LastTime:  c.End().Format(time.RFC3339Nano),
		Skipped:   m.Skipped,

		EvictedFlows: m.Evicted,
	}
	for _, f := range m.Files {
		s.Files = append(s.Files, FileSummary{Name: f.Name, Format: f.Format, LinkTypes: f.LinkTypes,
			Packets: f.Packets, Bytes: f.Bytes, Warning: f.Warning})
	}
	for a := range m.Hosts {
		if a.Is4() {
			s.IPv4Hosts++
		} else {
			s.IPv6Hosts++
		}
	}
	bytes := make([]float64, 0, c.FlowCount())
	pkts := make([]float64, 0, c.FlowCount())
	c.eachFlow(func(f *Flow) {
		switch f.Proto {
		case ingest.ProtoTCP:
			s.TCPFlows++
		case ingest.ProtoUDP:
			s.UDPFlows++
		case ingest.ProtoICMP, ingest.ProtoICMPv6:
			s.ICMPFlows++
		default:
			s.OtherFlows++
		}
		bytes = append(bytes, float64(f.Bytes()))
		pkts = append(pkts, float64(f.Packets()))
	})
	s.Flows = c.FlowCount()
	s.FlowBytes, s.FlowPackets = statsOf(bytes), statsOf(pkts)
	s.TopByBytes = c.topHosts(15, false)
	s.TopByPackets = c.topHosts(15, true)
	s.TopTCPPorts = topPorts(m.TCPPorts, 10)
	s.TopUDPPorts = topPorts(m.UDPPorts, 5)
	s.Failures = c.FailureSummary()
	tcp, udp, other, closed, _ := c.Options()
	sec := func(d time.Duration) any {
		if d == 0 {
			return "never"
		}
		return d.Seconds()
	}
	if format, bytes, state, notes, ok := c.FlowSource(); ok {
		s.FlowSource = &FlowSourceInfo{Format: format, Bytes: bytes, HasState: state, Notes: notes}
	}
	s.IdleTimeoutS = map[string]any{"tcp": sec(tcp), "udp": sec(udp), "other": sec(other), "tcp_closed": sec(closed)}
	return s
}

// statsOf computes Stats (sorting v in place); all zero for no values.
func statsOf(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	slices.Sort(v)
	var sum float64
	for _, x := range v {
		sum += x
	}
	n := len(v)
	med := v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return Stats{Min: v[0], Median: med, Mean: sum / float64(n), Max: v[n-1]}
}

// topHosts ranks hosts by bytes (ties: packets, then address) or by packets
// (ties: bytes, then address).
func (c *Capture) topHosts(n int, byPackets bool) []HostRow {
	type hs struct {
		a netip.Addr
		s *HostStats
	}
	all := make([]hs, 0, len(c.m.Hosts))
	for a, s := range c.m.Hosts {
		all = append(all, hs{a, s})
	}
	sort.Slice(all, func(i, j int) bool {
		x, y := all[i].s, all[j].s
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
		return all[i].a.Less(all[j].a)
	})
	if len(all) > n {
		all = all[:n]
	}
	out := make([]HostRow, len(all))
	for i, h := range all {
		out[i] = HostRow{Host: h.a.String(), Bytes: h.s.Bytes, Packets: h.s.Packets}
	}
	return out
}

// topPorts ranks ports by packets (ties: lower port first).
func topPorts(ports []ingest.PortStats, n int) []PortRow {
	rows := []PortRow{}
	for p := range ports {
		if ports[p].Packets > 0 {
			rows = append(rows, PortRow{Port: uint16(p), Packets: ports[p].Packets, Bytes: ports[p].Bytes})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Packets > rows[j].Packets })
	if len(rows) > n {
		rows = rows[:n]
	}
	return rows
}
