package ingest

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
)

// filings lists where the live flows are filed in the idle wheel: each
// live flow's current filing, by key.
func filings(t *flowTable) map[flow.Key]int64 {
	out := map[flow.Key]int64{}
	for _, s := range t.wheel.slots {
		for _, f := range s {
			if f.e.live && f.filings == f.e.filings {
				out[f.e.key] = f.e.filed
			}
		}
	}
	return out
}

// edgePackets is traffic that exercises everything an Edge carries: idle
// timeouts found by sweeps (pauses, packets out of order), TCP connections
// that close (their deadline shrinks) or are reused by a new SYN, and
// eviction with many flows idle equally long (times on a 100 ms grid).
func edgePackets(n int) ([]capfile.Record, []decode.Packet) {
	rng := rand.New(rand.NewPCG(5, 6))
	recs, pkts := make([]capfile.Record, n), make([]decode.Packet, n)
	ts := int64(1e18)
	for i := range n {
		switch r := rng.IntN(1000); {
		case r == 0:
			ts += int64(rng.IntN(100)) * int64(time.Second)
		case r < 5:
			ts -= int64(rng.IntN(3)) * int64(time.Second)
		default:
			ts += int64(rng.IntN(3)) * int64(100*time.Millisecond)
		}
		p := packetOf(rng)
		p.SrcPort = uint16(1000 + rng.IntN(16))
		if p.Proto == flow.TCP && rng.IntN(40) == 0 {
			p.TCPFlags, p.Seq = flow.SYN, rng.Uint32()
		}
		recs[i], pkts[i] = capfile.Record{Index: i + 1, Time: ts, CapLen: 60, WireLen: 60}, p
	}
	return recs, pkts
}

func feedPackets(b *builder, recs []capfile.Record, pkts []decode.Packet) {
	for i := range recs {
		b.packet(&recs[i], &pkts[i])
	}
}

func flowTexts(m *Model) []string {
	var out []string
	m.EachFlow(func(f *flow.Flow) { out = append(out, fmt.Sprintf("%+v", *f)) })
	return out
}

// An Edge taken at any packet and restored (through gob, as the store
// keeps it) is the state one pass has there: the same live flows, each
// filed in the wheel under the same deadline, the same sweep clock; and
// reading on from it ends the same flows, the same way and at the same
// time (idle, reused, evicted, at the end) as one pass.
func TestEdgeGoesOnAsOnePass(t *testing.T) {
	cfg := Config{Timeouts: flow.Timeouts{TCP: 50 * time.Second, UDP: 20 * time.Second, Other: 20 * time.Second, Closed: 5 * time.Second},
		BinWidth: time.Second, SpillAfter: -1, MaxFlows: 300}
	recs, pkts := edgePackets(30000)
	one := newBuilder(cfg)
	feedPackets(one, recs, pkts)
	whole, err := one.finish()
	if err != nil {
		t.Fatal(err)
	}
	want := flowTexts(whole)
	if whole.Evicted == 0 {
		t.Fatalf("no flow evicted: the test does not reach eviction")
	}
	for _, cut := range []int{1, 777, 9000, 15001, 29999} {
		ref := newBuilder(cfg)
		feedPackets(ref, recs[:cut], pkts[:cut])
		a := newBuilder(cfg)
		feedPackets(a, recs[:cut], pkts[:cut])
		edge := a.takeLive()
		first, err := a.finish()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(edge); err != nil {
			t.Fatal(err)
		}
		var in Edge
		if err := gob.NewDecoder(&buf).Decode(&in); err != nil {
			t.Fatal(err)
		}
		b := newBuilder(cfg)
		b.restore(&in)
		wantFiled, gotFiled := filings(ref.flows), filings(b.flows)
		if b.flows.live.n != ref.flows.live.n || b.flows.swept != ref.flows.swept || len(gotFiled) != len(wantFiled) {
			t.Fatalf("cut at %d: %d live flows, %d filed, swept %d; one pass %d, %d, %d", cut, b.flows.live.n, len(gotFiled),
				b.flows.swept, ref.flows.live.n, len(wantFiled), ref.flows.swept)
		}
		for k, d := range wantFiled {
			if gotFiled[k] != d {
				t.Fatalf("cut at %d: flow %v filed under %d, one pass files it under %d", cut, k, gotFiled[k], d)
			}
		}
		feedPackets(b, recs[cut:], pkts[cut:])
		second, err := b.finish()
		if err != nil {
			t.Fatal(err)
		}
		got := append(flowTexts(first), flowTexts(second)...)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || first.Evicted+second.Evicted != whole.Evicted {
			t.Errorf("cut at %d: %d flows (%d evicted); one pass %d (%d evicted)", cut, len(got), first.Evicted+second.Evicted,
				len(want), whole.Evicted)
		}
	}
}
