package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// Failure classes (T3.8). A failed communication is a request that expects
// an answer and got none, or was refused; see the package documentation
// for each class's exact criterion.
const (
	FailTCPNoAnswer    = "tcp_no_answer"         // SYN never answered (S0, SH, RSTOS0)
	FailTCPRejected    = "tcp_rejected"          // SYN answered by RST (REJ)
	FailTCPAborted     = "tcp_aborted"           // handshake completed, then reset by the responder before it sent data (RSTR)
	FailICMPNet        = "icmp_net_unreachable"  // ICMP type 3 code 0/6/11, ICMPv6 type 1 code 0
	FailICMPHost       = "icmp_host_unreachable" // ICMP type 3 code 1/7/12, ICMPv6 type 1 code 3
	FailICMPPort       = "icmp_port_unreachable" // ICMP type 3 code 3, ICMPv6 type 1 code 4
	FailICMPProhibited = "icmp_admin_prohibited" // ICMP type 3 code 9/10/13, ICMPv6 type 1 code 1/5/6
	FailICMPOther      = "icmp_unreachable_other"
	FailDNSNXDomain    = "dns_nxdomain" // the name does not exist (answered by the resolver)
	FailDNSServFail    = "dns_servfail"
	FailDNSRefused     = "dns_refused"
	FailDNSOther       = "dns_other_error"
	FailDNSNoResponse  = "dns_no_response"
	FailDHCPNoOffer    = "dhcp_no_offer" // Discover(s) of one transaction, no Offer
	FailDHCPNoAck      = "dhcp_no_ack"   // Request(s) of one transaction, no ACK or NAK
	FailDHCPNak        = "dhcp_nak"      // a Request refused by NAK
	FailUDPNoReply     = "udp_no_reply"  // a UDP request to a unicast address, no packet back and no ICMP error
)

// failureOrder is the order classes are listed in.
var failureOrder = []string{FailTCPNoAnswer, FailTCPRejected, FailTCPAborted, FailICMPNet, FailICMPHost, FailICMPPort,
	FailICMPProhibited, FailICMPOther, FailDNSNXDomain, FailDNSServFail, FailDNSRefused, FailDNSOther,
	FailDNSNoResponse, FailDHCPNoOffer, FailDHCPNoAck, FailDHCPNak, FailUDPNoReply}

// classWords names each class in prose, for a count of n: "TCP connection
// attempt" → "3 unanswered TCP connection attempts".
var classWords = map[string][2]string{
	FailTCPNoAnswer:    {"unanswered TCP connection attempt", "unanswered TCP connection attempts"},
	FailTCPRejected:    {"refused TCP connection attempt", "refused TCP connection attempts"},
	FailTCPAborted:     {"TCP connection reset before any data came back", "TCP connections reset before any data came back"},
	FailICMPNet:        {"request met by network unreachable", "requests met by network unreachable"},
	FailICMPHost:       {"request met by host unreachable", "requests met by host unreachable"},
	FailICMPPort:       {"request met by port unreachable", "requests met by port unreachable"},
	FailICMPProhibited: {"request met by administratively prohibited", "requests met by administratively prohibited"},
	FailICMPOther:      {"request met by another destination unreachable", "requests met by other destination unreachables"},
	FailDNSNXDomain:    {"DNS lookup of a name that does not exist", "DNS lookups of names that do not exist"},
	FailDNSServFail:    {"DNS lookup failed by the server", "DNS lookups failed by the server"},
	FailDNSRefused:     {"DNS lookup refused", "DNS lookups refused"},
	FailDNSOther:       {"DNS lookup with another error", "DNS lookups with other errors"},
	FailDNSNoResponse:  {"DNS query without response", "DNS queries without response"},
	FailDHCPNoOffer:    {"DHCP Discover transaction without Offer", "DHCP Discover transactions without Offer"},
	FailDHCPNoAck:      {"DHCP Request without ACK", "DHCP Requests without ACK"},
	FailDHCPNak:        {"DHCP Request refused (NAK)", "DHCP Requests refused (NAK)"},
	FailUDPNoReply:     {"UDP request without reply", "UDP requests without reply"},
}

// classPhrase is a class's count in words, with its id for the table.
func classPhrase(class string, n int) string {
	w, ok := classWords[class]
	if !ok {
		return fmt.Sprintf("%s %s", class, units.Count(n))
	}
	noun := w[1]
	if n == 1 {
		noun = w[0]
	}
	return fmt.Sprintf("%s %s (%s)", units.Count(n), noun, class)
}

