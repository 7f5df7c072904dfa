package analysis

import (
	"image"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/internal/synth"
	"github.com/pcaplab/pcaplab/units"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	figClient = netip.MustParseAddrPort("10.0.0.1:40000")
	figServer = netip.MustParseAddrPort("10.0.0.2:53")
)

// openFig saves c and opens it with opts.
func openFig(t *testing.T, c *synth.Capture, opts ...Option) *Capture {
	t.Helper()
	x, err := Open(save(t, c, "fig.pcap"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// tickLabels are an axis's labels, in order, the digit-group separator
// written as a space.
func tickLabels(a plot.Axis) []string {
	var out []string
	for _, t := range a.Tick.Marker.Ticks(a.Min, a.Max) {
		if t.Label != "" {
			out = append(out, strings.ReplaceAll(t.Label, units.Sep, " "))
		}
	}
	return out
}

// A 22-day capture of 38 packets (dns-fragments-v4v6.pcap is one) is drawn
// in days, and its packet rate of at most 20 packets in 30 min (0.011
// packets/s) on an axis that shows it, not flat on 0 to 1.
func TestRatePlotOfALongCapture(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &synth.Capture{Link: synth.Ethernet}
	for i, n := range []int{20, 8, 10} {
		at := start.Add([]time.Duration{0, time.Hour, 22 * 24 * time.Hour}[i])
		for j := range n {
			c.UDP(at.Add(time.Duration(j)*time.Second), figClient, figServer, make([]byte, 40))
		}
	}
	x := openFig(t, c)
	p, err := x.Traffic().RatePlot(30*time.Minute, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "time since the first packet (days), 30 min bins"; p.X.Label.Text != want {
		t.Errorf("x label %q, want %q", p.X.Label.Text, want)
	}
	if got := strings.Join(tickLabels(p.X), " "); got != "0 5 10 15 20" {
		t.Errorf("x ticks %q, want 0 5 10 15 20 (days)", got)
	}
	bins, _ := x.Traffic().Bins(30 * time.Minute)
	top := 0.0
	for _, b := range bins {
		top = max(top, b.PacketsPerS)
	}
	if top < 0.005 || top > 0.02 || p.Y.Max < top || p.Y.Max > top*1.1 {
		t.Errorf("y axis 0 to %g for a highest bin of %g packets/s", p.Y.Max, top)
	}
	if got := strings.Join(tickLabels(p.Y), " "); got != "0.000 0.005 0.010" {
		t.Errorf("y ticks %q for 0 to %g packets/s", got, p.Y.Max)
	}
}

// A capture of 0.4 s in 50 ms bins is drawn in ms.
func TestRatePlotOfAShortCapture(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &synth.Capture{Link: synth.Ethernet}
	for i := range 41 {
		c.UDP(start.Add(time.Duration(i)*10*time.Millisecond), figClient, figServer, make([]byte, 40))
	}
	p, err := openFig(t, c, BinWidth(50*time.Millisecond)).Traffic().VolumePlot(0)
	if err != nil {
		t.Fatal(err)
	}
	if want := "time since the first packet (ms), 50 ms bins"; p.X.Label.Text != want {
		t.Errorf("x label %q, want %q", p.X.Label.Text, want)
	}
	if got := strings.Join(tickLabels(p.X), " "); got != "0 100 200 300 400" {
		t.Errorf("x ticks %q, want 0 100 200 300 400 (ms)", got)
	}
}

// Three flows of 42 to 125 kB (less than a decade, like vlan-tls.pcap's)
// get an axis from 20 to 200 kB with four labels, not "100 kB" alone.
func TestSizePlotOfFewFlows(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &synth.Capture{Link: synth.Ethernet}
	for i, n := range []int{40, 60, 120} {
		src := netip.AddrPortFrom(figClient.Addr(), uint16(40000+i))
		for j := range n {
			c.UDP(start.Add(time.Duration(i)*time.Second+time.Duration(j)*time.Millisecond), src, figServer, make([]byte, 1000))
		}
	}
	p, err := openFig(t, c).Flows().SizePlot()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tickLabels(p.X), ", "); got != "20 kB, 50 kB, 100 kB, 200 kB" {
		t.Errorf("x ticks %q, want 20 kB, 50 kB, 100 kB, 200 kB", got)
	}
	if p.X.Min != 20e3 || p.X.Max != 200e3 {
		t.Errorf("x axis %g to %g B, want 20 to 200 kB", p.X.Min, p.X.Max)
	}
}

// The exact-vs-slot legend is a white box with a grey frame: no grid line
// crosses it (no row inside it has ink over a third of its width), and its
// two entries are apart (3 pt of white rows between their texts).
func TestExactVsSlotLegendBox(t *testing.T) {
	_, c := openWorld(t)
	slotOf := map[Pair]uint16{}
	for i, p := range c.Pairs().TopByFlows(-1) {
		slotOf[p.Pair()] = uint16(i)
	}
	p, err := c.Pairs().ExactVsSlotPlot(c.Pairs().SlotArray(func(p Pair) uint16 { return slotOf[p] }, "test"))
	if err != nil {
		t.Fatal(err)
	}
	// The legend's box as the figure lays it out (its texts are those
	// TestExactVsSlotPlotSaysOverCount checks).
	lb := &legendBox{entries: []legendEntry{{text: "exact flows of the pair (hash map)"},
		{text: "added by other pairs in the slot: 0 flows for all 7 pairs"}}}
	png, err := RenderPNG(p)
	if err != nil {
		t.Fatal(err)
	}
	img, err := pngDecode(png)
	if err != nil {
		t.Fatal(err)
	}
	dc := p.DataCanvas(draw.New(vgimg.NewWith(vgimg.UseWH(FigureWidth, FigureHeight), vgimg.UseDPI(FigureDPI))))
	box, _ := lb.rect(dc, p)
	px := func(v float64) int { return int(v * FigureDPI / 72) }
	h := img.Bounds().Dy()
	r := image.Rect(px(box.Min.X.Points()), h-px(box.Max.Y.Points()), px(box.Max.X.Points()), h-px(box.Min.Y.Points()))
	if !ink(img, r.Min.X+r.Dx()/2, r.Min.Y) || !ink(img, r.Min.X, r.Min.Y+r.Dy()/2) {
		t.Errorf("no frame around the legend at %v", r)
	}
	inner := r.Inset(4)
	var rows []bool // which rows inside the box hold ink
	for y := inner.Min.Y; y < inner.Max.Y; y++ {
		n, run, longest := 0, 0, 0
		for x := inner.Min.X; x < inner.Max.X; x++ {
			if ink(img, x, y) {
				n, run = n+1, run+1
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		if longest > inner.Dx()/3 {
			t.Errorf("row %d inside the legend has %d pixels of ink in a row: a line runs through it", y, longest)
		}
		rows = append(rows, n > 0)
	}
	// Two runs of inked rows (the entries) with at least 8 white rows
	// (3 pt) between them.
	runs, gap, widest, prev := 0, 0, 0, false
	for _, on := range rows {
		if on && !prev && runs > 0 {
			widest = max(widest, gap)
		}
		if on && !prev {
			runs++
		}
		if on {
			gap = 0
		} else {
			gap++
		}
		prev = on
	}
	if runs != 2 || widest < 8 {
		t.Errorf("the legend's inside has %d runs of text rows, %d white rows between them; want 2 and ≥ 8", runs, widest)
	}
}

// ink says whether the pixel at x, y is not white.
func ink(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r>>8 < 235 || g>>8 < 235 || b>>8 < 235
}
