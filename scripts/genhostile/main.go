// Command genhostile writes the hostile-input corpus: one file per way a
// capture or a flow file can make a naive reader take unbounded memory or
// time (issue 16), each small on disk, each with its exact outcome and a
// memory ceiling in analysis/hostile_test.go, which runs this generator
// into a temporary directory and pcaplab on every file under a limit.
//
//	go run ./scripts/genhostile DIR
//
// The counts scale with -scale (1 by default: the sizes the test uses).
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

var (
	t0    = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	scale = flag.Float64("scale", 1, "multiply every count by this")
)

func n(base int) int { return int(float64(base) * *scale) }

// Counts of the cases, at scale 1; hostile_test.go derives the exact
// outcomes from the same numbers.
const (
	HugeRecord     = 512 << 20 // bytes of the one huge record
	NameRecords    = 200       // name resolution blocks of 1 MiB
	Comments       = 3000      // comment options of 65 532 bytes on one packet
	DNSUnanswered  = 1_000_000 // queries from 31 ports, never answered
	DNSAnswered    = 600_000   // query/response pairs in one flow
	ICMPErrors     = 1_000_000 // port unreachables quoting random datagrams
	Fragments      = 1_000_000 // first fragments at one instant, never completed
	RandomTuples   = 600_000   // datagrams between random endpoints
	LongSpan       = 1_100_000 // packets one second apart
	LongFlows      = 200       // flow-file flows of 200 000 s each
	LongFlowSecond = 200_000
)

func main() {
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: genhostile [-scale F] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	cases := []struct {
		name string
		gz   bool
		fn   func(w *bufio.Writer)
	}{
		{"huge-record.pcap.gz", true, hugeRecord},
		{"name-records.pcapng.gz", true, nameRecords},
		{"packet-comments.pcapng.gz", true, packetComments},
		{"dns-unanswered.pcap", false, dnsUnanswered},
		{"dns-answered.pcap", false, dnsAnswered},
		{"icmp-errors.pcap", false, icmpErrors},
		{"fragments.pcap", false, fragments},
		{"random-tuples.pcap", false, randomTuples},
		{"long-span.pcap", false, longSpan},
		{"long-flows.csv", false, longFlows},
	}
	for _, c := range cases {
		if err := write(filepath.Join(dir, c.name), c.gz, c.fn); err != nil {
			fail(err)
		}
	}
	fmt.Printf("wrote %d files to %s\n", len(cases), dir)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genhostile:", err)
	os.Exit(1)
}

func write(path string, gz bool, fn func(w *bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var out io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed) // repetitive content: small even so
		out = zw
	}
	w := bufio.NewWriterSize(out, 1<<20)
	fn(w)
	if err := w.Flush(); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// pcap writes a pcap header (microseconds, Ethernet).
func pcap(w *bufio.Writer, snaplen uint32) {
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h, 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], snaplen)
	binary.LittleEndian.PutUint32(h[20:], 1)
	w.Write(h)
}

// record writes a pcap record header for a frame of n bytes.
func record(w *bufio.Writer, ts int64, n int) {
	var h [16]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(ts/1e9))
	binary.LittleEndian.PutUint32(h[4:], uint32(ts%1e9/1e3))
	binary.LittleEndian.PutUint32(h[8:], uint32(n))
	binary.LittleEndian.PutUint32(h[12:], uint32(n))
	w.Write(h[:])
}

// ipv4 is an Ethernet frame with an IPv4 header (protocol proto, flags
// and offset ff, id) before payload.
func ipv4(src, dst [4]byte, proto byte, id, ff uint16, payload []byte) []byte {
	f := make([]byte, 0, 34+len(payload))
	f = append(f, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00)
	f = append(f, 0x45, 0)
	f = binary.BigEndian.AppendUint16(f, uint16(20+len(payload)))
	f = binary.BigEndian.AppendUint16(f, id)
	f = binary.BigEndian.AppendUint16(f, ff)
	f = append(f, 64, proto, 0, 0)
	f = append(f, src[:]...)
	f = append(f, dst[:]...)
	return append(f, payload...)
}

