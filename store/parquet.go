package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
)

// RowGroupRows is the most rows of one row group: 256 Ki rows, about
// 9 MB of compressed flows, large enough for column statistics to skip
// whole groups and small enough to write with little memory.
const RowGroupRows = 256 << 10

// WriteFile writes rows as one ZSTD-compressed Parquet file, replacing
// path only once the file is complete.
func WriteFile[T any](path string, rows []T) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := parquet.NewGenericWriter[T](tmp, parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(RowGroupRows))
	for len(rows) > 0 {
		n := min(len(rows), 4096)
		if _, err := w.Write(rows[:n]); err != nil {
			tmp.Close()
			return fmt.Errorf("%s: %v", path, err)
		}
		rows = rows[n:]
	}
	if err := w.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// ReadFile calls fn for every row of a Parquet file, in order, reading a
// few thousand rows at a time. The row passed to fn is reused.
func ReadFile[T any](path string, fn func(*T) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	buf := make([]T, 1024)
	for {
		n, err := r.Read(buf)
		for i := range buf[:n] {
			if ferr := fn(&buf[i]); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
	}
}

// FlowWriter writes flows into the date/hour partitions of a store's
// flows directory as files part-TAG-N.parquet. It holds at most
// MaxBuffered rows, writing the largest partition's buffer as one file
// when full. Flows must come in start order: then a partition's files, in
// the order N, hold its flows in start order, which EachFlow relies on
// (it reads them one after the other); Write refuses a flow that starts
// before the last one written.
type FlowWriter struct {
	dir, tag string
	parts    map[string][]Flow // by partition directory
	n        int
	seq      int
	last     int64    // start of the last flow written
	Files    []string // files written, relative to the store
}

// MaxBuffered is how many flows a FlowWriter holds before writing a file
// (about 100 MB).
const MaxBuffered = RowGroupRows

// NewFlowWriter writes into the store at dir; tag names the files.
func NewFlowWriter(dir, tag string) *FlowWriter {
	return &FlowWriter{dir: dir, tag: tag, parts: map[string][]Flow{}}
}

// Partition is the flows partition of a start time: date=YYYY-MM-DD/hour=HH (UTC).
func Partition(startNS int64) string {
	t := time.Unix(0, startNS).UTC()
	return filepath.Join("flows", "date="+t.Format("2006-01-02"), "hour="+strconv.Itoa(t.Hour()/10)+strconv.Itoa(t.Hour()%10))
}

// Write adds one flow.
func (w *FlowWriter) Write(f Flow) error {
	if f.StartNS < w.last {
		return fmt.Errorf("flow store: a flow starting at %d ns written after one starting at %d ns (flows go in start order)", f.StartNS, w.last)
	}
	w.last = f.StartNS
	p := Partition(f.StartNS)
	w.parts[p] = append(w.parts[p], f)
	w.n++
	if w.n < MaxBuffered {
		return nil
	}
	big := ""
	for p, l := range w.parts {
		if big == "" || len(l) > len(w.parts[big]) {
			big = p
		}
	}
	return w.flush(big)
}

func (w *FlowWriter) flush(p string) error {
	rows := w.parts[p]
	delete(w.parts, p)
	w.n -= len(rows)
	w.seq++
	rel := filepath.Join(p, fmt.Sprintf("part-%s-%d.parquet", w.tag, w.seq))
	w.Files = append(w.Files, rel)
	return WriteFile(filepath.Join(w.dir, rel), rows)
}

// Close writes what is buffered.
func (w *FlowWriter) Close() error {
	keys := make([]string, 0, len(w.parts))
	for p := range w.parts {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	for _, p := range keys {
		if err := w.flush(p); err != nil {
			return err
		}
	}
	return nil
}
