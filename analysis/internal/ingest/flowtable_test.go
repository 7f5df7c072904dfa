package ingest

import (
	"cmp"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// packetOf is a decoded UDP or TCP packet between two of 64 hosts.
func packetOf(rng *rand.Rand) decode.Packet {
	p := decode.Packet{Net: decode.NetIPv4, HasPorts: true, Proto: flow.UDP}
	p.Src = netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(8))})
	p.Dst = netip.AddrFrom4([4]byte{10, 0, 1, byte(rng.IntN(8))})
	p.SrcPort, p.DstPort = uint16(1000+rng.IntN(4)), 53
	if rng.IntN(2) == 0 {
		p.Proto, p.DstPort = flow.TCP, 443
		p.TCPFlags = flow.ACK
		switch rng.IntN(10) {
		case 0:
			p.TCPFlags |= flow.FIN
		case 1:
			p.TCPFlags = flow.RST
		}
	}
	return p
}

// The wheel's sweep ends exactly the flows a sweep over every live flow
// would: after each sweep no live flow is idle past its timeout, and the
// sweep ended as many flows as were.
func TestSweepEndsExactlyTheExpiredFlows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := Config{Timeouts: flow.Timeouts{TCP: 50 * time.Second, UDP: 20 * time.Second, Other: 20 * time.Second, Closed: 5 * time.Second},
		BinWidth: time.Second, SpillAfter: -1}
	b := newBuilder(cfg)
	ts := int64(1e18)
	sweeps := 0
	for i := 0; i < 200000; i++ {
		switch r := rng.IntN(1000); {
		case r == 0:
			ts += int64(rng.IntN(100)) * int64(time.Second) // a pause
		case r < 5:
			ts -= int64(rng.IntN(3)) * int64(time.Second) // out of order
		default:
			ts += int64(rng.IntN(200)) * int64(time.Millisecond)
		}
		p := packetOf(rng)
		rec := capfile.Record{Index: i + 1, Time: ts, CapLen: 60, WireLen: 60}
		ft := b.flows
		now := max(b.counters.now, ts)
		sweeping := i > 0 && now-ft.swept >= ft.sweepEvery
		want := 0
		if sweeping {
			for e := range ft.liveFlows() {
				if ft.expired(e, now) {
					want++
				}
			}
		}
		before := ft.done.n
		b.packet(&rec, &p)
		if !sweeping {
			continue
		}
		sweeps++
		if ft.swept != now {
			t.Fatalf("packet %d: no sweep at %d", i, now)
		}
		ended := ft.done.n - before
		// the packet may end its own flow too (a reused tuple); the flows
		// ended by the sweep are all those expired
		if ended < want || ended > want+1 {
			t.Fatalf("packet %d: sweep ended %d flows, %d were idle past their timeout", i, ended, want)
		}
		for e := range ft.liveFlows() {
			if ft.expired(e, now) {
				t.Fatalf("packet %d: a live flow idle past its timeout after the sweep: %+v", i, e.Flow)
			}
		}
	}
	if sweeps < 100 {
		t.Errorf("only %d sweeps", sweeps)
	}
}

