package analysis

import (
	"bytes"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// FuzzOpen feeds arbitrary bytes as a capture file: no panic, and the model
// is consistent (flows hold no more packets than were read, durations are
// not negative).
func FuzzOpen(f *testing.F) {
	for _, p := range []string{"../testdata/captures/nsec-bigendian.pcap", "../testdata/captures/linux-sll2-http.pcap",
		"../testdata/captures/macos-multi-iface.pcapng", "../testdata/captures/wifi-radiotap-http.pcap",
		"../testdata/captures/rawip-v4v6.pcap", "../testdata/captures/loopback-null-ipv6.pcap"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b[:min(len(b), 4096)]) // small seeds keep minimisation quick
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInvariants(t, dir, data)
	})
}

// checkInvariants reads data as a capture and checks that the model is
// consistent.
func checkInvariants(t *testing.T, dir string, data []byte) {
	o := DefaultOptions()
	m, err := ingest.BuildReader("fuzz", bytes.NewReader(data), o.config())
	if err != nil {
		return
	}
	c := &Capture{m: m, opt: o}
	{
		var inFlows uint64
		for fl := range c.Flows().All() {
			inFlows += fl.Packets()
			if fl.Last < fl.First {
				t.Fatalf("flow with negative duration: %+v", fl)
			}
		}
		if inFlows > c.Packets() {
			t.Fatalf("flows hold %d packets of %d", inFlows, c.Packets())
		}
		if c.Duration() < 0 {
			t.Fatalf("negative duration")
		}
		var hostPkts uint64
		for _, a := range c.Hosts().Addrs() {
			h, _ := c.Hosts().Get(a)
			if h.Packets > c.Packets() {
				t.Fatalf("host with more packets than the capture")
			}
			hostPkts += h.Packets
		}
		if hostPkts > 2*c.Packets() {
			t.Fatalf("host packets %d > 2 × %d", hostPkts, c.Packets())
		}
		_ = c.Summary()
	}
}

// TestMutatedCapturesNeverPanic opens 400 randomly damaged copies of real
// captures (a few bytes changed each, deterministic), with the fuzz
// target's invariants, and each within a time limit.
func TestMutatedCapturesNeverPanic(t *testing.T) {
	seeds := []string{"../testdata/captures/nsec-bigendian.pcap", "../testdata/captures/linux-sll2-http.pcap",
		"../testdata/captures/macos-multi-iface.pcapng", "../testdata/captures/wifi-radiotap-http.pcap"}
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for i := 0; i < 400; i++ {
		b, err := os.ReadFile(seeds[i%len(seeds)])
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 1+rng.IntN(8); j++ {
			b[rng.IntN(len(b))] = byte(rng.UintN(256))
		}
		done := make(chan bool)
		go func() { defer close(done); checkInvariants(t, dir, b) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("mutation %d: Open did not return within 10 s", i)
		}
	}
}
