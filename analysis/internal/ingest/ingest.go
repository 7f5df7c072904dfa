// Package ingest builds pcaplab's traffic model in one streaming pass over
// capture files: reader → decoder → flow table and counters. Memory grows
// with the number of flows, hosts and time bins, never with packets.
package ingest

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
)

// Options steer the model. Timeouts are in nanoseconds; 0 means never.
type Options struct {
	TCPTimeout    int64 // idle TCP flows end after this long
	UDPTimeout    int64 // idle UDP flows
	OtherTimeout  int64 // idle ICMP and other flows
	ClosedTimeout int64 // TCP flows that saw RST or FIN from both sides end after this long idle
	BinWidth      int64 // width of the time bins (default 1 s)
	// Progress, when set, is called about every 2^16 packets with the
	// packets and the bytes of the input files read so far.
	Progress func(packets uint64, bytesRead int64)
	// Cache asks the caller (analysis.Open) to keep the model in the
	// user's cache; ingest itself ignores it.
	Cache bool
	// SpillAfter is how many finished flows are kept in memory; past it
	// they go to an unlinked temporary file (Model.Spill) and only failed
	// DNS transactions are kept, so memory does not grow with the length
	// of a huge capture. 0 means DefaultSpillAfter; -1 never spills.
	SpillAfter int
	// MaxFlows caps the live (unfinished) flows held at once; when a new
	// flow would pass it, the tenth of the live flows idle longest are
	// ended early (EndEvicted) and counted in Model.Evicted. 0 means
	// DefaultMaxFlows.
	MaxFlows int
}

// DefaultMaxFlows is the default cap on live flows (about 400 MB).
const DefaultMaxFlows = 1_000_000

// Default timeouts.
const (
	DefaultTCPTimeout    = int64(5 * time.Minute)
	DefaultUDPTimeout    = int64(time.Minute)
	DefaultOtherTimeout  = int64(time.Minute)
	DefaultClosedTimeout = int64(30 * time.Second)
)

// DefaultOptions are the documented defaults.
func DefaultOptions() Options {
	return Options{TCPTimeout: DefaultTCPTimeout, UDPTimeout: DefaultUDPTimeout, OtherTimeout: DefaultOtherTimeout,
		ClosedTimeout: DefaultClosedTimeout, BinWidth: int64(time.Second)}
}

// FileInfo describes one input file.
type FileInfo struct {
	Name      string
	Format    string
	LinkTypes []string
	Packets   uint64
	Bytes     uint64
	Warning   string // set when the file could not be read to its end
}

// Model is the result of one pass.
type Model struct {
	Files          []FileInfo
	Packets, Bytes uint64
	First, Last    int64 // ns; earliest and latest timestamp (not first and last record)

	Flows []Flow // finished flows, ordered by First, then by 5-tuple; nil when spilled
	// spill holds the finished flows instead of Flows on huge captures (in
	// the order they finished; see Spill); NFlows counts them either way.
	// Unexported, so a cached model (gob) never includes it.
	spill  *FlowSpill
	NFlows int
	// DNSAnswered counts the successful DNS transactions left out of DNS
	// once flows are spilled (only failed ones are kept then).
	DNSAnswered uint64

	Hosts       map[netip.Addr]*HostStats
	TCPPorts    []PortStats // indexed by port number
	UDPPorts    []PortStats
	IPProtocols [256]Counter        // IP packets by transport protocol number
	LinkTypes   map[uint16]*Counter // all packets by link type
	EtherTypes  map[uint16]*Counter // non-IP frames by EtherType (ARP is 0x0806)
	BinWidth    int64               // ns
	Bins        map[int64]*Counter  // time bins keyed by floor(t / BinWidth)
	DNS         []DNSTransaction    // UDP/53 queries and responses
	ICMPErrors  []ICMPError         // ICMP/ICMPv6 errors
	Skipped     map[string]uint64   // packets not fully decoded, by reason
	Evicted     uint64              // live flows ended early because of Options.MaxFlows
	Fragments   uint64              // IP fragments (all)
	FragOrphans uint64              // non-first fragments whose first fragment was not seen
	Options     Options
}

