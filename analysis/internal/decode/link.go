package decode

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// NonIP identifies the protocol of a frame without an IP header: its
// EtherType, or for 802.3 frames its LLC service access point and, with
// SNAP, the organisation code and protocol id. It is a comparable value, so
// counting frames by it allocates nothing.
type NonIP struct {
	EtherType uint16
	LLC       bool
	DSAP      uint8
	SNAP      bool
	OUI       uint32
	PID       uint16
}

var etherTypeNames = map[uint16]string{0x0806: "ARP", 0x8035: "RARP", 0x88cc: "LLDP", 0x888e: "EAPOL (802.1X)",
	0x8809: "LACP/slow protocols", 0x8863: "PPPoE discovery", 0x8864: "PPPoE session", 0x8847: "MPLS", 0x8848: "MPLS",
	0x8137: "IPX", 0x809b: "AppleTalk", 0x0842: "Wake-on-LAN", 0x88f7: "PTP", 0x8892: "PROFINET", 0x88e1: "HomePlug AV",
	0x893a: "IEEE 1905.1", 0x9000: "Ethernet loopback (CTP)", 0x88e5: "MACsec", 0x8902: "Ethernet OAM (CFM)",
	0x22f0: "AVTP", 0x88ba: "IEC 61850 SV", 0x88b8: "GOOSE", 0x8100: "802.1Q (truncated)", 0x88a8: "802.1ad (truncated)",
	0x0800: "IPv4 (malformed)", 0x86dd: "IPv6 (malformed)"}

var ciscoSNAP = map[uint16]string{0x2000: "CDP", 0x2003: "VTP", 0x2004: "DTP", 0x010b: "PVST+", 0x0111: "UDLD"}

var llcNames = map[uint8]string{0x42: "STP", 0xf0: "NetBIOS (LLC)", 0xe0: "IPX (LLC)", 0xfe: "OSI (IS-IS …)", 0x06: "IP (LLC)"}

// Name is the protocol's usual name: ARP, LLDP, STP, CDP … or the number
// that identifies it ("EtherType 0x88b5", "LLC DSAP 0x7f").
func (n NonIP) Name() string {
	switch {
	case n.SNAP && n.OUI == 0x00000c && ciscoSNAP[n.PID] != "":
		return ciscoSNAP[n.PID]
	case n.SNAP && n.OUI == 0:
		if s, ok := etherTypeNames[n.PID]; ok {
			return s
		}
		return fmt.Sprintf("EtherType 0x%04x (SNAP)", n.PID)
	case n.SNAP:
		return fmt.Sprintf("SNAP %06x/%04x", n.OUI, n.PID)
	case n.LLC:
		if s, ok := llcNames[n.DSAP]; ok {
			return s
		}
		return fmt.Sprintf("LLC DSAP 0x%02x", n.DSAP)
	}
	if s, ok := etherTypeNames[n.EtherType]; ok {
		return s
	}
	return fmt.Sprintf("EtherType 0x%04x", n.EtherType)
}

// fillLink takes the link-layer facts: the sender's hardware address,
// 802.1Q tags, and what an 802.3 frame's LLC/SNAP header says.
func (d *Decoder) fillLink(p *Packet) {
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			p.HasMAC = copy(p.SrcMAC[:], d.eth.SrcMAC) == 6
		case layers.LayerTypeLinuxSLL:
			p.HasMAC = d.sll.AddrLen == 6 && copy(p.SrcMAC[:], d.sll.Addr) == 6
		case layers.LayerTypeLinuxSLL2:
			p.HasMAC = d.sll2.AddrLength == 6 && copy(p.SrcMAC[:], d.sll2.Addr) == 6
		case layers.LayerTypeDot11:
			p.HasMAC = copy(p.SrcMAC[:], d.dot11Source()) == 6
		case layers.LayerTypeDot1Q:
			if p.VLANTags == 0 {
				p.VLANID = d.dot1q.outer
			}
			p.VLANTags = min(p.VLANTags+1, 255) // a count that cannot wrap
		case layers.LayerTypeLLC:
			p.NonIP.LLC, p.NonIP.DSAP = true, d.llc.DSAP
		case layers.LayerTypeSNAP:
			p.NonIP.SNAP, p.NonIP.PID = true, uint16(d.snap.Type)
			if len(d.snap.OrganizationalCode) == 3 {
				p.NonIP.OUI = uint32(binary.BigEndian.Uint16(d.snap.OrganizationalCode[1:])) | uint32(d.snap.OrganizationalCode[0])<<16
			}
		}
	}
}

// vlanTag decodes 802.1Q tags as gopacket's Dot1Q does, and remembers
// the first (outer) tag's VLAN ID: the layer is reused for every tag of a
// frame, so after decoding it holds the inner one.
type vlanTag struct {
	layers.Dot1Q
	tags  int
	outer uint16
}

// DecodeFromBytes decodes one tag.
func (v *vlanTag) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	err := v.Dot1Q.DecodeFromBytes(data, df)
	if err == nil {
		if v.tags == 0 {
			v.outer = v.VLANIdentifier
		}
		v.tags++
	}
	return err
}

// dot11Source is the sending station of an 802.11 frame: the transmitter
// (address 2) unless the frame comes from the distribution system, where
// the source is address 3 (or 4 between access points).
func (d *Decoder) dot11Source() []byte {
	f := d.dot11.Flags
	switch {
	case f.FromDS() && f.ToDS():
		return d.dot11.Address4
	case f.FromDS():
		return d.dot11.Address3
	}
	return d.dot11.Address2
}
