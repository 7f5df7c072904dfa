package ingest

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"sync"
)

// DefaultSpillAfter is how many finished flows are kept in memory before
// they go to a temporary file instead (see Options.SpillAfter).
const DefaultSpillAfter = 200_000

// FlowSpill holds finished flows in an unlinked temporary file, so a huge
// capture's flow records do not stay in memory. The file disappears when
// the process ends.
type FlowSpill struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	enc *gob.Encoder
	n   int
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

func (s *FlowSpill) add(f *Flow) error {
	s.n++
	return s.enc.Encode(f)
}

func (s *FlowSpill) flush() error { return s.w.Flush() }

// Len is the number of flows in the file.
func (s *FlowSpill) Len() int { return s.n }

// Each calls fn for every flow, in the order they finished.
func (s *FlowSpill) Each(fn func(*Flow)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(s.f, 1<<20))
	for i := 0; i < s.n; i++ {
		var f Flow
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("reading spilled flow %d of %d: %v", i+1, s.n, err)
		}
		fn(&f)
	}
	return nil
}
