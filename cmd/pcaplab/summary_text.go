package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pcaplab/pcaplab/analysis"
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
		fmt.Fprintf(tw, "file\t%s (%s, %s)\n", f.Name, f.Format, strings.Join(f.LinkTypes, ", "))
	}
	fmt.Fprintf(tw, "packets\t%d\n", s.Packets)
	fmt.Fprintf(tw, "bytes\t%d B\n", s.Bytes)
	fmt.Fprintf(tw, "duration\t%.6f s (%s → %s)\n", s.DurationS, s.FirstTime, s.LastTime)
	fmt.Fprintf(tw, "hosts\t%d IPv4, %d IPv6 addresses\n", s.IPv4Hosts, s.IPv6Hosts)
	fmt.Fprintf(tw, "flows\t%d (%d TCP, %d UDP, %d ICMP, %d other)\n", s.Flows, s.TCPFlows, s.UDPFlows, s.ICMPFlows, s.OtherFlows)
	fmt.Fprintf(tw, "flow size (bytes)\tmin %.0f B, median %.1f B, mean %.1f B, max %.0f B\n", s.FlowBytes.Min, s.FlowBytes.Median, s.FlowBytes.Mean, s.FlowBytes.Max)
	fmt.Fprintf(tw, "flow size (packets)\tmin %.0f, median %.1f, mean %.1f, max %.0f packets\n", s.FlowPackets.Min, s.FlowPackets.Median, s.FlowPackets.Mean, s.FlowPackets.Max)
	tw.Flush()

	fmt.Fprintln(w, "\nTop hosts by bytes:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "host\tbytes (B)\tpackets\t")
	for _, h := range s.TopByBytes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", h.Host, h.Bytes, h.Packets)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nTop TCP ports by packets:")
	writePorts(w, s.TopTCPPorts)
	fmt.Fprintln(w, "\nTop UDP ports by packets:")
	writePorts(w, s.TopUDPPorts)
	fmt.Fprintln(w, "\nFailed communications:")
	if s.FlowSource != nil && !s.FlowSource.HasState {
		fmt.Fprintf(w, "  not classified: a %s file does not say how TCP connections went\n", s.FlowSource.Format)
	} else if len(s.Failures) == 0 {
		fmt.Fprintln(w, "  none found (no unanswered or rejected TCP attempts, ICMP unreachables, DNS errors or unanswered UDP)")
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "class\tattempts\thosts\t")
		for _, f := range s.Failures {
			fmt.Fprintf(tw, "%s\t%d\t%d\t\n", f.Class, f.Attempts, f.Hosts)
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
			fmt.Fprintf(w, "  %s: %d packets\n", k, s.Skipped[k])
		}
	}
	return nil
}

func writePorts(w io.Writer, rows []analysis.TopPort) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "port\tpackets\tbytes (B)\t")
	for _, p := range rows {
		fmt.Fprintf(tw, "%d\t%d\t%d\t\n", p.Port, p.Packets, p.Bytes)
	}
	tw.Flush()
}
