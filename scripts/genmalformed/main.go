// Command genmalformed writes the malformed-capture corpus of
// testdata/malformed/: one small file per kind of damage, each with its
// exact expected outcome in analysis/malformed_test.go.
//
//	go run ./scripts/genmalformed testdata/malformed
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func pcapBytes(c *synth.Capture) []byte {
	var b bytes.Buffer
	if err := c.WritePcap(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// three is a capture of three good UDP packets.
func three() *synth.Capture {
	var c synth.Capture
	a, b := netip.MustParseAddrPort("192.168.1.2:5000"), netip.MustParseAddrPort("192.168.1.1:53")
	for i := 0; i < 3; i++ {
		c.UDP(t0.Add(time.Duration(i)*time.Second), a, b, synth.DNS(uint16(i), "x.example", 1, false, 0, 0))
	}
	return &c
}

// header is a pcap file header with the given snap length and link type.
func header(snaplen, link uint32) []byte {
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], snaplen)
	binary.LittleEndian.PutUint32(h[20:], link)
	return h
}

// record is a pcap record header and data.
func record(ts time.Time, data []byte, wire int) []byte {
	r := make([]byte, 16)
	binary.LittleEndian.PutUint32(r[0:], uint32(ts.Unix()))
	binary.LittleEndian.PutUint32(r[4:], uint32(ts.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(r[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(r[12:], uint32(wire))
	return append(r, data...)
}

func ethIPv4(ipHeaderAndRest []byte) []byte {
	f := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}
	return append(f, ipHeaderAndRest...)
}

// pcapng blocks, in a byte order.
func block(bo binary.AppendByteOrder, typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	b := bo.AppendUint32(nil, typ)
	b = bo.AppendUint32(b, n)
	b = append(b, body...)
	return bo.AppendUint32(b, n)
}

func shb(bo binary.AppendByteOrder) []byte {
	body := bo.AppendUint32(nil, 0x1a2b3c4d)
	body = bo.AppendUint16(body, 1)
	body = bo.AppendUint16(body, 0)
	body = bo.AppendUint64(body, 0xffffffffffffffff)
	return block(bo, 0x0a0d0d0a, body)
}

func idb(bo binary.AppendByteOrder, link uint16) []byte {
	body := bo.AppendUint16(nil, link)
	body = bo.AppendUint16(body, 0)
	body = bo.AppendUint32(body, 0)
	return block(bo, 1, body)
}

func epb(bo binary.AppendByteOrder, ts time.Time, data []byte) []byte {
	return epbRaw(bo, uint64(ts.UnixMicro()), data)
}

// epbRaw is an enhanced packet block with a raw timestamp (in the
// interface's units).
func epbRaw(bo binary.AppendByteOrder, us uint64, data []byte) []byte {
	body := bo.AppendUint32(nil, 0)
	body = bo.AppendUint32(body, uint32(us>>32))
	body = bo.AppendUint32(body, uint32(us))
	body = bo.AppendUint32(body, uint32(len(data)))
	body = bo.AppendUint32(body, uint32(len(data)))
	body = append(body, data...)
	return block(bo, 6, body)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genmalformed DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	good := pcapBytes(three())
	frame := three().Packets[0].Data
	le, be := binary.AppendByteOrder(binary.LittleEndian), binary.AppendByteOrder(binary.BigEndian)
	files := map[string][]byte{}

	files["empty.pcap"] = nil
	files["header-only.pcap"] = good[:24]
	files["wrong-magic.pcap"] = append([]byte("\x00\x01\x02\x03"), good[4:]...)
	files["truncated-last-record.pcap"] = good[:len(good)-7]
	files["snaplen-0.pcap"] = append(header(0, 1), good[24:]...)
	files["snaplen-2g.pcap"] = append(header(1<<31, 1), good[24:]...)
	// a second record that claims 4 GB
	huge := record(t0.Add(time.Second), nil, 64)
	binary.LittleEndian.PutUint32(huge[8:], 0xfffffff0)
	files["record-claims-4gb.pcap"] = append(append(header(65535, 1), record(t0, frame, len(frame))...), huge...)
	// time going backwards
	var back []byte
	back = append(back, header(65535, 1)...)
	for _, d := range []int{5, 3, 4, 1} {
		back = append(back, record(t0.Add(time.Duration(d)*time.Second), frame, len(frame))...)
	}
	files["time-backwards.pcap"] = back
	// the same packet twice
	files["duplicate-packets.pcap"] = append(append(header(65535, 1), record(t0, frame, len(frame))...), record(t0, frame, len(frame))...)
	// packets shorter than their headers
	short := append(header(65535, 1), record(t0, frame[:10], 60)...)
	files["short-ethernet.pcap"] = short
	ihl := append([]byte(nil), frame...)
	ihl[14] = 0x44 // IHL 4 (16 bytes) < 5
	files["ipv4-ihl-below-5.pcap"] = append(header(65535, 1), record(t0, ihl, len(ihl))...)
	var tc synth.Capture
	tc.TCP(t0, netip.MustParseAddrPort("192.168.1.2:5000"), netip.MustParseAddrPort("192.168.1.1:80"), synth.SYN, 1, 0, nil)
	tcp := append([]byte(nil), tc.Packets[0].Data...)
	tcp[14+20+12] = 0xf0 // data offset 15 words = 60 bytes, beyond the packet
	files["tcp-offset-beyond-packet.pcap"] = append(header(65535, 1), record(t0, tcp, len(tcp))...)
	// IPv6 whose extension headers point to each other until the data ends
	ip6 := []byte{0x60, 0, 0, 0, 0, 32, 0, 64} // next header 0 (hop-by-hop)
	ip6 = append(ip6, netip.MustParseAddr("2001:db8::1").AsSlice()...)
	ip6 = append(ip6, netip.MustParseAddr("2001:db8::2").AsSlice()...)
	for i := 0; i < 4; i++ {
		ip6 = append(ip6, 60, 0, 1, 4, 0, 0, 0, 0) // destination options → destination options …
	}
	e6 := append([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd}, ip6...)
	files["ipv6-extension-loop.pcap"] = append(header(65535, 1), record(t0, e6, len(e6))...)
	// a link type pcaplab does not decode
	files["unknown-link-type.pcap"] = append(header(65535, 147), record(t0, frame, len(frame))...)
	// 802.11 with radiotap, beacon frames only (no data frames)
	beacon := []byte{0, 0, 8, 0, 0, 0, 0, 0, // radiotap header, no fields
		0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 9, 0x10, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0x64, 0, 0x11, 0, 0, 4, 't', 'e', 's', 't'}
	files["wifi-beacons-only.pcap"] = append(append(header(65535, 127), record(t0, beacon, len(beacon))...), record(t0.Add(time.Second), beacon, len(beacon))...)
	// pcapng with an unknown block type between packets
	var ng []byte
	ng = append(ng, shb(le)...)
	ng = append(ng, idb(le, 1)...)
	ng = append(ng, epb(le, t0, frame)...)
	ng = append(ng, block(le, 0x0badbeef, []byte("some vendor's block"))...)
	ng = append(ng, epb(le, t0.Add(time.Second), frame)...)
	files["pcapng-unknown-block.pcapng"] = ng
	// pcapng with a second section in the other byte order
	ng = nil
	ng = append(ng, shb(le)...)
	ng = append(ng, idb(le, 1)...)
	ng = append(ng, epb(le, t0, frame)...)
	ng = append(ng, shb(be)...)
	ng = append(ng, idb(be, 1)...)
	ng = append(ng, epb(be, t0.Add(time.Second), frame)...)
	files["pcapng-two-byte-orders.pcapng"] = ng
	timeAndLength(files, frame)
	// a gzip stream cut in the middle
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.NoCompression)
	zw.Write(good)
	zw.Close()
	files["gzip-cut.pcap.gz"] = gz.Bytes()[:gz.Len()*2/3]

	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			panic(err)
		}
	}
	fmt.Printf("wrote %d files to %s\n", len(files), dir)
}

