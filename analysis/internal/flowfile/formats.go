package flowfile

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// columns maps normalised header names to column indexes.
type columns map[string]int

func newColumns(header []string) columns {
	c := columns{}
	for i, h := range header {
		c[normHeader(h)] = i
	}
	return c
}

func normHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

// get returns the first of the named columns present ("" if none).
func (c columns) get(rec []string, names ...string) string {
	for _, n := range names {
		if i, ok := c[n]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
	}
	return ""
}

func (c columns) has(names ...string) bool {
	for _, n := range names {
		if _, ok := c[n]; ok {
			return true
		}
	}
	return false
}

func (c columns) require(names ...string) error {
	for _, n := range names {
		if _, ok := c[n]; !ok {
			return fmt.Errorf("missing column %q", n)
		}
	}
	return nil
}

func atou(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, nil
	}
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return uint64(math.Round(f)), nil
}

func atoport(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, nil
	}
	if strings.HasPrefix(s, "0x") {
		v, err := strconv.ParseUint(s[2:], 16, 16)
		return uint16(v), err
	}
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		// Argus names some ports ("http"); those are left as 0.
		return 0, nil
	}
	return uint16(v), nil
}

// seconds parses a decimal number of seconds into nanoseconds.
func seconds(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number of seconds %q", s)
	}
	return int64(math.Round(f * 1e9)), nil
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999",
	"2006/01/02 15:04:05.999999999", "02/01/2006 03:04:05 PM", "02/01/2006 15:04:05", "02/01/2006 15:04",
	"15:04:05.999999999",
}

// timestamp parses epoch seconds or a date; times without a zone are UTC.
func timestamp(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(math.Round(f * 1e9)), nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixNano(), nil
		}
	}
	return 0, fmt.Errorf("bad time %q", s)
}

func newFlow(proto flow.Proto, orig, resp string, op, rp uint16, first, last int64) (flow.Flow, error) {
	o, err := parseAddr(orig)
	if err != nil {
		return flow.Flow{}, err
	}
	r, err := parseAddr(resp)
	if err != nil {
		return flow.Flow{}, err
	}
	if last < first {
		last = first
	}
	return flow.Flow{Proto: proto, Orig: o, Resp: r, OrigPort: op, RespPort: rp, First: first, Last: last, RTT: -1}, nil
}

// readCSV reads a header and records.
func readCSV(r io.Reader, comma rune) ([]string, [][]string, error) {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("no header: %v", err)
	}
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	return header, recs, nil
}

// --- pcaplab's own CSV ---

func readPcaplab(r io.Reader) (*Result, error) {
	res := &Result{Bytes: WireBytes, HasState: true}
	err := flow.ReadCSV(r, func(f flow.Flow) error {
		res.Flows = append(res.Flows, f)
		return nil
	})
	return res, err
}

// --- tshark -q -z conv,tcp / conv,udp ---

// tsharkBytes parses "543 kB" or "3985 bytes". tshark prints large counts
// with an SI prefix (k = 1000) and cuts the digits after the prefix (4.0:
// 177 950 bytes is "177 kB"), so "543 kB" means 543 000 to 543 999 bytes:
// the middle, 543 500, is returned, with the step (1000) whose half it may
// be off by.
func tsharkBytes(num, unit string) (uint64, uint64, error) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("bad byte count %q", num+" "+unit)
	}
	mult := map[string]float64{"bytes": 1, "byte": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12}[strings.ToLower(unit)]
	if mult == 0 {
		return 0, 0, fmt.Errorf("bad byte unit %q", unit)
	}
	if mult == 1 {
		return uint64(v), 1, nil
	}
	return uint64(math.Round(v*mult + mult/2)), uint64(mult), nil
}

func splitHostPort(s string) (string, uint16, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("no port in %q", s)
	}
	p, err := strconv.ParseUint(s[i+1:], 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("bad port in %q", s)
	}
	return s[:i], uint16(p), nil
}