// Spill returns the file the finished flows went to, or nil when they are
// in Flows.
func (m *Model) Spill() *FlowSpill { return m.spill }

// IPPackets is the number of packets with an IPv4 or IPv6 header.
func (m *Model) IPPackets() uint64 {
	var n uint64
	for _, c := range m.IPProtocols {
		n += c.Packets
	}
	return n
}

type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8
}

type builder struct {
	opt        Options
	model      *Model
	flows      map[Key]*entry
	frags      map[fragKey]Key
	dnsOpen    map[dnsKey]int
	now        int64
	swept      int64
	sweepEvery int64
	readBefore int64 // bytes of the files already read, for progress
	ltCur      layers.LinkType
	ltC        *Counter
	bins       bins
	anyTime    bool
	finished   [][]Flow // chunks of finished flows: growing one slice would copy it again and again
	nfinished  int
	spill      *FlowSpill
	spillErr   error
}

// Build reads every file in order as one input. It returns an error only
// when nothing usable was read; problems after some packets were read are
// warnings in Model.Files[i].Warning.
func Build(paths []string, opt Options) (*Model, error) {
	if len(paths) == 0 {
		return nil, errors.New("no capture file given")
	}
	if opt.BinWidth <= 0 {
		opt.BinWidth = int64(time.Second)
	}
	if opt.MaxFlows == 0 {
		opt.MaxFlows = DefaultMaxFlows
	}
	if opt.SpillAfter == 0 {
		opt.SpillAfter = DefaultSpillAfter
	}
	b := newBuilder(opt)
	for _, p := range paths {
		r, err := capfile.Open(p)
		if err != nil {
			return nil, err
		}
		err = b.readFile(r)
		r.Close()
		if err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// BuildReader reads one capture from r (name is used in messages), as
// Build does for files.
func BuildReader(name string, r io.Reader, opt Options) (*Model, error) {
	if opt.BinWidth <= 0 {
		opt.BinWidth = int64(time.Second)
	}
	if opt.MaxFlows == 0 {
		opt.MaxFlows = DefaultMaxFlows
	}
	if opt.SpillAfter == 0 {
		opt.SpillAfter = DefaultSpillAfter
	}
	cr, err := capfile.NewReader(name, r)
	if err != nil {
		return nil, err
	}
	b := newBuilder(opt)
	if err := b.readFile(cr); err != nil {
		return nil, err
	}
	return b.finish()
}

func newBuilder(opt Options) *builder {
	m := &Model{
		Hosts:      map[netip.Addr]*HostStats{},
		TCPPorts:   make([]PortStats, 65536),
		UDPPorts:   make([]PortStats, 65536),
		LinkTypes:  map[uint16]*Counter{},
		EtherTypes: map[uint16]*Counter{},
		BinWidth:   opt.BinWidth,
		Skipped:    map[string]uint64{},
		Options:    opt,
	}
	return &builder{opt: opt, model: m, sweepEvery: opt.sweepInterval(), flows: map[Key]*entry{}, frags: map[fragKey]Key{},
		dnsOpen: map[dnsKey]int{}, bins: bins{width: opt.BinWidth, m: map[int64]*Counter{}}}
}

// batch carries decoded packets from the reading goroutine to the model.
type batch struct {
	recs  []capfile.Record
	pkts  []decode.Packet
	arena []byte // payloads the model reads (DNS), copied out of the reader's buffer
	offs  []int  // where each packet's kept payload starts in arena (-1: none)
}

const batchSize = 1024

// keepPayload reports whether the model needs a packet's payload bytes,
// not just their number.
func keepPayload(p *decode.Packet) bool {
	return p.HasPorts && p.Proto == ProtoUDP && (p.SrcPort == 53 || p.DstPort == 53) && p.PayloadLen > 0
}

// readFile reads and decodes on one goroutine and updates the model on
// this one, so both cores work on a large capture.
func (b *builder) readFile(r *capfile.Reader) error {
	fi := FileInfo{Name: r.Name(), Format: r.Format()}
	full := make(chan *batch, 4)
	free := make(chan *batch, 8)
	for i := 0; i < cap(free); i++ {
		free <- &batch{recs: make([]capfile.Record, 0, batchSize), pkts: make([]decode.Packet, batchSize), offs: make([]int, batchSize)}
	}
	var readErr error
	go func() {
		defer close(full)
		dec := decode.New()
		for {
			bt := <-free
			bt.recs, bt.arena = bt.recs[:0], bt.arena[:0]
			for len(bt.recs) < batchSize {
				data, rec, err := r.Next()
				if err != nil {
					readErr = err
					break
				}
				i := len(bt.recs)
				bt.recs = append(bt.recs, rec)
				p := &bt.pkts[i]
				dec.Decode(data, rec.LinkType, p)
				bt.offs[i] = -1
				if keepPayload(p) {
					bt.offs[i] = len(bt.arena)
					bt.arena = append(bt.arena, p.Payload...)
				}
				p.Payload = nil
			}
			for i := range bt.recs {
				if o := bt.offs[i]; o >= 0 {
					bt.pkts[i].Payload = bt.arena[o : o+bt.pkts[i].PayloadLen]
				}
			}
			if len(bt.recs) > 0 {
				full <- bt
			}
			if readErr != nil {
				return
			}
		}
	}()
	for bt := range full {
		for i := range bt.recs {
			rec := &bt.recs[i]
			fi.Packets++
			fi.Bytes += uint64(rec.WireLen)
			b.packet(rec, &bt.pkts[i])
			if b.opt.Progress != nil && b.model.Packets&0xffff == 0 {
				b.opt.Progress(b.model.Packets, b.readBefore+r.Offset())
			}
		}
		free <- bt
	}
	if err := readErr; err != io.EOF {
		var re *capfile.RecordError
		if errors.As(err, &re) && re.Kept == 0 && b.model.Packets == 0 && !re.Truncated() {
			return err
		}
		fi.Warning = err.Error()
	}
	for _, lt := range r.LinkTypes() {
		fi.LinkTypes = append(fi.LinkTypes, LinkTypeName(uint16(lt)))
	}
	b.model.Files = append(b.model.Files, fi)
	b.readBefore += r.Offset()
	return nil
}

// LinkTypeName is a short name for a link-layer header type.
func LinkTypeName(lt uint16) string {
	switch layers.LinkType(lt) {
	case layers.LinkTypeEthernet:
		return "Ethernet"
	case layers.LinkTypeLinuxSLL:
		return "Linux cooked (SLL)"
	case layers.LinkTypeLinuxSLL2:
		return "Linux cooked v2 (SLL2)"
	case layers.LinkTypeNull:
		return "BSD loopback (NULL)"
	case layers.LinkTypeLoop:
		return "OpenBSD loopback (LOOP)"
	case layers.LinkTypeRaw, 12, 14:
		return "raw IP"
	case layers.LinkTypeIPv4:
		return "raw IPv4"
	case layers.LinkTypeIPv6:
		return "raw IPv6"
	case layers.LinkTypeIEEE80211Radio:
		return "802.11 + radiotap"
	case layers.LinkTypeIEEE802_11:
		return "802.11"
	}
	return fmt.Sprintf("link type %d", lt)
}

func (b *builder) packet(rec *capfile.Record, p *decode.Packet) {
	m := b.model
	ts, wire := rec.Time, rec.WireLen
	m.Packets++
	m.Bytes += uint64(wire)
	if !b.anyTime || ts < m.First {
		m.First = ts
	}
	if !b.anyTime || ts > m.Last {
		m.Last = ts
	}
	b.anyTime = true
	if ts > b.now {
		b.now = ts
	}
	b.bins.add(ts, wire)
	if b.ltC == nil || rec.LinkType != b.ltCur {
		c := m.LinkTypes[uint16(rec.LinkType)]
		if c == nil {
			c = &Counter{}
			m.LinkTypes[uint16(rec.LinkType)] = c
		}
		b.ltCur, b.ltC = rec.LinkType, c
	}
	b.ltC.add(wire)

	if p.Problem != "" {
		m.Skipped[problemKind(p)]++
	}
	switch p.Net {
	case decode.NetIPv4, decode.NetIPv6:
	case decode.NetARP:
		b.etherType(uint16(layers.EthernetTypeARP), wire)
		return
	case decode.NetOther:
		b.etherType(uint16(p.EtherType), wire)
		return
	default:
		return
	}
	m.IPProtocols[p.Proto].add(wire)
	if b.sweepEvery > 0 && b.now-b.swept >= b.sweepEvery {
		b.sweep()
	}

	// Which flow, if any, does the packet belong to?
	var key Key
	inFlow := true
	proto := uint8(p.Proto)
	switch {
	case p.Fragment && !p.FragFirst:
		m.Fragments++
		fk := fragKey{src: p.Src, dst: p.Dst, id: p.FragID, proto: proto}
		k, ok := b.frags[fk]
		if !ok {
			m.FragOrphans++
			inFlow = false
			break
		}
		key = k
	case p.HasPorts:
		key = makeKey(proto, p.Src, p.Dst, p.SrcPort, p.DstPort)
	case p.HasICMP:
		a, c := uint16(p.ICMPType), uint16(p.ICMPCode)
		if isEcho(p) {
			a, c = p.ICMPID, p.ICMPID
		}
		key = makeKey(proto, p.Src, p.Dst, a, c)
	case proto == ProtoTCP || proto == ProtoUDP || proto == ProtoICMP || proto == ProtoICMPv6:
		inFlow = false // header missing or broken: hosts only
	default:
		key = makeKey(proto, p.Src, p.Dst, 0, 0)
	}
	if p.Fragment && p.FragFirst {
		m.Fragments++
		if inFlow {
			b.frags[fragKey{src: p.Src, dst: p.Dst, id: p.FragID, proto: proto}] = key
		}
	}
	if p.Fragment && !p.FragFirst && inFlow && !p.MoreFrags {
		// keep the map small; the last fragment usually comes last
		delete(b.frags, fragKey{src: p.Src, dst: p.Dst, id: p.FragID, proto: proto})
	}
	if !inFlow {
		countHosts(b.host(p.Src), b.host(p.Dst), wire)
	} else {
		e := b.flow(key, p, ts)
		dir := 1
		if p.Src == e.Orig && (p.SrcPort == e.OrigPort || !p.HasPorts) {
			dir = 0
		}
		if e.Orig == e.Resp && e.OrigPort == e.RespPort {
			dir = 0
		}
		hs, hd := e.hostO, e.hostR
		if dir == 1 {
			hs, hd = hd, hs
		}
		if e.hostR == nil {
			hs, hd = e.hostO, e.hostO
		}
		countHosts(hs, hd, wire)
		payload := uint64(p.PayloadLen)
		if p.Fragment && !p.FragFirst {
			payload = 0
		}
		if dir == 0 {
			e.OrigPackets++
			e.OrigBytes += uint64(wire)
			e.OrigPayload += payload
		} else {
			e.RespPackets++
			e.RespBytes += uint64(wire)
			e.RespPayload += payload
		}
		if ts > e.Last {
			e.Last = ts
		}
		if ts < e.First {
			e.First = ts
		}
		if proto == ProtoTCP && p.HasPorts {
			e.tcp(dir, p, ts)
		}
		if p.App != "" && e.App == "" {
			e.App = p.App
		}
		if p.Name != "" && e.ServerName == "" {
			e.ServerName = p.Name
		}
	}
	if p.HasPorts {
		var ports []PortStats
		switch proto {
		case ProtoTCP:
			ports = m.TCPPorts
		case ProtoUDP:
			ports = m.UDPPorts
		}
		if ports != nil {
			ports[p.SrcPort].add(wire)
			ports[p.SrcPort].AsSource++
			if p.DstPort != p.SrcPort {
				ports[p.DstPort].add(wire)
			}
			ports[p.DstPort].AsDest++
		}
		if proto == ProtoUDP && (p.SrcPort == 53 || p.DstPort == 53) {
			b.dns(p, ts)
		}
	}
	if p.HasICMP && p.Quoted.Valid {
		b.icmpError(p, ts)
	}
}

func isEcho(p *decode.Packet) bool {
	if p.Proto == ProtoICMP {
		switch p.ICMPType {
		case 0, 8, 13, 14, 15, 16:
			return true
		}
		return false
	}
	return p.ICMPType == 128 || p.ICMPType == 129
}

func (b *builder) etherType(et uint16, wire int) {
	c := b.model.EtherTypes[et]
	if c == nil {
		c = &Counter{}
		b.model.EtherTypes[et] = c
	}
	c.add(wire)
}

func (b *builder) host(a netip.Addr) *HostStats {
	return hostTable(b.model.Hosts).get(a)
}

func problemKind(p *decode.Packet) string {
	switch {
	case strings.HasPrefix(p.Problem, "unsupported link type"):
		return p.Problem
	case p.Problem == "no network layer found":
		return "no network layer (802.11 management or control frame, or an empty frame)"
	case p.Net == decode.NetNone:
		return "malformed or truncated link-layer header"
	case p.Net == decode.NetOther && p.EtherType == layers.EthernetTypeIPv4:
		return "malformed or truncated IPv4 header"
	case p.Net == decode.NetOther && p.EtherType == layers.EthernetTypeIPv6:
		return "malformed or truncated IPv6 header"
	case p.Net == decode.NetIPv4 || p.Net == decode.NetIPv6:
		switch {
		case p.Proto == ProtoTCP && !p.HasPorts:
			return "malformed or truncated TCP header"
		case p.Proto == ProtoUDP && !p.HasPorts:
			return "malformed or truncated UDP header"
		case (p.Proto == ProtoICMP || p.Proto == ProtoICMPv6) && !p.HasICMP:
			return "malformed or truncated ICMP header"
		case p.HasPorts || p.HasICMP:
			return "malformed or truncated application data"
		}
		return "malformed or truncated IP header"
	}
	return "malformed or truncated " + layers.EthernetType(p.EtherType).String() + " frame"
}

// flow finds or starts the live flow for a packet.
func (b *builder) flow(key Key, p *decode.Packet, ts int64) *entry {
	e := b.flows[key]
	if e != nil {
		switch {
		case b.expired(e, ts):
			b.end(e, EndIdle)
			e = nil
		case key.Proto == ProtoTCP && p.HasPorts && p.TCPFlags&(decode.SYN|decode.ACK) == decode.SYN:
			dir := 1
			if p.Src == e.Orig && p.SrcPort == e.OrigPort {
				dir = 0
			}
			if e.seqSet[dir] && e.baseSeq[dir] != p.Seq {
				b.end(e, EndReused)
				e = nil
			}
		}
	}
	if e != nil {
		return e
	}
	if max := b.opt.MaxFlows; len(b.flows) >= max && max > 0 {
		b.evict()
	}
	e = &entry{key: key}
	e.Proto = key.Proto
	e.Orig, e.OrigPort, e.Resp, e.RespPort = p.Src, p.SrcPort, p.Dst, p.DstPort
	if key.Proto == ProtoTCP && p.HasPorts && p.TCPFlags&(decode.SYN|decode.ACK) == decode.SYN|decode.ACK {
		e.Orig, e.OrigPort, e.Resp, e.RespPort = p.Dst, p.DstPort, p.Src, p.SrcPort
	}
	if p.HasICMP {
		e.OrigPort, e.RespPort = key.PortA, key.PortB
		if isEcho(p) {
			e.OrigPort, e.RespPort = p.ICMPID, p.ICMPID
		} else {
			e.OrigPort, e.RespPort = uint16(p.ICMPType), uint16(p.ICMPCode)
		}
	}
	if p.Fragment && !p.FragFirst {
		e.OrigPort, e.RespPort = key.PortA, key.PortB
	}
	e.First, e.Last = ts, ts
	e.RTT = -1
	e.hostO = b.host(e.Orig)
	e.hostO.Flows++
	if e.Resp != e.Orig {
		e.hostR = b.host(e.Resp)
		e.hostR.Flows++
	}
	b.flows[key] = e
	return e
}

func (b *builder) timeout(e *entry) int64 {
	if e.Proto == ProtoTCP && e.closed && b.opt.ClosedTimeout > 0 {
		return b.opt.ClosedTimeout
	}
	switch e.Proto {
	case ProtoTCP:
		return b.opt.TCPTimeout
	case ProtoUDP:
		return b.opt.UDPTimeout
	}
	return b.opt.OtherTimeout
}

func (b *builder) expired(e *entry, now int64) bool {
	t := b.timeout(e)
	return t > 0 && now-e.Last > t
}

func (b *builder) end(e *entry, why EndReason) {
	b.keep(e.finish(why))
	delete(b.flows, e.key)
}

func (b *builder) keep(f Flow) {
	b.nfinished++
	if b.spill != nil {
		if err := b.spill.add(&f); err != nil && b.spillErr == nil {
			b.spillErr = err
		}
		return
	}
	if lim := b.opt.SpillAfter; lim > 0 && b.nfinished > lim {
		sp, err := newSpill()
		if err == nil {
			for _, c := range b.finished {
				for i := range c {
					if err == nil {
						err = sp.add(&c[i])
					}
				}
			}
			b.finished = nil
			b.spill = sp
			if err := sp.add(&f); err != nil && b.spillErr == nil {
				b.spillErr = err
			}
			return
		}
		b.spillErr = err
		b.opt.SpillAfter = -1
	}
	const chunk = 8192
	if n := len(b.finished); n == 0 || len(b.finished[n-1]) == chunk {
		b.finished = append(b.finished, make([]Flow, 0, chunk))
	}
	last := &b.finished[len(b.finished)-1]
	*last = append(*last, f)
}

// sweepInterval is how often idle flows are looked for. Expiry itself is
// decided when a flow's next packet arrives; sweeping only frees the memory
// of flows that get no further packet, so it runs every half of the shortest
// timeout (at most every 10 s of capture time); 0 means never.
func (o *Options) sweepInterval() int64 {
	every := int64(0)
	for _, t := range []int64{o.TCPTimeout, o.UDPTimeout, o.OtherTimeout, o.ClosedTimeout} {
		if t > 0 && (every == 0 || t/2 < every) {
			every = t / 2
		}
	}
	if every == 0 {
		return 0
	}
	return max(every, int64(10*time.Second))
}

func (b *builder) sweep() {
	b.swept = b.now
	for _, e := range b.flows {
		if b.expired(e, b.now) {
			b.end(e, EndIdle)
		}
	}
	if len(b.frags) > 4096 {
		clear(b.frags)
	}
	if b.spill != nil {
		b.compactDNS()
	}
}

// compactDNS drops the successful DNS transactions once flows are spilled
// (a huge capture), counting them, and keeps the failed and open ones.
func (b *builder) compactDNS() {
	m := b.model
	kept := m.DNS[:0]
	for _, t := range m.DNS {
		if t.Answered && t.RCode == 0 {
			m.DNSAnswered++
			continue
		}
		kept = append(kept, t)
	}
	clear(m.DNS[len(kept):])
	m.DNS = kept
	clear(b.dnsOpen)
	for i, t := range m.DNS {
		if !t.Answered && t.QueryTime != 0 {
			b.dnsOpen[dnsKey{client: t.Client, server: t.Server, port: t.ClientPort, id: t.ID}] = i
		}
	}
}

// evict ends the tenth of the live flows that have been idle longest.
func (b *builder) evict() {
	all := make([]*entry, 0, len(b.flows))
	for _, e := range b.flows {
		all = append(all, e)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Last < all[j].Last })
	n := max(1, len(all)/10)
	for _, e := range all[:n] {
		b.end(e, EndEvicted)
		b.model.Evicted++
	}
}

func (b *builder) icmpError(p *decode.Packet, ts int64) {
	q := p.Quoted
	ev := ICMPError{Time: ts, From: p.Src, To: p.Dst, V6: p.Net == decode.NetIPv6, Type: p.ICMPType, Code: p.ICMPCode, Quoted: q}
	if q.HasPorts || (q.Proto != ProtoTCP && q.Proto != ProtoUDP) {
		k := makeKey(uint8(q.Proto), q.Src, q.Dst, q.SrcPort, q.DstPort)
		if e := b.flows[k]; e != nil {
			ev.Matched = true
			if e.ICMPError == 0 {
				e.ICMPError = 1 + uint16(p.ICMPType)<<8 | uint16(p.ICMPCode)
			}
		}
	}
	b.model.ICMPErrors = append(b.model.ICMPErrors, ev)
}

func (b *builder) finish() (*Model, error) {
	m := b.model
	if m.Packets == 0 {
		names := make([]string, len(m.Files))
		for i, f := range m.Files {
			names[i] = f.Name
			if f.Warning != "" {
				return nil, errors.New(f.Warning)
			}
		}
		return nil, fmt.Errorf("%s: no packets in capture", strings.Join(names, ", "))
	}
	for _, e := range b.flows {
		b.keep(e.finish(EndEOF))
	}
	clear(b.flows)
	m.NFlows = b.nfinished
	m.Bins = b.bins.m
	if b.spill != nil {
		if err := b.spill.flush(); err != nil && b.spillErr == nil {
			b.spillErr = err
		}
		if b.spillErr != nil {
			return nil, b.spillErr
		}
		m.spill = b.spill
		b.compactDNS()
		return m, nil
	}
	n := 0
	for _, c := range b.finished {
		n += len(c)
	}
	m.Flows = make([]Flow, 0, n)
	for i, c := range b.finished {
		m.Flows = append(m.Flows, c...)
		b.finished[i] = nil // let the chunk go: the flows are not held twice
	}
	b.finished = nil
	sort.Slice(m.Flows, func(i, j int) bool { return flowLess(&m.Flows[i], &m.Flows[j]) })
	m.Bins = b.bins.m
	return m, nil
}

// SortFlows orders flows by start, then protocol, addresses and ports.
func SortFlows(fl []Flow) {
	sort.Slice(fl, func(i, j int) bool { return flowLess(&fl[i], &fl[j]) })
}

func flowLess(a, b *Flow) bool {
	if a.First != b.First {
		return a.First < b.First
	}
	if a.Proto != b.Proto {
		return a.Proto < b.Proto
	}
	if c := a.Orig.Compare(b.Orig); c != 0 {
		return c < 0
	}
	if c := a.Resp.Compare(b.Resp); c != 0 {
		return c < 0
	}
	if a.OrigPort != b.OrigPort {
		return a.OrigPort < b.OrigPort
	}
	return a.RespPort < b.RespPort
}
