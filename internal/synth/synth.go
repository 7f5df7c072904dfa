// Package synth builds synthetic captures whose every number is known, for
// tests and for the bundled sample. Packets are serialised with gopacket and
// written with pcapgo, in any of the link types pcaplab reads.
package synth

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Link says how packets are framed.
type Link int

// Framings.
const (
	Ethernet Link = iota
	VLAN          // Ethernet with one 802.1Q tag (VLAN 100)
	QinQ          // Ethernet with two 802.1Q tags
	SLL2          // Linux cooked v2
	RawIP         // DLT_RAW
	Null          // BSD loopback
)

// LinkType is the pcap link type of a framing.
func (l Link) LinkType() layers.LinkType {
	switch l {
	case SLL2:
		return layers.LinkTypeLinuxSLL2
	case RawIP:
		return layers.LinkTypeRaw
	case Null:
		return layers.LinkTypeNull
	}
	return layers.LinkTypeEthernet
}

// Packet is one framed packet.
type Packet struct {
	Time  time.Time
	Link  Link
	Data  []byte
	Iface int // pcapng interface (index into the Capture's links)
}

// Capture is a list of packets under construction.
type Capture struct {
	Link    Link // framing of packets added from now on
	Iface   int
	Packets []Packet
	// MACs gives the hardware address an IP address sends from (Ethernet
	// framings); an address not in it sends from 02:00:00:00:00:01.
	MACs map[netip.Addr]net.HardwareAddr
}

// Len is the number of packets.
func (c *Capture) Len() int { return len(c.Packets) }

// Bytes is the sum of the frames' lengths (= wire lengths).
func (c *Capture) Bytes() int {
	n := 0
	for _, p := range c.Packets {
		n += len(p.Data)
	}
	return n
}

var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
)

// IP adds an IP packet carrying the given transport layers and payload; it
// returns the frame length.
func (c *Capture) IP(t time.Time, src, dst netip.Addr, l ...gopacket.SerializableLayer) int {
	ip, err := serializeIP(src, dst, l...)
	if err != nil {
		panic(err)
	}
	return c.add(t, src.Is4(), ip)
}

func serializeIP(src, dst netip.Addr, l ...gopacket.SerializableLayer) ([]byte, error) {
	var netl gopacket.SerializableLayer
	var proto layers.IPProtocol
	switch x := l[0].(type) {
	case *layers.TCP:
		proto = layers.IPProtocolTCP
	case *layers.UDP:
		proto = layers.IPProtocolUDP
	case *layers.ICMPv4:
		proto = layers.IPProtocolICMPv4
	case *layers.ICMPv6:
		proto = layers.IPProtocolICMPv6
	default:
		return nil, fmt.Errorf("synth: unsupported transport %T", x)
	}
	if src.Is4() {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		netl = ip
		setNet(l[0], ip)
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		netl = ip
		setNet(l[0], ip)
	}
	buf := gopacket.NewSerializeBuffer()
	all := append([]gopacket.SerializableLayer{netl}, l...)
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, all...); err != nil {
		return nil, err
	}
	return append([]byte(nil), buf.Bytes()...), nil
}

func setNet(l gopacket.SerializableLayer, n gopacket.NetworkLayer) {
	switch x := l.(type) {
	case *layers.TCP:
		x.SetNetworkLayerForChecksum(n)
	case *layers.UDP:
		x.SetNetworkLayerForChecksum(n)
	case *layers.ICMPv6:
		x.SetNetworkLayerForChecksum(n)
	}
}

// Raw adds an IP packet given as bytes (for fragments and broken headers).
func (c *Capture) Raw(t time.Time, v4 bool, ip []byte) int { return c.add(t, v4, ip) }

// Frame adds a frame exactly as given, whatever the framing says.
func (c *Capture) Frame(t time.Time, data []byte) {
	c.Packets = append(c.Packets, Packet{Time: t, Link: c.Link, Data: data, Iface: c.Iface})
}

