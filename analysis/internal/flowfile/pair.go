package flowfile

import (
	"fmt"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// pairWindow is how far apart in time two one-way records of one flow may
// be: nfpcapd's default inactive timeout (60 s), past which it would have
// ended the flow.
const pairWindow = int64(60 * time.Second)

// guessWords says how an originator is guessed when nothing tells.
const guessWords = "the side on a well-known port (below 1024, or a registered port facing a dynamic one from 49152) was taken as the responder"

// pairRecords makes flows of nfdump records. One-way records of opposite
// directions of one 5-tuple are joined when they overlap in time (within
// pairWindow), whatever their order in the files; the originator is the
// side whose record holds a SYN without an ACK, else the side whose record
// started first, else (both started within one tick of the clock) it is
// guessed by port and counted. ICMP records stay one per packet, as
// nfpcapd writes them. Bidirectional records (nfdump -b) are flows already.
func pairRecords(recs []nfRecord, res *Result) []flow.Flow {
	res.GuessedHow = guessWords
	if res.Format == NfdumpBidir {
		return bidirFlows(recs, res)
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].first < recs[j].first })
	byKey := map[flow.Key][]int{}
	for i := range recs {
		k := flow.MakeKey(recs[i].proto, recs[i].src, recs[i].dst, recs[i].sp, recs[i].dp)
		byKey[k] = append(byKey[k], i)
	}
	used := make([]bool, len(recs))
	out := make([]flow.Flow, 0, len(recs))
	joined := 0
	defer func() {
		res.Notes = append(res.Notes, fmt.Sprintf("nfdump's records are one-way: %d records made %d flows, %d of them joined from the two directions of one 5-tuple (overlapping in time, whatever their order in the files); ICMP records stay one per packet.",
			len(recs), len(out), joined))
	}()
	for i := range recs {
		if used[i] {
			continue
		}
		used[i] = true
		a := &recs[i]
		if a.proto == flow.ICMP || a.proto == flow.ICMPv6 {
			out = append(out, oneWayFlow(a))
			continue
		}
		j := partner(recs, byKey[flow.MakeKey(a.proto, a.src, a.dst, a.sp, a.dp)], used, a)
		if j < 0 {
			out = append(out, oneWayFlow(a))
			continue
		}
		used[j] = true
		joined++
		f, guessed := joinFlow(a, &recs[j])
		if guessed {
			res.Guessed++
		}
		out = append(out, f)
	}
	return out
}

// partner is the unused record of the opposite direction nearest in start
// time to a within pairWindow, or -1.
func partner(recs []nfRecord, idx []int, used []bool, a *nfRecord) int {
	best, bestGap := -1, int64(0)
	for _, j := range idx {
		b := &recs[j]
		if b.first > a.last+pairWindow {
			break // idx is in start order
		}
		if used[j] || b.src != a.dst || b.sp != a.dp || b.first > a.last+pairWindow || b.last < a.first-pairWindow {
			continue
		}
		gap := b.first - a.first
		if gap < 0 {
			gap = -gap
		}
		if best < 0 || gap < bestGap {
			best, bestGap = j, gap
		}
	}
	return best
}

// originator says whether a (rather than b) originated the flow, and
// whether that was guessed.
func originator(a, b *nfRecord) (aOrig, guessed bool) {
	if a.proto == flow.TCP {
		as, bs := pureSYN(a.flags), pureSYN(b.flags)
		if as != bs {
			return as, false
		}
	}
	switch {
	case a.firstHi < b.first:
		return true, false
	case b.firstHi < a.first:
		return false, false
	}
	return !serviceSide(a.proto, a.sp, a.dp), true
}

// pureSYN: the side sent a SYN and no ACK at all (a connection attempt
// never answered, or answered by RST).
func pureSYN(f flow.Flags) bool { return f&flow.SYN != 0 && f&flow.ACK == 0 }

// joinFlow joins two one-way records into one flow.
func joinFlow(a, b *nfRecord) (flow.Flow, bool) {
	aOrig, guessed := originator(a, b)
	o, r := a, b
	if !aOrig {
		o, r = b, a
	}
	f := newFlow(o.proto, o.src, o.dst, o.sp, o.dp, min(o.first, r.first), max(o.last, r.last))
	f.OrigPackets, f.OrigBytes, f.RespPackets, f.RespBytes = o.pkts, o.bytes, r.pkts, r.bytes
	if f.Proto == flow.TCP {
		f.OrigFlags, f.RespFlags = o.flags, r.flags
		f.State, f.History = flow.StateFromFlags(o.flags, r.flags, r.pkts)
	} else {
		f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
	}
	return f, guessed
}

// oneWayFlow is a flow of a record without a partner: its sender is the
// originator. A TCP side that sent ACKs had received something, so only a
// SYN without any ACK makes an unanswered attempt (S0, SH or RSTOS0);
// anything else is OTH: the other direction was not seen.
func oneWayFlow(a *nfRecord) flow.Flow {
	op, rp := a.sp, a.dp
	if a.proto == flow.ICMP || a.proto == flow.ICMPv6 {
		op, rp = uint16(a.icmpType), uint16(a.icmpCode)
	}
	f := newFlow(a.proto, a.src, a.dst, op, rp, a.first, a.last)
	f.OrigPackets, f.OrigBytes = a.pkts, a.bytes
	switch {
	case f.Proto != flow.TCP:
		f.State = flow.OtherState(f.OrigPackets, 0)
	case pureSYN(a.flags):
		f.OrigFlags = a.flags
		f.State, f.History = flow.StateFromFlags(a.flags, 0, 0)
	default:
		f.OrigFlags = a.flags
		f.State = flow.OTH
	}
	return f
}

// bidirFlows reads nfdump -b records: both directions in one record, the
// TCP flags of both ORed, the source whichever record nfdump met first.
// A record with packets one way only is oriented (its source sent them);
// the others are oriented by port and counted as guessed, and their TCP
// state is unknown.
func bidirFlows(recs []nfRecord, res *Result) []flow.Flow {
	out := make([]flow.Flow, 0, len(recs))
	for i := range recs {
		a := &recs[i]
		if a.opkts == 0 && a.obytes == 0 {
			out = append(out, oneWayFlow(a))
			continue
		}
		res.Guessed++
		f := newFlow(a.proto, a.src, a.dst, a.sp, a.dp, a.first, a.last)
		f.OrigPackets, f.OrigBytes, f.RespPackets, f.RespBytes = a.pkts, a.bytes, a.opkts, a.obytes
		if serviceSide(a.proto, a.sp, a.dp) {
			f.Orig, f.Resp, f.OrigPort, f.RespPort = f.Resp, f.Orig, f.RespPort, f.OrigPort
			f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes = f.RespPackets, f.OrigPackets, f.RespBytes, f.OrigBytes
		}
		if f.Proto != flow.TCP {
			f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
		}
		out = append(out, f)
	}
	return out
}

// serviceSide reports whether the source port, not the destination port,
// is the service's: the port below 1024 when the other is not, or a port
// below 49152 facing a dynamic one.
func serviceSide(proto flow.Proto, srcPort, dstPort uint16) bool {
	if proto != flow.TCP && proto != flow.UDP {
		return false
	}
	if srcPort < 1024 && dstPort >= 1024 {
		return true
	}
	return dstPort >= 49152 && srcPort < 49152
}
