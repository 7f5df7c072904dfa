package flowfile

import (
	"bufio"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// argusAdvice is the export that gives pcaplab the most Argus can: epoch
// times (-u), numbers for protocols and ports (-nn), the TCP flags of each
// side (-Z b), counts per direction and the application bytes (which
// argus records only when run with -A).
const argusAdvice = "argus -A -r CAPTURE -w FILE, then ra -r FILE -u -nn -c , -Z b -s stime ltime proto saddr sport dir daddr dport spkts dpkts sbytes dbytes sappbytes dappbytes state"

// argusColumns are the columns pcaplab reads, by ra's titles in lower case.
type argusColumns map[string]int

func (c argusColumns) get(fs []string, names ...string) string {
	for _, n := range names {
		if i, ok := c[n]; ok && i < len(fs) {
			return strings.TrimSpace(fs[i])
		}
	}
	return ""
}

func (c argusColumns) has(names ...string) bool {
	for _, n := range names {
		if _, ok := c[n]; ok {
			return true
		}
	}
	return false
}

// argusSeparator is the separator ra was given with -c: the one of , ; tab
// and | that the header holds most of.
func argusSeparator(header string) (string, error) {
	best, n := "", 0
	for _, s := range []string{",", ";", "\t", "|"} {
		if c := strings.Count(header, s); c > n {
			best, n = s, c
		}
	}
	if n == 0 {
		return "", fmt.Errorf("columns aligned with spaces (ra without -c): export with %s", argusAdvice)
	}
	return best, nil
}

// argusFile is the state of reading one ra output.
type argusFile struct {
	res       *Result
	cols      argusColumns
	sep       string
	flags     bool  // TCP states are flags of each side (ra -Z b)
	day, prev int64 // times of day only: days added after midnight, and the last time read
}

// readArgus reads ra or racluster output with any field set and any
// separator. Records that are not IP flows (Argus's management records,
// ARP, LLC …) are counted and left out; status records of one flow are
// merged when the files are combined.
func readArgus(br *bufio.Reader) (*part, error) {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil, lineError(1, "no header")
	}
	a, err := newArgusFile(strings.TrimRight(sc.Text(), "\r"))
	if err != nil {
		return nil, lineError(1, "%v", err)
	}
	for line := 2; sc.Scan(); line++ {
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		if err := a.record(strings.Split(s, a.sep)); err != nil {
			return nil, lineError(line, "%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	a.finish()
	return &part{res: a.res}, nil
}

func newArgusFile(header string) (*argusFile, error) {
	sep, err := argusSeparator(header)
	if err != nil {
		return nil, err
	}
	a := &argusFile{sep: sep, cols: argusColumns{}, res: &Result{Format: Argus, Bytes: WireBytes, Skipped: map[string]int{},
		Orientation: OrientExporter, State: StateArgus, DurationStep: time.Microsecond,
		Timeouts: Timeouts{By: TimeoutsExporter, Text: "argus's own: a record ends at the flow's end or after argus's idle timeout, and a long flow is reported in status records every ARGUS_FLOW_STATUS_INTERVAL (argus -S; 60 s by default, 5 s in Debian's /etc/argus.conf), which pcaplab joins back into one flow as racluster does"}}}
	for i, h := range strings.Split(header, sep) {
		a.cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	c := a.cols
	if !c.has("proto") || !c.has("srcaddr") || !c.has("dstaddr") || !c.has("starttime") {
		return nil, fmt.Errorf("no StartTime, Proto, SrcAddr or DstAddr column; export with %s", argusAdvice)
	}
	if !c.has("srcpkts", "totpkts") || !c.has("srcbytes", "totbytes") {
		return nil, fmt.Errorf("no packet or byte counts; export with %s", argusAdvice)
	}
	a.res.Directions = c.has("srcpkts") && c.has("dstpkts") && c.has("srcbytes") && c.has("dstbytes")
	a.res.Durations = c.has("lasttime", "dur")
	a.res.Payload = c.has("sappbytes") && c.has("dappbytes")
	return a, nil
}

// record reads one row.
func (a *argusFile) record(fs []string) error {
	c := a.cols
	proto, skip, err := argusProto(c.get(fs, "proto"))
	if err != nil {
		return err
	}
	if skip != "" {
		a.res.Records++
		a.res.Skipped[skip]++
		return nil
	}
	src, e1 := addr(c.get(fs, "srcaddr"))
	dst, e2 := addr(c.get(fs, "dstaddr"))
	a.res.Records++
	if e1 != nil || e2 != nil {
		if strings.Count(c.get(fs, "srcaddr"), ":") == 5 { // a MAC address: ra -nn prints LLC as protocol 0
			a.res.Skipped["records between MAC addresses (not IP: STP, LLC …)"]++
			return nil
		}
		return fmt.Errorf("bad SrcAddr %q or DstAddr %q", c.get(fs, "srcaddr"), c.get(fs, "dstaddr"))
	}
	first, last, err := a.times(fs)
	if err != nil {
		return err
	}
	f := newFlow(proto, src, dst, 0, 0, first, last)
	if err := a.ports(&f, fs); err != nil {
		return err
	}
	if err := a.counts(&f, fs); err != nil {
		return err
	}
	if strings.Contains(c.get(fs, "dir"), "?") {
		a.res.Guessed++
	}
	a.state(&f, c.get(fs, "state"))
	a.res.Flows = append(a.res.Flows, f)
	return nil
}

// argusProto reads ra's Proto: a name (ra without -nn) or a number (-nn;
// above 255 an EtherType). skip names records that are not IP flows.
func argusProto(s string) (p flow.Proto, skip string, err error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(ls); err == nil {
		if n > 255 || n < 0 {
			return 0, fmt.Sprintf("records of EtherType 0x%04x (not IP)", n), nil
		}
		return flow.Proto(n), "", nil
	}
	if why, ok := argusNonIP[ls]; ok {
		return 0, why, nil
	}
	if nums, ok := argusAmbiguous[ls]; ok {
		return 0, "", fmt.Errorf("Proto %q stands for protocol %s in ra's table; export with ra -nn (numbers)", s, nums)
	}
	if p, ok := argusProtos[ls]; ok {
		return p, "", nil
	}
	return 0, "", fmt.Errorf("Proto %q is not a name ra prints; export with ra -nn (numbers)", s)
}

// times reads the start and the end (LastTime, else StartTime + Dur, else
// the start: racluster's default fields have neither).
func (a *argusFile) times(fs []string) (first, last int64, err error) {
	c := a.cols
	if first, err = a.time(c.get(fs, "starttime")); err != nil {
		return 0, 0, err
	}
	switch {
	case c.has("lasttime"):
		last, err = a.time(c.get(fs, "lasttime"))
	case c.has("dur"):
		var d int64
		d, _, err = decimal(c.get(fs, "dur"))
		last = first + d
	default:
		last = first
	}
	return first, last, err
}

// time reads epoch seconds (ra -u), a date, or a time of day (ra's
// default): times of day go on from one day to the next at midnight.
func (a *argusFile) time(s string) (int64, error) {
	if !strings.Contains(s, ":") {
		ns, digits, err := decimal(s)
		a.res.StartStep = max(a.res.StartStep, step(digits))
		return ns, err
	}
	ns, res, dated, err := clockTime(s)
	if err != nil {
		return 0, err
	}
	a.res.StartStep = max(a.res.StartStep, res)
	if dated {
		a.res.Clock = ClockLocal
		return ns, nil
	}
	a.res.Clock = ClockTimeOfDay
	if ns+a.day < a.prev-int64(12*time.Hour) {
		a.day += int64(24 * time.Hour)
	}
	a.prev = ns + a.day
	return ns + a.day, nil
}

// ports reads Sport and Dport. For ICMP, ra prints the type and code as
// one hexadecimal number in Sport ("0x0303": port unreachable) and the
// echo identifier in Dport: flows take the type and code, or for echo the
// identifier on both sides, as pcaplab keys ICMP.
func (a *argusFile) ports(f *flow.Flow, fs []string) error {
	sp, err := parsePort(a.cols.get(fs, "sport"), "export with ra -n (numbers)")
	if err != nil {
		return err
	}
	dp, err := parsePort(a.cols.get(fs, "dport"), "export with ra -n (numbers)")
	if err != nil {
		return err
	}
	f.OrigPort, f.RespPort = sp, dp
	if f.Proto == flow.ICMP || f.Proto == flow.ICMPv6 {
		typ, code := uint8(sp>>8), uint8(sp)
		f.OrigPort, f.RespPort = uint16(typ), uint16(code)
		if isEcho(f.Proto, typ) {
			f.OrigPort, f.RespPort = dp, dp
		}
	}
	return nil
}

// isEcho: ICMP messages pcaplab keys by identifier (echo, timestamp and
// information requests and replies).
func isEcho(p flow.Proto, typ uint8) bool {
	if p == flow.ICMPv6 {
		return typ == 128 || typ == 129
	}
	switch typ {
	case 0, 8, 13, 14, 15, 16:
		return true
	}
	return false
}

// counts reads packets and bytes per direction, or the totals (all counted
// as the originator's), and the application bytes.
func (a *argusFile) counts(f *flow.Flow, fs []string) error {
	c := a.cols
	type col struct {
		dst   *uint64
		names []string
	}
	cols := []col{{&f.OrigPackets, []string{"totpkts"}}, {&f.OrigBytes, []string{"totbytes"}}}
	if a.res.Directions {
		cols = []col{{&f.OrigPackets, []string{"srcpkts"}}, {&f.RespPackets, []string{"dstpkts"}},
			{&f.OrigBytes, []string{"srcbytes"}}, {&f.RespBytes, []string{"dstbytes"}}}
	}
	if a.res.Payload {
		cols = append(cols, col{&f.OrigPayload, []string{"sappbytes"}}, col{&f.RespPayload, []string{"dappbytes"}})
	}
	for _, x := range cols {
		v, err := count(c.get(fs, x.names...))
		if err != nil {
			return err
		}
		*x.dst = v
	}
	return nil
}

// state reads the State column: TCP flags of each side ("SPA_SA", ra
// -Z b), or Argus's words. Without flags, only what the words say for sure
// is kept: REQ (a SYN that got no answer) is S0, CON and ACC an open
// connection (S1), FIN and CLO a closed one (SF); RST, TIM and INT do not
// say who reset or whether the attempt was answered, so they stay unknown.
// Other protocols: SF with packets both ways, S0 one way.
func (a *argusFile) state(f *flow.Flow, s string) {
	if f.Proto == flow.TCP {
		if o, r, ok := strings.Cut(s, "_"); ok {
			a.flags = true
			f.OrigFlags, f.RespFlags = nfFlags(o), nfFlags(r)
			f.State, f.History = flow.StateFromFlags(f.OrigFlags, f.RespFlags, f.RespPackets)
			return
		}
		f.State = map[string]flow.State{"REQ": flow.S0, "CON": flow.S1, "ACC": flow.S1, "FIN": flow.SF, "CLO": flow.SF}[s]
		return
	}
	if a.res.Directions {
		f.State = flow.OtherState(f.OrigPackets, f.RespPackets)
		return
	}
	f.State = map[string]flow.State{"CON": flow.SF, "INT": flow.S0, "REQ": flow.S0, "RSP": flow.SHR}[s]
}

// finish settles what the file can tell: flags (ra -Z b) or words;
// application bytes only when argus counted them (-A: some are not 0).
func (a *argusFile) finish() {
	r := a.res
	if a.flags {
		r.State = StateFlags
	}
	if r.Payload {
		any := false
		for i := range r.Flows {
			any = any || r.Flows[i].OrigPayload > 0 || r.Flows[i].RespPayload > 0
		}
		if !any {
			r.Payload = false
			r.Notes = append(r.Notes, "SAppBytes and DAppBytes are 0 in every record: argus counts application bytes only when run with -A, so payload is unknown.")
		}
	}
	if r.Guessed > 0 {
		r.GuessedHow = "argus marked the direction of these records uncertain (a ? in Dir)"
	}
}

// mergeArgus joins status records of one flow across all files: records
// of the same 5-tuple and direction, the next starting within pairWindow of
// the last's end, unless the last one had closed (FIN both ways or RST) or
// the next one starts with a new SYN.
func mergeArgus(res *Result) {
	in := res.Flows
	sortByStart(in)
	type dk struct {
		k    flow.Key
		orig netip.AddrPort
	}
	open := map[dk]int{}
	out := in[:0:0]
	for _, f := range in {
		k := dk{flow.MakeKey(f.Proto, f.Orig, f.Resp, f.OrigPort, f.RespPort), netip.AddrPortFrom(f.Orig, f.OrigPort)}
		if i, ok := open[k]; ok && f.First <= out[i].Last+pairWindow && continues(&out[i], &f, res.State) {
			addStatus(&out[i], &f, res)
			continue
		}
		open[k] = len(out)
		out = append(out, f)
	}
	if n := len(in) - len(out); n > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d Argus status records were joined to the flow they continue (same 5-tuple and direction, within 60 s), as racluster does.", n))
	}
	res.Flows = out
}

func sortByStart(fl []flow.Flow) {
	sort.SliceStable(fl, func(i, j int) bool { return fl[i].First < fl[j].First })
}

// continues reports whether next can be a status record of prev: after a
// TCP connection closed, or a SYN on one that had been answered, another
// flow starts; an unanswered SYN sent again (a retransmission in the next
// status interval) is the same attempt.
func continues(prev, next *flow.Flow, src StateSource) bool {
	if prev.Proto != flow.TCP {
		return true
	}
	if src == StateFlags {
		all := prev.OrigFlags | prev.RespFlags
		closed := all&flow.RST != 0 || prev.OrigFlags&prev.RespFlags&flow.FIN != 0
		answered := prev.RespFlags&flow.SYN != 0
		return !closed && !(answered && next.OrigFlags&flow.SYN != 0)
	}
	return prev.State != flow.SF
}

// addStatus adds a status record to the flow it continues.
func addStatus(g, f *flow.Flow, res *Result) {
	g.Last = max(g.Last, f.Last)
	g.OrigPackets += f.OrigPackets
	g.RespPackets += f.RespPackets
	g.OrigBytes += f.OrigBytes
	g.RespBytes += f.RespBytes
	g.OrigPayload += f.OrigPayload
	g.RespPayload += f.RespPayload
	g.OrigFlags |= f.OrigFlags
	g.RespFlags |= f.RespFlags
	switch {
	case g.Proto == flow.TCP && res.State == StateFlags:
		g.State, g.History = flow.StateFromFlags(g.OrigFlags, g.RespFlags, g.RespPackets)
	case g.Proto != flow.TCP && res.Directions:
		g.State = flow.OtherState(g.OrigPackets, g.RespPackets)
	case g.Proto != flow.TCP && (g.State == flow.SF || f.State == flow.SF):
		g.State = flow.SF
	case f.State != flow.Unknown:
		g.State = f.State
	}
}
