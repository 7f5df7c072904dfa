package analysis

import (
	"io"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/flowfile"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// Flow is one finished bidirectional flow; see the package documentation
// for what a flow is and how its fields are counted.
type Flow = ingest.Flow

// HostStats are the counters of one IP address.
type HostStats = ingest.HostStats

// DNSTransaction is a DNS query over UDP port 53 and its response.
type DNSTransaction = ingest.DNSTransaction

// ICMPError is an ICMP or ICMPv6 error message and the packet it quotes.
type ICMPError = ingest.ICMPError

// FileInfo describes one input file of a Capture.
type FileInfo = ingest.FileInfo

// Counter is a packet and byte count.
type Counter = ingest.Counter

// Default idle timeouts (see the package documentation).
const (
	DefaultTCPTimeout    = time.Duration(ingest.DefaultTCPTimeout)
	DefaultUDPTimeout    = time.Duration(ingest.DefaultUDPTimeout)
	DefaultOtherTimeout  = time.Duration(ingest.DefaultOtherTimeout)
	DefaultClosedTimeout = time.Duration(ingest.DefaultClosedTimeout)
)

// Option changes how a capture is read into its model.
type Option func(*ingest.Options)

// IdleTimeout sets one idle timeout for every protocol, and for TCP flows
// that have already closed; 0 means flows never time out (TCP flows still end
// when a new SYN reuses their 5-tuple), which reproduces Wireshark's
// tcp.stream and udp.stream numbering.
func IdleTimeout(d time.Duration) Option {
	return func(o *ingest.Options) {
		n := int64(d)
		o.TCPTimeout, o.UDPTimeout, o.OtherTimeout, o.ClosedTimeout = n, n, n, n
	}
}

// MaxFlows caps the live flows held at once (default 1 000 000): past it,
// the tenth idle longest are ended early and counted (Summary's
// evicted_flows), so memory stays bounded on huge captures.
func MaxFlows(n int) Option {
	return func(o *ingest.Options) { o.MaxFlows = n }
}

// SpillAfter sets how many finished flows are kept in memory (default
// 200 000); past it they go to an unlinked temporary file and only failed
// DNS transactions are kept, so memory stays flat on huge captures. -1
// keeps everything in memory.
func SpillAfter(n int) Option {
	return func(o *ingest.Options) { o.SpillAfter = n }
}

// BinWidth sets the width of the time bins (default one second).
func BinWidth(d time.Duration) Option {
	return func(o *ingest.Options) { o.BinWidth = int64(d) }
}

// Progress makes Open call f every 65 536 packets with the packets and the
// bytes of the input files read so far (compressed bytes for gzip).
func Progress(f func(packets uint64, bytesRead int64)) Option {
	return func(o *ingest.Options) { o.Progress = f }
}

// Capture is the traffic model of one or more capture files, built in one
// pass. Every metric is a query on it.
type Capture struct {
	m      *ingest.Model
	source *flowfile.Result // set when the input was a flow file

	geo       *geoDB // country database given by the user, if any
	loadOnce  sync.Once
	loaded    []Flow // spilled flows read back by Flows
	err       error  // reading spilled flows failed
	pairsOnce sync.Once
	pairList  []PairStats
}

// Open reads one capture file (pcap or pcapng, optionally gzip-compressed;
// "-" is standard input) into a Capture.
func Open(path string, opts ...Option) (*Capture, error) {
	return OpenFiles([]string{path}, opts...)
}

// OpenFiles reads several capture files as one input, in the order given
// (rotated dumpcap output, for example). A single flow file (see
// OpenFlows) is recognised from its content too.
func OpenFiles(paths []string, opts ...Option) (*Capture, error) {
	o := ingest.DefaultOptions()
	for _, f := range opts {
		f(&o)
	}
	if len(paths) == 1 && paths[0] != "-" && isFlowFile(paths[0]) {
		return openFlows(paths[0], o)
	}
	key, cacheable := "", false
	if o.Cache {
		key, cacheable = cacheKey(paths, o)
		if cacheable {
			if m := loadCached(key); m != nil {
				return &Capture{m: m}, nil
			}
		}
	}
	m, err := ingest.Build(paths, o)
	if err != nil {
		return nil, err
	}
	if cacheable && m.Spill() == nil {
		storeCached(key, m)
	}
	return &Capture{m: m}, nil
}

// OpenFlows reads a flow file instead of a capture (T2.0b): tshark's
// `-q -z conv,tcp` / `conv,udp` text, `nfdump -o csv`, Zeek conn.log (TSV or
// JSON), Argus `ra -c ,`, CICFlowMeter or NFStream CSV, or pcaplab's own
// flow CSV (WriteFlowsCSV); the format is recognised from the content.
// Metrics that need packets are derived from the flows (see FlowSource for
// what the format can and cannot tell).
func OpenFlows(path string, opts ...Option) (*Capture, error) {
	o := ingest.DefaultOptions()
	for _, f := range opts {
		f(&o)
	}
	return openFlows(path, o)
}

func openFlows(path string, o ingest.Options) (*Capture, error) {
	res, err := flowfile.Open(path)
	if err != nil {
		return nil, err
	}
	m := ingest.FromFlows(res.Flows, o)
	m.Files = []ingest.FileInfo{{Name: path, Format: string(res.Format), Packets: m.Packets, Bytes: m.Bytes}}
	return &Capture{m: m, source: res}, nil
}

func isFlowFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	return flowfile.Detect(head[:n])
}

