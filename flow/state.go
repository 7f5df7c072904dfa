package flow

import (
	"strings"
	"time"
)

// State is a flow's connection state in Zeek's conn_state vocabulary. For
// TCP it comes from the history of segments (see Conn); for other
// protocols it is SF (packets both ways), S0 (originator only) or SHR
// (responder only).
//
//	S0      SYN seen, no reply at all
//	REJ     SYN answered by RST
//	RSTOS0  SYN, then RST from the originator, no SYN-ACK
//	SH      SYN, then FIN from the originator, no SYN-ACK
//	S1      handshake seen, not closed
//	SF      handshake seen, FIN from both sides
//	S2      handshake seen, FIN from the originator only
//	S3      handshake seen, FIN from the responder only
//	RSTO    handshake seen, the originator reset first
//	RSTR    handshake seen, the responder reset first
//	RSTRH   SYN-ACK then RST from the responder, no SYN seen
//	SHR     SYN-ACK then FIN from the responder, no SYN seen
//	OTH     no SYN seen (mid-stream) or anything else
//
// The zero State is Unknown ("-"): a flow file that does not say.
type State uint8

// Connection states.
const (
	Unknown State = iota
	S0
	S1
	SF
	REJ
	S2
	S3
	RSTO
	RSTR
	RSTOS0
	RSTRH
	SH
	SHR
	OTH
)

var stateNames = [...]string{"-", "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"}

// String is Zeek's name of the state ("-" for Unknown).
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "-"
}

// ParseState reads a name written by String (Zeek's conn_state).
func ParseState(name string) (State, bool) {
	for i, n := range stateNames {
		if n == name {
			return State(i), true
		}
	}
	return Unknown, false
}

// Established reports whether the TCP handshake was seen complete.
func (s State) Established() bool {
	switch s {
	case S1, SF, S2, S3, RSTO, RSTR:
		return true
	}
	return false
}

// History letters, in Zeek's order of meaning: S SYN, H SYN-ACK, A pure
// ACK, D data, F FIN, R RST. The originator's are upper case, the
// responder's lower case; each is recorded once per direction, in order of
// first appearance.
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

// Conn follows one TCP connection segment by segment: its history, its
// state, its handshake RTT and whether a SYN starts a new connection on
// the same 5-tuple. The zero value is ready to use.
type Conn struct {
	baseSeq  [2]uint32
	seqSet   [2]bool
	histSeen [2]uint8 // a bit per history letter, per direction
	hist     [2 * nHist]byte
	nhist    uint8
	fin      [2]bool
	synAck   bool
	closed   bool // RST seen, or FIN from both sides
	synTime  int64
	rtt      int64 // ns; 0 until seen
}

func (c *Conn) mark(d Dir, letter int) {
	if c.histSeen[d]&(1<<letter) != 0 {
		return
	}
	c.histSeen[d] |= 1 << letter
	l := histLetters[letter]
	if d == FromResp {
		l += 'a' - 'A'
	}
	c.hist[c.nhist] = l
	c.nhist++
}

// NewSYN reports whether a SYN (without ACK) from direction d with
// sequence number seq starts a new connection on the tuple: its sequence
// number differs from the one that direction started with, as Wireshark's
// tcp.stream decides. A retransmitted SYN does not.
func (c *Conn) NewSYN(d Dir, seq uint32) bool { return c.seqSet[d] && c.baseSeq[d] != seq }

// Segment records one segment from direction d at time ts (ns).
func (c *Conn) Segment(d Dir, f Flags, seq uint32, payload int, ts int64) {
	if !c.seqSet[d] {
		c.seqSet[d], c.baseSeq[d] = true, seq
	}
	switch {
	case f&SYN != 0 && f&ACK == 0:
		if d == FromOrig && c.synTime == 0 {
			c.synTime = ts
		}
		c.mark(d, hSYN)
	case f&SYN != 0:
		c.mark(d, hSYNACK)
		c.synAck = c.synAck || d == FromResp
	case f&(FIN|RST) == 0 && payload == 0 && f&ACK != 0:
		c.mark(d, hACK)
		c.handshakeDone(d, ts)
	}
	if payload > 0 {
		c.mark(d, hData)
		if f&ACK != 0 {
			c.handshakeDone(d, ts)
		}
	}
	if f&FIN != 0 {
		c.mark(d, hFIN)
		c.fin[d] = true
		c.closed = c.closed || (c.fin[0] && c.fin[1])
	}
	if f&RST != 0 {
		c.mark(d, hRST)
		c.closed = true
	}
}

// handshakeDone takes the RTT at the originator's first ACK after the
// SYN-ACK.
func (c *Conn) handshakeDone(d Dir, ts int64) {
	if d == FromOrig && c.synAck && c.rtt == 0 && c.synTime != 0 {
		c.rtt = max(ts-c.synTime, 1)
	}
}