// nameFailure reports whether a class is a failed lookup of a name that
// the contacted host answered (it is the name's failure, not the host's).
func nameFailure(class string) bool {
	switch class {
	case FailDNSNXDomain, FailDNSServFail, FailDNSRefused, FailDNSOther:
		return true
	}
	return false
}

// AnswerWait is how long a request may wait for its answer before it
// counts as failed: a request made less than AnswerWait before the capture
// ended is "unfinished", not failed. 5 s: a TCP SYN is sent again after 1 s
// and 3 s (RFC 6298's initial timeout of 1 s, doubled), and a stub resolver
// waits 5 s for a DNS answer (glibc's default timeout).
const AnswerWait = 5 * time.Second

// FailureClass counts one failure class: attempts (connections,
// transactions or requests — never retransmissions), and the distinct
// hosts that were contacted without success (for DNS errors, the resolvers
// that gave them).
type FailureClass struct {
	Class    string `json:"class" table:"class"`
	Attempts int    `json:"attempts" table:"attempts"`
	Hosts    int    `json:"hosts" table:"hosts"` // distinct contacted hosts; for DHCP, whose server is not known, distinct clients
}

// Failures is the capture's failed communications (T3.8).
type Failures struct{ c *Capture }

// Failures returns the capture's failed communications.
func (c *Capture) Failures() Failures { return Failures{c} }

// failure is one failed attempt: its class, the contacted host, the name
// (DNS) or client (DHCP) it concerns, when, and a detail.
type failure struct {
	class  string
	host   netip.Addr
	name   string
	time   int64
	detail string
}

// Judged reports whether failures can be classified from the input: a flow
// file without TCP state cannot tell.
func (v Failures) Judged() bool {
	fi := v.c.Input().FlowFile
	return fi == nil || len(fi.FailureClasses) > 0
}

// FailureSummary answers T3.8 in numbers: the attempts and hosts of each
// class, the distinct hosts with at least one failed communication (split
// into those no communication succeeded with and those that also answered
// other requests), the names that did not resolve, the requests still
// unanswered when the capture ended, and the network signals (ICMP errors
// that are not failures).
type FailureSummary struct {
	Classes       []FailureClass
	FailedHosts   []netip.Addr // contacted hosts with a failed communication (DNS errors count against the name)
	OnlyFailed    []netip.Addr // of FailedHosts: no communication with them succeeded
	Silent        []netip.Addr // of OnlyFailed: sent no packet at all (the others only refused or reset)
	FailedNames   []string     // DNS names whose lookup failed with an error
	Unfinished    []FailureClass
	Signals       []SignalRow
	UDPUnjudged   int // one-way UDP flows whose payload says nothing of a request
	CaptureHasTCP bool
	CaptureHasDNS bool
	// NotJudged says why failures cannot be judged from the input (a flow
	// file without TCP state), "" when they can.
	NotJudged string
	// FlowFile names a flow file's format, whose Missing classes cannot be
	// told from it (see FlowFileInfo); "" for a capture.
	FlowFile string
	Missing  []string
}

// Summary computes the FailureSummary.
func (v Failures) Summary() FailureSummary {
	s := FailureSummary{Classes: v.Classes(), Unfinished: countClasses(v.unfinished()), Signals: v.Signals()}
	if fi := v.c.Input().FlowFile; fi != nil {
		s.FlowFile, s.Missing = fi.Format, fi.FailureClassesMissing
	}
	if !v.Judged() {
		s.NotJudged = fmt.Sprintf("a %s file does not say how TCP connections went, has no per-direction counts and holds no DNS or ICMP messages", s.FlowFile)
	}
	failed, names := map[netip.Addr]bool{}, map[string]bool{}
	v.each(func(x failure) {
		switch {
		case nameFailure(x.class):
			names[x.name] = true
		case x.host.IsValid() && AddressKind(x.host) == "unicast":
			failed[x.host] = true
		}
	})
	ok := v.c.answeringHosts()
	for a := range failed {
		s.FailedHosts = append(s.FailedHosts, a)
		if !ok[a] {
			s.OnlyFailed = append(s.OnlyFailed, a)
			if h := v.c.m.Hosts[a]; h == nil || h.Sent.Packets == 0 {
				s.Silent = append(s.Silent, a)
			}
		}
	}
	slices.SortFunc(s.FailedHosts, netip.Addr.Compare)
	slices.SortFunc(s.OnlyFailed, netip.Addr.Compare)
	slices.SortFunc(s.Silent, netip.Addr.Compare)
	for n := range names {
		s.FailedNames = append(s.FailedNames, n)
	}
	sort.Strings(s.FailedNames)
	s.UDPUnjudged = v.udpUnjudged()
	s.CaptureHasTCP = v.c.m.IPProtocols[flow.TCP].Packets > 0
	s.CaptureHasDNS = len(v.c.m.DNS) > 0 || v.c.m.DNSAnswered > 0
	return s
}

