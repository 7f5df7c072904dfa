package report

import (
	"fmt"

	"github.com/pcaplab/pcaplab/units"
)

// task2 answers Task 2: the flow data.
func (b *builder) task2() error {
	sec := Section{ID: "task2", Title: "Task 2 — Flow data"}
	for _, q := range []func() (*Question, error){b.t20, b.t21, b.t22, b.t23, b.t24, b.t25, b.t26, b.t27} {
		qq, err := q()
		if err != nil {
			return err
		}
		sec.Questions = append(sec.Questions, qq)
	}
	b.r.Sections = append(b.r.Sections, sec)
	return nil
}

func (b *builder) t20() (*Question, error) {
	c := b.c
	q := &Question{ID: "T2.0", Title: "Flows", Asked: "Derive flows from the capture."}
	q.Answer = []string{fmt.Sprintf("pcaplab derived %s from %s in one pass (definitions in the methods section); the table lists the first %s by start time, and tables/flows.csv all of them.",
		units.Plural(c.Flows().Count(), "flow"), units.Plural(c.Packets(), "packet"), units.Count(min(20, c.Flows().Count())))}
	ft := c.Flows().Table()
	q.Tables = append(q.Tables, b.table("flows-first-20", "The first flows by start time",
		ft.Head(20).Select("start", "proto", "orig_addr", "orig_port", "resp_addr", "resp_port", "orig_packets", "resp_packets", "orig_bytes", "resp_bytes", "duration_s", "state", "application")))
	b.r.Tables = append(b.r.Tables, &Table{Name: "flows", csv: c.Flows().WriteCSV})
	return q, nil
}

func (b *builder) t21() (*Question, error) {
	q := &Question{ID: "T2.1", Title: "Flow count and sizes", Asked: "Total number of flows; minimum, median, mean and maximum flow size in bytes and in packets."}
	s := b.c.Flows().Sizes()
	q.Answer = []string{s.Sentence()}
	q.Tables = append(q.Tables, b.table("flow-sizes", "Flow sizes (bytes are wire bytes of both directions)", rows(s.Rows())))
	return q, nil
}

func (b *builder) t22() (*Question, error) {
	c := b.c
	q := &Question{ID: "T2.2", Title: "Volume over time and flow-size distribution", Asked: "Plot the traffic volume over time and the flow-size distribution."}
	st, err := c.Traffic().Rates(b.opt.Bin)
	if err != nil {
		return nil, err
	}
	q.Answer = []string{st.VolumeSentence(), c.Flows().SizeDistribution().Sentence()}
	vp, err := c.Traffic().VolumePlot(b.opt.Bin)
	b.figure(q, "volume", "Traffic volume: bytes per time bin", fig(vp, err))
	b.figure(q, "flow-size-cdf", "Flow-size distribution (CDF and CCDF, log x)", fig(c.Flows().SizePlot()))
	return q, nil
}

func (b *builder) t23() (*Question, error) {
	sv := b.c.Services()
	q := &Question{ID: "T2.3", Title: "Protocols and ports", Asked: "Top-5 protocols, source ports and destination ports by flows, with their use."}
	tp, ta := sv.Protocols(5), sv.Applications(10)
	sp, dp := sv.SourcePorts(5), sv.DestinationPorts(5)
	q.Answer = append(q.Answer, tp.Sentence(), ta.Sentence())
	if len(dp.Rows) > 0 {
		q.Answer = append(q.Answer, dp.Sentence(), sp.Sentence())
	}
	q.Tables = append(q.Tables, b.table("top-protocols", "Top transport protocols by flows", rows(tp)))
	q.Tables = append(q.Tables, b.table("top-applications", "Top applications by flows", rows(ta)))
	q.Tables = append(q.Tables, b.table("top-source-ports", "Top source (originator) ports by flows", rows(sp.Rows)))
	q.Tables = append(q.Tables, b.table("top-destination-ports", "Top destination (responder) ports by flows", rows(dp.Rows)))
	b.figure(q, "applications", "Flows by application", fig(sv.ApplicationsPlot(10)))
	return q, nil
}

func (b *builder) t24() (*Question, error) {
	p := b.c.Pairs()
	q := &Question{ID: "T2.4", Title: "Host pairs", Asked: "Top-10 host pairs by flows and by bytes; are they the same pairs?"}
	q.Answer = []string{p.Overlap(10).Sentence()}
	q.Tables = append(q.Tables, b.table("top-pairs-by-flows", "Top-10 host pairs by flows", rows(p.TopByFlows(10))))
	q.Tables = append(q.Tables, b.table("top-pairs-by-bytes", "Top-10 host pairs by bytes", rows(p.TopByBytes(10))))
	return q, nil
}

func (b *builder) t25() (*Question, error) {
	p := b.c.Pairs()
	q := &Question{ID: "T2.5", Title: "Flows of the 100 most common host pairs", Asked: "Plot the number of flows for the 100 most common host pairs, linear and log y."}
	rk := p.Ranking(100)
	q.Answer = []string{rk.Sentence()}
	b.figure(q, "pair-flows-linear", "Flows per host pair, linear y", fig(p.Plot(100, false)))
	b.figure(q, "pair-flows-log", "Flows per host pair, log y", fig(p.Plot(100, true)))
	b.csvOnly("pair-flow-counts", rows(rk.Rows))
	return q, nil
}

func (b *builder) t26() (*Question, error) {
	p := b.c.Pairs()
	q := &Question{ID: "T2.6", Title: "The same with a 2^16-slot array", Asked: "Count flows in a fixed array of 2^16 slots indexed by a hash of the host pair; how does it differ from the exact result?"}
	sa := p.SlotArray(nil, "")
	q.Answer = []string{"Index function: " + sa.Index + ".", sa.Sentence()}
	b.figure(q, "slot-flows-linear", "Flows per slot, linear y", fig(p.SlotPlot(sa, 100, false)))
	b.figure(q, "slot-flows-log", "Flows per slot, log y", fig(p.SlotPlot(sa, 100, true)))
	b.figure(q, "exact-vs-slot", "Exact counts of the top pairs and their slots' counts", fig(p.ExactVsSlotPlot(sa)))
	cmp := rows(sa.Comparison())
	q.Tables = append(q.Tables, b.table("slot-comparison", "Exact top pairs and what their slot says", cmp.Head(10)))
	b.csvOnly("slot-comparison-all", cmp)
	return q, nil
}

func (b *builder) t27() (*Question, error) {
	q := &Question{ID: "T2.7", Title: "Counting more efficiently", Asked: "Compare an exact hash map, the 2^16 array, a Count-Min sketch and Space-Saving: memory, time, error on the top-100."}
	cm := b.c.Pairs().CountingMethods()
	q.Answer = []string{cm.Sentence()}
	q.Tables = append(q.Tables, b.table("counting-methods", "Counting methods measured on this capture's flows (memory in bytes, time per update in ns, accuracy on the exact top-100 pairs)", rows(cm)))
	return q, nil
}
