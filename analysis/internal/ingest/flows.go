package ingest

import (
	"net/netip"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
)

// IP protocol numbers used here.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// EndReason says why a flow record was closed.
type EndReason uint8

// Why flows end.
const (
	EndEOF     EndReason = iota // still open when the capture ended
	EndIdle                     // idle longer than its protocol's timeout
	EndReused                   // a new TCP SYN on the same 5-tuple started another flow
	EndEvicted                  // ended early: too many live flows (Options.MaxFlows)
)

// String names the reason: eof, idle, reused or evicted.
func (e EndReason) String() string {
	switch e {
	case EndIdle:
		return "idle"
	case EndReused:
		return "reused"
	case EndEvicted:
		return "evicted"
	}
	return "eof"
}

// Flow is one finished bidirectional flow. The originator (Orig) is the side
// that sent the first packet seen, except that for TCP the sender of the SYN
// is the originator (a flow first seen at its SYN-ACK is turned round).
type Flow struct {
	Proto              uint8 // IP protocol number
	Orig, Resp         netip.Addr
	OrigPort, RespPort uint16 // ports; for ICMP echo both are the identifier, for other ICMP type and code
	First, Last        int64  // ns since the Unix epoch

	OrigPackets, RespPackets uint64
	OrigBytes, RespBytes     uint64 // wire bytes
	OrigPayload, RespPayload uint64 // transport payload bytes (as captured)

	OrigFlags, RespFlags uint8  // TCP flags seen, ORed (decode.SYN, …)
	History              string // Zeek-style history: upper case originator, lower case responder
	State                string // Zeek conn_state (TCP: S0 … OTH; others: S0, SF, SHR, OTH)
	RTT                  int64  // TCP handshake: SYN to the ACK of the SYN-ACK, ns; -1 if not seen
	End                  EndReason

	// ICMPError is the first ICMP/ICMPv6 error that quoted a packet of this
	// flow, as 1 + type<<8 | code (0: none).
	ICMPError uint16

	// App is the application protocol recognised from the flow's payload
	// (TLS, QUIC, HTTP, DNS, STUN …; "" when none was), ServerName the
	// first TLS SNI or HTTP Host seen in it.
	App        string
	ServerName string
}

// Packets is the flow's packet count in both directions.
func (f *Flow) Packets() uint64 { return f.OrigPackets + f.RespPackets }

// Bytes is the flow's wire bytes in both directions.
func (f *Flow) Bytes() uint64 { return f.OrigBytes + f.RespBytes }

// Duration is Last − First in nanoseconds.
func (f *Flow) Duration() int64 { return f.Last - f.First }

// Key identifies a live flow: the unordered 5-tuple (A ≤ B).
type Key struct {
	A, B         netip.Addr
	PortA, PortB uint16
	Proto        uint8
}

func makeKey(proto uint8, src, dst netip.Addr, sp, dp uint16) Key {
	c := src.Compare(dst)
	if c < 0 || (c == 0 && sp <= dp) {
		return Key{A: src, B: dst, PortA: sp, PortB: dp, Proto: proto}
	}
	return Key{A: dst, B: src, PortA: dp, PortB: sp, Proto: proto}
}

// history letters, in Zeek's order of meaning.
const (
	hSYN = iota
	hSYNACK
	hACK
	hData
	hFIN
	hRST
	nHist
)

var histLetters = [nHist]byte{'S', 'H', 'A', 'D', 'F', 'R'}

// entry is a live flow.
type entry struct {
	Flow
	key          Key
	hostO, hostR *HostStats // counters of Orig and Resp (hostR nil when the same address)

	baseSeq  [2]uint32
	seqSet   [2]bool
	histSeen [2]uint8 // bit per history letter, per direction
	hist     [2 * nHist]byte
	nhist    uint8
	synTime  int64
	synAck   bool
	closed   bool // RST seen, or FIN from both sides
	fin      [2]bool
}

func (e *entry) mark(dir int, letter int) {
	if e.histSeen[dir]&(1<<letter) != 0 {
		return
	}
	e.histSeen[dir] |= 1 << letter
	c := histLetters[letter]
	if dir == 1 {
		c += 'a' - 'A'
	}
	e.hist[e.nhist] = c
	e.nhist++
}