// tsharkConvLine reads one conversation line: "A <-> B frames bytes
// frames bytes frames bytes start duration"; steps are the uncertainty of
// the two byte counts (see tsharkBytes).
func tsharkConvLine(line int, s string, proto flow.Proto, leftFirst bool) (flow.Flow, [2]uint64, error) {
	var steps [2]uint64
	left, right, _ := strings.Cut(s, "<->")
	fs := strings.Fields(right)
	if len(fs) < 12 {
		return flow.Flow{}, steps, lineError(line, "expected B, 3 × (frames, bytes), start and duration after <->")
	}
	ah, ap, err := splitHostPort(strings.TrimSpace(left))
	if err != nil {
		return flow.Flow{}, steps, lineError(line, "%v", err)
	}
	bh, bp, err := splitHostPort(fs[0])
	if err != nil {
		return flow.Flow{}, steps, lineError(line, "%v", err)
	}
	f1, e1 := atou(fs[1])
	b1, s1, e2 := tsharkBytes(fs[2], fs[3])
	f2, e3 := atou(fs[4])
	b2, s2, e4 := tsharkBytes(fs[5], fs[6])
	start, e5 := seconds(fs[10])
	dur, e6 := seconds(fs[11])
	for _, e := range []error{e1, e2, e3, e4, e5, e6} {
		if e != nil {
			return flow.Flow{}, steps, lineError(line, "%v", e)
		}
	}
	f, err := newFlow(proto, ah, bh, ap, bp, start, start+dur)
	if err != nil {
		return f, steps, lineError(line, "%v", err)
	}
	if leftFirst { // <- is B→A (responder), -> is A→B (originator)
		f.RespPackets, f.RespBytes, f.OrigPackets, f.OrigBytes = f1, b1, f2, b2
	} else {
		f.OrigPackets, f.OrigBytes, f.RespPackets, f.RespBytes = f1, b1, f2, b2
	}
	return f, [2]uint64{s1, s2}, nil
}

func readTsharkConv(r io.Reader) (*Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	res := &Result{Bytes: WireBytes}
	var proto flow.Proto
	leftFirst := true // the first pair of columns is "<-" (B to A)
	rounded := 0
	var maxStep uint64
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		switch {
		case strings.Contains(s, "TCP Conversations"):
			proto = flow.TCP
			continue
		case strings.Contains(s, "UDP Conversations"):
			proto = flow.UDP
			continue
		case strings.Contains(s, "Conversations"):
			proto = 0 // IPv4/Ethernet tables have no ports: not flows
			continue
		case strings.Contains(s, "<-") && strings.Contains(s, "->") && !strings.Contains(s, "<->"):
			leftFirst = strings.Index(s, "<-") < strings.Index(s, "->")
			continue
		}
		if proto == 0 || !strings.Contains(s, "<->") {
			continue
		}
		f, steps, err := tsharkConvLine(line, s, proto, leftFirst)
		if err != nil {
			return nil, err
		}
		for _, st := range steps {
			if st > 1 {
				rounded++
				maxStep = max(maxStep, st)
			}
		}
		res.Flows = append(res.Flows, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, "tshark's conversation table gives start times relative to the first packet: times count from 1970-01-01T00:00:00Z.",
		"tshark keys conversations by 5-tuple without timeouts and gives no TCP state: failures cannot be classified from it; ICMP is not in it.")
	if rounded > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d byte counts were printed by tshark with an SI prefix (kB = 1000 bytes) and cut to whole units (\"177 kB\" is 177 000 to 177 999 bytes): the middle of each interval is used, which may be off by up to ±%d bytes.", rounded, maxStep/2))
	}
	return res, nil
}

// --- nfdump -o csv ---

// nfRecord is one one-way nfdump record with the TCP flags it saw.
type nfRecord struct {
	f     flow.Flow
	flags flow.Flags
}

// nfdumpRecords reads the one-way records.
func nfdumpRecords(c columns, header []string, recs [][]string) ([]nfRecord, error) {
	var recsOut []nfRecord
	for i, rec := range recs {
		line := i + 2
		if len(rec) < len(header)/2 || strings.HasPrefix(rec[0], "Summary") || strings.HasPrefix(rec[0], "No matching") {
			continue
		}
		first, err1 := timestamp(c.get(rec, "ts"))
		last, err2 := timestamp(c.get(rec, "te"))
		proto, ok := protoNumber(c.get(rec, "pr"))
		if err1 != nil || err2 != nil || !ok {
			return nil, lineError(line, "bad ts, te or pr")
		}
		sp, _ := atoport(c.get(rec, "sp"))
		dp, _ := atoport(c.get(rec, "dp"))
		f, err := newFlow(proto, c.get(rec, "sa"), c.get(rec, "da"), sp, dp, first, last)
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		if f.OrigPackets, err = atou(c.get(rec, "ipkt")); err != nil {
			return nil, lineError(line, "%v", err)
		}
		if f.OrigBytes, err = atou(c.get(rec, "ibyt")); err != nil {
			return nil, lineError(line, "%v", err)
		}
		// Bidirectional records (NSEL) carry the other direction in opkt/obyt.
		f.RespPackets, _ = atou(c.get(rec, "opkt"))
		f.RespBytes, _ = atou(c.get(rec, "obyt"))
		recsOut = append(recsOut, nfRecord{f, nfFlags(c.get(rec, "flg"))})
	}
	return recsOut, nil
}

