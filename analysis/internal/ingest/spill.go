package ingest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// DefaultSpillAfter is how many finished flows are kept in memory before
// they go to a temporary file instead (see Config.SpillAfter).
const DefaultSpillAfter = 200_000

// finished holds the finished flows: in memory at the place of their start
// (the order flows were created, which is the order of their first
// packets, so sorting them by start at the end has little left to do), in
// chunks of chunkSize (growing one slice would copy it again and again),
// or, past spillAfter flows, in a spill file.
type finished struct {
	spillAfter int
	chunks     [][]flow.Flow // by creation number; a flow still live is a hole (invalid Orig)
	n          int
	spill      *FlowSpill
	err        error
}

const chunkSize = 8192

func (d *finished) keep(f *flow.Flow, seq int) {
	d.n++
	if d.spill == nil && d.spillAfter > 0 && d.n > d.spillAfter {
		d.startSpill()
	}
	if d.spill != nil {
		if err := d.spill.add(f); err != nil && d.err == nil {
			d.err = err
		}
		return
	}
	c := seq / chunkSize
	for len(d.chunks) <= c {
		d.chunks = append(d.chunks, nil)
	}
	if d.chunks[c] == nil {
		d.chunks[c] = make([]flow.Flow, chunkSize)
	}
	d.chunks[c][seq%chunkSize] = *f
}

