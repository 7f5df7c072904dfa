package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// Application names the application of a flow and says how it was
// identified: "payload" when its bytes were recognised (TLS ClientHello or
// record, QUIC long header, HTTP/1 request, DNS, mDNS, LLMNR, NetBIOS-NS,
// STUN, DTLS, SSDP, NTP, DHCP), "port" when only a well-known port names
// it (the responder's, or else the originator's), "protocol" for ICMP and
// other IP protocols, "-" when nothing does. TLS is named by the service
// of its well-known port (HTTPS for 443, IMAPS for 993 …), whichever side
// has it, so one service has one name. A flow named by port whose
// responder never answered is not named after the service, which never
// showed itself: it is "tcp/443 (no answer)", or "(refused)" when the
// SYN was answered by RST.
func Application(f *flow.Flow) (name, by string) {
	switch f.App {
	case "":
	case "TLS":
		if s := serviceOfEither(f); s != "" {
			return s, "payload"
		}
		return "TLS", "payload"
	default:
		return f.App, "payload"
	}
	s := serviceOfEither(f)
	switch {
	case s != "" && (f.Proto == flow.TCP || f.Proto == flow.UDP) && unanswered(f):
		port := f.RespPort
		if ServiceName(f.Proto, port) == "" {
			port = f.OrigPort
		}
		how := "no answer"
		if f.State == flow.REJ {
			how = "refused"
		}
		return fmt.Sprintf("%s/%d (%s)", transportName(f.Proto), port, how), "port"
	case s != "":
		return s, "port"
	case f.Proto == flow.TCP || f.Proto == flow.UDP:
		return "unknown " + transportName(f.Proto), "-"
	}
	return f.Proto.String(), "protocol"
}

// serviceOfEither names the well-known service of the responder's port,
// or else of the originator's.
func serviceOfEither(f *flow.Flow) string {
	if s := ServiceName(f.Proto, f.RespPort); s != "" {
		return s
	}
	return ServiceName(f.Proto, f.OrigPort)
}

// unanswered reports whether the responder sent nothing that shows the
// service: no packet at all, or a TCP RST to the SYN.
func unanswered(f *flow.Flow) bool {
	if f.Proto == flow.TCP {
		switch f.State {
		case flow.S0, flow.SH, flow.RSTOS0, flow.REJ:
			return true
		}
		return false
	}
	return f.RespPackets == 0 && unicast(f.Resp)
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
	Usage    string     `table:"usage"` // its leading applications in this capture, with their flows
}

// ProtocolRows are T2.3's protocols, ranked.
type ProtocolRows []ProtocolRow

// Protocols answers T2.3's transport view: flows, packets and bytes per
// IP protocol (TCP, UDP, ICMP …), ranked by flows (ties: bytes, name), at
// most n rows.
func (s Services) Protocols(n int) ProtocolRows {
	m := map[flow.Proto]*volume{}
	apps := map[flow.Proto]map[string]*volume{}
	s.c.eachFlow(func(f *flow.Flow) {
		if m[f.Proto] == nil {
			m[f.Proto], apps[f.Proto] = &volume{}, map[string]*volume{}
		}
		m[f.Proto].addFlow(f)
		name, _ := Application(f)
		if apps[f.Proto][name] == nil {
			apps[f.Proto][name] = &volume{}
		}
		apps[f.Proto][name].addFlow(f)
	})
	var out ProtocolRows
	for i, k := range rankVolumes(m, func(a, b flow.Proto) bool { return a.String() < b.String() }) {
		if i == n {
			break
		}
		v := m[k]
		out = append(out, ProtocolRow{k, v.flows, v.packets, v.bytes, percent(v.flows, uint64(s.c.m.NFlows)), usageOf(apps[k])})
	}
	return out
}

// usageOf names a protocol's three leading applications with their flows:
// "HTTPS 18, SMB 1, tcp/8009 (refused) 1".
func usageOf(apps map[string]*volume) string {
	var parts []string
	for i, name := range rankVolumes(apps, func(a, b string) bool { return a < b }) {
		if i == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s", name, units.Count(apps[name].flows)))
	}
	return strings.Join(parts, ", ")
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
	if len(names) == 1 {
		return fmt.Sprintf("By flows, the only %s is %s (%s).", what, names[0], units.Plural(flows[0], "flow"))
	}
	var parts []string
	for i := 0; i < len(names) && i < 3; i++ {
		parts = append(parts, fmt.Sprintf("%s (%s, %s)", names[i], units.Plural(flows[i], "flow"), units.Percent(shares[i], 100)))
	}
	return fmt.Sprintf("By flows, the leading %ss are %s.", what, strings.Join(parts, ", "))
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
			by[name] = joinWords(by[name], how)
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
	how := " Applications are recognised from the payload (TLS, QUIC, HTTP, DNS, STUN …) where it is cheap and reliable, else named by well-known port."
	payload := false
	for _, x := range r {
		payload = payload || containsWord(x.IdentifiedBy, "payload")
	}
	if !payload && len(r) > 0 {
		how = " None was recognised from its payload (a flow file has none), so each is named by its well-known port."
	}
	return leaders("application", names, flows, shares) + how
}