func udp(sp, dp uint16, payload []byte) []byte {
	u := binary.BigEndian.AppendUint16(nil, sp)
	u = binary.BigEndian.AppendUint16(u, dp)
	u = binary.BigEndian.AppendUint16(u, uint16(8+len(payload)))
	return append(append(u, 0, 0), payload...)
}

func dns(id uint16, response bool) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	flags := uint16(0x0100)
	if response {
		flags = 0x8180
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = append(b, 0, 1, 0, 0, 0, 0, 0, 0)
	if response {
		b[7] = 1
	}
	return append(b, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1)
}

var client, server = [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 53}

func frame(w *bufio.Writer, ts int64, f []byte) {
	record(w, ts, len(f))
	w.Write(f)
}

// hugeRecord: a gzip-compressed pcap whose snap length allows anything,
// with one record of HugeRecord bytes between two ordinary ones.
func hugeRecord(w *bufio.Writer) {
	pcap(w, 0xffffffff)
	small := ipv4(client, server, 17, 1, 0, udp(1000, 9, make([]byte, 22)))
	frame(w, t0, small)
	record(w, t0+1e9, HugeRecord)
	zero := make([]byte, 1<<20)
	for i := 0; i < HugeRecord; i += len(zero) {
		w.Write(zero)
	}
	frame(w, t0+2e9, small)
}

// pcapng blocks (little endian).
func block(w *bufio.Writer, typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	h := binary.LittleEndian.AppendUint32(nil, typ)
	h = binary.LittleEndian.AppendUint32(h, uint32(12+len(body)))
	w.Write(h)
	w.Write(body)
	w.Write(h[4:8])
}

