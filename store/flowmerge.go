package store

import (
	"errors"
	"iter"
	"path/filepath"
	"slices"

	"github.com/pcaplab/pcaplab/flow"
)

// EachFlow calls fn for every flow of the store in dir, in start order
// (flow.Less): partitions in time order, and within one the files (one or
// more per source, each sorted) merged, so memory holds a row group per
// file of one hour, not the flows. The record passed is reused.
func EachFlow(dir string, m *Manifest, fn func(*flow.Record) error) error {
	parts := map[string][]string{}
	var order []string
	for _, f := range m.Files("flows") {
		p := filepath.Dir(f)
		if parts[p] == nil {
			order = append(order, p)
		}
		parts[p] = append(parts[p], f)
	}
	slices.Sort(order) // date=YYYY-MM-DD/hour=HH: names in time order
	for _, p := range order {
		if err := mergeFiles(dir, parts[p], fn); err != nil {
			return err
		}
	}
	return nil
}

// errStop ends a file's reading early when the merge stops.
var errStop = errors.New("stop")

// mergeFiles merges the flows of sorted files.
func mergeFiles(dir string, files []string, fn func(*flow.Record) error) error {
	type head struct {
		next func() (flow.Record, bool)
		stop func()
		rec  flow.Record
		err  *error
	}
	var heads []*head
	defer func() {
		for _, h := range heads {
			h.stop()
		}
	}()
	for _, f := range files {
		h := &head{err: new(error)}
		h.next, h.stop = iter.Pull(fileRecords(filepath.Join(dir, f), h.err))
		heads = append(heads, h)
	}
	live := heads[:0:0]
	for _, h := range heads {
		if r, ok := h.next(); ok {
			h.rec = r
			live = append(live, h)
		} else if *h.err != nil {
			return *h.err
		}
	}
	for len(live) > 0 {
		least := 0 // few files per hour: a linear scan beats a heap
		for i := 1; i < len(live); i++ {
			if flow.Less(&live[i].rec.Flow, &live[least].rec.Flow) {
				least = i
			}
		}
		h := live[least]
		if err := fn(&h.rec); err != nil {
			return err
		}
		r, ok := h.next()
		switch {
		case ok:
			h.rec = r
		case *h.err != nil:
			return *h.err
		default:
			live = slices.Delete(live, least, least+1)
		}
	}
	return nil
}

// fileRecords yields the flows of one file; a failure ends the sequence
// and is left in *errp.
func fileRecords(path string, errp *error) iter.Seq[flow.Record] {
	return func(yield func(flow.Record) bool) {
		err := ReadFile(path, func(r *Flow) error {
			rec, err := r.Record()
			if err != nil {
				return err
			}
			if !yield(rec) {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			*errp = err
		}
	}
}
