package analysis

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/units"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Figure sizes: 16 × 9 cm fits an A4 page with margins; PNGs are drawn at
// 192 dots per inch (1 209 × 680 pixels), twice the screen's, so they stay
// sharp in print.
const (
	FigureWidth  = 16 * vg.Centimeter
	FigureHeight = 9 * vg.Centimeter
	FigureDPI    = 192
)

var (
	blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange = color.RGBA{R: 230, G: 110, B: 0, A: 255}
	sans   = font.Font{Typeface: "Liberation", Variant: "Sans"} // one font for every text of every figure
)

// TooLittleData is the error of a figure that the data cannot fill: one
// bin, one flow size, one host pair. The report says so instead of drawing
// an empty axis.
type TooLittleData struct{ Figure, Reason string }

func (e *TooLittleData) Error() string { return e.Figure + ": no figure, " + e.Reason }

// newPlot starts a figure in the house style: a short title (the report's
// caption names the capture), axis labels with their units, a light grid.
func (c *Capture) newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 11)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text, p.Y.Label.Text = x, y
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 10)
		a.Tick.Label.Font = font.From(sans, 9)
	}
	p.Legend.TextStyle.Font = font.From(sans, 9)
	p.Add(plotter.NewGrid())
	return p
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

// overTime draws one value per bin against the time since the first
// packet: T2.2's bytes per bin, T3.7's bit and packet rates.
func (t Traffic) overTime(name string, bin time.Duration, merge bool, y func(RateBin) float64) (*plot.Plot, []RateBin, error) {
	w, err := t.c.binWidth(bin)
	if err != nil {
		return nil, nil, err
	}
	bins, _ := t.Bins(time.Duration(w))
	if !merge {
		bins = t.rawBins(w)
	}
	if len(bins) < 2 {
		return nil, nil, &TooLittleData{name, fmt.Sprintf("the %s lasts %s, less than two %s bins", t.c.words().noun, units.Duration(t.c.Duration()), units.Setting(time.Duration(w)))}
	}
	xys := make(plotter.XYs, len(bins)+1)
	top := 0.0
	for i, b := range bins {
		xys[i] = plotter.XY{X: b.Offset.Seconds(), Y: y(b)}
		top = math.Max(top, xys[i].Y)
	}
	last := bins[len(bins)-1]
	xys[len(bins)] = plotter.XY{X: (last.Offset + last.Length).Seconds(), Y: y(last)} // the step ends where the capture does
	p := t.c.newPlot(name, "", "")
	t.c.timeAxis(p, time.Duration(w))
	p.Add(line(xys, blue, true))
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0, 1
	if top > 0 {
		p.Y.Max = top * 1.08 // the highest bin is not clipped, however small: 0.04 packets/s is not drawn flat on 0 to 1
	}
	return p, bins, nil
}

// timeAxis makes p's x axis the time since the first packet, in seconds,
// labelled in the unit that suits the capture's length (ms, s, min, h or
// days; see timeUnitOf) with round ticks in that unit.
func (c *Capture) timeAxis(p *plot.Plot, bin time.Duration) {
	u := timeUnitOf(c.Duration().Seconds())
	p.X.Label.Text = fmt.Sprintf("time since %s (%s), %s bins", c.words().origin, u.name, units.Setting(bin))
	p.X.Tick.Marker = timeTicks{u}
}

// rawBins are the bins as counted, the last one not merged (for volumes:
// bytes per bin need no length).
func (t Traffic) rawBins(w int64) []RateBin {
	var out []RateBin
	for _, b := range t.c.rebin(w, false) {
		start := max(b.start, t.c.m.First)
		out = append(out, RateBin{Start: time.Unix(0, start).UTC(), Offset: time.Duration(start - t.c.m.First), Length: time.Duration(b.length),
			Packets: b.packets, Bytes: b.bytes})
	}
	return out
}

// VolumePlot is T2.2's traffic volume over time: bytes per bin.
func (t Traffic) VolumePlot(bin time.Duration) (*plot.Plot, error) {
	p, _, err := t.overTime("Traffic volume over time", bin, false, func(b RateBin) float64 { return float64(b.Bytes) })
	if err != nil {
		return nil, err
	}
	p.Y.Label.Text = "bytes per bin"
	p.Y.Tick.Marker = siTicks{unit: "B"}
	return p, nil
}

// RatePlot is T3.7's bit rate (packets=false) or packet rate over time.
func (t Traffic) RatePlot(bin time.Duration, packets bool) (*plot.Plot, error) {
	name, label := "Bit rate over time", "bit rate"
	y := func(b RateBin) float64 { return b.BitsPerS }
	if packets {
		name, label = "Packet rate over time", "packet rate (packets/s)"
		y = func(b RateBin) float64 { return b.PacketsPerS }
	}
	p, _, err := t.overTime(name, bin, true, y)
	if err != nil {
		return nil, err
	}
	p.Y.Label.Text = label
	p.Y.Tick.Marker = siTicks{unit: "bit/s"}
	if packets {
		p.Y.Tick.Marker = decimalTicks{}
	}
	return p, nil
}

