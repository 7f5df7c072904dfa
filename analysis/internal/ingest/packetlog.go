package ingest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync/atomic"

	"github.com/gopacket/gopacket/layers"
	"github.com/klauspost/compress/zstd"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// A packet log is what the model reads of each record of capture files,
// decoded: the record's time, wire length and link type (not its captured
// length, which the model never reads), whether it was set aside, the
// decoded headers (decode.Packet without the payload and the TCP
// acknowledgement number, also never read), the DNS message parsed from
// it and a DHCP payload's bytes; then per file its name, format, link
// types and warning. Replaying a log (ReplaySegment) gives exactly the
// model and Edge that reading the files gives (TestLogReplay checks every
// capture), so the flow store keeps one per file and never needs the
// capture again: a file that lands before it is stitched from the store
// alone, on any machine.
//
// Records are written as a mask of the fields that are not zero and
// those fields as varints; addresses, MAC addresses and strings as an
// index into a table the log builds as it goes (a literal written the
// first time), times as the difference from the record before. zstd
// (level "fastest") compresses the rest: the generator's capture (1.3 M
// packets, 0.95 GB) logs in 8.2 MB, 6.3 bytes a packet, against 6.6 MB
// for the rest of its store; the shared captures of over 1 000 packets
// take 8.3–14.3 bytes a packet (TestLogReplay logs each).
const logMagic = "pcaplab packet log 1\n"

// Record tags: a record, or the end of a file's records (its FileInfo
// follows).
const (
	tagRecord = 1
	tagEnd    = 2
)

// Fields of a record, in the order they are written; bit i of the mask
// says field i is present (not zero).
const (
	fTime = iota
	fBits
	fAside
	fWireLen
	fRecLink
	fNet
	fEtherType
	fSrc
	fDst
	fProto
	fIPLen
	fFragID
	fSrcPort
	fDstPort
	fTCPFlags
	fSeq
	fICMPType
	fICMPCode
	fICMPID
	fPayloadLen
	fApp
	fName
	fMsg
	fProblem
	fLinkType
	fMAC
	fVLANTags
	fVLANID
	fNonIPEther
	fNonIPDSAP
	fNonIPOUI
	fNonIPPID
	fQProto
	fQSrc
	fQDst
	fQSrcPort
	fQDstPort
	fDNSID
	fDNSFlags
	fDNSAn
	fDNSName
	fDNSQType
	fPayload
	nFields
)

// Boolean facts, packed into the fBits field.
const (
	bBadTime = 1 << iota
	bCut
	bFragment
	bFragFirst
	bMoreFrags
	bHasPorts
	bHasICMP
	bHasMAC
	bNonIPLLC
	bNonIPSNAP
	bQValid
	bQHasPorts
	bDNSOK
)

// logWriter writes a packet log.
type logWriter struct {
	zw   *zstd.Encoder
	buf  []byte // records not yet compressed
	vals [nFields]uint64
	prev int64
	// The tables: IPv4 addresses apart, as a uint32 hashes faster than a
	// netip.Addr. With the chunked writes and the last-MAC cache,
	// BenchmarkPacketLog went from 260 to 202 ns a packet.
	v4    map[uint32]uint64
	addrs map[netip.Addr]uint64
	strs  map[string]uint64
	macs  map[[6]byte]uint64
	err   error

	lastMAC  [6]byte // the last MAC looked up, and its index
	lastMACi uint64
}

// logChunk is how many bytes of records are handed to the compressor at
// once.
const logChunk = 1 << 16

func newLogWriter(w io.Writer) (*logWriter, error) {
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(logWindowBytes))
	if err != nil {
		return nil, err
	}
	l := &logWriter{zw: zw, buf: make([]byte, 0, logChunk+1024), v4: map[uint32]uint64{}, addrs: map[netip.Addr]uint64{},
		strs: map[string]uint64{}, macs: map[[6]byte]uint64{}}
	l.buf = append(l.buf, logMagic...)
	return l, nil
}

// batch logs the records of a batch whose set-asides are decided.
func (l *logWriter) batch(bt *batch) {
	for i := range bt.recs {
		var payload []byte
		if bt.offs[i] >= 0 {
			payload = bt.pkts[i].Payload
		}
		l.record(&bt.recs[i], bt.aside[i], &bt.pkts[i], &bt.dns[i], payload)
	}
}

