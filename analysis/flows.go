package analysis

import (
	"fmt"
	"io"
	"iter"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/table"
	"github.com/pcaplab/pcaplab/units"
)

// Flows is the capture's flows (T2.0–T2.2): the list, their sizes, the
// flow table and its CSV, the fastest TCP connections (T3.6).
type Flows struct{ c *Capture }

// Flows returns the capture's flows.
func (c *Capture) Flows() Flows { return Flows{c} }

// Count is the number of flows (without reading flows spilled to disk).
func (v Flows) Count() int { return v.c.m.NFlows }

// All iterates over every flow, in start order (from a flow store, in the
// store's order: by start time within each hour), one at a time: memory
// does not grow with the flows. A flow is valid until the next one: copy
// what you keep.
func (v Flows) All() iter.Seq[*flow.Flow] { return v.c.flowSeq() }

// Slice returns every flow, ordered by start time and 5-tuple. The slice is
// shared: do not modify it. The first call puts every flow in memory as a
// flow.Flow (about 250 bytes each, where the model keeps records of about 60 bytes
// or, past Options.SpillAfter flows, a file): All and the other views
// stream them instead.
func (v Flows) Slice() []flow.Flow {
	c := v.c
	if c.m.Flows != nil {
		return c.m.Flows
	}
	c.loadOnce.Do(func() {
		all := make([]flow.Flow, 0, c.m.NFlows)
		c.eachFlow(func(f *flow.Flow) { all = append(all, *f) })
		sortFlows(all)
		c.loaded = all
	})
	return c.loaded
}

func sortFlows(fl []flow.Flow) {
	sort.Slice(fl, func(i, j int) bool { return flow.Less(&fl[i], &fl[j]) })
}

// Label computes a flow's labels: its application and how it was
// identified, its failure class, its responder's address kind.
func (c *Capture) Label(f *flow.Flow) flow.Labels {
	app, by := Application(f)
	return flow.Labels{Application: app, IdentifiedBy: by, Failure: flowFailure(f), RespKind: AddressKind(f.Resp)}
}

// Records returns every flow with its labels, in start order: the rows of
// the flow table (T2.0).
func (v Flows) Records() []flow.Record {
	fl := v.Slice()
	out := make([]flow.Record, len(fl))
	for i := range fl {
		out[i] = flow.Record{Flow: fl[i], Labels: v.c.Label(&fl[i])}
	}
	return out
}

