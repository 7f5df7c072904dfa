package ingest

import "github.com/pcaplab/pcaplab/flow"

// FlowSource makes the flows of a model come from elsewhere than the
// capture (a flow store, read anew each time): n flows that each gives,
// in any order. The model then reads as a spilled one (Spill is not nil),
// so every metric streams its flows and memory stays flat.
func (m *Model) FlowSource(n int, each func(func(*flow.Flow)) error) {
	m.spill, m.Flows, m.NFlows = &FlowSpill{n: n, each: each}, nil, n
}