func (c *Capture) add(t time.Time, v4 bool, ip []byte) int {
	et := uint16(0x0800)
	if !v4 {
		et = 0x86dd
	}
	var f []byte
	switch c.Link {
	case Ethernet, VLAN, QinQ:
		f = append(f, macB...)
		f = append(f, c.srcMAC(v4, ip)...)
		if c.Link == QinQ {
			f = append(f, 0x88, 0xa8, 0x00, 0x0a)
		}
		if c.Link == VLAN || c.Link == QinQ {
			f = append(f, 0x81, 0x00, 0x00, 0x64)
		}
		f = binary.BigEndian.AppendUint16(f, et)
	case SLL2:
		f = binary.BigEndian.AppendUint16(f, et)
		f = append(f, 0, 0)                        // reserved
		f = binary.BigEndian.AppendUint32(f, 2)    // interface index
		f = binary.BigEndian.AppendUint16(f, 1)    // ARPHRD_ETHER
		f = append(f, 4, 6)                        // outgoing, address length
		f = append(f, append(macA[:6:6], 0, 0)...) // address, padded to 8
	case Null:
		fam := uint32(2)
		if !v4 {
			fam = 30
		}
		f = binary.LittleEndian.AppendUint32(f, fam)
	}
	f = append(f, ip...)
	c.Packets = append(c.Packets, Packet{Time: t, Link: c.Link, Data: f, Iface: c.Iface})
	return len(f)
}

// srcMAC is the hardware address the packet's source sends from.
func (c *Capture) srcMAC(v4 bool, ip []byte) net.HardwareAddr {
	var src netip.Addr
	switch {
	case v4 && len(ip) >= 20:
		src = netip.AddrFrom4([4]byte(ip[12:16]))
	case !v4 && len(ip) >= 40:
		src = netip.AddrFrom16([16]byte(ip[8:24]))
	}
	if m, ok := c.MACs[src]; ok {
		return m
	}
	return macA
}

// TCP flags for Seg.
const (
	FIN = 1 << iota
	SYN
	RST
	PSH
	ACK
)

// TCP adds one TCP segment and returns its frame length.
func (c *Capture) TCP(t time.Time, src, dst netip.AddrPort, flags int, seq, ack uint32, payload []byte) int {
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: seq, Ack: ack,
		Window: 64240, FIN: flags&FIN != 0, SYN: flags&SYN != 0, RST: flags&RST != 0, PSH: flags&PSH != 0, ACK: flags&ACK != 0}
	return c.IP(t, src.Addr(), dst.Addr(), tcp, gopacket.Payload(payload))
}

// UDP adds one UDP datagram and returns its frame length.
func (c *Capture) UDP(t time.Time, src, dst netip.AddrPort, payload []byte) int {
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	return c.IP(t, src.Addr(), dst.Addr(), udp, gopacket.Payload(payload))
}

// ICMPError adds an ICMP (or ICMPv6) error from reporter to to, quoting the
// IP packet quoted (its first 28 bytes for IPv4, 48 for IPv6).
func (c *Capture) ICMPError(t time.Time, reporter, to netip.Addr, typ, code uint8, quoted []byte) int {
	if reporter.Is4() {
		if len(quoted) > 28 {
			quoted = quoted[:28]
		}
		icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code)}
		return c.IP(t, reporter, to, icmp, gopacket.Payload(quoted))
	}
	if len(quoted) > 48 {
		quoted = quoted[:48]
	}
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, code)}
	return c.IP(t, reporter, to, icmp, gopacket.Payload(append([]byte{0, 0, 0, 0}, quoted...)))
}

