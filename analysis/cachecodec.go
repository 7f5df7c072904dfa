package analysis

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// The cached model's three big parts — the flows, the DNS transactions and
// the two 65 536-entry port arrays — are written in a compact binary form
// of their own: with gob, which decodes every field through reflection,
// opening the cached model of the 1.1 GB benchmark capture (115 000 flows,
// 58 000 DNS transactions) took 250–550 ms in a fresh process, most of a
// notebook cell's budget; with this codec it takes about a tenth of that.
// The rest of the model (hosts, bins, counters) is small and stays gob.
// TestCacheCodecCoversEveryField fills every field of these types, so a
// field added later that the codec does not carry fails there.

// encoder appends values to a byte slice: unsigned and signed varints,
// length-prefixed strings and addresses.
type encoder struct{ b []byte }

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

func (e *encoder) string(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) addr(a netip.Addr) {
	b, _ := a.MarshalBinary() // never fails
	e.uint(uint64(len(b)))
	e.b = append(e.b, b...)
}

// decoder reads what encoder wrote; the first problem sticks in err and
// every later read returns zero. Strings are interned: a model's histories,
// applications and server names repeat a lot.
type decoder struct {
	b       []byte
	err     error
	strings map[string]string
}

var errCorrupt = errors.New("corrupt cached model")

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bool() bool { return d.uint() != 0 }

// bytes returns the next n bytes (nil once corrupt).
func (d *decoder) bytes(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		d.b = nil
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) string() string {
	b := d.bytes(d.uint())
	if s, ok := d.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	d.strings[s] = s
	return s
}

func (d *decoder) addr() netip.Addr {
	b := d.bytes(d.uint())
	switch len(b) {
	case 0:
		return netip.Addr{}
	case 4:
		return netip.AddrFrom4([4]byte(b))
	case 16:
		return netip.AddrFrom16([16]byte(b))
	}
	var a netip.Addr
	if err := a.UnmarshalBinary(b); err != nil {
		d.err = errCorrupt
	}
	return a
}

// count reads a slice length, at most one element per remaining byte.
func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func encodeFlows(e *encoder, fl []flow.Flow) {
	e.bool(fl != nil)
	e.uint(uint64(len(fl)))
	for i := range fl {
		f := &fl[i]
		e.uint(uint64(f.Proto))
		e.addr(f.Orig)
		e.addr(f.Resp)
		e.uint(uint64(f.OrigPort))
		e.uint(uint64(f.RespPort))
		e.int(f.First)
		e.int(f.Last - f.First)
		for _, v := range [...]uint64{f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes, f.OrigPayload, f.RespPayload} {
			e.uint(v)
		}
		e.uint(uint64(f.OrigFlags))
		e.uint(uint64(f.RespFlags))
		e.string(f.History)
		e.uint(uint64(f.State))
		e.int(int64(f.RTT))
		e.uint(uint64(f.Ended))
		e.uint(uint64(f.ICMPError))
		e.string(f.App)
		e.string(f.ServerName)
		e.uint(uint64(f.Opening))
		e.int(int64(f.OrigTransfer))
		e.int(int64(f.RespTransfer))
	}
}

func decodeFlows(d *decoder) []flow.Flow {
	notNil, n := d.bool(), d.count()
	if !notNil || d.err != nil {
		return nil
	}
	fl := make([]flow.Flow, n)
	for i := range fl {
		f := &fl[i]
		f.Proto = flow.Proto(d.uint())
		f.Orig, f.Resp = d.addr(), d.addr()
		f.OrigPort, f.RespPort = uint16(d.uint()), uint16(d.uint())
		f.First = d.int()
		f.Last = f.First + d.int()
		f.OrigPackets, f.RespPackets = d.uint(), d.uint()
		f.OrigBytes, f.RespBytes = d.uint(), d.uint()
		f.OrigPayload, f.RespPayload = d.uint(), d.uint()
		f.OrigFlags, f.RespFlags = flow.Flags(d.uint()), flow.Flags(d.uint())
		f.History = d.string()
		f.State = flow.State(d.uint())
		f.RTT = time.Duration(d.int())
		f.Ended = flow.EndReason(d.uint())
		f.ICMPError = flow.ICMPError(d.uint())
		f.App, f.ServerName = d.string(), d.string()
		f.Opening = flow.Msg(d.uint())
		f.OrigTransfer, f.RespTransfer = time.Duration(d.int()), time.Duration(d.int())
	}
	return fl
}

func encodeDNS(e *encoder, ts []ingest.DNSTransaction) {
	e.bool(ts != nil)
	e.uint(uint64(len(ts)))
	for i := range ts {
		t := &ts[i]
		e.addr(t.Client)
		e.addr(t.Server)
		e.uint(uint64(t.ClientPort))
		e.uint(uint64(t.ID))
		e.string(t.Name)
		e.uint(uint64(t.QType))
		e.int(t.QueryTime)
		e.int(t.ResponseTime)
		e.bool(t.Answered)
		e.uint(uint64(t.RCode))
		e.uint(uint64(t.Answers))
	}
}

func decodeDNS(d *decoder) []ingest.DNSTransaction {
	notNil, n := d.bool(), d.count()
	if !notNil || d.err != nil {
		return nil
	}
	ts := make([]ingest.DNSTransaction, n)
	for i := range ts {
		t := &ts[i]
		t.Client, t.Server = d.addr(), d.addr()
		t.ClientPort, t.ID = uint16(d.uint()), uint16(d.uint())
		t.Name = d.string()
		t.QType = uint16(d.uint())
		t.QueryTime, t.ResponseTime = d.int(), d.int()
		t.Answered = d.bool()
		t.RCode, t.Answers = uint8(d.uint()), uint16(d.uint())
	}
	return ts
}

// encodePorts writes a port array sparsely: its length, then the index
// (as the gap from the previous one) and counters of each port seen.
func encodePorts(e *encoder, ps []ingest.PortStats) {
	e.bool(ps != nil)
	if ps == nil {
		return
	}
	e.uint(uint64(len(ps)))
	var used []int
	for i := range ps {
		if ps[i] != (ingest.PortStats{}) {
			used = append(used, i)
		}
	}
	e.uint(uint64(len(used)))
	prev := 0
	for _, i := range used {
		p := &ps[i]
		e.uint(uint64(i - prev))
		prev = i
		e.uint(p.Packets)
		e.uint(p.Bytes)
		e.uint(p.AsSource)
		e.uint(p.AsDest)
	}
}

func decodePorts(d *decoder) []ingest.PortStats {
	if !d.bool() {
		return nil
	}
	n := d.uint()
	if n > 1<<16 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return nil
	}
	ps := make([]ingest.PortStats, n)
	used := d.count()
	i := 0
	for range used {
		i += int(d.uint())
		if i >= len(ps) {
			d.err = errCorrupt
			return nil
		}
		p := &ps[i]
		p.Packets, p.Bytes, p.AsSource, p.AsDest = d.uint(), d.uint(), d.uint(), d.uint()
	}
	return ps
}
