package flow

import (
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Labels are what pcaplab concludes about a flow beyond what was counted:
// computed once (by the analysis package) and stored with the flow, so a
// spreadsheet or an SQL engine sees the same names as the report.
type Labels struct {
	Application  string // the flow's application: HTTPS, QUIC, DNS … (analysis.Application)
	IdentifiedBy string // how: payload, port, protocol or -
	Failure      string // the failure class of a failed communication, "" for none
	RespKind     string // the responder address's kind: unicast, multicast, broadcast, unspecified
}

// Record is one row of the flow schema: a flow and its labels.
type Record struct {
	Flow
	Labels
}

// Type is the type of a schema column.
type Type uint8

// Column types.
const (
	Int   Type = iota // 64-bit signed integer
	Float             // 64-bit float
	Text              // UTF-8 text
	Time              // an instant, UTC, microsecond precision in text
)

// Column is one column of the flow schema.
type Column struct {
	Name string
	Type Type
	Doc  string
	get  func(*Record) any             // int64, float64, string or time.Time
	set  func(f *Flow, v string) error // nil: derived or a label, not read back
	text func(*Record) string          // how the CSV writes it (nil: from get)
}

// Value is the column's value for r: an int64, float64, string or
// time.Time according to its Type.
func (c *Column) Value(r *Record) any { return c.get(r) }

// TimeFormat is how the schema writes a Time column as text: RFC 3339 in
// UTC with microseconds, which DuckDB, Spark and spreadsheets read.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

func i64[T ~int64 | ~uint64 | ~uint16 | ~uint8 | ~int](v T) any { return int64(v) }

func setU64(p *uint64) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		*p = v
		return err
	}
}