// Eviction ends the tenth of the live flows idle longest, found by
// selection.
func TestEvictionEndsTheLongestIdle(t *testing.T) {
	b := newBuilder(Config{Timeouts: flow.AllTimeouts(0), BinWidth: time.Second, MaxFlows: 100, SpillAfter: -1})
	rng := rand.New(rand.NewPCG(3, 4))
	order := rng.Perm(100)
	for i, o := range order {
		p := decode.Packet{Net: decode.NetIPv4, HasPorts: true, Proto: flow.UDP, Src: netip.AddrFrom4([4]byte{10, 0, 0, 1}),
			Dst: netip.AddrFrom4([4]byte{10, 0, 0, 2}), SrcPort: uint16(1000 + i), DstPort: 53}
		rec := capfile.Record{Index: i + 1, Time: int64(1e18) + int64(o)*1e9, CapLen: 60, WireLen: 60}
		b.packet(&rec, &p)
	}
	p := decode.Packet{Net: decode.NetIPv4, HasPorts: true, Proto: flow.UDP, Src: netip.AddrFrom4([4]byte{10, 0, 0, 3}),
		Dst: netip.AddrFrom4([4]byte{10, 0, 0, 2}), SrcPort: 1, DstPort: 53}
	rec := capfile.Record{Index: 101, Time: int64(1e18) + 200e9, CapLen: 60, WireLen: 60}
	b.packet(&rec, &p)
	if b.flows.evicted != 10 || b.flows.live.n != 91 {
		t.Fatalf("%d evicted, %d live", b.flows.evicted, b.flows.live.n)
	}
	var gone []int64
	b.flows.done.each(func(f *flow.Flow) { gone = append(gone, (f.Last-1e18)/1e9) })
	slices.Sort(gone)
	if !slices.Equal(gone, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("evicted the flows last active at %v s", gone)
	}
	// ties go by id: the k-th is always the same one
	v := []int64{5, 1, 9, 1, 7, 3, 3}
	for k, want := range []idle{{1, 1}, {1, 3}, {3, 5}, {3, 6}, {5, 0}, {7, 4}, {9, 2}} {
		x := make([]idle, len(v))
		for i, l := range v {
			x[i] = idle{l, int32(i)}
		}
		nthIdle(x, k, func(a, b int32) int { return cmp.Compare(a, b) })
		for i := range x[:k] {
			if x[i].last > want.last || x[i].last == want.last && x[i].id > want.id {
				t.Errorf("nthIdle(%d): %v before the %d-th", k, x[i], k)
			}
		}
		if x[k] != want {
			t.Errorf("nthIdle(%d) = %v, want %v", k, x[k], want)
		}
	}
}

// A spilled flow reads back as it was written, every field, in start
// order.
func TestSpillRecordRoundTrip(t *testing.T) {
	in := []flow.Flow{
		{Proto: flow.TCP, Orig: netip.MustParseAddr("192.0.2.1"), Resp: netip.MustParseAddr("2001:db8::1"), OrigPort: 50000, RespPort: 443,
			First: 1760434200123456789, Last: 1760434201123456789, OrigPackets: 5, RespPackets: 7, OrigBytes: 500, RespBytes: 1 << 40,
			OrigPayload: 100, RespPayload: 8000, OrigFlags: flow.SYN | flow.ACK | flow.FIN, RespFlags: flow.SYN | flow.ACK, History: "ShADadFf",
			State: flow.SF, RTT: 25 * time.Millisecond, Ended: flow.EndIdle, ICMPError: flow.MakeICMPError(3, 3), App: "TLS",
			ServerName: string(make([]byte, 253)), Opening: flow.MsgRequest, OrigTransfer: time.Second, RespTransfer: -1},
		{Proto: 253, Orig: netip.MustParseAddr("::ffff:10.0.0.1"), Resp: netip.MustParseAddr("10.0.0.2"), RTT: -1},
		{},
	}
	sp, err := newSpill()
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if err := sp.add(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.flush(); err != nil {
		t.Fatal(err)
	}
	want := []flow.Flow{in[2], in[1], in[0]} // by start, then protocol
	var out []flow.Flow
	for range 2 { // twice: Each starts from the beginning
		out = out[:0]
		if err := sp.Each(func(f *flow.Flow) { out = append(out, *f) }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, want) {
			t.Fatalf("read back\n%+v\nwant\n%+v", out, want)
		}
	}
}

// sortByIndex sorts as a stable sort of the flows themselves does.
func TestSortByIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		n := rng.IntN(200)
		fl := make([]flow.Flow, n)
		for i := range fl {
			fl[i] = flow.Flow{First: int64(rng.IntN(20)), Proto: flow.Proto(rng.IntN(2)), OrigPackets: uint64(i), // ties keep their order
				Orig: netip.AddrFrom4([4]byte{10, 0, 0, byte(rng.IntN(3))})}
		}
		want := slices.Clone(fl)
		slices.SortStableFunc(want, compareFlows)
		sortByIndex(fl)
		if !slices.Equal(fl, want) {
			t.Fatalf("sorted\n%v\nwant\n%v", fl, want)
		}
	}
}

// compareFlows orders flows as flow.Less does, for sorting what a test
// expects.
func compareFlows(a, b flow.Flow) int {
	switch {
	case flow.Less(&a, &b):
		return -1
	case flow.Less(&b, &a):
		return 1
	}
	return 0
}
