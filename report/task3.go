package report

import (
	"fmt"
	"strings"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
	"github.com/pcaplab/pcaplab/units"
)

// task3 answers Task 3: the packet capture.
func (b *builder) task3() error {
	return b.section("task3", "Task 3 — The packet capture", b.t31, b.t32, b.t33, b.t34, b.t35, b.t36, b.t37, b.t38)
}

func (b *builder) t31() (*Question, error) {
	q := newQuestion("T3.1")
	hc := b.c.Hosts().Kinds()
	q.Answer = []string{hc.Sentence()}
	q.Tables = append(q.Tables, b.table("host-counts", "Hosts by family, kind and scope (packets and bytes count once per address)", rows(hc)))
	return q, nil
}

func (b *builder) t32() (*Question, error) {
	q := newQuestion("T3.2")
	tc := b.c.Hosts().Countries(5)
	q.Answer = []string{tc.Sentence()}
	if n := b.c.Hosts().CountryCount(); n > 0 && n < 5 {
		verb := "occur"
		if n == 1 {
			verb = "occurs"
		}
		q.Answer = append(q.Answer, fmt.Sprintf("Only %s %s, so fewer than five are listed.", units.Plural(n, "country"), verb))
	}
	q.Answer = append(q.Answer, fmt.Sprintf("Country data: %s, of %s.", strings.TrimSuffix(b.c.GeoIPSource(), "."), b.c.GeoIPDate().Format("2 January 2006")))
	if note := b.c.GeoIPNote(); note != "" {
		q.Answer = append(q.Answer, note)
	}
	q.Tables = append(q.Tables, b.table("top-countries", "Top countries by distinct public hosts, then the non-public addresses", rows(tc)))
	return q, nil
}

func (b *builder) t33() (*Question, error) {
	q := newQuestion("T3.3")
	hb := b.c.Hosts().TopByBytes(15)
	q.Answer = []string{hb.Sentence()}
	q.Tables = append(q.Tables, b.table("top-hosts-by-bytes", "Top-15 hosts by bytes", rows(hb.Rows)))
	return q, nil
}

func (b *builder) t34() (*Question, error) {
	q := newQuestion("T3.4")
	hp := b.c.Hosts().TopByPackets(15)
	q.Answer = []string{hp.Sentence(), b.c.Hosts().Compare(15).Sentence()}
	q.Tables = append(q.Tables, b.table("top-hosts-by-packets", "Top-15 hosts by packets", rows(hp.Rows)))
	return q, nil
}

func (b *builder) t35() (*Question, error) {
	q := newQuestion("T3.5")
	tt, tu := b.c.Ports().TopTCP(10), b.c.Ports().TopUDP(5)
	w := words(b.c)
	for _, x := range []struct {
		proto, name, caption string
		sentence             string
		rows                 *table.Table
	}{{"TCP", "top-tcp-ports", "Top-10 TCP ports by packets", tt.Sentence(), rows(tt.Rows)},
		{"UDP", "top-udp-ports", "Top-5 UDP ports by packets", tu.Sentence(), rows(tu.Rows)}} {
		if why := w.cannotHold(x.proto); why != "" {
			q.Answer = append(q.Answer, why)
			continue
		}
		q.Answer = append(q.Answer, x.sentence)
		q.Tables = append(q.Tables, b.table(x.name, x.caption, x.rows))
	}
	return q, nil
}

func (b *builder) t36() (*Question, error) {
	q := newQuestion("T3.6")
	fc := b.c.Flows().Fastest(10, b.opt.Fastest)
	caption := "Fastest TCP connections by transfer throughput (payload of the bulk direction over its transfer time; minimums in the methods section), and the same payload over the whole lifetime"
	if fi := words(b.c).ff; fi != nil {
		if !fi.Fastest {
			why := "it has no TCP flags per side, so it does not say which connections completed a handshake"
			if fi.TCPState == "flags" || fi.TCPState == "conn_state" {
				why = "it has no end times, so no connection's duration is known"
			}
			q.Answer = []string{fmt.Sprintf("The fastest connections cannot be ranked from this %s file: %s.", fi.Format, why)}
			return q, nil
		}
		caption = "Fastest TCP connections by the bulk direction's bytes over the connection's lifetime (a flow file has no packet times)"
	}
	q.Answer = []string{fc.Sentence()}
	q.Tables = append(q.Tables, b.table("fastest-tcp", caption, rows(fc.Rows)))
	return q, nil
}

func (b *builder) t37() (*Question, error) {
	tr := b.c.Traffic()
	q := newQuestion("T3.7")
	st, err := tr.Rates(b.opt.Bin)
	if err != nil {
		return nil, err
	}
	w := words(b.c)
	mean := "The means are computed as capinfos does (bytes × 8 / duration, packets / duration)."
	if w.ff != nil {
		mean = "The means are the flows' bytes × 8 and packets over the time from the first flow's start to the last flow's end."
	}
	q.Answer = []string{st.Sentence(), mean}
	q.Tables = append(q.Tables, b.table("rates", "Rates: mean over the "+w.noun+", median and peak over the bins", rows(st.Rows())))
	for _, packets := range []bool{false, true} {
		name, caption := "bit-rate", "Bit rate over time"
		if packets {
			name, caption = "packet-rate", "Packet rate over time"
		}
		p, err := tr.RatePlot(b.opt.Bin, packets)
		b.figure(q, name, caption, fig(p, err))
	}
	bins, _ := tr.Bins(b.opt.Bin)
	b.csvOnly("rates-per-bin", rows(bins))
	return q, nil
}

func (b *builder) t38() (*Question, error) {
	f := b.c.Failures()
	q := newQuestion("T3.8")
	s := f.Summary()
	q.Answer = []string{s.Sentence()}
	if s.NotJudged != "" {
		return q, nil
	}
	q.Tables = append(q.Tables, b.table("failure-classes", "Failed communications by class (attempts are connections, transactions or requests, never retransmissions)", rows(s.Classes)))
	q.Tables = append(q.Tables, b.table("failures", "Failed communications by contacted host (or DNS name) and class", rows(f.List())))
	if u := f.Unfinished(); len(u) > 0 {
		q.Tables = append(q.Tables, b.table("failures-unfinished", "Requests made in the last "+units.Setting(analysis.AnswerWait)+" of the "+words(b.c).noun+", not yet answered (not judged)", rows(u)))
	}
	if sig := s.Signals; len(sig) > 0 {
		var parts []string
		for _, r := range sig {
			parts = append(parts, fmt.Sprintf("%s %s", r.Signal, units.Count(r.Messages)))
		}
		q.Answer = append(q.Answer, "ICMP errors that are network signals, not failed communications, are listed apart (messages): "+strings.Join(parts, ", ")+".")
		q.Tables = append(q.Tables, b.table("network-signals", "ICMP errors that are not failed communications", rows(sig)))
	}
	return q, nil
}
