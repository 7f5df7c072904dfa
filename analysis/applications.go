package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
)

// Application names the application of a flow and says how it was
// identified: "payload" when its bytes were recognised (TLS ClientHello or
// record, QUIC long header, HTTP/1 request, DNS, STUN, DTLS, SSDP, NTP,
// DHCP), "port" when only the well-known port of the responder (or else of
// the originator) names it, "protocol" for ICMP, "-" when nothing does.
// A TLS flow to a port with a known service is named by the service (HTTPS
// for 443, IMAPS for 993 …).
func Application(f *flow.Flow) (name, by string) {
	switch f.App {
	case "TLS":
		if s := ServiceName(f.Proto, f.RespPort); s != "" {
			return s, "payload"
		}
		return "TLS", "payload"
	case "":
	default:
		return f.App, "payload"
	}
	if s := ServiceName(f.Proto, f.RespPort); s != "" {
		return s, "port"
	}
	if s := ServiceName(f.Proto, f.OrigPort); s != "" {
		return s, "port"
	}
	switch f.Proto {
	case flow.ICMP, flow.ICMPv6:
		return f.Proto.String(), "protocol"
	case flow.TCP, flow.UDP:
		return "unknown " + transportName(f.Proto), "-"
	}
	return f.Proto.String(), "protocol"
}

// Services is what the flows were for (T2.3): their transport protocols,
// applications and ports, ranked by flows.
type Services struct{ c *Capture }

// Services returns the capture's services.
func (c *Capture) Services() Services { return Services{c} }

type volume struct {
	flows, packets, bytes uint64
}

func (v *volume) addFlow(f *flow.Flow) {
	v.flows++
	v.packets += f.Packets()
	v.bytes += f.Bytes()
}

// rankVolumes orders keys by flows, then bytes, then keyLess.
func rankVolumes[K comparable](m map[K]*volume, keyLess func(a, b K) bool) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := m[keys[i]], m[keys[j]]
		if a.flows != b.flows {
			return a.flows > b.flows
		}
		if a.bytes != b.bytes {
			return a.bytes > b.bytes
		}
		return keyLess(keys[i], keys[j])
	})
	return keys
}

