package analysis

import (
	"fmt"
	"sort"
	"time"

	"github.com/go-gota/gota/dataframe"
)

// Rates answers T2.2's volume over time and T3.7's bit and packet rates:
// one row per time bin from the first to the last packet, empty bins
// included. bin is a multiple of the model's bin width (see BinWidth; 0
// means the model's width); bins start at whole multiples of the width since
// the Unix epoch. Columns: start (RFC 3339), offset_s (from the capture's
// first packet, at the bin's start), packets, bytes, bits_per_s,
// packets_per_s.
func (c *Capture) Rates(bin time.Duration) (dataframe.DataFrame, error) {
	w, err := c.binWidth(bin)
	if err != nil {
		return dataframe.DataFrame{}, err
	}
	bins := c.rebin(w)
	t := newTable(strCol("start"), floatCol("offset_s"), intCol("packets"), intCol("bytes"), floatCol("bits_per_s"), floatCol("packets_per_s"))
	sec := float64(w) / 1e9
	for _, b := range bins {
		t.row(time.Unix(0, b.start).UTC().Format(time.RFC3339Nano), float64(b.start-c.m.First)/1e9, b.packets, b.bytes,
			float64(b.bytes)*8/sec, float64(b.packets)/sec)
	}
	return t.frame(), nil
}

func (c *Capture) binWidth(bin time.Duration) (int64, error) {
	base := c.m.BinWidth
	if bin == 0 {
		return base, nil
	}
	if int64(bin) < base || int64(bin)%base != 0 {
		return 0, fmt.Errorf("bin width %v is not a multiple of the model's %v (see BinWidth)", bin, time.Duration(base))
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
		start := floorDiv(k*base, w) * w
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

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// RateSummary holds T3.7's summary numbers. The means are over the
// capture's duration, as capinfos computes them (bytes × 8 / duration,
// packets / duration); median and peak are over the bins from the first to
// the last packet, empty bins counted as 0.
type RateSummary struct {
	BinS                                       float64 `json:"bin_s"`
	MeanBitsPerS, MedianBitsPerS, PeakBitsPerS float64
	MeanPacketsPerS, MedianPacketsPerS         float64
	PeakPacketsPerS                            float64
	PeakBitsAt, PeakPacketsAt                  time.Time // start of the peak bin
}

// RateStats computes RateSummary for bins of the given width (0: the
// model's).
func (c *Capture) RateStats(bin time.Duration) (RateSummary, error) {
	w, err := c.binWidth(bin)
	if err != nil {
		return RateSummary{}, err
	}
	r := RateSummary{BinS: float64(w) / 1e9}
	if d := c.Duration().Seconds(); d > 0 {
		r.MeanBitsPerS = float64(c.m.Bytes) * 8 / d
		r.MeanPacketsPerS = float64(c.m.Packets) / d
	}
	bins := c.rebin(w)
	if len(bins) == 0 {
		return r, nil
	}
	bits := make([]float64, len(bins))
	pkts := make([]float64, len(bins))
	for i, b := range bins {
		bits[i] = float64(b.bytes) * 8 / r.BinS
		pkts[i] = float64(b.packets) / r.BinS
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

// RateFrame is RateSummary as a dataframe. Columns: measure, unit, mean,
// median, peak, bin_s.
func (r RateSummary) Frame() dataframe.DataFrame {
	t := newTable(strCol("measure"), strCol("unit"), floatCol("mean"), floatCol("median"), floatCol("peak"), floatCol("bin_s"))
	t.row("bit rate", "bit/s", r.MeanBitsPerS, r.MedianBitsPerS, r.PeakBitsPerS, r.BinS)
	t.row("packet rate", "packets/s", r.MeanPacketsPerS, r.MedianPacketsPerS, r.PeakPacketsPerS, r.BinS)
	return t.frame()
}

// Sentence states the rates in words.
func (r RateSummary) Sentence() string {
	return fmt.Sprintf("Over the whole capture the mean bit rate is %s and the mean packet rate %.1f packets/s; in %g-second bins the median is %s and %.1f packets/s, and the peak %s (bin starting %s) and %.0f packets/s.",
		FormatBitRate(r.MeanBitsPerS), r.MeanPacketsPerS, r.BinS, FormatBitRate(r.MedianBitsPerS), r.MedianPacketsPerS,
		FormatBitRate(r.PeakBitsPerS), r.PeakBitsAt.Format("15:04:05"), r.PeakPacketsPerS)
}

// FormatBitRate writes a bit rate with an SI prefix (1 kbit/s = 1000 bit/s).
func FormatBitRate(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f Gbit/s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f Mbit/s", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f kbit/s", v/1e3)
	}
	return fmt.Sprintf("%.0f bit/s", v)
}
