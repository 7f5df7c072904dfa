package decode

import (
	"encoding/binary"
	"net/netip"

	"github.com/gopacket/gopacket/layers"
	"github.com/pcaplab/pcaplab/flow"
)

// maxFastTags is the most 802.1Q tags the fast path follows; more go to
// gopacket (a real frame has one or two).
const maxFastTags = 4

// fast decodes the frames that make up nearly all traffic by hand:
// Ethernet (with 802.1Q tags) or raw IP, IPv4 without options or
// fragmentation, IPv6 without extension headers, and TCP, UDP, ICMP or
// ICMPv6 headers that are complete. For these it gives exactly what
// gopacket's layers give (TestFastPathAgrees checks every packet of every
// capture), in a third of the time. Anything else — another link type or
// protocol, or a header gopacket would call malformed — makes it report
// false, and the frame goes to gopacket (p is then reset).
func (d *Decoder) fast(data []byte, lt layers.LinkType, p *Packet) bool {
	var et uint16
	switch lt {
	case layers.LinkTypeEthernet:
		if len(data) < 14 {
			return false
		}
		et = binary.BigEndian.Uint16(data[12:])
		off := 14
		for et == uint16(layers.EthernetTypeDot1Q) {
			if len(data) < off+4 || p.VLANTags == maxFastTags {
				return false
			}
			if p.VLANTags == 0 {
				p.VLANID = binary.BigEndian.Uint16(data[off:]) & 0x0fff
			}
			p.VLANTags++
			et = binary.BigEndian.Uint16(data[off+2:])
			off += 4
		}
		p.SrcMAC, p.HasMAC = [6]byte(data[6:12]), true
		data = data[off:]
	case layers.LinkTypeRaw, 12, 14:
		et = uint16(layers.EthernetTypeIPv4)
		if len(data) > 0 && data[0]>>4 == 6 {
			et = uint16(layers.EthernetTypeIPv6)
		}
	case layers.LinkTypeIPv4:
		et = uint16(layers.EthernetTypeIPv4)
	case layers.LinkTypeIPv6:
		et = uint16(layers.EthernetTypeIPv6)
	default:
		return false
	}
	switch layers.EthernetType(et) {
	case layers.EthernetTypeIPv4:
		return fastIPv4(data, p)
	case layers.EthernetTypeIPv6:
		return fastIPv6(data, p)
	}
	return false
}

// fastIPv4 takes an IPv4 header of 20 bytes (IHL 5) whose total length is
// at least 20 (0, TSO's "unknown", goes to gopacket), not a fragment,
// carrying TCP, UDP or ICMP. As gopacket does, it ends the payload at the
// total length, or at the end of what was captured.
func fastIPv4(b []byte, p *Packet) bool {
	if len(b) < 20 || b[0]&0x0f != 5 {
		return false
	}
	length := int(binary.BigEndian.Uint16(b[2:]))
	if length < 20 || binary.BigEndian.Uint16(b[6:])&0x3fff != 0 { // MF flag or offset: a fragment
		return false
	}
	switch flow.Proto(b[9]) {
	case flow.TCP, flow.UDP, flow.ICMP:
	default:
		return false
	}
	p.Net = NetIPv4
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.Proto = flow.Proto(b[9])
	p.IPLen = length
	return fastTransport(b[20:min(length, len(b))], p)
}

// fastIPv6 takes an IPv6 header with a payload length (0, a jumbogram,
// goes to gopacket) followed directly by TCP, UDP or ICMPv6.
func fastIPv6(b []byte, p *Packet) bool {
	if len(b) < 40 {
		return false
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	switch flow.Proto(b[6]) {
	case flow.TCP, flow.UDP, flow.ICMPv6:
	default:
		return false
	}
	if plen == 0 {
		return false
	}
	p.Net = NetIPv6
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	p.Proto = flow.Proto(b[6])
	p.IPLen = 40 + plen
	return fastTransport(b[40:40+min(plen, len(b)-40)], p)
}

// fastTransport takes a complete TCP, UDP, ICMP or ICMPv6 header.
func fastTransport(b []byte, p *Packet) bool {
	switch p.Proto {
	case flow.TCP:
		if len(b) < 20 {
			return false
		}
		off := int(b[12]>>4) * 4
		if off < 20 || off > len(b) {
			return false
		}
		p.HasPorts = true
		p.SrcPort, p.DstPort = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		p.Seq, p.Ack = binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])
		p.TCPFlags = flow.Flags(b[13]) & (flow.FIN | flow.SYN | flow.RST | flow.PSH | flow.ACK)
		p.Payload = b[off:]
		if len(p.Payload) > 0 {
			classify(p, true)
		}
	case flow.UDP:
		if len(b) < 8 {
			return false
		}
		switch l := int(binary.BigEndian.Uint16(b[4:])); {
		case l >= 8:
			p.Payload = b[8:min(l, len(b))]
		case l == 0: // jumbogram: the rest
			p.Payload = b[8:]
		default:
			return false
		}
		p.HasPorts = true
		p.SrcPort, p.DstPort = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		if len(p.Payload) > 0 {
			classify(p, false)
		}
	case flow.ICMP:
		if len(b) < 8 || p.Net != NetIPv4 {
			return false
		}
		icmpv4(p, b[0], b[1], binary.BigEndian.Uint16(b[4:]), b[8:])
	case flow.ICMPv6:
		if len(b) < 4 || p.Net != NetIPv6 {
			return false
		}
		icmpv6(p, b[0], b[1], b[4:])
	}
	p.PayloadLen = len(p.Payload)
	return true
}
