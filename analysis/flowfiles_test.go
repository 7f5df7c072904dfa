package analysis

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/flow"
)

// The flow files in ../testdata/flowfiles are the real tools' output
// (scripts/genflowfiles makes them; its -check run in CI proves they are
// what the tools print now). Each is checked flow by flow against
// pcaplab's own reading of the same capture and, for byte counts, against
// the IP headers of the capture's packets read here with gopacket: an
// independent reference for each format's stated kind of bytes.

// dirKey is one direction of a 5-tuple.
type dirKey struct {
	proto    flow.Proto
	src, dst netip.AddrPort
}

// dirCount is what one direction carried: packets, wire bytes and IP bytes
// (as the IP header counts them), and how many records counted it.
type dirCount struct {
	packets, wire, ip uint64
	records           int
}

// captureDirections reads a capture's TCP and UDP packets with gopacket:
// per direction of each 5-tuple, packets, wire bytes and IP bytes.
func captureDirections(t *testing.T, path string) map[dirKey]*dirCount {
	t.Helper()
	r, err := capfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[dirKey]*dirCount{}
	for {
		data, rec, err := r.Next()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, rec.LinkType, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		var src, dst netip.Addr
		var ipLen uint64
		switch ip := p.NetworkLayer().(type) {
		case *layers.IPv4:
			src, dst, ipLen = netip.AddrFrom4([4]byte(ip.SrcIP.To4())), netip.AddrFrom4([4]byte(ip.DstIP.To4())), uint64(ip.Length)
			if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
				continue
			}
		case *layers.IPv6:
			src, dst, ipLen = netip.AddrFrom16([16]byte(ip.SrcIP)), netip.AddrFrom16([16]byte(ip.DstIP)), 40+uint64(ip.Length)
		default:
			continue
		}
		var k dirKey
		switch l := p.TransportLayer().(type) {
		case *layers.TCP:
			k = dirKey{flow.TCP, netip.AddrPortFrom(src, uint16(l.SrcPort)), netip.AddrPortFrom(dst, uint16(l.DstPort))}
		case *layers.UDP:
			k = dirKey{flow.UDP, netip.AddrPortFrom(src, uint16(l.SrcPort)), netip.AddrPortFrom(dst, uint16(l.DstPort))}
		default:
			continue
		}
		c := out[k]
		if c == nil {
			c = &dirCount{}
			out[k] = c
		}
		c.packets++
		c.wire += uint64(rec.WireLen)
		c.ip += ipLen
	}
	return out
}

// flowDirections sums flows' TCP and UDP packets and bytes per direction.
func flowDirections(c *Capture) map[dirKey]*dirCount {
	out := map[dirKey]*dirCount{}
	add := func(k dirKey, pk, by uint64) {
		if pk == 0 && by == 0 {
			return
		}
		d := out[k]
		if d == nil {
			d = &dirCount{}
			out[k] = d
		}
		d.packets += pk
		d.wire += by
		d.records++
	}
	for f := range c.Flows().All() {
		if f.Proto != flow.TCP && f.Proto != flow.UDP {
			continue
		}
		o, r := netip.AddrPortFrom(f.Orig, f.OrigPort), netip.AddrPortFrom(f.Resp, f.RespPort)
		add(dirKey{f.Proto, o, r}, f.OrigPackets, f.OrigBytes)
		add(dirKey{f.Proto, r, o}, f.RespPackets, f.RespBytes)
	}
	return out
}

// bothWays adds up the two directions of each 5-tuple (under the
// direction from its lower endpoint).
func bothWays(m map[dirKey]*dirCount) map[dirKey]*dirCount {
	out := map[dirKey]*dirCount{}
	for k, d := range m {
		if k.dst.Addr().Less(k.src.Addr()) || k.dst.Addr() == k.src.Addr() && k.dst.Port() < k.src.Port() {
			k.src, k.dst = k.dst, k.src
		}
		o := out[k]
		if o == nil {
			o = &dirCount{}
			out[k] = o
		}
		o.packets += d.packets
		o.wire += d.wire
		o.ip += d.ip
		o.records += d.records
	}
	return out
}

// agreement is what a flow file and the capture agree on.
type agreement struct {
	directions, packetsExact, bytesAsStated int
	maxByteDiff                             int64
	oneToOne, sameOrig, guessedOther        int // 5-tuples with one flow in both; same originator; differing but counted as guessed
	falseClass, missedClass                 int // of those, flows the file gives a failure class pcaplab does not, and the reverse
	icmpAnswered                            int // unanswered attempts that pcaplab counts under the ICMP error that answered them
	otherPackets, refOtherPackets           uint64
	top10                                   int // of pcaplab's top-10 host pairs by packets, how many are the file's
}

// compare checks a flow file against pcaplab's flows of the capture (ref)
// and the capture's packets (dirs). TCP and UDP are compared per direction
// of each 5-tuple, summed over records, so that the exporter's and
// pcaplab's flow boundaries do not matter; other protocols by total packets.
func compare(t *testing.T, ff, ref *Capture, dirs map[dirKey]*dirCount) agreement {
	t.Helper()
	info := ff.Input().FlowFile
	got := flowDirections(ff)
	if !info.Directions { // totals only: compare both directions together
		got, dirs = bothWays(got), bothWays(dirs)
	}
	var a agreement
	for k, d := range dirs {
		if !slices.Contains(info.Protocols, ProtocolName(k.proto)) && len(info.Protocols) > 0 {
			continue
		}
		a.directions++
		g := got[k]
		if g == nil {
			g = &dirCount{}
		}
		if g.packets == d.packets {
			a.packetsExact++
		}
		want, slack := d.wire, int64(0)
		switch info.ByteKind {
		case "ip":
			want = d.ip
		case "wire":
			slack = int64(info.ByteStep/2) * int64(g.records)
		}
		diff := int64(g.wire) - int64(want)
		a.maxByteDiff = max(a.maxByteDiff, diff, -diff)
		if diff <= slack && -diff <= slack {
			a.bytesAsStated++
		}
	}
	a.oneToOne, a.sameOrig, a.falseClass, a.missedClass, a.icmpAnswered = originators(t, ff, ref, info.Payload)
	for f := range ff.Flows().All() {
		if f.Proto != flow.TCP && f.Proto != flow.UDP {
			a.otherPackets += f.Packets()
		}
	}
	for f := range ref.Flows().All() {
		if f.Proto != flow.TCP && f.Proto != flow.UDP && (len(info.Protocols) == 0 || slices.Contains(info.Protocols, ProtocolName(f.Proto))) {
			a.refOtherPackets += f.Packets()
		}
	}
	a.top10 = topPairsInCommon(ff, ref, info.Protocols, 10)
	return a
}

