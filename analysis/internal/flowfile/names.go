package flowfile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
)

// nfdumpProtos are the protocol names nfdump 1.7 prints in its pr column,
// as it printed them for one packet of every IP protocol number (see
// testdata/flowfiles/allprotos.*): numbers without a name are printed as
// numbers. Two names are nfdump's own abbreviations of two protocols:
// "IDPR" is printed for 35 (IDPR) and 38 (IDPR-CMTP); it is read as 35.
var nfdumpProtos = map[string]flow.Proto{
	"ICMP": 1, "IGMP": 2, "GGP": 3, "IPIP": 4, "ST": 5, "TCP": 6, "CBT": 7, "EGP": 8, "IGP": 9, "BBN": 10,
	"NVPII": 11, "PUP": 12, "ARGUS": 13, "ENCOM": 14, "XNET": 15, "CHAOS": 16, "UDP": 17, "MUX": 18, "DCN": 19,
	"HMP": 20, "PRM": 21, "XNS": 22, "Trnk1": 23, "Trnk2": 24, "Leaf1": 25, "Leaf2": 26, "RDP": 27, "IRTP": 28,
	"ISO-4": 29, "NETBK": 30, "MFESP": 31, "MEINP": 32, "DCCP": 33, "3PC": 34, "IDPR": 35, "XTP": 36, "DDP": 37,
	"TP++": 39, "IL": 40, "IPv6": 41, "SDRP": 42, "Rte6": 43, "Frag6": 44, "IDRP": 45, "RSVP": 46, "GRE": 47,
	"MHRP": 48, "BNA": 49, "ESP": 50, "AH": 51, "INLSP": 52, "SWIPE": 53, "NARP": 54, "MOBIL": 55, "TLSP": 56,
	"SKIP": 57, "ICMP6": 58, "NOHE6": 59, "OPTS6": 60, "HOST": 61, "CFTP": 62, "NET": 63, "SATNT": 64, "KLAN": 65,
	"RVD": 66, "IPPC": 67, "FS": 68, "SATM": 69, "VISA": 70, "IPCV": 71, "CPNX": 72, "CPHB": 73, "WSN": 74,
	"PVP": 75, "BSATM": 76, "SUNND": 77, "WBMON": 78, "WBEXP": 79, "ISOIP": 80, "VMTP": 81, "SVMTP": 82,
	"VINES": 83, "TTP": 84, "NSIGP": 85, "DGP": 86, "TCF": 87, "EIGRP": 88, "OSPF": 89, "S-RPC": 90, "LARP": 91,
	"MTP": 92, "AX.25": 93, "OS": 94, "MICP": 95, "SCCSP": 96, "ETHIP": 97, "ENCAP": 98, "GMTP": 100, "IFMP": 101,
	"PNNI": 102, "PIM": 103, "ARIS": 104, "SCPS": 105, "QNX": 106, "A/N": 107, "IPcmp": 108, "SNP": 109,
	"CpqPP": 110, "IPXIP": 111, "VRRP": 112, "PGM": 113, "0hop": 114, "L2TP": 115, "DDX": 116, "IATP": 117,
	"STP": 118, "SRP": 119, "UTI": 120, "SMP": 121, "SM": 122, "PTP": 123, "ISIS4": 124, "FIRE": 125, "CRTP": 126,
	"CRUDP": 127, "IPLT": 129, "SPS": 130, "PIPE": 131, "SCTP": 132, "FC": 133, "MHEAD": 135, "UDP-L": 136,
	"MPLS": 137,
}

// argusProtos are the protocol names ra prints (argus 3.0.8, without
// -nn), measured the same way. Names that stand for several numbers are in
// argusAmbiguous instead.
var argusProtos = map[string]flow.Proto{
	"ip": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipnip": 4, "st2": 5, "tcp": 6, "cbt": 7, "egp": 8, "igp": 9,
	"bbn-rcc": 10, "nvp": 11, "pup": 12, "argus": 13, "emcon": 14, "xnet": 15, "chaos": 16, "udp": 17, "mux": 18,
	"dcn": 19, "hmp": 20, "prm": 21, "xns-idp": 22, "trunk-1": 23, "trunk-2": 24, "leaf-1": 25, "leaf-2": 26,
	"rdp": 27, "irtp": 28, "iso-tp4": 29, "netblt": 30, "mfe-nsp": 31, "merit-inp": 32, "sep": 33, "3pc": 34,
	"idpr": 35, "xtp": 36, "ddp": 37, "idpr-cmtp": 38, "tp++": 39, "il": 40, "ipv6": 41, "sdrp": 42,
	"ipv6-route": 43, "ipv6-frag": 44, "idrp": 45, "gre": 47, "mhrp": 48, "bna": 49, "esp": 50, "i-nlsp": 52,
	"swipe": 53, "narp": 54, "mobile": 55, "tlsp": 56, "skip": 57, "ipv6-icmp": 58, "ipv6-no": 59,
	"ipv6-opts": 60, "cftp": 62, "sat-expak": 64, "kryptolan": 65, "rvd": 66, "ippc": 67, "sat-mon": 69,
	"visa": 70, "ipcv": 71, "cpnx": 72, "cphb": 73, "wsn": 74, "pvp": 75, "br-sat-mon": 76, "sun-nd": 77,
	"wb-mon": 78, "wb-expak": 79, "iso-ip": 80, "vmtp": 81, "secure-vmtp": 82, "vines": 83, "ttp": 84,
	"nsfnet-igp": 85, "dgp": 86, "tcf": 87, "eigrp": 88, "ospf": 89, "sprite-rpc": 90, "larp": 91, "mtp": 92,
	"ax.25": 93, "ipip": 94, "micp": 95, "aes-sp3-d": 96, "etherip": 97, "encap": 98, "pri-enc": 99, "gmtp": 100,
	"ifmp": 101, "pnni": 102, "pim": 103, "aris": 104, "scps": 105, "qnx": 106, "a/n": 107, "ipcomp": 108,
	"snp": 109, "compaq-peer": 110, "ipx-n-ip": 111, "vrrp": 112, "pgm": 113, "zero": 114, "l2tp": 115,
	"ddx": 116, "iatp": 117, "stp": 118, "srp": 119, "uti": 120, "smp": 121, "sm": 122, "ptp": 123, "isis": 124,
	"fire": 125, "crtp": 126, "crudp": 127, "sccopmce": 128, "iplt": 129, "sps": 130, "pipe": 131, "sctp": 132,
	"fc": 133, "ib": 253,
}

