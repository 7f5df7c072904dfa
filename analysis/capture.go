package analysis

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/flowfile"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// Capture is the traffic model of one or more capture files, built in one
// pass. Every question is a query on it, grouped by concept: Flows (T2.0–
// T2.2, T3.6), Traffic (volume and rates, T2.2 and T3.7), Services
// (protocols, applications and ports by flows, T2.3), Pairs (host pairs and
// counting them, T2.4–T2.7), Hosts (T3.1–T3.4), Ports (T3.5) and Failures
// (T3.8).
type Capture struct {
	m      *ingest.Model
	opt    Options
	source *flowfile.Result // set when the input was a flow file
	// warnings say what was done to the input files (duplicates read
	// once, files reordered).
	warnings []string

	geo       *GeoIP // country database given by the user, if any
	loadOnce  sync.Once
	loaded    []flow.Flow // spilled flows read back by Flows().Slice
	err       error       // reading spilled flows failed
	pairsOnce sync.Once
	pairList  []pairStats

	failOnce           sync.Once
	failed, unfinished []failure // judged requests (see failureEvents)
}

// Open reads one capture file (pcap or pcapng, optionally gzip-compressed;
// "-" is standard input) into a Capture. A flow file (see OpenFlows) is
// recognised from its content too.
func Open(path string, opts ...Option) (*Capture, error) {
	return OpenFiles([]string{path}, opts...)
}

// OpenFiles reads several capture files as one input, in the order given
// (rotated dumpcap output, for example). Flow files (see OpenFlows) are
// recognised from their content: several of one format are one input
// (tshark's TCP and UDP tables apart, rotated nfdump files); flow files and
// captures cannot be mixed. Standard input ("-", alone) may hold either.
func OpenFiles(paths []string, opts ...Option) (*Capture, error) {
	o := resolve(opts)
	if len(paths) == 1 && paths[0] == "-" {
		return openStdin(o)
	}
	if len(paths) == 1 && isStore(paths[0]) {
		return OpenStore(paths[0]) // a flow store made by Ingest: its own options apply
	}
	if flows, err := flowInputs(paths); err != nil {
		return nil, err
	} else if flows {
		return openFlows(paths, o)
	}
	key, cacheable := "", false
	if o.Cache {
		key, cacheable = cacheKey(paths, o)
		if cacheable {
			if m := loadCached(key); m != nil {
				givenNames(m, paths)
				return &Capture{m: m, opt: o}, nil
			}
		}
	}
	ordered, warnings := orderInputs(paths)
	m, err := ingest.Build(ordered, o.config())
	if err != nil {
		return nil, err
	}
	if cacheable {
		storeCached(key, m)
	}
	return &Capture{m: m, opt: o, warnings: warnings}, nil
}

// OpenFlows reads a flow file instead of a capture (T2.0b): tshark's
// `-q -z conv,tcp` / `conv,udp` text (any -t time format), nfdump's
// `-o csv` (with or without header, any version's columns, -b) or
// `-o json`, Argus `ra`/`racluster` text (any fields, any -c separator),
// Zeek conn.log (TSV or JSON), CICFlowMeter or NFStream CSV, or pcaplab's own
// flow CSV (Flows.WriteCSV); gzip-compressed or not; the format is
// recognised from the content. Metrics that need packets are derived from
// the flows; Input().FlowFile says what the format can and cannot tell.
func OpenFlows(path string, opts ...Option) (*Capture, error) {
	return openFlows([]string{path}, resolve(opts))
}

func openFlows(paths []string, o Options) (*Capture, error) {
	res, err := flowfile.Open(paths...)
	if err != nil {
		return nil, err
	}
	return fromFlowFile(res, o), nil
}

// fromFlowFile builds the model of a flow file's flows.
func fromFlowFile(res *flowfile.Result, o Options) *Capture {
	m := ingest.FromFlows(res.Flows, o.BinWidth)
	m.Files = nil
	for _, f := range res.Files {
		m.Files = append(m.Files, ingest.FileInfo{Name: f.Name, Format: string(res.Format), Packets: f.Packets, Bytes: f.Bytes})
	}
	return &Capture{m: m, opt: o, source: res}
}

// openStdin reads standard input, a capture or a flow file: its first
// 64 KiB tell which.
func openStdin(o Options) (*Capture, error) {
	br := bufio.NewReaderSize(os.Stdin, 64<<10)
	head, _ := br.Peek(64 << 10)
	if flowfile.Detect(head) {
		res, err := flowfile.Read("-", br)
		if err != nil {
			return nil, err
		}
		return fromFlowFile(res, o), nil
	}
	m, err := ingest.BuildReader("-", br, o.config())
	if err != nil {
		return nil, err
	}
	return &Capture{m: m, opt: o}, nil
}

// flowInputs reports whether the paths are flow files rather than
// captures; a mix of both is an error.
func flowInputs(paths []string) (bool, error) {
	var flowName, capName string
	for _, p := range paths {
		switch {
		case p != "-" && isFlowFile(p):
			flowName = cmp.Or(flowName, p)
		default:
			capName = cmp.Or(capName, p)
		}
	}
	if flowName != "" && capName != "" {
		return false, fmt.Errorf("%s is a flow file but %s is not: give flow files or captures, not both", flowName, capName)
	}
	return flowName != "", nil
}

func isFlowFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return flowfile.Detect(head[:n])
}

// Options are the options the capture was read with.
func (c *Capture) Options() Options { return c.opt }

// Packets is the number of packet records read.
func (c *Capture) Packets() uint64 { return c.m.Packets }

// Bytes is the sum of the packets' wire lengths.
func (c *Capture) Bytes() uint64 { return c.m.Bytes }

// Start is the earliest packet timestamp (captures are not always in time
// order, so this need not be the first record).
func (c *Capture) Start() time.Time { return time.Unix(0, c.m.First).UTC() }

// End is the latest packet timestamp.
func (c *Capture) End() time.Time { return time.Unix(0, c.m.Last).UTC() }

// Duration is End − Start.
func (c *Capture) Duration() time.Duration { return time.Duration(c.m.Last - c.m.First) }

// Err reports a failure to read back flows that were spilled to disk (see
// Options.SpillAfter); the answers computed since then are incomplete.
func (c *Capture) Err() error { return c.err }

// eachFlow calls fn for every flow in start order, from memory or from
// the spill file (a store: in its order). The flow may be reused for the
// next call.
func (c *Capture) eachFlow(fn func(*flow.Flow)) {
	if c.loaded != nil {
		for i := range c.loaded {
			fn(&c.loaded[i])
		}
		return
	}
	if err := c.m.EachFlow(fn); err != nil && c.err == nil {
		c.err = err
	}
}

// flowSeq is eachFlow as an iterator.
func (c *Capture) flowSeq() iter.Seq[*flow.Flow] {
	return func(yield func(*flow.Flow) bool) {
		stop := false
		c.eachFlow(func(f *flow.Flow) {
			if !stop && !yield(f) {
				stop = true
			}
		})
	}
}

// givenNames names a cached model's files as the caller gave them: the
// cache keeps absolute paths, a fresh read the names as given, and Input
// must not depend on which it was.
func givenNames(m *ingest.Model, paths []string) {
	given := map[string]string{}
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			given[abs] = p
		}
	}
	for i := range m.Files {
		if p, ok := given[m.Files[i].Name]; ok {
			m.Files[i].Name = p
		}
	}
}
