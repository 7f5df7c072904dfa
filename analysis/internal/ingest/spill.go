package ingest

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// DefaultSpillAfter is how many finished flows are kept in memory before
// they go to a temporary file instead (see Config.SpillAfter): some 6 MB of
// records. At 200 000, a capture of a million flows peaked 25 MB above one
// of 100 000 (the records kept before spilling, then the run buffer); at
// 100 000 summary's peak is within 1.2× of it.
const DefaultSpillAfter = 100_000

// finished holds the finished flows as compact records (see appendFlow:
// about 60 bytes, no pointers, so the collector never scans them): in
// memory, found by creation number (the order of their first packets,
// which is start order but where flows start at the same time or packets
// come out of time order, so sorting them at the end has little to move),
// or, past spillAfter flows, in a spill file.
type finished struct {
	spillAfter int
	recs       [][]byte // records, in chunks of recChunk bytes (see newChunk)
	mapped     []bool   // whether each chunk is outside the heap
	at         []int64  // by creation number: 1 + the record's position (chunk*recChunk + offset); 0: still live
	n          int
	spill      *FlowSpill
	err        error
	buf        []byte
}

// recChunk is the size of a chunk of records: 1 MiB, some 8 000 flows
// (see newChunk for where chunks live).
const recChunk = 1 << 20

func (d *finished) keep(f *flow.Flow, seq int) {
	d.n++
	if d.spill == nil && d.spillAfter > 0 && d.n > d.spillAfter {
		d.startSpill()
	}
	d.buf = appendFlow(d.buf[:0], f)
	if d.spill != nil {
		if err := d.spill.write(d.buf); err != nil && d.err == nil {
			d.err = err
		}
		return
	}
	last := len(d.recs) - 1
	if last < 0 || len(d.recs[last])+len(d.buf) > recChunk {
		c, mapped := newChunk(recChunk)
		d.recs, d.mapped = append(d.recs, c), append(d.mapped, mapped)
		last++
	}
	pos := int64(last)*recChunk + int64(len(d.recs[last]))
	d.recs[last] = append(d.recs[last], d.buf...) // within the chunk: never moved
	for len(d.at) <= seq {
		d.at = append(d.at, 0)
	}
	d.at[seq] = pos + 1
}

// record returns the record of creation number seq, nil for a hole.
func (d *finished) record(seq int) []byte {
	p := d.at[seq] - 1
	if p < 0 {
		return nil
	}
	c := d.recs[p/recChunk][p%recChunk:]
	return c[:recordLen(c)]
}

// each calls fn for every flow kept in memory, in creation order, with a
// flow that is reused for the next one.
func (d *finished) each(fn func(*flow.Flow)) {
	var f flow.Flow
	names := interner{}
	for seq := range d.at {
		if r := d.record(seq); r != nil {
			decodeFlow(r, &f, &names)
			fn(&f)
		}
	}
}

// startSpill moves the flows kept so far into a new spill file, in start
// order; if no file can be made, everything stays in memory.
func (d *finished) startSpill() {
	sp, err := newSpill()
	if err != nil {
		d.err, d.spillAfter = err, -1
		return
	}
	for seq := range d.at {
		if r := d.record(seq); r != nil && err == nil {
			err = sp.write(r)
		}
	}
	d.release()
	d.spill, d.err = sp, err
}

// release gives back the memory of the records.
func (d *finished) release() {
	for i, c := range d.recs {
		freeChunk(c, d.mapped[i])
	}
	d.recs, d.mapped, d.at = nil, nil, nil
}

// sorted returns the flows kept in memory in start order: they are in
// creation order already, which is start order but where flows start at
// the same time or packets came out of time order, so they are sorted
// only where a flow is found out of order (a stable sort of the rest).
func (d *finished) sorted() []flow.Flow {
	out := make([]flow.Flow, 0, d.n)
	names := interner{}
	inOrder := true
	for seq := range d.at {
		if r := d.record(seq); r != nil {
			out = append(out, flow.Flow{})
			n := len(out)
			decodeFlow(r, &out[n-1], &names)
			if n > 1 && inOrder && flow.Less(&out[n-1], &out[n-2]) {
				inOrder = false
			}
		}
	}
	d.release()
	if !inOrder {
		sortByIndex(out)
	}
	return out
}

// sortByIndex sorts flows stably by start (flow.Less) through an index,
// so the sort moves 4-byte indexes instead of 232-byte flows, then puts
// each flow in its place once, following the permutation's cycles.
func sortByIndex(fl []flow.Flow) {
	idx := make([]int32, len(fl))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(i, j int32) int {
		switch {
		case flow.Less(&fl[i], &fl[j]):
			return -1
		case flow.Less(&fl[j], &fl[i]):
			return 1
		}
		return 0
	})
	for i := range idx { // position i takes flow idx[i]
		if idx[i] < 0 || int(idx[i]) == i {
			continue
		}
		tmp := fl[i]
		j := i
		for {
			k := int(idx[j])
			idx[j] = -1
			if k == i {
				fl[j] = tmp
				break
			}
			fl[j] = fl[k]
			j = k
		}
	}
}

// SortFlows orders flows by start, then protocol, addresses and ports.
func SortFlows(fl []flow.Flow) {
	sort.Slice(fl, func(i, j int) bool { return flow.Less(&fl[i], &fl[j]) })
}

