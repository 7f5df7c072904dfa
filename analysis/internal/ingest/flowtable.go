package ingest

import (
	"cmp"
	"encoding/binary"
	"math"
	"net/netip"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// entry is a live flow: the record so far and what it is built from (the
// TCP state machine, each direction's transfer tracking). Entries are
// reused once a flow ends.
type entry struct {
	flow.Flow
	key          flow.Key
	hash         uint64     // keyHash of key
	hostO, hostR *HostStats // counters of Orig and Resp (hostR nil when the same address)
	conn         flow.Conn  // TCP only
	xfer         [2]transfer
	// filed is the deadline the flow is filed under in the idle wheel
	// (see wheel), filings counts its filings so that a stale one is
	// recognised; closed is whether it was filed with the closed-TCP
	// timeout.
	filed   int64
	filings uint32
	closed  bool
	seq     int   // creation number: where the finished flow goes (see finished)
	id      int32 // place in the entry slabs
	live    bool
}

// transfer follows one direction's payload segments in time: the first
// and last, and the pauses between them longer than the transfer gap.
type transfer struct {
	first, last, paused int64
}

// add counts a payload segment at ts (time order is assumed; a segment
// older than the last one only extends the span).
func (x *transfer) add(ts, gap int64) {
	switch {
	case x.first == 0:
		x.first, x.last = ts, ts
	case ts > x.last:
		if d := ts - x.last; gap > 0 && d > gap {
			x.paused += d
		}
		x.last = ts
	case ts < x.first:
		x.first = ts
	}
}

// time is the transfer time: the span without the long pauses.
func (x *transfer) time() time.Duration { return time.Duration(x.last - x.first - x.paused) }

type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    flow.Proto
}

// flowTable is the stage that assigns packets to flows: the live flows by
// key, their idle timeouts (a deadline wheel, so a sweep touches only the
// flows whose deadline passed) and eviction, the fragments waiting for
// their first one, and the finished flows (kept in chunks, or spilled to
// disk).
type flowTable struct {
	cfg        Config
	live       liveIndex
	last       *entry    // the flow of the previous packet: packets come in trains
	slabs      [][]entry // every entry, live or free, in slabs of slabSize
	free       []int32   // ids of ended entries, for reuse
	wheel      wheel
	frags      map[fragKey]flow.Key
	swept      int64
	sweepEvery int64
	evicted    uint64
	fragments  uint64 // IP fragments (all)
	orphans    uint64 // non-first fragments whose first fragment was not seen
	done       finished
	dropped    *Dropped
	created    int    // flows started
	idle       []idle // scratch for eviction
}

// slabSize is how many entries are allocated at once: entries sit side by
// side, so eviction reads them in order instead of chasing map pointers.
const slabSize = 1024

func newFlowTable(cfg Config, dropped *Dropped) *flowTable {
	return &flowTable{cfg: cfg, live: newLiveIndex(), frags: map[fragKey]flow.Key{}, dropped: dropped,
		sweepEvery: cfg.sweepInterval(), done: finished{spillAfter: cfg.SpillAfter}, wheel: newWheel()}
}

// flowRef is which flow an IP packet belongs to, as far as the packet
// alone tells (packetRef). It is worked out on the model's goroutine: on
// the reading one, which reads and decodes, it made that goroutine the
// slower of the two (reader 0.21 s, model 0.15 s per pass on 100 000
// flows; worked out by the model, 0.19 s and 0.17 s).
type flowRef struct {
	key  flow.Key
	hash uint64 // keyHash of key
	kind refKind
}

// refKind says what a flowRef holds.
type refKind uint8

const (
	refNone     refKind = iota // no flow: not IP, or its transport header is missing (hosts only)
	refKey                     // key and hash
	refFragment                // an IP fragment: the flow table knows its flow (keyOf)
)

// packetRef works out a packet's flowRef, the key hashed with seed.
func packetRef(p *decode.Packet, seed uint64, r *flowRef) {
	r.kind = refNone
	switch {
	case p.Net != decode.NetIPv4 && p.Net != decode.NetIPv6:
	case p.Fragment:
		r.kind = refFragment
	case p.HasPorts && p.Src.Is4() && p.Dst.Is4():
		// TCP or UDP over IPv4, nearly every packet: the addresses as
		// numbers order the ends as MakeKey does and give hash4, in 11 ns
		// instead of MakeKey's and keyHash's 35 ns.
		s, d := p.Src.As4(), p.Dst.As4()
		su, du := binary.BigEndian.Uint32(s[:]), binary.BigEndian.Uint32(d[:])
		r.kind = refKey
		if su < du || su == du && p.SrcPort <= p.DstPort {
			r.key = flow.Key{A: p.Src, B: p.Dst, PortA: p.SrcPort, PortB: p.DstPort, Proto: p.Proto}
			r.hash = hash4(seed, s, d, p.SrcPort, p.DstPort, p.Proto)
			return
		}
		r.key = flow.Key{A: p.Dst, B: p.Src, PortA: p.DstPort, PortB: p.SrcPort, Proto: p.Proto}
		r.hash = hash4(seed, d, s, p.DstPort, p.SrcPort, p.Proto)
	default:
		if k, ok := packetKey(p); ok {
			r.key, r.hash, r.kind = k, keyHash(seed, &k), refKey
		}
	}
}

