package analysis

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pcaplab/pcaplab/units"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// niceStep is the 1, 2 or 5 × 10^k step that puts at most about six
// labelled ticks on a span.
func niceStep(span float64) float64 {
	if span <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/6)))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(m*mag) <= 6 {
			return m * mag
		}
	}
	return 10 * mag
}

func ticksEvery(min, max, step float64, label func(float64) string) []plot.Tick {
	var out []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		out = append(out, plot.Tick{Value: v, Label: label(v)})
	}
	return out
}

// countTicks labels whole numbers, digits grouped.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	return ticksEvery(min, max, math.Max(1, niceStep(max-min)), func(v float64) string { return units.Count(int64(math.Round(v))) })
}

// fractionTicks labels 0 to 1 in quarters, nothing above 1 (the room left
// for a legend).
type fractionTicks struct{}

func (fractionTicks) Ticks(min, max float64) []plot.Tick {
	return ticksEvery(0, math.Min(max, 1), 0.25, func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) })
}

// siTicks labels a quantity with an SI prefix and its unit: 0, 50 kB,
// 100 kB; 1.5 Mbit/s.
type siTicks struct{ unit string }

func (t siTicks) Ticks(min, max float64) []plot.Tick {
	return ticksEvery(min, max, niceStep(max-min), func(v float64) string { return siLabel(v, t.unit) })
}

// siLabel writes v compactly with an SI prefix: 250 kB, 1.5 MB, 0 B.
func siLabel(v float64, unit string) string {
	for _, p := range []struct {
		f float64
		s string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= p.f {
			return strconv.FormatFloat(v/p.f, 'g', 3, 64) + " " + p.s + unit
		}
	}
	s := strconv.FormatFloat(v, 'g', 3, 64)
	if unit == "" {
		return s
	}
	return s + " " + unit
}

// logTicks labels the powers of ten of a log axis (with an SI prefix when
// a unit is given) and marks 2 … 9 times each without a label.
type logTicks struct{ unit string }

func (t logTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * base
			if v < min || v > max {
				continue
			}
			tick := plot.Tick{Value: v}
			if m == 1 {
				tick.Label = siLabel(v, t.unit)
				if t.unit == "" {
					tick.Label = units.Count(int64(v))
				}
			}
			out = append(out, tick)
		}
	}
	return out
}

// RenderSVG draws a figure as SVG at the report's size.
func RenderSVG(p *plot.Plot) ([]byte, error) {
	return render(p, func() (draw.Canvas, func() ([]byte, error)) {
		c := vgsvg.New(FigureWidth, FigureHeight)
		return draw.New(c), func() ([]byte, error) {
			var b bytes.Buffer
			_, err := c.WriteTo(&b)
			return b.Bytes(), err
		}
	})
}

// RenderPNG draws a figure as PNG at the report's size, FigureDPI dots per
// inch.
func RenderPNG(p *plot.Plot) ([]byte, error) {
	return render(p, func() (draw.Canvas, func() ([]byte, error)) {
		c := vgimg.NewWith(vgimg.UseWH(FigureWidth, FigureHeight), vgimg.UseDPI(FigureDPI))
		return draw.New(c), func() ([]byte, error) {
			var b bytes.Buffer
			_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(&b)
			return b.Bytes(), err
		}
	})
}

func render(p *plot.Plot, canvas func() (draw.Canvas, func() ([]byte, error))) (out []byte, err error) {
	defer func() {
		// gonum/plot panics on some degenerate data (log of 0); a
		// figure that cannot be drawn must not end the program.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("figure %q: %v", strings.TrimSpace(p.Title.Text), r)
		}
	}()
	dc, finish := canvas()
	p.Draw(dc)
	return finish()
}
