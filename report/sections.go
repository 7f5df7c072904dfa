package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
	"github.com/pcaplab/pcaplab/units"
)

// overview describes the inputs: one table each (Task 2's first when it
// has its own), with the notes on what could not be read or told.
func (b *builder) overview() {
	if b.c2 != b.c {
		b.r.Inputs = append(b.r.Inputs, b.inputOverview("Task 2 input", b.c2))
	}
	label := "Input"
	if b.c2 != b.c {
		label = "Task 3 input"
	}
	b.r.Inputs = append(b.r.Inputs, b.inputOverview(label, b.c))
}

func (b *builder) inputOverview(label string, c *analysis.Capture) InputOverview {
	s := c.Summary()
	in := c.Input()
	var files, formats, links []string
	for _, f := range in.Files {
		files = append(files, f.Name)
		formats = append(formats, f.Format)
		links = append(links, f.LinkTypes...)
		if f.Warning != "" {
			b.note(label, "Warning: "+f.Warning)
		}
	}
	what, bytesKind := "packet", "B (wire lengths)"
	rows := []KV{{"File", strings.Join(files, ", ")}, {"Format", strings.Join(uniq(formats), ", ")}}
	if in.FlowFile != nil {
		what, bytesKind = "flow", "B ("+words(c).bytes+")"
	} else {
		rows = append(rows, KV{"Link types", strings.Join(uniq(links), ", ")})
	}
	first, last := units.Timestamp(c.Start()), units.Timestamp(c.End())
	switch {
	case c.Packets() == 0:
		first, last = "none", "none"
	case !c.Dated():
		first, last = "0 s (the file's times have no date)", units.Duration(c.End().Sub(c.Start()))+" later"
		if in.FlowFile == nil {
			first = "0 s (timestamps start in " + c.Start().Format("2006") + ": rebased, so the capture's date is not known)"
		}
	}
	rows = append(rows,
		KV{"First " + what, first},
		KV{"Last " + what, last},
		KV{"Duration", units.Duration(c.Duration())},
		KV{"Packets", units.Count(s.Packets)},
		KV{"Bytes", units.Count(s.Bytes) + " " + bytesKind},
		KV{"Flows", fmt.Sprintf("%s (%s TCP, %s UDP, %s ICMP, %s other)", units.Count(s.Flows), units.Count(s.TCPFlows), units.Count(s.UDPFlows), units.Count(s.ICMPFlows), units.Count(s.OtherFlows))},
		KV{"Hosts", fmt.Sprintf("%s IPv4, %s IPv6 addresses", units.Count(s.IPv4Hosts), units.Count(s.IPv6Hosts))})
	if fi := in.FlowFile; fi != nil && len(fi.Protocols) > 0 {
		rows[len(rows)-2].Value += "; the file holds " + strings.Join(fi.Protocols, " and ") + " only"
	}
	if fi := in.FlowFile; fi != nil && fi.RoundedCounts > 0 && fi.ByteStep > 0 {
		for i := range rows {
			if rows[i].Key == "Bytes" {
				rows[i].Value = fmt.Sprintf("about %s B (%s; %s printed rounded by the exporter, each within ±%s)", units.Count(s.Bytes),
					words(c).bytes, units.Plural(fi.RoundedCounts, "count"), units.Bytes(fi.ByteStep/2))
			}
		}
	}
	b.inputNotes(label, in)
	return InputOverview{Label: label, Rows: rows}
}

// note adds a note about an input, naming it when there are two.
func (b *builder) note(label, text string) {
	if b.c2 != b.c {
		text = label + ": " + text
	}
	b.r.Notes = append(b.r.Notes, text)
}

// inputNotes says what could not be read or decoded, and what a flow file
// cannot tell.
func (b *builder) inputNotes(label string, in analysis.Input) {
	for _, w := range in.Warnings {
		b.note(label, w+".")
	}
	if len(in.Skipped) > 0 {
		keys := make([]string, 0, len(in.Skipped))
		for k := range in.Skipped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %s", k, units.Plural(in.Skipped[k], "packet")))
		}
		b.note(label, "Packets not fully decoded (still counted in packets and bytes) — "+strings.Join(parts, "; ")+".")
	}
	if len(in.NonIP) > 0 {
		keys := make([]string, 0, len(in.NonIP))
		for k := range in.NonIP {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return in.NonIP[keys[i]] > in.NonIP[keys[j]] || in.NonIP[keys[i]] == in.NonIP[keys[j]] && keys[i] < keys[j]
		})
		var parts []string
		var n uint64
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %s", k, units.Count(in.NonIP[k])))
			n += in.NonIP[k]
		}
		b.note(label, fmt.Sprintf("%s carried no IP (counted in packets and bytes, in no flow): %s.", units.Plural(n, "frame"), strings.Join(parts, ", ")))
	}
	if v := in.VLAN; v.Single+v.Double > 0 {
		qinq := fmt.Sprintf(" and %s two or more (QinQ)", units.Count(v.Double))
		if v.Double == 0 {
			qinq = ""
		}
		b.note(label, fmt.Sprintf("%s carried one 802.1Q VLAN tag%s; VLAN IDs: %s.", units.Plural(v.Single, "frame"), qinq, vlanIDs(v.IDs)))
	}
	if in.Evicted > 0 {
		b.note(label, fmt.Sprintf("%s live flows were ended early because more than the cap of live flows were open at once (analysis.MaxFlows); their later packets started new flows.", units.Count(in.Evicted)))
	}
	for _, n := range droppedNotes(in.Dropped, in.FlowFile != nil) {
		b.note(label, n)
	}
	if fs := in.FlowFile; fs != nil {
		b.note(label, fmt.Sprintf("The input is a flow file (%s), not a packet capture; its bytes are %s. Packet-level figures (hosts, ports, rates) are derived from the flows.", fs.Format, fs.Bytes))
		for _, n := range fs.Notes {
			b.note(label, n)
		}
	}
}