// each calls fn for every flow kept in memory, in creation order.
func (d *finished) each(fn func(*flow.Flow)) {
	for _, c := range d.chunks {
		for i := range c {
			if c[i].Orig.IsValid() {
				fn(&c[i])
			}
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
	d.each(func(f *flow.Flow) {
		if err == nil {
			err = sp.add(f)
		}
	})
	d.chunks, d.spill, d.err = nil, sp, err
}

// sorted returns the flows kept in memory in start order, releasing the
// chunks as they are copied. They are in creation order already, which
// differs from start order only where flows start at the same time or
// packets come out of time order, so the stable sort has little to move.
func (d *finished) sorted() []flow.Flow {
	out := make([]flow.Flow, 0, d.n)
	for i, c := range d.chunks {
		for j := range c {
			if c[j].Orig.IsValid() {
				out = append(out, c[j])
			}
		}
		d.chunks[i] = nil
	}
	d.chunks = nil
	slices.SortStableFunc(out, func(a, b flow.Flow) int {
		switch {
		case flow.Less(&a, &b):
			return -1
		case flow.Less(&b, &a):
			return 1
		}
		return 0
	})
	return out
}

// SortFlows orders flows by start, then protocol, addresses and ports.
func SortFlows(fl []flow.Flow) {
	sort.Slice(fl, func(i, j int) bool { return flow.Less(&fl[i], &fl[j]) })
}

// FlowSpill holds finished flows in an unlinked temporary file, so a huge
// capture's flow records do not stay in memory. The file disappears when
// the process ends. Each record is written compactly (about 150 bytes for
// a TCP flow): fixed-size numbers, addresses of 4 or 16 bytes, strings
// with a length byte.
type FlowSpill struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	buf []byte
	n   int
}

func newSpill() (*FlowSpill, error) {
	f, err := os.CreateTemp("", "pcaplab-flows-*")
	if err != nil {
		return nil, fmt.Errorf("spilling flows to a temporary file: %v", err)
	}
	os.Remove(f.Name()) // unlinked: gone with the process, readable through f
	return &FlowSpill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (s *FlowSpill) add(f *flow.Flow) error {
	s.n++
	s.buf = appendFlow(s.buf[:0], f)
	_, err := s.w.Write(s.buf)
	return err
}

func (s *FlowSpill) flush() error { return s.w.Flush() }

// Len is the number of flows in the file.
func (s *FlowSpill) Len() int { return s.n }

// Each calls fn for every flow, in the order they were written: the first
// Config.SpillAfter in start order, the rest in the order they finished.
// The flow fn gets is reused for the next one: copy what it keeps.
func (s *FlowSpill) Each(fn func(*flow.Flow)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(s.f, 1<<20)
	var f flow.Flow
	names := map[string]string{}
	for i := 0; i < s.n; i++ {
		if err := readFlow(r, &f, names); err != nil {
			return fmt.Errorf("reading spilled flow %d of %d: %v", i+1, s.n, err)
		}
		fn(&f)
	}
	return nil
}

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

// appendFlow encodes a flow record (see FlowSpill).
func appendFlow(b []byte, f *flow.Flow) []byte {
	le := binary.LittleEndian
	b = append(b, byte(f.Proto), addrKind(f.Orig)|addrKind(f.Resp)<<2, byte(f.OrigFlags), byte(f.RespFlags),
		byte(f.State), byte(f.Ended), byte(f.Opening))
	b = le.AppendUint16(b, uint16(f.ICMPError))
	b = le.AppendUint16(b, f.OrigPort)
	b = le.AppendUint16(b, f.RespPort)
	b = appendAddr(b, f.Orig)
	b = appendAddr(b, f.Resp)
	for _, v := range [...]uint64{uint64(f.First), uint64(f.Last), f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes,
		f.OrigPayload, f.RespPayload, uint64(f.RTT), uint64(f.OrigTransfer), uint64(f.RespTransfer)} {
		b = le.AppendUint64(b, v)
	}
	b = appendString(b, f.History)
	b = appendString(b, f.App)
	return appendString(b, f.ServerName)
}

// recordHead is the fixed part of a record before the addresses.
const recordHead = 13

var errBadRecord = errors.New("damaged record")

// readFlow decodes one record written by appendFlow.
func readFlow(r *bufio.Reader, f *flow.Flow, names map[string]string) error {
	var head [recordHead]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	le := binary.LittleEndian
	*f = flow.Flow{Proto: flow.Proto(head[0]), OrigFlags: flow.Flags(head[2]), RespFlags: flow.Flags(head[3]),
		State: flow.State(head[4]), Ended: flow.EndReason(head[5]), Opening: flow.Msg(head[6]),
		ICMPError: flow.ICMPError(le.Uint16(head[7:])), OrigPort: le.Uint16(head[9:]), RespPort: le.Uint16(head[11:])}
	var err error
	if f.Orig, err = readAddr(r, head[1]&3); err != nil {
		return err
	}
	if f.Resp, err = readAddr(r, head[1]>>2&3); err != nil {
		return err
	}
	var nums [11 * 8]byte
	if _, err := io.ReadFull(r, nums[:]); err != nil {
		return err
	}
	u := func(i int) uint64 { return le.Uint64(nums[i*8:]) }
	f.First, f.Last = int64(u(0)), int64(u(1))
	f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes, f.OrigPayload, f.RespPayload = u(2), u(3), u(4), u(5), u(6), u(7)
	f.RTT, f.OrigTransfer, f.RespTransfer = time.Duration(u(8)), time.Duration(u(9)), time.Duration(u(10))
	if f.History, err = readString(r, names); err != nil {
		return err
	}
	if f.App, err = readString(r, names); err != nil {
		return err
	}
	f.ServerName, err = readString(r, nil)
	return err
}

func readAddr(r *bufio.Reader, kind byte) (netip.Addr, error) {
	var b [16]byte
	switch kind {
	case addrNone:
		return netip.Addr{}, nil
	case addr4:
		_, err := io.ReadFull(r, b[:4])
		return netip.AddrFrom4([4]byte(b[:4])), err
	case addr16:
		_, err := io.ReadFull(r, b[:])
		return netip.AddrFrom16(b), err
	}
	return netip.Addr{}, errBadRecord
}

// readString reads a string of appendString; the few distinct histories
// and application names are shared through names, not allocated again.
func readString(r *bufio.Reader, names map[string]string) (string, error) {
	n, err := r.ReadByte()
	if err != nil || n == 0 {
		return "", err
	}
	b, err := r.Peek(int(n))
	if err != nil {
		return "", err
	}
	defer r.Discard(int(n))
	if names == nil {
		return string(b), nil
	}
	if s, ok := names[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(names) < 4096 { // a few hundred histories and names at most
		names[s] = s
	}
	return s, nil
}