// originators compares originators and failure classes on the 5-tuples
// that hold one flow in both inputs. Without payload bytes, tcp_aborted
// cannot be told, so it is not counted as the file's class.
func originators(t *testing.T, ff, ref *Capture, payload bool) (oneToOne, same, falseClass, missed, icmp int) {
	byTuple := func(c *Capture) map[flow.Key][]flow.Flow {
		m := map[flow.Key][]flow.Flow{}
		for f := range c.Flows().All() {
			if f.Proto == flow.TCP || f.Proto == flow.UDP {
				k := flow.MakeKey(f.Proto, f.Orig, f.Resp, f.OrigPort, f.RespPort)
				m[k] = append(m[k], *f)
			}
		}
		return m
	}
	a, b := byTuple(ff), byTuple(ref)
	for k, l := range a {
		if len(l) != 1 || len(b[k]) != 1 {
			continue
		}
		oneToOne++
		f, g := l[0], b[k][0]
		if f.Orig == g.Orig && f.OrigPort == g.OrigPort {
			same++
		}
		fc, gc := flowFailure(&f), flowFailure(&g)
		if fc == FailTCPAborted && !payload {
			fc = ""
		}
		switch {
		case g.ICMPError.Seen() && fc == gc:
			icmp++ // pcaplab counts it under the ICMP error the capture holds
		case fc != "" && fc != gc:
			falseClass++
			t.Logf("%s: the file says %s (state %s), pcaplab %q (state %s)", flowKey(&f), fc, f.State, gc, g.State)
		case fc == "" && gc != "":
			missed++
		}
	}
	return oneToOne, same, falseClass, missed, icmp
}

// tupleKey names a flow's 5-tuple, whichever side originated it.
func tupleKey(f *flow.Flow) string {
	k := flow.MakeKey(f.Proto, f.Orig, f.Resp, f.OrigPort, f.RespPort)
	return ProtocolName(k.Proto) + " " + netip.AddrPortFrom(k.A, k.PortA).String() + " " + netip.AddrPortFrom(k.B, k.PortB).String()
}

// flowKey names a flow by protocol and both endpoints.
func flowKey(f *flow.Flow) string {
	return ProtocolName(f.Proto) + " " + netip.AddrPortFrom(f.Orig, f.OrigPort).String() + " " + netip.AddrPortFrom(f.Resp, f.RespPort).String()
}

// topPairsInCommon counts the host pairs among the n with most packets in
// ref that are also among the n with most packets in ff (ties at the n-th
// place count as in).
func topPairsInCommon(ff, ref *Capture, protos []string, n int) int {
	rank := func(c *Capture) map[Pair]uint64 {
		m := map[Pair]uint64{}
		for f := range c.Flows().All() {
			if len(protos) == 0 || slices.Contains(protos, ProtocolName(f.Proto)) {
				m[MakePair(f.Orig, f.Resp)] += f.Packets()
			}
		}
		return m
	}
	top := func(m map[Pair]uint64) map[Pair]bool {
		var v []uint64
		for _, x := range m {
			v = append(v, x)
		}
		sort.Slice(v, func(i, j int) bool { return v[i] > v[j] })
		out := map[Pair]bool{}
		for p, x := range m {
			if len(v) <= n || x >= v[n-1] {
				out[p] = true
			}
		}
		return out
	}
	a, b := top(rank(ff)), top(rank(ref))
	in := 0
	for p := range b {
		if a[p] {
			in++
		}
	}
	return min(in, n)
}

// flowCase is one flow file and what it must agree on with its capture.
type flowCase struct {
	file, capture string
	format        string
	refOpts       []Option // pcaplab's flow boundaries closest to the exporter's
	// orient: every 5-tuple with one flow in both has pcaplab's originator,
	// but for the flows the reader counted as guessed.
	orient bool
	// otherExact: the non-TCP/UDP packets (ICMP …) are all there.
	otherExact bool
}

func checkFlowCase(t *testing.T, tc flowCase, path string) {
	t.Helper()
	ff, err := Open(path)
	if err != nil {
		t.Fatalf("%s: %v", tc.file, err)
	}
	info := ff.Input().FlowFile
	if info == nil || info.Format != tc.format {
		t.Fatalf("%s: read as %+v, want %q", tc.file, info, tc.format)
	}
	ref, err := Open(tc.capture, tc.refOpts...)
	if err != nil {
		t.Fatal(err)
	}
	a := compare(t, ff, ref, captureDirections(t, tc.capture))
	t.Logf("%s: %d directions: packets exact %d, bytes as stated (%s, step %d) %d, max byte difference %d; "+
		"5-tuples one-to-one %d, same originator %d (guessed %d), failure class not pcaplab's %d, missed %d, answered by ICMP %d; other protocols %d packets (capture %d); top-10 pairs by packets in common %d",
		tc.file, a.directions, a.packetsExact, info.ByteKind, info.ByteStep, a.bytesAsStated, a.maxByteDiff,
		a.oneToOne, a.sameOrig, info.Guessed, a.falseClass, a.missedClass, a.icmpAnswered, a.otherPackets, a.refOtherPackets, a.top10)
	if a.directions == 0 || a.packetsExact != a.directions {
		t.Errorf("%s: packets exact in %d of %d directions", tc.file, a.packetsExact, a.directions)
	}
	if a.bytesAsStated != a.directions {
		t.Errorf("%s: bytes as stated (%s) in %d of %d directions (largest difference %d)", tc.file, info.ByteKind, a.bytesAsStated, a.directions, a.maxByteDiff)
	}
	if tc.orient && a.oneToOne-a.sameOrig > info.Guessed {
		t.Errorf("%s: %d of %d flows have another originator than pcaplab's, %d counted as guessed", tc.file, a.oneToOne-a.sameOrig, a.oneToOne, info.Guessed)
	}
	if a.falseClass > 0 {
		t.Errorf("%s: %d flows have a failure class pcaplab does not give them", tc.file, a.falseClass)
	}
	checkTCPFailureCounts(t, tc.file, ff, ref)
	if tc.otherExact && a.otherPackets != a.refOtherPackets {
		t.Errorf("%s: %d packets of other protocols, pcaplab %d", tc.file, a.otherPackets, a.refOtherPackets)
	}
	if a.top10 != 10 {
		t.Errorf("%s: %d of pcaplab's top-10 host pairs by packets are the file's", tc.file, a.top10)
	}
}

