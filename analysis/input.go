package analysis

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"time"

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
	Warning   string   `json:"warning,omitempty"` // set when the file could not be read to its end
}

// FlowFileInfo describes a flow-file input: its format, what its byte
// counts measure, whether it says how TCP connections went (so failures can
// be classified), and notes on what was done (pairing one-way records,
// rounding).
type FlowFileInfo struct {
	Format   string   `json:"format"`
	Bytes    string   `json:"bytes"`
	HasState bool     `json:"has_tcp_state"`
	Notes    []string `json:"notes"`
}

// Input describes the input of the capture.
func (c *Capture) Input() Input {
	in := Input{Warnings: c.warnings, Skipped: c.m.Skipped, Evicted: c.m.Evicted, Fragments: c.m.Fragments, FragmentOrphans: c.m.FragOrphans,
		NonIP: map[string]uint64{}, VLAN: VLANTags{Single: c.m.VLAN.Single, Double: c.m.VLAN.Double, IDs: c.m.VLAN.IDs}}
	for k, v := range c.m.NonIP {
		in.NonIP[k] = v.Packets
	}
	for _, f := range c.m.Files {
		in.Files = append(in.Files, FileInfo(f))
	}
	if s := c.source; s != nil {
		in.FlowFile = &FlowFileInfo{Format: string(s.Format), Bytes: string(s.Bytes), HasState: s.HasState, Notes: s.Notes}
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
