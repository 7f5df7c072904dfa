package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/units"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeSummaryText prints the summary for people: every number with its unit.
func writeSummaryText(w io.Writer, s analysis.Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range s.Files {
		what := f.Format
		if len(f.LinkTypes) > 0 {
			what += ", " + strings.Join(f.LinkTypes, ", ")
		}
		fmt.Fprintf(tw, "file\t%s (%s)\n", f.Name, what)
	}
	fmt.Fprintf(tw, "packets\t%s\n", units.Count(s.Packets))
	fmt.Fprintf(tw, "bytes\t%s B (%s)\n", units.Count(s.Bytes), units.Bytes(s.Bytes))
	if s.Packets == 0 {
		fmt.Fprintf(tw, "duration\t0 s (no packets)\n")
	} else {
		fmt.Fprintf(tw, "duration\t%s (%s → %s)\n", units.Duration(time.Duration(s.DurationS*1e9)), s.FirstTime, s.LastTime)
	}
	fmt.Fprintf(tw, "hosts\t%s IPv4, %s IPv6 addresses\n", units.Count(s.IPv4Hosts), units.Count(s.IPv6Hosts))
	fmt.Fprintf(tw, "flows\t%s (%s TCP, %s UDP, %s ICMP, %s other)\n", units.Count(s.Flows), units.Count(s.TCPFlows), units.Count(s.UDPFlows),
		units.Count(s.ICMPFlows), units.Count(s.OtherFlows))
	if s.Flows == 0 {
		tw.Flush()
		return writeSummaryLists(w, s)
	}
	fmt.Fprintf(tw, "flow size (bytes)\tmin %s B, median %s B, mean %s B, max %s B\n", units.Number(s.FlowBytes.Min, 0), units.Number(s.FlowBytes.Median, 1),
		units.Fixed(s.FlowBytes.Mean, 1), units.Number(s.FlowBytes.Max, 0))
	fmt.Fprintf(tw, "flow size (packets)\tmin %s, median %s, mean %s, max %s packets\n", units.Number(s.FlowPackets.Min, 0), units.Number(s.FlowPackets.Median, 1),
		units.Fixed(s.FlowPackets.Mean, 1), units.Number(s.FlowPackets.Max, 0))
	tw.Flush()
	return writeSummaryLists(w, s)
}

// writeSummaryLists prints the summary's top lists, failures and notes.
func writeSummaryLists(w io.Writer, s analysis.Summary) error {
	fmt.Fprintln(w, "\nTop hosts by bytes:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "host\tbytes (B)\tpackets\t")
	for _, h := range s.TopByBytes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", h.Host, units.Count(h.Bytes), units.Count(h.Packets))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nTop TCP ports by packets:")
	writePorts(w, s.TopTCPPorts)
	fmt.Fprintln(w, "\nTop UDP ports by packets:")
	writePorts(w, s.TopUDPPorts)
	fmt.Fprintln(w, "\nFailed communications:")
	if s.FlowSource != nil && len(s.FlowSource.FailureClasses) == 0 {
		fmt.Fprintf(w, "  not classified: a %s file does not say how TCP connections went\n", s.FlowSource.Format)
	} else if len(s.Failures) == 0 {
		fmt.Fprintln(w, "  none found (no unanswered or rejected TCP attempts, ICMP unreachables, DNS errors or unanswered UDP)")
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "class\tattempts\thosts\t")
		for _, f := range s.Failures {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", f.Class, units.Count(f.Attempts), units.Count(f.Hosts))
		}
		tw.Flush()
	}
	if fs := s.FlowSource; fs != nil {
		fmt.Fprintf(w, "\nRead from a flow file (%s); bytes are %s.\n", fs.Format, fs.Bytes)
		for _, n := range fs.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintln(w, "\nPackets not fully decoded (still counted in packets and bytes):")
		keys := make([]string, 0, len(s.Skipped))
		for k := range s.Skipped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %s\n", k, units.Plural(s.Skipped[k], "packet"))
		}
	}
	return nil
}

func writePorts(w io.Writer, rows []analysis.TopPort) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "port\tpackets\tbytes (B)\t")
	for _, p := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t\n", p.Port, units.Count(p.Packets), units.Count(p.Bytes))
	}
	tw.Flush()
}
