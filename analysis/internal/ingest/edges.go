package ingest

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"sort"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/flow"
)

// Edge is the engine's whole state between two capture files of one
// input: the flows still open, with their TCP state and transfer tracking,
// the fragments waiting for the rest of their datagram, the DNS queries
// still unanswered, every DHCP transaction (a later message joins one
// whatever time has passed), and the clocks that decide idle timeouts and
// sweeps. Reading the next file from an Edge gives exactly what one pass
// over both files gives: the flow store (pcaplab ingest) keeps one Edge
// per file so that a file added later goes on from it.
type Edge struct {
	// Now is the latest packet time seen, Swept when idle flows were last
	// looked for, Anchor where time bin 0 starts (the input's first
	// packet), all in ns.
	Now, Swept, Anchor int64
	Live               []LiveFlow
	Frags              []Fragment
	DNSOpen            []DNSTransaction // unanswered queries, in the order they were asked
	DHCP               []DHCPTransaction
}

// LiveFlow is a flow still open at an Edge.
type LiveFlow struct {
	flow.Flow
	Key  flow.Key
	Conn flow.ConnState // TCP only
	// Transfer is each direction's first and last payload segment and the
	// pauses between them (ns; see flow.Flow's OrigTransfer).
	Transfer [2][3]int64
	// Filed is the deadline the flow is filed under in the idle wheel (ns;
	// MaxInt64: none, it never times out). It is where its last filing put
	// it (when it started, closed, or was found active by a sweep), not
	// Last plus its timeout, so the next sweeps visit it when one pass
	// would.
	Filed int64
}

// Fragment is a first fragment whose datagram's other fragments may still
// come, and the flow they belong to.
type Fragment struct {
	Src, Dst netip.Addr
	ID       uint32
	Proto    flow.Proto
	Key      flow.Key
}

