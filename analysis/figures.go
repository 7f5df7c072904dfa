package analysis

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Figure sizes that fit an A4 page with margins.
const (
	FigureWidth  = 16 * vg.Centimeter
	FigureHeight = 9 * vg.Centimeter
)

var (
	blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
)

func (c *Capture) newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title + " — " + c.Name()
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return p
}

// logY and logX switch an axis to a log scale with readable ticks; every
// value drawn on it must be positive (gonum/plot panics otherwise).
func logY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
}

func logX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
}

func line(xys plotter.XYs, c color.Color, step bool) *plotter.Line {
	l, err := plotter.NewLine(xys)
	if err != nil {
		// NewLine fails only on NaN or infinite values, which the
		// callers never produce.
		panic(err)
	}
	l.Color = c
	l.Width = vg.Points(1.2)
	if step {
		l.StepStyle = plotter.PostStep
	}
	return l
}

// VolumePlot is T2.2's traffic volume over time: bytes per bin.
func (t Traffic) VolumePlot(bin time.Duration) (*plot.Plot, error) {
	c := t.c
	w, err := c.binWidth(bin)
	if err != nil {
		return nil, err
	}
	bins := c.rebin(w, false)
	p := c.newPlot("Traffic volume over time", "time since the first packet (s)", fmt.Sprintf("bytes per %s bin (B)", time.Duration(w)))
	xys := make(plotter.XYs, len(bins))
	for i, b := range bins {
		xys[i] = plotter.XY{X: float64(b.start-c.m.First) / 1e9, Y: float64(b.bytes)}
	}
	if len(xys) > 0 {
		p.Add(line(xys, blue, true))
	}
	p.Y.Min = 0
	return p, nil
}

// RatePlot is T3.7's bit rate (packets=false) or packet rate over time.
func (t Traffic) RatePlot(bin time.Duration, packets bool) (*plot.Plot, error) {
	c := t.c
	w, err := c.binWidth(bin)
	if err != nil {
		return nil, err
	}
	bins, _ := t.Bins(time.Duration(w))
	title, unit := "Bit rate over time", "bit rate (bit/s)"
	if packets {
		title, unit = "Packet rate over time", "packet rate (packets/s)"
	}
	p := c.newPlot(title, fmt.Sprintf("time since the first packet (s), %s bins", time.Duration(w)), unit)
	xys := make(plotter.XYs, len(bins))
	for i, b := range bins {
		v := b.BitsPerS
		if packets {
			v = b.PacketsPerS
		}
		xys[i] = plotter.XY{X: b.Offset.Seconds(), Y: v}
	}
	if len(xys) > 0 {
		p.Add(line(xys, blue, true))
	}
	p.Y.Min = 0
	return p, nil
}

// FlowSizePlot is T2.2's flow-size distribution: the CDF and CCDF of flow
// sizes in bytes, on a log x axis (flows of 0 bytes, possible only in flow
// files that count payload, are left off the axis but counted in the
// fractions).
func (v Flows) SizePlot() *plot.Plot {
	d := v.SizeDistribution()
	p := v.c.newPlot("Flow size distribution", "flow size (bytes, log scale)", "fraction of flows")
	p.Y.Label.Text = "fraction of flows — solid: CDF P(size ≤ x), dashed: CCDF P(size > x)"
	cdf := make(plotter.XYs, 0, len(d))
	ccdf := make(plotter.XYs, 0, len(d))
	for _, b := range d {
		if b.Bytes == 0 {
			continue // flows of 0 bytes (payload-only flow files) cannot stand on a log axis
		}
		cdf = append(cdf, plotter.XY{X: float64(b.Bytes), Y: b.CDF})
		ccdf = append(ccdf, plotter.XY{X: float64(b.Bytes), Y: b.CCDF})
	}
	if len(cdf) > 0 {
		logX(p)
		l1, l2 := line(cdf, blue, true), line(ccdf, orange, true)
		l2.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(l1, l2)
	}
	p.Y.Min, p.Y.Max = 0, 1
	return p
}

// Plot is T2.5: the flows of the n most common host pairs, by rank, on a
// linear or log y axis.
func (p Pairs) Plot(n int, log bool) *plot.Plot {
	l := rankPairs(p.all(), false, n)
	ys := make([]float64, len(l))
	for i, x := range l {
		ys[i] = float64(x.Flows)
	}
	return p.c.rankPlot(fmt.Sprintf("Flows of the %d most common host pairs (exact)", len(l)), "host pair rank", "flows", ys, log)
}