// record logs one record. A record set aside is only counted, so only
// its record fields are kept.
func (l *logWriter) record(rec *capfile.Record, a aside, p *decode.Packet, msg *dnsMessage, payload []byte) {
	if l.err != nil {
		return
	}
	if a != kept {
		payload = nil // copied before the record was set aside, and not read
	}
	if len(payload) > maxLogPayload { // the batcher keeps no more
		l.err = internalError{fmt.Sprintf("record %d: a kept payload of %d bytes", rec.Index, len(payload))}
		return
	}
	v := &l.vals
	*v = [nFields]uint64{}
	var bits uint64
	if rec.BadTime {
		bits |= bBadTime
	} else {
		v[fTime] = zigzag(rec.Time - l.prev)
		l.prev = rec.Time
	}
	if rec.Cut {
		bits |= bCut
	}
	v[fAside], v[fWireLen], v[fRecLink] = uint64(a), uint64(rec.WireLen), uint64(rec.LinkType)
	if a == kept {
		bits |= l.packet(p)
		if msg.ok {
			bits |= bDNSOK
			v[fDNSID], v[fDNSFlags], v[fDNSAn], v[fDNSQType] = uint64(msg.id), uint64(msg.flags), uint64(msg.an), uint64(msg.qtype)
			v[fDNSName] = l.str(msg.name)
		}
		if payload != nil {
			v[fPayload] = uint64(len(payload)) + 1
		}
	}
	v[fBits] = bits
	l.write(payload)
}

// packet sets a decoded packet's fields and returns its boolean facts.
func (l *logWriter) packet(p *decode.Packet) uint64 {
	v := &l.vals
	v[fNet], v[fEtherType], v[fProto], v[fIPLen] = uint64(p.Net), uint64(p.EtherType), uint64(p.Proto), uint64(p.IPLen)
	v[fSrc], v[fDst] = l.addr(p.Src), l.addr(p.Dst)
	v[fFragID], v[fSrcPort], v[fDstPort] = uint64(p.FragID), uint64(p.SrcPort), uint64(p.DstPort)
	v[fTCPFlags], v[fSeq] = uint64(p.TCPFlags), uint64(p.Seq)
	v[fICMPType], v[fICMPCode], v[fICMPID] = uint64(p.ICMPType), uint64(p.ICMPCode), uint64(p.ICMPID)
	v[fPayloadLen], v[fApp], v[fName], v[fMsg] = uint64(p.PayloadLen), l.str(p.App), l.str(p.Name), uint64(p.Msg)
	v[fProblem], v[fLinkType], v[fVLANTags], v[fVLANID] = uint64(p.Problem), uint64(p.LinkType), uint64(p.VLANTags), uint64(p.VLANID)
	n := p.NonIP
	v[fNonIPEther], v[fNonIPDSAP], v[fNonIPOUI], v[fNonIPPID] = uint64(n.EtherType), uint64(n.DSAP), uint64(n.OUI), uint64(n.PID)
	q := p.Quoted
	v[fQProto], v[fQSrc], v[fQDst], v[fQSrcPort], v[fQDstPort] = uint64(q.Proto), l.addr(q.Src), l.addr(q.Dst), uint64(q.SrcPort), uint64(q.DstPort)
	var bits uint64
	for _, b := range []struct {
		set bool
		bit uint64
	}{{p.Fragment, bFragment}, {p.FragFirst, bFragFirst}, {p.MoreFrags, bMoreFrags}, {p.HasPorts, bHasPorts},
		{p.HasICMP, bHasICMP}, {p.HasMAC, bHasMAC}, {n.LLC, bNonIPLLC}, {n.SNAP, bNonIPSNAP}, {q.Valid, bQValid}, {q.HasPorts, bQHasPorts}} {
		if b.set {
			bits |= b.bit
		}
	}
	if p.HasMAC || p.SrcMAC != ([6]byte{}) {
		v[fMAC] = l.mac(p.SrcMAC)
	}
	return bits
}

