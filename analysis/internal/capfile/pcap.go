package capfile

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/gopacket/gopacket/layers"
)

// pcapHeader reads the 24-byte pcap file header.
func (r *Reader) pcapHeader() error {
	s := r.src
	if !s.fill(24) {
		return fmt.Errorf("file ends inside the header (%d of 24 bytes)", s.avail())
	}
	h := s.take(24)
	magic := binary.LittleEndian.Uint32(h)
	r.pcapBig = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1
	r.format, r.fracNs = FormatPcap, 1000
	if magic == 0xa1b23c4d || magic == 0x4d3cb2a1 {
		r.format, r.fracNs = FormatPcapNs, 1
	}
	if major := r.pcapU16(h[4:]); major != 2 {
		return fmt.Errorf("version %d.%d, not 2.x", major, r.pcapU16(h[6:]))
	}
	r.snaplen = r.pcapU32(h[16:])
	r.declare(layers.LinkType(r.pcapU32(h[20:])))
	return nil
}

func (r *Reader) pcapU16(b []byte) uint16 {
	if r.pcapBig {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) pcapU32(b []byte) uint32 {
	if r.pcapBig {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// pcapNext reads one record: a 16-byte header (seconds, fraction, captured
// length, wire length) and the captured bytes.
func (r *Reader) pcapNext(rec *Record) ([]byte, error) {
	s := r.src
	at := s.offset()
	if !s.fill(16) {
		if s.atEOF() {
			return nil, io.EOF
		}
		return nil, s.unexpected()
	}
	h := s.take(16)
	var sec, frac, capLen, wire uint32
	if r.pcapBig {
		sec, frac = binary.BigEndian.Uint32(h), binary.BigEndian.Uint32(h[4:])
		capLen, wire = binary.BigEndian.Uint32(h[8:]), binary.BigEndian.Uint32(h[12:])
	} else {
		sec, frac = binary.LittleEndian.Uint32(h), binary.LittleEndian.Uint32(h[4:])
		capLen, wire = binary.LittleEndian.Uint32(h[8:]), binary.LittleEndian.Uint32(h[12:])
	}
	// 32-bit seconds and fraction always give a time between 1970 and 2106.
	rec.Time = int64(sec)*1e9 + int64(frac)*r.fracNs
	rec.WireLen = int(wire)
	rec.LinkType = r.links[0]
	if capLen <= MaxRecord {
		n := int(capLen)
		if !s.fill(n) {
			return nil, s.unexpected()
		}
		rec.CapLen = n
		return s.take(n), nil
	}
	if capLen > r.snaplen {
		// libpcap refuses these too: with a length past both limits,
		// the record header is more likely garbage than a packet.
		return nil, damaged(at, "record length %d exceeds the file's snap length %d and the %d-byte maximum (damaged record header)",
			capLen, r.snaplen, MaxRecord)
	}
	data, err := r.copyRecord(MaxRecord)
	if err == nil && !s.skip(int64(capLen-MaxRecord)) {
		err = s.unexpected()
	}
	rec.CapLen, rec.Cut = MaxRecord, true
	return data, err
}
