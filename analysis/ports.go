package analysis

import (
	"fmt"
	"slices"
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
	top := rankPorts(ports, n)
	if len(top) == n && n > 0 { // the ports left out with as many packets as the last row
		last := top[n-1].Packets
		for i := range ports {
			if ports[i].Packets == last {
				t.Tied++
			}
		}
		for _, r := range top {
			if r.Packets == last {
				t.Tied--
			}
		}
	}
	for _, r := range top {
		t.Rows = append(t.Rows, PortRow{Port: r.Port, Packets: r.Packets, Bytes: r.Bytes, Usage: portUsage(proto, r.Port)})
	}
	return t
}

// rankPorts ranks ports by packets (ties: lower port first), keeping the
// top n as the ports go by in order: sorting the 50 000 ports that carried
// packets took 0.03 s of summary's 0.44.
func rankPorts(ports []ingest.PortStats, n int) []TopPort {
	rows := make([]TopPort, 0, max(n, 0)+1)
	for p := range ports {
		pk := ports[p].Packets
		if pk == 0 || n <= 0 || len(rows) == n && pk <= rows[n-1].Packets {
			continue
		}
		i := sort.Search(len(rows), func(i int) bool { return pk > rows[i].Packets })
		rows = slices.Insert(rows, i, TopPort{Port: uint16(p), Packets: pk, Bytes: ports[p].Bytes})
		if len(rows) > n {
			rows = rows[:n]
		}
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
