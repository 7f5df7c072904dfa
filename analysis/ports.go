package analysis

import (
	"fmt"
	"sort"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// Ports is the capture's TCP and UDP ports by packets (T3.5).
type Ports struct{ c *Capture }

// Ports returns the capture's ports.
func (c *Capture) Ports() Ports { return Ports{c} }

// TCP returns the counters of one TCP port (a packet counts once for each
// distinct port among its source and destination ports).
func (p Ports) TCP(port uint16) Counter { return Counter(p.c.m.TCPPorts[port].Counter) }

// UDP returns the counters of one UDP port.
func (p Ports) UDP(port uint16) Counter { return Counter(p.c.m.UDPPorts[port].Counter) }

// PortRow is one port with its packets and bytes and what it is used for.
type PortRow struct {
	Port    uint16 `table:"port,id"`
	Packets uint64 `table:"packets"`
	Bytes   uint64 `table:"bytes"`
	Usage   string `table:"usage"`
}

// TopPorts is T3.5's answer for one transport: the ranked ports and the
// transport's packets.
type TopPorts struct {
	Proto        flow.Proto
	Rows         []PortRow
	TotalPackets uint64 // packets of the transport protocol
	// Tied counts the ports left out that have as many packets as the
	// last row: the list's end is then one pick among equals (lower port
	// first), and Sentence says so.
	Tied int
}

// TopTCP answers T3.5: the n TCP ports with the most packets (a packet
// counts once for each distinct port among its source and destination
// ports; ties: lower port first).
func (p Ports) TopTCP(n int) TopPorts { return p.top(flow.TCP, p.c.m.TCPPorts, n) }

// TopUDP is TopTCP for UDP.
func (p Ports) TopUDP(n int) TopPorts { return p.top(flow.UDP, p.c.m.UDPPorts, n) }

func (p Ports) top(proto flow.Proto, ports []ingest.PortStats, n int) TopPorts {
	t := TopPorts{Proto: proto, TotalPackets: p.c.m.IPProtocols[proto].Packets}
	all := rankPorts(ports, len(ports))
	for i := n; i < len(all) && n > 0 && all[i].Packets == all[n-1].Packets; i++ {
		t.Tied++
	}
	for _, r := range all[:min(n, len(all))] {
		t.Rows = append(t.Rows, PortRow{Port: r.Port, Packets: r.Packets, Bytes: r.Bytes, Usage: portUsage(proto, r.Port)})
	}
	return t
}

// rankPorts ranks ports by packets (ties: lower port first).
func rankPorts(ports []ingest.PortStats, n int) []TopPort {
	rows := []TopPort{}
	for p := range ports {
		if ports[p].Packets > 0 {
			rows = append(rows, TopPort{Port: uint16(p), Packets: ports[p].Packets, Bytes: ports[p].Bytes})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Packets > rows[j].Packets })
	if len(rows) > n {
		rows = rows[:n]
	}
	return rows
}

// Sentence states the leading port's share of its transport's packets.
func (t TopPorts) Sentence() string {
	name := t.Proto.String()
	if len(t.Rows) == 0 {
		return "No " + name + " packet was seen."
	}
	r := t.Rows[0]
	out := fmt.Sprintf("%s port %d, %s, is in %s of the %s %s packets (%s).", name, r.Port, r.Usage, units.Count(r.Packets),
		units.Count(t.TotalPackets), name, units.Percent(r.Packets, t.TotalPackets))
	return out + tieNote(t.Tied, len(t.Rows), func(i int) uint64 { return t.Rows[i].Packets }, "packet", "port", [2]string{"the lower port number is shown", "the lower port numbers are shown"})
}

// tieNote says that the last ranks of a list are picks among equals: the
// rows tied with the last one shown, and how many more outside the list;
// "" when nothing outside ties. rule says what picked them, for one shown
// row and for several.
func tieNote(more, rows int, count func(int) uint64, unit, noun string, rule [2]string) string {
	if more == 0 {
		return ""
	}
	last := count(rows - 1)
	first := rows - 1
	for first > 0 && count(first-1) == last {
		first--
	}
	ranks, verb, r := fmt.Sprintf("Rank %d", rows), "ties", rule[0]
	if first < rows-1 {
		ranks, verb, r = fmt.Sprintf("Ranks %d–%d", first+1, rows), "tie", rule[1]
	}
	return fmt.Sprintf(" %s %s with %s at %s each; %s.", ranks, verb, units.Plural(more, "more "+noun), units.Plural(last, unit), r)
}
