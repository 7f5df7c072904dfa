package analysis

import (
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// Options steer how captures are read into a model. DefaultOptions are the
// documented defaults; every field holds the value used (no zero stands
// for a default), so the cache key, the report's methods section and
// `summary --json` all read the same struct.
type Options struct {
	// Timeouts end idle flows (zero: never); see flow.Timeouts.
	Timeouts flow.Timeouts
	// BinWidth is the width of the time bins (must be positive).
	BinWidth time.Duration
	// TransferGap is the longest pause between two payload segments of a
	// connection's direction that still counts as transfer time (T3.6's
	// throughput leaves longer pauses out); 0 counts every pause.
	TransferGap time.Duration
	// MaxFlows caps the live flows held at once: past it, the tenth idle
	// longest are ended early and counted (Summary's evicted_flows), so
	// memory stays bounded on huge captures. 0 means no cap.
	MaxFlows int
	// SpillAfter is how many finished flows are kept in memory; past it
	// they go to an unlinked temporary file and only failed DNS
	// transactions are kept, so memory stays flat on huge captures. -1
	// keeps everything in memory.
	SpillAfter int
	// Cache keeps the model in the user's cache directory (see Cached).
	Cache bool
	// Progress, when set, is called every 65 536 packets with the packets
	// and the bytes of the input files read so far (compressed bytes for
	// gzip). It does not change the model.
	Progress func(packets uint64, bytesRead int64)
}

// Defaults of Options.
const (
	DefaultBinWidth    = time.Second
	DefaultTransferGap = time.Second
	DefaultMaxFlows    = 1_000_000
	DefaultSpillAfter  = ingest.DefaultSpillAfter
)

// DefaultOptions are the documented defaults: flow.DefaultTimeouts, 1 s
// bins, a 1 s transfer gap, at most 1 000 000 live flows, spill past
// 100 000 finished flows.
func DefaultOptions() Options {
	return Options{Timeouts: flow.DefaultTimeouts, BinWidth: DefaultBinWidth, TransferGap: DefaultTransferGap,
		MaxFlows: DefaultMaxFlows, SpillAfter: DefaultSpillAfter}
}

// Option changes one setting of Options.
type Option func(*Options)

// WithOptions replaces all the options at once.
func WithOptions(o Options) Option { return func(x *Options) { *x = o } }

// IdleTimeout sets one idle timeout for every protocol, and for TCP flows
// that have already closed; 0 means flows never time out (TCP flows still end
// when a new SYN reuses their 5-tuple), which reproduces Wireshark's
// tcp.stream and udp.stream numbering.
func IdleTimeout(d time.Duration) Option {
	return func(o *Options) { o.Timeouts = flow.AllTimeouts(d) }
}

// MaxFlows caps the live flows held at once (see Options.MaxFlows).
func MaxFlows(n int) Option { return func(o *Options) { o.MaxFlows = n } }

// SpillAfter sets how many finished flows are kept in memory (see
// Options.SpillAfter).
func SpillAfter(n int) Option { return func(o *Options) { o.SpillAfter = n } }

// BinWidth sets the width of the time bins (default one second).
func BinWidth(d time.Duration) Option { return func(o *Options) { o.BinWidth = d } }

// Progress makes Open call f every 65 536 packets (see Options.Progress).
func Progress(f func(packets uint64, bytesRead int64)) Option {
	return func(o *Options) { o.Progress = f }
}

// Cached makes Open keep the model it builds in the user's cache directory
// (os.UserCacheDir()/pcaplab/) and reuse it when the same files are opened
// again with the same options: the key is each file's path, size,
// modification time and a SHA-256 of its first MiB, every option that
// changes the model, and the model's version. Notebooks, which re-run
// earlier cells, open a capture once. Standard input is never cached; a
// cache that cannot be read or written is ignored.
func Cached() Option { return func(o *Options) { o.Cache = true } }

func resolve(opts []Option) Options {
	o := DefaultOptions()
	for _, f := range opts {
		f(&o)
	}
	if o.BinWidth <= 0 {
		o.BinWidth = DefaultBinWidth
	}
	return o
}

func (o Options) config() ingest.Config {
	return ingest.Config{Timeouts: o.Timeouts, BinWidth: o.BinWidth, TransferGap: o.TransferGap, MaxFlows: o.MaxFlows,
		SpillAfter: o.SpillAfter, Progress: o.Progress, CompactFlows: true}
}