// Closed reports whether a RST or a FIN from both sides was seen.
func (c *Conn) Closed() bool { return c.closed }

// History is the Zeek history string, e.g. "ShADadFf".
func (c *Conn) History() string { return string(c.hist[:c.nhist]) }

// RTT is the handshake round trip, -1 when not seen.
func (c *Conn) RTT() time.Duration {
	if c.rtt == 0 {
		return -1
	}
	return time.Duration(c.rtt)
}

// State maps what was seen to Zeek's conn_state.
func (c *Conn) State() State { return tcpState(c.histSeen, c.hist[:c.nhist]) }

func tcpState(seen [2]uint8, hist []byte) State {
	has := func(d Dir, l int) bool { return seen[d]&(1<<l) != 0 }
	origSYN, respSYNACK := has(FromOrig, hSYN), has(FromResp, hSYNACK)
	switch {
	case origSYN && !respSYNACK:
		return unanswered(has, seen[FromResp] != 0)
	case !origSYN && respSYNACK:
		switch {
		case has(FromResp, hRST):
			return RSTRH
		case has(FromResp, hFIN):
			return SHR
		}
		return OTH
	case !origSYN && !respSYNACK:
		return OTH
	}
	// Established.
	origFIN, respFIN := has(FromOrig, hFIN), has(FromResp, hFIN)
	switch i := strings.IndexAny(string(hist), "Rr"); {
	case i >= 0 && hist[i] == 'R':
		return RSTO
	case i >= 0:
		return RSTR
	case origFIN && respFIN:
		return SF
	case origFIN:
		return S2
	case respFIN:
		return S3
	}
	return S1
}

// unanswered is the state of a SYN that got no SYN-ACK.
func unanswered(has func(Dir, int) bool, respAny bool) State {
	switch {
	case has(FromResp, hRST):
		return REJ
	case has(FromOrig, hRST):
		return RSTOS0
	case has(FromOrig, hFIN):
		return SH
	case !respAny:
		return S0
	}
	return OTH
}

// OtherState is the state of a non-TCP flow: SF with packets both ways,
// S0 with packets from the originator only, SHR otherwise.
func OtherState(origPackets, respPackets uint64) State {
	switch {
	case origPackets > 0 && respPackets > 0:
		return SF
	case origPackets > 0:
		return S0
	}
	return SHR
}

// StateFromFlags derives the state and a history from the TCP flags each
// side sent, for flow records that keep flags but not their order
// (nfdump, Argus). When both sides reset, the originator is taken to have
// reset first.
func StateFromFlags(orig, resp Flags, respPackets uint64) (State, string) {
	var c Conn
	mark := func(d Dir, l int, on bool) {
		if on {
			c.mark(d, l)
		}
	}
	mark(FromOrig, hSYN, orig&SYN != 0)
	mark(FromResp, hSYNACK, resp&(SYN|ACK) == SYN|ACK)
	mark(FromOrig, hFIN, orig&FIN != 0)
	mark(FromResp, hFIN, resp&FIN != 0)
	mark(FromOrig, hRST, orig&RST != 0)
	mark(FromResp, hRST, resp&RST != 0)
	if respPackets > 0 && c.histSeen[FromResp] == 0 {
		c.histSeen[FromResp] |= 1 << hACK
	}
	return c.State(), c.History()
}

// ConnState is a snapshot of a Conn: everything it has seen, so that a
// connection open at the end of one capture file can be followed on in
// the next (see the flow store's stitching). Fields mirror Conn's.
type ConnState struct {
	BaseSeq  [2]uint32
	SeqSet   [2]bool
	HistSeen [2]uint8
	Hist     string
	Fin      [2]bool
	SynAck   bool
	Closed   bool
	SynTime  int64
	RTT      int64
}

// Snapshot returns the connection's state.
func (c *Conn) Snapshot() ConnState {
	return ConnState{BaseSeq: c.baseSeq, SeqSet: c.seqSet, HistSeen: c.histSeen, Hist: string(c.hist[:c.nhist]),
		Fin: c.fin, SynAck: c.synAck, Closed: c.closed, SynTime: c.synTime, RTT: c.rtt}
}

// RestoreConn makes a Conn that goes on from a snapshot; a history longer
// than a Conn can hold is cut.
func RestoreConn(s ConnState) Conn {
	c := Conn{baseSeq: s.BaseSeq, seqSet: s.SeqSet, histSeen: s.HistSeen, fin: s.Fin, synAck: s.SynAck,
		closed: s.Closed, synTime: s.SynTime, rtt: s.RTT}
	c.nhist = uint8(copy(c.hist[:], s.Hist))
	return c
}