// Flow files the tools made from the bundled captures, each checked flow by
// flow against pcaplab's reading of the capture.
func TestFlowFilesAgainstCaptures(t *testing.T) {
	const s, d = "../testdata/sample.pcapng", "../testdata/captures/desktop-http-2013.pcap.gz"
	never := []Option{IdleTimeout(0)}
	for _, tc := range []flowCase{
		{"sample.tshark-conv.txt", s, "tshark -z conv (text)", never, true, false},
		{"sample.tshark-conv-epoch.txt", s, "tshark -z conv (text)", never, true, false},
		{"sample.tshark-conv-ad.txt", s, "tshark -z conv (text)", never, true, false},
		{"sample.nfdump.csv", s, "nfdump -o csv", nil, true, true},
		{"sample.nfdump-q.csv", s, "nfdump -o csv", nil, true, true},
		{"sample.nfdump.json", s, "nfdump -o json", nil, true, true},
		{"sample.nfdump-b.csv", s, "nfdump -b -o csv (bidirectional)", nil, false, true},
		{"sample.argus.csv", s, "Argus ra", nil, true, true},
		{"sample.argus-states.csv", s, "Argus ra", nil, true, true},
		{"sample.argus-semicolon.csv", s, "Argus ra", nil, true, true},
		{"sample.argus-tab.tsv", s, "Argus ra", nil, true, true},
		{"sample.racluster.csv", s, "Argus ra", never, true, true},
		{"desktop-http-2013.tshark-conv-epoch.txt", d, "tshark -z conv (text)", never, true, false},
		{"desktop-http-2013.nfdump.json.gz", d, "nfdump -o json", nil, true, true},
		{"desktop-http-2013.argus.csv", d, "Argus ra", nil, true, true},
	} {
		t.Run(tc.file, func(t *testing.T) { checkFlowCase(t, tc, "../testdata/flowfiles/"+tc.file) })
	}
}

// full is ra's field list that gives pcaplab everything.
var full = strings.Fields("stime ltime proto saddr sport dir daddr dport spkts dpkts sbytes dbytes sappbytes dappbytes state")

// sharedTools are the commands that make flow files of a shared capture
// (derived here: those captures' licences keep them out of the
// repository). refusal, when set, is part of the one-line error a file may
// be refused with (tshark -N t prints names of ports whose numbers pcaplab
// cannot know).
var sharedTools = []struct {
	file, format string
	cmd          []string // CAPTURE, NFDIR, ARGUS are replaced
	orient       bool
	ref          []Option
	refusal      string
}{
	{"tshark-conv.txt", "tshark -z conv (text)", []string{"tshark", "-r", "CAPTURE", "-q", "-z", "conv,tcp", "-z", "conv,udp"}, true, []Option{IdleTimeout(0)}, ""},
	{"tshark-conv-epoch.txt", "tshark -z conv (text)", []string{"tshark", "-r", "CAPTURE", "-q", "-t", "e", "-z", "conv,tcp", "-z", "conv,udp"}, true, []Option{IdleTimeout(0)}, ""},
	{"tshark-conv-ad.txt", "tshark -z conv (text)", []string{"tshark", "-r", "CAPTURE", "-q", "-t", "ad", "-z", "conv,tcp", "-z", "conv,udp"}, true, []Option{IdleTimeout(0)}, ""},
	{"tshark-conv-names.txt", "tshark -z conv (text)", []string{"tshark", "-r", "CAPTURE", "-q", "-N", "t", "-z", "conv,tcp", "-z", "conv,udp"}, true, []Option{IdleTimeout(0)}, "export without tshark's -N t"},
	{"nfdump.csv", "nfdump -o csv", []string{"nfdump", "-R", "NFDIR", "-o", "csv"}, true, nil, ""},
	{"nfdump-q.csv", "nfdump -o csv", []string{"nfdump", "-R", "NFDIR", "-q", "-o", "csv"}, true, nil, ""},
	{"nfdump-b.csv", "nfdump -b -o csv (bidirectional)", []string{"nfdump", "-R", "NFDIR", "-b", "-o", "csv"}, false, nil, ""},
	{"nfdump.json", "nfdump -o json", []string{"nfdump", "-R", "NFDIR", "-o", "json"}, true, nil, ""},
	{"argus.csv", "Argus ra", append([]string{"ra", "-r", "ARGUS", "-u", "-nn", "-c", ",", "-Z", "b", "-s"}, full...), true, nil, ""},
	{"argus-states.csv", "Argus ra", append([]string{"ra", "-r", "ARGUS", "-u", "-n", "-c", ";", "-s"}, full...), true, nil, ""},
	{"argus-default.csv", "Argus ra", []string{"ra", "-r", "ARGUS", "-c", ","}, true, nil, ""},
	{"racluster.csv", "Argus ra", append([]string{"racluster", "-r", "ARGUS", "-u", "-nn", "-c", ",", "-Z", "b", "-s"}, full...), true, []Option{IdleTimeout(0)}, ""},
}

// toolRun runs a tool with TZ=UTC and returns its standard output.
func toolRun(t *testing.T, args []string, vars map[string]string) []byte {
	t.Helper()
	a := make([]string, len(args))
	for i, s := range args {
		if v, ok := vars[s]; ok {
			s = v
		}
		a[i] = s
	}
	cmd := exec.Command(a[0], a[1:]...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(a, " "), err)
	}
	return out
}

// needTools skips a test when the shared captures or the tools are missing.
func needTools(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("../../shared/captures"); err != nil {
		t.Skip("no ../shared/captures")
	}
	for _, tool := range []string{"tshark", "nfpcapd", "nfdump", "argus", "ra", "racluster"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", tool)
		}
	}
}

// deriveFlowFiles makes each tool's flow file of a capture in dir.
func deriveFlowFiles(t *testing.T, capture, dir string) map[string]string {
	t.Helper()
	vars := map[string]string{"CAPTURE": capture, "NFDIR": filepath.Join(dir, "nfcapd"), "ARGUS": filepath.Join(dir, "flows.argus")}
	os.MkdirAll(vars["NFDIR"], 0o755)
	toolRun(t, []string{"nfpcapd", "-r", "CAPTURE", "-w", "NFDIR"}, vars)
	toolRun(t, []string{"argus", "-X", "-A", "-r", "CAPTURE", "-w", "ARGUS"}, vars)
	out := map[string]string{}
	for _, st := range sharedTools {
		p := filepath.Join(dir, st.file)
		if err := os.WriteFile(p, toolRun(t, st.cmd, vars), 0o644); err != nil {
			t.Fatal(err)
		}
		out[st.file] = p
	}
	return out
}

// The shared captures' flow files, derived with the tools where ../shared
// exists, agree with pcaplab flow by flow as the bundled ones do.
func TestFlowFilesAgainstSharedCaptures(t *testing.T) {
	needTools(t)
	for _, name := range []string{"teams-desktop.pcap", "gnutella-10min.pcap", "reddit-ipv6.pcap", "win10-browse-quic.pcapng"} {
		capture := "../../shared/captures/" + name
		files := deriveFlowFiles(t, capture, t.TempDir())
		for _, st := range sharedTools {
			tc := flowCase{file: name + " " + st.file, capture: capture, format: st.format, refOpts: st.ref, orient: st.orient, otherExact: !strings.HasPrefix(st.file, "tshark")}
			t.Run(tc.file, func(t *testing.T) {
				if _, err := Open(files[st.file]); st.refusal != "" && err != nil {
					if !strings.Contains(err.Error(), st.refusal) || strings.Contains(err.Error(), "\n") {
						t.Errorf("refused with %q, want one line saying %q", err, st.refusal)
					}
					t.Logf("%s: refused: %v", tc.file, err)
					return
				}
				checkFlowCase(t, tc, files[st.file])
			})
		}
	}
}

