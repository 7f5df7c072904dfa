package ingest

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/netip"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// feed decodes every frame of c and runs it through a new builder with
// the default timeouts, and finishes it.
func feed(t *testing.T, c *synth.Capture) *Model {
	t.Helper()
	b := newBuilder(Config{Timeouts: flow.DefaultTimeouts, BinWidth: time.Second, MaxFlows: 1000, SpillAfter: -1})
	dec := decode.New()
	for i, pk := range c.Packets {
		rec := capfile.Record{Index: i + 1, Time: pk.Time.UnixNano(), CapLen: len(pk.Data), WireLen: len(pk.Data), LinkType: pk.Link.LinkType()}
		var p decode.Packet
		dec.Decode(pk.Data, rec.LinkType, &p)
		b.packet(&rec, &p)
	}
	b.model.Files = []FileInfo{{Name: "test"}}
	m, err := b.finish()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lower sets smaller bounds for one test.
func lower(t *testing.T, set func()) {
	saved := limits
	t.Cleanup(func() { limits = saved })
	set()
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func discoverMsg(xid uint32, mac byte) []byte {
	b := make([]byte, 244)
	b[0] = 1
	binary.BigEndian.PutUint32(b[4:], xid)
	b[28], b[33] = 2, mac
	binary.BigEndian.PutUint32(b[236:], 0x63825363)
	return append(b[:240], 53, 1, 1, 255)
}

// Every bound keeps what fits and counts the rest, exactly.
func TestBoundsKeepWhatFitsAndCountTheRest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		set   func()
		build func(c *synth.Capture)
		check func(t *testing.T, m *Model)
	}{
		{"hosts", func() { limits.hosts = 3 }, func(c *synth.Capture) {
			for i := range 5 { // 10.0.0.1 → 10.0.1.i: hosts 10.0.0.1, 10.0.1.0, 10.0.1.1, then full
				c.UDP(t0, ap("10.0.0.1:1000"), netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 53), nil)
			}
		}, func(t *testing.T, m *Model) {
			if len(m.Hosts) != 3 || m.Dropped.HostPackets != 3 || m.Hosts[netip.MustParseAddr("10.0.0.1")].Packets != 5 {
				t.Errorf("%d hosts, %d packets without a host", len(m.Hosts), m.Dropped.HostPackets)
			}
		}},
		{"time bins", func() { limits.bins = 2 }, func(c *synth.Capture) {
			for i := range 5 {
				c.UDP(t0.Add(time.Duration(i)*time.Second), ap("10.0.0.1:1000"), ap("10.0.0.2:53"), nil)
			}
		}, func(t *testing.T, m *Model) {
			if len(m.Bins) != 2 || m.Dropped.BinPackets != 3 || m.Bins[1].Packets != 1 {
				t.Errorf("%d bins, %d packets in none", len(m.Bins), m.Dropped.BinPackets)
			}
		}},
		{"DNS transactions", func() { limits.dns = 3 }, func(c *synth.Capture) {
			for i := range 5 { // unanswered queries
				c.UDP(t0, ap("10.0.0.1:1000"), ap("10.0.0.2:53"), synth.DNS(uint16(i), "a.example", 1, false, 0, 0))
			}
			c.UDP(t0, ap("10.0.0.2:53"), ap("10.0.0.1:1000"), synth.DNS(1, "a.example", 1, true, 0, 1)) // answers a kept one
			c.UDP(t0, ap("10.0.0.2:53"), ap("10.0.0.1:1000"), synth.DNS(4, "a.example", 1, true, 0, 1)) // answers a dropped one
		}, func(t *testing.T, m *Model) {
			if len(m.DNS) != 3 || m.Dropped.DNS != 3 || !m.DNS[1].Answered {
				t.Errorf("%d DNS kept, %d dropped: %+v", len(m.DNS), m.Dropped.DNS, m.DNS)
			}
		}},
		{"ICMP errors", func() { limits.icmpErrors = 2 }, func(c *synth.Capture) {
			q := synth.UDPPacket(ap("10.0.0.1:1000"), ap("10.0.0.2:9"), nil)
			for range 4 {
				c.ICMPError(t0, netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.1"), 3, 3, q)
			}
		}, func(t *testing.T, m *Model) {
			if len(m.ICMPErrors) != 2 || m.Dropped.ICMPErrors != 2 {
				t.Errorf("%d ICMP errors kept, %d dropped", len(m.ICMPErrors), m.Dropped.ICMPErrors)
			}
		}},
		{"DHCP transactions", func() { limits.dhcp = 1 }, func(c *synth.Capture) {
			for i := range 3 {
				c.UDP(t0, ap("0.0.0.0:68"), ap("255.255.255.255:67"), discoverMsg(uint32(i), byte(i)))
			}
			c.UDP(t0, ap("0.0.0.0:68"), ap("255.255.255.255:67"), discoverMsg(0, 0)) // the kept one again
		}, func(t *testing.T, m *Model) {
			if len(m.DHCP) != 1 || m.Dropped.DHCP != 2 || m.DHCP[0].Discovers != 2 {
				t.Errorf("%d DHCP kept, %d dropped: %+v", len(m.DHCP), m.Dropped.DHCP, m.DHCP)
			}
		}},
		{"first fragments at one instant", func() { limits.fragments = 4 }, func(c *synth.Capture) {
			for i := range 6 { // first fragments that never complete, all at t0 (no sweep)
				ip := synth.UDPPacket(ap("10.0.0.1:1000"), ap("10.0.0.2:53"), make([]byte, 40))
				ip[6], ip[4], ip[5] = 0x20, 0, byte(i) // more fragments, id i
				c.Raw(t0, true, ip)
			}
		}, func(t *testing.T, m *Model) {
			if m.Dropped.Fragments != 4 || m.Fragments != 6 {
				t.Errorf("%d fragments, %d forgotten", m.Fragments, m.Dropped.Fragments)
			}
		}},
		{"non-IP protocols", func() { limits.nonIP = 2 }, func(c *synth.Capture) {
			for _, et := range []uint16{0x88cc, 0x88cc, 0x8809, 0x88b5, 0x88b5} {
				f := append(bytes.Repeat([]byte{2}, 12), byte(et>>8), byte(et))
				c.Frame(t0, append(f, make([]byte, 46)...))
			}
		}, func(t *testing.T, m *Model) {
			if len(m.NonIP) != 2 || m.Dropped.NonIP != 2 || m.NonIP["LLDP"].Packets != 2 || m.Packets != 5 {
				t.Errorf("non-IP %v, %d dropped", m.NonIP, m.Dropped.NonIP)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lower(t, tc.set)
			var c synth.Capture
			tc.build(&c)
			tc.check(t, feed(t, &c))
		})
	}
}

// A flow file's flow spans far more bins than MaxSpread: it is spread over
// MaxSpread parts, its totals exact; flows with impossible times are set
// aside.
func TestFlowFileBounds(t *testing.T) {
	lower(t, func() { limits.spread = 10 })
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	long := flow.Flow{Proto: flow.UDP, Orig: a, Resp: b, First: 1e18, Last: 1e18 + 1000e9, OrigPackets: 1000, OrigBytes: 100000}
	short := flow.Flow{Proto: flow.UDP, Orig: a, Resp: b, First: 1e18, Last: 1e18 + 5e9, OrigPackets: 6, OrigBytes: 600}
	m := FromFlows([]flow.Flow{long, short, {Proto: flow.UDP, Orig: a, Resp: b, First: -5, Last: 7},
		{Proto: flow.UDP, Orig: a, Resp: b, First: 9e18, Last: 1e18}}, time.Second)
	if m.Dropped.BadTime != 2 || m.NFlows != 2 || m.Dropped.SpreadFlows != 1 {
		t.Fatalf("dropped %+v, %d flows", m.Dropped, m.NFlows)
	}
	var pk, by uint64
	for _, c := range m.Bins {
		pk += c.Packets
		by += c.Bytes
	}
	if pk != 1006 || by != 100600 || len(m.Bins) != 15 || m.Bins[900].Packets != 100 || m.Bins[0].Packets != 101 || m.Bins[3].Packets != 1 {
		t.Errorf("%d bins with %d packets, %d bytes: %v", len(m.Bins), pk, by, m.Bins[900])
	}
}

// A flow file's flow that ends at the last nanosecond int64 holds is spread
// without overflow.
func TestSpreadAtTheEndOfTime(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	f := flow.Flow{Proto: flow.UDP, Orig: a, Resp: b, First: math.MaxInt64 - 25e8, Last: math.MaxInt64, OrigPackets: 10, OrigBytes: 1000}
	m := FromFlows([]flow.Flow{f}, time.Second)
	var pk, by uint64
	for _, c := range m.Bins {
		pk += c.Packets
		by += c.Bytes
	}
	if pk != 10 || by != 1000 || len(m.Bins) != 3 || m.Dropped.BadTime != 0 {
		t.Errorf("%d bins with %d packets, %d bytes; dropped %+v", len(m.Bins), pk, by, m.Dropped)
	}
}

// pcapFile writes frames as a pcap (microseconds) with the given times.
func pcapFile(frame []byte, times ...int64) []byte {
	var b bytes.Buffer
	h := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
	b.Write(h)
	for _, ts := range times {
		r := binary.LittleEndian.AppendUint32(nil, uint32(ts/1e9))
		r = binary.LittleEndian.AppendUint32(r, uint32(ts%1e9/1e3))
		r = binary.LittleEndian.AppendUint32(r, uint32(len(frame)))
		r = binary.LittleEndian.AppendUint32(r, uint32(len(frame)))
		b.Write(r)
		b.Write(frame)
	}
	return b.Bytes()
}

// A record whose time lies more than MaxTimeJump from both neighbours is
// set aside; a pause (far from one neighbour) is not.
func TestTimeJumpsAreSetAside(t *testing.T) {
	var c synth.Capture
	c.UDP(t0, ap("10.0.0.1:1000"), ap("10.0.0.2:53"), nil)
	frame := c.Packets[0].Data
	day := int64(24 * time.Hour)
	s := t0.UnixNano()
	for _, tc := range []struct {
		name     string
		times    []int64
		jumps    uint64
		duration int64
	}{
		{"one far in the middle", []int64{s, s + 1e9, s + 3000*day, s + 2e9, s + 3e9}, 1, 3e9},
		{"the first far", []int64{1e9, s, s + 1e9}, 1, 1e9},
		{"the last far", []int64{s, s + 1e9, s + 100*day}, 1, 1e9},
		{"a pause", []int64{s, s + 1e9, s + 30*day, s + 30*day + 1e9}, 0, 30*day + 1e9},
		{"one record", []int64{s}, 0, 0},
		{"two far apart", []int64{s, s + 30*day}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := BuildReader("x.pcap", bytes.NewReader(pcapFile(frame, tc.times...)), Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			if m.Dropped.TimeJumps != tc.jumps || m.Packets != uint64(len(tc.times))-tc.jumps || m.Last-m.First != tc.duration ||
				m.Files[0].Packets != m.Packets {
				t.Errorf("%d jumps, %d packets, duration %d; want %d jumps, duration %d", m.Dropped.TimeJumps, m.Packets, m.Last-m.First, tc.jumps, tc.duration)
			}
		})
	}
}

// Flows ended before their deadline while time stands still (a tuple
// reused again and again at one instant) leave no pile of filings.
func TestWheelStaysSmallWhenTimeStandsStill(t *testing.T) {
	b := newBuilder(Config{Timeouts: flow.DefaultTimeouts, BinWidth: time.Second, SpillAfter: -1})
	for i := range 50000 {
		p := decode.Packet{Net: decode.NetIPv4, HasPorts: true, Proto: flow.TCP, Src: netip.MustParseAddr("10.0.0.1"),
			Dst: netip.MustParseAddr("10.0.0.2"), SrcPort: 1000, DstPort: 80, TCPFlags: flow.SYN, Seq: uint32(i)}
		rec := capfile.Record{Index: i + 1, Time: t0.UnixNano(), CapLen: 60, WireLen: 60}
		b.packet(&rec, &p)
	}
	if b.flows.done.n != 49999 || b.flows.wheel.n > 5000 {
		t.Errorf("%d flows ended, %d filings in the wheel", b.flows.done.n, b.flows.wheel.n)
	}
}

// With a memory limit set (GOMEMLIMIT), a pass whose model outgrows it
// ends with one error naming the file and the packet, not a crash.
func TestOutOfMemoryIsAnError(t *testing.T) {
	var b bytes.Buffer
	b.Write([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0})
	var c synth.Capture
	c.UDP(t0, ap("10.0.0.1:1000"), ap("10.0.0.2:53"), nil)
	frame := c.Packets[0].Data
	for i := range 400_000 { // as many flows, none ending
		r := binary.LittleEndian.AppendUint32(nil, uint32(t0.Unix()))
		r = binary.LittleEndian.AppendUint32(r, 0)
		r = binary.LittleEndian.AppendUint32(r, uint32(len(frame)))
		r = binary.LittleEndian.AppendUint32(r, uint32(len(frame)))
		binary.BigEndian.PutUint16(frame[34:], uint16(i))     // source port
		binary.BigEndian.PutUint16(frame[28:], uint16(i>>16)) // and address
		b.Write(r)
		b.Write(frame)
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(48 << 20))
	_, err := BuildReader("many.pcap", &b, Config{Timeouts: flow.AllTimeouts(0), SpillAfter: -1})
	if err == nil || !strings.HasPrefix(err.Error(), "many.pcap: packet ") || !strings.Contains(err.Error(), "out of memory: the model takes") {
		t.Fatalf("error %v", err)
	}
}

// Counts names every count of Dropped, by its field's name.
func TestDroppedCountsNameEveryField(t *testing.T) {
	var d Dropped
	v := reflect.ValueOf(&d).Elem()
	counts := d.Counts()
	if len(counts) != v.NumField() {
		t.Errorf("%d counts named, Dropped has %d fields", len(counts), v.NumField())
	}
	for i := range v.NumField() {
		p := counts[v.Type().Field(i).Name]
		if p == nil || p != v.Field(i).Addr().Interface().(*uint64) {
			t.Errorf("Counts()[%q] is not the field", v.Type().Field(i).Name)
		}
	}
}
