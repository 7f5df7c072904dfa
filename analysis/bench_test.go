package analysis

import (
	"bufio"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// The benchmarks read one capture: $PCAPLAB_BENCH_FILE when set, e.g. one
// written by scripts/gencapture (the README's numbers are for 1.58 M
// packets),
//
//	go run ./scripts/gencapture -packets 1580000 -o /tmp/steady.pcap
//	PCAPLAB_BENCH_FILE=/tmp/steady.pcap go test -run - -bench . ./analysis/
//
// and otherwise a generated capture of steady traffic (about 200 000
// packets, 1 000 packets/s of capture time). Each stage's benchmark runs
// the stages before it too: Read (capfile), Decode (+ decode), Build (+ the
// model: ingest's counters, flow table and evidence, and finish), Open (+
// the cache check; what analysis.Open costs). Each reports packets/s.

var (
	benchOnce    sync.Once
	benchPath    string
	benchPackets int
	benchErr     error
)

func benchCapture(b *testing.B) (string, int) {
	benchOnce.Do(func() {
		if p := os.Getenv("PCAPLAB_BENCH_FILE"); p != "" {
			benchPath = p
			r, err := capfile.Open(p)
			if err != nil {
				benchErr = err
				return
			}
			for {
				if _, _, err := r.Next(); err != nil {
					break
				}
				benchPackets++
			}
			r.Close()
			return
		}
		dir, err := os.MkdirTemp("", "pcaplab-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "steady.pcap")
		benchPackets, benchErr = writeSteady(benchPath, 200000)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	st, err := os.Stat(benchPath)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	return benchPath, benchPackets
}

func writeSteady(path string, n int) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	pw := pcapgo.NewWriter(bw)
	pw.WriteFileHeader(65535, layers.LinkTypeEthernet)
	gen := synth.NewSteady(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
	var c synth.Capture
	packets := 0
	for packets < n {
		gen.Next(&c, 10000)
		c.WriteTo(pw)
		packets += c.Len()
	}
	return packets, bw.Flush()
}

func packetsPerSecond(b *testing.B, packets int) {
	b.ReportMetric(float64(packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkRead: the records of the file (capfile), nothing decoded.
func BenchmarkRead(b *testing.B) {
	path, n := benchCapture(b)
	var sum byte
	for b.Loop() {
		r, err := capfile.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		for {
			d, _, err := r.Next()
			if err != nil {
				break
			}
			if len(d) > 0 {
				sum += d[0] // touch the record, as the decoder will
			}
		}
		r.Close()
	}
	packetsPerSecond(b, n)
}

// BenchmarkDecode: read and decode every record.
func BenchmarkDecode(b *testing.B) {
	path, n := benchCapture(b)
	d := decode.New()
	var p decode.Packet
	for b.Loop() {
		r, err := capfile.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		for {
			data, rec, err := r.Next()
			if err != nil {
				break
			}
			d.Decode(data, rec.LinkType, &p)
		}
		r.Close()
	}
	packetsPerSecond(b, n)
}

// BenchmarkBuild: the whole engine — read, decode, the model and its
// finish — as Open runs it with the default options.
func BenchmarkBuild(b *testing.B) {
	path, n := benchCapture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ingest.Build([]string{path}, DefaultOptions().config()); err != nil {
			b.Fatal(err)
		}
	}
	packetsPerSecond(b, n)
}

// BenchmarkOpen: analysis.Open (the engine and the cache check).
func BenchmarkOpen(b *testing.B) {
	path, n := benchCapture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(path); err != nil {
			b.Fatal(err)
		}
	}
	packetsPerSecond(b, n)
}
