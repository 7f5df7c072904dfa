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

// ticksEvery labels the multiples of step in [min, max]; each is k × step
// for a whole k, so no error piles up along the axis.
func ticksEvery(min, max, step float64, label func(float64) string) []plot.Tick {
	var out []plot.Tick
	for k := math.Ceil(min/step - 1e-9); k <= math.Floor(max/step+1e-9); k++ {
		v := k * step
		if v == 0 {
			v = 0 // not -0 (k = -0 when min is 0), which would be labelled "-0"
		}
		out = append(out, plot.Tick{Value: v, Label: label(v)})
	}
	return out
}

// countTicks labels whole numbers, digits grouped.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	return ticksEvery(min, max, math.Max(1, niceStep(max-min)), func(v float64) string { return units.Count(int64(math.Round(v))) })
}

// decimalTicks labels plain numbers with as many decimals as their step
// needs: 0.01, 0.02, 0.03 for a packet rate of a few packets a minute,
// 200, 400 or 1 000, 2 000 (digits grouped) for larger ones.
type decimalTicks struct{}

func (decimalTicks) Ticks(min, max float64) []plot.Tick {
	step := niceStep(max - min)
	return ticksEvery(min, max, step, func(v float64) string { return decimalLabel(v, step) })
}

// decimalLabel writes v with the decimals of step: 0.05 for a step of
// 0.01, 1 000 for a step of 500.
func decimalLabel(v, step float64) string {
	d := int(-math.Floor(math.Log10(step) + 1e-9))
	if d <= 0 {
		return units.Count(int64(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', d, 64)
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

// logTicks marks 1 … 9 × 10^k on a log axis and labels enough of them
// (with an SI prefix when a unit is given) to read it, three or more when
// the axis holds three marks: the powers of ten when there are three or
// more, else 1, 2 and 5 × 10^k when there are three or more, else every
// mark. An axis from logRange starts and ends on a mark, so at least its
// two ends are labelled.
type logTicks struct{ unit string }

func (t logTicks) Ticks(min, max float64) []plot.Tick {
	var marks []float64
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for m := 1.0; m < 10; m++ {
			if v := m * math.Pow(10, e); v >= min*(1-1e-9) && v <= max*(1+1e-9) {
				marks = append(marks, v)
			}
		}
	}
	labelled := func(float64) bool { return true }
	for _, ms := range [][]float64{{1}, {1, 2, 5}} {
		if countMantissas(marks, ms) >= 3 {
			labelled = func(v float64) bool { return hasMantissa(v, ms) }
			break
		}
	}
	out := make([]plot.Tick, len(marks))
	for i, v := range marks {
		out[i].Value = v
		if labelled(v) {
			out[i].Label = t.label(v)
		}
	}
	return out
}

func (t logTicks) label(v float64) string {
	if t.unit == "" && v >= 1 {
		return units.Count(int64(math.Round(v)))
	}
	return siLabel(v, t.unit)
}

// mantissa is m of v = m × 10^k, 1 ≤ m < 10, rounded to a whole number.
func mantissa(v float64) float64 { return math.Round(v / decade(v)) }

func hasMantissa(v float64, ms []float64) bool {
	for _, m := range ms {
		if mantissa(v) == m {
			return true
		}
	}
	return false
}

func countMantissas(vs, ms []float64) int {
	n := 0
	for _, v := range vs {
		if hasMantissa(v, ms) {
			n++
		}
	}
	return n
}

// logRange widens [min, max] (both > 0) to the nearest 1, 2 or 5 × 10^k
// at or below min and at or above max: a log axis of data spanning less
// than a decade (three flows of 30 to 150 kB) then runs from 20 kB to
// 200 kB and logTicks labels 20, 50, 100 and 200 kB, not 100 kB alone.
func logRange(min, max float64) (float64, float64) {
	lo := decade(min)
	for _, m := range []float64{2, 5, 10} {
		if m*decade(min) <= min*(1+1e-9) {
			lo = m * decade(min)
		}
	}
	hi := 10 * decade(max)
	for _, m := range []float64{5, 2, 1} {
		if m*decade(max) >= max*(1-1e-9) {
			hi = m * decade(max)
		}
	}
	return lo, hi
}

// decade is the power of ten at or below v.
func decade(v float64) float64 { return math.Pow(10, math.Floor(math.Log10(v)+1e-9)) }

// timeUnit is the unit of a time axis.
type timeUnit struct {
	name  string
	sec   float64   // seconds per unit
	steps []float64 // round steps in the unit, smallest first; niceStep's when none fits
}

// timeUnits, shortest first. A unit is used from span on (see
// timeUnitOf): ms below 1 s, s up to 3 min (0, 50, 100, 150 s), min up to
// 3 h, h up to 3 days, days beyond; so the labels are whole numbers of
// the unit with at least three ticks (0, 1, 2, 3 h), rarely halves.
var timeUnits = []struct {
	timeUnit
	from float64 // the shortest span, in seconds, drawn in the unit
}{
	{timeUnit{"ms", 1e-3, nil}, 0},
	{timeUnit{"s", 1, nil}, 1},
	{timeUnit{"min", 60, []float64{1, 2, 5, 10, 15, 20, 30}}, 3 * 60},
	{timeUnit{"h", 3600, []float64{1, 2, 3, 6, 12}}, 3 * 3600},
	{timeUnit{"days", 86400, nil}, 3 * 86400},
}

// timeUnitOf is the unit of a time axis spanning span seconds.
func timeUnitOf(span float64) timeUnit {
	u := timeUnits[0].timeUnit
	for _, x := range timeUnits {
		if span >= x.from {
			u = x.timeUnit
		}
	}
	return u
}

// step is the round step in the unit that puts at most about six
// labelled ticks on a span of that many units: 12 h on 3 days, 5 days on
// 22.
func (u timeUnit) step(span float64) float64 {
	for _, s := range u.steps {
		if span/s <= 6 {
			return s
		}
	}
	return niceStep(span)
}

// timeTicks labels an axis of seconds in its unit: the ticks are round
// in the unit (every 5 days), the labels the number of units (0, 5, 10);
// the axis label names the unit.
type timeTicks struct{ unit timeUnit }

func (t timeTicks) Ticks(min, max float64) []plot.Tick {
	u := t.unit
	step := u.step((max - min) / u.sec)
	ticks := ticksEvery(min/u.sec, max/u.sec, step, func(v float64) string { return decimalLabel(v, step) })
	for i := range ticks {
		ticks[i].Value *= u.sec
	}
	return ticks
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