// write puts the record's present fields, and the payload, in the log.
func (l *logWriter) write(payload []byte) {
	var mask uint64
	for i, x := range l.vals {
		if x != 0 {
			mask |= 1 << i
		}
	}
	b := append(l.buf, tagRecord)
	b = binary.AppendUvarint(b, mask)
	for _, x := range l.vals {
		if x != 0 {
			b = binary.AppendUvarint(b, x)
		}
	}
	l.buf = append(b, payload...)
	l.flush(false)
}

// flush compresses the records gathered, once there are logChunk bytes
// of them (or all, at the end).
func (l *logWriter) flush(all bool) {
	if l.err != nil || len(l.buf) < logChunk && !all {
		return
	}
	_, l.err = l.zw.Write(l.buf)
	l.buf = l.buf[:0]
}

// addr, str and mac give a value's index in its table (0 is the zero
// value, absent), writing the literal before the record when the value is
// new: a table entry is a record of its own, tag 3 to 5.
func (l *logWriter) addr(a netip.Addr) uint64 {
	if !a.IsValid() {
		return 0
	}
	if a.Is4() {
		k := binary.BigEndian.Uint32(a.AsSlice())
		if i, ok := l.v4[k]; ok {
			return i
		}
		i := l.newAddr(a)
		l.v4[k] = i
		return i
	}
	if i, ok := l.addrs[a]; ok {
		return i
	}
	i := l.newAddr(a)
	l.addrs[a] = i
	return i
}

// newAddr numbers an address not seen before.
func (l *logWriter) newAddr(a netip.Addr) uint64 {
	l.literal(tagAddr, a.AsSlice())
	return uint64(len(l.v4) + len(l.addrs) + 1)
}

func (l *logWriter) str(s string) uint64 {
	if s == "" {
		return 0
	}
	if i, ok := l.strs[s]; ok {
		return i
	}
	if len(s) > maxLogString && l.err == nil {
		l.err = fmt.Errorf("a name of %d bytes, more than a packet log keeps (%d)", len(s), maxLogString)
	}
	i := uint64(len(l.strs) + 1)
	l.strs[s] = i
	l.literal(tagString, []byte(s))
	return i
}

func (l *logWriter) mac(m [6]byte) uint64 {
	if m == l.lastMAC { // a capture's frames come from a few MACs, often the same twice
		return l.lastMACi
	}
	i, ok := l.macs[m]
	if !ok {
		i = uint64(len(l.macs) + 1)
		l.macs[m] = i
		l.literal(tagMAC, m[:])
	}
	l.lastMAC, l.lastMACi = m, i
	return i
}

// Table entries: an address, a string or a MAC address seen for the
// first time, written before the record that refers to it.
const (
	tagAddr   = 3
	tagString = 4
	tagMAC    = 5
)

// Bounds a log's reader holds it to, so that a damaged or hostile log
// (zstd turns a few kB into gigabytes of repeated bytes) costs no more
// memory than the capture it claims to come from would:
//   - a name is at most 255 bytes (decode.MaxName and DNS names are
//     less), and a record brings at most 8 new table entries;
//   - a kept payload (DHCP's) is at most a UDP datagram, 64 KiB, and a
//     batch stops taking records once it holds 4 MiB of them;
//   - a file's name, format, warning and link type at most 64 KiB each,
//     and at most 1 024 link types (the writer refuses more, naming the
//     file, so that no log is written that cannot be read);
//   - the zstd window is 4 MiB (the writer's).
const (
	maxLogString   = 255
	maxLogEntries  = 8
	maxLogPayload  = 1 << 16
	maxBatchArena  = 4 << 20
	maxLogInfo     = 64 << 10
	maxLogLinks    = 1024
	logWindowBytes = 4 << 20
)

func (l *logWriter) literal(tag byte, lit []byte) {
	if l.err != nil {
		return
	}
	l.buf = binary.AppendUvarint(append(l.buf, tag), uint64(len(lit)))
	l.buf = append(l.buf, lit...)
}