// answeringHosts are the hosts that answered some request: the responder
// of an established TCP connection or of a non-TCP flow with packets back,
// or a DNS server that answered.
func (c *Capture) answeringHosts() map[netip.Addr]bool {
	ok := map[netip.Addr]bool{}
	c.eachFlow(func(f *flow.Flow) {
		if f.Proto == flow.TCP && f.State.Established() || f.Proto != flow.TCP && f.RespPackets > 0 && f.OrigPackets > 0 {
			ok[f.Resp] = true
		}
	})
	for _, t := range c.m.DNS {
		if t.Answered {
			ok[t.Server] = true
		}
	}
	return ok
}

// countClasses counts attempts and distinct hosts per class, in class
// order.
func countClasses(l []failure) []FailureClass {
	type acc struct {
		n     int
		hosts map[netip.Addr]bool
		names map[string]bool
	}
	accs := map[string]*acc{}
	for _, x := range l {
		a := accs[x.class]
		if a == nil {
			a = &acc{hosts: map[netip.Addr]bool{}, names: map[string]bool{}}
			accs[x.class] = a
		}
		a.n++
		if x.host.IsValid() {
			a.hosts[x.host] = true
		} else if x.name != "" {
			a.names[x.name] = true // a DHCP client: its server is not known
		}
	}
	rows := []FailureClass{}
	for _, cl := range failureOrder {
		if a := accs[cl]; a != nil {
			rows = append(rows, FailureClass{Class: cl, Attempts: a.n, Hosts: len(a.hosts) + len(a.names)})
		}
	}
	return rows
}

// Classes counts failed communications by class. Classes with no attempt
// are left out; the order is that of the class list above.
func (v Failures) Classes() []FailureClass {
	var l []failure
	v.each(func(x failure) { l = append(l, x) })
	return countClasses(l)
}

// FailureRow is one contacted host (or failed name) and failure class of
// T3.8.
type FailureRow struct {
	Class    string        `table:"class"`
	Host     netip.Addr    `table:"host"`      // the contacted host; for DNS errors the resolver that answered
	Name     string        `table:"name"`      // the DNS name, or the DHCP client's hardware address
	Attempts int           `table:"attempts"`  // connections, transactions or requests (never retransmissions)
	First    time.Duration `table:"first_s,3"` // the first attempt, after the input's first packet (or flow)
	Detail   string        `table:"detail"`    // ports tried, who reported the error (at most 5 distinct)
}

// List answers T3.8: one row per contacted host (or name) and failure
// class, with the number of attempts, the first time, and a detail. Sorted
// by class order, then attempts, then host and name.
func (v Failures) List() []FailureRow { return listFailures(v.c.m.First, v.each) }

// Unfinished lists the requests made less than AnswerWait before the
// capture ended that had no answer yet: no verdict can be given on them.
func (v Failures) Unfinished() []FailureRow {
	l := v.unfinished()
	return listFailures(v.c.m.First, func(fn func(failure)) {
		for _, x := range l {
			fn(x)
		}
	})
}

func listFailures(origin int64, each func(func(failure))) []FailureRow {
	type key struct {
		class, name string
		host        netip.Addr
	}
	m := map[key]*FailureRow{}
	details := map[key][]string{}
	each(func(x failure) {
		k := key{x.class, x.name, x.host}
		r := m[k]
		if r == nil {
			r = &FailureRow{Class: x.class, Host: x.host, Name: x.name, First: time.Duration(x.time - origin)}
			m[k] = r
		}
		r.Attempts++
		if t := time.Duration(x.time - origin); t < r.First {
			r.First = t
		}
		if d := x.detail; d != "" && !slices.Contains(details[k], d) {
			details[k] = append(details[k], d)
		}
	})
	out := make([]FailureRow, 0, len(m))
	for k, r := range m {
		r.Detail = strings.Join(details[k][:min(5, len(details[k]))], ", ")
		if n := len(details[k]); n > 5 {
			r.Detail += fmt.Sprintf(" and %d more", n-5)
		}
		out = append(out, *r)
	}
	sortFailureRows(out)
	return out
}

func sortFailureRows(out []FailureRow) {
	rank := map[string]int{}
	for i, cl := range failureOrder {
		rank[cl] = i
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Class != b.Class:
			return rank[a.Class] < rank[b.Class]
		case a.Attempts != b.Attempts:
			return a.Attempts > b.Attempts
		case a.Host != b.Host:
			return a.Host.Less(b.Host)
		}
		return a.Name < b.Name
	})
}

