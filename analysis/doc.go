// Package analysis is pcaplab's API: it reads packet captures into a compact
// traffic model in one streaming pass, and answers questions about the
// traffic as queries on that model.
//
//	c, err := analysis.Open("capture.pcapng")
//	if err != nil { … }
//	fmt.Println(c.Flows().Count(), "flows")
//	top := c.Hosts().TopByBytes(15)   // T3.3: typed rows …
//	fmt.Print(table.Of(top.Rows).Text()) // … shown as a table
//	fmt.Println(top.Sentence())          // … and in words
//
// The questions are grouped by concept: Flows (T2.0–T2.2 and the fastest
// connections of T3.6), Traffic (volume and rates over time), Services
// (protocols, applications and ports by flows, T2.3), Pairs (host pairs and
// the ways to count them, T2.4–T2.7), Hosts (T3.1–T3.4), Ports (T3.5) and
// Failures (T3.8). Each returns typed rows (addresses as netip.Addr, times
// as time.Time, durations as time.Duration) whose struct tags name the
// columns with their units, so table.Of shows any of them as a table, a
// gota DataFrame (Frame) or CSV; each answer's sentence is a method of its
// rows, written from the numbers it states.
//
// # Input
//
// pcap (microsecond and nanosecond timestamps, either byte order) and pcapng
// (several sections and interfaces, each with its own link type and
// timestamp resolution), either of them gzip-compressed; the format is
// recognised from the content. Several files are read in order as one
// input. Link types: Ethernet (with 802.1Q and QinQ tags), Linux cooked
// capture v1 and v2, raw IP, BSD loopback (NULL/LOOP), 802.11 with or
// without radiotap (unencrypted data frames with LLC/SNAP). A frame of
// another link type, or with another network protocol, is counted (by link
// type, EtherType or IP protocol) and reported, never fatal.
//
// A file that cannot be read at all is an error (`x.pcap: not a pcap or
// pcapng file`). A file that stops being readable after some packets — a
// truncated last record, a damaged gzip stream — keeps the packets read and
// carries a warning (`x.pcap: packet 18211: record truncated at end of file
// (kept 18210 packets)`).
//
// # Definitions
//
// Packets and bytes: every record of the input counts; bytes are the
// packets' lengths on the wire (the original length, not the captured
// length, so a capture with a small snap length still reports true volumes).
//
// Duration: the latest minus the earliest timestamp. Captures are not always
// in time order (merged interfaces, concatenated files), so these need not
// be the first and last records.
//
// Host: an IP address of a packet's outermost IP header. Addresses of
// tunnelled inner headers and of the packet quoted inside an ICMP error are
// facts about the packet, not further hosts. A host's bytes and packets: a
// packet counts once for each distinct address among its source and
// destination (a packet from an address to itself counts once). IPv4 and
// IPv6 host counts are the numbers of distinct addresses of each family
// seen, of every kind (unicast, multicast, broadcast).
//
// Ports: TCP and UDP are counted apart. A packet counts once for each
// distinct port among its source and destination ports. Only packets that
// carry a transport header have ports: of a fragmented IP datagram, the first
// fragment (offset 0) carries them, the others do not.
//
// Flow: a bidirectional conversation keyed by the unordered 5-tuple
// (protocol, address A, port A, address B, port B). ICMP and ICMPv6 echo
// (and timestamp/information) messages are keyed by their identifier in
// place of both ports; other ICMP messages by type (port A) and code (port
// B); other IP protocols by the address pair alone. The originator is the
// side that sent the first packet seen, except that for TCP the sender of
// the SYN is the originator (a flow first seen at its SYN-ACK is turned
// round). A flow's bytes and packets are the sums over its packets in both
// directions (wire lengths), kept per direction too. The non-first fragments
// of an IP datagram belong to the flow of its first fragment (matched by
// addresses, protocol and IP identification); fragments whose first fragment
// was not seen count for their hosts but belong to no flow.
//
// A flow ends:
//   - for TCP, when a SYN without ACK arrives on its 5-tuple with a sequence
//     number other than the one that direction started with (a new
//     connection reusing the tuple, as Wireshark's tcp.stream decides; a
//     retransmitted SYN stays in the flow);
//   - after an idle timeout: no packet for 5 minutes (TCP), 1 minute (UDP,
//     ICMP and others), or 30 seconds for a TCP flow that has already seen a
//     RST or a FIN from both sides. IdleTimeout sets one value for all; 0
//     means never, which reproduces Wireshark's tcp.stream and udp.stream
//     numbering exactly (tested on every shared capture);
//   - at the end of the input.
//
// Connection state: each TCP flow gets Zeek's conn_state from what was seen
// (originator = upper case in the history, responder = lower case; letters
// S SYN, H SYN-ACK, A pure ACK, D data, F FIN, R RST, each recorded once per
// direction in order of first appearance):
//
//	S0     SYN seen, no reply at all
//	REJ    SYN answered by RST
//	RSTOS0 SYN, then RST from the originator, no SYN-ACK
//	SH     SYN, then FIN from the originator, no SYN-ACK
//	S1     handshake seen, not closed
//	SF     handshake seen, FIN from both sides
//	S2     handshake seen, FIN from the originator only
//	S3     handshake seen, FIN from the responder only
//	RSTO   handshake seen, the originator reset first
//	RSTR   handshake seen, the responder reset first
//	RSTRH  SYN-ACK then RST from the responder, no SYN seen
//	SHR    SYN-ACK then FIN from the responder, no SYN seen
//	OTH    no SYN seen (mid-stream) or anything else
//
// Other flows are SF (packets both ways), S0 (originator only) or SHR. The
// handshake RTT is the time from the SYN to the originator's first ACK after
// the SYN-ACK (Wireshark's tcp.analysis.initial_rtt).
//
// # Failed communications
//
// A failed communication is a request that expected an answer and got none,
// or was refused. Replies, announcements and advertisements to multicast or
// broadcast addresses are never requests; a flow's Opening (flow.Msg) says
// what its originator's first payload was for: DNS, mDNS, LLMNR and NetBIOS
// by the QR bit, SSDP by M-SEARCH (request), NOTIFY (announcement) or
// "HTTP/1.1 200" (reply), NTP by its mode, DHCP by its op code, STUN by its
// message class, QUIC by a long-header Initial, DTLS by ClientHello; and a
// datagram to the port of a request/response service (NTP 123, SNMP 161,
// TFTP 69, Kerberos 88, IKE 500, RADIUS 1812/1813, SIP 5060, STUN 3478 and
// 19302) from another port is a request. Attempts count connections,
// transactions or requests, never retransmissions. Each class counts
// attempts and the distinct hosts contacted (Failures().Classes):
//
//	tcp_no_answer          TCP flow in state S0, SH or RSTOS0: the SYN was never answered
//	tcp_rejected           TCP flow in state REJ: the SYN was answered by RST
//	tcp_aborted            RSTR with no payload from the responder: the handshake completed, then the responder reset
//	                       before answering (a reset by the originator, RSTO, is the client's own choice, not a failure)
//	icmp_*_unreachable     ICMP destination unreachable (IPv4 type 3 but code 4, IPv6 type 1) about a request, by code:
//	                       net (v4 codes 0, 6, 11; v6 0), host (v4 1, 7, 12; v6 3), port (v4 3; v6 4),
//	                       admin_prohibited (v4 9, 10, 13; v6 1, 5, 6), unreachable_other (the rest);
//	                       one attempt per quoted 5-tuple; the host is the quoted packet's destination
//	dns_nxdomain, dns_servfail, dns_refused, dns_other_error
//	                       a DNS query over UDP port 53 answered with rcode 3, 2, 5 or another non-zero code:
//	                       the failure is the name's; the resolver, which answered, is named as its server
//	dns_no_response        a DNS query over UDP port 53 with no response
//	dhcp_no_offer          a DHCP transaction (client hardware address and transaction id) with Discovers and no Offer
//	dhcp_no_ack            a DHCP transaction with Requests (or Informs) and no ACK or NAK
//	dhcp_nak               a DHCP transaction answered by NAK
//	udp_no_reply           a UDP flow whose originator asked (Opening is a request) a unicast address that sent nothing back
//	                       and drew no ICMP error (DNS and DHCP are judged by their transactions)
//
// A flow that drew an ICMP destination unreachable is counted under the
// ICMP class only. A request made less than AnswerWait (5 s) before the
// capture's end that had no answer yet is "unfinished": listed apart, not
// failed. One-way UDP flows whose payload does not say they asked (peer to
// peer, streaming, telemetry) are counted as not judged.
//
// Network signals are ICMP errors that are not failures, listed apart
// (Failures().Signals): fragmentation needed and packet too big (path-MTU
// discovery), time exceeded (traceroute), port unreachable for a UDP probe
// to ports 33434–33534 (a traceroute reaching its target), any unreachable
// about a packet the flow's responder sent (a late or duplicate reply whose
// asker had closed its port — without the flow, a packet from a service
// port to a port that names no service), redirects, source quench and
// parameter problems.
//
// Failures().Summary gives one number of distinct hosts with at least one
// failed communication (DNS errors count against the name, not the
// resolver), split into those no communication succeeded with and those
// that answered other requests (the responder of an established TCP
// connection or of a flow with packets both ways, or a DNS server that
// answered).
//
// DNS queries and responses are matched by client address and port, server
// address and DNS ID; a retransmitted query is the same transaction. DNS
// over TCP is not examined.
//
// # Fastest connections
//
// A TCP connection's throughput (Flows().Fastest) is the payload bytes of
// its bulk direction (the one that sent more) × 8 over that direction's
// transfer time: from its first to its last payload segment, without the
// pauses between segments longer than Options.TransferGap (1 s). A download
// followed by a minute of keep-alive is rated by its download; the lifetime
// rate (the same payload over first to last packet, so never above the
// transfer rate) is given beside it.
// Connections whose handshake was not seen, or below the minimums
// (FastestOptions), are not ranked, and the answer says how many each
// minimum left out.
//
// # Capturing machine
//
// Hosts().Machine infers the machine the capture was taken on: for each
// family, the unicast address in the most packets (ties: the one that
// originated more flows, then the lower address), accepted when it takes
// part in more than half of its family's packets. The family with more
// packets names the machine; the other family's address joins it only when
// both send from the same hardware address. When no address takes part in
// most packets (a mirror port, a router), no machine is named.
//
// # Time bins
//
// Packets and bytes are also counted in time bins of one second
// (Options.BinWidth) that start at the first packet, as tshark's io,stat
// does: bin k covers [first + k·width, first + (k+1)·width). The last bin
// ends at the last packet; one covering less than half a bin joins the bin
// before it, so that no rate is taken over a sliver of time. A bin's rate
// is its bytes × 8 over the time it covers; the bins' rates, weighted by
// that time, average to the capture's mean rate (bytes × 8 / duration, as
// capinfos computes it), so the peak is never below the mean. A packet
// stamped before the first packet (out of order) is in a bin before bin 0
// (tshark counts it in its first interval). The 1 s bins equal tshark's
// io,stat intervals on every shared capture (tested).
//
// # Memory
//
// The model holds one counter per host, 2×65 536 port counters, one counter
// per non-empty time bin and the finished flow records; packets are never
// kept. Live flows leave the flow table when their timeout passes (and, past
// MaxFlows live flows, the longest-idle tenth end early), so the table holds
// the concurrent flows only. Finished flows are records of about 60 bytes outside
// Go's heap; past SpillAfter of them (100 000, some 6 MB) they go to an unlinked
// temporary file in sorted runs of 4 MiB, merged when read, and only failed
// DNS transactions are kept: memory then stays flat however long the
// capture. Every question streams the flows in start order (Flows.All);
// only Flows.Slice, Records, Table and Frame put them all in memory.
// Medians of flow sizes are exact at any size: sizes are counted by
// distinct value, so they cost memory per distinct size, not per flow. What
// grows with the capture is per host and per host pair: T2.4–T2.7 count
// every pair exactly (about 150 bytes a pair at their peak).
//
// # Time order
//
// Timestamps may go backwards by any amount. A flow's First and Last are its
// earliest and latest packet; idle timeouts are measured against the latest
// timestamp seen so far, so a packet that arrives after its flow has timed
// out starts a new flow.
package analysis