// Echo adds an ICMP/ICMPv6 echo request (reply=false) or reply.
func (c *Capture) Echo(t time.Time, src, dst netip.Addr, id, seq uint16, reply bool) int {
	if src.Is4() {
		tc := layers.CreateICMPv4TypeCode(8, 0)
		if reply {
			tc = layers.CreateICMPv4TypeCode(0, 0)
		}
		return c.IP(t, src, dst, &layers.ICMPv4{TypeCode: tc, Id: id, Seq: seq}, gopacket.Payload(make([]byte, 32)))
	}
	typ := uint8(128)
	if reply {
		typ = 129
	}
	body := binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(nil, id), seq)
	return c.IP(t, src, dst, &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, 0)}, gopacket.Payload(append(body, make([]byte, 32)...)))
}

// UDPPacket returns the bytes of an IP/UDP packet, to quote in ICMP errors.
func UDPPacket(src, dst netip.AddrPort, payload []byte) []byte {
	udp := &layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())}
	b, err := serializeIP(src.Addr(), dst.Addr(), udp, gopacket.Payload(payload))
	if err != nil {
		panic(err)
	}
	return b
}

// TCPPacket returns the bytes of an IP/TCP segment, to quote in ICMP errors.
func TCPPacket(src, dst netip.AddrPort, flags int, seq uint32) []byte {
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: seq,
		SYN: flags&SYN != 0, ACK: flags&ACK != 0, Window: 1024}
	b, err := serializeIP(src.Addr(), dst.Addr(), tcp)
	if err != nil {
		panic(err)
	}
	return b
}

// DNS returns a DNS message: a query for name (type A=1, AAAA=28) or, when
// response is set, a response with rcode and answers A records.
func DNS(id uint16, name string, qtype uint16, response bool, rcode uint8, answers int) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	flags := uint16(0x0100)
	if response {
		flags = 0x8180 | uint16(rcode)
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(answers))
	b = append(b, 0, 0, 0, 0)
	start := len(b)
	for _, label := range splitDots(name) {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	b = binary.BigEndian.AppendUint16(b, 1)
	for i := 0; i < answers; i++ {
		b = append(b, 0xc0, byte(start))
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint32(b, 300)
		b = binary.BigEndian.AppendUint16(b, 4)
		b = append(b, 93, 184, 216, byte(34+i))
	}
	return b
}

// NTP is a 48-byte NTP version 4 message: a client request (mode 3) or a
// server reply (mode 4).
func NTP(reply bool) []byte {
	b := make([]byte, 48)
	b[0] = 4<<3 | 3
	if reply {
		b[0] = 4<<3 | 4
		b[1] = 2 // stratum
	}
	return b
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// WritePcap writes the packets as a microsecond pcap file; every packet
// must have the same framing.
func (c *Capture) WritePcap(w io.Writer) error {
	lt := layers.LinkTypeEthernet
	if len(c.Packets) > 0 {
		lt = c.Packets[0].Link.LinkType()
	}
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(262144, lt); err != nil {
		return err
	}
	for _, p := range c.Packets {
		if p.Link.LinkType() != lt {
			return fmt.Errorf("synth: pcap needs one link type, have %v and %v", lt, p.Link.LinkType())
		}
		ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}
		if err := pw.WritePacket(ci, p.Data); err != nil {
			return err
		}
	}
	return nil
}

// WritePcapng writes a pcapng file with one interface per distinct Iface
// value (interfaces numbered from 0), each with the link type of its first
// packet; iface 1 and up use nanosecond timestamps.
func (c *Capture) WritePcapng(w io.Writer) error {
	links := map[int]Link{}
	max := 0
	for _, p := range c.Packets {
		if _, ok := links[p.Iface]; !ok {
			links[p.Iface] = p.Link
		}
		if p.Iface > max {
			max = p.Iface
		}
	}
	mk := func(i int) pcapgo.NgInterface {
		intf := pcapgo.DefaultNgInterface
		intf.Name = fmt.Sprintf("if%d", i)
		intf.LinkType = links[i].LinkType()
		if i > 0 {
			intf.TimestampResolution = 9
		}
		return intf
	}
	nw, err := pcapgo.NewNgWriterInterface(w, mk(0), pcapgo.DefaultNgWriterOptions)
	if err != nil {
		return err
	}
	for i := 1; i <= max; i++ {
		if _, err := nw.AddInterface(mk(i)); err != nil {
			return err
		}
	}
	for _, p := range c.Packets {
		ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data), InterfaceIndex: p.Iface}
		if err := nw.WritePacket(ci, p.Data); err != nil {
			return err
		}
	}
	return nw.Flush()
}