// joinWords adds w to a "+"-list in one order (sorted), so the same
// methods read the same on every capture ("payload+port").
func joinWords(list, w string) string {
	l := append(strings.Split(list, "+"), w)
	sort.Strings(l)
	return strings.Join(l, "+")
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
}

// FlowPorts is T2.3's ranking of the originators' (source) or the
// responders' (destination) ports of TCP and UDP flows.
type FlowPorts struct {
	Source bool
	Rows   []FlowPortRow
	// Flows counts the TCP and UDP flows; Ephemeral those whose port (in
	// this role) is 1024 or above and names no service here: a client's
	// temporary port.
	Flows, Ephemeral int
	// Tied counts the ports left out with as many flows as the last row
	// (the rows are then ordered by bytes, then port: a stated rule, not a
	// difference in use); Top counts the ports sharing the first row's
	// flows, itself included.
	Tied, Top int
	// TCP and UDP count the flows of each transport among Flows.
	TCP, UDP int
	// NoHandshake counts the TCP flows of a capture with neither SYN nor
	// SYN-ACK seen (begun before it): their originator is only the side
	// seen first, which may be the server. 0 for a flow file.
	NoHandshake int
}

// SourcePorts answers T2.3: the originators' ports of TCP and UDP flows,
// ranked by flows (ties: bytes, then port, TCP before UDP). TCP and UDP
// ports are kept apart.
func (s Services) SourcePorts(n int) FlowPorts { return s.flowPorts(n, true) }

// DestinationPorts is SourcePorts for the responders' ports.
func (s Services) DestinationPorts(n int) FlowPorts { return s.flowPorts(n, false) }

type protoPort struct {
	proto flow.Proto
	port  uint16
}

func (s Services) flowPorts(n int, source bool) FlowPorts {
	m := map[protoPort]*volume{}
	out := FlowPorts{Source: source}
	capture := s.c.Input().FlowFile == nil // a flow file's originators are its exporter's (Input().FlowFile says how)
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
		out.Flows++
		if f.Proto == flow.TCP {
			out.TCP++
			if capture && (f.OrigFlags|f.RespFlags)&flow.SYN == 0 {
				out.NoHandshake++
			}
		} else {
			out.UDP++
		}
		if k.port >= 1024 && ServiceName(k.proto, k.port) == "" {
			out.Ephemeral++
		}
	})
	keys := rankVolumes(m, func(a, b protoPort) bool {
		if a.port != b.port {
			return a.port < b.port
		}
		return a.proto < b.proto
	})
	for i := n; i < len(keys) && n > 0 && m[keys[i]].flows == m[keys[n-1]].flows; i++ {
		out.Tied++
	}
	for i := 0; i < len(keys) && m[keys[i]].flows == m[keys[0]].flows; i++ {
		out.Top++
	}
	for i := 0; i < len(keys) && i < n; i++ {
		k, v := keys[i], m[keys[i]]
		out.Rows = append(out.Rows, FlowPortRow{Port: k.port, Transport: transportName(k.proto), Flows: v.flows, Packets: v.packets,
			Bytes: v.bytes, Usage: portUsage(k.proto, k.port)})
	}
	return out
}

// Sentence names the most used port and, for source ports, how many flows
// come from a client's temporary port and how many TCP flows have no
// handshake to tell their originator (NoHandshake).
func (p FlowPorts) Sentence() string {
	if len(p.Rows) == 0 {
		return ""
	}
	r := p.Rows[0]
	role := "destination"
	if p.Source {
		role = "source"
	}
	out := fmt.Sprintf("The most used %s port is %d/%s, %s, in %s.", role, r.Port, r.Transport, r.Usage, units.Plural(r.Flows, "flow"))
	if p.Top > 1 {
		out = fmt.Sprintf("%s %s ports share the most flows, %s each; the first by bytes is %d/%s, %s.", units.Count(p.Top), role,
			units.Count(r.Flows), r.Port, r.Transport, r.Usage)
	}
	if p.Source {
		kind := "TCP and UDP flow"
		switch {
		case p.UDP == 0:
			kind = "TCP flow"
		case p.TCP == 0:
			kind = "UDP flow"
		}
		out += fmt.Sprintf(" %s of the %s come from an unnamed port of 1024 or above (typically a client's temporary port), which is why few source ports repeat.",
			units.Percent(p.Ephemeral, p.Flows), units.Plural(p.Flows, kind))
	}
	if p.Top <= len(p.Rows) {
		out += tieNote(p.Tied, len(p.Rows), func(i int) uint64 { return p.Rows[i].Flows }, "flow", "port", [2]string{"the one with more bytes is shown", "those with more bytes are shown"})
	}
	if p.Source && p.NoHandshake > 0 {
		has, its := "has", "its"
		if p.NoHandshake != 1 {
			has, its = "have", "their"
		}
		out += fmt.Sprintf(" %s of the %s %s no SYN in the capture (begun before it), so %s originator is only the side seen first: a server's port may then be among the source ports and a client's among the destination ports.",
			units.Count(p.NoHandshake), units.Plural(p.TCP, "TCP flow"), has, its)
	}
	return out
}
