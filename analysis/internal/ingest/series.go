package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// PacketFilter selects packets by their outermost IP header and their
// first transport header, the headers the model counts hosts and ports
// from. Zero fields match anything. The two ends, (Host, Port) and (Peer,
// PeerPort), must be the packet's source and destination in either order,
// so Host with Port means "Host's port Port", and all four give one
// conversation.
type PacketFilter struct {
	// Proto is the protocol of the first transport header; a non-first
	// IP fragment has none. 0 with a port means TCP or UDP.
	Proto          flow.Proto
	Host, Peer     netip.Addr
	Port, PeerPort uint16
}

// Match reports whether a decoded packet passes the filter.
func (f *PacketFilter) Match(p *decode.Packet) bool {
	if *f == (PacketFilter{}) {
		return true
	}
	if p.Net != decode.NetIPv4 && p.Net != decode.NetIPv6 {
		return false
	}
	if f.Proto != 0 && (p.Proto != f.Proto || p.Fragment && !p.FragFirst) {
		return false
	}
	withPorts := f.Port != 0 || f.PeerPort != 0
	if withPorts && (!p.HasPorts || f.Proto == 0 && p.Proto != flow.TCP && p.Proto != flow.UDP) {
		return false
	}
	return f.ends(p.Src, p.SrcPort, p.Dst, p.DstPort, withPorts) || f.ends(p.Dst, p.DstPort, p.Src, p.SrcPort, withPorts)
}

// ends reports whether (a, ap) is the filter's first end and (b, bp) its
// second.
func (f *PacketFilter) ends(a netip.Addr, ap uint16, b netip.Addr, bp uint16, ports bool) bool {
	if f.Host.IsValid() && a != f.Host || f.Peer.IsValid() && b != f.Peer {
		return false
	}
	return !ports || (f.Port == 0 || ap == f.Port) && (f.PeerPort == 0 || bp == f.PeerPort)
}

// Series reads the files of a model again, with the same reader and
// decoder, and counts the packets each filter selects in n bins of width
// ns, the first starting at origin ns (a packet before origin or past the
// last bin is not counted): one series per filter, from one reading. The
// records the model set aside (Dropped.BadTime, Dropped.TimeJumps) are
// set aside here too. It fails when a file no longer holds the packets it
// held when the model was built.
func Series(files []FileInfo, origin, width int64, n int, filters []*PacketFilter) ([][]Counter, error) {
	s := &seriesPass{origin: origin, width: width, n: int64(n), filters: filters, out: make([][]Counter, len(filters)),
		dec: decode.New(), hits: make([]bool, len(filters))}
	for i := range s.out {
		s.out[i] = make([]Counter, n)
	}
	for _, fi := range files {
		if fi.Name == "-" {
			return nil, fmt.Errorf("standard input cannot be read a second time: save the capture to a file")
		}
		read := s.file
		if fi.Log != "" {
			read = s.log
		}
		if err := read(fi); err != nil {
			return nil, err
		}
	}
	return s.out, nil
}

// log counts the packets of a file of a flow store from its packet log,
// whose records carry the set-asides the model made.
func (s *seriesPass) log(fi FileInfo) error {
	f, err := os.Open(fi.Log)
	if err != nil {
		return fmt.Errorf("%s: the packet log of %s: %v", fi.Log, fi.Name, errors.Unwrap(err))
	}
	defer f.Close()
	l, err := openLog(fi.Log, bufio.NewReader(f))
	if err != nil {
		return err
	}
	defer l.zr.Close()
	bt := &batch{recs: make([]capfile.Record, 1), pkts: make([]decode.Packet, 1), aside: make([]aside, 1),
		dns: make([]dnsMessage, 1), offs: make([]int, 1)}
	var packets, bytes uint64
	for {
		bt.arena = bt.arena[:0]
		if err := l.next(bt, 0); err == errLogEnd {
			break
		} else if err != nil {
			return err
		}
		rec := &bt.recs[0]
		if bt.aside[0] != kept {
			continue
		}
		packets++
		bytes += uint64(rec.WireLen)
		if rec.Time >= s.origin && (rec.Time-s.origin)/s.width < s.n {
			for i, flt := range s.filters {
				if flt.Match(&bt.pkts[0]) {
					s.out[i][(rec.Time-s.origin)/s.width].add(rec.WireLen)
				}
			}
		}
	}
	if packets != fi.Packets || bytes != fi.Bytes {
		return fmt.Errorf("%s: %d packets, %d bytes in the packet log of %s, %d packets, %d bytes in the store", fi.Log, packets, bytes, fi.Name, fi.Packets, fi.Bytes)
	}
	return nil
}

// seriesPass is the state of Series.
type seriesPass struct {
	origin, width, n int64
	filters          []*PacketFilter
	out              [][]Counter
	dec              *decode.Decoder
	p                decode.Packet
	hits             []bool // the filters the pending record passes
}

// pending is a record read whose time is judged (jumpRule) only once the
// record after it is read.
type pending struct {
	ok   bool
	time int64
	wire int
	bin  int64 // -1: in no bin
}

// file counts the packets of one file.
func (s *seriesPass) file(fi FileInfo) error {
	r, err := capfile.Open(fi.Name)
	if err != nil {
		return err
	}
	defer r.Close()
	var jumps jumpRule
	var packets, bytes uint64
	var last pending
	settle := func(next int64, hasNext bool) {
		if !last.ok || !jumps.keep(last.time, next, hasNext) {
			return
		}
		packets++
		bytes += uint64(last.wire)
		for i, hit := range s.hits {
			if hit && last.bin >= 0 {
				s.out[i][last.bin].add(last.wire)
			}
		}
	}
	for {
		data, rec, err := r.Next()
		if err != nil {
			settle(0, false)
			if err != io.EOF && packets == 0 {
				return err
			}
			break
		}
		settle(rec.Time, !rec.BadTime)
		last = pending{ok: !rec.BadTime, time: rec.Time, wire: rec.WireLen, bin: -1}
		if last.ok && rec.Time >= s.origin && (rec.Time-s.origin)/s.width < s.n {
			last.bin = (rec.Time - s.origin) / s.width
			s.dec.Decode(data, rec.LinkType, &s.p)
			for i, f := range s.filters {
				s.hits[i] = f.Match(&s.p)
			}
		}
	}
	if packets != fi.Packets || bytes != fi.Bytes {
		return fmt.Errorf("%s: %d packets, %d bytes now, %d packets, %d bytes when the capture was opened: the file changed; open it again",
			fi.Name, packets, bytes, fi.Packets, fi.Bytes)
	}
	return nil
}