// openFlowFile opens a committed flow file and checks its format.
func openFlowFile(t *testing.T, name, wantFormat string) *Capture {
	t.Helper()
	c, err := Open("../testdata/flowfiles/" + name) // recognised from the content
	if err != nil {
		t.Fatal(err)
	}
	ff := c.Input().FlowFile
	if ff == nil || ff.Format != wantFormat {
		t.Fatalf("%s: read as %+v, want %q", name, ff, wantFormat)
	}
	return c
}

func gunzipFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameFlows reports how two readings of one capture's flows differ: the
// same flows (5-tuple, originator, counts, state), times within tol; when a
// guessed some originators, those may be the other side.
func sameFlows(t *testing.T, what string, a, b *Capture, tol time.Duration) {
	t.Helper()
	guessed := a.Input().FlowFile.Guessed > 0
	x, y := slices.Clone(a.Flows().Slice()), slices.Clone(b.Flows().Slice())
	if len(x) != len(y) {
		t.Fatalf("%s: %d flows, want %d", what, len(x), len(y))
	}
	key := func(f flow.Flow) string { return tupleKey(&f) + " " + f.State.String() }
	sort.Slice(x, func(i, j int) bool { return key(x[i]) < key(x[j]) })
	sort.Slice(y, func(i, j int) bool { return key(y[i]) < key(y[j]) })
	for i := range x {
		f, g := x[i], y[i]
		d1, d2 := time.Duration(f.First-g.First), time.Duration(f.Last-g.Last)
		if f.Orig != g.Orig && guessed {
			f.OrigPackets, f.RespPackets, f.OrigBytes, f.RespBytes = f.RespPackets, f.OrigPackets, f.RespBytes, f.OrigBytes
		}
		if key(f) != key(g) || f.OrigPackets != g.OrigPackets || f.RespPackets != g.RespPackets || f.OrigBytes != g.OrigBytes ||
			f.RespBytes != g.RespBytes || d1.Abs() > tol || d2.Abs() > tol {
			t.Fatalf("%s: flow %d\n got %+v\nwant %+v", what, i, f, g)
		}
	}
}

