package analysis

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-gota/gota/dataframe"
	"net/netip"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
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

// FailureRow counts one failure class: attempts, and the distinct hosts
// that were contacted without success.
type FailureRow struct {
	Class    string `json:"class"`
	Attempts int    `json:"attempts"`
	Hosts    int    `json:"hosts"`
}

// FailureSummary counts failed communications by class. Classes with no
// attempt are left out; the order is that of the class list above.
func (c *Capture) FailureSummary() []FailureRow {
	type acc struct {
		n     int
		hosts map[netip.Addr]bool
	}
	accs := map[string]*acc{}
	add := func(class string, host netip.Addr) {
		a := accs[class]
		if a == nil {
			a = &acc{hosts: map[netip.Addr]bool{}}
			accs[class] = a
		}
		a.n++
		a.hosts[host] = true
	}
	c.eachFlow(func(f *Flow) {
		if f.ICMPError != 0 {
			return // counted with the ICMP error below
		}
		if class := flowFailure(f); class != "" {
			add(class, f.Resp)
		}
	})
	for _, e := range c.m.ICMPErrors {
		if class := icmpFailure(e); class != "" {
			add(class, e.Quoted.Dst)
		}
	}
	for _, t := range c.m.DNS {
		if t.QueryTime == 0 {
			continue
		}
		if class := dnsFailure(t); class != "" {
			add(class, t.Server)
		}
	}
	rows := []FailureRow{}
	for _, cl := range failureOrder {
		if a := accs[cl]; a != nil {
			rows = append(rows, FailureRow{Class: cl, Attempts: a.n, Hosts: len(a.hosts)})
		}
	}
	return rows
}

func flowFailure(f *Flow) string {
	switch f.Proto {
	case ingest.ProtoTCP:
		switch f.State {
		case "S0", "SH", "RSTOS0":
			return FailTCPNoAnswer
		case "REJ":
			return FailTCPRejected
		case "RSTO", "RSTR":
			if f.RespPayload == 0 {
				return FailTCPAborted
			}
		}
	case ingest.ProtoUDP:
		if f.State == "S0" && f.RespPort != 53 && f.OrigPort != 53 && unicast(f.Resp) {
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

func icmpFailure(e ICMPError) string {
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

func dnsFailure(t DNSTransaction) string {
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

// FailedCommunications answers T3.8: one row per contacted host and failure
// class (see the class constants), with the number of attempts, the first
// time, and a detail (the DNS names for DNS classes, the ports tried for
// TCP/UDP/ICMP classes). Sorted by class order, then attempts, then host.
// Columns: class, host, attempts, first, detail.
func (c *Capture) FailedCommunications() dataframe.DataFrame {
	type key struct {
		class string
		host  netip.Addr
	}
	type acc struct {
		n       int
		first   int64
		details []string
		seen    map[string]bool
	}
	m := map[key]*acc{}
	add := func(class string, host netip.Addr, t int64, detail string) {
		k := key{class, host}
		a := m[k]
		if a == nil {
			a = &acc{first: t, seen: map[string]bool{}}
			m[k] = a
		}
		a.n++
		if t < a.first {
			a.first = t
		}
		if detail != "" && !a.seen[detail] && len(a.details) < 5 {
			a.seen[detail] = true
			a.details = append(a.details, detail)
		}
	}
	c.eachFlow(func(f *Flow) {
		if f.ICMPError != 0 {
			return
		}
		if class := flowFailure(f); class != "" {
			add(class, f.Resp, f.First, fmt.Sprintf("%s/%d", transportName(f.Proto), f.RespPort))
		}
	})
	for _, e := range c.m.ICMPErrors {
		if class := icmpFailure(e); class != "" {
			d := ProtocolName(uint8(e.Quoted.Proto))
			if e.Quoted.HasPorts {
				d = fmt.Sprintf("%s/%d", transportName(uint8(e.Quoted.Proto)), e.Quoted.DstPort)
			}
			add(class, e.Quoted.Dst, e.Time, d+fmt.Sprintf(" (reported by %s)", e.From))
		}
	}
	for _, t := range c.m.DNS {
		if t.QueryTime == 0 {
			continue
		}
		if class := dnsFailure(t); class != "" {
			add(class, t.Server, t.QueryTime, t.Name)
		}
	}
	keys := make([]key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := map[string]int{}
	for i, cl := range failureOrder {
		rank[cl] = i
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.class != b.class {
			return rank[a.class] < rank[b.class]
		}
		if m[a].n != m[b].n {
			return m[a].n > m[b].n
		}
		return a.host.Less(b.host)
	})
	t := newTable(strCol("class"), strCol("host"), intCol("attempts"), strCol("first"), strCol("detail"))
	for _, k := range keys {
		a := m[k]
		t.row(k.class, k.host.String(), a.n, time.Unix(0, a.first).UTC().Format(time.RFC3339Nano), strings.Join(a.details, ", "))
	}
	return t.frame()
}

// FailureClasses is FailureSummary as a dataframe. Columns: class,
// attempts, hosts.
func (c *Capture) FailureClasses() dataframe.DataFrame {
	t := newTable(strCol("class"), intCol("attempts"), intCol("hosts"))
	for _, r := range c.FailureSummary() {
		t.row(r.Class, r.Attempts, r.Hosts)
	}
	return t.frame()
}