// tcp updates TCP state for a packet of direction dir (0 orig, 1 resp).
func (e *entry) tcp(dir int, p *decode.Packet, ts int64) {
	f := p.TCPFlags
	if dir == 0 {
		e.OrigFlags |= f
	} else {
		e.RespFlags |= f
	}
	if !e.seqSet[dir] {
		e.seqSet[dir] = true
		e.baseSeq[dir] = p.Seq
	}
	switch {
	case f&decode.SYN != 0 && f&decode.ACK == 0:
		if dir == 0 && e.synTime == 0 {
			e.synTime = ts
		}
		e.mark(dir, hSYN)
	case f&decode.SYN != 0:
		e.mark(dir, hSYNACK)
		if dir == 1 {
			e.synAck = true
		}
	case f&(decode.FIN|decode.RST) == 0 && p.PayloadLen == 0 && f&decode.ACK != 0:
		e.mark(dir, hACK)
		if dir == 0 && e.synAck && e.RTT < 0 && e.synTime != 0 {
			e.RTT = ts - e.synTime
		}
	}
	if p.PayloadLen > 0 {
		e.mark(dir, hData)
		if dir == 0 && e.synAck && e.RTT < 0 && e.synTime != 0 && f&decode.ACK != 0 {
			e.RTT = ts - e.synTime
		}
	}
	if f&decode.FIN != 0 {
		e.mark(dir, hFIN)
		e.fin[dir] = true
		if e.fin[0] && e.fin[1] {
			e.closed = true
		}
	}
	if f&decode.RST != 0 {
		e.mark(dir, hRST)
		e.closed = true
	}
}

// finish fills in History and State.
func (e *entry) finish(reason EndReason) Flow {
	e.History = string(e.hist[:e.nhist])
	e.End = reason
	switch e.Proto {
	case ProtoTCP:
		e.State = tcpState(e.histSeen, e.hist[:e.nhist])
	default:
		switch {
		case e.OrigPackets > 0 && e.RespPackets > 0:
			e.State = "SF"
		case e.OrigPackets > 0:
			e.State = "S0"
		default:
			e.State = "SHR"
		}
	}
	return e.Flow
}

// tcpState maps what was seen to Zeek's conn_state.
func tcpState(seen [2]uint8, hist []byte) string {
	has := func(dir, l int) bool { return seen[dir]&(1<<l) != 0 }
	origSYN, respSYNACK := has(0, hSYN), has(1, hSYNACK)
	origRST, respRST := has(0, hRST), has(1, hRST)
	origFIN, respFIN := has(0, hFIN), has(1, hFIN)
	respAny := seen[1] != 0
	firstRST := byte(0)
	if i := strings.IndexAny(string(hist), "Rr"); i >= 0 {
		firstRST = hist[i]
	}
	switch {
	case origSYN && !respSYNACK:
		switch {
		case respRST:
			return "REJ"
		case origRST:
			return "RSTOS0"
		case origFIN:
			return "SH"
		case !respAny:
			return "S0"
		}
		return "OTH"
	case !origSYN && respSYNACK:
		switch {
		case respRST:
			return "RSTRH"
		case respFIN:
			return "SHR"
		}
		return "OTH"
	case !origSYN && !respSYNACK:
		return "OTH"
	}
	// Established.
	switch {
	case firstRST == 'R':
		return "RSTO"
	case firstRST == 'r':
		return "RSTR"
	case origFIN && respFIN:
		return "SF"
	case origFIN:
		return "S2"
	case respFIN:
		return "S3"
	}
	return "S1"
}

// MakeKey is the unordered 5-tuple key of a flow between two endpoints.
func MakeKey(proto uint8, src, dst netip.Addr, sp, dp uint16) Key {
	return makeKey(proto, src, dst, sp, dp)
}

// StateFromFlags derives Zeek's conn_state from the TCP flags each side
// sent, for flow records that keep flags but not their order (nfdump). When
// both sides reset, the originator is taken to have reset first.
func StateFromFlags(orig, resp uint8, respPackets uint64) string {
	var seen [2]uint8
	var hist []byte
	mark := func(dir int, l int, on bool) {
		if on {
			seen[dir] |= 1 << l
			c := histLetters[l]
			if dir == 1 {
				c += 'a' - 'A'
			}
			hist = append(hist, c)
		}
	}
	const syn, ack, fin, rst = 0x02, 0x10, 0x01, 0x04
	mark(0, hSYN, orig&syn != 0)
	mark(1, hSYNACK, resp&(syn|ack) == syn|ack)
	mark(0, hFIN, orig&fin != 0)
	mark(1, hFIN, resp&fin != 0)
	mark(0, hRST, orig&rst != 0)
	mark(1, hRST, resp&rst != 0)
	if respPackets > 0 && seen[1] == 0 {
		seen[1] |= 1 << hACK
	}
	return tcpState(seen, hist)
}
