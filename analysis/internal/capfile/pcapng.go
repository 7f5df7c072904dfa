package capfile

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"

	"github.com/gopacket/gopacket/layers"
)

// pcapng block types pcaplab reads; every other block is skipped whole.
const (
	blockSHB = 0x0a0d0d0a // section header
	blockIDB = 1          // interface description
	blockPB  = 2          // packet (obsolete)
	blockSPB = 3          // simple packet
	blockEPB = 6          // enhanced packet
)

// maxInterfaces bounds the interfaces one section may declare (each
// costs a few dozen bytes; a real capture has a handful).
const maxInterfaces = 1 << 16

// maxSeconds is the latest second whose nanoseconds fit in an int64
// (2262-04-11).
const maxSeconds = 9223372035

// ngState is what a pcapng reader knows of the current section.
type ngState struct {
	big    bool // byte order of the section
	skip   bool // the section has a version pcaplab cannot read
	ifaces []ngIface
}

// ngIface is an interface description: its link type, snap length and how
// to turn its timestamps into nanoseconds.
type ngIface struct {
	link   layers.LinkType
	snap   uint32
	units  uint64 // timestamp units per second (if_tsresol)
	offset int64  // seconds added to every timestamp (if_tsoffset)
}

func (r *Reader) u16(b []byte) uint16 {
	if r.ng.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.ng.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// ngStart reads the first section header.
func (r *Reader) ngStart() error {
	at := r.src.offset()
	if !r.src.fill(12) {
		return fmt.Errorf("file ends inside the header")
	}
	if err := r.section(at); err != nil {
		if err == io.ErrUnexpectedEOF {
			return fmt.Errorf("file ends inside the header")
		}
		return err
	}
	return nil
}

// ngNext reads blocks until a packet block, and returns its packet. Every
// block function starts at the block's first byte.
func (r *Reader) ngNext(rec *Record) ([]byte, error) {
	s := r.src
	for {
		at := s.offset()
		if !s.fill(12) {
			if s.atEOF() {
				return nil, io.EOF
			}
			return nil, s.unexpected()
		}
		h := s.buf[s.r : s.r+8]
		typ := r.u32(h)
		if typ == blockSHB {
			if err := r.section(at); err != nil {
				return nil, err
			}
			continue
		}
		length := r.u32(h[4:])
		if length < 12 || length%4 != 0 {
			return nil, damaged(at, "block of type 0x%x has length %d, not a multiple of 4 of at least 12 (damaged block header)", typ, length)
		}
		var err error
		switch {
		case r.ng.skip:
			err = r.skipBlock(at, length, 0)
		case typ == blockEPB || typ == blockPB:
			return r.packetBlock(at, typ, length, rec)
		case typ == blockSPB:
			return r.simplePacket(at, length, rec)
		case typ == blockIDB:
			err = r.iface(at, length)
		default: // name resolution, statistics, secrets, custom …: not kept
			err = r.skipBlock(at, length, 0)
		}
		if err != nil {
			return nil, err
		}
	}
}

// skipBlock skips the rest of a block of which used bytes were consumed,
// and checks its trailing copy of the length.
func (r *Reader) skipBlock(at int64, length uint32, used int64) error {
	s := r.src
	if !s.skip(int64(length) - used - 4) {
		return r.endedInside(at, length)
	}
	if !s.fill(4) {
		return r.endedInside(at, length)
	}
	if t := r.u32(s.take(4)); t != length {
		return damaged(at, "block length %d differs from its trailing copy %d (damaged block)", length, t)
	}
	return nil
}

// endedInside is the error of a stream that ends inside a block: a cut
// file, or, when the block claims far more than was left, a damaged
// length.
func (r *Reader) endedInside(at int64, length uint32) error {
	s := r.src
	if s.err != nil && s.err != io.EOF {
		return s.err
	}
	end := s.base + int64(s.w)
	if over := at + int64(length) - end; over > 16<<20 {
		return damaged(at, "block claims %d bytes, %d more than the file holds (damaged block length)", length, over)
	}
	return io.ErrUnexpectedEOF
}

// section reads a section header block: its byte order, its version, and
// forgets the interfaces of the previous section.
func (r *Reader) section(at int64) error {
	s := r.src
	h := s.buf[s.r : s.r+12]
	switch binary.LittleEndian.Uint32(h[8:]) {
	case 0x1a2b3c4d:
		r.ng.big = false
	case 0x4d3c2b1a:
		r.ng.big = true
	default:
		return damaged(at, "section header with byte-order magic 0x%x (damaged block)", binary.LittleEndian.Uint32(h[8:]))
	}
	length := r.u32(h[4:])
	if length < 28 || length%4 != 0 {
		return damaged(at, "section header has length %d, not a multiple of 4 of at least 28 (damaged block header)", length)
	}
	if !s.fill(16) {
		return r.endedInside(at, length)
	}
	major := r.u16(s.buf[s.r+12:])
	s.take(16)
	r.ng.ifaces = r.ng.ifaces[:0]
	r.ng.skip = major != 1 // the format says to skip a section of a version one cannot read
	return r.skipBlock(at, length, 16)
}

// iface reads an interface description block: link type, snap length,
// and the two options that change timestamps (if_tsresol, if_tsoffset).
func (r *Reader) iface(at int64, length uint32) error {
	s := r.src
	if length < 20 {
		return damaged(at, "interface description of %d bytes, less than 20 (damaged block)", length)
	}
	if len(r.ng.ifaces) >= maxInterfaces {
		return damaged(at, "more than %d interfaces in one section", maxInterfaces)
	}
	if !s.fill(16) {
		return r.endedInside(at, length)
	}
	b := s.take(16)
	f := ngIface{link: layers.LinkType(r.u16(b[8:])), snap: r.u32(b[12:]), units: 1e6}
	used := int64(16)
	for end := int64(length) - 4; used+4 <= end; {
		if !s.fill(4) {
			return r.endedInside(at, length)
		}
		o := s.take(4)
		code, olen := r.u16(o), int64(r.u16(o[2:]))
		used += 4
		if code == 0 {
			break
		}
		padded := (olen + 3) &^ 3
		if used+padded > end {
			return damaged(at, "interface option %d of %d bytes runs past its block (damaged block)", code, olen)
		}
		if !s.fill(int(padded)) {
			return r.endedInside(at, length)
		}
		v := s.take(int(padded))
		used += padded
		if err := f.option(r, code, v[:olen]); err != nil {
			return damaged(at, "interface %d: %v", len(r.ng.ifaces), err)
		}
	}
	r.ng.ifaces = append(r.ng.ifaces, f)
	r.declare(f.link)
	return r.skipBlock(at, length, used)
}

// option applies one interface option.
func (f *ngIface) option(r *Reader, code uint16, v []byte) error {
	switch {
	case code == 9 && len(v) >= 1: // if_tsresol: 10^-n, or 2^-n with the top bit
		e := uint(v[0] & 0x7f)
		if v[0]&0x80 != 0 {
			if e > 63 {
				return fmt.Errorf("timestamp resolution 2^-%d is finer than pcaplab reads", e)
			}
			f.units = 1 << e
			return nil
		}
		if e > 19 {
			return fmt.Errorf("timestamp resolution 10^-%d is finer than pcaplab reads", e)
		}
		f.units = 1
		for range e {
			f.units *= 10
		}
	case code == 14 && len(v) >= 8: // if_tsoffset, seconds
		if r.ng.big {
			f.offset = int64(binary.BigEndian.Uint64(v))
		} else {
			f.offset = int64(binary.LittleEndian.Uint64(v))
		}
	}
	return nil
}

// time converts a timestamp of the interface to nanoseconds since the
// epoch, reporting false when it is not between 1970 and 2262.
func (f *ngIface) time(ts uint64) (int64, bool) {
	sec, frac := ts/f.units, ts%f.units
	if sec > 1<<62 || f.offset > 1<<62 || f.offset < -1<<62 {
		return 0, false
	}
	s := int64(sec) + f.offset // both below 2^62: no overflow
	if s < 0 || s > maxSeconds {
		return 0, false
	}
	hi, lo := bits.Mul64(frac, 1e9)
	ns, _ := bits.Div64(hi, lo, f.units) // frac < units, so the quotient is below 1e9
	return s*1e9 + int64(ns), true
}

// inPlace is the longest block read whole into the buffer; a longer one
// (a record of more than MaxRecord bytes, or huge options) has its record
// copied out and the rest skipped.
const inPlace = bufSize / 2

// packetBlock reads an enhanced (or obsolete) packet block: interface,
// timestamp, lengths and data; its options are skipped.
func (r *Reader) packetBlock(at int64, typ, length uint32, rec *Record) ([]byte, error) {
	s := r.src
	if length < 32 {
		return nil, damaged(at, "packet block of %d bytes, less than 32 (damaged block)", length)
	}
	if !s.fill(min(int(length), inPlace)) {
		return nil, r.endedInside(at, length)
	}
	b := s.buf[s.r+8 : s.r+28]
	id := int(r.u32(b))
	if typ == blockPB {
		id = int(r.u16(b))
	}
	capLen := r.u32(b[12:])
	rec.WireLen = int(r.u32(b[16:]))
	if id >= len(r.ng.ifaces) {
		return nil, damaged(at, "packet of interface %d, but the section declares %d (damaged block)", id, len(r.ng.ifaces))
	}
	f := &r.ng.ifaces[id]
	rec.LinkType = f.link
	var ok bool
	if rec.Time, ok = f.time(uint64(r.u32(b[4:]))<<32 | uint64(r.u32(b[8:]))); !ok {
		rec.BadTime = true
	}
	if (int64(capLen)+3)&^3 > int64(length)-32 {
		return nil, damaged(at, "captured length %d does not fit in its block of %d bytes (damaged block)", capLen, length)
	}
	return r.packetData(at, length, 28, capLen, rec)
}

// packetData returns the data of a packet block whose header (hdr bytes)
// is parsed: in place when the whole block is in the buffer, copied (at
// most MaxRecord bytes) otherwise; the block is consumed.
func (r *Reader) packetData(at int64, length uint32, hdr int, capLen uint32, rec *Record) ([]byte, error) {
	s := r.src
	n := int(min(capLen, MaxRecord))
	rec.CapLen, rec.Cut = n, capLen > MaxRecord
	if int(length) <= inPlace {
		b := s.buf[s.r : s.r+int(length)]
		if t := r.u32(b[length-4:]); t != length {
			return nil, damaged(at, "block length %d differs from its trailing copy %d (damaged block)", length, t)
		}
		s.r += int(length)
		return b[hdr : hdr+n], nil
	}
	s.take(hdr)
	data, err := r.copyRecord(n)
	if err != nil {
		return nil, r.endedInside(at, length)
	}
	return data, r.skipBlock(at, length, int64(hdr+n))
}

// copyRecord copies n available-or-not bytes out of the stream, for a
// record whose rest will be skipped (which may reuse the buffer).
func (r *Reader) copyRecord(n int) ([]byte, error) {
	if !r.src.fill(n) {
		return nil, r.src.unexpected()
	}
	if r.cut == nil {
		r.cut = make([]byte, MaxRecord)
	}
	return r.cut[:copy(r.cut, r.src.take(n))], nil
}

// simplePacket reads a simple packet block: no interface number (the
// first), no timestamp (BadTime), the wire length, and the data up to the
// snap length.
func (r *Reader) simplePacket(at int64, length uint32, rec *Record) ([]byte, error) {
	s := r.src
	if length < 16 {
		return nil, damaged(at, "simple packet block of %d bytes, less than 16 (damaged block)", length)
	}
	if len(r.ng.ifaces) == 0 {
		return nil, damaged(at, "packet before any interface description (damaged section)")
	}
	if !s.fill(min(int(length), inPlace)) {
		return nil, r.endedInside(at, length)
	}
	f := &r.ng.ifaces[0]
	rec.WireLen = int(r.u32(s.buf[s.r+8:]))
	rec.LinkType, rec.BadTime = f.link, true
	capLen := min(uint32(rec.WireLen), length-16)
	if f.snap != 0 {
		capLen = min(capLen, f.snap)
	}
	return r.packetData(at, length, 12, capLen, rec)
}