func readNfdump(r io.Reader) (*Result, error) {
	header, recs, err := readCSV(r, ',')
	if err != nil {
		return nil, err
	}
	c := newColumns(header)
	if err := c.require("ts", "te", "sa", "da", "sp", "dp", "pr", "ipkt", "ibyt"); err != nil {
		return nil, err
	}
	recsOut, err := nfdumpRecords(c, header, recs)
	if err != nil {
		return nil, err
	}
	// Pair one-way records: a record and the first later-or-equal record
	// of the reverse 5-tuple that overlaps it in time.
	res := &Result{Bytes: IPBytes, HasState: true}
	used := make([]bool, len(recsOut))
	byKey := map[flow.Key][]int{}
	for i, x := range recsOut {
		byKey[keyOf(&x.f)] = append(byKey[keyOf(&x.f)], i)
	}
	paired, swapped := 0, 0
	for i := range recsOut {
		if used[i] {
			continue
		}
		used[i] = true
		f := recsOut[i].f
		origFlags, respFlags := recsOut[i].flags, flow.Flags(0)
		if f.RespPackets == 0 {
			for _, j := range byKey[keyOf(&f)] {
				g := recsOut[j].f
				if used[j] || g.Orig != f.Resp || g.OrigPort != f.RespPort || g.First > f.Last+int64(time.Minute) || g.Last < f.First {
					continue
				}
				used[j] = true
				f.RespPackets, f.RespBytes = g.OrigPackets, g.OrigBytes
				f.First, f.Last = min(f.First, g.First), max(f.Last, g.Last)
				respFlags = recsOut[j].flags
				paired++
				break
			}
		}
		if f.First/1e9 == recsOut[i].f.First/1e9 && ServiceSide(f.Proto, f.OrigPort, f.RespPort) {
			// nfdump's times are whole seconds: when both directions start
			// in the same second, the side on a well-known port is the
			// responder.
			f.Orig, f.Resp, f.OrigPort, f.RespPort = f.Resp, f.Orig, f.RespPort, f.OrigPort
			f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes = f.RespPackets, f.OrigPackets, f.RespBytes, f.OrigBytes
			origFlags, respFlags = respFlags, origFlags
			swapped++
		}
		if f.Proto == flow.TCP {
			f.OrigFlags, f.RespFlags = origFlags, respFlags
			f.State, f.History = flow.StateFromFlags(origFlags, respFlags, f.RespPackets)
		} else {
			f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
		}
		res.Flows = append(res.Flows, f)
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("nfdump records are one-way: %d pairs of opposite records were joined into bidirectional flows (same 5-tuple reversed, overlapping in time); %d records had no partner.", paired, len(res.Flows)-paired),
		fmt.Sprintf("nfdump's times are whole seconds; %d flows whose two directions started in the same second were oriented by port (the side on a well-known port is the responder).", swapped),
		"nfdump counts IP bytes (without the link-layer header), so flow sizes are smaller than pcaplab's frame bytes by 14 bytes per packet on Ethernet.",
		"TCP states are derived from the TCP flags each direction saw (no order): RST cases are approximate.",
		"nfdump prints times without a zone: they are read as UTC.")
	return res, nil
}

// ServiceSide reports whether the originator's port, not the responder's,
// is the well-known one (a flow seen from the server's side): the port
// below 1024 when the other is not, or else the lower of two ports where
// the other is in the dynamic range (49152 and up).
func ServiceSide(proto flow.Proto, origPort, respPort uint16) bool {
	if proto != flow.TCP && proto != flow.UDP {
		return false
	}
	if origPort < 1024 && respPort >= 1024 {
		return true
	}
	return respPort >= 49152 && origPort < 49152
}

func keyOf(f *flow.Flow) flow.Key {
	// the reverse record has the same unordered key
	return flow.MakeKey(f.Proto, f.Orig, f.Resp, f.OrigPort, f.RespPort)
}

