package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-gota/gota/dataframe"
	"github.com/pcaplab/pcaplab/analysis"
)

// The answer sentences are written from the numbers only.

func bytesIn(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2f GB", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2f MB", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f kB", v/1e3)
	}
	return fmt.Sprintf("%.0f B", v)
}

// plural writes "1 host", "2 hosts".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func head10(df dataframe.DataFrame) dataframe.DataFrame {
	if df.Nrow() <= 10 {
		return df
	}
	return df.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
}

func flowDistributionSentence(c *analysis.Capture) string {
	d := c.FlowSizeDistribution()
	n := d.Nrow()
	if n == 0 {
		return "There are no flows."
	}
	// fraction of flows up to 1 kB and the share of bytes in the largest 10 % of flows
	var small float64
	for r := 0; r < n; r++ {
		if d.Elem(r, 0).Float() <= 1000 {
			small = d.Elem(r, 2).Float()
		}
	}
	sizes := make([]float64, 0, d.Nrow())
	var total float64
	for r := 0; r < n; r++ {
		b, _ := d.Elem(r, 0).Int()
		k, _ := d.Elem(r, 1).Int()
		for j := 0; j < k; j++ {
			sizes = append(sizes, float64(b))
		}
		total += float64(b) * float64(k)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sizes)))
	k := max(1, len(sizes)/10)
	var top float64
	for _, v := range sizes[:k] {
		top += v
	}
	return fmt.Sprintf("%.0f %% of the flows carry at most 1 000 bytes, while the largest %d flows (10 %%) carry %.0f %% of all flow bytes: most flows are small and a few large ones carry the volume, a heavy-tailed distribution best seen on the log axis.",
		100*small, k, 100*top/total)
}

// topSentence names the leaders of a ranked table.
func topSentence(what string, df dataframe.DataFrame, nameCol, countCol string, total int) string {
	if df.Nrow() == 0 {
		return "No " + what + " was seen."
	}
	var parts []string
	for r := 0; r < df.Nrow() && r < 3; r++ {
		v, _ := df.Col(countCol).Elem(r).Int()
		parts = append(parts, fmt.Sprintf("%s (%s, %.0f %%)", df.Col(nameCol).Elem(r).String(), plural(v, strings.TrimSuffix(countCol, "s")), 100*float64(v)/float64(total)))
	}
	return fmt.Sprintf("By %s, the leading %ss are %s.", countCol, what, strings.Join(parts, ", "))
}

func pairSentence(c *analysis.Capture, pf dataframe.DataFrame) string {
	n := pf.Nrow()
	if n == 0 {
		return "There are no host pairs."
	}
	first, _ := pf.Elem(0, 3).Int()
	last, _ := pf.Elem(n-1, 3).Int()
	var inTop10, all float64
	for r := 0; r < n; r++ {
		v, _ := pf.Elem(r, 3).Int()
		if r < 10 {
			inTop10 += float64(v)
		}
	}
	all = float64(c.FlowCount())
	return fmt.Sprintf("The most common pair (%s ↔ %s) has %d flows and pair %d has %d; the 10 most common pairs hold %.0f %% of all %d flows. A few pairs dominate and many have one or two flows — the long tail is visible on the log-scale plot.",
		pf.Elem(0, 1).String(), pf.Elem(0, 2).String(), first, n, last, 100*inTop10/all, int(all))
}

func countingSentence(rs []analysis.CountingResult) string {
	if len(rs) < 4 {
		return ""
	}
	fastest := rs[0]
	for _, r := range rs {
		if r.NsPerUpdate < fastest.NsPerUpdate {
			fastest = r
		}
	}
	ex, arr, cm, ss := rs[0], rs[1], rs[2], rs[3]
	return fmt.Sprintf("Measured here: the exact map uses %s bytes (growing with the number of pairs) at %.0f ns per update; the 2^16 array a fixed %s bytes at %.0f ns, mean relative error %.3f on the top-100; the Count-Min sketch %s bytes at %.0f ns, error %.3f (it never under-counts); Space-Saving %s bytes at %.0f ns, precision %.2f and recall %.2f on the top-100. Fastest per update: %s. For a top-k question on a large capture, Space-Saving keeps memory proportional to k with exact counts for the heavy pairs; Count-Min bounds memory for any key at the price of over-counting.",
		groupDigits(int(ex.MemoryBytes)), ex.NsPerUpdate, groupDigits(int(arr.MemoryBytes)), arr.NsPerUpdate, arr.MeanRelError,
		groupDigits(int(cm.MemoryBytes)), cm.NsPerUpdate, cm.MeanRelError, groupDigits(int(ss.MemoryBytes)), ss.NsPerUpdate,
		ss.Precision, ss.Recall, fastest.Method)
}

