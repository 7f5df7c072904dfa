package flow

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"
)

type seg struct {
	d       Dir
	f       Flags
	payload int
}

func TestConnStates(t *testing.T) {
	o, r := FromOrig, FromResp
	for _, c := range []struct {
		name    string
		segs    []seg
		state   State
		history string
	}{
		{"no answer", []seg{{o, SYN, 0}, {o, SYN, 0}}, S0, "S"},
		{"rejected", []seg{{o, SYN, 0}, {r, RST | ACK, 0}}, REJ, "Sr"},
		{"syn then rst", []seg{{o, SYN, 0}, {o, RST, 0}}, RSTOS0, "SR"},
		{"syn then fin", []seg{{o, SYN, 0}, {o, FIN, 0}}, SH, "SF"},
		{"open", []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {o, ACK | PSH, 100}}, S1, "ShAD"},
		{"normal", []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {o, ACK, 10}, {r, ACK, 500}, {o, FIN | ACK, 0}, {r, FIN | ACK, 0}}, SF, "ShADdFf"},
		{"orig fin only", []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {o, FIN | ACK, 0}}, S2, "ShAF"},
		{"resp fin only", []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {r, FIN | ACK, 0}}, S3, "ShAf"},
		{"orig reset", []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {o, RST, 0}, {r, RST, 0}}, RSTO, "ShARr"},
		{"resp reset", []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {r, RST, 0}}, RSTR, "ShAr"},
		{"synack then rst", []seg{{r, SYN | ACK, 0}, {r, RST, 0}}, RSTRH, "hr"},
		{"synack then fin", []seg{{r, SYN | ACK, 0}, {r, FIN | ACK, 0}}, SHR, "hf"},
		{"mid-stream", []seg{{o, ACK, 100}, {r, ACK, 0}}, OTH, "Da"},
	} {
		var k Conn
		for i, s := range c.segs {
			k.Segment(s.d, s.f, 1000, s.payload, int64(i)*int64(time.Millisecond))
		}
		if k.State() != c.state || k.History() != c.history {
			t.Errorf("%s: %v %q, want %v %q", c.name, k.State(), k.History(), c.state, c.history)
		}
	}
	var k Conn
	k.Segment(FromOrig, SYN, 7, 0, 1e9)
	k.Segment(FromResp, SYN|ACK, 9, 0, 1e9+10e6)
	k.Segment(FromOrig, ACK, 8, 0, 1e9+25e6)
	if k.RTT() != 25*time.Millisecond || k.NewSYN(FromOrig, 7) || !k.NewSYN(FromOrig, 99) || k.Closed() {
		t.Errorf("rtt %v, reuse %v %v", k.RTT(), k.NewSYN(FromOrig, 7), k.NewSYN(FromOrig, 99))
	}
	if st, h := StateFromFlags(SYN|ACK|FIN, SYN|ACK|FIN, 3); st != SF || h != "ShFf" {
		t.Errorf("from flags: %v %q", st, h)
	}
	if st, _ := StateFromFlags(SYN, 0, 0); st != S0 {
		t.Errorf("from flags, no answer: %v", st)
	}
}

func TestNames(t *testing.T) {
	for i := range stateNames {
		if s, ok := ParseState(State(i).String()); !ok || s != State(i) {
			t.Errorf("state %d does not read back", i)
		}
	}
	for _, c := range []struct {
		in   string
		want Proto
	}{{"tcp", TCP}, {"UDP", UDP}, {"ipv6-icmp", ICMPv6}, {"47", GRE}, {"igmp", IGMP}, {"IP protocol 253", 253}} {
		if p, ok := ParseProto(c.in); !ok || p != c.want {
			t.Errorf("ParseProto(%q) = %v %v", c.in, p, ok)
		}
	}
	if Proto(253).String() != "IP protocol 253" || ICMPv6.String() != "ICMPv6" {
		t.Error("proto names")
	}
	e := MakeICMPError(3, 3)
	if !e.Seen() || e.Type() != 3 || e.Code() != 3 || e.String() != "3/3" || ICMPError(0).String() != "" {
		t.Errorf("icmp error %v", e)
	}
	a, b := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1")
	if MakeKey(TCP, a, b, 80, 5000) != MakeKey(TCP, b, a, 5000, 80) || MakeKey(TCP, a, b, 80, 5000).A != b {
		t.Error("key is not unordered")
	}
}

