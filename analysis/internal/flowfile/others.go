package flowfile

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// --- pcaplab's own CSV ---

func readPcaplab(br *bufio.Reader) (*part, error) {
	res := &Result{Bytes: WireBytes, State: StateConn, Payload: true, Directions: true, Durations: true,
		StartStep: 1, DurationStep: 1, Clock: ClockUTC, Orientation: OrientSYN,
		Timeouts: Timeouts{By: TimeoutsPcaplab, Text: "pcaplab's (the values it was run with are not in the file)"}}
	err := flow.ReadCSV(br, func(f flow.Flow) error {
		res.Records++
		res.Flows = append(res.Flows, f)
		return nil
	})
	return &part{res: res}, err
}

// --- Zeek conn.log ---

// zeekFacts are what a Zeek conn.log tells.
func zeekFacts() *Result {
	return &Result{Bytes: IPBytes, State: StateConn, Payload: true, Directions: true, Durations: true,
		StartStep: time.Microsecond, DurationStep: time.Microsecond, Clock: ClockUTC, Orientation: OrientSYN,
		Timeouts: Timeouts{By: TimeoutsExporter, Text: "Zeek's own: tcp_inactivity_timeout 5 min, udp_inactivity_timeout and icmp_inactivity_timeout 1 min by default"},
		Notes:    []string{"Zeek's orig_bytes and resp_bytes (payload, from TCP sequence numbers) are kept as payload; its orig_ip_bytes and resp_ip_bytes are the flow's bytes."}}
}

// zeekHistory turns Zeek's history into the TCP flags each side sent
// (upper case: the originator; S SYN, H SYN-ACK, A ACK, D data, F FIN,
// R RST).
func zeekHistory(h string) (orig, resp flow.Flags) {
	for _, c := range h {
		f := map[rune]flow.Flags{'s': flow.SYN, 'h': flow.SYN | flow.ACK, 'a': flow.ACK, 'd': flow.ACK, 'f': flow.FIN, 'r': flow.RST}[c|0x20]
		if c >= 'A' && c <= 'Z' {
			orig |= f
		} else {
			resp |= f
		}
	}
	return orig, resp
}

func zeekFlow(get func(string) string, line int) (flow.Flow, error) {
	ts, _, err := decimal(get("ts"))
	if err != nil {
		return flow.Flow{}, lineError(line, "%v", err)
	}
	var dur int64
	if d := get("duration"); d != "-" && d != "" {
		if dur, _, err = decimal(d); err != nil {
			return flow.Flow{}, lineError(line, "%v", err)
		}
	}
	o, e1 := addr(get("id.orig_h"))
	r, e2 := addr(get("id.resp_h"))
	proto, ok := ianaProto(get("proto"))
	if e1 != nil || e2 != nil || !ok {
		return flow.Flow{}, lineError(line, "bad id.orig_h, id.resp_h or proto")
	}
	if proto == flow.ICMP && o.Is6() {
		proto = flow.ICMPv6 // Zeek calls both "icmp"
	}
	op, e1 := parsePort(get("id.orig_p"), "")
	rp, e2 := parsePort(get("id.resp_p"), "")
	if e1 != nil || e2 != nil {
		return flow.Flow{}, lineError(line, "bad id.orig_p or id.resp_p")
	}
	f := newFlow(proto, o, r, op, rp, ts, ts+dur)
	for _, c := range []struct {
		dst *uint64
		col string
	}{{&f.OrigPackets, "orig_pkts"}, {&f.RespPackets, "resp_pkts"}, {&f.OrigBytes, "orig_ip_bytes"},
		{&f.RespBytes, "resp_ip_bytes"}, {&f.OrigPayload, "orig_bytes"}, {&f.RespPayload, "resp_bytes"}} {
		if v := get(c.col); v != "-" {
			if *c.dst, err = count(v); err != nil {
				return f, lineError(line, "%s: %v", c.col, err)
			}
		}
	}
	f.State, _ = flow.ParseState(get("conn_state"))
	if h := get("history"); h != "-" {
		f.History = h
		f.OrigFlags, f.RespFlags = zeekHistory(h)
	}
	if s := get("service"); s != "" && s != "-" {
		f.App = strings.ToUpper(strings.Split(s, ",")[0])
		if f.App == "SSL" {
			f.App = "TLS"
		}
	}
	return f, nil
}

func readZeekTSV(br *bufio.Reader) (*part, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 1<<22)
	var fields []string
	res := zeekFacts()
	for line := 1; sc.Scan(); line++ {
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
		res.Records++
		res.Flows = append(res.Flows, f)
	}
	return &part{res: res}, sc.Err()
}

func readZeekJSON(br *bufio.Reader) (*part, error) {
	dec := json.NewDecoder(br)
	dec.UseNumber()
	res := zeekFacts()
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
		res.Records++
		res.Flows = append(res.Flows, f)
	}
	return &part{res: res}, nil
}

// --- CSV with a header (CICFlowMeter, NFStream) ---

// csvTable is a CSV file's header and rows.
type csvTable struct {
	cols map[string]int
	rows [][]string
}

