package ingest

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/pcaplab/pcaplab/flow"
)

// FlowSpill holds finished flows in an unlinked temporary file, so a huge
// capture's flow records do not stay in memory. The file disappears when
// the process ends. The records (appendFlow) are written in sorted runs:
// they are gathered up to runBytes, sorted by start (flow.Less) and
// written; Each merges the runs, so the flows come back in start order
// while memory holds one run being gathered and a read buffer per run.
type FlowSpill struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	n    int
	size int64      // bytes written to f
	run  []byte     // records of the run being gathered (outside the heap: see newChunk)
	ran  bool       // whether run lies outside the heap
	runs []spillRun // runs written
	keys []sortKey  // scratch for sorting a run
	// each, when set, gives the flows instead of the file (a flow store).
	each func(func(*flow.Flow)) error
}

// spillRun is a run of sorted records in the file: n records from off,
// size bytes long.
type spillRun struct {
	off, size int64
	n         int
}

// runBytes is the size of a run: 4 MiB, some 75 000 flows of the
// generator's traffic (56.5 bytes each) sorted at a time. A million flows
// make 14 runs, merged through 14 × 32 KiB of read buffers; ten million,
// 135 runs and 4.2 MiB.
const runBytes = 4 << 20

// mergeBuffer is each run's read buffer while merging.
const mergeBuffer = 32 << 10

func newSpill() (*FlowSpill, error) {
	f, err := os.CreateTemp("", "pcaplab-flows-*")
	if err != nil {
		return nil, fmt.Errorf("spilling flows to a temporary file: %v", err)
	}
	os.Remove(f.Name()) // unlinked: gone with the process, readable through f
	// The run buffer and its keys are made at their full size once: grown
	// by append, their old copies were garbage that let the heap reach
	// 104 MB on a million flows.
	run, mapped := newChunk(runBytes + maxRecord)
	return &FlowSpill{f: f, w: bufio.NewWriterSize(f, 1<<20), run: run, ran: mapped,
		keys: make([]sortKey, 0, (runBytes+maxRecord)/minRecord)}, nil
}

// minRecord and maxRecord bound a record's size (appendFlow): two IPv4
// addresses and empty strings; a length that fits its 2 bytes.
const (
	minRecord = recordHead + 2*4 + recordNums + 3
	maxRecord = 1 << 16
)

func (s *FlowSpill) write(rec []byte) error {
	s.n++
	s.run = append(s.run, rec...) // within its capacity: never moved
	if len(s.run) >= runBytes {
		return s.endRun()
	}
	return nil
}

func (s *FlowSpill) add(f *flow.Flow) error { return s.write(appendFlow(nil, f)) }

// endRun sorts the records gathered (stably: equal keys keep the order
// they finished in) and writes them as a run.
func (s *FlowSpill) endRun() error {
	if len(s.run) == 0 {
		return nil
	}
	s.keys = s.keys[:0]
	for p := 0; p < len(s.run); p += recordLen(s.run[p:]) {
		s.keys = append(s.keys, sortKey{recordFirst(s.run[p:]), int64(p)})
	}
	slices.SortStableFunc(s.keys, func(a, b sortKey) int {
		if a.first != b.first {
			return cmp.Compare(a.first, b.first)
		}
		return compareRecords(s.run[a.pos:], s.run[b.pos:])
	})
	r := spillRun{off: s.size, n: len(s.keys)}
	for _, k := range s.keys {
		rec := s.run[k.pos:]
		rec = rec[:recordLen(rec)]
		if _, err := s.w.Write(rec); err != nil {
			return err
		}
		r.size += int64(len(rec))
	}
	s.size += r.size
	s.runs = append(s.runs, r)
	s.run = s.run[:0]
	return nil
}

// flush writes the last run and the buffer: the file is then complete.
func (s *FlowSpill) flush() error {
	if err := s.endRun(); err != nil {
		return err
	}
	if s.run != nil {
		freeChunk(s.run, s.ran)
	}
	s.run, s.keys = nil, nil
	return s.w.Flush()
}

// Len is the number of flows in the file.
func (s *FlowSpill) Len() int { return s.n }

// Each calls fn for every flow in start order (flow.Less; a flow store
// gives its own order). The flow fn gets is reused for the next one: copy
// what it keeps.
func (s *FlowSpill) Each(fn func(*flow.Flow)) error {
	if s.each != nil {
		return s.each(fn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &runMerge{}
	for i, r := range s.runs {
		in := &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, r.off, r.size), mergeBuffer), left: r.n, run: i}
		if err := in.next(); err != nil {
			return err
		}
		if in.rec != nil {
			m.h = append(m.h, in)
		}
	}
	heap.Init(m)
	var f flow.Flow
	names := interner{}
	for i := 0; len(m.h) > 0; i++ {
		in := m.h[0]
		if err := decodeFlow(in.rec, &f, &names); err != nil {
			return fmt.Errorf("reading spilled flow %d of %d: %v", i+1, s.n, err)
		}
		fn(&f)
		if err := in.next(); err != nil {
			return fmt.Errorf("reading spilled flow %d of %d: %v", i+2, s.n, err)
		}
		if in.rec == nil {
			heap.Pop(m)
		} else {
			heap.Fix(m, 0)
		}
	}
	return nil
}