// nfFlags reads nfdump's flag string, e.g. "...AP.SF" or "..A..S.".
func nfFlags(s string) flow.Flags {
	var f flow.Flags
	for _, c := range s {
		switch c {
		case 'F':
			f |= 0x01
		case 'S':
			f |= 0x02
		case 'R':
			f |= 0x04
		case 'P':
			f |= 0x08
		case 'A':
			f |= 0x10
		}
	}
	return f
}

// --- Zeek conn.log ---

func zeekFlow(get func(string) string, line int) (flow.Flow, error) {
	ts, err := timestamp(get("ts"))
	if err != nil {
		return flow.Flow{}, lineError(line, "%v", err)
	}
	dur, err := seconds(get("duration"))
	if err != nil {
		return flow.Flow{}, lineError(line, "%v", err)
	}
	proto, ok := protoNumber(get("proto"))
	if !ok {
		return flow.Flow{}, lineError(line, "bad proto %q", get("proto"))
	}
	op, _ := atoport(get("id.orig_p"))
	rp, _ := atoport(get("id.resp_p"))
	f, err := newFlow(proto, get("id.orig_h"), get("id.resp_h"), op, rp, ts, ts+dur)
	if err != nil {
		return f, lineError(line, "%v", err)
	}
	var e error
	set := func(dst *uint64, col string) {
		if e == nil {
			*dst, e = atou(get(col))
		}
	}
	set(&f.OrigPackets, "orig_pkts")
	set(&f.RespPackets, "resp_pkts")
	set(&f.OrigBytes, "orig_ip_bytes")
	set(&f.RespBytes, "resp_ip_bytes")
	set(&f.OrigPayload, "orig_bytes")
	set(&f.RespPayload, "resp_bytes")
	if e != nil {
		return f, lineError(line, "%v", e)
	}
	f.State, _ = flow.ParseState(get("conn_state"))
	if h := get("history"); h != "-" {
		f.History = h
	}
	if s := get("service"); s != "" && s != "-" {
		f.App = strings.ToUpper(strings.Split(s, ",")[0])
		if f.App == "SSL" {
			f.App = "TLS"
		}
	}
	return f, nil
}

var zeekNotes = []string{"Zeek's orig_ip_bytes/resp_ip_bytes are IP bytes (without the link-layer header); its orig_bytes/resp_bytes (payload) are kept as payload.",
	"conn_state and history are Zeek's own."}

func readZeekTSV(r io.Reader) (*Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<22)
	var fields []string
	res := &Result{Bytes: IPBytes, HasState: true, Notes: zeekNotes}
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if strings.HasPrefix(s, "#fields") {
			fields = strings.Split(s, "\t")[1:]
			continue
		}
		if strings.HasPrefix(s, "#") || s == "" {
			continue
		}
		if fields == nil {
			return nil, lineError(line, "record before the #fields line")
		}
		vals := strings.Split(s, "\t")
		get := func(name string) string {
			for i, f := range fields {
				if f == name && i < len(vals) {
					return vals[i]
				}
			}
			return ""
		}
		f, err := zeekFlow(get, line)
		if err != nil {
			return nil, err
		}
		res.Flows = append(res.Flows, f)
	}
	return res, sc.Err()
}

func readZeekJSON(r io.Reader) (*Result, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	res := &Result{Bytes: IPBytes, HasState: true, Notes: zeekNotes}
	for line := 1; ; line++ {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, lineError(line, "%v", err)
		}
		get := func(name string) string {
			v, ok := m[name]
			if !ok || v == nil {
				return ""
			}
			return fmt.Sprint(v)
		}
		f, err := zeekFlow(get, line)
		if err != nil {
			return nil, err
		}
		res.Flows = append(res.Flows, f)
	}
	return res, nil
}

// --- Argus ra -c , ---