// Schema is the flow schema: the columns of `pcaplab flows`, of the report's
// tables/flows.csv, of the notebooks' flow table and of the flow store, in
// this order. Counts are signed 64-bit integers (SQL engines differ on
// unsigned ones); a Time column is also given as nanoseconds.
var Schema = []Column{
	{Name: "start_ns", Type: Int, Doc: "first packet, ns since the Unix epoch",
		get: func(r *Record) any { return r.First }, set: func(f *Flow, s string) (err error) { f.First, err = strconv.ParseInt(s, 10, 64); return }},
	{Name: "end_ns", Type: Int, Doc: "last packet, ns since the Unix epoch",
		get: func(r *Record) any { return r.Last }, set: func(f *Flow, s string) (err error) { f.Last, err = strconv.ParseInt(s, 10, 64); return }},
	{Name: "start", Type: Time, Doc: "first packet (UTC)", get: func(r *Record) any { return r.Start() }},
	{Name: "end", Type: Time, Doc: "last packet (UTC)", get: func(r *Record) any { return r.End() }},
	{Name: "duration_s", Type: Float, Doc: "end − start, seconds", get: func(r *Record) any { return r.Duration().Seconds() },
		text: func(r *Record) string { return strconv.FormatFloat(r.Duration().Seconds(), 'f', 6, 64) }},
	{Name: "proto", Type: Text, Doc: "IP protocol: TCP, UDP, ICMP, ICMPv6 … or \"IP protocol N\"",
		get: func(r *Record) any { return r.Proto.String() }, set: setProto},
	{Name: "orig_addr", Type: Text, Doc: "originator's IP address", get: func(r *Record) any { return r.Orig.String() },
		set: func(f *Flow, s string) (err error) { f.Orig, err = netip.ParseAddr(s); return }},
	{Name: "orig_port", Type: Int, Doc: "originator's port (ICMP: identifier, or type)", get: func(r *Record) any { return i64(r.OrigPort) },
		set: func(f *Flow, s string) (err error) { f.OrigPort, err = parsePort(s); return }},
	{Name: "resp_addr", Type: Text, Doc: "responder's IP address", get: func(r *Record) any { return r.Resp.String() },
		set: func(f *Flow, s string) (err error) { f.Resp, err = netip.ParseAddr(s); return }},
	{Name: "resp_port", Type: Int, Doc: "responder's port (ICMP: identifier, or code)", get: func(r *Record) any { return i64(r.RespPort) },
		set: func(f *Flow, s string) (err error) { f.RespPort, err = parsePort(s); return }},
	{Name: "orig_packets", Type: Int, Doc: "packets the originator sent", get: func(r *Record) any { return i64(r.OrigPackets) },
		set: func(f *Flow, s string) error { return setU64(&f.OrigPackets)(s) }},
	{Name: "resp_packets", Type: Int, Doc: "packets the responder sent", get: func(r *Record) any { return i64(r.RespPackets) },
		set: func(f *Flow, s string) error { return setU64(&f.RespPackets)(s) }},
	{Name: "orig_bytes", Type: Int, Doc: "wire bytes the originator sent", get: func(r *Record) any { return i64(r.OrigBytes) },
		set: func(f *Flow, s string) error { return setU64(&f.OrigBytes)(s) }},
	{Name: "resp_bytes", Type: Int, Doc: "wire bytes the responder sent", get: func(r *Record) any { return i64(r.RespBytes) },
		set: func(f *Flow, s string) error { return setU64(&f.RespBytes)(s) }},
	{Name: "orig_payload", Type: Int, Doc: "transport payload bytes the originator sent", get: func(r *Record) any { return i64(r.OrigPayload) },
		set: func(f *Flow, s string) error { return setU64(&f.OrigPayload)(s) }},
	{Name: "resp_payload", Type: Int, Doc: "transport payload bytes the responder sent", get: func(r *Record) any { return i64(r.RespPayload) },
		set: func(f *Flow, s string) error { return setU64(&f.RespPayload)(s) }},
	{Name: "orig_flags", Type: Int, Doc: "TCP flags the originator sent, ORed (FIN 1, SYN 2, RST 4, PSH 8, ACK 16)",
		get: func(r *Record) any { return i64(r.OrigFlags) }, set: func(f *Flow, s string) (err error) { f.OrigFlags, err = parseFlags(s); return }},
	{Name: "resp_flags", Type: Int, Doc: "TCP flags the responder sent, ORed",
		get: func(r *Record) any { return i64(r.RespFlags) }, set: func(f *Flow, s string) (err error) { f.RespFlags, err = parseFlags(s); return }},
	{Name: "state", Type: Text, Doc: "Zeek conn_state", get: func(r *Record) any { return r.State.String() }, set: setState},
	{Name: "history", Type: Text, Doc: "Zeek history (upper case: originator)", get: func(r *Record) any { return r.History },
		set: func(f *Flow, s string) error { f.History = s; return nil }},
	{Name: "rtt_ns", Type: Int, Doc: "TCP handshake round trip, ns (-1: not seen)", get: func(r *Record) any { return int64(r.RTT) },
		set: func(f *Flow, s string) (err error) {
			v, err := strconv.ParseInt(s, 10, 64)
			f.RTT = time.Duration(v)
			return err
		}},
	{Name: "end_reason", Type: Text, Doc: "why the flow ended: eof, idle, reused or evicted", get: func(r *Record) any { return r.Ended.String() },
		set: setEndReason},
	{Name: "icmp_error", Type: Text, Doc: "type/code of the first ICMP error about the flow (\"\": none)",
		get: func(r *Record) any { return r.ICMPError.String() }, set: setICMPError},
	{Name: "payload_app", Type: Text, Doc: "protocol recognised from the payload bytes (TLS, QUIC, HTTP, DNS …)",
		get: func(r *Record) any { return r.App }, set: func(f *Flow, s string) error { f.App = s; return nil }},
	{Name: "server_name", Type: Text, Doc: "TLS SNI or HTTP Host", get: func(r *Record) any { return r.ServerName },
		set: func(f *Flow, s string) error { f.ServerName = s; return nil }},
	{Name: "opening", Type: Text, Doc: "what the originator's first payload was for: request, reply, announce or -",
		get: func(r *Record) any { return r.Opening.String() }, set: setOpening},
	{Name: "orig_transfer_s", Type: Float, Doc: "originator's transfer time: first to last payload segment, idle gaps left out, seconds",
		get:  func(r *Record) any { return r.OrigTransfer.Seconds() },
		text: func(r *Record) string { return strconv.FormatFloat(r.OrigTransfer.Seconds(), 'f', 9, 64) },
		set:  func(f *Flow, s string) (err error) { f.OrigTransfer, err = parseSeconds(s); return }},
	{Name: "resp_transfer_s", Type: Float, Doc: "responder's transfer time, seconds",
		get:  func(r *Record) any { return r.RespTransfer.Seconds() },
		text: func(r *Record) string { return strconv.FormatFloat(r.RespTransfer.Seconds(), 'f', 9, 64) },
		set:  func(f *Flow, s string) (err error) { f.RespTransfer, err = parseSeconds(s); return }},
	{Name: "application", Type: Text, Doc: "the flow's application (label)", get: func(r *Record) any { return r.Application }},
	{Name: "identified_by", Type: Text, Doc: "how the application was identified: payload, port, protocol or - (label)",
		get: func(r *Record) any { return r.IdentifiedBy }},
	{Name: "failure", Type: Text, Doc: "failure class of a failed communication, \"\" for none (label)", get: func(r *Record) any { return r.Failure }},
	{Name: "resp_kind", Type: Text, Doc: "responder address kind: unicast, multicast, broadcast, unspecified (label)",
		get: func(r *Record) any { return r.RespKind }},
	{Name: "orig_addr_key", Type: Text, Doc: "sort key of orig_addr (see AddrKey; hex in CSV, binary in the flow store)",
		get: func(r *Record) any { return hex.EncodeToString(AddrKey(r.Orig)) }},
	{Name: "resp_addr_key", Type: Text, Doc: "sort key of resp_addr", get: func(r *Record) any { return hex.EncodeToString(AddrKey(r.Resp)) }},
	{Name: "pair_slot", Type: Int, Doc: "the host pair's slot in T2.6's array of 2^16 slots (see PairSlot; label)",
		get: func(r *Record) any { return int64(PairSlot(r.Orig, r.Resp)) }},
}