func readCSVTable(r io.Reader, required ...string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, lineError(1, "no header: %v", err)
	}
	t := &csvTable{cols: map[string]int{}}
	for i, h := range header {
		t.cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, n := range required {
		if _, ok := t.cols[n]; !ok {
			return nil, lineError(1, "missing column %q", n)
		}
	}
	if t.rows, err = cr.ReadAll(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *csvTable) get(row []string, names ...string) string {
	for _, n := range names {
		if i, ok := t.cols[n]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
	}
	return ""
}

// counts reads the named columns into dst, in order.
func (t *csvTable) counts(row []string, dst []*uint64, names ...[]string) error {
	for i, n := range names {
		v, err := count(t.get(row, n...))
		if err != nil {
			return fmt.Errorf("%s: %v", n[0], err)
		}
		*dst[i] = v
	}
	return nil
}

// cicTime reads CICFlowMeter's timestamp: day first, 12- or 24-hour.
func cicTime(s string) (int64, error) {
	for _, l := range []string{"02/01/2006 03:04:05 PM", "02/01/2006 15:04:05", "02/01/2006 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixNano(), nil
		}
	}
	return 0, fmt.Errorf("bad Timestamp %q", s)
}

func readCIC(br *bufio.Reader) (*part, error) {
	t, err := readCSVTable(br, "src ip", "dst ip", "protocol", "timestamp", "flow duration")
	if err != nil {
		return nil, err
	}
	res := &Result{Bytes: PayloadBytes, Payload: true, Directions: true, Durations: true, StartStep: time.Second,
		DurationStep: time.Microsecond, Clock: ClockLocal, Orientation: OrientFirstPacket,
		Timeouts: Timeouts{By: TimeoutsExporter, Text: "CICFlowMeter's own flow timeout (120 s by default) and activity timeout (5 s)"},
		Notes:    []string{"CICFlowMeter gives flag counts for both directions together, not per direction: TCP states are not known."}}
	for i, row := range t.rows {
		if f, err := cicFlow(t, row); err != nil {
			return nil, lineError(i+2, "%v", err)
		} else {
			res.Records++
			res.Flows = append(res.Flows, f)
		}
	}
	return &part{res: res}, nil
}

func cicFlow(t *csvTable, row []string) (flow.Flow, error) {
	start, err := cicTime(t.get(row, "timestamp"))
	if err != nil {
		return flow.Flow{}, err
	}
	us, err := strconv.ParseInt(t.get(row, "flow duration"), 10, 64)
	if err != nil || us < 0 {
		return flow.Flow{}, fmt.Errorf("bad Flow Duration %q", t.get(row, "flow duration"))
	}
	proto, ok := ianaProto(t.get(row, "protocol"))
	o, e1 := addr(t.get(row, "src ip"))
	r, e2 := addr(t.get(row, "dst ip"))
	sp, e3 := parsePort(t.get(row, "src port"), "")
	dp, e4 := parsePort(t.get(row, "dst port"), "")
	if !ok || e1 != nil || e2 != nil || e3 != nil || e4 != nil {
		return flow.Flow{}, fmt.Errorf("bad Protocol, Src IP, Dst IP, Src Port or Dst Port")
	}
	f := newFlow(proto, o, r, sp, dp, start, start+us*1000)
	err = t.counts(row, []*uint64{&f.OrigPackets, &f.RespPackets, &f.OrigBytes, &f.RespBytes},
		[]string{"tot fwd pkts", "total fwd packets"}, []string{"tot bwd pkts", "total backward packets"},
		[]string{"totlen fwd pkts", "total length of fwd packets"}, []string{"totlen bwd pkts", "total length of bwd packets"})
	f.OrigPayload, f.RespPayload = f.OrigBytes, f.RespBytes
	if proto != flow.TCP {
		f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
	}
	return f, err
}

func readNFStream(br *bufio.Reader) (*part, error) {
	t, err := readCSVTable(br, "src_ip", "dst_ip", "protocol", "bidirectional_first_seen_ms", "bidirectional_last_seen_ms",
		"src2dst_packets", "dst2src_packets", "src2dst_bytes", "dst2src_bytes")
	if err != nil {
		return nil, err
	}
	res := &Result{Bytes: WireBytes, Directions: true, Durations: true, StartStep: time.Millisecond,
		DurationStep: time.Millisecond, Clock: ClockUTC, Orientation: OrientFirstPacket,
		Timeouts: Timeouts{By: TimeoutsExporter, Text: "NFStream's own: idle_timeout 120 s and active_timeout 1800 s by default"}}
	for i, row := range t.rows {
		f, err := nfstreamFlow(t, row)
		if err != nil {
			return nil, lineError(i+2, "%v", err)
		}
		res.Records++
		res.Flows = append(res.Flows, f)
	}
	return &part{res: res}, nil
}

func nfstreamFlow(t *csvTable, row []string) (flow.Flow, error) {
	first, e1 := strconv.ParseInt(t.get(row, "bidirectional_first_seen_ms"), 10, 64)
	last, e2 := strconv.ParseInt(t.get(row, "bidirectional_last_seen_ms"), 10, 64)
	proto, ok := ianaProto(t.get(row, "protocol"))
	o, e3 := addr(t.get(row, "src_ip"))
	r, e4 := addr(t.get(row, "dst_ip"))
	sp, e5 := parsePort(t.get(row, "src_port"), "")
	dp, e6 := parsePort(t.get(row, "dst_port"), "")
	for _, e := range []error{e1, e2, e3, e4, e5, e6} {
		if e != nil || !ok {
			return flow.Flow{}, fmt.Errorf("bad first/last seen, protocol, address or port")
		}
	}
	f := newFlow(proto, o, r, sp, dp, first*1e6, last*1e6)
	err := t.counts(row, []*uint64{&f.OrigPackets, &f.RespPackets, &f.OrigBytes, &f.RespBytes},
		[]string{"src2dst_packets"}, []string{"dst2src_packets"}, []string{"src2dst_bytes"}, []string{"dst2src_bytes"})
	if a := t.get(row, "application_name"); a != "" && a != "Unknown" {
		f.App = a
	}
	f.ServerName = t.get(row, "requested_server_name")
	if proto != flow.TCP {
		f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
	}
	return f, err
}
