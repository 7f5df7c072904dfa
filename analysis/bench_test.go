package analysis

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// BenchmarkOpen reads a generated capture of steady traffic (about 200 000
// packets, 1 000 packets/s of capture time) into the full model, and reports
// packets per second.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "steady.pcap")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	pw := pcapgo.NewWriter(bw)
	pw.WriteFileHeader(65535, layers.LinkTypeEthernet)
	gen := synth.NewSteady(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
	var c synth.Capture
	packets := 0
	for packets < 200000 {
		gen.Next(&c, 10000)
		c.WriteTo(pw)
		packets += c.Len()
	}
	bw.Flush()
	f.Close()
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Open(path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkOpenFile reads the capture named by $PCAPLAB_BENCH_FILE (skipped
// when unset), e.g. one written by scripts/gencapture:
//
//	go run ./scripts/gencapture -packets 1500000 -o /tmp/steady.pcap
//	PCAPLAB_BENCH_FILE=/tmp/steady.pcap go test -run - -bench OpenFile ./analysis/
func BenchmarkOpenFile(b *testing.B) {
	path := os.Getenv("PCAPLAB_BENCH_FILE")
	if path == "" {
		b.Skip("PCAPLAB_BENCH_FILE not set")
	}
	var packets uint64
	for i := 0; i < b.N; i++ {
		c, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		packets += c.Packets()
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}
