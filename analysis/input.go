package analysis

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/flowfile"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// Input describes what was read: the files, what could not be decoded,
// and, for a flow file, what its format can and cannot tell.
type Input struct {
	Files []FileInfo
	// Warnings say what was done to the files given: a file identical to
	// another read once, files read in the order of their first packets.
	Warnings []string
	// FlowFile is set when the input was a flow file, not a capture.
	FlowFile *FlowFileInfo
	// Skipped counts packets that could not be fully decoded, by reason.
	// Such packets still count in packets and bytes, and in host counts
	// when their IP header was readable.
	Skipped map[string]uint64
	// Evicted counts live flows ended early because of Options.MaxFlows.
	Evicted uint64
	// Fragments counts IP fragments; FragmentOrphans the non-first ones
	// whose first fragment was not seen (in no flow).
	Fragments, FragmentOrphans uint64
	// NonIP counts the frames without an IP header by protocol (ARP, LLDP,
	// STP, CDP …, or "EtherType 0x88b5"): they are in the packet and byte
	// totals but in no flow and have no hosts.
	NonIP map[string]uint64
	// VLAN counts the frames with 802.1Q tags.
	VLAN VLANTags
	// Dropped counts the records set aside and what was not kept because
	// of a bound; all zero for an ordinary capture.
	Dropped Dropped
}

// Bounds on what one pass over the input keeps, whatever the input says
// (they are not options): each is far above what a real capture of the
// assignment's kind needs (a 1 GB capture of a busy desktop has some
// 100 000 flows, 60 000 DNS lookups, a few thousand hosts and an hour of
// 1-second bins), and together they keep the model within the README's
// memory figure. What passes one is counted in Dropped.
const (
	MaxHosts      = ingest.MaxHosts      // distinct IP addresses counted (524 288)
	MaxBins       = ingest.MaxBins       // time bins (1 048 576: 12 days of 1-second bins)
	MaxDNS        = ingest.MaxDNS        // DNS transactions kept (500 000)
	MaxICMPErrors = ingest.MaxICMPErrors // ICMP error messages kept (200 000)
	MaxDHCP       = ingest.MaxDHCP       // DHCP transactions kept (100 000)
	MaxFragments  = ingest.MaxFragments  // first fragments awaiting the rest of their datagram (65 536)
	MaxNonIP      = ingest.MaxNonIP      // non-IP protocols counted (4 096)
	MaxSpread     = ingest.MaxSpread     // time bins a flow of a flow file is spread over bin by bin (100 000)
	MaxRecord     = capfile.MaxRecord    // bytes of one record read (262 144, libpcap's largest snap length)
	// MaxTimeJump is how far a record's time may lie from both the record
	// before it and the record after it in its file: 7 days.
	MaxTimeJump = time.Duration(ingest.MaxTimeJump)
)

