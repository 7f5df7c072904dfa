package report

import (
	"fmt"
	"io"
	"iter"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
	"github.com/pcaplab/pcaplab/units"
)

// task2 answers Task 2: the flow data.
func (b *builder) task2() error {
	return b.section("task2", "Task 2 — Flow data", b.t20, b.t21, b.t22, b.t23, b.t24, b.t25, b.t26, b.t27)
}

// section answers a task's questions in order and adds the task.
func (b *builder) section(id, title string, questions ...func() (*Question, error)) error {
	sec := Section{ID: id, Title: title}
	for _, q := range questions {
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
	c := b.c2
	q := newQuestion("T2.0")
	w := words(c)
	q.Answer = []string{fmt.Sprintf("%s; the table lists the first %s by start time, and tables/flows.csv all of them.",
		w.derived(c), units.Count(min(20, c.Flows().Count())))}
	q.Tables = append(q.Tables, b.table("flows-first-20", fmt.Sprintf("The first flows by start time (start_s: seconds after %s; bytes: %s)", w.origin, w.bytes), rows(c.Flows().First(20))))
	b.r.Tables = append(b.r.Tables, &Table{Name: "flows", csv: c.Flows().WriteCSV})
	return q, nil
}

func (b *builder) t21() (*Question, error) {
	q := newQuestion("T2.1")
	s := b.c2.Flows().Sizes()
	q.Answer = []string{s.Sentence()}
	q.Tables = append(q.Tables, b.table("flow-sizes", "Flow sizes (bytes are "+words(b.c2).bytes+" of both directions)", rows(s.Rows())))
	return q, nil
}

func (b *builder) t22() (*Question, error) {
	c := b.c2
	q := newQuestion("T2.2")
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
	sv := b.c2.Services()
	q := newQuestion("T2.3")
	tp, ta := sv.Protocols(5), sv.Applications(5)
	sp, dp := sv.SourcePorts(5), sv.DestinationPorts(5)
	q.Answer = append(q.Answer, tp.Sentence(), ta.Sentence())
	if len(dp.Rows) > 0 {
		q.Answer = append(q.Answer, dp.Sentence(), sp.Sentence())
	}
	q.Tables = append(q.Tables, b.table("top-protocols", "Top-5 IP protocols by flows, with the applications they carry", rows(tp)))
	q.Tables = append(q.Tables, b.table("top-applications", "Top-5 applications by flows (all of them in tables/applications-all.csv)", rows(ta)))
	b.csvOnly("applications-all", rows(sv.Applications(-1)))
	q.Tables = append(q.Tables, b.table("top-source-ports", "Top-5 source (originator) ports by flows", rows(sp.Rows)))
	q.Tables = append(q.Tables, b.table("top-destination-ports", "Top-5 destination (responder) ports by flows", rows(dp.Rows)))
	b.figure(q, "applications", "Flows by application", fig(sv.ApplicationsPlot(10)))
	return q, nil
}

func (b *builder) t24() (*Question, error) {
	p := b.c2.Pairs()
	q := newQuestion("T2.4")
	q.Answer = []string{p.Overlap(10).Sentence()}
	q.Tables = append(q.Tables, b.table("top-pairs-by-flows", "Top-10 host pairs by flows", rows(p.TopByFlows(10))))
	q.Tables = append(q.Tables, b.table("top-pairs-by-bytes", "Top-10 host pairs by bytes", rows(p.TopByBytes(10))))
	return q, nil
}

func (b *builder) t25() (*Question, error) {
	p := b.c2.Pairs()
	q := newQuestion("T2.5")
	rk := p.Ranking(100)
	q.Answer = []string{rk.Sentence()}
	b.figure(q, "pair-flows-linear", "Flows per host pair, linear y", fig(p.Plot(100, false)))
	b.figure(q, "pair-flows-log", "Flows per host pair, log y", fig(p.Plot(100, true)))
	b.csvOnly("pair-flow-counts", rows(rk.Rows))
	return q, nil
}

// mergedOnPage is how many rows of merged pairs the page shows: the shared
// captures merge at most 2 pairs (gnutella), while 100 000 flows of the
// generator among 250 × 2 000 hosts fill 24 586 rows.
const mergedOnPage = 40

// mergedHead is the page's share of the merged pairs: the first n rows,
// less the rows of a slot the cut would split (a slot listed with fewer
// pairs than pairs_in_slot reads as a wrong count), unless that leaves none.
func mergedHead(seq iter.Seq[analysis.MergedRow], n int) []analysis.MergedRow {
	var head []analysis.MergedRow
	for r := range seq {
		if len(head) == n {
			break
		}
		head = append(head, r)
	}
	last := len(head)
	for last > 0 && head[last-1].Slot == head[len(head)-1].Slot {
		last--
	}
	if l := len(head) - last; last > 0 && l < head[len(head)-1].SlotPairs {
		head = head[:last]
	}
	return head
}

func (b *builder) t26() (*Question, error) {
	p := b.c2.Pairs()
	q := newQuestion("T2.6")
	sa := p.SlotArray(nil, "")
	q.Answer = []string{"Index function: " + sa.Index + ".", sa.Sentence()}
	b.figure(q, "slot-flows-linear", "Flows per slot, linear y", fig(p.SlotPlot(sa, 100, false)))
	b.figure(q, "slot-flows-log", "Flows per slot, log y", fig(p.SlotPlot(sa, 100, true)))
	b.figure(q, "exact-vs-slot", "Exact flows of the top pairs (blue) and what their slot adds from other pairs (orange)", fig(p.ExactVsSlotPlot(sa)))
	if sa.PairsInShared > 0 {
		caption := "Host pairs merged in one slot: each slot's count and its pairs' exact flows"
		head := mergedHead(sa.Merged(), mergedOnPage)
		if sa.PairsInShared > len(head) { // a big capture merges most slots: hundreds of thousands of rows
			caption += fmt.Sprintf(" (the first %d of %s rows, the fullest slots whole; all in tables/merged-pairs-all.csv)",
				len(head), units.Count(sa.PairsInShared))
			b.r.Tables = append(b.r.Tables, &Table{Name: "merged-pairs-all", csv: func(w io.Writer) error {
				return table.WriteCSVOf(w, sa.Merged())
			}})
		}
		q.Tables = append(q.Tables, b.table("merged-pairs", caption, rows(head)))
	}
	cmp := rows(sa.Comparison())
	q.Tables = append(q.Tables, b.table("slot-comparison", "Exact top pairs and what their slot says", cmp.Head(10)))
	b.csvOnly("slot-comparison-all", cmp)
	return q, nil
}

func (b *builder) t27() (*Question, error) {
	q := newQuestion("T2.7")
	p := b.c2.Pairs()
	sc, own := p.CountingAtScale(), p.CountingMethods()
	q.Answer = append(sc.Paragraphs(), own.Sentence())
	q.Tables = append(q.Tables,
		b.table("counting-at-scale", "Counting methods on streams whose flows per pair follow this "+words(b.c2).noun+"'s (its own counts up to the 90th percentile, a fitted Pareto tail above): memory in bytes, time per update in ns (median, fastest and slowest of 5 rounds), errors and precision on the exact top-100 pairs (flows_at_100th: the least a listed pair needs to count as right)", rows(sc.Rows)),
		b.table("counting-methods", "Counting methods on this "+words(b.c2).noun+"'s own flows: memory in bytes, accuracy on the exact top-100 pairs", rows(own)))
	return q, nil
}
