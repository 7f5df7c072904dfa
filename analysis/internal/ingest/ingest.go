// Package ingest builds pcaplab's traffic model in one streaming pass over
// capture files: reader → decoder → three stages that each observe every
// packet (counters, the flow table, the failure evidence) → Model. Memory
// grows with the number of flows, hosts and time bins, never with packets.
package ingest

import (
	"errors"
	"io"
	"net/netip"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// Config is analysis.Options with its defaults applied: every value is the
// one used (a zero timeout means never).
type Config struct {
	Timeouts flow.Timeouts
	BinWidth time.Duration
	// TransferGap is the longest pause between two payload segments of a
	// direction that still counts as transfer time (see flow.Flow's
	// OrigTransfer); 0 counts every pause.
	TransferGap time.Duration
	// MaxFlows caps the live flows held at once; when a new flow would pass
	// it, the tenth of the live flows idle longest are ended early
	// (EndEvicted) and counted in Model.Evicted. 0 means no cap.
	MaxFlows int
	// SpillAfter is how many finished flows are kept in memory; past it
	// they go to an unlinked temporary file (Model.Spill) and only failed
	// DNS transactions are kept. -1 never spills.
	SpillAfter int
	// CompactFlows keeps the finished flows as compact records
	// (Model.Records) instead of flow.Flow values (Model.Flows), for
	// callers that read them through Model.EachFlow: a third of the
	// memory, nothing for the collector to scan.
	CompactFlows bool
	// Progress, when set, is called about every 2^16 packets with the
	// packets and the bytes of the input files read so far.
	Progress func(packets uint64, bytesRead int64)
}

// FileInfo describes one input file.
type FileInfo struct {
	Name      string
	Format    string
	LinkTypes []string
	Packets   uint64
	Bytes     uint64
	Warning   string // set when the file could not be read to its end
	// First and Last are its earliest and latest packet times (ns), 0
	// when it has no packet: several files whose spans overlap may hold
	// the same traffic twice.
	First, Last int64
	// Log is the file's packet log, for a file of a flow store: a second
	// pass (Series) replays it instead of reading the file, which the
	// store does not need.
	Log string
}

// Model is the result of one pass.
type Model struct {
	Files          []FileInfo
	Packets, Bytes uint64
	First, Last    int64 // ns; earliest and latest timestamp (not first and last record)

	Flows []flow.Flow // finished flows, ordered by First, then by 5-tuple; nil when spilled or in Records
	// Records holds the finished flows instead of Flows when Build ran with
	// Config.CompactFlows: compact records, a third of the memory of
	// Flows, read one at a time (Records.Each, or EachFlow for any model).
	Records *FlowRecords
	// spill holds the finished flows instead of Flows on huge captures (in
	// sorted runs, read in start order; see Spill); NFlows counts them
	// either way.
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
	NonIP       map[string]*Counter // frames without IP by protocol (ARP, LLDP, STP, CDP …)
	VLAN        VLANCounts          // frames with 802.1Q tags
	BinWidth    int64               // ns
	BinOrigin   int64               // ns; the first packet's time, where bin 0 starts
	Bins        map[int64]*Counter  // time bins keyed by floor((t − BinOrigin) / BinWidth)
	DHCP        []DHCPTransaction   // DHCP transactions by client and transaction id
	DNS         []DNSTransaction    // UDP/53 queries and responses
	ICMPErrors  []ICMPError         // ICMP/ICMPv6 errors
	Skipped     map[string]uint64   // packets not fully decoded, by reason
	skips       map[Skip]uint64     // the same while reading
	Evicted     uint64              // live flows ended early because of Config.MaxFlows
	Fragments   uint64              // IP fragments (all)
	FragOrphans uint64              // non-first fragments whose first fragment was not seen
	// Dropped counts the records set aside (bad timestamps) and what was
	// not kept because of a bound (see the Max constants); all zero for an
	// ordinary capture.
	Dropped Dropped
}

// Spill returns the file the finished flows went to, or nil when they are
// in Flows.
func (m *Model) Spill() *FlowSpill { return m.spill }

func newModel(binWidth int64) *Model {
	return &Model{
		Hosts:     map[netip.Addr]*HostStats{},
		TCPPorts:  make([]PortStats, 65536),
		UDPPorts:  make([]PortStats, 65536),
		LinkTypes: map[uint16]*Counter{},
		NonIP:     map[string]*Counter{},
		BinWidth:  binWidth,
		Bins:      map[int64]*Counter{},
		Skipped:   map[string]uint64{},
		skips:     map[Skip]uint64{},
	}
}

// builder runs the stages over the packets of one input.
type builder struct {
	cfg        Config
	model      *Model
	counters   *counters
	flows      *flowTable
	evidence   *evidence
	readBefore int64 // bytes of the files already read, for progress
	memory     memoryCheck
	log        *logWriter // the packet log written, if any
}

func newBuilder(cfg Config) *builder {
	if cfg.BinWidth <= 0 {
		cfg.BinWidth = time.Second
	}
	m := newModel(int64(cfg.BinWidth))
	return &builder{cfg: cfg, model: m, counters: newCounters(m, int64(cfg.BinWidth)), flows: newFlowTable(cfg, &m.Dropped),
		evidence: &evidence{m: m, dnsOpen: map[dnsKey]int{}, dhcpOpen: map[dhcpKey]int{}}}
}

// Build reads every file in order as one input. It returns an error only
// when nothing usable was read; problems after some packets were read are
// warnings in Model.Files[i].Warning.
func Build(paths []string, cfg Config) (*Model, error) {
	if len(paths) == 0 {
		return nil, errors.New("no capture file given")
	}
	b := newBuilder(cfg)
	defer b.flows.done.release() // on an error, the records outside the heap
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
func BuildReader(name string, r io.Reader, cfg Config) (*Model, error) {
	cr, err := capfile.NewReader(name, r)
	if err != nil {
		return nil, err
	}
	b := newBuilder(cfg)
	defer b.flows.done.release()
	if err := b.readFile(cr); err != nil {
		return nil, err
	}
	return b.finish()
}

// packet runs one decoded packet through the stages.
func (b *builder) packet(rec *capfile.Record, p *decode.Packet) { b.packetWith(rec, p, nil) }

// packetWith is packet with the packet's DNS message parsed already
// (msg, nil when it was not).
func (b *builder) packetWith(rec *capfile.Record, p *decode.Packet, msg *dnsMessage) {
	if !b.counters.observe(rec, p) {
		return
	}
	if b.flows.sweep(b.counters.now) && b.flows.done.spill != nil {
		b.evidence.compactDNS()
	}
	var ref flowRef // on the stack: no write barriers for its addresses' pointers
	packetRef(p, b.flows.live.seed, &ref)
	k, h, ok := &ref.key, ref.hash, ref.kind == refKey
	if ref.kind == refFragment {
		fk, fok := b.flows.keyOf(p)
		k, h, ok = &fk, b.flows.hash(&fk), fok
	}
	if ok {
		b.flows.observe(k, h, p, rec.Time, rec.WireLen, b.counters)
	} else {
		src := b.counters.host(p.Src)
		if p.HasMAC && src.MAC == ([6]byte{}) {
			src.MAC = p.SrcMAC // the first frame the host sent
		}
		countHosts(src, b.counters.host(p.Dst), rec.WireLen)
	}
	if p.HasPorts {
		b.counters.ports(p, rec.WireLen)
	}
	b.evidence.observe(p, msg, rec.Time, b.flows)
}

func (b *builder) finish() (*Model, error) {
	m := b.model
	if m.Packets == 0 {
		for _, f := range m.Files {
			if f.Warning != "" {
				return nil, errors.New(f.Warning)
			}
		}
		// A valid capture with no packets is an answer, zeros, as capinfos
		// and tshark give it, with a warning: not an error.
		for i := range m.Files {
			m.Files[i].Warning = m.Files[i].Name + ": no packets in capture"
		}
	}
	t := b.flows
	t.closeAll()
	m.Evicted, m.Fragments, m.FragOrphans = t.evicted, t.fragments, t.orphans
	m.Bins = b.counters.bins.m
	m.Dropped.HostPackets = b.counters.overflow.Packets
	for k, n := range b.counters.nonIP {
		c := counterOf(m.NonIP, k.Name())
		c.Packets += n.Packets
		c.Bytes += n.Bytes
	}
	for k, n := range m.skips {
		p := decode.Packet{Problem: k.Problem, LinkType: layersLinkType(k.Detail), EtherType: layersEtherType(k.Detail)}
		m.Skipped[p.Reason()] += n
	}
	m.NFlows = t.done.n
	switch {
	case t.done.spill == nil && b.cfg.CompactFlows:
		m.Records = t.done.records()
		return m, nil
	case t.done.spill == nil:
		m.Flows = t.done.sorted()
		return m, nil
	}
	if err := t.done.spill.flush(); err != nil && t.done.err == nil {
		t.done.err = err
	}
	if t.done.err != nil {
		return nil, t.done.err
	}
	m.spill = t.done.spill
	b.evidence.compactDNS()
	return m, nil
}