func hostCountSentence(s analysis.Summary, hc dataframe.DataFrame) string {
	var parts []string
	for r := 0; r < hc.Nrow(); r++ {
		v, _ := hc.Col("hosts").Elem(r).Int()
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d %s %s %s", v, hc.Col("family").Elem(r).String(), hc.Col("kind").Elem(r).String(),
			strings.Trim(hc.Col("scope").Elem(r).String(), "-"))))
	}
	return fmt.Sprintf("%d IPv4 and %d IPv6 addresses took part: %s.", s.IPv4Hosts, s.IPv6Hosts, strings.Join(parts, "; "))
}

func countrySentence(tc dataframe.DataFrame) string {
	var parts []string
	for r := 0; r < tc.Nrow(); r++ {
		code := tc.Col("country_code").Elem(r).String()
		if code == "-" {
			continue
		}
		v, _ := tc.Col("hosts").Elem(r).Int()
		parts = append(parts, fmt.Sprintf("%s (%s, %s)", tc.Col("country").Elem(r).String(), code, plural(v, "host")))
	}
	if len(parts) == 0 {
		return "No public address was seen, so no country can be named."
	}
	return "The public hosts are mostly in " + strings.Join(parts, ", ") + "; private, link-local, multicast and documentation addresses are listed apart, not as a country."
}

func topHostSentence(df dataframe.DataFrame, by string) string {
	if df.Nrow() == 0 {
		return "No IP host was seen."
	}
	var capt, remote []string
	for r := 0; r < df.Nrow(); r++ {
		h := df.Col("host").Elem(r).String()
		if df.Col("role").Elem(r).String() == "capturing host" {
			capt = append(capt, h)
		} else if len(remote) < 3 {
			remote = append(remote, h)
		}
	}
	s := ""
	if len(capt) > 0 {
		s = fmt.Sprintf("The capturing machine (%s) tops the list, as it takes part in nearly every packet. ", strings.Join(capt, " and "))
	}
	return s + fmt.Sprintf("The leading other hosts by %s are %s.", by, strings.Join(remote, ", "))
}

func portSentence(proto string, df dataframe.DataFrame, total uint64) string {
	if df.Nrow() == 0 {
		return "No " + proto + " packet was seen."
	}
	p, _ := df.Col("port").Elem(0).Int()
	n, _ := df.Col("packets").Elem(0).Int()
	return fmt.Sprintf("%s port %d (%s) is in %d of the %d %s packets (%.0f %%).", proto, p, df.Col("usage").Elem(0).String(), n, total, proto, 100*float64(n)/float64(max(total, 1)))
}

func fastestSentence(df dataframe.DataFrame) string {
	if df.Nrow() == 0 {
		return "No TCP connection met the minimums (handshake seen, enough packets, bytes and duration), so none is ranked: the capture holds only short or partial connections."
	}
	return fmt.Sprintf("The fastest connection, %s:%s → %s:%s (%s), moved %s bytes in %.3f s: %.2f Mbit/s, mostly as a %s. Connections below the minimums are left out so that one-packet connections with near-zero durations cannot top the list.",
		df.Col("orig").Elem(0).String(), df.Col("orig_port").Elem(0).String(), df.Col("resp").Elem(0).String(), df.Col("resp_port").Elem(0).String(),
		orDash(df.Col("server_name").Elem(0).String()), df.Col("bytes").Elem(0).String(), df.Col("duration_s").Elem(0).Float(),
		df.Col("mbit_per_s").Elem(0).Float(), df.Col("bulk_direction").Elem(0).String())
}

func orDash(s string) string {
	if s == "" {
		return "no server name seen"
	}
	return s
}

func failureSentence(c *analysis.Capture, rows []analysis.FailureRow) string {
	if _, _, state, _, ok := c.FlowSource(); ok && !state {
		return "The flow file does not say how TCP connections went, so failed connections cannot be classified from it."
	}
	if len(rows) == 0 {
		return "No failed communication was found: every TCP SYN was answered by a SYN-ACK, no ICMP unreachable and no DNS error was seen, and every unicast UDP flow got a reply."
	}
	var parts []string
	total := 0
	for _, r := range rows {
		total += r.Attempts
		parts = append(parts, fmt.Sprintf("%s %d (%s)", r.Class, r.Attempts, plural(r.Hosts, "host")))
	}
	return fmt.Sprintf("%d failed attempts were found: %s. The table below names each contacted host.", total, strings.Join(parts, ", "))
}