// packetKey is the key of an IP packet that is not a fragment (or is the
// first one): false when its transport header is missing or broken.
func packetKey(p *decode.Packet) (flow.Key, bool) {
	switch {
	case p.HasPorts:
		return flow.MakeKey(p.Proto, p.Src, p.Dst, p.SrcPort, p.DstPort), true
	case p.HasICMP:
		a, c := uint16(p.ICMPType), uint16(p.ICMPCode)
		if isEcho(p) {
			a, c = p.ICMPID, p.ICMPID
		}
		return flow.MakeKey(p.Proto, p.Src, p.Dst, a, c), true
	case p.Proto == flow.TCP || p.Proto == flow.UDP || p.Proto == flow.ICMP || p.Proto == flow.ICMPv6:
		return flow.Key{}, false // header missing or broken: hosts only
	}
	return flow.MakeKey(p.Proto, p.Src, p.Dst, 0, 0), true
}

// keyOf says which flow, if any, an IP fragment belongs to: the first
// one's key is remembered for the others.
func (t *flowTable) keyOf(p *decode.Packet) (flow.Key, bool) {
	t.fragments++
	if !p.FragFirst {
		fk := fragKey{src: p.Src, dst: p.Dst, id: p.FragID, proto: p.Proto}
		k, ok := t.frags[fk]
		if !ok {
			t.orphans++
			return k, false
		}
		if !p.MoreFrags { // keep the map small: the last fragment usually comes last
			delete(t.frags, fk)
		}
		return k, true
	}
	k, ok := packetKey(p)
	if ok {
		if len(t.frags) >= limits.fragments {
			t.forgetFragments()
		}
		t.frags[fragKey{src: p.Src, dst: p.Dst, id: p.FragID, proto: p.Proto}] = k
	}
	return k, ok
}

func isEcho(p *decode.Packet) bool {
	if p.Proto == flow.ICMP {
		switch p.ICMPType {
		case 0, 8, 13, 14, 15, 16:
			return true
		}
		return false
	}
	return p.ICMPType == 128 || p.ICMPType == 129
}

// observe adds a packet to its flow and counts its hosts.
func (t *flowTable) observe(k *flow.Key, h uint64, p *decode.Packet, ts int64, wire int, c *counters) {
	e := t.lookup(k, h, p, ts, c)
	dir := flow.FromResp
	if p.Src == e.Orig && (p.SrcPort == e.OrigPort || !p.HasPorts) || e.Orig == e.Resp && e.OrigPort == e.RespPort {
		dir = flow.FromOrig
	}
	hs, hd := e.hostO, e.hostR
	if dir == flow.FromResp {
		hs, hd = hd, hs
	}
	if e.hostR == nil {
		hs, hd = e.hostO, e.hostO
	}
	if p.HasMAC && hs.MAC == ([6]byte{}) {
		hs.MAC = p.SrcMAC // the first frame the host sent
	}
	countHosts(hs, hd, wire)
	payload := uint64(p.PayloadLen)
	if p.Fragment && !p.FragFirst {
		payload = 0
	}
	if payload > 0 {
		e.xfer[dir].add(ts, int64(t.cfg.TransferGap))
		if dir == flow.FromOrig && e.Opening == flow.MsgUnknown {
			e.Opening = p.Msg
		}
	}
	if dir == flow.FromOrig {
		e.OrigPackets++
		e.OrigBytes += uint64(wire)
		e.OrigPayload += payload
	} else {
		e.RespPackets++
		e.RespBytes += uint64(wire)
		e.RespPayload += payload
	}
	e.Last, e.First = max(e.Last, ts), min(e.First, ts)
	if k.Proto == flow.TCP && p.HasPorts {
		if dir == flow.FromOrig {
			e.OrigFlags |= p.TCPFlags
		} else {
			e.RespFlags |= p.TCPFlags
		}
		e.conn.Segment(dir, p.TCPFlags, p.Seq, p.PayloadLen, ts)
		if e.conn.Closed() && !e.closed {
			t.file(e) // its timeout shrinks: file it under the earlier deadline
		}
	}
	if p.App != "" && e.App == "" {
		e.App = p.App
	}
	if p.Name != "" && e.ServerName == "" {
		e.ServerName = p.Name
	}
}