// AddrKey is an address's sort key: 4 or 6, then the address's 4 or 16
// bytes. Keys compare (bytewise, as SQL engines order binary and hex
// text) as netip.Addr.Compare orders addresses: IPv4 before IPv6, then by
// value; SQL over the flow store breaks ties by it as pcaplab does.
func AddrKey(a netip.Addr) []byte {
	if !a.IsValid() {
		return nil
	}
	if a.Is4() {
		b := a.As4()
		return []byte{4, b[0], b[1], b[2], b[3]}
	}
	b := a.As16()
	return append([]byte{6}, b[:]...)
}

// PairSlot is the slot of the host pair {a, b} in T2.6's fixed array of
// 2^16 slots: 32-bit FNV-1a over the 16-byte forms (IPv4 addresses
// IPv4-mapped) of the lower address, then the higher (netip order),
// folded to 16 bits by XOR of its halves. It is a stored label because SQL
// engines share no FNV-1a: with it, a GROUP BY answers T2.6.
func PairSlot(a, b netip.Addr) uint16 {
	if b.Less(a) {
		a, b = b, a
	}
	h := uint32(fnvOffset)
	for _, x := range [2]netip.Addr{a, b} {
		for _, c := range x.As16() {
			h = (h ^ uint32(c)) * fnvPrime
		}
	}
	return uint16(h>>16) ^ uint16(h)
}

// FNV-1a's 32-bit offset basis and prime.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func parsePort(s string) (uint16, error) {
	v, err := strconv.ParseUint(s, 10, 16)
	return uint16(v), err
}

func parseFlags(s string) (Flags, error) {
	v, err := strconv.ParseUint(s, 10, 8)
	return Flags(v), err
}

func setProto(f *Flow, s string) error {
	p, ok := ParseProto(s)
	if !ok {
		return fmt.Errorf("unknown protocol %q", s)
	}
	f.Proto = p
	return nil
}

func setState(f *Flow, s string) error {
	st, ok := ParseState(s)
	if !ok {
		return fmt.Errorf("unknown state %q", s)
	}
	f.State = st
	return nil
}

