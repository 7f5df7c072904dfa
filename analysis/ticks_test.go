package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/pcaplab/pcaplab/units"
	"gonum.org/v1/plot"
)

// labels lists a marker's labelled ticks as "value=label" (the value to
// 12 digits, the digit-group separator as a space), for comparing in one
// string.
func labels(m plot.Ticker, min, max float64) string {
	var out []string
	for _, t := range m.Ticks(min, max) {
		if t.Label != "" {
			out = append(out, fmt.Sprintf("%.12g=%s", t.Value, strings.ReplaceAll(t.Label, units.Sep, " ")))
		}
	}
	return strings.Join(out, " ")
}

// A time axis is labelled in the unit its span calls for, with round
// ticks in that unit; the values stay seconds.
func TestTimeTicks(t *testing.T) {
	const day = 86400.0
	for _, c := range []struct {
		span       float64 // seconds
		unit, want string
	}{
		{0.0447, "ms", "0=0 0.01=10 0.02=20 0.03=30 0.04=40"},
		{0.4, "ms", "0=0 0.1=100 0.2=200 0.3=300 0.4=400"},
		{1.2, "s", "0=0.0 0.2=0.2 0.4=0.4 0.6=0.6 0.8=0.8 1=1.0 1.2=1.2"},
		{4.912, "s", "0=0 1=1 2=2 3=3 4=4"},
		{106.4, "s", "0=0 20=20 40=40 60=60 80=80 100=100"},
		{600, "min", "0=0 120=2 240=4 360=6 480=8 600=10"},
		{2.9 * 3600, "min", "0=0 1800=30 3600=60 5400=90 7200=120 9000=150"},
		{4 * 3600, "h", "0=0 3600=1 7200=2 10800=3 14400=4"},
		{71 * 3600, "h", "0=0 43200=12 86400=24 129600=36 172800=48 216000=60"},
		{22.01 * day, "days", "0=0 432000=5 864000=10 1296000=15 1728000=20"},
		{3950 * day, "days", "0=0 86400000=1 000 172800000=2 000 259200000=3 000"},
	} {
		u := timeUnitOf(c.span)
		if u.name != c.unit {
			t.Errorf("%g s: unit %s, want %s", c.span, u.name, c.unit)
		}
		if got := labels(timeTicks{u}, 0, c.span); got != c.want {
			t.Errorf("%g s:\n got %s\nwant %s", c.span, got, c.want)
		}
	}
}

// Small values get the decimals they need, never a -0; large ones grouped
// digits.
func TestDecimalTicks(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		want     string
	}{
		{0, 0.038, "0=0.00 0.01=0.01 0.02=0.02 0.03=0.03"},
		{0, 0.0000894, "0=0.00000 2e-05=0.00002 4e-05=0.00004 6e-05=0.00006 8e-05=0.00008"},
		{0, 3, "0=0.0 0.5=0.5 1=1.0 1.5=1.5 2=2.0 2.5=2.5 3=3.0"},
		{0, 1013, "0=0 200=200 400=400 600=600 800=800 1000=1 000"},
	} {
		if got := labels(decimalTicks{}, c.min, c.max); got != c.want {
			t.Errorf("%g to %g:\n got %s\nwant %s", c.min, c.max, got, c.want)
		}
	}
}

// A log axis is widened to 1, 2 or 5 × 10^k at both ends and always has
// two or more labels, three when it holds three marks.
func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		min, max       float64 // the data
		lo, hi         float64 // the axis
		unit, labelled string
	}{
		// vlan-tls.pcap: three flows of 53 to 125 kB (one label before).
		{53e3, 125e3, 50e3, 200e3, "B", "50000=50 kB 100000=100 kB 200000=200 kB"},
		{41.7e3, 125e3, 20e3, 200e3, "B", "20000=20 kB 50000=50 kB 100000=100 kB 200000=200 kB"},
		{21e3, 48e3, 20e3, 50e3, "B", "20000=20 kB 30000=30 kB 40000=40 kB 50000=50 kB"},
		{120e3, 180e3, 100e3, 200e3, "B", "100000=100 kB 200000=200 kB"},
		{66, 178e3, 50, 200e3, "B", "100=100 B 1000=1 kB 10000=10 kB 100000=100 kB"},
		{1, 26, 1, 50, "", "1=1 2=2 5=5 10=10 20=20 50=50"},
		{100, 1000, 100, 1000, "", "100=100 200=200 500=500 1000=1 000"},
	} {
		lo, hi := logRange(c.min, c.max)
		if math.Abs(lo/c.lo-1) > 1e-9 || math.Abs(hi/c.hi-1) > 1e-9 {
			t.Errorf("logRange(%g, %g) = %g, %g; want %g, %g", c.min, c.max, lo, hi, c.lo, c.hi)
		}
		if got := labels(logTicks{c.unit}, lo, hi); got != c.labelled {
			t.Errorf("%g to %g:\n got %s\nwant %s", lo, hi, got, c.labelled)
		}
	}
}