// lookup finds the live flow of a packet or starts one.
func (t *flowTable) lookup(k *flow.Key, h uint64, p *decode.Packet, ts int64, c *counters) *entry {
	e := t.last
	if e == nil || !e.live || e.hash != h || e.key != *k {
		e = t.find(k, h)
	}
	if e != nil {
		switch {
		case t.expired(e, ts):
			t.end(e, flow.EndIdle)
		case k.Proto == flow.TCP && p.HasPorts && p.TCPFlags&(flow.SYN|flow.ACK) == flow.SYN &&
			e.conn.NewSYN(direction(e, p), p.Seq):
			t.end(e, flow.EndReused)
		default:
			t.last = e
			return e
		}
	}
	if max := t.cfg.MaxFlows; max > 0 && t.live.n >= max {
		t.evict()
	}
	e = t.newEntry()
	e.key, e.hash, e.seq = *k, h, t.created
	t.created++
	e.Proto = k.Proto
	e.Orig, e.OrigPort, e.Resp, e.RespPort = p.Src, p.SrcPort, p.Dst, p.DstPort
	switch {
	case k.Proto == flow.TCP && p.HasPorts && p.TCPFlags&(flow.SYN|flow.ACK) == flow.SYN|flow.ACK:
		e.Orig, e.OrigPort, e.Resp, e.RespPort = p.Dst, p.DstPort, p.Src, p.SrcPort
	case p.HasICMP && isEcho(p):
		e.OrigPort, e.RespPort = p.ICMPID, p.ICMPID
	case p.HasICMP:
		e.OrigPort, e.RespPort = uint16(p.ICMPType), uint16(p.ICMPCode)
	case p.Fragment && !p.FragFirst:
		e.OrigPort, e.RespPort = k.PortA, k.PortB
	}
	e.First, e.Last = ts, ts
	e.hostO = c.host(e.Orig)
	e.hostO.Flows++
	e.hostO.Originated++
	if e.Resp != e.Orig {
		e.hostR = c.host(e.Resp)
		e.hostR.Flows++
	}
	t.index(e)
	t.file(e)
	t.last = e
	return e
}

// newEntry returns a zeroed live entry, reusing an ended one (zeroed by
// release) when there is one.
func (t *flowTable) newEntry() *entry {
	n := len(t.free)
	if n == 0 {
		id := int32(len(t.slabs) * slabSize)
		t.slabs = append(t.slabs, make([]entry, slabSize))
		for i := slabSize - 1; i > 0; i-- {
			t.free = append(t.free, id+int32(i))
		}
		n = len(t.free) + 1
		t.free = append(t.free, id)
	}
	id := t.free[n-1]
	t.free = t.free[:n-1]
	e := &t.slabs[id/slabSize][id%slabSize]
	e.id, e.live = id, true
	return e
}

// release frees an entry that is no longer live for reuse. It is zeroed
// here, while the flow's end has its 440 bytes in the processor's caches,
// rather than when a new flow takes it: zeroing it then, from memory, took
// 0.02 s of the model goroutine's 0.17 s on 100 000 flows. Its filings
// count goes on (any filing in the wheel is now stale).
func (t *flowTable) release(e *entry) {
	*e = entry{filings: e.filings + 1, id: e.id}
	t.free = append(t.free, e.id)
}

func direction(e *entry, p *decode.Packet) flow.Dir {
	if p.Src == e.Orig && p.SrcPort == e.OrigPort {
		return flow.FromOrig
	}
	return flow.FromResp
}

func (t *flowTable) timeout(e *entry) time.Duration {
	to := t.cfg.Timeouts
	switch {
	case e.Proto == flow.TCP && e.conn.Closed() && to.Closed > 0:
		return to.Closed
	case e.Proto == flow.TCP:
		return to.TCP
	case e.Proto == flow.UDP:
		return to.UDP
	}
	return to.Other
}

func (t *flowTable) expired(e *entry, now int64) bool {
	to := t.timeout(e)
	return to > 0 && now-e.Last > int64(to)
}

// deadline is the time after which a flow is idle past its timeout
// (MaxInt64 for none).
func (t *flowTable) deadline(e *entry) int64 {
	to := int64(t.timeout(e))
	if to <= 0 || e.Last > math.MaxInt64-to {
		return math.MaxInt64
	}
	return e.Last + to
}

// file puts a live flow in the wheel under its deadline; a filing it had
// before becomes stale.
func (t *flowTable) file(e *entry) {
	e.filings++
	e.closed = e.Proto == flow.TCP && e.conn.Closed()
	e.filed = t.deadline(e)
	if e.filed != math.MaxInt64 {
		t.wheel.add(e)
		if t.wheel.n > 2*t.live.n+4096 {
			// filings of flows that ended before their deadline (reused,
			// evicted) pile up while time stands still
			t.wheel.compact()
		}
	}
}

