package analysis

import (
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// Summary is the machine-readable headline of a capture: the contract that
// `pcaplab summary --json` prints. Field names are stable.
type Summary struct {
	Files        []FileInfo        `json:"files"`
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
	TopByBytes   []TopHost         `json:"top_hosts_by_bytes"`
	TopByPackets []TopHost         `json:"top_hosts_by_packets"`
	TopTCPPorts  []TopPort         `json:"top_tcp_ports"`
	TopUDPPorts  []TopPort         `json:"top_udp_ports"`
	Failures     []FailureClass    `json:"failures"`
	Skipped      map[string]uint64 `json:"skipped"`
	NonIPFrames  map[string]uint64 `json:"non_ip_frames"`
	VLANTags     *VLANTags         `json:"vlan_tags,omitempty"`
	EvictedFlows uint64            `json:"evicted_flows"`
	// Dropped counts what was set aside or not kept because of a bound
	// (see Dropped for each count): only the counts that are not zero, {}
	// for an ordinary capture.
	Dropped      Dropped        `json:"dropped"`
	IdleTimeoutS map[string]any `json:"idle_timeout_s"`
	// FlowSource is set when the input was a flow file, not a capture.
	FlowSource *FlowFileInfo `json:"flow_source,omitempty"`
}

// TopHost is one host (IP address) with its bytes and packets.
type TopHost struct {
	Host    string `json:"host"`
	Bytes   uint64 `json:"bytes"`
	Packets uint64 `json:"packets"`
}

// TopPort is one port number with its packets and bytes.
type TopPort struct {
	Port    uint16 `json:"port"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// Summary computes the headline figures.
func (c *Capture) Summary() Summary {
	m := c.m
	in := c.Input()
	s := Summary{
		Files:        in.Files,
		Packets:      m.Packets,
		Bytes:        m.Bytes,
		DurationS:    c.Duration().Seconds(),
		FirstTime:    c.Start().Format(time.RFC3339Nano),
		LastTime:     c.End().Format(time.RFC3339Nano),
		Skipped:      in.Skipped,
		NonIPFrames:  in.NonIP,
		EvictedFlows: in.Evicted,
		Dropped:      in.Dropped,
		FlowSource:   in.FlowFile,
		Failures:     c.Failures().Classes(),
		TopTCPPorts:  rankPorts(m.TCPPorts, 10),
		TopUDPPorts:  rankPorts(m.UDPPorts, 5),
	}
	if in.VLAN.Single+in.VLAN.Double > 0 {
		s.VLANTags = &in.VLAN
	}
	s.IPv4Hosts, s.IPv6Hosts = c.Hosts().Count()
	sz := c.Flows().Sizes()
	s.Flows, s.TCPFlows, s.UDPFlows, s.ICMPFlows, s.OtherFlows = sz.Flows, sz.TCP, sz.UDP, sz.ICMP, sz.Other
	s.FlowBytes, s.FlowPackets = sz.Bytes, sz.Packets
	s.TopByBytes, s.TopByPackets = c.topHosts(15, false), c.topHosts(15, true)
	s.IdleTimeoutS = timeoutsJSON(c.opt.Timeouts)
	return s
}

func (c *Capture) topHosts(n int, byPackets bool) []TopHost {
	out := []TopHost{}
	for _, a := range c.Hosts().ranked(n, byPackets) {
		h := c.m.Hosts[a]
		out = append(out, TopHost{Host: a.String(), Bytes: h.Bytes, Packets: h.Packets})
	}
	return out
}

func timeoutsJSON(t flow.Timeouts) map[string]any {
	sec := func(d time.Duration) any {
		if d == 0 {
			return "never"
		}
		return d.Seconds()
	}
	return map[string]any{"tcp": sec(t.TCP), "udp": sec(t.UDP), "other": sec(t.Other), "tcp_closed": sec(t.Closed)}
}
