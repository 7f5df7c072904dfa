package ingest

import (
	"cmp"
	"runtime"
	"slices"

	"github.com/pcaplab/pcaplab/flow"
)

// FlowRecords are finished flows kept as compact records (about 60 bytes
// each, no pointers; see appendFlow) instead of flow.Flow values (232
// bytes and strings): what Build keeps with Config.CompactFlows. Each reads
// them one at a time, in start order. The fields are exported for the
// model cache (gob); use Len and Each. The chunks may lie outside Go's heap
// and are freed once no FlowRecords refers to them: keep none of them.
type FlowRecords struct {
	Chunks [][]byte // the records, in chunks
	Order  []int64  // each record's position (chunk·recChunk + offset), in start order
	mapped []bool   // chunks outside Go's heap (see newChunk), freed with the model
}

// Len is the number of flows.
func (r *FlowRecords) Len() int { return len(r.Order) }

// Each calls fn for every flow in start order (flow.Less). The flow fn gets
// is reused for the next one: copy what it keeps.
func (r *FlowRecords) Each(fn func(*flow.Flow)) {
	var f flow.Flow
	names := interner{}
	for _, p := range r.Order {
		c := r.Chunks[p/recChunk][p%recChunk:]
		decodeFlow(c[:recordLen(c)], &f, &names)
		fn(&f)
	}
}

// records hands the records kept in memory over to the model, ordered by
// start: the creation order, fixed where it differs (flows that start at
// the same time, packets out of time order) by a stable sort of an index
// of the sort keys, not of the records.
func (d *finished) records() *FlowRecords {
	keys := make([]sortKey, 0, d.n)
	for seq := range d.at {
		if r := d.record(seq); r != nil {
			keys = append(keys, sortKey{recordFirst(r), d.at[seq] - 1})
		}
	}
	rec := func(p int64) []byte { return d.recs[p/recChunk][p%recChunk:] }
	slices.SortStableFunc(keys, func(a, b sortKey) int {
		if a.first != b.first {
			return cmp.Compare(a.first, b.first)
		}
		return compareRecords(rec(a.pos), rec(b.pos))
	})
	r := &FlowRecords{Chunks: d.recs, mapped: d.mapped, Order: make([]int64, len(keys))}
	for i, k := range keys {
		r.Order[i] = k.pos
	}
	d.recs, d.mapped, d.at = nil, nil, nil
	if len(r.Chunks) > 0 {
		// freed with the list of chunks, which every copy of r shares
		runtime.AddCleanup(&r.Chunks[0], func(c chunks) { c.free() }, chunks{r.Chunks, r.mapped})
	}
	return r
}

// chunks are record chunks and whether each is outside the heap.
type chunks struct {
	b      [][]byte
	mapped []bool
}

func (c chunks) free() {
	for i := range c.b {
		freeChunk(c.b[i], c.mapped[i])
	}
}

// EachFlow calls fn for every finished flow, wherever the model keeps them:
// in Flows, as compact Records (both in start order), or in the spill file
// (in the order written; see FlowSpill.Each). The flow fn gets may be
// reused for the next one: copy what it keeps.
func (m *Model) EachFlow(fn func(*flow.Flow)) error {
	switch {
	case m.spill != nil:
		return m.spill.Each(fn)
	case m.Records != nil:
		m.Records.Each(fn)
		return nil
	}
	for i := range m.Flows {
		fn(&m.Flows[i])
	}
	return nil
}