// end closes a file's records with its FileInfo (name, format, link
// types, warning; the counts come from the records).
func (l *logWriter) end(fi *FileInfo) {
	if l.err != nil {
		return
	}
	facts := append([]string{fi.Name, fi.Format, fi.Warning}, fi.LinkTypes...)
	if len(fi.LinkTypes) > maxLogLinks {
		l.err = fmt.Errorf("%d link types, more than a packet log keeps (%d)", len(fi.LinkTypes), maxLogLinks)
		return
	}
	for _, s := range facts {
		if len(s) > maxLogInfo {
			l.err = fmt.Errorf("a name, format or warning of %d bytes, more than a packet log keeps (%d)", len(s), maxLogInfo)
			return
		}
	}
	b := append(l.buf, tagEnd)
	for _, s := range facts {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	l.buf = binary.AppendUvarint(b, 0xffffffff) // the list's end
	l.prev = 0                                  // the next file's times start afresh, as the reader's
	l.flush(false)
}

// close flushes the log.
func (l *logWriter) close() error {
	l.flush(true)
	if err := l.zw.Close(); l.err == nil {
		l.err = err
	}
	return l.err
}

func zigzag(x int64) uint64   { return uint64(x<<1) ^ uint64(x>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// logReader reads a packet log back into batches, as the batcher fills
// them from a capture file.
type logReader struct {
	name  string // the log's, for messages
	br    *bufio.Reader
	zr    *zstd.Decoder
	n     int // records of the current file read
	prev  int64
	addrs []netip.Addr
	strs  []string
	macs  [][6]byte
	info  FileInfo     // the current file's, once its end was read
	read  atomic.Int64 // bytes of the log read
	// records and table entries read, for the bound on entries
	records, entries uint64
}

var errLogEnd = errors.New("end of a file's records")

func openLog(name string, r io.Reader) (*logReader, error) {
	l := &logReader{name: name, addrs: []netip.Addr{{}}, strs: []string{""}, macs: [][6]byte{{}}}
	zr, err := zstd.NewReader(countReader{r, &l.read}, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(logWindowBytes))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	l.zr, l.br = zr, bufio.NewReaderSize(zr, 1<<16)
	magic := make([]byte, len(logMagic))
	n, err := io.ReadFull(l.br, magic)
	switch {
	case err == nil && string(magic) == logMagic:
		return l, nil
	case err == nil || n == 0 && err == io.EOF || errors.Is(err, zstd.ErrMagicMismatch):
		err = fmt.Errorf("%s: not a pcaplab packet log", name)
	default:
		err = l.wrap(err)
	}
	zr.Close()
	return nil, err
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// more reports whether another file's records follow.
func (l *logReader) more() (bool, error) {
	_, err := l.br.Peek(1)
	if err == io.EOF {
		return false, nil
	}
	return err == nil, l.wrap(err)
}

func (l *logReader) wrap(err error) error {
	if err == nil || err == errLogEnd {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%s: damaged packet log: %v", l.name, err)
}

// next reads the next record into batch slot i; errLogEnd at the end of
// the file's records (l.info then holds the file's facts).
func (l *logReader) next(bt *batch, i int) error {
	for {
		tag, err := l.br.ReadByte()
		if err != nil {
			return l.wrap(err)
		}
		switch tag {
		case tagRecord:
			return l.wrap(l.record(bt, i))
		case tagAddr, tagString, tagMAC:
			if err := l.literal(tag); err != nil {
				return l.wrap(err)
			}
		case tagEnd:
			return l.wrap(l.end())
		default:
			return l.wrap(fmt.Errorf("record tag %d", tag))
		}
	}
}

// bytes reads a length and that many bytes, at most limit.
func (l *logReader) bytes(limit uint64) ([]byte, error) {
	n, err := binary.ReadUvarint(l.br)
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("a field of %d bytes (at most %d)", n, limit)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(l.br, b)
	return b, err
}

func (l *logReader) literal(tag byte) error {
	if l.entries++; l.entries > maxLogEntries*(l.records+1) {
		return fmt.Errorf("%d table entries for %d records", l.entries, l.records)
	}
	b, err := l.bytes(maxLogString)
	if err != nil {
		return err
	}
	switch tag {
	case tagAddr:
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return fmt.Errorf("an address of %d bytes", len(b))
		}
		l.addrs = append(l.addrs, a)
	case tagString:
		l.strs = append(l.strs, string(b))
	case tagMAC:
		if len(b) != 6 {
			return fmt.Errorf("a MAC address of %d bytes", len(b))
		}
		l.macs = append(l.macs, [6]byte(b))
	}
	return nil
}

func (l *logReader) end() error {
	var list []string
	for {
		n, err := binary.ReadUvarint(l.br)
		if err != nil {
			return err
		}
		if n == 0xffffffff {
			break
		}
		if n > maxLogInfo {
			return fmt.Errorf("a file's name, format, warning or link type of %d bytes (at most %d)", n, maxLogInfo)
		}
		if len(list) == 3+maxLogLinks {
			return fmt.Errorf("more than %d link types in a file", maxLogLinks)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(l.br, b); err != nil {
			return err
		}
		list = append(list, string(b))
	}
	if len(list) < 3 {
		return errors.New("a file's end without its name")
	}
	l.info = FileInfo{Name: list[0], Format: list[1], Warning: list[2], LinkTypes: list[3:]}
	l.n, l.prev = 0, 0
	return errLogEnd
}

// record reads a record's fields into batch slot i.
func (l *logReader) record(bt *batch, i int) error {
	mask, err := binary.ReadUvarint(l.br)
	if err != nil {
		return err
	}
	var v [nFields]uint64
	for f := range nFields {
		if mask&(1<<f) != 0 {
			if v[f], err = binary.ReadUvarint(l.br); err != nil {
				return err
			}
		}
	}
	l.n++
	l.records++
	bits := v[fBits]
	rec := &bt.recs[i]
	*rec = capfile.Record{Index: l.n, WireLen: int(v[fWireLen]), LinkType: layers.LinkType(v[fRecLink]),
		Cut: bits&bCut != 0, BadTime: bits&bBadTime != 0}
	if !rec.BadTime {
		// Times stay where a capture's are, from 1970 on (prev ≥ 0, so a
		// sum past the int64 range comes out negative too): an engine clock
		// that wraps around would sweep forever.
		if l.prev += unzigzag(v[fTime]); l.prev < 0 {
			return fmt.Errorf("record %d: a time before 1970", l.n)
		}
		rec.Time = l.prev
	}
	bt.aside[i], bt.offs[i], bt.dns[i] = aside(v[fAside]), -1, dnsMessage{}
	bt.pkts[i] = decode.Packet{}
	if bt.aside[i] != kept {
		return nil
	}
	if err := l.packet(&v, bits, &bt.pkts[i]); err != nil {
		return err
	}
	if bits&bDNSOK != 0 {
		name, err := lookup(l.strs, v[fDNSName], "string")
		if err != nil {
			return err
		}
		bt.dns[i] = dnsMessage{ok: true, id: uint16(v[fDNSID]), flags: uint16(v[fDNSFlags]), an: uint16(v[fDNSAn]), name: name, qtype: uint16(v[fDNSQType])}
	}
	if n := v[fPayload]; n > 0 {
		if n-1 > maxLogPayload || int(n-1) != keptLen(&bt.pkts[i]) {
			return fmt.Errorf("a payload of %d bytes for a payload length of %d", n-1, bt.pkts[i].PayloadLen)
		}
		bt.offs[i] = len(bt.arena)
		bt.arena = append(bt.arena, make([]byte, n-1)...)
		if _, err := io.ReadFull(l.br, bt.arena[bt.offs[i]:]); err != nil {
			return err
		}
	}
	return nil
}

// lookup gives a table's entry i.
func lookup[T any](table []T, i uint64, what string) (T, error) {
	if i >= uint64(len(table)) {
		var zero T
		return zero, fmt.Errorf("%s %d of %d", what, i, len(table)-1)
	}
	return table[i], nil
}

// packet fills a decoded packet from a record's fields.
func (l *logReader) packet(v *[nFields]uint64, bits uint64, p *decode.Packet) error {
	var errs [7]error
	p.Src, errs[0] = lookup(l.addrs, v[fSrc], "address")
	p.Dst, errs[1] = lookup(l.addrs, v[fDst], "address")
	p.Quoted.Src, errs[2] = lookup(l.addrs, v[fQSrc], "address")
	p.Quoted.Dst, errs[3] = lookup(l.addrs, v[fQDst], "address")
	p.App, errs[4] = lookup(l.strs, v[fApp], "string")
	p.Name, errs[5] = lookup(l.strs, v[fName], "string")
	p.SrcMAC, errs[6] = lookup(l.macs, v[fMAC], "MAC address")
	if err := errors.Join(errs[:]...); err != nil {
		return err
	}
	p.Net, p.EtherType, p.Proto, p.IPLen = decode.Net(v[fNet]), layers.EthernetType(v[fEtherType]), flow.Proto(v[fProto]), int(v[fIPLen])
	p.FragID, p.SrcPort, p.DstPort = uint32(v[fFragID]), uint16(v[fSrcPort]), uint16(v[fDstPort])
	p.TCPFlags, p.Seq = flow.Flags(v[fTCPFlags]), uint32(v[fSeq])
	p.ICMPType, p.ICMPCode, p.ICMPID = uint8(v[fICMPType]), uint8(v[fICMPCode]), uint16(v[fICMPID])
	p.PayloadLen, p.Msg = int(v[fPayloadLen]), flow.Msg(v[fMsg])
	p.Problem, p.LinkType, p.VLANTags, p.VLANID = decode.Problem(v[fProblem]), layers.LinkType(v[fLinkType]), uint8(v[fVLANTags]), uint16(v[fVLANID])
	p.NonIP = decode.NonIP{EtherType: uint16(v[fNonIPEther]), DSAP: uint8(v[fNonIPDSAP]), OUI: uint32(v[fNonIPOUI]), PID: uint16(v[fNonIPPID]),
		LLC: bits&bNonIPLLC != 0, SNAP: bits&bNonIPSNAP != 0}
	p.Quoted.Proto, p.Quoted.SrcPort, p.Quoted.DstPort = flow.Proto(v[fQProto]), uint16(v[fQSrcPort]), uint16(v[fQDstPort])
	p.Quoted.Valid, p.Quoted.HasPorts = bits&bQValid != 0, bits&bQHasPorts != 0
	p.Fragment, p.FragFirst, p.MoreFrags = bits&bFragment != 0, bits&bFragFirst != 0, bits&bMoreFrags != 0
	p.HasPorts, p.HasICMP, p.HasMAC = bits&bHasPorts != 0, bits&bHasICMP != 0, bits&bHasMAC != 0
	return nil
}

// run fills batches with the records of one file of the log, until its
// end (errLogEnd) or an error.
func (l *logReader) run(free, full chan *batch, stop *atomic.Bool) error {
	for {
		bt := <-free
		bt.recs, bt.arena = bt.recs[:0], bt.arena[:0]
		for len(bt.recs) < batchSize && len(bt.arena) < maxBatchArena {
			i := len(bt.recs)
			bt.recs = bt.recs[:i+1]
			if err := l.next(bt, i); err != nil {
				bt.recs = bt.recs[:i]
				bt.point()
				full <- bt
				return err
			}
		}
		bt.point()
		full <- bt
		if stop.Load() {
			return io.EOF
		}
	}
}

// replayFile puts one file of a packet log through the model, as
// readFile puts the capture it was made from.
func (b *builder) replayFile(l *logReader) error {
	var fi FileInfo
	// Progress counts packets only: the bytes are the capture's, which a
	// log's compressed bytes do not measure.
	readErr, err := b.consume(&fi, l.name, func() int64 { return 0 }, l.run)
	if err != nil {
		return err
	}
	if readErr != errLogEnd {
		return readErr
	}
	fi.Name, fi.Format, fi.Warning, fi.LinkTypes = l.info.Name, l.info.Format, l.info.Warning, l.info.LinkTypes
	b.model.Files = append(b.model.Files, fi)
	return nil
}

// ReplaySegment is BuildSegment over a packet log (written by
// BuildSegment) instead of the capture files: the same Model and Edge,
// without the files. name names the log in messages.
func ReplaySegment(name string, r io.Reader, cfg Config, in *Edge) (*Model, *Edge, error) {
	l, err := openLog(name, r)
	if err != nil {
		return nil, nil, err
	}
	defer l.zr.Close()
	b := newBuilder(cfg)
	if in != nil {
		b.restore(in)
	}
	for {
		more, err := l.more()
		if err != nil {
			return nil, nil, err
		}
		if !more {
			break
		}
		if err := b.replayFile(l); err != nil {
			return nil, nil, err
		}
	}
	if len(b.model.Files) == 0 {
		return nil, nil, fmt.Errorf("%s: a packet log without files", name)
	}
	return b.segmentEnd()
}
