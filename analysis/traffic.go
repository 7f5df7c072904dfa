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
// packet, the time it covers within the capture, its packets and bytes,
// and the rates they make over that time.
type RateBin struct {
	Start       time.Time     `table:"start"`
	Offset      time.Duration `table:"offset_s,3"`
	Length      time.Duration `table:"length_s,3"`
	Packets     uint64        `table:"packets"`
	Bytes       uint64        `table:"bytes"`
	BitsPerS    float64       `table:"bits_per_s,0"`
	PacketsPerS float64       `table:"packets_per_s,1"`
}

// Bins answers T2.2's volume over time and T3.7's rates per bin: one row
// per time bin from the first to the last packet, empty bins included. bin
// is a multiple of the model's bin width (Options.BinWidth; 0 means that
// width). Bins start at the first packet, as tshark's io,stat does: bin k
// covers [first + k·bin, first + (k+1)·bin). Each bin's rates are over the
// time it covers within the capture — the whole bin, except the last one,
// which ends at the last packet; a last bin covering less than half a bin
// is merged into the one before it, so no rate is taken over a sliver of
// time. The bins' rates, weighted by the time they cover, average to the
// capture's mean rate, so the peak is never below the mean.
func (t Traffic) Bins(bin time.Duration) ([]RateBin, error) {
	w, err := t.c.binWidth(bin)
	if err != nil {
		return nil, err
	}
	var out []RateBin
	for _, b := range t.c.rebin(w, true) {
		start := max(b.start, t.c.m.First) // the first bin may begin before an out-of-order earliest packet
		r := RateBin{Start: time.Unix(0, start).UTC(), Offset: time.Duration(start - t.c.m.First), Length: time.Duration(b.length),
			Packets: b.packets, Bytes: b.bytes}
		if b.length > 0 {
			sec := float64(b.length) / 1e9
			r.BitsPerS, r.PacketsPerS = float64(b.bytes)*8/sec, float64(b.packets)/sec
		}
		out = append(out, r)
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

// binRow is one bin: its absolute start, the time it covers within the
// capture, its packets and bytes.
type binRow struct {
	start, length  int64
	packets, bytes uint64
}

// rebin merges the model's bins into bins of width w (a multiple of the
// model's), from the first to the last, empty ones included; with merge,
// a first or last bin covering less than half a bin joins its neighbour.
func (c *Capture) rebin(w int64, merge bool) []binRow {
	if len(c.m.Bins) == 0 {
		return nil
	}
	agg := map[int64]*binRow{}
	for k, v := range c.m.Bins {
		key := ingest.FloorDiv(k*c.m.BinWidth, w)
		r := agg[key]
		if r == nil {
			r = &binRow{start: c.m.BinOrigin + key*w}
			agg[key] = r
		}
		r.packets += v.Packets
		r.bytes += v.Bytes
	}
	out := c.fillBins(agg, w)
	for i := range out {
		lo, hi := max(out[i].start, c.m.First), min(out[i].start+w, c.m.Last)
		out[i].length = max(hi-lo, 0)
	}
	if merge {
		out = mergeSlivers(out, w)
	}
	return out
}

// fillBins lists the bins in order, with the empty ones between the first
// and the last (unless that would make more than maxBins: a capture
// spanning years keeps its non-empty bins only).
func (c *Capture) fillBins(agg map[int64]*binRow, w int64) []binRow {
	keys := make([]int64, 0, len(agg))
	for k := range agg {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	first, last := keys[0], keys[len(keys)-1]
	var out []binRow
	if last-first+1 > maxBins {
		for _, k := range keys {
			out = append(out, *agg[k])
		}
		return out
	}
	for k := first; k <= last; k++ {
		if r := agg[k]; r != nil {
			out = append(out, *r)
		} else {
			out = append(out, binRow{start: c.m.BinOrigin + k*w})
		}
	}
	return out
}

// mergeSlivers joins a first or last bin that covers less than half a bin
// to its neighbour.
func mergeSlivers(b []binRow, w int64) []binRow {
	join := func(dst *binRow, src binRow) {
		dst.start = min(dst.start, src.start)
		dst.length += src.length
		dst.packets += src.packets
		dst.bytes += src.bytes
	}
	if n := len(b); n >= 2 && 2*b[n-1].length < w {
		join(&b[n-2], b[n-1])
		b = b[:n-1]
	}
	if len(b) >= 2 && 2*b[0].length < w {
		join(&b[1], b[0])
		b = b[1:]
	}
	return b
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
	PeakBytes                                  uint64    // bytes of the peak bit-rate bin
	// MostBytes and MostBytesAt are the bin holding the most bytes, as the
	// volume figure draws the bins (a short last bin apart): T2.2's
	// busiest bin, which a rate over a short last bin can differ from.
	MostBytes   uint64
	MostBytesAt time.Time
	start, end  time.Time
	w           wording
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
	r := RateSummary{Bin: time.Duration(w), start: c.Start(), end: c.End(), w: c.words()}
	if d := c.Duration().Seconds(); d > 0 {
		r.MeanBitsPerS = float64(c.m.Bytes) * 8 / d
		r.MeanPacketsPerS = float64(c.m.Packets) / d
	}
	bins, _ := t.Bins(time.Duration(w))
	if len(bins) == 0 {
		return r, nil
	}
	bits := make([]float64, len(bins))
	pkts := make([]float64, len(bins))
	for i, b := range bins {
		bits[i], pkts[i] = b.BitsPerS, b.PacketsPerS
		if bits[i] > r.PeakBitsPerS {
			r.PeakBitsPerS, r.PeakBitsAt, r.PeakBytes = bits[i], b.Start, b.Bytes
		}
		if pkts[i] > r.PeakPacketsPerS {
			r.PeakPacketsPerS, r.PeakPacketsAt = pkts[i], b.Start
		}
	}
	r.MedianBitsPerS = statsOf(bits).Median
	r.MedianPacketsPerS = statsOf(pkts).Median
	for _, b := range t.rawBins(w) {
		if b.Bytes > r.MostBytes {
			r.MostBytes, r.MostBytesAt = b.Bytes, b.Start
		}
	}
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

// Sentence states the rates in words. A capture shorter than one bin has
// only its mean; a one-instant capture has no rate at all.
func (r RateSummary) Sentence() string {
	d := r.end.Sub(r.start)
	switch {
	case d <= 0:
		return fmt.Sprintf("Everything in the %s has the same time: it has no duration, so no rate can be given.", r.w.noun)
	case d < r.Bin:
		return fmt.Sprintf("The %s lasts %s, less than one %s bin: its rates are its means, %s and %s.",
			r.w.noun, units.Duration(d), units.Setting(r.Bin), units.BitRate(r.MeanBitsPerS), units.PacketRate(r.MeanPacketsPerS))
	}
	peaks := fmt.Sprintf("the peak %s and %s (bin starting %s after %s)", units.BitRate(r.PeakBitsPerS), units.PacketRate(r.PeakPacketsPerS),
		units.Duration(r.PeakBitsAt.Sub(r.start)), r.w.origin)
	if !r.PeakPacketsAt.Equal(r.PeakBitsAt) {
		peaks = fmt.Sprintf("the peaks %s (bin starting %s after %s) and %s (bin starting %s)", units.BitRate(r.PeakBitsPerS),
			units.Duration(r.PeakBitsAt.Sub(r.start)), r.w.origin, units.PacketRate(r.PeakPacketsPerS), units.Duration(r.PeakPacketsAt.Sub(r.start)))
	}
	return fmt.Sprintf("Over the whole %s (%s) the mean bit rate is %s and the mean packet rate %s; in %s bins from %s the median is %s and %s, and %s.%s",
		r.w.noun, units.Duration(d), units.BitRate(r.MeanBitsPerS), units.PacketRate(r.MeanPacketsPerS), units.Setting(r.Bin), r.w.origin,
		units.BitRate(r.MedianBitsPerS), units.PacketRate(r.MedianPacketsPerS), peaks, r.spreadNote())
}

// spreadNote says that a flow file's bins are estimates.
func (r RateSummary) spreadNote() string {
	if !r.w.spread {
		return ""
	}
	return " A flow file has no packet times: each flow's bytes and packets are spread evenly over its duration, so bins are estimates and peaks flatter than the packets were."
}

// VolumeSentence states T2.2's busiest bin.
func (r RateSummary) VolumeSentence() string {
	d := r.end.Sub(r.start)
	if d < r.Bin {
		return fmt.Sprintf("The %s lasts %s, less than one %s bin: all its %s fall in one bin.", r.w.noun, units.Duration(d), units.Setting(r.Bin),
			units.Bytes(r.MeanBitsPerS/8*d.Seconds()))
	}
	at := ", at " + units.Clock(r.MostBytesAt)
	if !r.w.dated {
		at = ""
	}
	return fmt.Sprintf("The busiest %s bin starts %s after %s%s, with %s; over the whole %s, %s pass per %s on average.%s",
		units.Setting(r.Bin), units.Duration(r.MostBytesAt.Sub(r.start)), r.w.origin, at, units.Bytes(r.MostBytes),
		r.w.noun, units.Bytes(r.MeanBitsPerS/8*r.Bin.Seconds()), units.Setting(r.Bin), r.spreadNote())
}