// runReader reads one run's records: rec is the current one (nil at the
// run's end), valid until next.
type runReader struct {
	r    *bufio.Reader
	rec  []byte
	left int
	run  int
}

func (in *runReader) next() error {
	if in.rec != nil {
		in.r.Discard(len(in.rec))
		in.rec = nil
	}
	if in.left == 0 {
		return nil
	}
	in.left--
	head, err := in.r.Peek(2)
	if err != nil {
		return err
	}
	rec, err := in.r.Peek(int(binary.LittleEndian.Uint16(head)))
	if err != nil {
		return err
	}
	if len(rec) < recordHead {
		return errBadRecord
	}
	in.rec = rec
	return nil
}

// runMerge is a heap of run readers by their current record's key, then
// run (records with equal keys keep the order they were written in).
type runMerge struct{ h []*runReader }

func (m *runMerge) Len() int { return len(m.h) }
func (m *runMerge) Less(i, j int) bool {
	if c := compareRecords(m.h[i].rec, m.h[j].rec); c != 0 {
		return c < 0
	}
	return m.h[i].run < m.h[j].run
}
func (m *runMerge) Swap(i, j int) { m.h[i], m.h[j] = m.h[j], m.h[i] }
func (m *runMerge) Push(x any)    { m.h = append(m.h, x.(*runReader)) }
func (m *runMerge) Pop() any {
	x := m.h[len(m.h)-1]
	m.h = m.h[:len(m.h)-1]
	return x
}

// sortKey is a record's start time and position: what ordering the
// records needs in memory (16 bytes a record; the rest of flow.Less's key,
// 40 bytes more, is read from the record only when starts are equal).
type sortKey struct{ first, pos int64 }

// recordFirst reads a record's start time (a record checked by recordLen).
func recordFirst(rec []byte) int64 {
	at := recordHead + addrSize(rec[3]&3) + addrSize(rec[3]>>2&3)
	if len(rec) < at+8 {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(rec[at:]))
}

func addrSize(kind byte) int {
	switch kind {
	case addr4:
		return 4
	case addr16:
		return 16
	}
	return 0
}

// compareRecords orders two records as flow.Less orders their flows.
func compareRecords(a, b []byte) int {
	if c := cmp.Compare(recordFirst(a), recordFirst(b)); c != 0 {
		return c
	}
	if c := cmp.Compare(a[2], b[2]); c != 0 { // protocol
		return c
	}
	var ka, kb [2][17]byte
	ra, rb := recordAddrKey(a[recordHead:], a[3]&3, &ka[0]), recordAddrKey(b[recordHead:], b[3]&3, &kb[0])
	recordAddrKey(ra, a[3]>>2&3, &ka[1])
	recordAddrKey(rb, b[3]>>2&3, &kb[1])
	for i := range 2 {
		if c := bytes.Compare(ka[i][:], kb[i][:]); c != 0 {
			return c
		}
	}
	le := binary.LittleEndian
	if c := cmp.Compare(le.Uint16(a[11:]), le.Uint16(b[11:])); c != 0 { // originator port
		return c
	}
	return cmp.Compare(le.Uint16(a[13:]), le.Uint16(b[13:]))
}

// recordAddrKey puts a record's address of the given kind in k as
// netip.Addr.Compare orders addresses (bit length, then the 16-byte form)
// and returns the bytes after it.
func recordAddrKey(b []byte, kind byte, k *[17]byte) []byte {
	switch {
	case kind == addr4 && len(b) >= 4:
		k[0] = 1
		k[11], k[12] = 0xff, 0xff
		copy(k[13:], b[:4])
		return b[4:]
	case kind == addr16 && len(b) >= 16:
		k[0] = 4
		copy(k[1:], b[:16])
		return b[16:]
	}
	return b
}

// WriteFlows writes the model's flows as records (appendFlow) in start
// order: the file a cache keeps for a model whose flows were spilled.
// ReadFlowsFrom reads it back.
func (m *Model) WriteFlows(w io.Writer) error {
	var buf []byte
	var werr error
	err := m.EachFlow(func(f *flow.Flow) {
		if werr == nil {
			buf = appendFlow(buf[:0], f)
			_, werr = w.Write(buf)
		}
	})
	if err != nil {
		return err
	}
	return werr
}

// ReadFlowsFrom makes the model's flows come from f, a file of WriteFlows
// holding m.NFlows flows in size bytes, read one run from start to end as
// a spill file is: the model reads as a spilled one.
func (m *Model) ReadFlowsFrom(f *os.File, size int64) {
	m.spill = &FlowSpill{f: f, n: m.NFlows, size: size, runs: []spillRun{{off: 0, size: size, n: m.NFlows}}}
	m.Flows, m.Records = nil, nil
}
