// Package units writes pcaplab's numbers for people, in one style: counts
// with their digits grouped by a narrow no-break space (1 234 567), bytes
// and bit rates with SI prefixes (1 kB = 1000 B, 1 kbit/s = 1000 bit/s),
// durations in s or ms, timestamps as "2025-10-14 09:30:00.123456 UTC".
// The report, the notebooks, the sentences and the command line all write
// through it, so one number reads the same everywhere.
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Sep separates digit groups: U+202F NARROW NO-BREAK SPACE, the SI's
// thousands separator, which never breaks a number across lines.
const Sep = "\u202f"

// Integer is any integer type.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Count writes an integer with grouped digits: 1 234 567.
func Count[T Integer](n T) string {
	if n < 0 {
		return "-" + group(strconv.FormatUint(uint64(-int64(n)), 10))
	}
	return group(strconv.FormatUint(uint64(n), 10))
}

func group(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(Sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Fixed writes v with exactly decimals digits after the point and the
// integer part grouped: Fixed(24648.25, 1) = "24 648.3".
func Fixed(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	out := group(intPart) + frac
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}

// Number writes a value that is a whole number as one (794, not 794.0)
// and any other with the given decimals.
func Number(v float64, decimals int) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return Count(int64(v))
	}
	return Fixed(v, decimals)
}

// prefixed writes v with an SI prefix and unit: one decimal with k
// (24.6 kB, 181.9 kB), two from M on (1.45 MB), whole units below 1 000.
func prefixed(v float64, unit string) string {
	for _, p := range []struct {
		f   float64
		s   string
		dec int
	}{{1e12, "T", 2}, {1e9, "G", 2}, {1e6, "M", 2}, {1e3, "k", 1}} {
		if math.Abs(v) >= p.f {
			return strconv.FormatFloat(v/p.f, 'f', p.dec, 64) + " " + p.s + unit
		}
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
}

// Bytes writes a byte count with an SI prefix: 862 B, 24.6 kB, 1.45 MB.
func Bytes[T Integer | ~float64](n T) string { return prefixed(float64(n), "B") }

// BitRate writes a bit rate with an SI prefix: 976 bit/s, 109.3 kbit/s,
// 1.46 Mbit/s; below 10 bit/s with two significant digits (0.097 bit/s), so
// a rate that is not zero never reads as 0.
func BitRate(v float64) string {
	if v != 0 && math.Abs(v) < 10 {
		return small(v) + " bit/s"
	}
	return prefixed(v, "bit/s")
}

// small writes a small non-zero value with two significant digits, in
// plain decimals: 0.097, 0.0012, 3.5.
func small(v float64) string {
	return strconv.FormatFloat(v, 'f', max(1, 1-int(math.Floor(math.Log10(math.Abs(v))))), 64)
}

// PacketRate writes a packet rate: 15.6 packets/s (one decimal below
// 1 000, whole packets above; two significant digits below 0.1, so a rate
// that is not zero never reads as 0.0: 0.035 packets/s).
func PacketRate(v float64) string {
	switch {
	case v >= 1000:
		return Count(int64(math.Round(v))) + " packets/s"
	case v != 0 && math.Abs(v) < 0.1:
		return small(v) + " packets/s"
	}
	return Fixed(v, 1) + " packets/s"
}

// Duration writes a duration in the unit that suits it: 850 µs, 1.316 ms,
// 106.419 s, 1 h 41 min 12 s. Never Go's "1m41.228s" syntax.
func Duration(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	switch {
	case d == 0:
		return "0 s"
	case d < time.Millisecond:
		return neg + Fixed(float64(d)/1e3, 0) + " µs"
	case d < time.Second:
		return neg + Fixed(float64(d)/1e6, 3) + " ms"
	case d < 10*time.Minute:
		return neg + Fixed(d.Seconds(), 3) + " s"
	}
	d = d.Round(time.Second)
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	var parts []string
	if h > 0 {
		parts = append(parts, Count(int64(h))+" h")
	}
	if m > 0 || h > 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	parts = append(parts, fmt.Sprintf("%d s", s))
	return neg + strings.Join(parts, " ")
}

// Setting writes a configured duration, such as a timeout or a bin width,
// in its natural unit: 30 s, 5 min, 1 h, 100 ms; 0 is "never".
func Setting(d time.Duration) string {
	switch {
	case d == 0:
		return "never"
	case d%time.Hour == 0:
		return Count(int64(d/time.Hour)) + " h"
	case d%time.Minute == 0:
		return Count(int64(d/time.Minute)) + " min"
	case d%time.Second == 0:
		return Count(int64(d/time.Second)) + " s"
	case d%time.Millisecond == 0:
		return Count(int64(d/time.Millisecond)) + " ms"
	case d > 0 && d < time.Millisecond && d%time.Microsecond == 0:
		return Count(int64(d/time.Microsecond)) + " µs"
	case d > 0 && d < time.Microsecond:
		return Count(int64(d)) + " ns"
	}
	return Duration(d)
}

// Timestamp writes a time in UTC with microseconds:
// 2025-10-14 09:30:00.123456 UTC.
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000 UTC") }

// Clock writes the time of day in UTC to the second: 09:30:00.
func Clock(t time.Time) string { return t.UTC().Format("15:04:05") }

// Percent writes part/whole as a percentage with no decimals (or one below
// 10 %): "26 %", "4.5 %"; "0 %" when whole is 0.
func Percent[T Integer | ~float64](part, whole T) string {
	if whole == 0 {
		return "0 %"
	}
	p := 100 * float64(part) / float64(whole)
	switch {
	case p == math.Trunc(p):
		return Fixed(p, 0) + " %"
	case p < 10:
		return Fixed(p, 1) + " %"
	case p > 99 && p < 100: // never round a part up to the whole
		return Fixed(math.Min(p, 99.9), 1) + " %"
	}
	return Fixed(p, 0) + " %"
}

// Plural writes a count with a noun, in the plural unless the count is 1:
// "1 flow", "23 flows", "1 234 hosts". Nouns ending in s, x or sh take "es".
func Plural[T Integer](n T, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Count(n) + " " + PluralNoun(noun)
}

// PluralNoun is the plural of a regular English noun (and of "address").
func PluralNoun(noun string) string {
	switch {
	case strings.HasSuffix(noun, "s") || strings.HasSuffix(noun, "x") || strings.HasSuffix(noun, "sh"):
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}