// FlowSource describes a Capture read from a flow file: its format, what
// its byte counts measure, whether it says how TCP connections went, and
// notes on what was done (pairing one-way records, rounding). ok is false
// for a packet capture.
func (c *Capture) FlowSource() (format, bytes string, hasState bool, notes []string, ok bool) {
	if c.source == nil {
		return "", "", false, nil, false
	}
	s := c.source
	return string(s.Format), string(s.Bytes), s.HasState, s.Notes, true
}

// Files describes the input files, with any warning about each.
func (c *Capture) Files() []FileInfo { return c.m.Files }

// Packets is the number of packet records read.
func (c *Capture) Packets() uint64 { return c.m.Packets }

// Bytes is the sum of the packets' wire lengths.
func (c *Capture) Bytes() uint64 { return c.m.Bytes }

// Start and End are the earliest and latest packet timestamps (captures are
// not always in time order, so these need not be the first and last record).
func (c *Capture) Start() time.Time { return time.Unix(0, c.m.First).UTC() }

// End is the latest packet timestamp.
func (c *Capture) End() time.Time { return time.Unix(0, c.m.Last).UTC() }

// Duration is End − Start.
func (c *Capture) Duration() time.Duration { return time.Duration(c.m.Last - c.m.First) }

// Flows returns the finished flows, ordered by start time and 5-tuple. The
// slice is shared: do not modify it. On a capture whose flows were spilled
// to disk (more than SpillAfter flows) the first call reads them all into
// memory.
func (c *Capture) Flows() []Flow {
	if c.m.Spill() == nil {
		return c.m.Flows
	}
	c.loadOnce.Do(func() {
		all := make([]Flow, 0, c.m.NFlows)
		c.eachFlow(func(f *Flow) { all = append(all, *f) })
		ingest.SortFlows(all)
		c.loaded = all
	})
	return c.loaded
}

// eachFlow calls fn for every flow, from memory or from the spill file.
func (c *Capture) eachFlow(fn func(*Flow)) {
	if c.m.Spill() == nil {
		for i := range c.m.Flows {
			fn(&c.m.Flows[i])
		}
		return
	}
	if c.loaded != nil {
		for i := range c.loaded {
			fn(&c.loaded[i])
		}
		return
	}
	if err := c.m.Spill().Each(fn); err != nil && c.err == nil {
		c.err = err
	}
}

// FlowCount is the number of flows (without reading spilled ones).
func (c *Capture) FlowCount() int {
	if c.m.Spill() == nil {
		return len(c.m.Flows)
	}
	return c.m.NFlows
}

// Err reports a failure to read back flows that were spilled to disk (see
// SpillAfter); the metrics computed since then are incomplete.
func (c *Capture) Err() error { return c.err }

// Host returns the counters of one address (nil if it was not seen).
func (c *Capture) Host(a netip.Addr) *HostStats { return c.m.Hosts[a] }

// Hosts returns every address seen in an IP header with its counters. The
// map is shared: do not modify it.
func (c *Capture) Hosts() map[netip.Addr]*HostStats { return c.m.Hosts }

// DNS returns the DNS transactions seen on UDP port 53.
func (c *Capture) DNS() []DNSTransaction { return c.m.DNS }

// ICMPErrors returns the ICMP and ICMPv6 error messages.
func (c *Capture) ICMPErrors() []ICMPError { return c.m.ICMPErrors }

// Skipped counts packets that could not be fully decoded, by reason. Such
// packets still count in Packets and Bytes, and in host counts when their IP
// header was readable.
func (c *Capture) Skipped() map[string]uint64 { return c.m.Skipped }

// TCPPort and UDPPort return the counters of one port number.
func (c *Capture) TCPPort(port uint16) Counter { return c.m.TCPPorts[port].Counter }

// UDPPort returns the counters of one UDP port number.
func (c *Capture) UDPPort(port uint16) Counter { return c.m.UDPPorts[port].Counter }

// IPProtocol returns the packets and bytes carried over one IP protocol
// number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 …).
func (c *Capture) IPProtocol(proto uint8) Counter { return c.m.IPProtocols[proto] }

// Options reports the timeouts used, as durations (0 = never).
func (c *Capture) Options() (tcp, udp, other, closed, bin time.Duration) {
	o := c.m.Options
	return time.Duration(o.TCPTimeout), time.Duration(o.UDPTimeout), time.Duration(o.OtherTimeout),
		time.Duration(o.ClosedTimeout), time.Duration(o.BinWidth)
}
