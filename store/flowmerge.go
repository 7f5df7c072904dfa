package store

import (
	"errors"
	"iter"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
)

// EachFlow calls fn for every flow of the store in dir, in start order
// (flow.Less): partitions in time order, and within one the sources
// merged, each source's files read one after the other (a FlowWriter
// writes them in order), so memory holds a row group per source of one
// hour, whatever the number of flows. The record passed is reused.
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
	for _, run := range sourceRuns(files) {
		h := &head{err: new(error)}
		h.next, h.stop = iter.Pull(runRecords(dir, run, h.err))
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

// sourceRuns groups a partition's files by the source they came from
// (part-TAG-SEQ.parquet), each group in the order it was written (SEQ):
// the rows of one group are in start order from its first file to its
// last.
func sourceRuns(files []string) [][]string {
	type part struct {
		name string
		seq  int
	}
	groups := map[string][]part{}
	var tags []string
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".parquet")
		tag, seq := base, 0
		if i := strings.LastIndexByte(base, '-'); i > 0 {
			if n, err := strconv.Atoi(base[i+1:]); err == nil {
				tag, seq = base[:i], n
			}
		}
		if groups[tag] == nil {
			tags = append(tags, tag)
		}
		groups[tag] = append(groups[tag], part{f, seq})
	}
	runs := make([][]string, 0, len(tags))
	for _, tag := range tags {
		g := groups[tag]
		slices.SortFunc(g, func(a, b part) int { return a.seq - b.seq })
		run := make([]string, len(g))
		for i, p := range g {
			run[i] = p.name
		}
		runs = append(runs, run)
	}
	return runs
}

// runRecords yields the flows of files one after the other; a failure
// ends the sequence and is left in *errp.
func runRecords(dir string, files []string, errp *error) iter.Seq[flow.Record] {
	return func(yield func(flow.Record) bool) {
		for _, f := range files {
			more := true
			for r := range fileRecords(filepath.Join(dir, f), errp) {
				if !yield(r) {
					more = false
					break
				}
			}
			if !more || *errp != nil {
				return
			}
		}
	}
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