// Dropped counts what one pass set aside, or did not keep because of a
// bound; every count is zero for an ordinary capture. `pcaplab summary
// --json` prints it as "dropped", with only the counts that are not zero.
type Dropped struct {
	// BadTime counts records set aside for a timestamp outside 1970-01-01
	// to 2262-04-11 (what int64 nanoseconds hold), or none (a pcapng simple
	// packet block); for a flow file, flows whose start or end is outside
	// that range or that end before they start. They count in nothing else:
	// not in packets, bytes, flows or any file's packets.
	BadTime uint64 `json:"bad_time,omitempty"`
	// TimeJumps counts records set aside for a time more than MaxTimeJump
	// from both the record before and the record after (one garbled
	// timestamp would otherwise stretch the capture over years); they count
	// in nothing else.
	TimeJumps uint64 `json:"time_jumps,omitempty"`
	// CutRecords counts records longer than MaxRecord bytes, of which only
	// the first MaxRecord bytes were decoded; they count in full in bytes.
	CutRecords uint64 `json:"cut_records,omitempty"`
	// HostPackets counts packet-host pairs counted for no host because
	// MaxHosts addresses were already counted (a packet counts once for
	// each of its addresses); the packets count in packets, bytes and flows.
	HostPackets uint64 `json:"host_packets,omitempty"`
	// BinPackets counts packets (for a flow file, flows' shares) in no time
	// bin because MaxBins bins already existed; they count in packets and
	// bytes.
	BinPackets uint64 `json:"bin_packets,omitempty"`
	// DNS counts DNS queries and responses not kept because MaxDNS
	// transactions were (a query not kept and, again, its response).
	DNS uint64 `json:"dns_messages,omitempty"`
	// ICMPErrors counts ICMP error messages not kept past MaxICMPErrors.
	ICMPErrors uint64 `json:"icmp_errors,omitempty"`
	// DHCP counts DHCP messages of new transactions not kept past MaxDHCP.
	DHCP uint64 `json:"dhcp_messages,omitempty"`
	// Fragments counts first IP fragments forgotten before the rest of
	// their datagram came (the table of them is emptied when it holds
	// MaxFragments, or more than 4 096 at a sweep); their later fragments
	// are orphans (Input.FragmentOrphans), in no flow.
	Fragments uint64 `json:"fragments,omitempty"`
	// NonIP counts non-IP frames counted for no protocol because MaxNonIP
	// protocols already were; they count in packets and bytes.
	NonIP uint64 `json:"non_ip_frames,omitempty"`
	// SpreadFlows counts flows of a flow file over more than MaxSpread time
	// bins, spread over MaxSpread equal parts of their span (each part in
	// the bin where it starts) instead of bin by bin.
	SpreadFlows uint64 `json:"spread_flows,omitempty"`
}

// VLANTags counts the frames carrying 802.1Q (or 802.1ad) tags: with one
// tag, with two or more (QinQ), and by outer VLAN ID.
type VLANTags struct {
	Single uint64            `json:"single_tagged"`
	Double uint64            `json:"double_tagged"`
	IDs    map[uint16]uint64 `json:"frames_by_vlan_id"`
}

// FileInfo describes one input file.
type FileInfo struct {
	Name      string   `json:"name"`
	Format    string   `json:"format"`
	LinkTypes []string `json:"link_types"`
	Packets   uint64   `json:"packets"`
	Bytes     uint64   `json:"bytes"`
	Warning   string   `json:"warning,omitempty"`  // set when the file could not be read to its end
	First     int64    `json:"first_ns,omitempty"` // its earliest packet (ns since 1970; 0: none, or a flow file)
	Last      int64    `json:"last_ns,omitempty"`  // its latest packet
}