// Table is the flow table (T2.0) in the columns of flow.Schema: the same
// columns as WriteCSV, `pcaplab flows` and the report's tables/flows.csv.
func (v Flows) Table() *table.Table {
	t := &table.Table{}
	for _, col := range flow.Schema {
		t.Columns = append(t.Columns, schemaColumn(col))
	}
	for _, r := range v.Records() {
		row := make([]any, len(flow.Schema))
		for i := range flow.Schema {
			if col := &flow.Schema[i]; col.Type == flow.Time {
				row[i] = col.Text(&r) // a time shows as text; start_ns and end_ns are its numbers
			} else {
				row[i] = col.Value(&r)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func schemaColumn(c flow.Column) table.Column {
	col := table.Column{Name: c.Name, Decimals: 6}
	switch c.Type {
	case flow.Int:
		col.Kind, col.ID = table.Int, c.Name == "orig_port" || c.Name == "resp_port" || c.Name == "start_ns" || c.Name == "end_ns"
	case flow.Float:
		col.Kind = table.Float
	}
	return col
}

// Frame is the flow table as a gota DataFrame.
func (v Flows) Frame() dataframe.DataFrame { return v.Table().Frame() }

// WriteCSV writes every flow as CSV in the columns of flow.Schema, one row
// at a time. OpenFlows reads the file back; SQL engines and spreadsheets
// read it as it is.
func (v Flows) WriteCSV(w io.Writer) error {
	cw, err := flow.NewCSVWriter(w)
	if err != nil {
		return err
	}
	for f := range v.All() {
		r := flow.Record{Flow: *f, Labels: v.c.Label(f)}
		if err := cw.Write(&r); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	return v.c.err
}

// Stats are the minimum, median, mean and maximum of a set of values. The
// median of an even number of values is the mean of the two middle ones.
type Stats struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Mean   float64 `json:"mean"`
	Max    float64 `json:"max"`
}

// statsOf computes Stats (sorting v in place); all zero for no values.
func statsOf(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	slices.Sort(v)
	var sum float64
	for _, x := range v {
		sum += x
	}
	n := len(v)
	med := v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return Stats{Min: v[0], Median: med, Mean: sum / float64(n), Max: v[n-1]}
}

// FlowSizes answers T2.1: the number of flows by protocol and the minimum,
// median, mean and maximum flow size in bytes and in packets (both
// directions).
type FlowSizes struct {
	Flows, TCP, UDP, ICMP, Other int
	Bytes, Packets               Stats
	w                            wording
}

// SizeRow is one measure of FlowSizes as a table row.
type SizeRow struct {
	Measure string  `table:"measure"`
	Flows   int     `table:"flows"`
	Min     float64 `table:"min,0"`
	Median  float64 `table:"median,1"`
	Mean    float64 `table:"mean,1"`
	Max     float64 `table:"max,0"`
}

// Sizes computes FlowSizes. The medians are exact at any number of flows:
// the sizes are counted by distinct value (see histogram), so memory grows
// with the distinct sizes, not with the flows.
func (v Flows) Sizes() FlowSizes {
	s := FlowSizes{Flows: v.Count(), w: v.c.words()}
	bytes, pkts := histogram{}, histogram{}
	v.c.eachFlow(func(f *flow.Flow) {
		switch f.Proto {
		case flow.TCP:
			s.TCP++
		case flow.UDP:
			s.UDP++
		case flow.ICMP, flow.ICMPv6:
			s.ICMP++
		default:
			s.Other++
		}
		bytes[f.Bytes()]++
		pkts[f.Packets()]++
	})
	s.Bytes, s.Packets = bytes.stats(), pkts.stats()
	return s
}

// histogram counts values by distinct value: a million flows of 168 to
// 33 311 bytes are at most 33 144 entries (0.5 MB), where a list of their
// sizes held 8 MB.
type histogram map[uint64]uint64

// values returns the distinct values in ascending order.
func (h histogram) values() []uint64 {
	out := make([]uint64, 0, len(h))
	for v := range h {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// stats computes Stats exactly as statsOf would over the values.
func (h histogram) stats() Stats {
	vals := h.values()
	if len(vals) == 0 {
		return Stats{}
	}
	var n, sum uint64
	for _, v := range vals {
		n += h[v]
		sum += v * h[v]
	}
	// The median is the value at rank n/2 (0-based), or the mean of those at
	// n/2−1 and n/2 for an even n.
	at := func(rank uint64) float64 {
		for _, v := range vals {
			if rank < h[v] {
				return float64(v)
			}
			rank -= h[v]
		}
		return 0 // not reached: rank < n
	}
	med := at(n / 2)
	if n%2 == 0 {
		med = (at(n/2-1) + med) / 2
	}
	return Stats{Min: float64(vals[0]), Median: med, Mean: float64(sum) / float64(n), Max: float64(vals[len(vals)-1])}
}

// Rows are the sizes as a table: bytes, then packets.
func (s FlowSizes) Rows() []SizeRow {
	return []SizeRow{
		{"bytes", s.Flows, s.Bytes.Min, s.Bytes.Median, s.Bytes.Mean, s.Bytes.Max},
		{"packets", s.Flows, s.Packets.Min, s.Packets.Median, s.Packets.Mean, s.Packets.Max},
	}
}

// Sentence states T2.1's answer in words: the counts by protocol and the
// four statistics in bytes and in packets.
func (s FlowSizes) Sentence() string {
	if s.Flows == 0 {
		return "The input holds no flow."
	}
	var protos []string
	for _, p := range []struct {
		n    int
		name string
	}{{s.TCP, "TCP"}, {s.UDP, "UDP"}, {s.ICMP, "ICMP"}, {s.Other, "other"}} {
		if p.n > 0 {
			protos = append(protos, units.Count(p.n)+" "+p.name)
		}
	}
	out := fmt.Sprintf("The %s holds %s (%s). Flow sizes range from %s to %s bytes (median %s, mean %s bytes) and from %s to %s packets (median %s, mean %s packets).",
		s.w.noun, units.Plural(s.Flows, "flow"), strings.Join(protos, ", "), units.Number(s.Bytes.Min, 0), units.Number(s.Bytes.Max, 0),
		units.Number(s.Bytes.Median, 1), units.Fixed(s.Bytes.Mean, 1), units.Number(s.Packets.Min, 0), units.Number(s.Packets.Max, 0),
		units.Number(s.Packets.Median, 1), units.Fixed(s.Packets.Mean, 1))
	if s.Flows%2 == 0 {
		out += " With an even number of flows, the median is the mean of the two middle values."
	}
	return out
}

// SizeBin is one distinct flow size of T2.2's distribution: the flows of
// that size, the fraction of flows of at most that size (CDF) and of more
// than that size (CCDF).
type SizeBin struct {
	Bytes uint64  `table:"bytes"`
	Flows int     `table:"flows"`
	CDF   float64 `table:"cdf,4"`
	CCDF  float64 `table:"ccdf,4"`
}

// SizeDistribution is the flow-size distribution, in ascending size.
type SizeDistribution []SizeBin

// SizeDistribution is the data behind T2.2's flow-size CDF and CCDF: one
// row per distinct flow size in bytes.
func (v Flows) SizeDistribution() SizeDistribution {
	h := histogram{}
	v.c.eachFlow(func(f *flow.Flow) { h[f.Bytes()]++ })
	var out SizeDistribution
	var n, below uint64
	for _, c := range h {
		n += c
	}
	for _, size := range h.values() {
		below += h[size]
		cdf := float64(below) / float64(n)
		out = append(out, SizeBin{Bytes: size, Flows: int(h[size]), CDF: cdf, CCDF: 1 - cdf})
	}
	return out
}

// HeavyTail is the criterion for calling a flow-size distribution
// heavy-tailed: the largest tenth of the flows carry at least this share
// of the bytes.
const HeavyTail = 0.5

// Sentence describes the distribution from its numbers: the share of
// flows of at most 1 000 bytes, and the share of the bytes that the
// largest tenth of the flows (at least one) carry — heavy-tailed when that
// share is at least HeavyTail.
func (d SizeDistribution) Sentence() string {
	if len(d) == 0 {
		return "There are no flows."
	}
	var sizes []uint64
	var small int
	var total float64
	for _, b := range d {
		if b.Bytes <= 1000 {
			small += b.Flows
		}
		for j := 0; j < b.Flows; j++ {
			sizes = append(sizes, b.Bytes)
		}
		total += float64(b.Bytes) * float64(b.Flows)
	}
	n := len(sizes)
	k := max(1, (n+9)/10) // the largest tenth, rounded up
	var top float64
	for _, v := range sizes[n-k:] {
		top += float64(v)
	}
	share := 0.0
	if total > 0 {
		share = top / total
	}
	largest := fmt.Sprintf("the largest %s (%s of the flows) carry", units.Plural(k, "flow"), units.Percent(k, n))
	if k == 1 {
		largest = fmt.Sprintf("the largest flow (%s of the flows) carries", units.Percent(k, n))
	}
	out := fmt.Sprintf("%s of the %s carry at most %s bytes; %s %s of all flow bytes",
		units.Percent(small, n), units.Plural(n, "flow"), units.Count(1000), largest, units.Percent(share, 1))
	if share >= HeavyTail && n >= 10 {
		return out + ": a heavy-tailed distribution (the largest tenth carry at least half of the bytes), best seen on the log axis."
	}
	return out + "."
}

// FlowRow is a flow as a report shows it: when it started after the
// capture's first packet, its endpoints, size, duration, state and
// application.
type FlowRow struct {
	Start       time.Duration `table:"start_s,3"` // after the capture's first packet
	Proto       flow.Proto    `table:"proto"`
	Orig        netip.Addr    `table:"orig_addr"`
	OrigPort    string        `table:"orig_port"` // TCP and UDP only ("" for ICMP and others)
	Resp        netip.Addr    `table:"resp_addr"`
	RespPort    string        `table:"resp_port"`
	Packets     uint64        `table:"packets"`
	Bytes       uint64        `table:"bytes"`
	Duration    time.Duration `table:"duration_s,3"`
	State       flow.State    `table:"state"`
	Application string        `table:"application"`
}

// First returns the n flows that started first (ties: protocol, addresses,
// ports), without holding the others: a spilled capture streams through.
func (v Flows) First(n int) []FlowRow {
	var keep []flow.Flow
	v.c.eachFlow(func(f *flow.Flow) {
		i := sort.Search(len(keep), func(i int) bool { return flow.Less(f, &keep[i]) })
		if i >= n {
			return
		}
		keep = slices.Insert(keep, i, *f)
		if len(keep) > n {
			keep = keep[:n]
		}
	})
	out := make([]FlowRow, len(keep))
	for i := range keep {
		f := &keep[i]
		app, _ := Application(f)
		out[i] = FlowRow{Start: time.Duration(f.First - v.c.m.First), Proto: f.Proto, Orig: f.Orig, Resp: f.Resp,
			Packets: f.Packets(), Bytes: f.Bytes(), Duration: f.Duration(), State: f.State, Application: app}
		if f.Proto == flow.TCP || f.Proto == flow.UDP {
			out[i].OrigPort, out[i].RespPort = strconv.Itoa(int(f.OrigPort)), strconv.Itoa(int(f.RespPort))
		}
	}
	return out
}
