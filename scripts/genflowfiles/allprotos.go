package main

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// allProtocols is a capture of one IPv4 packet for every protocol number
// 0–255, from 10.0.0.1 to 10.0.1.N (N the protocol), one second apart from
// 2025-01-01T00:00:00Z, 16 bytes of payload each (a valid header for TCP and
// UDP): what nfdump and ra print for each number is read back by the tests,
// so every name they can print is known.
func allProtocols() []byte {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(65535, layers.LinkTypeEthernet)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for p := 0; p < 256; p++ {
		payload := make([]byte, 20)
		switch p {
		case 6: // TCP SYN, data offset 5
			binary.BigEndian.PutUint16(payload[0:], 40000)
			binary.BigEndian.PutUint16(payload[2:], 80)
			payload[12], payload[13] = 0x50, 0x02
		case 17: // UDP, length 20
			binary.BigEndian.PutUint16(payload[0:], 40000)
			binary.BigEndian.PutUint16(payload[2:], 53)
			binary.BigEndian.PutUint16(payload[4:], 20)
		}
		ip := make([]byte, 20, 20+len(payload))
		ip[0], ip[8], ip[9] = 0x45, 64, byte(p)
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(payload)))
		copy(ip[12:], []byte{10, 0, 0, 1})
		copy(ip[16:], []byte{10, 0, 1, byte(p)})
		binary.BigEndian.PutUint16(ip[10:], checksum(ip))
		frame := append([]byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00}, append(ip, payload...)...)
		w.WritePacket(gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(p) * time.Second), CaptureLength: len(frame), Length: len(frame)}, frame)
	}
	return buf.Bytes()
}

func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
