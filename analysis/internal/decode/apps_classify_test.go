package decode

import (
	"encoding/binary"
	"testing"

	"github.com/pcaplab/pcaplab/flow"
)

// gnutellaUDP is a Gnutella 0.6 message of the given type, TTL and hops
// with n payload bytes, its length field set to n (set wrong by bad).
func gnutellaUDP(typ, ttl, hops byte, n int, bad bool) []byte {
	b := make([]byte, 23+n)
	copy(b, "\x24\xd5\x31\x02\x68\xfc\x19\x81\xff\xbc\xc6\xe0\x1f\xdb\xbe\x03")
	b[16], b[17], b[18] = typ, ttl, hops
	l := uint32(n)
	if bad {
		l++
	}
	binary.LittleEndian.PutUint32(b[19:23], l)
	return b
}

func TestClassifyApplications(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tcp     bool
		sp, dp  uint16
		payload []byte
		app     string
		msg     flow.Msg
	}{
		{"Gnutella handshake", true, 50000, 6346, []byte("GNUTELLA CONNECT/0.6\r\nUser-Agent: x\r\n\r\n"), AppGnutella, flow.MsgUnknown},
		{"Gnutella handshake reply", true, 6346, 50000, []byte("GNUTELLA/0.6 200 OK\r\n\r\n"), AppGnutella, flow.MsgUnknown},
		{"G2 over UDP", false, 28681, 6346, []byte("GND\x02\x00\x01\x01\x01payload"), AppGnutella, flow.MsgUnknown},
		{"Gnutella ping over UDP", false, 28681, 37580, gnutellaUDP(0x00, 1, 0, 24, false), AppGnutella, flow.MsgUnknown},
		{"length field off by one", false, 28681, 37580, gnutellaUDP(0x00, 1, 0, 24, true), "", flow.MsgUnknown},
		{"TTL and hops above 7", false, 28681, 37580, gnutellaUDP(0x80, 5, 3, 10, false), "", flow.MsgUnknown},
		{"SSDP search", false, 50000, 1900, []byte("M-SEARCH * HTTP/1.1\r\n"), AppSSDP, flow.MsgRequest},
		{"NTP client", false, 123, 123, append([]byte{0x23}, make([]byte, 47)...), AppNTP, flow.MsgRequest},
		{"port only: STUN port, no STUN header", false, 50000, 3478, []byte("hello"), "", flow.MsgRequest},
	} {
		p := Packet{SrcPort: tc.sp, DstPort: tc.dp, Payload: tc.payload}
		classify(&p, tc.tcp)
		if p.App != tc.app || p.Msg != tc.msg {
			t.Errorf("%s: app %q, msg %v; want %q, %v", tc.name, p.App, p.Msg, tc.app, tc.msg)
		}
	}
}
