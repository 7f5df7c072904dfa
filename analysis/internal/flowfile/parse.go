package flowfile

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// count reads a packet or byte count: a whole number.
func count(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return v, nil
}

// decimal reads a non-negative decimal number of seconds exactly (float64
// would lose the nanoseconds of an epoch time) and says how many digits
// its fraction has.
func decimal(s string) (ns int64, digits int, err error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, 0, fmt.Errorf("bad number of seconds %q", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1<<33 || len(frac) > 9 {
		return 0, 0, fmt.Errorf("bad number of seconds %q", s)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || strings.ContainsAny(frac, "+-") {
			return 0, 0, fmt.Errorf("bad number of seconds %q", s)
		}
		for i := len(frac); i < 9; i++ {
			f *= 10
		}
	}
	return w*1e9 + f, len(frac), nil
}

// step is the resolution of a number printed with so many decimals.
func step(digits int) time.Duration {
	d := time.Second
	for range digits {
		d /= 10
	}
	return max(d, 1)
}

// dateLayouts are the dates exporters print (the fraction of seconds is
// read apart); timeOfDay is a time without a date.
var dateLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006/01/02 15:04:05", "2006/002 15:04:05",
	"2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z07:00"}

const timeOfDay = "15:04:05"

// clockTime reads a date and time or a time of day, with an optional
// fraction of a second: ns since the epoch (a time of day counts from
// 1970-01-01), its resolution, and whether it had a date.
func clockTime(s string) (ns int64, res time.Duration, dated bool, err error) {
	s = strings.TrimSpace(s)
	main, frac := s, ""
	if i := strings.LastIndexByte(s, '.'); i > 0 && i > strings.LastIndexByte(s, ':') {
		main, frac = s[:i], s[i+1:]
		if z := strings.IndexAny(frac, "Z+-"); z >= 0 { // a zone after the fraction
			main, frac = main+frac[z:], frac[:z]
		}
	}
	var f int64
	if frac != "" {
		v, _, err := decimal("0." + frac)
		if err != nil {
			return 0, 0, false, fmt.Errorf("bad time %q", s)
		}
		f = v
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, main); err == nil {
			return t.UnixNano() + f, step(len(frac)), true, nil
		}
	}
	if t, err := time.Parse(timeOfDay, main); err == nil {
		return t.AddDate(1970, 0, 0).UnixNano() + f, step(len(frac)), false, nil
	}
	return 0, 0, false, fmt.Errorf("bad time %q", s)
}

// addr reads an IP address (IPv4-mapped IPv6 addresses become IPv4).
func addr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(s), "[]"))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("bad address %q", s)
	}
	return a.Unmap(), nil
}