func setOpening(f *Flow, s string) error {
	m, ok := ParseMsg(s)
	if !ok {
		return fmt.Errorf("unknown opening %q", s)
	}
	f.Opening = m
	return nil
}

// parseSeconds reads seconds written with up to 9 decimals, exactly.
func parseSeconds(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s + "s")
	if err != nil {
		return 0, fmt.Errorf("bad seconds %q", s)
	}
	return d, nil
}

func setEndReason(f *Flow, s string) error {
	e, ok := ParseEndReason(s)
	if !ok {
		return fmt.Errorf("unknown end reason %q", s)
	}
	f.Ended = e
	return nil
}

func setICMPError(f *Flow, s string) error {
	if s == "" {
		f.ICMPError = 0
		return nil
	}
	t, c, ok := strings.Cut(s, "/")
	tv, err1 := strconv.ParseUint(t, 10, 8)
	cv, err2 := strconv.ParseUint(c, 10, 8)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("bad icmp_error %q (want type/code)", s)
	}
	f.ICMPError = MakeICMPError(uint8(tv), uint8(cv))
	return nil
}

// Text writes a column's value for r as the CSV does.
func (c *Column) Text(r *Record) string {
	if c.text != nil {
		return c.text(r)
	}
	switch v := c.get(r).(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.UTC().Format(TimeFormat)
	case string:
		return v
	}
	return ""
}

// Header is the schema's column names.
func Header() []string {
	h := make([]string, len(Schema))
	for i, c := range Schema {
		h[i] = c.Name
	}
	return h
}

// CSVWriter writes records as CSV in the schema's columns, one row at a
// time (nothing is held). Text that a spreadsheet would run as a formula
// is prefixed with ' (names in a capture are chosen by whoever sent the
// packets).
type CSVWriter struct {
	w   *csv.Writer
	rec []string
}

// NewCSVWriter writes the header and returns the writer.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	cw := &CSVWriter{w: csv.NewWriter(w), rec: make([]string, len(Schema))}
	return cw, cw.w.Write(Header())
}

// Write writes one record.
func (w *CSVWriter) Write(r *Record) error {
	for i := range Schema {
		s := Schema[i].Text(r)
		if Schema[i].Type == Text {
			s = safeCell(s)
		}
		w.rec[i] = s
	}
	return w.w.Write(w.rec)
}

// Flush writes what is buffered and reports any error.
func (w *CSVWriter) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// safeCell defuses a text cell that begins like a formula (= + - @ tab
// CR), except a lone "-".
func safeCell(s string) string {
	if len(s) < 2 {
		if s == "=" || s == "+" || s == "@" || s == "\t" || s == "\r" {
			return "'" + s
		}
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// unsafeCell undoes safeCell.
func unsafeCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte("=+-@\t\r", s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// IsCSVHeader reports whether a CSV header line is the schema's.
func IsCSVHeader(line string) bool {
	return strings.HasPrefix(strings.TrimPrefix(line, "\ufeff"), strings.Join(Header()[:4], ","))
}

// ReadCSV reads records written by CSVWriter; only the flow's own columns
// are read (labels are computed again by whoever reads). It stops at the
// first bad row with an error naming its line.
func ReadCSV(r io.Reader, each func(Flow) error) error {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("no header: %v", err)
	}
	cols := make([]*Column, len(head))
	found := map[string]bool{}
	for i, h := range head {
		for j := range Schema {
			if Schema[j].Name == strings.TrimPrefix(h, "\ufeff") && Schema[j].set != nil {
				cols[i] = &Schema[j]
				found[Schema[j].Name] = true
			}
		}
	}
	for _, c := range Schema {
		if c.set != nil && !found[c.Name] {
			return fmt.Errorf("line 1: column %s missing", c.Name)
		}
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		f := Flow{RTT: -1}
		for i, c := range cols {
			if c != nil && i < len(rec) {
				if err := c.set(&f, unsafeCell(rec[i])); err != nil {
					return fmt.Errorf("line %d: %s: %v", line, c.Name, err)
				}
			}
		}
		if err := each(f); err != nil {
			return err
		}
	}
}
