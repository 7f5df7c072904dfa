package synth

import (
	"encoding/binary"
	"net"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// DHCP message types (option 53).
const (
	DHCPDiscover = 1
	DHCPOffer    = 2
	DHCPRequest  = 3
	DHCPAck      = 5
	DHCPNak      = 6
	DHCPInform   = 8
)

// DHCP returns a DHCP message of the given type for a client hardware
// address and transaction id: a BOOTREQUEST for Discover, Request and Inform, a
// BOOTREPLY otherwise.
func DHCP(typ byte, xid uint32, client net.HardwareAddr) []byte {
	b := make([]byte, 240)
	b[0] = 1
	if typ != DHCPDiscover && typ != DHCPRequest && typ != DHCPInform {
		b[0] = 2
	}
	b[1], b[2] = 1, 6 // Ethernet, 6-byte addresses
	binary.BigEndian.PutUint32(b[4:8], xid)
	copy(b[28:34], client)
	binary.BigEndian.PutUint32(b[236:240], 0x63825363)
	return append(b, 53, 1, typ, 255)
}

// SSDPReply is an SSDP answer to an M-SEARCH.
func SSDPReply() []byte {
	return []byte("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n")
}

// DTLSRecord is a DTLS handshake record (ClientHello when hello is 1) with
// the given version bytes (0xfefd for DTLS 1.2, 0x0100 for the
// pre-standard version Cisco AnyConnect uses).
func DTLSRecord(version uint16, hello byte) []byte {
	b := []byte{22}
	b = binary.BigEndian.AppendUint16(b, version)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 1) // epoch 0, sequence 1
	b = binary.BigEndian.AppendUint16(b, 12)
	return append(b, hello, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

// UDPWithTTL adds a UDP datagram with the given IPv4 TTL (a traceroute
// probe) and returns the frame length.
func (c *Capture) UDPWithTTL(t time.Time, src, dst netip.AddrPort, ttl uint8, payload []byte) int {
	ip := &layers.IPv4{Version: 4, TTL: ttl, Protocol: layers.IPProtocolUDP, SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	udp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload)); err != nil {
		panic(err)
	}
	return c.add(t, true, buf.Bytes())
}

// RouterAdvertisement adds an ICMPv6 router advertisement from a router's
// link-local address to all nodes (ff02::1).
func (c *Capture) RouterAdvertisement(t time.Time, router netip.Addr) int {
	body := []byte{64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0} // hop limit, flags, lifetime 1800 s, timers
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(134, 0)}
	return c.IP(t, router, netip.MustParseAddr("ff02::1"), icmp, gopacket.Payload(body))
}
