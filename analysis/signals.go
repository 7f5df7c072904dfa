package analysis

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// Network signals: ICMP errors that are not failed communications. They
// are listed apart from the failures (T3.8).
const (
	SignalPathMTU      = "path_mtu"         // fragmentation needed (ICMP 3/4), packet too big (ICMPv6 2): path-MTU discovery at work
	SignalTTLExceeded  = "ttl_exceeded"     // time exceeded (ICMP 11, ICMPv6 3): traceroute, or a routing loop
	SignalTraceroute   = "traceroute_probe" // port unreachable for a UDP probe to ports 33434–33534: a traceroute reached its target
	SignalReplyRefused = "reply_refused"    // unreachable about a reply (a late or duplicate answer whose asker had closed its port)
	SignalRedirect     = "redirect"         // ICMP redirect (5): a router points to a better next hop
	SignalOther        = "other_icmp_error" // source quench, parameter problem
)

var signalOrder = []string{SignalPathMTU, SignalTTLExceeded, SignalTraceroute, SignalReplyRefused, SignalRedirect, SignalOther}

// SignalRow counts one kind of network signal: the ICMP messages, the
// distinct 5-tuples they quote, and who sent them.
type SignalRow struct {
	Signal    string `table:"signal"`
	Messages  int    `table:"messages"`
	Flows     int    `table:"quoted_flows"`
	Reporters string `table:"reported_by"` // at most 3 addresses, then how many more
}

// Signals lists the network signals by kind.
func (v Failures) Signals() []SignalRow {
	type acc struct {
		msgs      int
		flows     map[flow.Key]bool
		reporters []netip.Addr
	}
	m := map[string]*acc{}
	for _, e := range v.c.m.ICMPErrors {
		sig := icmpSignal(e)
		if sig == "" {
			continue
		}
		a := m[sig]
		if a == nil {
			a = &acc{flows: map[flow.Key]bool{}}
			m[sig] = a
		}
		a.msgs++
		q := e.Quoted
		a.flows[flow.MakeKey(q.Proto, q.Src, q.Dst, q.SrcPort, q.DstPort)] = true
		if !containsAddr(a.reporters, e.From) {
			a.reporters = append(a.reporters, e.From)
		}
	}
	var out []SignalRow
	for _, s := range signalOrder {
		if a := m[s]; a != nil {
			out = append(out, SignalRow{Signal: s, Messages: a.msgs, Flows: len(a.flows), Reporters: addrList(a.reporters, 3)})
		}
	}
	return out
}

func containsAddr(l []netip.Addr, a netip.Addr) bool {
	for _, x := range l {
		if x == a {
			return true
		}
	}
	return false
}

// addrList writes at most n addresses, then how many more.
func addrList(l []netip.Addr, n int) string {
	var s []string
	for i, a := range l {
		if i == n {
			s = append(s, fmt.Sprintf("and %s more", units.Count(len(l)-n)))
			break
		}
		s = append(s, a.String())
	}
	return strings.Join(s, ", ")
}

// icmpSignal says which signal an ICMP error is, "" for a failure.
func icmpSignal(e ingest.ICMPError) string {
	switch {
	case !e.V6 && e.Type == 3 && e.Code == 4, e.V6 && e.Type == 2:
		return SignalPathMTU
	case !e.V6 && e.Type == 11, e.V6 && e.Type == 3:
		return SignalTTLExceeded
	case !e.V6 && e.Type == 5:
		return SignalRedirect
	case !e.V6 && (e.Type == 4 || e.Type == 12), e.V6 && e.Type == 4:
		return SignalOther
	case unreachableClass(e) == "":
		return ""
	}
	q := e.Quoted
	switch {
	case q.Proto == flow.UDP && q.HasPorts && q.DstPort >= 33434 && q.DstPort <= 33534:
		return SignalTraceroute
	case e.Matched && e.QuotedDir == flow.FromResp, !e.Matched && quotesReply(q):
		return SignalReplyRefused
	}
	return ""
}

// quotesReply guesses, for a quoted packet of no flow in the capture,
// whether it was a reply: sent from a well-known service port to a port
// that is not one.
func quotesReply(q decode.Quote) bool {
	if !q.HasPorts || (q.Proto != flow.TCP && q.Proto != flow.UDP) {
		return false
	}
	service := func(p uint16) bool { return p < 1024 || ServiceName(q.Proto, p) != "" }
	return service(q.SrcPort) && !service(q.DstPort)
}