func TestCSVRoundTrip(t *testing.T) {
	in := []Record{
		{Flow: Flow{Proto: TCP, Orig: netip.MustParseAddr("192.0.2.1"), Resp: netip.MustParseAddr("2001:db8::1"), OrigPort: 50000, RespPort: 443,
			First: 1760434200123456789, Last: 1760434201123456789, OrigPackets: 5, RespPackets: 7, OrigBytes: 500, RespBytes: 9000,
			OrigPayload: 100, RespPayload: 8000, OrigFlags: SYN | ACK | FIN, RespFlags: SYN | ACK | FIN, History: "ShADadFf", State: SF,
			RTT: 25 * time.Millisecond, Ended: EndIdle, App: "TLS", ServerName: "=cmd|' /C calc'!A0",
			Opening: MsgRequest, OrigTransfer: 150 * time.Millisecond, RespTransfer: 1234567 * time.Microsecond},
			Labels: Labels{Application: "HTTPS", IdentifiedBy: "payload", RespKind: "unicast"}},
		{Flow: Flow{Proto: 253, Orig: netip.MustParseAddr("10.0.0.1"), Resp: netip.MustParseAddr("10.0.0.2"), RTT: -1, ICMPError: MakeICMPError(3, 1)}},
	}
	var b bytes.Buffer
	w, err := NewCSVWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		w.Write(&in[i])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !IsCSVHeader(lines[0]) || !strings.Contains(lines[1], ",2025-10-14T09:30:00.123456Z,2025-10-14T09:30:01.123456Z,1.000000,TCP,192.0.2.1,50000,") ||
		!strings.Contains(lines[1], ",'=cmd|' /C calc'!A0,request,0.150000000,1.234567000,HTTPS,payload,,unicast") {
		t.Errorf("CSV:\n%s", b.String())
	}
	var out []Flow
	if err := ReadCSV(&b, func(f Flow) error { out = append(out, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0] != in[0].Flow || out[1] != in[1].Flow {
		t.Errorf("read back\n%+v\nwant\n%+v", out, []Flow{in[0].Flow, in[1].Flow})
	}
	if err := ReadCSV(strings.NewReader("start_ns,end_ns\n1,2\n"), func(Flow) error { return nil }); err == nil {
		t.Error("a header without the schema's columns should fail")
	}
}

// A connection snapshot taken mid-way and restored goes on exactly as the
// connection it was taken from.
func TestConnSnapshot(t *testing.T) {
	o, r := FromOrig, FromResp
	segs := []seg{{o, SYN, 0}, {r, SYN | ACK, 0}, {o, ACK, 0}, {o, ACK, 10}, {r, ACK, 500}, {o, FIN | ACK, 0}, {r, FIN | ACK, 0}}
	for cut := 0; cut <= len(segs); cut++ {
		var whole, first Conn
		for i, s := range segs {
			whole.Segment(s.d, s.f, 1000+uint32(s.d), s.payload, int64(i+1)*int64(time.Millisecond))
			if i < cut {
				first.Segment(s.d, s.f, 1000+uint32(s.d), s.payload, int64(i+1)*int64(time.Millisecond))
			}
		}
		rest := RestoreConn(first.Snapshot())
		for i := cut; i < len(segs); i++ {
			s := segs[i]
			rest.Segment(s.d, s.f, 1000+uint32(s.d), s.payload, int64(i+1)*int64(time.Millisecond))
		}
		if rest.Snapshot() != whole.Snapshot() || rest.State() != SF || rest.History() != "ShADdFf" || rest.RTT() != 2*time.Millisecond {
			t.Errorf("cut at %d: %+v, want %+v", cut, rest.Snapshot(), whole.Snapshot())
		}
		if rest.NewSYN(FromOrig, 1000) || !rest.NewSYN(FromOrig, 7) {
			t.Errorf("cut at %d: base sequence lost", cut)
		}
	}
}

// Address keys order as netip.Addr.Compare does.
func TestAddrKeyOrder(t *testing.T) {
	addrs := []string{"0.0.0.0", "10.0.0.1", "10.0.0.2", "192.168.1.255", "255.255.255.255", "::", "::ffff:10.0.0.1", "2001:db8::1", "fe80::1", "ff02::fb"}
	for i := range addrs {
		for j := range addrs {
			a, b := netip.MustParseAddr(addrs[i]), netip.MustParseAddr(addrs[j])
			if got, want := bytes.Compare(AddrKey(a), AddrKey(b)), a.Compare(b); got != want {
				t.Errorf("%s vs %s: key order %d, address order %d", a, b, got, want)
			}
		}
	}
	if len(AddrKey(netip.MustParseAddr("10.0.0.1"))) != 5 || AddrKey(netip.Addr{}) != nil {
		t.Error("key lengths")
	}
}
