package flowfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// nfdumpAdvice is the export that gives pcaplab the most nfdump can:
// one-way records with millisecond start and end times.
const nfdumpAdvice = "nfdump -R DIR -o json"

// nfRecord is one nfdump record: one-way (nfpcapd exports each direction
// apart) unless opkts or obytes are set (nfdump -b).
type nfRecord struct {
	proto              flow.Proto
	src, dst           netip.Addr
	sp, dp             uint16
	first, firstHi     int64 // the earliest and latest start the printed times allow
	last               int64
	pkts, bytes        uint64
	opkts, obytes      uint64
	flags              flow.Flags
	icmpType, icmpCode uint8
}

// nfTimes are a record's printed times and their resolutions.
type nfTimes struct {
	start, end, dur  int64
	startRes, endRes time.Duration
	hasEnd, hasDur   bool
	local            bool // dates in the machine's time zone (not epoch numbers)
}

// interval narrows the start to what the start, end and duration allow
// together: nfdump 1.7's CSV prints start and end in whole seconds but the
// duration in milliseconds, so the true start lies in [ts, ts+1 s) and in
// [te − td, te + 1 s − td).
func (t nfTimes) interval() (lo, hi, last int64) {
	lo, hi = t.start, t.start+int64(t.startRes)-1
	if t.hasDur && t.hasEnd {
		if l, h := max(lo, t.end-t.dur), min(hi, t.end+int64(t.endRes)-1-t.dur); l <= h {
			lo, hi = l, h
		}
	}
	switch {
	case t.hasDur:
		last = lo + t.dur
	case t.hasEnd:
		last = max(t.end, lo)
	default:
		last = lo
	}
	return lo, hi, last
}

// nfTime reads a time nfdump printed: a date (local time), epoch
// milliseconds (csv-fast) or epoch seconds with a fraction.
func nfTime(s string) (ns int64, res time.Duration, local bool, err error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "-:") {
		ns, res, _, err = clockTime(s)
		return ns, res, true, err
	}
	if !strings.Contains(s, ".") && len(s) >= 12 {
		ms, err := strconv.ParseInt(s, 10, 64)
		return ms * 1e6, time.Millisecond, false, err
	}
	ns, digits, err := decimal(s)
	return ns, step(digits), false, err
}

// nfFlags reads nfdump's flag string ("...AP.SF", or "0x12").
func nfFlags(s string) flow.Flags {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		v, _ := strconv.ParseUint(h, 16, 8)
		return flow.Flags(v)
	}
	var f flow.Flags
	for _, c := range s {
		f |= map[rune]flow.Flags{'F': flow.FIN, 'S': flow.SYN, 'R': flow.RST, 'P': flow.PSH, 'A': flow.ACK}[c]
	}
	return f
}

// setICMP reads an ICMP record's type and code from its destination port:
// "771" (type × 256 + code, nfdump 1.7) or "3.3" (later versions).
func (r *nfRecord) setICMP(dp string) error {
	dp = strings.TrimSpace(dp)
	if t, c, ok := strings.Cut(dp, "."); ok {
		tv, e1 := strconv.ParseUint(t, 10, 8)
		cv, e2 := strconv.ParseUint(c, 10, 8)
		if e1 != nil || e2 != nil {
			return fmt.Errorf("bad ICMP type.code %q", dp)
		}
		r.icmpType, r.icmpCode = uint8(tv), uint8(cv)
		return nil
	}
	v, err := strconv.ParseUint(dp, 10, 16)
	if err != nil {
		return fmt.Errorf("bad ICMP type and code %q", dp)
	}
	r.icmpType, r.icmpCode = uint8(v>>8), uint8(v)
	return nil
}

// nfdumpFacts are what every nfdump export can and cannot tell.
func nfdumpFacts() *Result {
	return &Result{Bytes: IPBytes, Directions: true, Durations: true, ICMPPerPacket: true, Orientation: OrientSYN,
		Skipped: map[string]int{}, DurationStep: time.Millisecond,
		Timeouts: Timeouts{By: TimeoutsExporter, Text: "nfpcapd's own: a flow record ends after 60 s without packets or 300 s in all (nfpcapd -e 300,60, the default)"}}
}

