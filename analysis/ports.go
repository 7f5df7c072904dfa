package analysis

import (
	"sort"

	"github.com/go-gota/gota/dataframe"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// Application names the application of a flow and says how it was
// identified: "payload" when its bytes were recognised (TLS ClientHello or
// record, QUIC long header, HTTP/1 request, DNS, STUN, DTLS, SSDP, NTP,
// DHCP), "port" when only the well-known port of the responder (or else of
// the originator) names it, "protocol" for ICMP, "-" when nothing does.
// A TLS flow to a port with a known service is named by the service (HTTPS
// for 443, IMAPS for 993 …).
func Application(f *Flow) (name, by string) {
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
	case ingest.ProtoICMP, ingest.ProtoICMPv6, ingest.ProtoTCP, ingest.ProtoUDP:
		if f.Proto == ingest.ProtoICMP || f.Proto == ingest.ProtoICMPv6 {
			return ProtocolName(f.Proto), "protocol"
		}
		return "unknown " + transportName(f.Proto), "-"
	}
	return ProtocolName(f.Proto), "protocol"
}

type volume struct {
	flows, packets, bytes uint64
}

func (v *volume) addFlow(f *Flow) {
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

// TopProtocols answers T2.3's transport view: flows, packets and bytes per
// IP protocol (TCP, UDP, ICMP …), ranked by flows (ties: bytes, name), at
// most n rows. Packets and bytes are those of the flows.
func (c *Capture) TopProtocols(n int) dataframe.DataFrame {
	m := map[string]*volume{}
	c.eachFlow(func(f *Flow) {
		k := ProtocolName(f.Proto)
		if m[k] == nil {
			m[k] = &volume{}
		}
		m[k].addFlow(f)
	})
	t := newTable(strCol("protocol"), intCol("flows"), intCol("packets"), intCol("bytes"), floatCol("flows_percent"))
	keys := rankVolumes(m, func(a, b string) bool { return a < b })
	for i, k := range keys {
		if i == n {
			break
		}
		v := m[k]
		t.row(k, v.flows, v.packets, v.bytes, percent(v.flows, uint64(c.FlowCount())))
	}
	return t.frame()
}

// TopApplications answers T2.3's application view: flows, packets and bytes
// per application (see Application), ranked by flows (ties: bytes, name),
// at most n rows. Columns: application, identified_by, flows, packets,
// bytes, flows_percent.
func (c *Capture) TopApplications(n int) dataframe.DataFrame {
	m := map[string]*volume{}
	by := map[string]string{}
	c.eachFlow(func(f *Flow) {
		name, how := Application(f)
		if m[name] == nil {
			m[name] = &volume{}
			by[name] = how
		} else if by[name] != how && !containsWord(by[name], how) {
			by[name] += "+" + how
		}
		m[name].addFlow(f)
	})
	t := newTable(strCol("application"), strCol("identified_by"), intCol("flows"), intCol("packets"), intCol("bytes"), floatCol("flows_percent"))
	keys := rankVolumes(m, func(a, b string) bool { return a < b })
	for i, k := range keys {
		if i == n {
			break
		}
		v := m[k]
		t.row(k, by[k], v.flows, v.packets, v.bytes, percent(v.flows, uint64(c.FlowCount())))
	}
	return t.frame()
}

func containsWord(list, w string) bool {
	for i := 0; i+len(w) <= len(list); i++ {
		if list[i:i+len(w)] == w && (i == 0 || list[i-1] == '+') && (i+len(w) == len(list) || list[i+len(w)] == '+') {
			return true
		}
	}
	return false
}

func percent(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// TopSourcePorts answers T2.3: the originators' ports of TCP and UDP flows,
// ranked by flows (ties: bytes, then port, TCP before UDP). Columns: port,
// transport, flows, packets, bytes, usage. TCP and UDP ports are kept apart.
func (c *Capture) TopSourcePorts(n int) dataframe.DataFrame { return c.topFlowPorts(n, true) }

// TopDestinationPorts is TopSourcePorts for the responders' ports.
func (c *Capture) TopDestinationPorts(n int) dataframe.DataFrame { return c.topFlowPorts(n, false) }

type protoPort struct {
	proto uint8
	port  uint16
}

func (c *Capture) topFlowPorts(n int, source bool) dataframe.DataFrame {
	m := map[protoPort]*volume{}
	c.eachFlow(func(f *Flow) {
		if f.Proto != ingest.ProtoTCP && f.Proto != ingest.ProtoUDP {
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
	t := newTable(intCol("port"), strCol("transport"), intCol("flows"), intCol("packets"), intCol("bytes"), strCol("usage"))
	for i, k := range keys {
		if i == n {
			break
		}
		v := m[k]
		t.row(k.port, transportName(k.proto), v.flows, v.packets, v.bytes, portUsage(k.proto, k.port))
	}
	return t.frame()
}

// TopTCPPorts answers T3.5: the n TCP ports with the most packets (a packet
// counts once for each distinct port among its source and destination
// ports; ties: lower port first). Columns: port, packets, bytes, usage.
func (c *Capture) TopTCPPorts(n int) dataframe.DataFrame {
	return portFrame(topPorts(c.m.TCPPorts, n), ingest.ProtoTCP)
}

// TopUDPPorts is TopTCPPorts for UDP.
func (c *Capture) TopUDPPorts(n int) dataframe.DataFrame {
	return portFrame(topPorts(c.m.UDPPorts, n), ingest.ProtoUDP)
}

func portFrame(rows []PortRow, proto uint8) dataframe.DataFrame {
	t := newTable(intCol("port"), intCol("packets"), intCol("bytes"), strCol("usage"))
	for _, r := range rows {
		t.row(r.Port, r.Packets, r.Bytes, portUsage(proto, r.Port))
	}
	return t.frame()
}