// FlowFileInfo describes a flow-file input: what was read, and what its
// format can and cannot tell, so that the report says exactly what the
// input is and never states what the format does not know. Each field's
// comment gives an example of what it lets the report say.
type FlowFileInfo struct {
	// Format names the tool and output mode, as recognised from the
	// content. "The input is a flow file written by nfdump -o json."
	Format string `json:"format"`
	// Records is the number of records read (rows or objects: one-way
	// records for nfdump, status records for Argus) and Skipped the records
	// left out, by reason. "Read from 231 nfdump records; 2 Argus
	// management records (argus's own status, not traffic) left out."
	Records int            `json:"records"`
	Skipped map[string]int `json:"skipped,omitempty"`

	// Bytes describes what byte counts measure, in words (kept for older
	// callers); ByteKind says the same as a value: "wire" (frame lengths,
	// as pcaplab counts from a capture), "ip" (from the IP header: each
	// packet counts its link-layer header less — 14 bytes on Ethernet, 18
	// with a VLAN tag — and a frame padded to Ethernet's 60-byte minimum
	// its padding less too) or "payload" (transport payload only). "Flow
	// sizes are IP bytes (nfdump): smaller than frame bytes by at least
	// 14 bytes per packet on Ethernet."
	Bytes    string   `json:"bytes"`
	ByteKind ByteKind `json:"byte_kind"`
	// ByteStep is the width of the interval a rounded byte count stands
	// for, and RoundedCounts how many counts were rounded (tshark prints
	// 177 950 bytes as "177 kB": the middle, 177 500, is used). "53 byte
	// counts were printed in kB by tshark: each may be off by up to
	// ±500 bytes."
	ByteStep      uint64 `json:"byte_step"`
	RoundedCounts int    `json:"rounded_counts"`

	// HasState is true when TCP states say how connections went (TCPState
	// is not "none"); kept for older callers.
	HasState bool `json:"has_tcp_state"`
	// TCPState says where TCP states come from: "conn_state" (Zeek's, from
	// the packets in order: Zeek, pcaplab), "flags" (the TCP flags each side
	// sent, without their order: nfdump one-way records, ra -Z b),
	// "combined_flags" (both sides' flags ORed: nfdump -b; only attempts
	// with no packet back are known), "argus_state" (Argus's words: REQ,
	// CON, FIN, RST …; a RST does not say who reset, so it stays unknown)
	// or "none" (tshark, CICFlowMeter, NFStream). "TCP states come from
	// the flags each side sent (nfdump), without their order: a connection
	// reset by both sides is counted as reset by the originator."
	TCPState TCPStateSource `json:"tcp_state"`
	// Payload is true when transport payload bytes per direction are
	// known: only then can a reset connection that carried data be told
	// from one that did not (tcp_aborted). "nfdump does not count payload
	// bytes, so connections reset after the handshake cannot be classed as
	// aborted or not."
	Payload bool `json:"payload_known"`
	// Directions is true when packets and bytes are known per direction;
	// otherwise all of a flow's counts are the originator's (ra's default
	// TotPkts/TotBytes). "Argus's default fields give totals only: bytes
	// sent and received per host are not known."
	Directions bool `json:"directions_known"`
	// Durations is true when flows' end times are known; otherwise every
	// flow is counted as lasting 0 s (racluster's default fields). "The file
	// has no LastTime or Dur column: durations, throughput and rates over
	// time cannot be derived from it."
	Durations bool `json:"durations_known"`
	// StartPrecision and DurationPrecision are the resolution of start
	// times and of durations as printed (nfdump -o csv: starts to the
	// second, durations to the millisecond; tshark: starts to the
	// nanosecond, durations to 100 µs). "Start times are known to the
	// second only."
	StartPrecision    time.Duration `json:"start_precision_ns"`
	DurationPrecision time.Duration `json:"duration_precision_ns"`
	// Clock says what times are: "utc" (epoch seconds or UTC dates),
	// "local" (dates in the exporting machine's time zone, which the file
	// does not name; read as UTC), "relative" (seconds since the capture's
	// first packet: tshark's default; no date) or "time_of_day" (ra's
	// default: no date; read as 1970-01-01). With "relative" and
	// "time_of_day" no date or year may be printed. "tshark gives start
	// times relative to the first packet: the capture's date is not known."
	Clock Clock `json:"clock"`
	// TimeoutsBy says what ended flows: "none" (tshark: one record per
	// 5-tuple over the whole capture, like pcaplab's --idle-timeout 0),
	// "exporter" (the exporter's own timeouts, named in Timeouts),
	// "pcaplab" (pcaplab's own CSV) or "whole_file" (nfdump -b: all records
	// of a 5-tuple joined). pcaplab's idle timeouts never apply to a flow
	// file. "Flows were ended by nfpcapd's own timeouts (60 s without
	// packets, 300 s in all), not pcaplab's."
	TimeoutsBy TimeoutSource `json:"timeouts_by"`
	Timeouts   string        `json:"timeouts"`
	// Orientation says how the originator of a flow was decided:
	// "first_packet" (the side that sent the first packet: tshark,
	// CICFlowMeter, NFStream), "syn" (the SYN sender, else the first
	// packet's sender: pcaplab, Zeek, nfdump records paired by time),
	// "exporter" (Argus's own choice) or "guessed" (nfdump -b: nobody
	// knows). Guessed counts the flows whose originator was guessed (for
	// Argus: marked uncertain by argus), GuessedHow says how. "The
	// originator is the SYN sender for all but 12 flows, whose two
	// directions started within the same second: for those the side on a
	// well-known port was taken as the responder."
	Orientation Orientation `json:"orientation"`
	Guessed     int         `json:"guessed_orientations"`
	GuessedHow  string      `json:"guessed_how,omitempty"`
	// Protocols are the IP protocols the file can contain by construction;
	// empty when any. "The flow file is tshark's TCP conversation table:
	// it has no UDP or ICMP by construction."
	Protocols []string `json:"protocols,omitempty"`
	// ICMPPerPacket is true when the exporter writes one record per ICMP
	// packet (nfpcapd): ICMP "flows" are packets. "nfpcapd writes one record
	// per ICMP packet: the 96 ICMP flows are 96 ICMP packets."
	ICMPPerPacket bool `json:"icmp_per_packet"`
	// ExporterTotals are the exporter's own totals (nfdump's Summary), when
	// the file has them, and TotalsMatch says the records add up to them.
	// "nfdump's own summary (123 records, 1 657 packets, 1 431 054 bytes)
	// matches the records read."
	ExporterTotals *FlowTotals `json:"exporter_totals,omitempty"`
	TotalsMatch    bool        `json:"totals_match"`

	// FailureClasses are the failure classes (see Failures) this input can
	// show, and FailureClassesMissing those it cannot: DNS and ICMP classes
	// always (no flow file holds DNS answers or the packet an ICMP error
	// quotes), and the TCP and UDP classes its states and counts cannot
	// tell. "From nfdump's flags: TCP attempts unanswered and rejected, and
	// UDP without reply; DNS errors, ICMP unreachables and connections
	// aborted after the handshake cannot be told from this file."
	FailureClasses        []string `json:"failure_classes"`
	FailureClassesMissing []string `json:"failure_classes_missing"`
	// Fastest is true when T3.6 can be answered: per-side TCP flags (a
	// handshake seen) and durations are known. "tshark's conversation table
	// has no TCP flags, so the fastest connections cannot be ranked."
	Fastest bool `json:"fastest"`
	// RatesSpread is always true for a flow file: bit and packet rates
	// over time (T3.7) spread each flow's bytes evenly over its duration,
	// so peaks are flattened. "Rates over time are estimated from flows,
	// each spread evenly over its duration: peaks are lower than the
	// capture would show."
	RatesSpread bool `json:"rates_spread"`
	// Notes are further facts in sentences (pairing of one-way records,
	// merged status records, missing application bytes …).
	Notes []string `json:"notes"`
}