// A record is: its length (2 bytes), the protocol, the two addresses'
// kinds, the flags, state, end reason and opening (1 byte each), the ICMP
// error and the ports (2 bytes each), the addresses (4 or 16 bytes each),
// the start (8 bytes, where the sort reads it), ten numbers as varints (end
// minus start, packets, bytes and payload each way, RTT, transfer times),
// and three strings (history, application, server name) of a length byte
// and the bytes; little-endian. With the varints a flow of the generator's
// traffic takes 56.5 bytes on average, about half the fixed-width layout's:
// 100 000 flows hold 5.6 MB.
const (
	recordHead = 15     // bytes before the addresses
	recordNums = 8 + 10 // the start and ten one-byte varints at least
)

// Address kinds in a record's flag byte, two bits per address.
const (
	addrNone = 0
	addr4    = 1
	addr16   = 2
)

func addrKind(a netip.Addr) byte {
	switch {
	case a.Is4():
		return addr4
	case a.IsValid():
		return addr16
	}
	return addrNone
}

func appendAddr(b []byte, a netip.Addr) []byte {
	switch {
	case a.Is4():
		v := a.As4()
		return append(b, v[:]...)
	case a.IsValid():
		v := a.As16()
		return append(b, v[:]...)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	s = s[:min(len(s), 255)]
	return append(append(b, byte(len(s))), s...)
}

// appendFlow appends a flow's record to b.
func appendFlow(b []byte, f *flow.Flow) []byte {
	le := binary.LittleEndian
	start := len(b)
	b = append(b, 0, 0, byte(f.Proto), addrKind(f.Orig)|addrKind(f.Resp)<<2, byte(f.OrigFlags), byte(f.RespFlags),
		byte(f.State), byte(f.Ended), byte(f.Opening))
	b = le.AppendUint16(b, uint16(f.ICMPError))
	b = le.AppendUint16(b, f.OrigPort)
	b = le.AppendUint16(b, f.RespPort)
	b = appendAddr(b, f.Orig)
	b = appendAddr(b, f.Resp)
	b = le.AppendUint64(b, uint64(f.First))
	b = binary.AppendVarint(b, f.Last-f.First)
	for _, v := range [...]uint64{f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes, f.OrigPayload, f.RespPayload} {
		b = binary.AppendUvarint(b, v)
	}
	for _, v := range [...]time.Duration{f.RTT, f.OrigTransfer, f.RespTransfer} { // -1: none
		b = binary.AppendVarint(b, int64(v))
	}
	b = appendString(b, f.History)
	b = appendString(b, f.App)
	b = appendString(b, f.ServerName)
	le.PutUint16(b[start:], uint16(len(b)-start))
	return b
}

func recordLen(b []byte) int { return int(binary.LittleEndian.Uint16(b)) }

var errBadRecord = errors.New("damaged flow record")

// decodeFlow reads a record of appendFlow into f; the few distinct
// histories and application names are shared through names.
func decodeFlow(b []byte, f *flow.Flow, names *interner) error {
	if len(b) < recordHead || len(b) != recordLen(b) {
		return errBadRecord
	}
	le := binary.LittleEndian
	*f = flow.Flow{Proto: flow.Proto(b[2]), OrigFlags: flow.Flags(b[4]), RespFlags: flow.Flags(b[5]),
		State: flow.State(b[6]), Ended: flow.EndReason(b[7]), Opening: flow.Msg(b[8]),
		ICMPError: flow.ICMPError(le.Uint16(b[9:])), OrigPort: le.Uint16(b[11:]), RespPort: le.Uint16(b[13:])}
	rest := b[recordHead:]
	var ok bool
	if f.Orig, rest, ok = decodeAddr(rest, b[3]&3); !ok {
		return errBadRecord
	}
	if f.Resp, rest, ok = decodeAddr(rest, b[3]>>2&3); !ok {
		return errBadRecord
	}
	if len(rest) < recordNums {
		return errBadRecord
	}
	f.First = int64(le.Uint64(rest))
	rest = rest[8:]
	var d int64
	if d, rest, ok = varint(rest); !ok {
		return errBadRecord
	}
	f.Last = f.First + d
	for _, v := range [...]*uint64{&f.OrigPackets, &f.RespPackets, &f.OrigBytes, &f.RespBytes, &f.OrigPayload, &f.RespPayload} {
		n, k := binary.Uvarint(rest)
		if k <= 0 {
			return errBadRecord
		}
		*v, rest = n, rest[k:]
	}
	for _, v := range [...]*time.Duration{&f.RTT, &f.OrigTransfer, &f.RespTransfer} {
		if d, rest, ok = varint(rest); !ok {
			return errBadRecord
		}
		*v = time.Duration(d)
	}
	for i, s := range []*string{&f.History, &f.App, &f.ServerName} {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return errBadRecord
		}
		v := rest[1 : 1+int(rest[0])]
		switch {
		case len(v) == 0:
		case i < 2: // a few hundred histories and application names at most
			*s = names.intern(v)
		default:
			*s = string(v)
		}
		rest = rest[1+len(v):]
	}
	return nil
}

// varint reads a varint and returns the bytes after it.
func varint(b []byte) (int64, []byte, bool) {
	v, k := binary.Varint(b)
	if k <= 0 {
		return 0, b, false
	}
	return v, b[k:], true
}

func decodeAddr(b []byte, kind byte) (netip.Addr, []byte, bool) {
	switch kind {
	case addrNone:
		return netip.Addr{}, b, true
	case addr4:
		if len(b) >= 4 {
			return netip.AddrFrom4([4]byte(b[:4])), b[4:], true
		}
	case addr16:
		if len(b) >= 16 {
			return netip.AddrFrom16([16]byte(b[:16])), b[16:], true
		}
	}
	return netip.Addr{}, b, false
}