func ngStart(w *bufio.Writer) {
	shb := binary.LittleEndian.AppendUint32(nil, 0x1a2b3c4d)
	shb = append(shb, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	block(w, 0x0a0d0d0a, shb)
	block(w, 1, []byte{1, 0, 0, 0, 0, 0, 0, 0})
}

func epb(ts int64, data []byte, opts []byte) []byte {
	us := uint64(ts / 1e3)
	b := binary.LittleEndian.AppendUint32(nil, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(us>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(us))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return append(b, opts...)
}

// nameRecords: a pcapng with NameRecords name resolution blocks of 1 MiB
// (IPv4 records, all naming 10.0.0.1) between two packets.
func nameRecords(w *bufio.Writer) {
	ngStart(w)
	pkt := ipv4(client, server, 17, 1, 0, udp(1000, 9, nil))
	block(w, 6, epb(t0, pkt, nil))
	var nrb []byte
	for len(nrb) < 1<<20-32 {
		name := "host.example\x00"
		nrb = binary.LittleEndian.AppendUint16(nrb, 1)
		nrb = binary.LittleEndian.AppendUint16(nrb, uint16(4+len(name)))
		nrb = append(nrb, 10, 0, 0, 1)
		nrb = append(nrb, name...)
		for len(nrb)%4 != 0 {
			nrb = append(nrb, 0)
		}
	}
	nrb = append(nrb, 0, 0, 0, 0)
	for range n(NameRecords) {
		block(w, 4, nrb)
	}
	block(w, 6, epb(t0+1e9, pkt, nil))
}

// packetComments: a pcapng packet block carrying Comments comment options
// of 65 532 bytes (about 196 MB), then an ordinary packet.
func packetComments(w *bufio.Writer) {
	ngStart(w)
	pkt := ipv4(client, server, 17, 1, 0, udp(1000, 9, nil))
	opt := binary.LittleEndian.AppendUint16(nil, 1)
	opt = binary.LittleEndian.AppendUint16(opt, 65532)
	opt = append(opt, []byte(strings.Repeat("comment ", 65532/8+1))[:65532]...)
	opts := make([]byte, 0, n(Comments)*len(opt)+4)
	for range n(Comments) {
		opts = append(opts, opt...)
	}
	opts = append(opts, 0, 0, 0, 0)
	block(w, 6, epb(t0, pkt, opts))
	block(w, 6, epb(t0+1e9, pkt, nil))
}

// dnsUnanswered: DNSUnanswered queries from 31 client ports, one a
// microsecond, none answered.
func dnsUnanswered(w *bufio.Writer) {
	pcap(w, 65535)
	for i := range n(DNSUnanswered) {
		frame(w, t0+int64(i)*1e3, ipv4(client, server, 17, uint16(i), 0, udp(uint16(5000+i%31), 53, dns(uint16(i/31), false))))
	}
}

// dnsAnswered: DNSAnswered queries, each answered, all from one port: one
// flow of many transactions.
func dnsAnswered(w *bufio.Writer) {
	pcap(w, 65535)
	for i := range n(DNSAnswered) {
		ts := t0 + int64(i)*2e3
		frame(w, ts, ipv4(client, server, 17, uint16(i), 0, udp(5000, 53, dns(uint16(i), false))))
		frame(w, ts+1e3, ipv4(server, client, 17, uint16(i), 0, udp(53, 5000, dns(uint16(i), true))))
	}
}

// icmpErrors: ICMPErrors port unreachables from one router, each quoting
// a datagram between random endpoints.
func icmpErrors(w *bufio.Writer) {
	pcap(w, 65535)
	rng := rand.New(rand.NewPCG(1, 2))
	router := [4]byte{10, 0, 0, 254}
	for i := range n(ICMPErrors) {
		src, dst := [4]byte(binary.BigEndian.AppendUint32(nil, rng.Uint32())), [4]byte(binary.BigEndian.AppendUint32(nil, rng.Uint32()))
		quoted := ipv4(src, dst, 17, uint16(i), 0, udp(uint16(rng.Uint32()), uint16(rng.Uint32()), nil))[14:]
		icmp := append([]byte{3, 3, 0, 0, 0, 0, 0, 0}, quoted...)
		frame(w, t0+int64(i)*1e3, ipv4(router, client, 1, uint16(i), 0, icmp))
	}
}

// fragments: Fragments first fragments (more-fragments set, offset 0) from
// 16 sources, all at one instant, whose other fragments never come.
func fragments(w *bufio.Writer) {
	pcap(w, 65535)
	payload := udp(5000, 53, make([]byte, 32))
	for i := range n(Fragments) {
		src := [4]byte{10, 1, 0, byte(i >> 16)}
		frame(w, t0, ipv4(src, server, 17, uint16(i), 0x2000, payload))
	}
}

// randomTuples: RandomTuples datagrams between random IPv4 endpoints and
// ports: as many flows, twice as many hosts.
func randomTuples(w *bufio.Writer) {
	pcap(w, 65535)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range n(RandomTuples) {
		src, dst := [4]byte(binary.BigEndian.AppendUint32(nil, rng.Uint32())), [4]byte(binary.BigEndian.AppendUint32(nil, rng.Uint32()))
		frame(w, t0+int64(i)*1e3, ipv4(src, dst, 17, uint16(i), 0, udp(uint16(rng.Uint32()), uint16(rng.Uint32()), nil)))
	}
}

// longSpan: LongSpan packets one second apart (more 1-second bins than
// ingest.MaxBins).
func longSpan(w *bufio.Writer) {
	pcap(w, 65535)
	f := ipv4(client, server, 17, 1, 0, udp(5000, 9, nil))
	for i := range n(LongSpan) {
		frame(w, t0+int64(i)*1e9, f)
	}
}

// longFlows: a pcaplab flow CSV of LongFlows flows of LongFlowSecond
// seconds each, one after the other.
func longFlows(w *bufio.Writer) {
	cw, err := flow.NewCSVWriter(w)
	if err != nil {
		fail(err)
	}
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.53")
	for i := range n(LongFlows) {
		start := t0 + int64(i)*LongFlowSecond*1e9
		cw.Write(&flow.Record{Flow: flow.Flow{Proto: flow.UDP, Orig: a, Resp: b, OrigPort: uint16(1000 + i), RespPort: 53,
			First: start, Last: start + LongFlowSecond*1e9, OrigPackets: 1000, RespPackets: 1000, OrigBytes: 100000, RespBytes: 100000,
			State: flow.SF, RTT: -1}})
	}
	if err := cw.Flush(); err != nil {
		fail(err)
	}
}
