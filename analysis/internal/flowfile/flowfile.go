// Package flowfile reads flow records exported by common tools — tshark's
// conversation tables, nfdump (CSV in its 1.6–1.7 and later layouts, JSON),
// Argus (ra and racluster with any field set and separator), Zeek conn.log
// (TSV and JSON), CICFlowMeter and NFStream CSV — and pcaplab's own CSV,
// recognising the format from the content. One or several files (rotated
// nfdump output, tshark's TCP and UDP tables apart), gzip-compressed or
// not, with or without a UTF-8 byte order mark, make one Result: the
// bidirectional flows and what the format can and cannot tell.
//
// A record the reader cannot read right is an error, one line naming the
// file and line and saying which export avoids it; nothing is read as zero
// that the file does not say.
package flowfile

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// Format names a flow-file format: the tool and the output mode.
type Format string

// The formats Read recognises.
const (
	TsharkConv   Format = "tshark -z conv (text)"
	Nfdump       Format = "nfdump -o csv"
	NfdumpBidir  Format = "nfdump -b -o csv (bidirectional)"
	NfdumpJSON   Format = "nfdump -o json"
	ZeekTSV      Format = "Zeek conn.log (TSV)"
	ZeekJSON     Format = "Zeek conn.log (JSON)"
	Argus        Format = "Argus ra"
	CICFlowMeter Format = "CICFlowMeter CSV"
	NFStream     Format = "NFStream CSV"
	Pcaplab      Format = "pcaplab flows CSV"
)

// Bytes says what a format's byte counts measure.
type Bytes string

// What byte counts can mean.
const (
	WireBytes    Bytes = "frame (wire) bytes, as pcaplab counts"
	IPBytes      Bytes = "IP bytes (from the IP header; no link-layer header)"
	PayloadBytes Bytes = "transport payload bytes (no headers)"
)

// StateSource says where a format's TCP connection states come from.
type StateSource uint8

// Where TCP states come from.
const (
	StateNone          StateSource = iota // no TCP state at all (tshark, CICFlowMeter, NFStream)
	StateConn                             // Zeek's conn_state, from the packets in order (Zeek, pcaplab)
	StateFlags                            // TCP flags each side sent, ORed, without their order (nfdump one-way records, ra -Z b)
	StateCombinedFlags                    // TCP flags of both sides ORed together (nfdump -b)
	StateArgus                            // Argus's own state words (REQ, CON, FIN, RST …)
)

// Clock says what a format's times are.
type Clock uint8

// What times can be.
const (
	ClockUTC       Clock = iota // absolute UTC times (epoch seconds, or dates in UTC)
	ClockLocal                  // dates in the exporting machine's time zone, which the file does not name; read as UTC
	ClockRelative               // seconds since the capture's first packet: no date
	ClockTimeOfDay              // a time of day without a date: read as on 1970-01-01
)

// Orientation says how a format decides which side originated a flow.
type Orientation uint8

// How originators are decided.
const (
	OrientFirstPacket Orientation = iota // the side that sent the flow's first packet (tshark, CICFlowMeter, NFStream)
	OrientSYN                            // the SYN sender, else the first packet's sender (pcaplab, Zeek; nfdump records paired by time)
	OrientExporter                       // the exporter's own decision (Argus: the SYN sender, else its guess)
	OrientGuessed                        // nobody knows: the side on a well-known port is taken as the responder (nfdump -b)
)

// TimeoutSource says what ended the flows of a file.
type TimeoutSource uint8

// What ends flows.
const (
	TimeoutsNone      TimeoutSource = iota // nothing: one record per 5-tuple over the whole capture (tshark)
	TimeoutsExporter                       // the exporter's own idle and active timeouts (Timeouts.Text names them)
	TimeoutsPcaplab                        // pcaplab's (its own CSV)
	TimeoutsWholeFile                      // records of one 5-tuple aggregated over the whole input (nfdump -b, racluster)
)

// Timeouts says what ended flows, in words when they are known.
type Timeouts struct {
	By   TimeoutSource
	Text string // e.g. "nfpcapd's: 60 s inactive, 300 s active by default (nfpcapd -e)"
}

// Totals are counts an exporter printed about its own records.
type Totals struct {
	Flows, Packets, Bytes uint64
}

