package ingest

import (
	"encoding/binary"
	"net/netip"

	"github.com/pcaplab/pcaplab/analysis/internal/decode"
)

// DHCPTransaction is one DHCP transaction: the messages of one client
// (hardware address) with one transaction id, counted by type. A client
// retransmits a Discover or Request with the same id until it is answered,
// so a transaction is one attempt however many messages it took.
type DHCPTransaction struct {
	Client [6]byte // client hardware address (chaddr)
	XID    uint32
	// Messages by type, and the time of the first of each (ns, 0: none).
	// Requests counts Requests and Informs alike (both ask for an ACK);
	// Informs says how many of them were Informs.
	Discovers, Offers, Requests, Acks, Naks uint16
	Informs                                 uint16
	FirstDiscover, FirstOffer               int64
	FirstRequest, FirstAck                  int64
	Server                                  netip.Addr // sender of the first Offer, ACK or NAK
}

type dhcpKey struct {
	client [6]byte
	xid    uint32
}

// DHCP message types (option 53).
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpRequest  = 3
	dhcpAck      = 5
	dhcpNak      = 6
	dhcpInform   = 8
)

// dhcp counts a DHCP message in its transaction. Malformed messages are
// ignored (they still count as UDP).
func (v *evidence) dhcp(p *decode.Packet, ts int64) {
	b := p.Payload
	if len(b) < 240 || binary.BigEndian.Uint32(b[236:240]) != 0x63825363 {
		return
	}
	typ := dhcpType(b[240:])
	if typ == 0 {
		return
	}
	k := dhcpKey{xid: binary.BigEndian.Uint32(b[4:8])}
	copy(k.client[:], b[28:34])
	i, ok := v.dhcpOpen[k]
	if !ok {
		if len(v.m.DHCP) >= limits.dhcp {
			v.m.Dropped.DHCP++
			return
		}
		v.m.DHCP = append(v.m.DHCP, DHCPTransaction{Client: k.client, XID: k.xid})
		i = len(v.m.DHCP) - 1
		v.dhcpOpen[k] = i
	}
	t := &v.m.DHCP[i]
	switch typ {
	case dhcpDiscover:
		t.Discovers++
		t.FirstDiscover = firstTime(t.FirstDiscover, ts)
	case dhcpOffer:
		t.Offers++
		t.FirstOffer = firstTime(t.FirstOffer, ts)
	case dhcpRequest, dhcpInform:
		t.Requests++
		if typ == dhcpInform {
			t.Informs++
		}
		t.FirstRequest = firstTime(t.FirstRequest, ts)
	case dhcpAck:
		t.Acks++
		t.FirstAck = firstTime(t.FirstAck, ts)
	case dhcpNak:
		t.Naks++
	}
	if (typ == dhcpOffer || typ == dhcpAck || typ == dhcpNak) && !t.Server.IsValid() {
		t.Server = p.Src
	}
}

func firstTime(cur, ts int64) int64 {
	if cur == 0 || ts < cur {
		return ts
	}
	return cur
}

// dhcpType reads option 53 (message type) from the options.
func dhcpType(opts []byte) byte {
	for i := 0; i < len(opts); {
		switch code := opts[i]; code {
		case 0:
			i++
			continue
		case 255:
			return 0
		}
		if i+1 >= len(opts) {
			return 0
		}
		l := int(opts[i+1])
		if opts[i] == 53 && l == 1 && i+2 < len(opts) {
			return opts[i+2]
		}
		i += 2 + l
	}
	return 0
}
