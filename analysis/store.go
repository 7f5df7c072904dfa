package analysis

import (
	"net/netip"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/chain"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// IngestReport says what Ingest did: the files read for the first time,
// those already in the store (same content), those of the store read
// again because a file landed before them, the files of a directory that
// are not captures, the packets read and the flow rows written.
type IngestReport struct {
	Added, Skipped, Reread, Ignored []string
	Packets                         uint64
	Flows                           int
	Elapsed                         time.Duration
}

// Ingest adds capture files (or the captures in a directory) to the flow
// store in dir (package store; made if needed). A store is one input: its
// files are read in order of their first packet, each going on from the
// state the one before left (the flows, TCP connections, fragments, DNS
// queries and DHCP transactions still open), so the store equals one pass
// over all of them whatever order and batches they were ingested in. A
// file already in the store (same SHA-256) adds nothing; a file that lands
// before files already in the store makes those be read again from where
// they were ingested (they must not have moved or changed). The options
// are the store's: a store made with other options, or by another model
// version, is refused. Options.MaxFlows applies as in one pass.
func Ingest(dir string, inputs []string, opts ...Option) (IngestReport, error) {
	o := resolve(opts)
	cfg := o.config()
	cfg.Progress = nil
	r, err := chain.Ingest(dir, inputs, cfg, modelVersion, labeler{})
	return IngestReport(r), err
}

// labeler computes the labels the store keeps, by this package's
// definitions.
type labeler struct{}

func (labeler) Flow(f *flow.Flow) flow.Labels { return (*Capture)(nil).Label(f) }

func (labeler) Host(a netip.Addr) (kind, scope string) { return AddressKind(a), AddressScope(a) }

func (labeler) DNS(t *ingest.DNSTransaction) string {
	if t.QueryTime == 0 {
		return "" // a response whose query was not seen: no request to judge
	}
	return dnsFailure(*t)
}

func (labeler) ICMP(e *ingest.ICMPError) (failure, signal string) {
	if sig := icmpSignal(*e); sig != "" {
		return "", sig
	}
	return unreachableClass(*e), ""
}