func readArgus(r io.Reader) (*Result, error) {
	header, recs, err := readCSV(r, ',')
	if err != nil {
		return nil, err
	}
	c := newColumns(header)
	if err := c.require("starttime", "proto", "srcaddr", "dstaddr"); err != nil {
		return nil, err
	}
	res := &Result{Bytes: WireBytes, HasState: c.has("state")}
	dateless := false
	skipped := map[string]int{}
	for i, rec := range recs {
		line := i + 2
		start, err := timestamp(c.get(rec, "starttime"))
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		if start < int64(24*time.Hour) && start >= 0 {
			dateless = true
		}
		end := start
		if v := c.get(rec, "lasttime"); v != "" {
			if end, err = timestamp(v); err != nil {
				return nil, lineError(line, "%v", err)
			}
		} else if v := c.get(rec, "dur"); v != "" {
			d, err := seconds(v)
			if err != nil {
				return nil, lineError(line, "%v", err)
			}
			end = start + d
		}
		proto, ok := protoNumber(c.get(rec, "proto"))
		if !ok {
			// management records ("man") and non-IP flows (arp, llc …)
			skipped[c.get(rec, "proto")]++
			continue
		}
		sp, _ := atoport(c.get(rec, "sport"))
		dp, _ := atoport(c.get(rec, "dport"))
		f, err := newFlow(proto, c.get(rec, "srcaddr"), c.get(rec, "dstaddr"), sp, dp, start, end)
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		if c.has("srcpkts") {
			f.OrigPackets, _ = atou(c.get(rec, "srcpkts"))
			f.RespPackets, _ = atou(c.get(rec, "dstpkts"))
			f.OrigBytes, _ = atou(c.get(rec, "srcbytes"))
			f.RespBytes, _ = atou(c.get(rec, "dstbytes"))
		} else {
			f.OrigPackets, _ = atou(c.get(rec, "totpkts"))
			f.OrigBytes, _ = atou(c.get(rec, "totbytes"))
		}
		f.State = argusState(proto, c.get(rec, "state"), &f)
		res.Flows = append(res.Flows, f)
	}
	for p, n := range skipped {
		res.Notes = append(res.Notes, fmt.Sprintf("%d records of Proto %q (not an IP flow) were left out.", n, p))
	}
	if n := len(res.Flows); n > 0 {
		res.Flows = mergeStatus(res.Flows)
		if m := n - len(res.Flows); m > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("Argus writes a status record of a long flow every few seconds: %d records were merged into the flow they continue (same 5-tuple and direction, starting within 60 s of its end), as racluster does.", m))
		}
	}
	sort.Strings(res.Notes)
	if !c.has("srcpkts") {
		res.Notes = append(res.Notes, "The file has TotPkts/TotBytes only (no SrcPkts, DstPkts, SrcBytes, DstBytes): all of a flow's packets and bytes are counted as the originator's. Export with ra -s +spkts,+dpkts,+sbytes,+dbytes for both directions.")
	}
	if dateless {
		res.Notes = append(res.Notes, "StartTime has no date (ra's default time format): times count from 1970-01-01. Export with ra -u for epoch times.")
	}
	res.Notes = append(res.Notes, "Argus states (REQ, CON, FIN, RST, INT …) are mapped to Zeek's conn_state approximately: REQ/INT → S0, CON → S1 (TCP) or SF, FIN/CLO → SF, RST → RSTO or REJ.")
	return res, nil
}

// mergeStatus joins records of the same flow (same 5-tuple and direction,
// the next starting within a minute of the last's end).
func mergeStatus(in []flow.Flow) []flow.Flow {
	sort.SliceStable(in, func(i, j int) bool { return in[i].First < in[j].First })
	type dk struct {
		k    flow.Key
		orig string
	}
	open := map[dk]int{}
	var out []flow.Flow
	for _, f := range in {
		k := dk{keyOf(&f), f.Orig.String()}
		if i, ok := open[k]; ok && f.First <= out[i].Last+int64(time.Minute) && f.OrigPort == out[i].OrigPort {
			g := &out[i]
			g.Last = max(g.Last, f.Last)
			g.OrigPackets += f.OrigPackets
			g.RespPackets += f.RespPackets
			g.OrigBytes += f.OrigBytes
			g.RespBytes += f.RespBytes
			if f.State != flow.Unknown {
				g.State = f.State
			}
			continue
		}
		open[k] = len(out)
		out = append(out, f)
	}
	return out
}

func argusState(proto flow.Proto, s string, f *flow.Flow) flow.State {
	s = strings.ToUpper(strings.TrimSpace(s))
	if proto != flow.TCP {
		if s == "INT" || s == "REQ" {
			return flow.S0
		}
		return flow.OtherState(f.OrigPackets, f.RespPackets)
	}
	switch s {
	case "REQ", "INT":
		return flow.S0
	case "CON", "ACC":
		return flow.S1
	case "FIN", "CLO":
		return flow.SF
	case "RST":
		if f.RespBytes == 0 && f.RespPackets <= 1 {
			return flow.REJ
		}
		return flow.RSTO
	}
	return flow.OTH
}