// droppedNotes says, one sentence per count that is not zero, what the
// pass set aside or did not keep because of a bound (analysis.Dropped).
func droppedNotes(d analysis.Dropped, flowFile bool) []string {
	type note struct {
		n    uint64
		noun string // what is counted, singular
		text string // after the count and noun; %s is was or were
	}
	count := units.Count[int]
	notes := []note{
		{d.BadTime, "record", "with a timestamp outside 1970–2262, or none, %s set aside (counted nowhere else)."},
		{d.TimeJumps, "record", "more than " + fmt.Sprint(int(analysis.MaxTimeJump.Hours()/24)) + " days away from both the record before and the record after %s set aside as garbled (counted nowhere else)."},
		{d.CutRecords, "record", "longer than " + count(analysis.MaxRecord) + " B %s decoded up to that length only (counted in full in bytes)."},
		{d.HostPackets, "packet-address pair", "%s counted for no host: " + count(analysis.MaxHosts) + " addresses were counted already (the packets still count in packets, bytes and flows)."},
		{d.BinPackets, "packet", "%s in no time bin: " + count(analysis.MaxBins) + " bins existed already (still counted in packets and bytes)."},
		{d.DNS, "DNS message", "%s not kept: " + count(analysis.MaxDNS) + " DNS transactions were kept already, so DNS failures may be undercounted."},
		{d.ICMPErrors, "ICMP error message", "%s not kept: " + count(analysis.MaxICMPErrors) + " were kept already, so ICMP failures may be undercounted."},
		{d.DHCP, "DHCP message", "%s not kept: " + count(analysis.MaxDHCP) + " DHCP transactions were kept already, so DHCP failures may be undercounted."},
		{d.Fragments, "first IP fragment", "%s forgotten before the rest of the datagram came (too many awaited at once); the later fragments are in no flow."},
		{d.NonIP, "non-IP frame", "%s counted for no protocol: " + count(analysis.MaxNonIP) + " non-IP protocols were counted already (still counted in packets and bytes)."},
		{d.SpreadFlows, "flow", "over more than " + count(analysis.MaxSpread) + " time bins %s spread over that many equal parts of the span, not bin by bin."},
	}
	if flowFile {
		notes[0] = note{d.BadTime, "flow", "with a start or end outside 1970–2262, or an end before the start, %s set aside (counted nowhere else)."}
		notes[4].noun = "flow share"
	}
	var out []string
	for _, x := range notes {
		if x.n == 0 {
			continue
		}
		verb := "were"
		if x.n == 1 {
			verb = "was"
		}
		out = append(out, units.Plural(x.n, x.noun)+" "+fmt.Sprintf(x.text, verb))
	}
	return out
}

