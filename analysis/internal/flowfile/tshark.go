package flowfile

import (
	"bufio"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// tsharkAdvice is the export that gives pcaplab the most tshark can:
// exact epoch start times (-t e) and both transport tables.
const tsharkAdvice = "tshark -r CAPTURE -q -t e -z conv,tcp -z conv,udp"

// tsharkTable is the state of reading one conversation table.
type tsharkTable struct {
	title     string     // "TCP", "IPv6" …
	proto     flow.Proto // 0: a table that is not of flows (IPv4, IPv6, Ethernet)
	leftFirst bool       // the first pair of columns is "<-" (B to A)
	start     string     // the start column's title: "Relative", "Absolute Time", "Absolute Date"
}

// readTshark reads tshark's -z conv text: the TCP and UDP tables give
// flows; address-pair tables (IPv4, IPv6, Ethernet) are not flows and are
// left out, and a file of those alone is refused.
func readTshark(br *bufio.Reader) (*part, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	res := &Result{Bytes: WireBytes, Directions: true, Durations: true, DurationStep: 100 * time.Microsecond,
		Orientation: OrientFirstPacket, Skipped: map[string]int{},
		Timeouts: Timeouts{By: TimeoutsNone, Text: "none: tshark keys a conversation by its 5-tuple over the whole capture, as pcaplab does with --idle-timeout 0"}}
	var t tsharkTable
	var other []string
	dated, digits := false, 0
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if title, ok := strings.CutSuffix(strings.TrimSpace(s), " Conversations"); ok && !strings.Contains(title, "|") {
			t = tsharkTable{title: title, proto: map[string]flow.Proto{"TCP": flow.TCP, "UDP": flow.UDP}[title], leftFirst: true}
			if t.proto == 0 {
				other = append(other, title)
			} else if !containsProto(res.Protocols, t.proto) {
				res.Protocols = append(res.Protocols, t.proto)
			}
			continue
		}
		if strings.Contains(s, "|") {
			t.header(s)
			continue
		}
		if t.proto == 0 || !strings.Contains(s, "<->") {
			if t.proto == 0 && t.title != "" && strings.Contains(s, "<->") {
				res.Skipped[t.title+" conversations (address pairs, not flows)"]++
			}
			continue
		}
		f, st, n, d, err := tsharkLine(s, t)
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		res.Records++
		dated, digits = d, max(digits, n)
		res.addRounding(st)
		res.Flows = append(res.Flows, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if res.Protocols == nil && len(other) > 0 {
		return nil, fmt.Errorf("holds only %s conversations (address pairs without protocol or ports), not flows; export %s", strings.Join(other, " and "), tsharkAdvice)
	}
	res.setTsharkClock(t.start, dated, digits)
	return &part{res: res}, nil
}

func containsProto(l []flow.Proto, p flow.Proto) bool {
	for _, x := range l {
		if x == p {
			return true
		}
	}
	return false
}

// header reads a column-title row: which direction comes first, and the
// start column's title.
func (t *tsharkTable) header(s string) {
	if strings.Contains(s, "<-") && strings.Contains(s, "->") {
		t.leftFirst = strings.Index(s, "<-") < strings.Index(s, "->")
	}
	for _, title := range []string{"Relative", "Absolute Time", "Absolute Date"} {
		if strings.Contains(s, title) {
			t.start = title
		}
	}
}

// addRounding notes byte counts that tshark printed with an SI prefix.
func (r *Result) addRounding(steps [2]uint64) {
	for _, st := range steps {
		if st > 1 {
			r.Rounded++
			r.ByteStep = max(r.ByteStep, st)
		}
	}
}

// setTsharkClock says what the start column was: seconds since the first
// packet (-t r, the default), epoch seconds (-t e, told apart by their size:
// after 2001), a date (-t ad, -t ud) or a time of day (-t a, -t u), the
// last two in whole seconds.
func (r *Result) setTsharkClock(title string, dated bool, digits int) {
	r.StartStep = step(digits)
	switch {
	case title == "Absolute Date" || dated:
		r.Clock = ClockLocal
	case title == "Absolute Time":
		r.Clock = ClockTimeOfDay
	default:
		r.Clock = ClockRelative
		var first int64 = math.MaxInt64
		for i := range r.Flows {
			first = min(first, r.Flows[i].First)
		}
		if first >= 1e18 { // 2001-09-09: epoch seconds (-t e)
			// tshark computes them in floating point: ~0.24 µs apart at
			// today's times, whatever the nine digits it prints.
			r.Clock, r.StartStep = ClockUTC, max(r.StartStep, time.Microsecond)
		}
	}
}

// tsharkLine reads one conversation: "A <-> B", three (frames, bytes)
// pairs, the start (one field, or a date and a time) and the duration.
func tsharkLine(s string, t tsharkTable) (f flow.Flow, steps [2]uint64, digits int, dated bool, err error) {
	left, right, _ := strings.Cut(s, "<->")
	fs := strings.Fields(right)
	if len(fs) < 12 {
		return f, steps, 0, false, fmt.Errorf("expected B, 3 × (frames, bytes), start and duration after <->")
	}
	a, ap, err := tsharkEndpoint(strings.TrimSpace(left))
	if err != nil {
		return f, steps, 0, false, err
	}
	b, bp, err := tsharkEndpoint(fs[0])
	if err != nil {
		return f, steps, 0, false, err
	}
	var c [4]uint64
	for i, j := range []int{1, 4} {
		if c[2*i], err = count(fs[j]); err != nil {
			return f, steps, 0, false, err
		}
		if c[2*i+1], steps[i], err = tsharkBytes(fs[j+1], fs[j+2]); err != nil {
			return f, steps, 0, false, err
		}
	}
	start, digits, dated, err := tsharkStart(strings.Join(fs[10:len(fs)-1], " "))
	if err != nil {
		return f, steps, 0, false, err
	}
	dur, _, err := decimal(fs[len(fs)-1])
	if err != nil {
		return f, steps, 0, false, err
	}
	f = newFlow(t.proto, a, b, ap, bp, start, start+dur)
	if t.leftFirst { // "<-" is B→A (the responder's), "->" A→B
		f.RespPackets, f.RespBytes, f.OrigPackets, f.OrigBytes = c[0], c[1], c[2], c[3]
		steps[0], steps[1] = steps[1], steps[0]
	} else {
		f.OrigPackets, f.OrigBytes, f.RespPackets, f.RespBytes = c[0], c[1], c[2], c[3]
	}
	if t.proto != flow.TCP {
		f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
	}
	return f, steps, digits, dated, nil
}

// tsharkStart reads the start column: seconds, or a date or time of day.
func tsharkStart(s string) (ns int64, digits int, dated bool, err error) {
	if !strings.Contains(s, ":") {
		ns, digits, err = decimal(s)
		return ns, digits, false, err
	}
	ns, res, dated, err := clockTime(s)
	digits = 0
	for d := time.Second; d > res; d /= 10 {
		digits++
	}
	return ns, digits, dated, err
}

// tsharkEndpoint reads "address:port"; a port name (tshark -N t) is read
// when it is a well-known one, a host name (-N n) is refused.
func tsharkEndpoint(s string) (netip.Addr, uint16, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.Addr{}, 0, fmt.Errorf("no port in %q", s)
	}
	a, err := addr(s[:i])
	if err != nil {
		return a, 0, fmt.Errorf("address %q is not an IP address (a name from tshark -N n?); export with %s", s[:i], tsharkAdvice)
	}
	p, err := parsePort(s[i+1:], "export without tshark's -N t: "+tsharkAdvice)
	return a, p, err
}

// tsharkBytes reads "543 kB" or "3985 bytes". tshark 4.0 prints counts of
// 10 000 and more with an SI prefix (k = 1000) and cuts the digits after
// it: "543 kB" is 543 000 to 543 999 bytes. The middle, 543 500, is
// returned with the width of the interval (1000).
func tsharkBytes(num, unit string) (uint64, uint64, error) {
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("bad byte count %q", num+" "+unit)
	}
	mult := map[string]uint64{"bytes": 1, "byte": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, 0, fmt.Errorf("bad byte unit %q", unit)
	}
	if mult == 1 {
		return v, 1, nil
	}
	return v*mult + mult/2, mult, nil
}