func percent(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// ProtocolRow is one transport protocol of T2.3 with its flows, packets
// and bytes (those of the flows) and its share of the flows.
type ProtocolRow struct {
	Protocol flow.Proto `table:"protocol"`
	Flows    uint64     `table:"flows"`
	Packets  uint64     `table:"packets"`
	Bytes    uint64     `table:"bytes"`
	Share    float64    `table:"flows_percent,1"`
}

// ProtocolRows are T2.3's protocols, ranked.
type ProtocolRows []ProtocolRow

// Protocols answers T2.3's transport view: flows, packets and bytes per
// IP protocol (TCP, UDP, ICMP …), ranked by flows (ties: bytes, name), at
// most n rows.
func (s Services) Protocols(n int) ProtocolRows {
	m := map[flow.Proto]*volume{}
	s.c.eachFlow(func(f *flow.Flow) {
		if m[f.Proto] == nil {
			m[f.Proto] = &volume{}
		}
		m[f.Proto].addFlow(f)
	})
	var out ProtocolRows
	for i, k := range rankVolumes(m, func(a, b flow.Proto) bool { return a.String() < b.String() }) {
		if i == n {
			break
		}
		v := m[k]
		out = append(out, ProtocolRow{k, v.flows, v.packets, v.bytes, percent(v.flows, uint64(s.c.m.NFlows))})
	}
	return out
}

// Sentence names the leading protocols with their share of the flows.
func (r ProtocolRows) Sentence() string {
	names := make([]string, len(r))
	flows, shares := make([]uint64, len(r)), make([]float64, len(r))
	for i, x := range r {
		names[i], flows[i], shares[i] = x.Protocol.String(), x.Flows, x.Share
	}
	return leaders("transport protocol", names, flows, shares)
}

// leaders names the first three of a ranking by flows.
func leaders(what string, names []string, flows []uint64, shares []float64) string {
	if len(names) == 0 {
		return "No " + what + " was seen."
	}
	var parts []string
	for i := 0; i < len(names) && i < 3; i++ {
		parts = append(parts, fmt.Sprintf("%s (%s, %.0f %%)", names[i], plural(int(flows[i]), "flow"), shares[i]))
	}
	return fmt.Sprintf("By flows, the leading %ss are %s.", what, strings.Join(parts, ", "))
}

// plural writes "1 host", "2 hosts".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ApplicationRow is one application of T2.3 (see Application).
type ApplicationRow struct {
	Application  string  `table:"application"`
	IdentifiedBy string  `table:"identified_by"`
	Flows        uint64  `table:"flows"`
	Packets      uint64  `table:"packets"`
	Bytes        uint64  `table:"bytes"`
	Share        float64 `table:"flows_percent,1"`
}

// ApplicationRows are T2.3's applications, ranked.
type ApplicationRows []ApplicationRow

// Applications answers T2.3's application view: flows, packets and bytes
// per application (see Application), ranked by flows (ties: bytes, name),
// at most n rows.
func (s Services) Applications(n int) ApplicationRows {
	m := map[string]*volume{}
	by := map[string]string{}
	s.c.eachFlow(func(f *flow.Flow) {
		name, how := Application(f)
		if m[name] == nil {
			m[name] = &volume{}
			by[name] = how
		} else if by[name] != how && !containsWord(by[name], how) {
			by[name] += "+" + how
		}
		m[name].addFlow(f)
	})
	var out ApplicationRows
	for i, k := range rankVolumes(m, func(a, b string) bool { return a < b }) {
		if i == n {
			break
		}
		v := m[k]
		out = append(out, ApplicationRow{k, by[k], v.flows, v.packets, v.bytes, percent(v.flows, uint64(s.c.m.NFlows))})
	}
	return out
}

// Sentence names the leading applications and how they are recognised.
func (r ApplicationRows) Sentence() string {
	names := make([]string, len(r))
	flows, shares := make([]uint64, len(r)), make([]float64, len(r))
	for i, x := range r {
		names[i], flows[i], shares[i] = x.Application, x.Flows, x.Share
	}
	return leaders("application", names, flows, shares) + " Applications are recognised from the payload (TLS, QUIC, HTTP, DNS, STUN …) where it is cheap and reliable, else named by well-known port."
}

func containsWord(list, w string) bool {
	for _, x := range strings.Split(list, "+") {
		if x == w {
			return true
		}
	}
	return false
}

// FlowPortRow is one port of T2.3's source or destination ports by flows.
type FlowPortRow struct {
	Port      uint16 `table:"port,id"`
	Transport string `table:"transport"`
	Flows     uint64 `table:"flows"`
	Packets   uint64 `table:"packets"`
	Bytes     uint64 `table:"bytes"`
	Usage     string `table:"usage"`
	proto     flow.Proto
}

// FlowPortRows are ranked ports by flows.
type FlowPortRows []FlowPortRow

// SourcePorts answers T2.3: the originators' ports of TCP and UDP flows,
// ranked by flows (ties: bytes, then port, TCP before UDP). TCP and UDP
// ports are kept apart.
func (s Services) SourcePorts(n int) FlowPortRows { return s.flowPorts(n, true) }

// DestinationPorts is SourcePorts for the responders' ports.
func (s Services) DestinationPorts(n int) FlowPortRows { return s.flowPorts(n, false) }

type protoPort struct {
	proto flow.Proto
	port  uint16
}

func (s Services) flowPorts(n int, source bool) FlowPortRows {
	m := map[protoPort]*volume{}
	s.c.eachFlow(func(f *flow.Flow) {
		if f.Proto != flow.TCP && f.Proto != flow.UDP {
			return
		}
		k := protoPort{f.Proto, f.RespPort}
		if source {
			k.port = f.OrigPort
		}
		if m[k] == nil {
			m[k] = &volume{}
		}
		m[k].addFlow(f)
	})
	keys := rankVolumes(m, func(a, b protoPort) bool {
		if a.port != b.port {
			return a.port < b.port
		}
		return a.proto < b.proto
	})
	var out FlowPortRows
	for i, k := range keys {
		if i == n {
			break
		}
		v := m[k]
		out = append(out, FlowPortRow{Port: k.port, Transport: transportName(k.proto), Flows: v.flows, Packets: v.packets,
			Bytes: v.bytes, Usage: portUsage(k.proto, k.port), proto: k.proto})
	}
	return out
}

// Sentence names the most used destination port.
func (r FlowPortRows) Sentence() string {
	if len(r) == 0 {
		return ""
	}
	return fmt.Sprintf("The most used destination port is %d/%s (%s) with %d flows; source ports are mostly the clients' dynamic ports, which is why few of them repeat.",
		r[0].Port, r[0].Transport, r[0].Usage, r[0].Flows)
}
