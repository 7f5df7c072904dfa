package ingest

import (
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// steady is about n packets of steady traffic (synth.Steady, 1 000
// packets/s) kept as frames in one pointer-free arena, so that holding
// them costs the garbage collector nothing.
type steady struct {
	recs  []capfile.Record
	arena []byte
	offs  []int
}

func steadyFrames(n int) *steady {
	gen := synth.NewSteady(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
	var c synth.Capture
	s := &steady{}
	for len(s.recs) < n {
		gen.Next(&c, 10000)
		for _, pk := range c.Packets {
			s.recs = append(s.recs, capfile.Record{Index: len(s.recs) + 1, Time: pk.Time.UnixNano(), CapLen: len(pk.Data),
				WireLen: len(pk.Data), LinkType: layers.LinkTypeEthernet})
			s.offs = append(s.offs, len(s.arena))
			s.arena = append(s.arena, pk.Data...)
		}
	}
	s.offs = append(s.offs, len(s.arena))
	return s
}

// feed runs every packet through the builder, decoding a batch at a time
// with the timer stopped when only the model is measured.
func (s *steady) feed(b *testing.B, bl *builder, onlyModel bool) {
	dec := decode.New()
	pkts := make([]decode.Packet, batchSize)
	for lo := 0; lo < len(s.recs); lo += batchSize {
		hi := min(lo+batchSize, len(s.recs))
		if onlyModel {
			b.StopTimer()
		}
		for i := lo; i < hi; i++ {
			dec.Decode(s.arena[s.offs[i]:s.offs[i+1]], layers.LinkTypeEthernet, &pkts[i-lo])
		}
		if onlyModel {
			b.StartTimer()
		}
		for i := lo; i < hi; i++ {
			bl.packet(&s.recs[i], &pkts[i-lo])
		}
	}
}

func benchConfig() Config {
	return Config{Timeouts: flow.DefaultTimeouts, BinWidth: time.Second, TransferGap: time.Second, MaxFlows: 1_000_000, SpillAfter: DefaultSpillAfter}
}

// BenchmarkAggregate: the model's stages (counters, flow table, evidence)
// on decoded packets, without reading, decoding or finishing.
func BenchmarkAggregate(b *testing.B) {
	s := steadyFrames(200000)
	b.ReportAllocs()
	for b.Loop() {
		s.feed(b, newBuilder(benchConfig()), true)
	}
	b.ReportMetric(float64(len(s.recs))*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkFinish: what the model does once the packets are in: ending
// the live flows and handing out the finished ones.
func BenchmarkFinish(b *testing.B) {
	s := steadyFrames(200000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		bl := newBuilder(benchConfig())
		s.feed(b, bl, false)
		bl.model.Files = []FileInfo{{Name: "steady"}}
		b.StartTimer()
		if _, err := bl.finish(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPacketLog: writing the packet log of decoded packets (the
// flow store's cost per packet on the reading goroutine), and the bytes
// it takes a packet.
func BenchmarkPacketLog(b *testing.B) {
	s := steadyFrames(200000)
	dec := decode.New()
	var batches []*batch
	for lo := 0; lo+batchSize <= len(s.recs); lo += batchSize {
		bt := &batch{recs: s.recs[lo : lo+batchSize], pkts: make([]decode.Packet, batchSize), aside: make([]aside, batchSize),
			dns: make([]dnsMessage, batchSize), offs: make([]int, batchSize)}
		for i := range batchSize {
			dec.Decode(s.arena[s.offs[lo+i]:s.offs[lo+i+1]], layers.LinkTypeEthernet, &bt.pkts[i])
			bt.pkts[i].Payload, bt.offs[i] = nil, -1
		}
		batches = append(batches, bt)
	}
	var n countWriter
	b.ReportAllocs()
	for b.Loop() {
		l, err := newLogWriter(&n)
		if err != nil {
			b.Fatal(err)
		}
		for _, bt := range batches {
			l.batch(bt)
		}
		if err := l.close(); err != nil {
			b.Fatal(err)
		}
	}
	packets := float64(len(batches)*batchSize) * float64(b.N)
	b.ReportMetric(float64(n)/packets, "B/packet")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/packets, "ns/packet")
}

type countWriter int64

func (c *countWriter) Write(b []byte) (int, error) { *c += countWriter(len(b)); return len(b), nil }