func openT(t *testing.T, paths ...string) *Capture {
	t.Helper()
	c, err := OpenFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tshark run once per protocol (the assignment's command) is one input;
// times relative, in epoch seconds and as dates are the same flows.
func TestTsharkVariantsAreOneInput(t *testing.T) {
	const dir = "../testdata/flowfiles/"
	both := openT(t, dir+"sample.tshark-conv.txt")
	two := openT(t, dir+"sample.tshark-tcp.txt", dir+"sample.tshark-udp.txt")
	sameFlows(t, "conv,tcp + conv,udp", two, both, 0)
	if fi := two.Input().FlowFile; !slices.Equal(fi.Protocols, []string{"TCP", "UDP"}) || len(two.Input().Files) != 2 {
		t.Errorf("two files: protocols %v, files %v", fi.Protocols, two.Input().Files)
	}
	if fi := openT(t, dir+"sample.tshark-tcp.txt").Input().FlowFile; !slices.Equal(fi.Protocols, []string{"TCP"}) ||
		slices.Contains(fi.FailureClasses, FailUDPNoReply) {
		t.Errorf("the TCP table alone: %+v", fi)
	}
	epoch := openT(t, dir+"sample.tshark-conv-epoch.txt")
	first := time.Date(2025, 10, 14, 9, 30, 0, 0, time.UTC).UnixNano() // the sample's first packet
	shifted := slices.Clone(both.Flows().Slice())
	for i := range shifted {
		shifted[i].First += first
		shifted[i].Last += first
	}
	ep := epoch.Flows().Slice()
	for i := range ep {
		if d := time.Duration(ep[i].First - shifted[i].First).Abs(); d > time.Microsecond || ep[i].Orig != shifted[i].Orig {
			t.Fatalf("-t e flow %d starts %v from the relative one + the first packet", i, d)
		}
	}
	ad := openT(t, dir+"sample.tshark-conv-ad.txt")
	sameFlows(t, "-t ad", ad, epoch, time.Second)
	for _, tc := range []struct {
		c     *Capture
		clock Clock
		step  time.Duration
	}{{both, "relative", time.Nanosecond}, {epoch, "utc", time.Microsecond}, {ad, "local", time.Second}} {
		if fi := tc.c.Input().FlowFile; fi.Clock != tc.clock || fi.StartPrecision != tc.step || fi.DurationPrecision != 100*time.Microsecond {
			t.Errorf("clock %s, start precision %v, duration precision %v; want %s, %v", fi.Clock, fi.StartPrecision, fi.DurationPrecision, tc.clock, tc.step)
		}
	}
}

// nfdump's CSV (with and without header, or one file per nfcapd file) and
// its JSON are the same flows; the CSV's start times are known to the
// second only, its durations to the millisecond.
func TestNfdumpVariantsAreOneInput(t *testing.T) {
	const dir = "../testdata/flowfiles/"
	js := openT(t, dir+"sample.nfdump.json")
	csv := openT(t, dir+"sample.nfdump.csv")
	q := openT(t, dir+"sample.nfdump-q.csv")
	sameFlows(t, "-q", q, csv, 0)
	if fi := csv.Input().FlowFile; fi.StartPrecision != time.Second || fi.DurationPrecision != time.Millisecond || fi.Clock != "local" ||
		fi.ExporterTotals == nil || !fi.TotalsMatch || fi.ExporterTotals.Packets != 1657 {
		t.Errorf("csv: %+v", fi)
	}
	if fi := q.Input().FlowFile; fi.ExporterTotals != nil {
		t.Errorf("-q has no Summary: %+v", fi.ExporterTotals)
	}
	if fi := js.Input().FlowFile; fi.StartPrecision != time.Millisecond || fi.Guessed != 0 || fi.TCPState != "flags" || fi.Payload || !fi.ICMPPerPacket {
		t.Errorf("json: %+v", fi)
	}
	x, y := csv.Flows().Slice(), js.Flows().Slice()
	byKey := map[string]flow.Flow{}
	for _, f := range y {
		byKey[tupleKey(&f)] = f
	}
	for _, f := range x {
		g, ok := byKey[tupleKey(&f)]
		if !ok && f.Proto != flow.ICMP && f.Proto != flow.ICMPv6 {
			t.Errorf("%s: not in the JSON's flows", flowKey(&f))
			continue
		}
		if d := time.Duration(f.First - g.First); ok && (d < -time.Second || d > 0 || (f.Duration()-g.Duration()).Abs() > time.Second) {
			t.Errorf("%s: starts %v from the JSON's (the CSV's start is at most 1 s early), lasts %v, JSON %v", flowKey(&f), d, f.Duration(), g.Duration())
		}
	}
	// Rotated files: the records of one flow may sit in two files.
	lines := strings.SplitAfter(string(gunzipFile(t, dir+"sample.nfdump-q.csv")), "\n")
	d := t.TempDir()
	os.WriteFile(filepath.Join(d, "a.csv"), []byte(strings.Join(lines[:len(lines)/2], "")), 0o644)
	os.WriteFile(filepath.Join(d, "b.csv"), []byte(strings.Join(lines[len(lines)/2:], "")), 0o644)
	sameFlows(t, "two halves", openT(t, filepath.Join(d, "b.csv"), filepath.Join(d, "a.csv")), q, 0)
}

// Argus: the same flows with any separator; ra's default fields and
// racluster's say what they lack.
func TestArgusVariants(t *testing.T) {
	const dir = "../testdata/flowfiles/"
	states := openT(t, dir+"sample.argus-states.csv")
	sameFlows(t, "; separator", openT(t, dir+"sample.argus-semicolon.csv"), states, 0)
	sameFlows(t, "tab separator", openT(t, dir+"sample.argus-tab.tsv"), states, 0)
	full := openT(t, dir+"sample.argus.csv")
	if fi := full.Input().FlowFile; fi.TCPState != "flags" || !fi.Payload || !fi.Directions || !fi.Durations || fi.Clock != "utc" ||
		fi.Skipped["Argus management records (argus's own status, not traffic)"] != 2 || fi.Skipped["records of EtherType 0x0806 (not IP)"] != 1 || !fi.Fastest {
		t.Errorf("full fields: %+v", fi)
	}
	if fi := states.Input().FlowFile; fi.TCPState != "argus_state" || fi.Payload || fi.Fastest || slices.Contains(fi.FailureClasses, FailTCPRejected) {
		t.Errorf("argus states: %+v", fi)
	}
	def := openT(t, dir+"sample.argus-default.csv")
	fi := def.Input().FlowFile
	if fi.Clock != "time_of_day" || fi.Directions || fi.Payload || fi.Skipped["ARP records (not IP)"] != 1 {
		t.Errorf("default fields: %+v", fi)
	}
	if def.Start().Year() != 1970 || def.Packets() != states.Packets() || def.Bytes() != states.Bytes() {
		t.Errorf("default fields: start %v, %d packets, %d bytes", def.Start(), def.Packets(), def.Bytes())
	}
	ports := map[uint16]bool{}
	for f := range def.Flows().All() {
		ports[f.RespPort] = true
		if f.Proto == flow.TCP && f.State != flow.Unknown && f.State != flow.S0 && f.State != flow.S1 && f.State != flow.SF {
			t.Errorf("%s: state %s from Argus's words", flowKey(f), f.State)
		}
	}
	if !ports[53] || !ports[443] || !ports[123] || ports[0] {
		t.Errorf("named ports read as %v", ports)
	}
	if fi := openT(t, dir+"sample.racluster-default.csv").Input().FlowFile; fi.Durations || fi.Fastest {
		t.Errorf("racluster default fields: %+v", fi)
	}
}

// nfdump -b: both directions in one record, flags of both ORed, the
// source whichever record came first: originators are guessed and TCP
// states unknown, but for attempts with no packet back.
func TestNfdumpBidirectional(t *testing.T) {
	c := openFlowFile(t, "sample.nfdump-b.csv", "nfdump -b -o csv (bidirectional)")
	fi := c.Input().FlowFile
	if fi.TCPState != "combined_flags" || fi.Orientation != "guessed" || fi.TimeoutsBy != "whole_file" || fi.Fastest ||
		!slices.Contains(fi.FailureClasses, FailTCPNoAnswer) || slices.Contains(fi.FailureClasses, FailTCPRejected) {
		t.Errorf("%+v", fi)
	}
	for f := range c.Flows().All() {
		if f.Proto != flow.TCP {
			continue
		}
		if (f.RespPackets == 0) != (f.State != flow.Unknown) {
			t.Errorf("%s: %d packets back, state %s", flowKey(f), f.RespPackets, f.State)
		}
		if f.OrigPort == 443 || f.OrigPort == 445 {
			t.Errorf("%s: a service port on the originator", flowKey(f))
		}
	}
}

// Every IP protocol number that nfdump and ra print comes back as itself:
// one packet of each protocol to 10.0.1.N, N the protocol number.
func TestEveryProtocolNumber(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
	}{{"allprotos.nfdump.csv", 253}, {"allprotos.argus-numbers.csv", 256}} {
		c := openT(t, "../testdata/flowfiles/"+tc.file)
		n := 0
		for f := range c.Flows().All() {
			n++
			want := flow.Proto(f.Resp.As4()[3])
			switch {
			case f.Orig.As4()[3] != 1: // argus turns an ICMP echo reply (type 0) around
				want = flow.Proto(f.Orig.As4()[3])
			case f.Resp.IsUnspecified(): // argus keys IGMP by group: 0.0.0.0 here
				want = flow.IGMP
			case want == flow.AH && strings.HasPrefix(tc.file, "allprotos.argus"):
				want = 0 // argus reports the protocol after the AH header: here 0
			case want == 38 && strings.HasPrefix(tc.file, "allprotos.nfdump"):
				want = 35 // nfdump prints IDPR for both 35 and 38
			}
			if f.Proto != want {
				t.Errorf("%s: %s read as %s, want %s", tc.file, flowKey(f), f.Proto, want)
			}
		}
		if n != tc.n {
			t.Errorf("%s: %d flows, want %d", tc.file, n, tc.n)
		}
	}
}

// Standard input, gzip and a UTF-8 byte order mark.
func TestFlowFileWrappings(t *testing.T) {
	const src = "../testdata/flowfiles/sample.nfdump.csv"
	want := openT(t, src)
	b, _ := os.ReadFile(src)
	d := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	for name, content := range map[string][]byte{"flows.csv.gz": gz.Bytes(), "bom.csv": append([]byte("\ufeff"), b...)} {
		p := filepath.Join(d, name)
		os.WriteFile(p, content, 0o644)
		sameFlows(t, name, openT(t, p), want, 0)
	}
	for _, p := range []string{src, filepath.Join(d, "flows.csv.gz"), "../testdata/sample.pcapng"} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		old := os.Stdin
		os.Stdin = f
		c, err := Open("-")
		os.Stdin = old
		f.Close()
		if err != nil {
			t.Fatalf("%s on standard input: %v", p, err)
		}
		if (c.Input().FlowFile != nil) != !strings.HasSuffix(p, ".pcapng") || c.Packets() != openT(t, p).Packets() {
			t.Errorf("%s on standard input: %+v", p, c.Input())
		}
	}
}

