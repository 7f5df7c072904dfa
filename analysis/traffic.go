package analysis

import (
	"fmt"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// Traffic is the capture's traffic over time (T2.2's volume, T3.7's bit
// and packet rates) and its split by IP protocol.
type Traffic struct{ c *Capture }

// Traffic returns the capture's traffic over time.
func (c *Capture) Traffic() Traffic { return Traffic{c} }

// Counter is a packet and byte count.
type Counter struct {
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// IPProtocol returns the packets and bytes carried over one IP protocol
// (TCP, UDP, ICMP, ICMPv6 …).
func (t Traffic) IPProtocol(p flow.Proto) Counter { return Counter(t.c.m.IPProtocols[p]) }

// RateBin is one time bin: its start, its offset from the capture's first
// packet, its packets and bytes, and the rates they make.
type RateBin struct {
	Start       time.Time     `table:"start"`
	Offset      time.Duration `table:"offset_s,3"`
	Packets     uint64        `table:"packets"`
	Bytes       uint64        `table:"bytes"`
	BitsPerS    float64       `table:"bits_per_s,0"`
	PacketsPerS float64       `table:"packets_per_s,1"`
}

// Bins answers T2.2's volume over time and T3.7's rates per bin: one row
// per time bin from the first to the last packet, empty bins included. bin
// is a multiple of the model's bin width (Options.BinWidth; 0 means that
// width); bins start at whole multiples of the width since the Unix epoch.
func (t Traffic) Bins(bin time.Duration) ([]RateBin, error) {
	w, err := t.c.binWidth(bin)
	if err != nil {
		return nil, err
	}
	sec := float64(w) / 1e9
	var out []RateBin
	for _, b := range t.c.rebin(w) {
		out = append(out, RateBin{Start: time.Unix(0, b.start).UTC(), Offset: time.Duration(b.start - t.c.m.First),
			Packets: b.packets, Bytes: b.bytes, BitsPerS: float64(b.bytes) * 8 / sec, PacketsPerS: float64(b.packets) / sec})
	}
	return out, nil
}

func (c *Capture) binWidth(bin time.Duration) (int64, error) {
	base := c.m.BinWidth
	if bin == 0 {
		return base, nil
	}
	if int64(bin) < base || int64(bin)%base != 0 {
		return 0, fmt.Errorf("bin width %v is not a multiple of the model's %v (see Options.BinWidth)", bin, time.Duration(base))
	}
	return int64(bin), nil
}

type binRow struct {
	start          int64
	packets, bytes uint64
}

// rebin merges the model's bins into bins of width w (a multiple of the
// model's), from the first to the last, empty ones included.
func (c *Capture) rebin(w int64) []binRow {
	if len(c.m.Bins) == 0 {
		return nil
	}
	base := c.m.BinWidth
	agg := map[int64]*binRow{}
	for k, v := range c.m.Bins {
		start := ingest.FloorDiv(k*base, w) * w
		r := agg[start]
		if r == nil {
			r = &binRow{start: start}
			agg[start] = r
		}
		r.packets += v.Packets
		r.bytes += v.Bytes
	}
	starts := make([]int64, 0, len(agg))
	for s := range agg {
		starts = append(starts, s)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	first, last := starts[0], starts[len(starts)-1]
	if n := (last-first)/w + 1; n > maxBins {
		// A capture spanning years (concatenated files): keep the
		// non-empty bins only rather than millions of empty ones.
		out := make([]binRow, len(starts))
		for i, s := range starts {
			out[i] = *agg[s]
		}
		return out
	}
	var out []binRow
	for s := first; s <= last; s += w {
		if r := agg[s]; r != nil {
			out = append(out, *r)
		} else {
			out = append(out, binRow{start: s})
		}
	}
	return out
}

// maxBins caps the number of bins filled in between the first and last.
const maxBins = 1_000_000

// RateSummary holds T3.7's summary numbers. The means are over the
// capture's duration, as capinfos computes them (bytes × 8 / duration,
// packets / duration); median and peak are over the bins from the first to
// the last packet, empty bins counted as 0.
type RateSummary struct {
	Bin                                        time.Duration
	MeanBitsPerS, MedianBitsPerS, PeakBitsPerS float64
	MeanPacketsPerS, MedianPacketsPerS         float64
	PeakPacketsPerS                            float64
	PeakBitsAt, PeakPacketsAt                  time.Time // start of the peak bin
	start                                      time.Time
}

// RateRow is one statistic of RateSummary as a table row.
type RateRow struct {
	Statistic   string  `table:"statistic"`
	BitsPerS    float64 `table:"bits_per_s,0"`
	PacketsPerS float64 `table:"packets_per_s,1"`
}

// Rates computes RateSummary for bins of the given width (0: the model's).
func (t Traffic) Rates(bin time.Duration) (RateSummary, error) {
	c := t.c
	w, err := c.binWidth(bin)
	if err != nil {
		return RateSummary{}, err
	}
	r := RateSummary{Bin: time.Duration(w), start: c.Start()}
	if d := c.Duration().Seconds(); d > 0 {
		r.MeanBitsPerS = float64(c.m.Bytes) * 8 / d
		r.MeanPacketsPerS = float64(c.m.Packets) / d
	}
	bins := c.rebin(w)
	if len(bins) == 0 {
		return r, nil
	}
	sec := r.Bin.Seconds()
	bits := make([]float64, len(bins))
	pkts := make([]float64, len(bins))
	for i, b := range bins {
		bits[i] = float64(b.bytes) * 8 / sec
		pkts[i] = float64(b.packets) / sec
		if bits[i] > r.PeakBitsPerS {
			r.PeakBitsPerS, r.PeakBitsAt = bits[i], time.Unix(0, b.start).UTC()
		}
		if pkts[i] > r.PeakPacketsPerS {
			r.PeakPacketsPerS, r.PeakPacketsAt = pkts[i], time.Unix(0, b.start).UTC()
		}
	}
	r.MedianBitsPerS = statsOf(bits).Median
	r.MedianPacketsPerS = statsOf(pkts).Median
	return r, nil
}

// Rows are the summary as a table: mean (over the capture), median and
// peak (over the bins).
func (r RateSummary) Rows() []RateRow {
	bins := " (" + units.Setting(r.Bin) + " bins)"
	return []RateRow{
		{"mean", r.MeanBitsPerS, r.MeanPacketsPerS},
		{"median" + bins, r.MedianBitsPerS, r.MedianPacketsPerS},
		{"peak" + bins, r.PeakBitsPerS, r.PeakPacketsPerS},
	}
}

// Sentence states the rates in words.
func (r RateSummary) Sentence() string {
	return fmt.Sprintf("Over the whole capture the mean bit rate is %s and the mean packet rate %.1f packets/s; in %g-second bins the median is %s and %.1f packets/s, and the peak %s (bin starting %s) and %.0f packets/s.",
		units.BitRate(r.MeanBitsPerS), r.MeanPacketsPerS, r.Bin.Seconds(), units.BitRate(r.MedianBitsPerS), r.MedianPacketsPerS,
		units.BitRate(r.PeakBitsPerS), r.PeakBitsAt.Format("15:04:05"), r.PeakPacketsPerS)
}

// VolumeSentence states T2.2's busiest bin.
func (r RateSummary) VolumeSentence() string {
	return fmt.Sprintf("The busiest %s bin starts at %s (%s after the first packet) with %s of traffic; the mean over the capture is %s.",
		r.Bin, r.PeakBitsAt.Format("15:04:05"), r.PeakBitsAt.Sub(r.start).Round(time.Millisecond), units.Bytes(r.PeakBitsPerS/8*r.Bin.Seconds()), units.BitRate(r.MeanBitsPerS))
}