// --- CICFlowMeter ---

func readCIC(r io.Reader) (*Result, error) {
	header, recs, err := readCSV(r, ',')
	if err != nil {
		return nil, err
	}
	c := newColumns(header)
	if err := c.require("src ip", "dst ip", "protocol", "timestamp", "flow duration"); err != nil {
		return nil, err
	}
	res := &Result{Bytes: PayloadBytes}
	for i, rec := range recs {
		line := i + 2
		start, err := timestamp(c.get(rec, "timestamp"))
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		us, err := strconv.ParseFloat(c.get(rec, "flow duration"), 64)
		if err != nil {
			return nil, lineError(line, "bad Flow Duration %q", c.get(rec, "flow duration"))
		}
		proto, ok := protoNumber(c.get(rec, "protocol"))
		if !ok {
			return nil, lineError(line, "bad Protocol")
		}
		sp, _ := atoport(c.get(rec, "src port"))
		dp, _ := atoport(c.get(rec, "dst port"))
		f, err := newFlow(proto, c.get(rec, "src ip"), c.get(rec, "dst ip"), sp, dp, start, start+int64(us*1e3))
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		f.OrigPackets, _ = atou(c.get(rec, "tot fwd pkts", "total fwd packets"))
		f.RespPackets, _ = atou(c.get(rec, "tot bwd pkts", "total backward packets"))
		f.OrigBytes, _ = atou(c.get(rec, "totlen fwd pkts", "total length of fwd packets"))
		f.RespBytes, _ = atou(c.get(rec, "totlen bwd pkts", "total length of bwd packets"))
		f.OrigPayload, f.RespPayload = f.OrigBytes, f.RespBytes
		res.Flows = append(res.Flows, f)
	}
	res.Notes = append(res.Notes, "CICFlowMeter's TotLen Fwd/Bwd Pkts count transport payload bytes only (no headers): flow sizes in bytes are payload bytes and are much smaller than frame bytes.",
		"CICFlowMeter gives flag counts but not per direction: TCP states and failures are not classified.",
		"Timestamps without a zone are read as UTC.")
	return res, nil
}

// --- NFStream ---

func readNFStream(r io.Reader) (*Result, error) {
	header, recs, err := readCSV(r, ',')
	if err != nil {
		return nil, err
	}
	c := newColumns(header)
	if err := c.require("src_ip", "dst_ip", "protocol", "bidirectional_first_seen_ms", "bidirectional_last_seen_ms",
		"src2dst_packets", "dst2src_packets", "src2dst_bytes", "dst2src_bytes"); err != nil {
		return nil, err
	}
	res := &Result{Bytes: WireBytes}
	for i, rec := range recs {
		line := i + 2
		first, e1 := strconv.ParseFloat(c.get(rec, "bidirectional_first_seen_ms"), 64)
		last, e2 := strconv.ParseFloat(c.get(rec, "bidirectional_last_seen_ms"), 64)
		proto, ok := protoNumber(c.get(rec, "protocol"))
		if e1 != nil || e2 != nil || !ok {
			return nil, lineError(line, "bad first/last seen or protocol")
		}
		sp, _ := atoport(c.get(rec, "src_port"))
		dp, _ := atoport(c.get(rec, "dst_port"))
		f, err := newFlow(proto, c.get(rec, "src_ip"), c.get(rec, "dst_ip"), sp, dp, int64(first*1e6), int64(last*1e6))
		if err != nil {
			return nil, lineError(line, "%v", err)
		}
		f.OrigPackets, _ = atou(c.get(rec, "src2dst_packets"))
		f.RespPackets, _ = atou(c.get(rec, "dst2src_packets"))
		f.OrigBytes, _ = atou(c.get(rec, "src2dst_bytes"))
		f.RespBytes, _ = atou(c.get(rec, "dst2src_bytes"))
		if a := c.get(rec, "application_name"); a != "" && a != "Unknown" {
			f.App = a
		}
		f.ServerName = c.get(rec, "requested_server_name")
		res.Flows = append(res.Flows, f)
	}
	res.Notes = append(res.Notes, "NFStream counts link-layer bytes by default (accounting_mode 0), as pcaplab does; its flows end by its own idle/active timeouts.",
		"NFStream's CSV has no TCP state: failures are not classified.")
	return res, nil
}
