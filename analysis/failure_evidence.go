package analysis

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// each calls fn for every failed attempt (unfinished requests excepted):
// flows first, then ICMP errors, DNS transactions and DHCP transactions.
func (v Failures) each(fn func(failure)) {
	failed, _ := v.c.failureEvents()
	for _, x := range failed {
		fn(x)
	}
}

func (v Failures) unfinished() []failure {
	_, u := v.c.failureEvents()
	return u
}

// failureEvents judges every request once: failed, or unfinished (no
// answer, but asked less than AnswerWait before the capture ended).
func (c *Capture) failureEvents() (failed, unfinished []failure) {
	c.failOnce.Do(func() {
		fi := c.Input().FlowFile
		if fi != nil && len(fi.FailureClasses) == 0 {
			return
		}
		late := c.m.Last - int64(AnswerWait)
		add := func(x failure, pending bool) {
			if pending {
				c.unfinished = append(c.unfinished, x)
			} else {
				c.failed = append(c.failed, x)
			}
		}
		c.eachFlow(func(f *flow.Flow) {
			if icmpCounted(f) {
				return // counted with its ICMP error
			}
			if class := flowFailure(f); class != "" && (fi == nil || slices.Contains(fi.FailureClasses, class)) {
				pending := f.First > late && (class == FailTCPNoAnswer || class == FailUDPNoReply)
				add(failure{class, f.Resp, "", f.First, fmt.Sprintf("%s/%d", transportName(f.Proto), f.RespPort)}, pending)
			}
		})
		for _, x := range c.icmpFailures() {
			add(x, false)
		}
		c.dnsFailures(late, add)
		c.dhcpFailures(late, add)
	})
	return c.failed, c.unfinished
}

// flowFailure is the failure class of a flow, "" when it did not fail.
func flowFailure(f *flow.Flow) string {
	switch f.Proto {
	case flow.TCP:
		switch f.State {
		case flow.S0, flow.SH, flow.RSTOS0:
			return FailTCPNoAnswer
		case flow.REJ:
			return FailTCPRejected
		case flow.RSTR:
			// The responder accepted, then reset before sending anything:
			// a refusal after the handshake. An originator's reset (RSTO)
			// is the client's own choice (a browser cancelling a spare
			// connection 29 µs after the SYN-ACK on reddit-ipv6), not a
			// failure of the contacted host.
			if f.RespPayload == 0 {
				return FailTCPAborted
			}
		}
	case flow.UDP:
		if udpRequestUnanswered(f) {
			return FailUDPNoReply
		}
	}
	return ""
}

// udpRequestUnanswered: the originator asked (its first payload is a
// request) a unicast host, which sent nothing back. DNS and DHCP are judged
// by their transactions instead.
func udpRequestUnanswered(f *flow.Flow) bool {
	return f.State == flow.S0 && f.Opening == flow.MsgRequest && unicast(f.Resp) && !dnsOrDHCP(f)
}

func dnsOrDHCP(f *flow.Flow) bool {
	return f.RespPort == 53 || f.OrigPort == 53 || (f.RespPort == 67 || f.RespPort == 68) && (f.OrigPort == 67 || f.OrigPort == 68)
}

// udpUnjudged counts the one-way UDP flows to unicast hosts whose payload
// does not say whether it asked for an answer.
func (v Failures) udpUnjudged() int {
	n := 0
	v.c.eachFlow(func(f *flow.Flow) {
		if f.Proto == flow.UDP && f.State == flow.S0 && f.Opening == flow.MsgUnknown && unicast(f.Resp) && !dnsOrDHCP(f) && !f.ICMPError.Seen() {
			n++
		}
	})
	return n
}

// icmpCounted reports whether a flow's first ICMP error is a destination
// unreachable that the ICMP classes count (so the flow's own class is not
// counted again).
func icmpCounted(f *flow.Flow) bool {
	if !f.ICMPError.Seen() {
		return false
	}
	e := ingest.ICMPError{Type: f.ICMPError.Type(), Code: f.ICMPError.Code(), V6: f.Resp.Is6() && !f.Resp.Is4In6()}
	return unreachableClass(e) != ""
}

func unicast(a netip.Addr) bool {
	if a.IsMulticast() || a.IsUnspecified() || a.IsLoopback() {
		return false
	}
	if a.Is4() {
		b := a.As4()
		if b == [4]byte{255, 255, 255, 255} || b[3] == 255 {
			return false // limited or (most likely) directed broadcast
		}
	}
	return true
}