// SizePlot is T2.2's flow-size distribution: the CDF and CCDF of flow
// sizes in bytes, on a log x axis (flows of 0 bytes, possible only in flow
// files that count payload, are left off the axis but counted in the
// fractions).
func (v Flows) SizePlot() (*plot.Plot, error) {
	d := v.SizeDistribution()
	cdf := make(plotter.XYs, 0, len(d))
	ccdf := make(plotter.XYs, 0, len(d))
	for _, b := range d {
		if b.Bytes == 0 {
			continue // cannot stand on a log axis
		}
		cdf = append(cdf, plotter.XY{X: float64(b.Bytes), Y: b.CDF})
		ccdf = append(ccdf, plotter.XY{X: float64(b.Bytes), Y: b.CCDF})
	}
	if len(cdf) < 2 {
		return nil, &TooLittleData{"Flow-size distribution", fmt.Sprintf("the flows have %s", units.Plural(len(cdf), "distinct size"))}
	}
	p := v.c.newPlot("Flow-size distribution", "flow size (log scale)", "fraction of flows")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{unit: "B"}
	p.X.Min, p.X.Max = logRange(cdf[0].X, cdf[len(cdf)-1].X)
	l1, l2 := line(cdf, blue, true), line(ccdf, orange, true)
	l2.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(l1, l2, &legendBox{left: true, entries: []legendEntry{
		{"CDF: P(size ≤ x)", l1}, {"CCDF: P(size > x)", l2}}})
	p.Y.Min, p.Y.Max = 0, 1.35 // room for the legend above the curves
	p.Y.Tick.Marker = fractionTicks{}
	return p, nil
}

// Plot is T2.5: the flows of the n most common host pairs, by rank, on a
// linear or log y axis.
func (p Pairs) Plot(n int, log bool) (*plot.Plot, error) {
	l := rankPairs(p.all(), false, n)
	ys := make([]float64, len(l))
	for i, x := range l {
		ys[i] = float64(x.Flows)
	}
	return p.c.rankPlot(fmt.Sprintf("Flows of the %d most common host pairs", len(l)), "host pair rank", "flows", ys, log)
}

// SlotPlot is T2.6: the flows in the n fullest slots of the 2^16 array.
func (p Pairs) SlotPlot(s *SlotArray, n int, log bool) (*plot.Plot, error) {
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
	return p.c.rankPlot(fmt.Sprintf("Flows of the %d fullest slots of the 2^16-slot array", len(vals)), "slot rank", "flows in the slot", vals, log)
}

func (c *Capture) rankPlot(title, x, y string, ys []float64, log bool) (*plot.Plot, error) {
	if len(ys) < 2 {
		return nil, &TooLittleData{title, fmt.Sprintf("there is %s", units.Plural(len(ys), "item"))}
	}
	scale := "linear"
	if log {
		scale = "log"
	}
	p := c.newPlot(title+", "+scale+" scale", x, y+" ("+scale+" scale)")
	xys := make(plotter.XYs, len(ys))
	for i, v := range ys {
		xys[i] = plotter.XY{X: float64(i + 1), Y: v}
	}
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	sc.Color = blue
	sc.Radius = vg.Points(2)
	p.Add(line(xys, blue, false), sc)
	p.X.Min, p.X.Max = 0, float64(len(ys))+0.5
	p.X.Tick.Marker = countTicks{}
	if log {
		p.Y.Scale = plot.LogScale{} // flows ≥ 1, so every value is positive
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = 0.8, math.Max(10, ys[0]*1.5)
	} else {
		p.Y.Min, p.Y.Max = 0, ys[0]*1.08
		p.Y.Tick.Marker = countTicks{}
	}
	return p, nil
}