// argusAmbiguous are ra's names that stand for several protocol numbers.
var argusAmbiguous = map[string]string{
	"any": "61, 63 or 68", "rsvp": "46 or 134", "unas": "one of 135 to 252, 254, 255",
}

// argusNonIP are ra's names of records that are not IP flows.
var argusNonIP = map[string]string{
	"man": "Argus management records (argus's own status, not traffic)",
	"arp": "ARP records (not IP)", "rarp": "RARP records (not IP)", "llc": "LLC records (not IP: STP, CDP …)",
	"unknown": "records of an EtherType argus has no name for (not IP)", "ipx": "IPX records (not IP)", "lldp": "LLDP records (not IP)", "mpls": "MPLS records", "vlan": "VLAN records",
}

// portNames are service names tshark (-N t) and ra (without -n) print for
// ports, each standing for one port number in both Wireshark's port table
// and the services(5) file (checked in names_test.go where those files are
// installed). Only well-known services are listed: a name outside this
// table is refused, because the number it stands for cannot be known for
// sure (Wireshark names most ports up to 49151).
var portNames = map[string]uint16{
	"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67, "bootpc": 68,
	"tftp": 69, "http": 80, "kerberos": 88, "pop3": 110, "sunrpc": 111, "nntp": 119, "ntp": 123, "epmap": 135,
	"netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139, "imap": 143, "imap2": 143, "snmp": 161,
	"bgp": 179, "ldap": 389, "https": 443, "microsoft-ds": 445, "isakmp": 500, "syslog": 514, "rtsp": 554,
	"dhcpv6-client": 546, "dhcpv6-server": 547, "submission": 587, "ipp": 631, "ldaps": 636, "domain-s": 853,
	"rsync": 873, "imaps": 993, "pop3s": 995, "openvpn": 1194, "ms-sql-s": 1433, "ssdp": 1900, "mysql": 3306,
	"ms-wbt-server": 3389, "ipsec-nat-t": 4500, "sip": 5060, "sip-tls": 5061, "xmpp-client": 5222,
	"xmpp-server": 5269, "mdns": 5353, "llmnr": 5355, "postgresql": 5432, "amqp": 5672, "gnutella-svc": 6346,
	"gnutella-rtr": 6347, "redis": 6379, "ws-discovery": 3702, "stun": 3478, "route": 520, "router": 520,
	"snmp-trap": 162, "ms-sql-m": 1434, "radius": 1812, "radius-acct": 1813, "nfs": 2049,
}

// parsePort reads a port number, a "0x…" hexadecimal one (Argus prints
// ICMP types so), or a service name from portNames; how says which
// option avoids names.
func parsePort(s, how string) (uint16, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, nil
	}
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		v, err := strconv.ParseUint(h, 16, 16)
		if err != nil {
			return 0, fmt.Errorf("bad port %q", s)
		}
		return uint16(v), nil
	}
	if v, err := strconv.ParseUint(s, 10, 16); err == nil {
		return uint16(v), nil
	}
	if p, ok := portNames[s]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("port %q is a service name whose number pcaplab cannot know for sure; %s", s, how)
}

// ianaProto reads a protocol number, flow's names, or an IANA keyword in
// any case (Zeek, CICFlowMeter, NFStream, pcaplab).
func ianaProto(s string) (flow.Proto, bool) {
	if p, ok := flow.ParseProto(s); ok {
		return p, true
	}
	if p, ok := argusProtos[strings.ToLower(strings.TrimSpace(s))]; ok {
		return p, true
	}
	return 0, false
}

// nfdumpProto reads nfdump's pr column: a name from nfdumpProtos or a
// number (printed for protocols without a name, padded with spaces).
func nfdumpProto(s string) (flow.Proto, error) {
	s = strings.TrimSpace(s)
	if p, ok := nfdumpProtos[s]; ok {
		return p, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 256 {
		return flow.Proto(n), nil
	}
	return 0, fmt.Errorf("protocol %q is not a name or number nfdump prints", s)
}