// unreachableClass is the failure class of an ICMP destination
// unreachable by code, "" for other messages and for fragmentation needed
// (path-MTU discovery, a signal).
func unreachableClass(e ingest.ICMPError) string {
	if !e.V6 {
		if e.Type != 3 || e.Code == 4 {
			return ""
		}
		switch e.Code {
		case 0, 6, 11:
			return FailICMPNet
		case 1, 7, 12:
			return FailICMPHost
		case 3:
			return FailICMPPort
		case 9, 10, 13:
			return FailICMPProhibited
		}
		return FailICMPOther
	}
	if e.Type != 1 {
		return ""
	}
	switch e.Code {
	case 0:
		return FailICMPNet
	case 3:
		return FailICMPHost
	case 4:
		return FailICMPPort
	case 1, 5, 6:
		return FailICMPProhibited
	}
	return FailICMPOther
}

// icmpFailures judges the ICMP errors: a destination unreachable about a
// request is one failed attempt per quoted 5-tuple (a retransmitted SYN
// drawing a second error is the same attempt); errors about replies, about
// traceroute probes, and other ICMP errors are signals (see Signals).
func (c *Capture) icmpFailures() []failure {
	type key struct {
		class string
		k     flow.Key
	}
	seen := map[key]bool{}
	var out []failure
	for _, e := range c.m.ICMPErrors {
		class := unreachableClass(e)
		if class == "" || icmpSignal(e) != "" {
			continue
		}
		q := e.Quoted
		k := key{class, flow.MakeKey(q.Proto, q.Src, q.Dst, q.SrcPort, q.DstPort)}
		if seen[k] {
			continue
		}
		seen[k] = true
		d := q.Proto.String()
		if q.HasPorts {
			d = fmt.Sprintf("%s/%d", transportName(q.Proto), q.DstPort)
		}
		out = append(out, failure{class, q.Dst, "", e.Time, d + fmt.Sprintf(" (reported by %s)", e.From)})
	}
	return out
}

// dnsFailures judges each DNS query: an error answer fails the name; no
// answer fails the resolver, unless the query was made within AnswerWait
// of the capture's end.
func (c *Capture) dnsFailures(late int64, add func(failure, bool)) {
	for _, t := range c.m.DNS {
		if t.QueryTime == 0 {
			continue
		}
		if class := dnsFailure(t); class != "" {
			add(failure{class, t.Server, t.Name, t.QueryTime, ""}, class == FailDNSNoResponse && t.QueryTime > late)
		}
	}
}

func dnsFailure(t ingest.DNSTransaction) string {
	if !t.Answered {
		return FailDNSNoResponse
	}
	switch t.RCode {
	case 0:
		return ""
	case 2:
		return FailDNSServFail
	case 3:
		return FailDNSNXDomain
	case 5:
		return FailDNSRefused
	}
	return FailDNSOther
}

// dhcpFailures judges each DHCP transaction (client and transaction id):
// Discovers without an Offer, Requests without an ACK or NAK, or a NAK.
func (c *Capture) dhcpFailures(late int64, add func(failure, bool)) {
	for _, t := range c.m.DHCP {
		client := net.HardwareAddr(t.Client[:]).String()
		switch {
		case t.Naks > 0:
			add(failure{FailDHCPNak, t.Server, client, t.FirstRequest, fmt.Sprintf("transaction 0x%08x", t.XID)}, false)
		case t.Requests > 0 && t.Acks == 0:
			add(failure{FailDHCPNoAck, netip.Addr{}, client, t.FirstRequest,
				fmt.Sprintf("transaction 0x%08x (%s)", t.XID, dhcpAsked(t))}, t.FirstRequest > late)
		case t.Discovers > 0 && t.Offers == 0 && t.Requests == 0:
			add(failure{FailDHCPNoOffer, netip.Addr{}, client, t.FirstDiscover,
				fmt.Sprintf("transaction 0x%08x (%s)", t.XID, units.Plural(t.Discovers, "Discover"))}, t.FirstDiscover > late)
		}
	}
}

// dhcpAsked names the messages of a transaction that asked for an ACK:
// "2 Requests", "1 Inform", "1 Request and 1 Inform".
func dhcpAsked(t ingest.DHCPTransaction) string {
	var parts []string
	if n := t.Requests - t.Informs; n > 0 {
		parts = append(parts, units.Plural(n, "Request"))
	}
	if t.Informs > 0 {
		parts = append(parts, units.Plural(t.Informs, "Inform"))
	}
	return strings.Join(parts, " and ")
}
