package ingest

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/pcaplab/pcaplab/flow"
)

// DefaultSpillAfter is how many finished flows are kept in memory before
// they go to a temporary file instead (see Config.SpillAfter).
const DefaultSpillAfter = 200_000

// finished holds the finished flows: in memory in chunks (growing one
// slice would copy it again and again), or, past spillAfter flows, in a
// spill file.
type finished struct {
	spillAfter int
	chunks     [][]flow.Flow
	n          int
	spill      *FlowSpill
	err        error
}

const chunkSize = 8192

func (d *finished) keep(f *flow.Flow) {
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
	if n := len(d.chunks); n == 0 || len(d.chunks[n-1]) == chunkSize {
		d.chunks = append(d.chunks, make([]flow.Flow, 0, chunkSize))
	}
	last := &d.chunks[len(d.chunks)-1]
	*last = append(*last, *f)
}

// startSpill moves the flows kept so far into a new spill file; if no file
// can be made, everything stays in memory.
func (d *finished) startSpill() {
	sp, err := newSpill()
	if err != nil {
		d.err, d.spillAfter = err, -1
		return
	}
	for _, c := range d.chunks {
		for i := range c {
			if err == nil {
				err = sp.add(&c[i])
			}
		}
	}
	d.chunks, d.spill, d.err = nil, sp, err
}

// sorted returns the flows kept in memory in start order, releasing the
// chunks as they are copied.
func (d *finished) sorted() []flow.Flow {
	out := make([]flow.Flow, 0, d.n)
	for i, c := range d.chunks {
		out = append(out, c...)
		d.chunks[i] = nil
	}
	d.chunks = nil
	SortFlows(out)
	return out
}

// SortFlows orders flows by start, then protocol, addresses and ports.
func SortFlows(fl []flow.Flow) {
	sort.Slice(fl, func(i, j int) bool { return flow.Less(&fl[i], &fl[j]) })
}

// FlowSpill holds finished flows in an unlinked temporary file, so a huge
// capture's flow records do not stay in memory. The file disappears when
// the process ends.
type FlowSpill struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	enc *gob.Encoder
	n   int
	// each, when set, gives the flows instead of the file (a flow store).
	each func(func(*flow.Flow)) error
}

func newSpill() (*FlowSpill, error) {
	f, err := os.CreateTemp("", "pcaplab-flows-*")
	if err != nil {
		return nil, fmt.Errorf("spilling flows to a temporary file: %v", err)
	}
	os.Remove(f.Name()) // unlinked: gone with the process, readable through f
	w := bufio.NewWriterSize(f, 1<<20)
	return &FlowSpill{f: f, w: w, enc: gob.NewEncoder(w)}, nil
}

func (s *FlowSpill) add(f *flow.Flow) error {
	s.n++
	return s.enc.Encode(f)
}

func (s *FlowSpill) flush() error { return s.w.Flush() }

// Len is the number of flows in the file.
func (s *FlowSpill) Len() int { return s.n }

// Each calls fn for every flow, in the order they finished.
func (s *FlowSpill) Each(fn func(*flow.Flow)) error {
	if s.each != nil {
		return s.each(fn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(s.f, 1<<20))
	for i := 0; i < s.n; i++ {
		var f flow.Flow
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("reading spilled flow %d of %d: %v", i+1, s.n, err)
		}
		fn(&f)
	}
	return nil
}
