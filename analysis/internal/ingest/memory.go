package ingest

import (
	"fmt"
	"math"
	"runtime/debug"
	"runtime/metrics"
)

// memoryCheck stops a pass that is about to exhaust the memory limit of
// the process (debug.SetMemoryLimit, GOMEMLIMIT): the bounds keep the
// model within the README's figure, but a lower limit, or options that
// raise the bounds (Config.MaxFlows), can still make it too big. Past the
// limit Go's collector runs ever more often and the process dies with a
// stack dump; this ends the pass with one line instead, while there is
// memory left to say it.
type memoryCheck struct {
	sample []metrics.Sample
}

// memoryShare is how much of the limit live memory may take: past 90 %,
// collections come so often that the pass would crawl before it failed.
const memoryShare = 0.9

// check is called every 65 536 packets; it returns an error naming the
// file and the record when the live heap passes memoryShare of the limit.
func (m *memoryCheck) check(name string, record int) error {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		return nil // no limit set
	}
	if m.sample == nil {
		m.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	}
	metrics.Read(m.sample)
	if m.sample[0].Value.Kind() != metrics.KindUint64 {
		return nil
	}
	live := m.sample[0].Value.Uint64()
	if float64(live) < memoryShare*float64(limit) {
		return nil
	}
	return fmt.Errorf("%s: packet %d: out of memory: the model takes %d MiB of the %d MiB allowed (GOMEMLIMIT); "+
		"a smaller --max-flows, or more memory, lets it finish", name, record, live>>20, limit>>20)
}