// nfdump's later CSV layouts (named columns with millisecond dates, and
// csv-fast with epoch milliseconds), which 1.7.1 cannot print, are made
// here from its JSON records and read as the same flows.
func TestNfdumpLaterLayouts(t *testing.T) {
	js := openT(t, "../testdata/flowfiles/sample.nfdump.json")
	var named, fast strings.Builder
	named.WriteString("firstSeen,lastSeen,duration,srcAddr,dstAddr,srcPort,dstPort,proto,flags,inPackets,inBytes,outPackets,outBytes\n")
	fast.WriteString("cnt,af,firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,srcAS,dstAS,input,output,flags,srcTos,packets,bytes\n")
	n := 0
	for f := range js.Flows().All() {
		for _, dir := range []bool{true, false} {
			src, dst, sp, dp, pk, by, fl := f.Orig, f.Resp, f.OrigPort, f.RespPort, f.OrigPackets, f.OrigBytes, f.OrigFlags
			if !dir {
				src, dst, sp, dp, pk, by, fl = f.Resp, f.Orig, f.RespPort, f.OrigPort, f.RespPackets, f.RespBytes, f.RespFlags
			}
			if pk == 0 {
				continue
			}
			if f.Proto == flow.ICMP || f.Proto == flow.ICMPv6 {
				sp, dp = 0, f.OrigPort<<8|f.RespPort
			}
			n++
			ts, te := time.Unix(0, f.First).UTC(), time.Unix(0, f.Last).UTC()
			flags := strings.Map(func(r rune) rune {
				if fl&map[rune]flow.Flags{'A': flow.ACK, 'P': flow.PSH, 'R': flow.RST, 'S': flow.SYN, 'F': flow.FIN}[r] != 0 {
					return r
				}
				return '.'
			}, "...APRSF")
			fmt.Fprintf(&named, "%s,%s,%.3f,%s,%s,%d,%d,%d,%s,%d,%d,0,0\n", ts.Format("2006-01-02 15:04:05.000"), te.Format("2006-01-02 15:04:05.000"),
				te.Sub(ts).Seconds(), src, dst, sp, dp, f.Proto, flags, pk, by)
			fmt.Fprintf(&fast, "%d,2,%d,%d,%d,%s,%d,%s,%d,0,0,0,0,%s,0,%d,%d\n", n, ts.UnixMilli(), te.UnixMilli(), f.Proto, src, sp, dst, dp, flags, pk, by)
		}
	}
	d := t.TempDir()
	for name, text := range map[string]string{"named.csv": named.String(), "fast.csv": fast.String()} {
		p := filepath.Join(d, name)
		os.WriteFile(p, []byte(text), 0o644)
		c := openT(t, p)
		if c.Input().FlowFile.Format != "nfdump -o csv" {
			t.Errorf("%s read as %s", name, c.Input().FlowFile.Format)
		}
		sameFlows(t, name, c, js, 0)
	}
}

