package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/yuin/goldmark"
)

func (b *builder) overview() {
	c := b.c
	s := c.Summary()
	var files, formats, links []string
	for _, f := range s.Files {
		files = append(files, f.Name)
		formats = append(formats, f.Format)
		links = append(links, f.LinkTypes...)
		if f.Warning != "" {
			b.r.Notes = append(b.r.Notes, "Warning: "+f.Warning)
		}
	}
	b.r.Overview = []KV{
		{"File", strings.Join(files, ", ")},
		{"Format", strings.Join(uniq(formats), ", ")},
		{"Link types", strings.Join(uniq(links), ", ")},
		{"First packet", c.Start().Format("2006-01-02 15:04:05.000000 UTC")},
		{"Last packet", c.End().Format("2006-01-02 15:04:05.000000 UTC")},
		{"Duration", fmt.Sprintf("%.3f s", s.DurationS)},
		{"Packets", num(s.Packets)},
		{"Bytes", num(s.Bytes) + " B (wire lengths)"},
		{"Flows", fmt.Sprintf("%s (%d TCP, %d UDP, %d ICMP, %d other)", groupDigits(s.Flows), s.TCPFlows, s.UDPFlows, s.ICMPFlows, s.OtherFlows)},
		{"Hosts", fmt.Sprintf("%d IPv4, %d IPv6 addresses", s.IPv4Hosts, s.IPv6Hosts)},
	}
	if len(s.Skipped) > 0 {
		var parts []string
		for _, k := range sortedKeys(s.Skipped) {
			parts = append(parts, fmt.Sprintf("%s: %s packets", k, num(s.Skipped[k])))
		}
		b.r.Notes = append(b.r.Notes, "Packets not fully decoded (still counted in packets and bytes) — "+strings.Join(parts, "; ")+".")
	}
	if s.EvictedFlows > 0 {
		b.r.Notes = append(b.r.Notes, fmt.Sprintf("%s live flows were ended early because more than the cap of live flows were open at once (analysis.MaxFlows); their later packets started new flows.", num(s.EvictedFlows)))
	}
	if fs := s.FlowSource; fs != nil {
		b.r.Notes = append(b.r.Notes, fmt.Sprintf("The input is a flow file (%s), not a packet capture; its bytes are %s. Packet-level figures (hosts, ports, rates) are derived from the flows.", fs.Format, fs.Bytes))
		b.r.Notes = append(b.r.Notes, fs.Notes...)
	}
}