// SlotPlot is T2.6: the flows in the n fullest slots of the 2^16 array.
func (p Pairs) SlotPlot(s *SlotArray, n int, log bool) *plot.Plot {
	vals := make([]float64, 0, s.Occupied)
	for _, v := range s.Counts {
		if v > 0 {
			vals = append(vals, float64(v))
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(vals)))
	if len(vals) > n {
		vals = vals[:n]
	}
	return p.c.rankPlot(fmt.Sprintf("Flows of the %d fullest slots (2^16-slot array)", len(vals)), "slot rank", "flows in the slot", vals, log)
}

func (c *Capture) rankPlot(title, x, y string, ys []float64, log bool) *plot.Plot {
	scale := "linear"
	if log {
		scale = "log"
	}
	p := c.newPlot(title+", "+scale+" scale", x, y+" ("+scale+" scale)")
	xys := make(plotter.XYs, len(ys))
	for i, v := range ys {
		xys[i] = plotter.XY{X: float64(i + 1), Y: v}
	}
	if len(xys) == 0 {
		return p
	}
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		panic(err)
	}
	sc.Color = blue
	sc.Radius = vg.Points(2)
	p.Add(line(xys, blue, false), sc)
	p.X.Min = 0
	p.X.Tick.Marker = countTicks{}
	if log {
		logY(p) // flows ≥ 1, so every value is positive
		p.Y.Min = 0.8
		p.Y.Max = math.Max(10, ys[0]*1.5)
	} else {
		p.Y.Min = 0
		p.Y.Tick.Marker = countTicks{}
	}
	return p
}

// countTicks labels an axis of counts with whole numbers at 1, 2 or 5 ×
// 10^k steps.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if span <= 0 {
		return []plot.Tick{{Value: min, Label: fmt.Sprintf("%.0f", min)}}
	}
	step := 1.0
	for _, m := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9} {
		step = m
		if span/m <= 6 {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ticks
}

// ExactVsSlotPlot compares, for the exact top pairs, their exact flows
// with their slot's count (which never under-counts).
func (p Pairs) ExactVsSlotPlot(s *SlotArray) *plot.Plot {
	return p.c.exactVsSlotPlot(s)
}

func (c *Capture) exactVsSlotPlot(s *SlotArray) *plot.Plot {
	p := c.newPlot("Exact counts and 2^16-slot array counts", "host pair rank (exact)", "flows")
	exact := make(plotter.XYs, len(s.exactTop))
	slot := make(plotter.XYs, len(s.exactTop))
	for i, x := range s.exactTop {
		exact[i] = plotter.XY{X: float64(i + 1), Y: float64(x.Flows)}
		slot[i] = plotter.XY{X: float64(i + 1), Y: float64(s.Counts[s.slotOf[x.Pair]])}
	}
	if len(exact) > 0 {
		a, b := line(exact, blue, false), line(slot, orange, false)
		b.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(a, b)
		p.Legend.Add("exact (hash map)", a)
		p.Legend.Add("slot of the pair (array)", b)
		p.Legend.Top = true
	}
	p.Y.Min = 0
	p.X.Tick.Marker = countTicks{}
	p.Y.Tick.Marker = countTicks{}
	return p
}

// ApplicationsPlot is a bar chart of flows by application (T2.3).
func (s Services) ApplicationsPlot(n int) *plot.Plot {
	rows := s.Applications(n)
	p := s.c.newPlot(fmt.Sprintf("Flows by application (top %d)", len(rows)), "", "flows")
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i], vals[i] = r.Application, float64(r.Flows)
	}
	if len(vals) == 0 {
		return p
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(18))
	if err != nil {
		panic(err)
	}
	bars.Color = blue
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalX(names...)
	p.Y.Min = 0
	p.Y.Tick.Marker = countTicks{}
	return p
}

// RenderSVG draws a figure as SVG at the report's size.
func RenderSVG(p *plot.Plot) ([]byte, error) { return render(p, "svg") }

// RenderPNG draws a figure as PNG at the report's size (96 dpi).
func RenderPNG(p *plot.Plot) ([]byte, error) { return render(p, "png") }

func render(p *plot.Plot, format string) (out []byte, err error) {
	defer func() {
		// gonum/plot panics on some degenerate data (log of 0); a
		// figure that cannot be drawn must not end the program.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("figure %q: %v", strings.TrimSpace(p.Title.Text), r)
		}
	}()
	wt, err := p.WriterTo(FigureWidth, FigureHeight, format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