// pcaplab's own CSV gives back exactly the flows it was written from.
func TestFlowCSVRoundTrip(t *testing.T) {
	c := openSample(t)
	p := filepath.Join(t.TempDir(), "flows.csv")
	f, _ := os.Create(p)
	if err := c.Flows().WriteCSV(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := OpenFlows(p)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Flows().Slice(), back.Flows().Slice()
	if len(a) != len(b) {
		t.Fatalf("%d flows back, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("flow %d:\n got %+v\nwant %+v", i, b[i], a[i])
		}
	}
	// and the committed example is that export of the sample
	ex := openFlowFile(t, "sample.pcaplab.csv", "pcaplab flows CSV")
	if e := ex.Flows().Slice(); len(e) != len(a) {
		t.Fatalf("example CSV: %d flows, want %d", len(e), len(a))
	} else {
		for i := range a {
			if e[i] != a[i] {
				t.Fatalf("example CSV, flow %d:\n got %+v\nwant %+v (regenerate it: pcaplab flows -o testdata/flowfiles/sample.pcaplab.csv testdata/sample.pcapng)", i, e[i], a[i])
			}
		}
	}
	if fi := ex.Input().FlowFile; fi.TCPState != "conn_state" || !fi.Payload || fi.TimeoutsBy != "pcaplab" || len(fi.FailureClassesMissing) != 13 || !slices.Contains(fi.FailureClasses, "tcp_aborted") {
		t.Errorf("pcaplab CSV: %+v", fi)
	}
}

func openSample(t *testing.T, opts ...Option) *Capture {
	t.Helper()
	c, err := Open("../testdata/sample.pcapng", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// IPv6 addr:port is split at the last colon; "543 kB" is 543 000 to
// 543 999 bytes (tshark cuts), read as the middle, 543 500.
func TestTsharkConvIPv6AndUnits(t *testing.T) {
	text := `================================================================================
TCP Conversations
Filter:<No Filter>
                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |
                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |
2001:db8::1:50000      <-> 2606:4700::1111:443      12 543 kB          8 1200 bytes      20 544 kB         1.500000000         2.0000
================================================================================
`
	p := filepath.Join(t.TempDir(), "conv.txt")
	os.WriteFile(p, []byte(text), 0o644)
	c, err := OpenFlows(p)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Flows().Slice()[0]
	if f.Orig != netip.MustParseAddr("2001:db8::1") || f.OrigPort != 50000 || f.Resp != netip.MustParseAddr("2606:4700::1111") ||
		f.RespPort != 443 || f.RespBytes != 543500 || f.OrigBytes != 1200 || f.RespPackets != 12 || f.Duration() != 2*time.Second {
		t.Errorf("flow = %+v", f)
	}
	if fi := c.Input().FlowFile; fi.ByteStep != 1000 || fi.RoundedCounts != 1 || fi.Fastest || fi.TCPState != "none" {
		t.Errorf("%+v", fi)
	}
}

// Zeek (TSV and JSON), CICFlowMeter and NFStream examples hold five flows of
// the sample, written by hand in each tool's format (those tools are not
// Debian packages here).
func TestHandWrittenFormats(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		tlsBytes     uint64     // both directions of the TLS flow to 185.15.59.240
		state        flow.State // of the flow to 192.168.1.77:445 (Unknown: the format does not say)
		app, sni     string
		fastest      bool
	}{
		{"sample.zeek-conn.log", "Zeek conn.log (TSV)", 3985 - 56*14 + 177950 - 125*14, flow.S0, "TLS", "", true},
		{"sample.zeek-conn.json", "Zeek conn.log (JSON)", 3985 - 56*14 + 177950 - 125*14, flow.S0, "TLS", "", true},
		{"sample.cicflowmeter.csv", "CICFlowMeter CSV", 961 + 171200, flow.Unknown, "", "", false},
		{"sample.nfstream.csv", "NFStream CSV", 3985 + 177950, flow.Unknown, "TLS.Wikipedia", "upload.wikimedia.org", false},
	} {
		c := openFlowFile(t, tc.file, tc.format)
		m := map[string][]flow.Flow{}
		for f := range c.Flows().All() {
			m[flowKey(f)] = append(m[flowKey(f)], *f)
		}
		tls := m["TCP 192.168.1.23:51004 185.15.59.240:443"]
		s0 := m["TCP 192.168.1.23:51025 192.168.1.77:445"]
		if c.Flows().Count() != 5 || len(tls) != 1 || len(s0) != 1 {
			t.Errorf("%s: %d flows", tc.file, c.Flows().Count())
			continue
		}
		if tls[0].Bytes() != tc.tlsBytes || tls[0].Packets() != 181 || tls[0].App != tc.app || tls[0].ServerName != tc.sni || s0[0].State != tc.state {
			t.Errorf("%s: TLS flow %+v, S0 flow state %q", tc.file, tls[0], s0[0].State)
		}
		if got := len(c.Flows().Fastest(10, FastestOptions{}).Rows) > 0; got != tc.fastest || c.Input().FlowFile.Fastest != tc.fastest {
			t.Errorf("%s: fastest connections ranked %v, FlowFileInfo.Fastest %v", tc.file, got, c.Input().FlowFile.Fastest)
		}
	}
}

// pcaplabCSV is pcaplab's flow CSV of one flow from 10.0.0.1 to 10.0.0.2.
func pcaplabCSV(t *testing.T) (header, row string) {
	t.Helper()
	var buf bytes.Buffer
	w, err := flow.NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	r := flow.Record{Flow: flow.Flow{Proto: flow.TCP, Orig: netip.MustParseAddr("10.0.0.1"), OrigPort: 1, Resp: netip.MustParseAddr("10.0.0.2"),
		RespPort: 2, First: 1, Last: 2, OrigPackets: 1, RespPackets: 1, OrigBytes: 60, RespBytes: 60, RTT: -1}}
	if err := w.Write(&r); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	header, row, _ = strings.Cut(buf.String(), "\n")
	return header + "\n", row
}

// Every refusal is one line naming the file (and the line) and saying
// what to export instead.
func TestFlowFileErrors(t *testing.T) {
	dir := t.TempDir()
	ff := "../testdata/flowfiles/"
	header, row := pcaplabCSV(t)
	nf := "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	for _, tc := range []struct {
		paths []string
		want  []string
	}{
		{[]string{ff + "sample.tshark-conv-names.txt"}, []string{"sample.tshark-conv-names.txt", "line 67", `port "nvme-disc"`, "without tshark's -N t", "-t e -z conv,tcp -z conv,udp"}},
		{[]string{ff + "sample.tshark-ipv6.txt"}, []string{"sample.tshark-ipv6.txt", "only IPv6 conversations", "-z conv,tcp -z conv,udp"}},
		{[]string{ff + "allprotos.argus-names.csv"}, []string{"allprotos.argus-names.csv", "line 49", `Proto "rsvp" stands for protocol 46 or 134`, "ra -nn"}},
		{[]string{write("xyz.csv", nf+"2025-01-01 00:00:00,2025-01-01 00:00:01,1.000,10.0.0.1,10.0.0.2,1,2,XYZ,......,0,0,1,40,0,0\n")},
			[]string{"xyz.csv", "line 2", `protocol "XYZ"`, "nfdump -R DIR -o json"}},
		{[]string{write("missing.csv", "ts,te,td,sa,da,sp,dp,pr,flg\n2025-01-01 00:00:00,2025-01-01 00:00:01,1,10.0.0.1,10.0.0.2,1,2,TCP,......\n")},
			[]string{"missing.csv", "line 1", "no ipkt column", "nfdump -R DIR -o json"}},
		{[]string{write("spaces.txt", "StartTime Flgs Proto SrcAddr Sport Dir DstAddr Dport TotPkts TotBytes State\n")}, []string{"spaces.txt", "line 1", "ra without -c", "ra -r FILE -u -nn -c ,"}},
		{[]string{write("nfcapd.202501010000", "\x0c\xa5\x02\x00\x00\x01\x07\x01rest of an nfcapd file")}, []string{"nfcapd.202501010000", "nfdump binary file", "nfdump -r FILE -o json"}},
		{[]string{ff + "sample.nfdump.csv", "../testdata/sample.pcapng"}, []string{"sample.nfdump.csv is a flow file but ../testdata/sample.pcapng is not"}},
		{[]string{ff + "sample.nfdump.csv", ff + "sample.tshark-tcp.txt"}, []string{"sample.nfdump.csv is nfdump -o csv but", "give files of one format"}},
		{[]string{write("badaddr.csv", header+strings.Replace(row, ",10.0.0.1,", ",not-an-ip,", 1))}, []string{"badaddr.csv", "line 2: orig_addr: ", `"not-an-ip"`}},
		{[]string{write("empty.csv", header)}, []string{"empty.csv", "with no flow records"}},
		{[]string{write("arp.csv", "StartTime,Proto,SrcAddr,DstAddr,TotPkts,TotBytes\n1.0,arp,10.0.0.1,10.0.0.2,2,120\n")}, []string{"arp.csv", "no flow records", "1 ARP records (not IP)"}},
	} {
		_, err := OpenFiles(tc.paths)
		if err == nil {
			t.Errorf("%v: read, want %q", tc.paths, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: more than one line: %q", tc.paths, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %v, want %q", tc.paths, err, w)
			}
		}
	}
	// The row as written is read back: only the address made it fail.
	if c, err := OpenFlows(write("good.csv", header+row)); err != nil || c.Flows().Count() != 1 {
		t.Errorf("the unaltered row: %v", err)
	}
	if _, err := OpenFlows(write("prose.txt", "just some text\n")); err == nil || !strings.Contains(err.Error(), "not a flow file") {
		t.Errorf("prose: %v", err)
	}
}

// nfpcapd rotates its files every 5 minutes: one CSV per file, given
// together, are the same flows as one export of them all (one-way records
// of one flow paired across files).
func TestRotatedNfdumpFiles(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	vars := map[string]string{"CAPTURE": "../../shared/captures/gnutella-10min.pcap", "NFDIR": dir}
	toolRun(t, []string{"nfpcapd", "-r", "CAPTURE", "-w", "NFDIR"}, vars)
	files, _ := filepath.Glob(filepath.Join(dir, "nfcapd.*"))
	if len(files) < 2 {
		t.Fatalf("nfpcapd wrote %d files, want several", len(files))
	}
	var csvs []string
	for i, f := range files {
		p := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		os.WriteFile(p, toolRun(t, []string{"nfdump", "-r", f, "-o", "csv"}, nil), 0o644)
		csvs = append(csvs, p)
	}
	all := filepath.Join(dir, "all.csv")
	os.WriteFile(all, toolRun(t, []string{"nfdump", "-R", "NFDIR", "-o", "csv"}, vars), 0o644)
	slices.Reverse(csvs) // any order
	parts, whole := openT(t, csvs...), openT(t, all)
	sameFlows(t, "rotated files", parts, whole, 0)
	fi := parts.Input().FlowFile
	if len(parts.Input().Files) != len(files) || fi.ExporterTotals == nil || !fi.TotalsMatch || fi.ExporterTotals.Records != uint64(fi.Records) {
		t.Errorf("%d files: %+v", len(parts.Input().Files), fi)
	}
	if !strings.Contains(strings.Join(fi.Notes, " "), "IP protocol 0") {
		t.Errorf("no note on the hop-by-hop records: %v", fi.Notes)
	}
	t.Logf("%d nfcapd files, %d records, %d flows; notes: %v", len(files), fi.Records, parts.Flows().Count(), fi.Notes)
}