func uniq(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (b *builder) methods() {
	tcp, udp, other, closed, bin := b.c.Options()
	never := func(d time.Duration) string {
		if d == 0 {
			return "never"
		}
		return d.String()
	}
	fo := b.opt.Fastest
	if fo.MinPackets == 0 {
		fo.MinPackets = analysis.DefaultFastestMinPackets
	}
	if fo.MinBytes == 0 {
		fo.MinBytes = analysis.DefaultFastestMinBytes
	}
	if fo.MinDuration == 0 {
		fo.MinDuration = analysis.DefaultFastestMinDuration
	}
	b.r.Methods = []KV{
		{"Flow", "bidirectional, keyed by the unordered 5-tuple (protocol, address and port of each side); ICMP echo by its identifier, other ICMP by type and code. The originator is the side that sent the first packet (the SYN sender for TCP). A TCP flow ends when a new SYN reuses its 5-tuple."},
		{"Idle timeouts", fmt.Sprintf("TCP %s, UDP %s, other %s, TCP after RST or FIN from both sides %s", never(tcp), never(udp), never(other), never(closed))},
		{"Flow size", "wire bytes (frame lengths) and packets of both directions"},
		{"Host", "an IP address of the outermost IP header; a packet counts once for each distinct address among its source and destination"},
		{"Ports", "TCP and UDP kept apart; a packet counts once for each distinct port among its source and destination ports"},
		{"Time bins", fmt.Sprintf("%s in the model; %s in the rate figures", bin, b.opt.Bin)},
		{"Connection states", "Zeek's conn_state (S0 no answer, REJ rejected, SF normal, RSTO/RSTR reset by originator/responder, S1 open, SH/SHR half-open, OTH mid-stream)"},
		{"Fastest connections", fmt.Sprintf("throughput = bytes × 8 / duration, for TCP connections with a handshake seen and at least %d packets, %d bytes and %s", fo.MinPackets, fo.MinBytes, fo.MinDuration)},
		{"Failed communications", "SYN never answered (S0, SH, RSTOS0); SYN answered by RST (REJ); handshake then reset before the responder sent data; ICMP/ICMPv6 destination unreachable by code; DNS NXDOMAIN, SERVFAIL, REFUSED, other errors and queries without response (UDP port 53); unicast UDP without any reply"},
		{"Countries", b.r.GeoIP},
		{"Software", "pcaplab " + b.opt.Version + " (gopacket, gota, gonum/plot)"},
	}
}

var task1 = []struct{ id, title, asked string }{
	{"T1.1", "Passive measurement", "What is passive measurement?"},
	{"T1.2", "Packet capture versus flow data", "Pros, cons and importance of packet captures and of flow data."},
	{"T1.3", "Hashing and memory", "What is hashing and how does it relate to memory in large-data analysis?"},
}

func (b *builder) task1(answers map[string]string) {
	sec := Section{ID: "task1", Title: "Task 1 — Background"}
	md := goldmark.New() // raw HTML in the answers is left out, not passed through
	for _, q := range task1 {
		qq := &Question{ID: q.id, Title: q.title, Asked: q.asked}
		if a, ok := answers[q.id]; ok && a != "" {
			qq.Markdown = a
			var buf bytes.Buffer
			if err := md.Convert([]byte(a), &buf); err == nil {
				qq.HTML = template.HTML(buf.String())
			}
		} else {
			qq.Missing = true
		}
		sec.Questions = append(sec.Questions, qq)
	}
	b.r.Sections = append(b.r.Sections, sec)
}

func (b *builder) task2() error {
	c := b.c
	sec := Section{ID: "task2", Title: "Task 2 — Flow data"}
	add := func(q *Question) { sec.Questions = append(sec.Questions, q) }

	s := c.Summary()
	q := &Question{ID: "T2.0", Title: "Flows", Asked: "Derive flows from the capture."}
	q.Answer = []string{fmt.Sprintf("pcaplab derived %s flows from %s packets in one pass (definitions in the methods section); the table lists the first 20 by start time, and tables/flows.csv all of them.", groupDigits(s.Flows), num(s.Packets))}
	ft := c.FlowTable()
	n := min(20, ft.Nrow())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	head := ft
	if n > 0 {
		head = ft.Subset(idx)
	}
	q.Tables = append(q.Tables, b.table("flows-first-20", "The first flows by start time", head.Select([]string{"start", "protocol", "orig", "orig_port", "resp", "resp_port", "packets", "bytes", "duration_s", "state", "application"})))
	b.r.Tables = append(b.r.Tables, &Table{Name: "flows", frame: ft})
	add(q)

	q = &Question{ID: "T2.1", Title: "Flow count and sizes", Asked: "Total number of flows; minimum, median, mean and maximum flow size in bytes and in packets."}
	q.Answer = []string{c.FlowSizeSentence(), "The median of an even number of flows is the mean of the two middle values."}
	q.Tables = append(q.Tables, b.table("flow-sizes", "Flow sizes (bytes are wire bytes of both directions)", c.FlowSizeStats()))
	add(q)

	q = &Question{ID: "T2.2", Title: "Volume over time and flow-size distribution", Asked: "Plot the traffic volume over time and the flow-size distribution."}
	vp, err := c.VolumePlot(b.opt.Bin)
	if err != nil {
		return err
	}
	st, _ := c.RateStats(b.opt.Bin)
	q.Answer = []string{
		fmt.Sprintf("The busiest %s bin starts at %s (%s after the first packet) with %s of traffic; the mean over the capture is %s.",
			b.opt.Bin, st.PeakBitsAt.Format("15:04:05"), st.PeakBitsAt.Sub(c.Start()).Round(time.Millisecond), bytesIn(st.PeakBitsPerS/8*st.BinS), analysis.FormatBitRate(st.MeanBitsPerS)),
		flowDistributionSentence(c),
	}
	q.Figures = append(q.Figures, b.figure("volume", "Traffic volume: bytes per time bin", vp))
	q.Figures = append(q.Figures, b.figure("flow-size-cdf", "Flow-size distribution (CDF and CCDF, log x)", c.FlowSizePlot()))
	add(q)

	q = &Question{ID: "T2.3", Title: "Protocols and ports", Asked: "Top-5 protocols, source ports and destination ports by flows, with their use."}
	tp, ta := c.TopProtocols(5), c.TopApplications(10)
	sp, dp := c.TopSourcePorts(5), c.TopDestinationPorts(5)
	q.Answer = append(q.Answer, topSentence("transport protocol", tp, "protocol", "flows", s.Flows))
	q.Answer = append(q.Answer, topSentence("application", ta, "application", "flows", s.Flows)+" Applications are recognised from the payload (TLS, QUIC, HTTP, DNS, STUN …) where it is cheap and reliable, else named by well-known port.")
	if dp.Nrow() > 0 {
		q.Answer = append(q.Answer, fmt.Sprintf("The most used destination port is %s/%s (%s) with %s flows; source ports are mostly the clients' dynamic ports, which is why few of them repeat.",
			dp.Elem(0, 0).String(), dp.Elem(0, 1).String(), dp.Elem(0, 5).String(), dp.Elem(0, 2).String()))
	}
	q.Tables = append(q.Tables, b.table("top-protocols", "Top transport protocols by flows", tp))
	q.Tables = append(q.Tables, b.table("top-applications", "Top applications by flows", ta))
	q.Tables = append(q.Tables, b.table("top-source-ports", "Top source (originator) ports by flows", sp))
	q.Tables = append(q.Tables, b.table("top-destination-ports", "Top destination (responder) ports by flows", dp))
	q.Figures = append(q.Figures, b.figure("applications", "Flows by application", c.ApplicationsPlot(10)))
	add(q)

	q = &Question{ID: "T2.4", Title: "Host pairs", Asked: "Top-10 host pairs by flows and by bytes; are they the same pairs?"}
	q.Answer = []string{c.HostPairOverlap(10).Sentence()}
	q.Tables = append(q.Tables, b.table("top-pairs-by-flows", "Top-10 host pairs by flows", c.TopHostPairsByFlows(10)))
	q.Tables = append(q.Tables, b.table("top-pairs-by-bytes", "Top-10 host pairs by bytes", c.TopHostPairsByBytes(10)))
	add(q)

	q = &Question{ID: "T2.5", Title: "Flows of the 100 most common host pairs", Asked: "Plot the number of flows for the 100 most common host pairs, linear and log y."}
	pf := c.PairFlowCounts(100)
	q.Answer = []string{pairSentence(c, pf)}
	q.Figures = append(q.Figures, b.figure("pair-flows-linear", "Flows per host pair, linear y", c.PairFlowsPlot(100, false)))
	q.Figures = append(q.Figures, b.figure("pair-flows-log", "Flows per host pair, log y", c.PairFlowsPlot(100, true)))
	b.r.Tables = append(b.r.Tables, &Table{Name: "pair-flow-counts", frame: pf})
	add(q)

	q = &Question{ID: "T2.6", Title: "The same with a 2^16-slot array", Asked: "Count flows in a fixed array of 2^16 slots indexed by a hash of the host pair; how does it differ from the exact result?"}
	sa := c.SlotArrayCounts(nil, "")
	q.Answer = []string{"Index function: " + sa.Index + ".", sa.Sentence()}
	q.Figures = append(q.Figures, b.figure("slot-flows-linear", "Flows per slot, linear y", c.SlotPlot(sa, 100, false)))
	q.Figures = append(q.Figures, b.figure("slot-flows-log", "Flows per slot, log y", c.SlotPlot(sa, 100, true)))
	q.Figures = append(q.Figures, b.figure("exact-vs-slot", "Exact counts of the top pairs and their slots' counts", c.ExactVsSlotPlot(sa)))
	q.Tables = append(q.Tables, b.table("slot-comparison", "Exact top pairs and what their slot says", head10(sa.Comparison())))
	b.r.Tables = append(b.r.Tables, &Table{Name: "slot-comparison-all", frame: sa.Comparison()})
	add(q)

	q = &Question{ID: "T2.7", Title: "Counting more efficiently", Asked: "Compare an exact hash map, the 2^16 array, a Count-Min sketch and Space-Saving: memory, time, error on the top-100."}
	cm := c.CountingMethods()
	q.Answer = []string{countingSentence(cm)}
	q.Tables = append(q.Tables, b.table("counting-methods", "Counting methods measured on this capture's flows (memory in bytes, time per update in ns, accuracy on the exact top-100 pairs)", analysis.CountingFrame(cm)))
	add(q)

	b.r.Sections = append(b.r.Sections, sec)
	return nil
}

func (b *builder) task3() error {
	c := b.c
	sec := Section{ID: "task3", Title: "Task 3 — The packet capture"}
	add := func(q *Question) { sec.Questions = append(sec.Questions, q) }
	s := c.Summary()

	q := &Question{ID: "T3.1", Title: "IPv4 and IPv6 hosts", Asked: "How many IPv4 and IPv6 hosts communicate?"}
	hc := c.HostCounts()
	q.Answer = []string{hostCountSentence(s, hc)}
	q.Tables = append(q.Tables, b.table("host-counts", "Hosts by family, kind and scope (packets and bytes count once per address)", hc))
	add(q)

	q = &Question{ID: "T3.2", Title: "Countries", Asked: "Top-5 host countries (private addresses apart)."}
	tc := c.TopCountries(5)
	q.Answer = []string{countrySentence(tc), "Country data: " + c.GeoIPSource()}
	q.Tables = append(q.Tables, b.table("top-countries", "Top countries by distinct public hosts, then the non-public addresses", tc))
	add(q)

	q = &Question{ID: "T3.3", Title: "Top hosts by bytes", Asked: "Top-15 hosts (IP addresses) by bytes."}
	hb := c.TopHostsByBytes(15)
	q.Answer = []string{topHostSentence(hb, "bytes")}
	q.Tables = append(q.Tables, b.table("top-hosts-by-bytes", "Top-15 hosts by bytes", hb))
	add(q)

	q = &Question{ID: "T3.4", Title: "Top hosts by packets", Asked: "Top-15 hosts by packets; how and why do the lists differ?"}
	hp := c.TopHostsByPackets(15)
	q.Answer = []string{topHostSentence(hp, "packets"), c.CompareHostLists(15).Sentence()}
	q.Tables = append(q.Tables, b.table("top-hosts-by-packets", "Top-15 hosts by packets", hp))
	add(q)

	q = &Question{ID: "T3.5", Title: "Top TCP and UDP ports", Asked: "Top-10 TCP ports and top-5 UDP ports by packets."}
	tt, tu := c.TopTCPPorts(10), c.TopUDPPorts(5)
	q.Answer = []string{portSentence("TCP", tt, c.IPProtocol(6).Packets), portSentence("UDP", tu, c.IPProtocol(17).Packets)}
	q.Tables = append(q.Tables, b.table("top-tcp-ports", "Top-10 TCP ports by packets", tt))
	q.Tables = append(q.Tables, b.table("top-udp-ports", "Top-5 UDP ports by packets", tu))
	add(q)

	q = &Question{ID: "T3.6", Title: "Fastest TCP connections", Asked: "Top-10 fastest TCP connections."}
	fc := c.FastestTCPConnections(10, b.opt.Fastest)
	q.Answer = []string{fastestSentence(fc)}
	q.Tables = append(q.Tables, b.table("fastest-tcp", "Fastest TCP connections (throughput = bytes × 8 / duration; minimums in the methods section)", fc))
	add(q)

	q = &Question{ID: "T3.7", Title: "Bit rate and packet rate", Asked: "Bit rate and packet rate over time: plots and summary numbers."}
	st, err := c.RateStats(b.opt.Bin)
	if err != nil {
		return err
	}
	q.Answer = []string{st.Sentence(), "The means are computed as capinfos does (bytes × 8 / duration, packets / duration)."}
	q.Tables = append(q.Tables, b.table("rates", "Rates: mean over the capture, median and peak over the bins", st.Frame()))
	bp, err := c.RatePlot(b.opt.Bin, false)
	if err != nil {
		return err
	}
	pp, err := c.RatePlot(b.opt.Bin, true)
	if err != nil {
		return err
	}
	q.Figures = append(q.Figures, b.figure("bit-rate", "Bit rate over time", bp))
	q.Figures = append(q.Figures, b.figure("packet-rate", "Packet rate over time", pp))
	rt, _ := c.Rates(b.opt.Bin)
	b.r.Tables = append(b.r.Tables, &Table{Name: "rates-per-bin", frame: rt})
	add(q)

	q = &Question{ID: "T3.8", Title: "Failed communications", Asked: "Hosts that were contacted but where communication failed, by class."}
	fs := c.FailureSummary()
	q.Answer = []string{failureSentence(c, fs)}
	q.Tables = append(q.Tables, b.table("failure-classes", "Failed communications by class", c.FailureClasses()))
	q.Tables = append(q.Tables, b.table("failures", "Failed communications by contacted host and class", c.FailedCommunications()))
	add(q)

	b.r.Sections = append(b.r.Sections, sec)
	return nil
}
