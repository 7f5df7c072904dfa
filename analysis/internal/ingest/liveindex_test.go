package ingest

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// The live index finds exactly the flows a map would, through inserts and
// removals in any order, when hashes collide (a few home slots only, at
// the end of the slots and at their start, so that probes wrap around)
// and while it grows.
func TestLiveIndexAgreesWithMap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		homes uint32 // distinct home slots; 0: the real hash
		keys  int
	}{
		{"real hash", 0, 5000},
		{"one home", 1, 300},
		{"wrapping", 6, 2000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ft := newFlowTable(Config{}, &Dropped{})
			rng := rand.New(rand.NewPCG(1, 2))
			want := map[flow.Key]*entry{}
			keyOf := func(i int) flow.Key {
				return flow.MakeKey(flow.UDP, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), netip.MustParseAddr("10.9.9.9"), 53, 53)
			}
			hashOf := func(k *flow.Key) uint64 {
				h := ft.hash(k)
				if tc.homes > 0 {
					h = h&^0xffffffff | uint64(uint32(h)%tc.homes-tc.homes/2) // the last slots and the first
				}
				return h
			}
			for op := 0; op < 20*tc.keys; op++ {
				k := keyOf(rng.IntN(tc.keys))
				h := hashOf(&k)
				e := ft.find(&k, h)
				if e != want[k] {
					t.Fatalf("op %d: find(%v) = %p, want %p", op, k, e, want[k])
				}
				switch {
				case e == nil:
					e = ft.newEntry()
					e.key, e.hash = k, h
					ft.index(e)
					want[k] = e
				case rng.IntN(2) == 0:
					ft.unindex(e)
					ft.release(e)
					delete(want, k)
				}
				if ft.live.n != len(want) {
					t.Fatalf("op %d: %d indexed, want %d", op, ft.live.n, len(want))
				}
			}
			for k, e := range want {
				if got := ft.find(&k, e.hash); got != e {
					t.Errorf("find(%v) = %p, want %p", k, got, e)
				}
			}
		})
	}
}

// packetRef's shortcut for TCP and UDP over IPv4 gives the key and hash
// MakeKey and keyHash give.
func TestPacketRefAgrees(t *testing.T) {
	v4 := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	tcp := func(src, dst string, sp, dp uint16) decode.Packet {
		net := decode.NetIPv4
		if v4(src).Is6() {
			net = decode.NetIPv6
		}
		return decode.Packet{Net: net, Src: v4(src), Dst: v4(dst), Proto: flow.TCP, HasPorts: true, SrcPort: sp, DstPort: dp}
	}
	icmp := tcp("10.0.0.2", "10.0.0.1", 0, 0)
	icmp.Proto, icmp.HasPorts, icmp.HasICMP, icmp.ICMPType, icmp.ICMPID = flow.ICMP, false, true, 8, 77
	for _, p := range []decode.Packet{
		tcp("10.0.0.1", "10.0.0.2", 50000, 443),
		tcp("10.0.0.2", "10.0.0.1", 443, 50000),
		tcp("10.0.0.1", "10.0.0.1", 443, 80),
		tcp("10.0.0.1", "10.0.0.1", 80, 443),
		tcp("255.255.255.255", "0.0.0.0", 67, 68),
		tcp("2001:db8::2", "2001:db8::1", 1, 2),
		tcp("::ffff:10.0.0.2", "::ffff:10.0.0.1", 1, 2),
		icmp,
	} {
		var got flowRef
		packetRef(&p, 42, &got)
		k, _ := packetKey(&p)
		if want := (flowRef{key: k, hash: keyHash(42, &k), kind: refKey}); got != want {
			t.Errorf("%v:%d > %v:%d: got %+v, want %+v", p.Src, p.SrcPort, p.Dst, p.DstPort, got, want)
		}
		if k != flow.MakeKey(p.Proto, p.Src, p.Dst, 77, 77) && p.HasICMP {
			t.Errorf("ICMP echo key %+v", k)
		}
	}
}