// readNfdumpJSON reads nfdump -o json: an array of records.
func readNfdumpJSON(br *bufio.Reader) (*part, error) {
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	res := nfdumpFacts()
	res.Format = NfdumpJSON
	p := &part{res: res}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, lineError(1, "expected a JSON array of records")
	}
	local := false
	res.StartStep = time.Millisecond
	line, seen := 1, 0
	for dec.More() {
		off := int(dec.InputOffset())
		line += bytes.Count(data[seen:off], []byte("\n"))
		seen = off
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, lineError(line, "%v", err)
		}
		res.Records++
		if t, _ := m["type"].(string); t != "FLOW" {
			res.Skipped[fmt.Sprintf("nfdump %s records (not flows)", t)]++
			continue
		}
		r, loc, err := nfJSONRecord(m)
		if err != nil {
			return nil, lineError(line+1, "%v", err)
		}
		local = local || loc
		p.add(r)
	}
	res.Clock = map[bool]Clock{true: ClockLocal, false: ClockUTC}[local]
	return p.settle(), nil
}

// nfJSONRecord reads one record of nfdump -o json.
func nfJSONRecord(m map[string]any) (nfRecord, bool, error) {
	str := func(k string) string {
		if v, ok := m[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	var r nfRecord
	var t nfTimes
	var err error
	if t.start, t.startRes, t.local, err = nfTime(str("first")); err != nil {
		return r, false, err
	}
	if t.end, t.endRes, _, err = nfTime(str("last")); err != nil {
		return r, false, err
	}
	t.hasEnd = true
	r.first, r.firstHi, r.last = t.interval()
	sa, da := str("src4_addr")+str("src6_addr"), str("dst4_addr")+str("dst6_addr")
	fields := map[string]string{"proto": str("proto"), "sa": sa, "da": da, "sp": str("src_port"), "dp": str("dst_port"),
		"flags": str("tcp_flags"), "ipkt": str("in_packets"), "ibyt": str("in_bytes"), "opkt": str("out_packets"), "obyt": str("out_bytes")}
	if err := r.fill(fields); err != nil {
		return r, false, err
	}
	if r.proto == flow.ICMP || r.proto == flow.ICMPv6 {
		tv, _ := strconv.ParseUint(str("icmp_type"), 10, 8)
		cv, _ := strconv.ParseUint(str("icmp_code"), 10, 8)
		r.icmpType, r.icmpCode = uint8(tv), uint8(cv)
	}
	return r, t.local, nil
}

// fill reads a record's protocol, addresses, ports, flags and counts
// (optional counts may be absent).
func (r *nfRecord) fill(f map[string]string) error {
	var err error
	if r.proto, err = nfdumpProto(f["proto"]); err != nil {
		return fmt.Errorf("%v; export with %s", err, nfdumpAdvice)
	}
	if r.src, err = addr(f["sa"]); err != nil {
		return err
	}
	if r.dst, err = addr(f["da"]); err != nil {
		return err
	}
	if r.proto == flow.ICMP || r.proto == flow.ICMPv6 {
		if f["dp"] != "" {
			if err := r.setICMP(f["dp"]); err != nil {
				return err
			}
		}
	} else {
		if r.sp, err = parsePort(f["sp"], "export with "+nfdumpAdvice); err != nil {
			return err
		}
		if r.dp, err = parsePort(f["dp"], "export with "+nfdumpAdvice); err != nil {
			return err
		}
	}
	r.flags = nfFlags(f["flags"])
	for _, c := range []struct {
		dst      *uint64
		key      string
		optional bool
	}{{&r.pkts, "ipkt", false}, {&r.bytes, "ibyt", false}, {&r.opkts, "opkt", true}, {&r.obytes, "obyt", true}} {
		if f[c.key] == "" && c.optional {
			continue
		}
		if *c.dst, err = count(f[c.key]); err != nil {
			return err
		}
	}
	return nil
}

// add keeps a record until files are combined: one-way records are
// paired then.
func (p *part) add(r nfRecord) {
	p.oneWay = append(p.oneWay, r)
}

// settle says what the records are: bidirectional (nfdump -b: a record
// counts packets both ways) or one-way.
func (p *part) settle() *part {
	res := p.res
	res.State = StateFlags
	for i := range p.oneWay {
		if p.oneWay[i].opkts > 0 || p.oneWay[i].obytes > 0 {
			res.Format, res.State, res.Orientation = NfdumpBidir, StateCombinedFlags, OrientGuessed
			res.Timeouts = Timeouts{By: TimeoutsWholeFile, Text: "nfdump -b joins every record of one 5-tuple in its input into one, whatever the time between them"}
			break
		}
	}
	return p
}