// checkTCPFailureCounts: the TCP failure classes a format can show count
// what the capture shows: rejected attempts exactly; unanswered ones at
// least as many, and at most as many more as the capture's ICMP errors
// (an attempt answered by an ICMP error is unanswered in a flow file).
func checkTCPFailureCounts(t *testing.T, file string, ff, ref *Capture) {
	t.Helper()
	count := func(c *Capture) map[string]int {
		m := map[string]int{}
		for _, r := range c.Failures().Classes() {
			m[r.Class] = r.Attempts
		}
		return m
	}
	got, want := count(ff), count(ref)
	icmp := 0
	for cl, n := range want {
		if strings.HasPrefix(cl, "icmp_") {
			icmp += n
		}
	}
	fi := ff.Input().FlowFile
	if slices.Contains(fi.FailureClasses, FailTCPRejected) && got[FailTCPRejected] != want[FailTCPRejected] {
		t.Errorf("%s: %d rejected TCP attempts, the capture %d", file, got[FailTCPRejected], want[FailTCPRejected])
	}
	if n := got[FailTCPNoAnswer]; slices.Contains(fi.FailureClasses, FailTCPNoAnswer) && (n < want[FailTCPNoAnswer] || n > want[FailTCPNoAnswer]+icmp) {
		t.Errorf("%s: %d unanswered TCP attempts, the capture %d (and %d ICMP errors)", file, n, want[FailTCPNoAnswer], icmp)
	}
	for cl, n := range got {
		if !slices.Contains(fi.FailureClasses, cl) {
			t.Errorf("%s: %d of class %s, which FlowFileInfo says it cannot show", file, n, cl)
		}
	}
	if n := got[FailTCPAborted]; n != want[FailTCPAborted] && n > 0 {
		t.Errorf("%s: %d aborted TCP connections, the capture %d", file, n, want[FailTCPAborted])
	}
	if n := got[FailUDPNoReply]; n > want[FailUDPNoReply]+icmp {
		t.Errorf("%s: %d UDP requests without reply, the capture %d (and %d ICMP errors)", file, n, want[FailUDPNoReply], icmp)
	}
}

// What each format can and cannot tell, as FlowFileInfo says it: the facts
// the report's wording is made from.
func TestFlowFileInfoPerFormat(t *testing.T) {
	type facts struct {
		bytes                  ByteKind
		state                  TCPStateSource
		payload, dirs, durs    bool
		clock                  Clock
		timeouts               TimeoutSource
		orient                 Orientation
		icmpPerPacket, fastest bool
		startPrecision         time.Duration
	}
	for _, tc := range []struct {
		file string
		want facts
	}{
		{"sample.tshark-conv.txt", facts{"wire", "none", false, true, true, "relative", "none", "first_packet", false, false, time.Nanosecond}},
		{"sample.tshark-conv-epoch.txt", facts{"wire", "none", false, true, true, "utc", "none", "first_packet", false, false, time.Microsecond}},
		{"sample.tshark-conv-ad.txt", facts{"wire", "none", false, true, true, "local", "none", "first_packet", false, false, time.Second}},
		{"sample.nfdump.csv", facts{"ip", "flags", false, true, true, "local", "exporter", "syn", true, true, time.Second}},
		{"sample.nfdump.json", facts{"ip", "flags", false, true, true, "local", "exporter", "syn", true, true, time.Millisecond}},
		{"sample.nfdump-b.csv", facts{"ip", "combined_flags", false, true, true, "local", "whole_file", "guessed", true, false, time.Second}},
		{"sample.argus.csv", facts{"wire", "flags", true, true, true, "utc", "exporter", "exporter", false, true, time.Microsecond}},
		{"sample.argus-states.csv", facts{"wire", "argus_state", false, true, true, "utc", "exporter", "exporter", false, false, time.Microsecond}},
		{"sample.argus-default.csv", facts{"wire", "argus_state", false, false, false, "time_of_day", "exporter", "exporter", false, false, time.Microsecond}},
		{"sample.racluster-default.csv", facts{"wire", "argus_state", false, false, false, "time_of_day", "exporter", "exporter", false, false, time.Microsecond}},
		{"sample.zeek-conn.log", facts{"ip", "conn_state", true, true, true, "utc", "exporter", "syn", false, true, time.Microsecond}},
		{"sample.cicflowmeter.csv", facts{"payload", "none", true, true, true, "local", "exporter", "first_packet", false, false, time.Second}},
		{"sample.nfstream.csv", facts{"wire", "none", false, true, true, "utc", "exporter", "first_packet", false, false, time.Millisecond}},
		{"sample.pcaplab.csv", facts{"wire", "conn_state", true, true, true, "utc", "pcaplab", "syn", false, true, time.Nanosecond}},
	} {
		fi := openT(t, "../testdata/flowfiles/"+tc.file).Input().FlowFile
		got := facts{fi.ByteKind, fi.TCPState, fi.Payload, fi.Directions, fi.Durations, fi.Clock, fi.TimeoutsBy, fi.Orientation,
			fi.ICMPPerPacket, fi.Fastest, fi.StartPrecision}
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.file, got, tc.want)
		}
		if !fi.RatesSpread || fi.Timeouts == "" || slices.Contains(fi.FailureClasses, FailDNSNXDomain) || !slices.Contains(fi.FailureClassesMissing, FailICMPPort) {
			t.Errorf("%s: %+v", tc.file, fi)
		}
	}
}

// tshark run once per protocol, as the assignment does, gives two files
// that are one input; FlowFileInfo says what they cannot tell.
func ExampleOpenFiles_flowFiles() {
	c, err := OpenFiles([]string{"../testdata/flowfiles/sample.tshark-tcp.txt", "../testdata/flowfiles/sample.tshark-udp.txt"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fi := c.Input().FlowFile
	fmt.Println(fi.Format, fi.Protocols, c.Flows().Count(), "flows")
	fmt.Println("times:", fi.Clock, "TCP state:", fi.TCPState, "fastest:", fi.Fastest)
	fmt.Println("failures it can show:", fi.FailureClasses)
	// Output:
	// tshark -z conv (text) [TCP UDP] 56 flows
	// times: relative TCP state: none fastest: false
	// failures it can show: [udp_no_reply]
}

// nfdump's one-way records are paired by time; its CSV starts are whole
// seconds, so a pair that started within one second is oriented by port.
func ExampleOpenFlows_nfdump() {
	c, err := OpenFlows("../testdata/flowfiles/sample.nfdump.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fi := c.Input().FlowFile
	fmt.Println(fi.Records, "records,", c.Flows().Count(), "flows;", fi.Guessed, "originators guessed")
	fmt.Println("bytes:", fi.ByteKind, "starts to", fi.StartPrecision, "durations to", fi.DurationPrecision)
	fmt.Println("nfdump's summary matches:", fi.TotalsMatch, "payload known:", fi.Payload)
	// Output:
	// 110 records, 59 flows; 48 originators guessed
	// bytes: ip starts to 1s durations to 1ms
	// nfdump's summary matches: true payload known: false
}