// vlanIDs lists VLAN IDs with their frames, most frames first (at most 8).
func vlanIDs(ids map[uint16]uint64) string {
	keys := make([]uint16, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return ids[keys[i]] > ids[keys[j]] || ids[keys[i]] == ids[keys[j]] && keys[i] < keys[j]
	})
	var parts []string
	for i, k := range keys {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-8))
			break
		}
		parts = append(parts, fmt.Sprintf("%d (%s)", k, units.Plural(ids[k], "frame")))
	}
	return strings.Join(parts, ", ")
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
	o := b.c.Options()
	to := o.Timeouts
	fo := b.opt.Fastest.WithDefaults()
	b.r.Methods = []KV{
		{"Flow", "bidirectional, keyed by the unordered 5-tuple (protocol, address and port of each side); ICMP echo by its identifier, other ICMP by type and code. The originator is the side that sent the first packet (the SYN sender for TCP). A TCP flow ends when a new SYN reuses its 5-tuple."},
		{"Idle timeouts", fmt.Sprintf("TCP %s, UDP %s, other %s, TCP after RST or FIN from both sides %s",
			units.Setting(to.TCP), units.Setting(to.UDP), units.Setting(to.Other), units.Setting(to.Closed))},
		{"Flow size", "wire bytes (frame lengths) and packets of both directions"},
		{"Host", "an IP address of the outermost IP header; a packet counts once for each distinct address among its source and destination"},
		{"Ports", "TCP and UDP kept apart; a packet counts once for each distinct port among its source and destination ports"},
		{"Time bins", fmt.Sprintf("%s in the model, %s in the rate figures, starting at the first packet (as tshark's io,stat); a bin's rate is over the time it covers, so the peak is never below the mean; a last bin covering less than half a bin joins the one before it (tshark shows it apart)",
			units.Setting(o.BinWidth), units.Setting(b.opt.Bin))},
		{"Connection states", "Zeek's conn_state (S0 no answer, REJ rejected, SF normal, RSTO/RSTR reset by originator/responder, S1 open, SH/SHR half-open, OTH mid-stream)"},
		{"Fastest connections", fmt.Sprintf("transfer throughput: payload bytes of the bulk direction × 8 over its transfer time (first to last payload segment, pauses over %s left out); TCP connections with a handshake seen and at least %s packets, %s of payload and %s of transfer",
			units.Setting(o.TransferGap), units.Count(fo.MinPackets), units.Bytes(fo.MinBytes), units.Setting(fo.MinDuration))},
		{"Failed communications", fmt.Sprintf("a request that expected an answer and got none, or was refused: TCP SYN unanswered or refused, or reset by the responder before it answered (a reset by the client is its own choice); ICMP destination unreachable about a request; DNS errors (the name's failure) and queries without answer; DHCP without Offer or ACK; UDP requests (by payload or request/response port) without reply. Attempts are connections or requests, never retransmissions; requests in the last %s are unfinished, not failed; path-MTU, traceroute and late-reply ICMP errors are signals, not failures",
			units.Setting(analysis.AnswerWait))},
		{"Capturing machine", "the unicast address in most packets of its family (ties: more flows originated), in more than half of them; the other family's address joins it only with the same hardware address"},
		{"Countries", b.r.GeoIP},
		{"Software", "pcaplab " + b.opt.Version + " (gopacket, gota, gonum/plot)"},
	}
	if w := words(b.c); w.ff != nil {
		b.flowFileMethods(w)
	} else if w2 := words(b.c2); w2.ff != nil {
		for i := range b.r.Methods[:2] { // Flow, Idle timeouts: pcaplab's, for Task 3's capture
			b.r.Methods[i].Key += " (Task 3)"
		}
		b.r.Methods = slices.Insert(b.r.Methods, 0, KV{"Task 2 flows", w2.flowFileMethod() + "; bytes: " + w2.long + "; timeouts: " + w2.ff.Timeouts +
			"; TCP states: " + stateMethod(w2.ff)})
	}
}

// flowFileMethods replaces the definitions a flow file decided (flows,
// timeouts, bytes, states) with what its exporter did, and says how the
// packet-level answers were estimated from flows.
func (b *builder) flowFileMethods(w wording) {
	fi := w.ff
	set := func(name, text string) {
		for i := range b.r.Methods {
			if b.r.Methods[i].Key == name {
				b.r.Methods[i].Value = text
			}
		}
	}
	set("Flow", w.flowFileMethod())
	set("Idle timeouts", fi.Timeouts)
	set("Flow size", "packets and bytes of both directions; bytes are "+w.long)
	set("Host", "an IP address of a flow; a host's packets and bytes are the sums over its flows")
	set("Ports", "TCP and UDP kept apart; a port's packets and bytes are the sums over its flows")
	set("Time bins", fmt.Sprintf("%s, starting at the first flow's start; each flow's packets and bytes are spread evenly over its duration (a flow file has no packet times), so bins are estimates", units.Setting(b.opt.Bin)))
	set("Connection states", stateMethod(fi))
	moved := "payload bytes"
	if !fi.Payload {
		moved = w.bytes
	}
	fastest := moved + " of the bulk direction × 8 over the connection's lifetime (a flow file has no packet times); TCP connections with a handshake seen"
	if !fi.Fastest {
		fastest = "cannot be ranked from this file (see T3.6)"
	}
	set("Fastest connections", fastest)
	failed := "none can be told from this file"
	if len(fi.FailureClasses) > 0 {
		failed = "from flow states and counts only: " + strings.Join(fi.FailureClasses, ", ")
	}
	set("Failed communications", failed+"; not shown by this file: "+strings.Join(fi.FailureClassesMissing, ", "))
	set("Capturing machine", "the unicast address in most packets of its family, summed over its flows, in more than half of them")
}

func (b *builder) task1(a *Answers) {
	sec := Section{ID: "task1", Title: "Task 1 — Background"}
	for _, id := range []string{"T1.1", "T1.2", "T1.3"} {
		q := newQuestion(id)
		if t := a.ByID[id]; t != nil {
			q.Markdown, q.HTML = t.Markdown, t.HTML
		} else {
			q.Missing = true
		}
		sec.Questions = append(sec.Questions, q)
	}
	b.r.Sections = append(b.r.Sections, sec)
}

// rows is table.Of, short for the sections below.
func rows[T any](r []T) *table.Table { return table.Of(r) }