// ByteKind says what byte counts measure: "wire", "ip" or "payload".
type ByteKind string

// TCPStateSource says where TCP states come from (see FlowFileInfo).
type TCPStateSource string

// Clock says what a flow file's times are (see FlowFileInfo).
type Clock string

// TimeoutSource says what ended a flow file's flows (see FlowFileInfo).
type TimeoutSource string

// Orientation says how a flow file's originators were decided (see
// FlowFileInfo).
type Orientation string

// FlowTotals are totals an exporter printed about its own records.
type FlowTotals struct {
	Records uint64 `json:"records"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

var (
	byteKinds = map[flowfile.Bytes]ByteKind{flowfile.WireBytes: "wire", flowfile.IPBytes: "ip", flowfile.PayloadBytes: "payload"}
	stateSrcs = map[flowfile.StateSource]TCPStateSource{flowfile.StateNone: "none", flowfile.StateConn: "conn_state",
		flowfile.StateFlags: "flags", flowfile.StateCombinedFlags: "combined_flags", flowfile.StateArgus: "argus_state"}
	clocks = map[flowfile.Clock]Clock{flowfile.ClockUTC: "utc", flowfile.ClockLocal: "local", flowfile.ClockRelative: "relative",
		flowfile.ClockTimeOfDay: "time_of_day"}
	timeoutSrcs = map[flowfile.TimeoutSource]TimeoutSource{flowfile.TimeoutsNone: "none", flowfile.TimeoutsExporter: "exporter",
		flowfile.TimeoutsPcaplab: "pcaplab", flowfile.TimeoutsWholeFile: "whole_file"}
	orientations = map[flowfile.Orientation]Orientation{flowfile.OrientFirstPacket: "first_packet", flowfile.OrientSYN: "syn",
		flowfile.OrientExporter: "exporter", flowfile.OrientGuessed: "guessed"}
)

// flowFileInfo describes what a flow file's reader found.
func flowFileInfo(s *flowfile.Result) *FlowFileInfo {
	fi := &FlowFileInfo{Format: string(s.Format), Records: s.Records, Skipped: s.Skipped, Bytes: string(s.Bytes),
		ByteKind: byteKinds[s.Bytes], ByteStep: s.ByteStep, RoundedCounts: s.Rounded, HasState: s.HasState,
		TCPState: stateSrcs[s.State], Payload: s.Payload, Directions: s.Directions, Durations: s.Durations,
		StartPrecision: s.StartStep, DurationPrecision: s.DurationStep, Clock: clocks[s.Clock],
		TimeoutsBy: timeoutSrcs[s.Timeouts.By], Timeouts: s.Timeouts.Text, Orientation: orientations[s.Orientation],
		Guessed: s.Guessed, ICMPPerPacket: s.ICMPPerPacket, TotalsMatch: s.TotalsMatch, RatesSpread: true, Notes: s.Notes}
	if s.Guessed > 0 {
		fi.GuessedHow = s.GuessedHow
	}
	for _, p := range s.Protocols {
		fi.Protocols = append(fi.Protocols, ProtocolName(p))
	}
	if t := s.Totals; t != nil {
		fi.ExporterTotals = &FlowTotals{Records: t.Flows, Packets: t.Packets, Bytes: t.Bytes}
	}
	fi.FailureClasses, fi.FailureClassesMissing = flowFileFailures(fi)
	fi.Fastest = (fi.TCPState == "flags" || fi.TCPState == "conn_state") && fi.Durations
	return fi
}

// flowFileFailures splits the failure classes into those a flow file can
// show and those it cannot. TCP no answer needs a state that says the
// responder sent nothing; rejected, which side reset; aborted, also the
// payload; UDP without reply, packets per direction (or Argus's words);
// DNS and ICMP classes need packets no flow file holds.
func flowFileFailures(fi *FlowFileInfo) (found, missing []string) {
	flags := fi.TCPState == "flags" || fi.TCPState == "conn_state"
	can := map[string]bool{
		FailTCPNoAnswer: fi.TCPState != "none",
		FailTCPRejected: flags,
		FailTCPAborted:  flags && fi.Payload,
		FailUDPNoReply:  fi.Directions || fi.TCPState == "argus_state",
	}
	if len(fi.Protocols) > 0 && !slices.Contains(fi.Protocols, "TCP") {
		can[FailTCPNoAnswer], can[FailTCPRejected], can[FailTCPAborted] = false, false, false
	}
	if len(fi.Protocols) > 0 && !slices.Contains(fi.Protocols, "UDP") {
		can[FailUDPNoReply] = false
	}
	for _, cl := range failureOrder {
		if can[cl] {
			found = append(found, cl)
		} else {
			missing = append(missing, cl)
		}
	}
	return found, missing
}

// Input describes the input of the capture.
func (c *Capture) Input() Input {
	in := Input{Warnings: append(slices.Clone(c.warnings), overlaps(c.m.Files)...), Skipped: c.m.Skipped, Evicted: c.m.Evicted, Fragments: c.m.Fragments, FragmentOrphans: c.m.FragOrphans,
		NonIP: map[string]uint64{}, VLAN: VLANTags{Single: c.m.VLAN.Single, Double: c.m.VLAN.Double, IDs: c.m.VLAN.IDs},
		Dropped: Dropped(c.m.Dropped)}
	for k, v := range c.m.NonIP {
		in.NonIP[k] = v.Packets
	}
	for _, f := range c.m.Files {
		in.Files = append(in.Files, FileInfo{Name: f.Name, Format: f.Format, LinkTypes: f.LinkTypes, Packets: f.Packets, Bytes: f.Bytes,
			Warning: f.Warning, First: f.First, Last: f.Last})
	}
	if s := c.source; s != nil {
		in.FlowFile = flowFileInfo(s)
	}
	return in
}

// Name is a short name for the input: the file name, or the first one and
// how many more.
func (c *Capture) Name() string {
	if len(c.m.Files) == 0 {
		return "capture"
	}
	n := filepath.Base(c.m.Files[0].Name)
	if n == "-" {
		n = "standard input"
	}
	if len(c.m.Files) > 1 {
		n += fmt.Sprintf(" and %d more", len(c.m.Files)-1)
	}
	return n
}

// DNSTransaction is a DNS query over UDP port 53 and its response, matched
// by client address and port, server address and DNS ID; a retransmitted
// query is the same transaction.
type DNSTransaction struct {
	Client, Server netip.Addr
	ClientPort     uint16
	ID             uint16
	Name           string // first question, lower case, at most 255 bytes; bytes outside printable ASCII become '?'
	QType          uint16
	Query          time.Time // zero for a response whose query was not seen
	Response       time.Time // zero when no response was seen
	Answered       bool
	RCode          uint8 // response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED …)
	Answers        uint16
}

// DNS returns the DNS transactions seen on UDP port 53, in the order their
// first packet was seen. Once flows are spilled (a huge capture), only the
// failed ones are kept.
func (c *Capture) DNS() []DNSTransaction {
	out := make([]DNSTransaction, len(c.m.DNS))
	for i, t := range c.m.DNS {
		out[i] = DNSTransaction{Client: t.Client, Server: t.Server, ClientPort: t.ClientPort, ID: t.ID, Name: t.Name,
			QType: t.QType, Query: nsTime(t.QueryTime), Response: nsTime(t.ResponseTime), Answered: t.Answered,
			RCode: t.RCode, Answers: t.Answers}
	}
	return out
}

// ICMPMessage is an ICMP or ICMPv6 error message and the packet it quotes.
type ICMPMessage struct {
	Time     time.Time
	From, To netip.Addr // outer header: the reporting router or host, and the original sender
	V6       bool
	Type     uint8
	Code     uint8
	// The quoted packet's header: protocol, addresses and (TCP, UDP) ports.
	Quoted             flow.Proto
	QSrc, QDst         netip.Addr
	QSrcPort, QDstPort uint16
	QHasPorts          bool
	// Matched is true when the quoted packet belongs to a flow seen in the
	// capture (that flow's ICMPError is set).
	Matched bool
}

// ICMPErrors returns the ICMP and ICMPv6 error messages.
func (c *Capture) ICMPErrors() []ICMPMessage {
	out := make([]ICMPMessage, len(c.m.ICMPErrors))
	for i, e := range c.m.ICMPErrors {
		out[i] = icmpMessage(e)
	}
	return out
}

func icmpMessage(e ingest.ICMPError) ICMPMessage {
	q := e.Quoted
	return ICMPMessage{Time: nsTime(e.Time), From: e.From, To: e.To, V6: e.V6, Type: e.Type, Code: e.Code,
		Quoted: q.Proto, QSrc: q.Src, QDst: q.Dst, QSrcPort: q.SrcPort, QDstPort: q.DstPort, QHasPorts: q.HasPorts, Matched: e.Matched}
}

func nsTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// Dated reports whether the input's times carry a date. Not for flow
// files with times relative to the first packet (tshark's default) or
// times of day only (ra's default), read as days from 1970-01-01; not for
// captures whose timestamps start before 1990 (before libpcap, 1994):
// rebased to 1970 by an anonymiser or a device without a clock, as in the
// Gnutella trace whose payload dates it to 2022. Their times are shown as
// offsets, never as dates.
func (c *Capture) Dated() bool {
	if c.Start().Year() < 1990 {
		return false
	}
	fi := c.Input().FlowFile
	return fi == nil || fi.Clock == "utc" || fi.Clock == "local"
}

// wording is what sentences call the input: a capture of packets, or a
// flow file, whose times are flows' and whose rates are estimates.
type wording struct {
	noun   string // "capture" or "flow file"
	origin string // "the first packet" or "the first flow's start"
	spread bool   // rates spread each flow's bytes evenly over its duration
	dated  bool   // times have a date (not tshark's relative times or ra's times of day)
}

func (c *Capture) words() wording {
	if c.source != nil {
		return wording{noun: "flow file", origin: "the first flow's start", spread: true, dated: c.Dated()}
	}
	return wording{noun: "capture", origin: "the first packet", dated: c.Dated()}
}