// timeAndLength adds the cases of impossible times and lengths: pcapng
// timestamps past 2262, a damaged pcapng block length, a record ten years
// from its neighbours, a flow file whose times wrap.
func timeAndLength(files map[string][]byte, frame []byte) {
	// pcapng timestamps past what int64 nanoseconds hold (2262): one of
	// two packets, in nanosecond units
	le := binary.AppendByteOrder(binary.LittleEndian)
	var ng []byte
	ng = append(ng, shb(le)...)
	ns := idb(le, 1)
	ns = append(ns[:len(ns)-4], 9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0) // options: if_tsresol 9, end
	binary.LittleEndian.PutUint32(ns[4:], uint32(len(ns)+4))
	ns = binary.LittleEndian.AppendUint32(ns, uint32(len(ns)+4))
	ng = append(ng, ns...)
	ng = append(ng, epbRaw(le, uint64(t0.UnixNano()), frame)...)
	ng = append(ng, epbRaw(le, 1<<64-1, frame)...)
	files["pcapng-time-past-2262.pcapng"] = ng
	// pcapng whose second block length is damaged (claims 1 GiB)
	ng = nil
	ng = append(ng, shb(le)...)
	ng = append(ng, idb(le, 1)...)
	first := len(ng)
	for i := 0; i < 3; i++ {
		ng = append(ng, epb(le, t0.Add(time.Duration(i)*time.Second), frame)...)
	}
	second := first + len(epb(le, t0, frame))
	binary.LittleEndian.PutUint32(ng[second+4:], 1<<30)
	files["pcapng-block-length-damaged.pcapng"] = ng
	// one record ten years after the others, in the middle
	var jump []byte
	jump = append(jump, header(65535, 1)...)
	for _, d := range []time.Duration{0, time.Second, 10 * 365 * 24 * time.Hour, 2 * time.Second, 3 * time.Second} {
		jump = append(jump, record(t0.Add(d), frame, len(frame))...)
	}
	files["time-jump.pcap"] = jump
	// a flow CSV whose times wrap int64 or run backwards, beside one good flow
	var csv bytes.Buffer
	cw, err := flow.NewCSVWriter(&csv)
	if err != nil {
		panic(err)
	}
	a4, b4 := netip.MustParseAddr("192.168.1.2"), netip.MustParseAddr("192.168.1.1")
	for i, span := range [][2]int64{{t0.UnixNano(), t0.UnixNano() + 1e6}, {-9e18, 9e18}, {t0.UnixNano() + 5e9, t0.UnixNano()}} {
		cw.Write(&flow.Record{Flow: flow.Flow{Proto: flow.UDP, Orig: a4, Resp: b4, OrigPort: uint16(5000 + i), RespPort: 53,
			First: span[0], Last: span[1], OrigPackets: 1, RespPackets: 1, OrigBytes: 80, RespBytes: 120, State: flow.SF, RTT: -1}})
	}
	if err := cw.Flush(); err != nil {
		panic(err)
	}
	files["flows-times-wrap.csv"] = csv.Bytes()
}
