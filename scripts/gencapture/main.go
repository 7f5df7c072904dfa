// Command gencapture writes a capture of steady synthetic traffic (see
// synth.Steady) for benchmarks: DNS lookups followed by short TLS-like TCP
// connections between 250 clients and many servers (each lookup and its
// connection are two flows, about 26 packets).
//
//	go run ./scripts/gencapture -packets 1500000 -o /tmp/steady.pcap
//	go run ./scripts/gencapture -flows 100000 -o /tmp/steady.pcap
//	go run ./scripts/gencapture -packets 15000000 -o - | pcaplab summary -
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/pcaplab/pcaplab/internal/synth"
)

func main() {
	n := flag.Int("packets", 1500000, "number of packets (about)")
	flows := flag.Int("flows", 0, "number of flows (about; instead of -packets)")
	rate := flag.Float64("rate", 5000, "packets per second of capture time")
	out := flag.String("o", "", "output file, or - for standard output")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gencapture: -o is required")
		os.Exit(2)
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gencapture:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	pw := pcapgo.NewWriter(bw)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		fmt.Fprintln(os.Stderr, "gencapture:", err)
		os.Exit(1)
	}
	gen := synth.NewSteady(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), *rate)
	var c synth.Capture
	if *flows > 0 {
		*n = *flows * 13 // a lookup and its connection: two flows, 26 packets on average
	}
	for written := 0; written < *n; {
		gen.Next(&c, min(10000, *n-written))
		if err := c.WriteTo(pw); err != nil {
			fmt.Fprintln(os.Stderr, "gencapture:", err)
			os.Exit(1)
		}
		written += c.Len()
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gencapture:", err)
		os.Exit(1)
	}
}