// end finishes a live flow: its history and state are taken, and it goes
// to the finished flows; the entry is kept for reuse.
func (t *flowTable) end(e *entry, why flow.EndReason) {
	t.unindex(e)
	e.Ended = why
	e.RTT = -1
	e.OrigTransfer, e.RespTransfer = e.xfer[flow.FromOrig].time(), e.xfer[flow.FromResp].time()
	if e.Proto == flow.TCP {
		e.History, e.State, e.RTT = e.conn.History(), e.conn.State(), e.conn.RTT()
	} else {
		e.State = flow.OtherState(e.OrigPackets, e.RespPackets)
	}
	t.done.keep(&e.Flow, e.seq)
	t.release(e)
}

// sweepInterval is how often idle flows are looked for. Expiry itself is
// decided when a flow's next packet arrives; sweeping only frees the memory
// of flows that get no further packet, so it runs every half of the shortest
// timeout (at most every 10 s of capture time); 0 means never.
func (c *Config) sweepInterval() int64 {
	every := time.Duration(0)
	to := c.Timeouts
	for _, d := range []time.Duration{to.TCP, to.UDP, to.Other, to.Closed} {
		if d > 0 && (every == 0 || d/2 < every) {
			every = d / 2
		}
	}
	if every == 0 {
		return 0
	}
	return int64(max(every, 10*time.Second))
}

// sweep ends the flows idle past their timeout, when it is time to: those
// filed under a deadline before now. A flow that had packets since it was
// filed is filed again under its new deadline.
func (t *flowTable) sweep(now int64) bool {
	if t.sweepEvery == 0 || now-t.swept < t.sweepEvery {
		return false
	}
	t.swept = now
	t.wheel.due(now, func(e *entry, filings uint32) {
		switch {
		case filings != e.filings:
			// stale: the flow ended, or was filed again
		case t.expired(e, now):
			t.end(e, flow.EndIdle)
		default:
			t.file(e)
		}
	})
	if len(t.frags) > 4096 {
		t.forgetFragments()
	}
	return true
}

// forgetFragments empties the table of first fragments, counting them.
func (t *flowTable) forgetFragments() {
	t.dropped.Fragments += uint64(len(t.frags))
	clear(t.frags)
}

// idle is a live flow's last packet time, for eviction.
type idle struct {
	last int64
	id   int32
}

// evict ends the tenth of the live flows that have been idle longest: the
// entries are read in the order they lie in memory, and the n-th longest
// idle is found by selection, not by sorting. Flows idle equally long are
// taken in key order, so that which ones end does not depend on where
// their entries lie (a flow store reading a file on from an Edge must end
// the flows one pass ends).
func (t *flowTable) evict() {
	t.idle = t.idle[:0]
	for _, slab := range t.slabs {
		for i := range slab {
			if e := &slab[i]; e.live {
				t.idle = append(t.idle, idle{e.Last, e.id})
			}
		}
	}
	n := max(1, len(t.idle)/10)
	nthIdle(t.idle, n-1, t.keyCompare) // the n longest idle are now first
	for _, x := range t.idle[:n] {
		t.end(t.entry(x.id), flow.EndEvicted)
		t.evicted++
	}
}

func (t *flowTable) entry(id int32) *entry { return &t.slabs[id/slabSize][id%slabSize] }

// keyCompare orders two entries by key: protocol, then the addresses and
// ports.
func (t *flowTable) keyCompare(a, b int32) int {
	x, y := &t.entry(a).key, &t.entry(b).key
	if x.Proto != y.Proto {
		return cmp.Compare(x.Proto, y.Proto)
	}
	if c := x.A.Compare(y.A); c != 0 {
		return c
	}
	if c := x.B.Compare(y.B); c != 0 {
		return c
	}
	if x.PortA != y.PortA {
		return cmp.Compare(x.PortA, y.PortA)
	}
	return cmp.Compare(x.PortB, y.PortB)
}

// nthIdle reorders v so that v[k] holds the k-th in order of last time,
// ties broken by tie (on ids), and those before it come no later
// (quickselect, expected linear time).
func nthIdle(v []idle, k int, tie func(a, b int32) int) {
	less := func(a, b idle) bool { return a.last < b.last || a.last == b.last && tie(a.id, b.id) < 0 }
	lo, hi := 0, len(v)-1
	for lo < hi {
		p := v[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for less(v[i], p) {
				i++
			}
			for less(p, v[j]) {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// closeAll ends every live flow at the end of the input.
func (t *flowTable) closeAll() {
	for e := range t.liveFlows() {
		t.end(e, flow.EndEOF)
	}
}