// FileStat is what one input file held.
type FileStat struct {
	Name                  string
	Records               int // records (rows, objects) read
	Flows, Packets, Bytes uint64
	Totals                *Totals // the file's own summary, when it has one (nfdump's Summary)
}

// Result is what flow files hold: the flows and what their format can and
// cannot tell. It is the one output of the readers.
type Result struct {
	Format Format
	Files  []FileStat
	Flows  []flow.Flow
	// Records counts the records read; Skipped the records left out, by
	// reason ("ARP records (not IP)": 8).
	Records int
	Skipped map[string]int

	Bytes Bytes // what byte counts measure
	// ByteStep is the width of the interval a rounded byte count stands for
	// (tshark prints 177 950 bytes as "177 kB": 1000); Rounded counts the
	// rounded counts. The middle of each interval is used.
	ByteStep uint64
	Rounded  int

	HasState bool        // TCP states say how connections went (State is not StateNone)
	State    StateSource // where TCP states come from
	// Payload: transport payload bytes per direction are known (a flow
	// that carried data can be told from one that did not).
	Payload bool
	// Directions: packets and bytes are known per direction; otherwise all
	// are counted as the originator's.
	Directions bool
	// Durations: flows' end times are known; otherwise Last = First.
	Durations bool
	// StartStep and DurationStep are the resolution of start times and of
	// durations as printed (1 s for nfdump -o csv starts, 1 ms for its
	// durations).
	StartStep, DurationStep time.Duration
	Clock                   Clock
	Timeouts                Timeouts
	Orientation             Orientation
	// Guessed counts flows whose originator was guessed (see Orientation
	// and GuessedHow) rather than known.
	Guessed    int
	GuessedHow string
	// Protocols are the IP protocols the file can contain by construction
	// (tshark's TCP table: TCP); nil when any.
	Protocols []flow.Proto
	// ICMPPerPacket: the exporter writes one record per ICMP packet
	// (nfpcapd), so ICMP "flows" count packets.
	ICMPPerPacket bool
	// Totals are the exporter's own totals over all files, when printed
	// (nfdump's Summary); TotalsMatch says the records add up to them.
	Totals      *Totals
	TotalsMatch bool
	Notes       []string
}

// ErrUnknown is wrapped by Read's error for content it does not recognise.
var ErrUnknown = errors.New("not a flow file pcaplab knows (tshark -z conv, nfdump -o csv or json, Argus ra, Zeek conn.log, CICFlowMeter, NFStream, pcaplab CSV)")

// lineError is an error at a line of the file.
func lineError(line int, format string, a ...any) error {
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, a...))
}

// newFlow is a flow between two addresses; last is at least first.
func newFlow(proto flow.Proto, orig, resp netip.Addr, op, rp uint16, first, last int64) flow.Flow {
	return flow.Flow{Proto: proto, Orig: orig, Resp: resp, OrigPort: op, RespPort: rp, First: first, Last: max(first, last), RTT: -1}
}

// finish completes a combined result: flows in time order, per-file
// counts, the exporter's totals checked.
func (r *Result) finish() {
	sort.SliceStable(r.Flows, func(i, j int) bool { return flow.Less(&r.Flows[i], &r.Flows[j]) })
	r.HasState = r.State != StateNone
	if r.Totals != nil {
		var pk, by uint64
		for i := range r.Flows {
			pk += r.Flows[i].Packets()
			by += r.Flows[i].Bytes()
		}
		r.TotalsMatch = pk == r.Totals.Packets && by == r.Totals.Bytes
		if !r.TotalsMatch {
			r.Notes = append(r.Notes, fmt.Sprintf("The exporter's own summary counts %d packets and %d bytes; the records read add up to %d packets and %d bytes.",
				r.Totals.Packets, r.Totals.Bytes, pk, by))
		}
	}
	if n := hopByHop(r.Flows); n > 0 && r.Format != Pcaplab {
		r.Notes = append(r.Notes, fmt.Sprintf("%d flows have IP protocol 0: IPv6 packets whose first extension header is hop-by-hop (MLD reports, mostly); the exporter did not look past it, where pcaplab's reading of a capture finds ICMPv6.", n))
	}
	r.Notes = slices.Compact(r.Notes)
}

// hopByHop counts IPv6 flows of protocol 0.
func hopByHop(fl []flow.Flow) int {
	n := 0
	for i := range fl {
		if fl[i].Proto == 0 && fl[i].Orig.Is6() {
			n++
		}
	}
	return n
}
