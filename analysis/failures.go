package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/flow"
)

// Failure classes. Each is defined in the package documentation, with the
// Zeek conn_state it corresponds to.
const (
	FailTCPNoAnswer    = "tcp_no_answer"         // SYN never answered (S0, SH, RSTOS0)
	FailTCPRejected    = "tcp_rejected"          // SYN answered by RST (REJ)
	FailTCPAborted     = "tcp_aborted"           // handshake completed, reset before the responder sent data (RSTO/RSTR)
	FailICMPNet        = "icmp_net_unreachable"  // ICMP type 3 code 0/6/11, ICMPv6 type 1 code 0
	FailICMPHost       = "icmp_host_unreachable" // ICMP type 3 code 1/7/12, ICMPv6 type 1 code 3
	FailICMPPort       = "icmp_port_unreachable" // ICMP type 3 code 3, ICMPv6 type 1 code 4
	FailICMPProhibited = "icmp_admin_prohibited" // ICMP type 3 code 9/10/13, ICMPv6 type 1 code 1/5/6
	FailICMPOther      = "icmp_unreachable_other"
	FailDNSNXDomain    = "dns_nxdomain"
	FailDNSServFail    = "dns_servfail"
	FailDNSRefused     = "dns_refused"
	FailDNSOther       = "dns_other_error"
	FailDNSNoResponse  = "dns_no_response"
	FailUDPNoReply     = "udp_no_reply" // unicast UDP flow (not DNS) with no packet back and no ICMP error
)

// failureOrder is the order classes are listed in.
var failureOrder = []string{FailTCPNoAnswer, FailTCPRejected, FailTCPAborted, FailICMPNet, FailICMPHost, FailICMPPort,
	FailICMPProhibited, FailICMPOther, FailDNSNXDomain, FailDNSServFail, FailDNSRefused, FailDNSOther,
	FailDNSNoResponse, FailUDPNoReply}

// FailureClass counts one failure class: attempts, and the distinct hosts
// that were contacted without success.
type FailureClass struct {
	Class    string `json:"class" table:"class"`
	Attempts int    `json:"attempts" table:"attempts"`
	Hosts    int    `json:"hosts" table:"hosts"`
}

// Failures is the capture's failed communications (T3.8).
type Failures struct{ c *Capture }

// Failures returns the capture's failed communications.
func (c *Capture) Failures() Failures { return Failures{c} }

// failure is one failed attempt: its class, the contacted host, when, and
// a detail (the port tried, the DNS name).
type failure struct {
	class  string
	host   netip.Addr
	time   int64
	detail string
}

// each calls fn for every failed attempt: flows first, then ICMP errors,
// then DNS transactions. A flow that drew an ICMP error is counted under
// the ICMP class only.
func (v Failures) each(fn func(failure)) {
	v.c.eachFlow(func(f *flow.Flow) {
		if f.ICMPError.Seen() {
			return
		}
		if class := flowFailure(f); class != "" {
			fn(failure{class, f.Resp, f.First, fmt.Sprintf("%s/%d", transportName(f.Proto), f.RespPort)})
		}
	})
	for _, e := range v.c.m.ICMPErrors {
		if class := icmpFailure(e); class != "" {
			d := e.Quoted.Proto.String()
			if e.Quoted.HasPorts {
				d = fmt.Sprintf("%s/%d", transportName(e.Quoted.Proto), e.Quoted.DstPort)
			}
			fn(failure{class, e.Quoted.Dst, e.Time, d + fmt.Sprintf(" (reported by %s)", e.From)})
		}
	}
	for _, t := range v.c.m.DNS {
		if t.QueryTime == 0 {
			continue
		}
		if class := dnsFailure(t); class != "" {
			fn(failure{class, t.Server, t.QueryTime, t.Name})
		}
	}
}

// FailureClasses are T3.8's counts by class.
type FailureClasses []FailureClass

// Classes counts failed communications by class. Classes with no attempt
// are left out; the order is that of the class list above.
func (v Failures) Classes() FailureClasses {
	type acc struct {
		n     int
		hosts map[netip.Addr]bool
	}
	accs := map[string]*acc{}
	v.each(func(x failure) {
		a := accs[x.class]
		if a == nil {
			a = &acc{hosts: map[netip.Addr]bool{}}
			accs[x.class] = a
		}
		a.n++
		a.hosts[x.host] = true
	})
	rows := FailureClasses{}
	for _, cl := range failureOrder {
		if a := accs[cl]; a != nil {
			rows = append(rows, FailureClass{Class: cl, Attempts: a.n, Hosts: len(a.hosts)})
		}
	}
	return rows
}

func flowFailure(f *flow.Flow) string {
	switch f.Proto {
	case flow.TCP:
		switch f.State {
		case flow.S0, flow.SH, flow.RSTOS0:
			return FailTCPNoAnswer
		case flow.REJ:
			return FailTCPRejected
		case flow.RSTO, flow.RSTR:
			if f.RespPayload == 0 {
				return FailTCPAborted
			}
		}
	case flow.UDP:
		if f.State == flow.S0 && f.RespPort != 53 && f.OrigPort != 53 && unicast(f.Resp) {
			return FailUDPNoReply
		}
	}
	return ""
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

func icmpFailure(e ingest.ICMPError) string {
	if !e.V6 {
		if e.Type != 3 {
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

// FailureRow is one contacted host and failure class of T3.8.
type FailureRow struct {
	Class    string     `table:"class"`
	Host     netip.Addr `table:"host"`
	Attempts int        `table:"attempts"`
	First    time.Time  `table:"first"`
	Detail   string     `table:"detail"` // DNS names for DNS classes, the ports tried for TCP/UDP/ICMP classes (at most 5)
}

// List answers T3.8: one row per contacted host and failure class (see the
// class constants), with the number of attempts, the first time, and a
// detail. Sorted by class order, then attempts, then host.
func (v Failures) List() []FailureRow {
	type key struct {
		class string
		host  netip.Addr
	}
	type acc struct {
		n       int
		first   int64
		details []string
	}
	m := map[key]*acc{}
	v.each(func(x failure) {
		k := key{x.class, x.host}
		a := m[k]
		if a == nil {
			a = &acc{first: x.time}
			m[k] = a
		}
		a.n++
		a.first = min(a.first, x.time)
		if x.detail != "" && !slices.Contains(a.details, x.detail) && len(a.details) < 5 {
			a.details = append(a.details, x.detail)
		}
	})
	rank := map[string]int{}
	for i, cl := range failureOrder {
		rank[cl] = i
	}
	out := make([]FailureRow, 0, len(m))
	for k, a := range m {
		out = append(out, FailureRow{Class: k.class, Host: k.host, Attempts: a.n, First: time.Unix(0, a.first).UTC(), Detail: strings.Join(a.details, ", ")})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Class != b.Class {
			return rank[a.Class] < rank[b.Class]
		}
		if a.Attempts != b.Attempts {
			return a.Attempts > b.Attempts
		}
		return a.Host.Less(b.Host)
	})
	return out
}

// Sentence counts the failed attempts by class, or says why there are
// none (or why a flow file cannot tell).
func (v Failures) Sentence() string {
	if v.c.source != nil && !v.c.source.HasState {
		return "The flow file does not say how TCP connections went, so failed connections cannot be classified from it."
	}
	rows := v.Classes()
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