// ExactVsSlotPlot compares, for the exact top pairs, their exact flows
// (blue bars) with their slot's count: the flows of the other pairs in
// the slot are stacked on each bar in orange, so a bar's full height is
// what the array says. A slot never under-counts, so nothing hides below
// the blue. When no top pair's slot holds flows of another pair, the
// title and the legend say so: there is no orange to see.
func (p Pairs) ExactVsSlotPlot(s *SlotArray) (*plot.Plot, error) {
	n := len(s.exactTop)
	if n < 2 {
		return nil, &TooLittleData{"Exact counts and slot counts", fmt.Sprintf("there is %s", units.Plural(n, "host pair"))}
	}
	exact, over := make(plotter.Values, n), make(plotter.Values, n)
	top := 0.0
	for i, x := range s.exactTop {
		exact[i] = float64(x.Flows)
		over[i] = float64(uint64(s.Counts[s.index(x.Pair())]) - x.Flows)
		top = math.Max(top, exact[i]+over[i])
	}
	title := fmt.Sprintf("Top %d pairs: exact flows and what their 2^16-array slot adds", n)
	label := "added by other pairs in the slot"
	switch nOver, most := s.OverCounted(); {
	case nOver == 0:
		title = fmt.Sprintf("Top %d pairs: the 2^16-array slots add nothing (slot = exact)", n)
		label = fmt.Sprintf("added by other pairs in the slot: 0 flows for all %d pairs", n)
	default:
		label += fmt.Sprintf(": %s of %d pairs, up to %s", units.Count(nOver), n, units.Plural(most, "flow"))
	}
	pl := p.c.newPlot(title, "host pair rank (exact)", "flows")
	// 14 cm of the 16 are the plot area; a bar takes 70 % of its place.
	width := 14 * vg.Centimeter * 0.7 / vg.Length(n)
	bars := make([]*plotter.BarChart, 2)
	for i, v := range []plotter.Values{exact, over} {
		b, err := plotter.NewBarChart(v, width)
		if err != nil {
			return nil, err
		}
		b.Color, b.LineStyle.Width, b.XMin = []color.Color{blue, orange}[i], 0, 1
		bars[i] = b
	}
	bars[1].StackOn(bars[0])
	pl.Add(bars[0], bars[1], &legendBox{entries: []legendEntry{
		{"exact flows of the pair (hash map)", bars[0]}, {label, bars[1]}}})
	pl.X.Min, pl.X.Max = 0.5, float64(n)+0.5
	pl.Y.Min, pl.Y.Max = 0, top*1.35 // room for the legend's box above the tallest bar
	pl.X.Tick.Marker = countTicks{}
	pl.Y.Tick.Marker = countTicks{}
	return pl, nil
}

// legendBox is a figure's legend drawn as data, after the curves and bars:
// in a white box with a grey frame, so no grid line runs through its
// text, with its entries 5 pt apart. It sits in the top right (or left)
// corner of the data area, 6 pt from the frame; the figure leaves room
// for it above its data: its y axis goes 35 % beyond the highest value,
// which leaves the top 26 % of the data area (about 200 pt high) free,
// and two entries with their padding and inset take 39 pt, 19 %.
type legendBox struct {
	entries []legendEntry
	left    bool
}

type legendEntry struct {
	text  string
	thumb plot.Thumbnailer
}

// Plot draws the legend in the text style of p's own legend, which stays
// empty; it is a plot.Plotter so that it is drawn over the grid and the
// data.
func (l *legendBox) Plot(c draw.Canvas, p *plot.Plot) {
	box, row := l.rect(c, p)
	c.SetColor(color.White)
	c.Fill(box.Path())
	c.StrokeLines(draw.LineStyle{Color: color.Gray{Y: 150}, Width: vg.Points(0.6)},
		[]vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}, box.Min})
	sty := p.Legend.TextStyle
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	for i, e := range l.entries {
		top := box.Max.Y - legendPad - vg.Length(i)*(row+legendGap)
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: box.Min.X + legendPad, Y: top - row}, Max: vg.Point{X: box.Min.X + legendPad + legendThumb, Y: top}}}
		e.thumb.Thumbnail(&icon)
		c.FillText(sty, vg.Point{X: icon.Max.X + legendPad, Y: top - row/2}, e.text)
	}
}

// The spaces of a legendBox.
const (
	legendPad   = vg.Length(4)  // inside the frame, and between a thumbnail and its text
	legendThumb = vg.Length(20) // a thumbnail's width
	legendGap   = vg.Length(5)  // between two entries: half a line, clearly apart
	legendInset = vg.Length(6)  // between the data area's frame and the box
)

// rect is the legend's box in the data area c, inset from its top corner,
// and the height of an entry.
func (l *legendBox) rect(c draw.Canvas, p *plot.Plot) (box vg.Rectangle, row vg.Length) {
	sty := p.Legend.TextStyle
	row = sty.Height("Xg")
	var w vg.Length
	for _, e := range l.entries {
		w = max(w, sty.Width(e.text))
	}
	n := vg.Length(len(l.entries))
	size := vg.Point{X: 3*legendPad + legendThumb + w, Y: 2*legendPad + n*row + (n-1)*legendGap}
	box.Max = vg.Point{X: c.Max.X - legendInset, Y: c.Max.Y - legendInset}
	if l.left {
		box.Max.X = c.Min.X + legendInset + size.X
	}
	box.Min = box.Max.Sub(size)
	return box, row
}

// ApplicationsPlot is a horizontal bar chart of flows by application
// (T2.3), the most common on top, names beside their bars.
func (s Services) ApplicationsPlot(n int) (*plot.Plot, error) {
	rows := s.Applications(n)
	if len(rows) == 0 {
		return nil, &TooLittleData{"Flows by application", "there are no flows"}
	}
	p := s.c.newPlot(fmt.Sprintf("Flows by application (top %d)", len(rows)), "flows", "")
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows { // bottom to top
		names[len(rows)-1-i], vals[len(rows)-1-i] = r.Application, float64(r.Flows)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(12))
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.Color = blue
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, float64(rows[0].Flows)*1.08 // the longest bar is not clipped
	p.X.Tick.Marker = countTicks{}
	return p, nil
}
