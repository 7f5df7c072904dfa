package ingest

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/analysis/internal/capfile"
	"github.com/pcaplab/pcaplab/analysis/internal/decode"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// The common path — decoding a frame and updating the model for a packet of
// a flow that exists — allocates nothing.
func TestNoAllocationPerPacket(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var c synth.Capture
	cl := netip.MustParseAddrPort("192.168.1.2:50000")
	sv := netip.MustParseAddrPort("[2001:db8::1]:443")
	cl6 := netip.MustParseAddrPort("[2001:db8::2]:50000")
	k := c.NewConn(cl6, sv, 1)
	k.Handshake(t0, time.Millisecond)
	k.Data(t0.Add(2*time.Millisecond), false, 1200) // IPv6 TCP data
	c.Link = synth.VLAN
	c.UDP(t0.Add(3*time.Millisecond), cl, netip.MustParseAddrPort("142.250.185.100:443"), make([]byte, 1200)) // QUIC-like
	c.TCP(t0.Add(4*time.Millisecond), cl, netip.MustParseAddrPort("93.184.216.34:443"), synth.ACK|synth.PSH, 5, 5, make([]byte, 100))

	b := newBuilder(Config{Timeouts: flow.DefaultTimeouts, BinWidth: time.Second, MaxFlows: 1000, SpillAfter: -1})
	dec := decode.New()
	var p decode.Packet
	feed := func(i int) {
		pk := c.Packets[i]
		rec := capfile.Record{Time: pk.Time.UnixNano(), CapLen: len(pk.Data), WireLen: len(pk.Data), LinkType: layers.LinkTypeEthernet}
		dec.Decode(pk.Data, rec.LinkType, &p)
		b.packet(&rec, &p)
	}
	for i := range c.Packets {
		feed(i) // creates the flows, hosts, bins
	}
	for _, i := range []int{len(c.Packets) - 3, len(c.Packets) - 2, len(c.Packets) - 1} {
		if n := testing.AllocsPerRun(1000, func() { feed(i) }); n != 0 {
			t.Errorf("packet %d: %.1f allocations per packet, want 0", i, n)
		}
	}
	if b.model.Packets != uint64(len(c.Packets))+3*1001 {
		t.Errorf("packets = %d", b.model.Packets)
	}
}
