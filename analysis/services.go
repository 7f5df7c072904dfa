package analysis

import "github.com/pcaplab/pcaplab/flow"

// service names a well-known port: the name and what it is used for.
type service struct{ name, usage string }

var tcpServices = map[uint16]service{
	20: {"FTP-data", "file transfer data"}, 21: {"FTP", "file transfer control"}, 22: {"SSH", "remote shell"},
	23: {"Telnet", "unencrypted remote shell"}, 25: {"SMTP", "mail transfer"}, 53: {"DNS", "name lookups over TCP"},
	80: {"HTTP", "unencrypted web"}, 110: {"POP3", "mail retrieval"}, 135: {"MS-RPC", "Windows RPC"},
	139: {"NetBIOS-SSN", "old Windows file sharing"}, 143: {"IMAP", "mail retrieval"}, 179: {"BGP", "routing"},
	389: {"LDAP", "directory"}, 443: {"HTTPS", "web over TLS"}, 445: {"SMB", "Windows file sharing"},
	465: {"SMTPS", "mail submission over TLS"}, 587: {"Submission", "mail submission"}, 631: {"IPP", "printing"},
	636: {"LDAPS", "directory over TLS"}, 853: {"DoT", "DNS over TLS"}, 993: {"IMAPS", "mail retrieval over TLS"},
	995: {"POP3S", "mail retrieval over TLS"}, 1080: {"SOCKS", "proxy"}, 1194: {"OpenVPN", "VPN"},
	1433: {"MS-SQL", "database"}, 1723: {"PPTP", "VPN"}, 1883: {"MQTT", "IoT messaging"}, 3128: {"Squid", "web proxy"},
	3306: {"MySQL", "database"}, 3389: {"RDP", "remote desktop"}, 5060: {"SIP", "VoIP signalling"},
	5061: {"SIPS", "VoIP signalling over TLS"}, 5222: {"XMPP", "chat"}, 5223: {"APNs", "Apple push notifications"},
	5228: {"GCM", "Google push notifications"}, 5432: {"PostgreSQL", "database"}, 5900: {"VNC", "remote desktop"},
	6346: {"Gnutella", "peer-to-peer file sharing"}, 6347: {"Gnutella", "peer-to-peer file sharing"},
	6379: {"Redis", "database"}, 6881: {"BitTorrent", "file sharing"}, 8008: {"HTTP-alt", "web"},
	8009: {"Cast", "Chromecast control"}, 8080: {"HTTP-alt", "web or proxy"}, 8443: {"HTTPS-alt", "web over TLS"},
	8883: {"MQTTS", "IoT messaging over TLS"}, 9418: {"Git", "version control"}, 27017: {"MongoDB", "database"},
}

var udpServices = map[uint16]service{
	53: {"DNS", "name lookups"}, 67: {"DHCP", "address configuration, server side"}, 68: {"DHCP", "address configuration, client side"},
	69: {"TFTP", "file transfer"}, 123: {"NTP", "time synchronisation"}, 137: {"NetBIOS-NS", "Windows name service"},
	138: {"NetBIOS-DGM", "Windows browsing"}, 161: {"SNMP", "network management"}, 443: {"QUIC", "web over QUIC, HTTP/3"},
	500: {"IKE", "IPsec VPN key exchange"}, 514: {"Syslog", "logging"}, 546: {"DHCPv6", "address configuration, client side"},
	547: {"DHCPv6", "address configuration, server side"}, 853: {"DoQ", "DNS over QUIC"}, 1194: {"OpenVPN", "VPN"},
	1900: {"SSDP", "UPnP device discovery"}, 3702: {"WS-Discovery", "Windows device discovery"},
	6346: {"Gnutella", "peer-to-peer file sharing"}, 6347: {"Gnutella", "peer-to-peer file sharing"}, 3478: {"STUN", "NAT traversal for calls and WebRTC"},
	3479: {"STUN", "NAT traversal"}, 3480: {"STUN", "NAT traversal"}, 3481: {"STUN", "NAT traversal"},
	520: {"RIP", "routing"}, 4500: {"IPsec-NAT", "IPsec VPN"}, 5060: {"SIP", "VoIP signalling"}, 5353: {"mDNS", "local name discovery"},
	5355: {"LLMNR", "local name resolution"}, 6881: {"BitTorrent", "file sharing"}, 19302: {"STUN", "NAT traversal, Google"},
	51820: {"WireGuard", "VPN"},
}

// ServiceName names a TCP or UDP port ("HTTPS" for 443/tcp, "QUIC" for
// 443/udp); "" when the port has no well-known service.
func ServiceName(proto flow.Proto, port uint16) string {
	s, _ := lookupService(proto, port)
	return s.name
}

func lookupService(proto flow.Proto, port uint16) (service, bool) {
	var s service
	var ok bool
	switch proto {
	case flow.TCP:
		s, ok = tcpServices[port]
	case flow.UDP:
		s, ok = udpServices[port]
	}
	return s, ok
}

// portUsage describes a port for a table: "HTTPS (web over TLS)", or
// "dynamic, a client's temporary port" for an unnamed port of the dynamic
// range. The usage texts hold no parentheses, so none nest.
func portUsage(proto flow.Proto, port uint16) string {
	if s, ok := lookupService(proto, port); ok {
		return s.name + " (" + s.usage + ")"
	}
	if port >= 49152 {
		return "dynamic range, no name here: usually a client's temporary port"
	}
	if port >= 1024 {
		return "registered range, no name here: a client's temporary port or an application's own"
	}
	return "well-known range, no name here"
}

// ProtocolName names an IP protocol number (see flow.Proto).
func ProtocolName(p flow.Proto) string { return p.String() }

// transportName is "tcp", "udp" or the protocol's name.
func transportName(proto flow.Proto) string {
	switch proto {
	case flow.TCP:
		return "tcp"
	case flow.UDP:
		return "udp"
	}
	return proto.String()
}