// BuildSegment reads the files in order as Build does (copying their
// bytes to tee, when not nil), but as one part of
// a longer input: it goes on from in (nil at the input's start) and does
// not end the flows still open at the end of the last file; they, the
// unanswered DNS queries and the DHCP transactions are in the Edge it
// returns instead of the Model (whose DNS holds only the transactions
// that ended and whose DHCP is empty). Counters in the Model are this
// part's own, so the parts of an input add up to one pass over it;
// Edge.Flows ends what is still open when no part follows. When log is
// not nil, the packet log of the files is written to it (see
// ReplaySegment).
func BuildSegment(paths []string, cfg Config, in *Edge, tee, log io.Writer) (*Model, *Edge, error) {
	if len(paths) == 0 {
		return nil, nil, errors.New("no capture file given")
	}
	b := newBuilder(cfg)
	if in != nil {
		b.restore(in)
	}
	if log != nil {
		var err error
		if b.log, err = newLogWriter(log); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range paths {
		if err := b.readTee(p, tee); err != nil {
			return nil, nil, err
		}
	}
	if b.log != nil {
		if err := b.log.close(); err != nil {
			return nil, nil, fmt.Errorf("packet log: %v", err)
		}
	}
	return b.segmentEnd()
}

// segmentEnd finishes a segment's model and takes what is still open
// into its Edge.
func (b *builder) segmentEnd() (*Model, *Edge, error) {
	out := b.takeLive()
	m, err := b.finish()
	if err != nil {
		return nil, nil, err
	}
	open := map[int]bool{}
	for _, i := range b.evidence.dnsOpen {
		open[i] = true
	}
	ended := m.DNS[:0:0]
	for i, t := range m.DNS {
		if open[i] {
			out.DNSOpen = append(out.DNSOpen, t)
		} else {
			ended = append(ended, t)
		}
	}
	m.DNS, out.DHCP, m.DHCP = ended, m.DHCP, nil
	return m, out, nil
}

// readTee reads one file, copying its bytes (as stored, compressed or
// not, to the end even past a damaged record) to tee when it is not nil:
// a hash of the file costs no second read.
func (b *builder) readTee(path string, tee io.Writer) error {
	if tee == nil {
		r, err := capfile.Open(path)
		if err != nil {
			return err
		}
		defer r.Close()
		return b.readFile(r)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	r, err := capfile.NewReader(path, io.TeeReader(f, tee))
	if err != nil {
		return err
	}
	if err := b.readFile(r); err != nil {
		return err
	}
	_, err = io.Copy(tee, f)
	return err
}

// restore makes the builder go on from an Edge.
func (b *builder) restore(in *Edge) {
	c, m, t := b.counters, b.model, b.flows
	c.any, c.now = true, in.Now
	m.BinOrigin, c.bins.origin = in.Anchor, in.Anchor
	m.First, m.Last = math.MaxInt64, math.MinInt64
	t.swept = in.Swept
	for i := range in.Live {
		t.restoreFlow(&in.Live[i], c)
	}
	for _, f := range in.Frags {
		t.frags[fragKey{src: f.Src, dst: f.Dst, id: f.ID, proto: f.Proto}] = f.Key
	}
	for _, d := range in.DNSOpen {
		m.DNS = append(m.DNS, d)
		b.evidence.dnsOpen[dnsKey{client: d.Client, server: d.Server, port: d.ClientPort, id: d.ID}] = len(m.DNS) - 1
	}
	for _, d := range in.DHCP {
		m.DHCP = append(m.DHCP, d)
		b.evidence.dhcpOpen[dhcpKey{client: d.Client, xid: d.XID}] = len(m.DHCP) - 1
	}
}

// restoreFlow puts a flow of an Edge back into the live table, filed in
// the idle wheel under the deadline it had, as the next flow created; its
// hosts' counters are this part's (a flow counts for its hosts where it
// started).
func (t *flowTable) restoreFlow(l *LiveFlow, c *counters) {
	e := t.newEntry()
	e.Flow, e.key, e.conn = l.Flow, l.Key, flow.RestoreConn(l.Conn)
	for d := range e.xfer {
		e.xfer[d] = transfer{first: l.Transfer[d][0], last: l.Transfer[d][1], paused: l.Transfer[d][2]}
	}
	e.seq = t.created
	t.created++
	e.hostO = c.host(e.Orig)
	if e.Resp != e.Orig {
		e.hostR = c.host(e.Resp)
	}
	e.hash = t.hash(&e.key)
	t.index(e)
	// closed: a connection only ever closes, and its closing files it
	// again at once, so it was filed closed exactly when it is closed.
	e.filings++
	e.closed, e.filed = e.Proto == flow.TCP && e.conn.Closed(), l.Filed
	if e.filed != math.MaxInt64 {
		t.wheel.add(e)
	}
}

// takeLive moves the open flows and fragments out of the table into an
// Edge, in a fixed order (start order, flow.Less).
func (b *builder) takeLive() *Edge {
	t := b.flows
	out := &Edge{Now: b.counters.now, Swept: t.swept, Anchor: b.model.BinOrigin}
	for e := range t.liveFlows() {
		l := LiveFlow{Flow: e.Flow, Key: e.key, Conn: e.conn.Snapshot(), Filed: e.filed}
		for d, x := range e.xfer {
			l.Transfer[d] = [3]int64{x.first, x.last, x.paused}
		}
		out.Live = append(out.Live, l)
		t.take(e)
	}
	sort.Slice(out.Live, func(i, j int) bool { return flow.Less(&out.Live[i].Flow, &out.Live[j].Flow) })
	for k, key := range t.frags {
		out.Frags = append(out.Frags, Fragment{Src: k.src, Dst: k.dst, ID: k.id, Proto: k.proto, Key: key})
	}
	sort.Slice(out.Frags, func(i, j int) bool {
		a, b := out.Frags[i], out.Frags[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if c := a.Src.Compare(b.Src); c != 0 {
			return c < 0
		}
		return a.Dst.Less(b.Dst)
	})
	clear(t.frags)
	return out
}

// take removes a live flow from the table without ending it: it went to
// an Edge. Its filing in the wheel becomes stale and its entry free.
func (t *flowTable) take(e *entry) {
	t.unindex(e)
	t.release(e)
	if t.last == e {
		t.last = nil
	}
}

// Flows ends the flows still open at the Edge as the end of the input
// does (end reason eof), in start order.
func (e *Edge) Flows(cfg Config) []flow.Flow {
	cfg.SpillAfter = -1 // a few flows: sorted in memory
	t := newFlowTable(cfg, &Dropped{})
	c := newCounters(newModel(int64(max(cfg.BinWidth, 1))), int64(max(cfg.BinWidth, 1)))
	for i := range e.Live {
		t.restoreFlow(&e.Live[i], c)
	}
	t.closeAll()
	return t.done.sorted()
}