// Save writes the capture to path as pcap, or pcapng when the name ends in
// "ng".
func (c *Capture) Save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if len(path) > 2 && path[len(path)-2:] == "ng" {
		err = c.WritePcapng(f)
	} else {
		err = c.WritePcap(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Conn is a helper for one TCP connection between a client and a server.
type Conn struct {
	C          *Capture
	Client     netip.AddrPort
	Server     netip.AddrPort
	cseq, sseq uint32
	// Bytes is the sum of the frame lengths of the connection's packets.
	Bytes   int
	Packets int
}

// NewConn starts describing a connection; no packet is added yet.
func (c *Capture) NewConn(client, server netip.AddrPort, isn uint32) *Conn {
	return &Conn{C: c, Client: client, Server: server, cseq: isn, sseq: isn ^ 0x5a5a5a5a}
}

func (k *Conn) seg(t time.Time, fromClient bool, flags int, payload []byte) {
	var n int
	if fromClient {
		n = k.C.TCP(t, k.Client, k.Server, flags, k.cseq, k.sseq, payload)
		k.cseq += uint32(len(payload))
		if flags&(SYN|FIN) != 0 {
			k.cseq++
		}
	} else {
		n = k.C.TCP(t, k.Server, k.Client, flags, k.sseq, k.cseq, payload)
		k.sseq += uint32(len(payload))
		if flags&(SYN|FIN) != 0 {
			k.sseq++
		}
	}
	k.Bytes += n
	k.Packets++
}

// SYN, SYNACK, ACK, Data, FIN and RST add one segment each.
func (k *Conn) SYN(t time.Time) { k.seg(t, true, SYN, nil) }

// SYNACK is the server's answer to the SYN.
func (k *Conn) SYNACK(t time.Time) { k.seg(t, false, SYN|ACK, nil) }

// ACK is a pure acknowledgement from the client (fromClient) or server.
func (k *Conn) ACK(t time.Time, fromClient bool) { k.seg(t, fromClient, ACK, nil) }

// Data sends n payload bytes.
func (k *Conn) Data(t time.Time, fromClient bool, n int) {
	k.seg(t, fromClient, PSH|ACK, make([]byte, n))
}

// FIN closes one direction.
func (k *Conn) FIN(t time.Time, fromClient bool) { k.seg(t, fromClient, FIN|ACK, nil) }

// RST resets the connection.
func (k *Conn) RST(t time.Time, fromClient bool) { k.seg(t, fromClient, RST|ACK, nil) }

// Handshake adds SYN, SYN-ACK and ACK, rtt apart in total.
func (k *Conn) Handshake(t time.Time, rtt time.Duration) time.Time {
	k.SYN(t)
	k.SYNACK(t.Add(rtt / 2))
	k.ACK(t.Add(rtt), true)
	return t.Add(rtt)
}

// Close adds FIN from both sides and the last ACK.
func (k *Conn) Close(t time.Time, fromClient bool) {
	k.FIN(t, fromClient)
	k.FIN(t.Add(time.Millisecond), !fromClient)
	k.ACK(t.Add(2*time.Millisecond), fromClient)
}

// WriteTo writes the packets to a pcap writer whose header is already
// written, for captures built and written in batches.
func (c *Capture) WriteTo(pw *pcapgo.Writer) error {
	for _, p := range c.Packets {
		ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}
		if err := pw.WritePacket(ci, p.Data); err != nil {
			return err
		}
	}
	return nil
}