// Sentence answers T3.8 in words from the summary: how many requests
// failed and how many distinct hosts, which of those never answered
// anything, the names that did not resolve, and what was not judged.
func (s FailureSummary) Sentence() string {
	if s.NotJudged != "" {
		return "Failed communications cannot be classified from this input: " + s.NotJudged + "."
	}
	total := 0
	var parts []string
	for _, r := range s.Classes {
		total += r.Attempts
		parts = append(parts, classPhrase(r.Class, r.Attempts))
	}
	var out []string
	switch {
	case total == 0 && s.FlowFile != "":
		out = append(out, "No failed communication of the classes this flow file can show was found.")
	case total == 0:
		out = append(out, "No failed communication was found"+s.noneBecause()+".")
	default:
		out = append(out, fmt.Sprintf("%s failed: %s.", units.Plural(total, "request"), strings.Join(parts, ", ")))
		out = append(out, s.hostsSentence())
	}
	if s.FlowFile != "" {
		out = append(out, s.flowFileLimits())
	}
	if len(s.Unfinished) > 0 {
		n := 0
		for _, r := range s.Unfinished {
			n += r.Attempts
		}
		out = append(out, fmt.Sprintf("%s made in the last %s of the capture had no answer yet and %s not judged (listed apart as unfinished).",
			units.Plural(n, "request"), units.Setting(AnswerWait), isAre(n)))
	}
	if s.UDPUnjudged > 0 {
		out = append(out, fmt.Sprintf("%s got no reply, but their payload does not say they asked for one (peer-to-peer, streaming or telemetry traffic), so they are not counted as failures.",
			units.Plural(s.UDPUnjudged, "one-way UDP flow")))
	}
	return strings.Join(out, " ")
}

// flowFileLimits says what a flow file cannot show, and that an attempt
// answered by an ICMP error counts as unanswered (the file cannot link the
// two).
func (s FailureSummary) flowFileLimits() string {
	out := fmt.Sprintf("This %s file cannot show %s (no DNS answers, ICMP errors or DHCP messages are in it",
		s.FlowFile, strings.Join(s.Missing, ", "))
	if slices.Contains(s.Missing, FailTCPAborted) {
		out += ", nor payload counts to tell a reset after data from one before"
	}
	out += ")."
	if !slices.Contains(s.Missing, FailTCPNoAnswer) || !slices.Contains(s.Missing, FailUDPNoReply) {
		out += " An attempt answered only by an ICMP error counts as unanswered: the file cannot link the two."
	}
	return out
}

// noneBecause says what was looked for, only for what the capture holds.
func (s FailureSummary) noneBecause() string {
	var checks []string
	if s.CaptureHasTCP {
		checks = append(checks, "every TCP SYN was answered")
	}
	if s.CaptureHasDNS {
		checks = append(checks, "every DNS query got a successful answer")
	}
	checks = append(checks, "no ICMP destination unreachable concerned a request")
	return ": " + strings.Join(checks, ", ")
}

func (s FailureSummary) hostsSentence() string {
	n, only, silent := len(s.FailedHosts), len(s.OnlyFailed), len(s.Silent)
	var out string
	if n == 0 {
		out = "None of them was a request a unicast host left unanswered or refused"
		if s.total() == 1 {
			out = "It was not a request a unicast host left unanswered or refused"
		}
	} else {
		var parts []string
		for _, p := range []struct {
			n    int
			what string
		}{{silent, "sent no packet at all"}, {only - silent, "answered only with refusals or resets"},
			{n - only, "answered other requests"}} {
			if p.n > 0 {
				parts = append(parts, units.Count(p.n)+" "+p.what)
			}
		}
		out = fmt.Sprintf("%s had at least one failed request: %s", units.Plural(n, "distinct host"), strings.Join(parts, ", "))
		if len(parts) == 1 {
			out = fmt.Sprintf("%s had at least one failed request, and %s", units.Plural(n, "distinct host"), allOf(n, parts[0]))
		}
	}
	if len(s.FailedNames) > 0 {
		out += fmt.Sprintf("; %s did not resolve (DNS errors count against the name, not the resolver, which answered)", units.Plural(len(s.FailedNames), "DNS name"))
	}
	return out + "."
}

// allOf turns "3 sent no packet at all" into "all 3 sent no packet at all"
// ("it sent …" for one).
func allOf(n int, part string) string {
	rest := strings.TrimPrefix(part, units.Count(n)+" ")
	if n == 1 {
		return "it " + rest
	}
	return "all " + units.Count(n) + " " + rest
}

// total is the number of failed requests of every class.
func (s FailureSummary) total() int {
	n := 0
	for _, r := range s.Classes {
		n += r.Attempts
	}
	return n
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
