package store

// The packet-level tables: one file per capture file (rows add up across
// files; group by the key and sum).

// Bin is one time bin's packets and bytes. Bins start at the store's first
// packet (manifest anchor_ns), as tshark's io,stat does: bin k covers
// [anchor + k·width, anchor + (k+1)·width).
type Bin struct {
	StartNS int64 `parquet:"start_ns"`
	Start   int64 `parquet:"start,timestamp(microsecond:utc)"`
	WidthNS int64 `parquet:"width_ns"`
	Packets int64 `parquet:"packets"`
	Bytes   int64 `parquet:"bytes"`
}

// Host is one IP address's counters in one capture file: a packet counts
// once for each distinct address among its source and destination. Flows
// and Originated count the flows that started in this file.
type Host struct {
	Addr    string `parquet:"addr,dict"`
	AddrKey []byte `parquet:"addr_key"`
	Family  string `parquet:"family,dict"`
	Kind    string `parquet:"kind,dict"`  // unicast, multicast, broadcast, unspecified (label)
	Scope   string `parquet:"scope,dict"` // public, private, link-local … (label)
	// Country is the ISO 3166-1 alpha-2 code of a public address's country
	// in the embedded IP2Location LITE data (analysis.Country), "" for
	// other addresses and public ones the data places nowhere (label).
	Country string `parquet:"country,dict"`
	// CountryName is the country's English name, or for an address without
	// a country what it is: "private network", "link-local", "multicast",
	// "unknown" (public, placed nowhere) … (label).
	CountryName     string `parquet:"country_name,dict"`
	Packets         int64  `parquet:"packets"`
	Bytes           int64  `parquet:"bytes"`
	SentPackets     int64  `parquet:"sent_packets"`
	SentBytes       int64  `parquet:"sent_bytes"`
	ReceivedPackets int64  `parquet:"received_packets"`
	ReceivedBytes   int64  `parquet:"received_bytes"`
	Flows           int64  `parquet:"flows"`
	Originated      int64  `parquet:"originated"`
	MAC             string `parquet:"mac,dict"` // first source hardware address in this file, "" when none
	// SourceFirstNS is the first packet record of the file the row comes
	// from, the store's time order: the store's first MAC of an address is
	// that of its row with the lowest SourceFirstNS.
	SourceFirstNS int64 `parquet:"source_first_ns"`
}

// Port is one TCP or UDP port's counters in one capture file: a packet
// counts once for each distinct port among its source and destination.
type Port struct {
	Proto    string `parquet:"proto,dict"`
	Port     int32  `parquet:"port"`
	Packets  int64  `parquet:"packets"`
	Bytes    int64  `parquet:"bytes"`
	AsSource int64  `parquet:"as_source"`
	AsDest   int64  `parquet:"as_dest"`
}

// Counter is one named count of a capture file: kind ip_protocol (name:
// TCP, UDP …; number: the protocol number), link_type, non_ip (ARP, LLDP
// …), vlan (name: single or double tagged; vlan_id: number is the ID),
// skipped (name: the reason) or dropped (name: the count of
// analysis.Dropped, e.g. BadTime, in packets; only counts that are not
// zero). A file's dropped counts are its own segment's: a bound on what
// one pass keeps (hosts, bins, DNS …) applies to each file, not to the
// store as a whole.
type Counter struct {
	Kind    string `parquet:"kind,dict"`
	Name    string `parquet:"name,dict"`
	Number  int64  `parquet:"number"`
	Packets int64  `parquet:"packets"`
	Bytes   int64  `parquet:"bytes"`
}

// Source is one capture file: what it holds and where it stands in time.
type Source struct {
	Name        string `parquet:"name"`
	SHA256      string `parquet:"sha256"`
	Format      string `parquet:"format"`
	LinkTypes   string `parquet:"link_types"`
	FirstNS     int64  `parquet:"first_ns"`
	LastNS      int64  `parquet:"last_ns"`
	Packets     int64  `parquet:"packets"`
	Bytes       int64  `parquet:"bytes"`
	FlowsEnded  int64  `parquet:"flows_ended"` // flows that ended while this file was read
	DNSAnswered int64  `parquet:"dns_answered"`
	Evicted     int64  `parquet:"evicted"`
	Fragments   int64  `parquet:"fragments"`
	FragOrphans int64  `parquet:"fragment_orphans"`
	Warning     string `parquet:"warning"`
}

// DNS is one DNS transaction (a query over UDP port 53 and its response).
type DNS struct {
	Client     string `parquet:"client,dict"`
	ClientKey  []byte `parquet:"client_key"`
	Server     string `parquet:"server,dict"`
	ServerKey  []byte `parquet:"server_key"`
	ClientPort int32  `parquet:"client_port"`
	ID         int32  `parquet:"id"`
	Name       string `parquet:"name"`
	QType      int32  `parquet:"qtype"`
	QueryNS    int64  `parquet:"query_ns"`    // 0: a response whose query was not seen
	ResponseNS int64  `parquet:"response_ns"` // 0: no response
	Answered   bool   `parquet:"answered"`
	RCode      int32  `parquet:"rcode"`
	Answers    int32  `parquet:"answers"`
	Failure    string `parquet:"failure,dict"` // the failure class (label), "" for none
}

// ICMP is one ICMP or ICMPv6 error message and the packet it quotes.
type ICMP struct {
	TimeNS    int64  `parquet:"time_ns"`
	From      string `parquet:"from_addr,dict"`
	To        string `parquet:"to_addr,dict"`
	V6        bool   `parquet:"v6"`
	Type      int32  `parquet:"type"`
	Code      int32  `parquet:"code"`
	QProto    string `parquet:"quoted_proto,dict"`
	QSrc      string `parquet:"quoted_src,dict"`
	QDst      string `parquet:"quoted_dst,dict"`
	QDstKey   []byte `parquet:"quoted_dst_key"`
	QSrcPort  int32  `parquet:"quoted_src_port"`
	QDstPort  int32  `parquet:"quoted_dst_port"`
	QHasPorts bool   `parquet:"quoted_has_ports"`
	QFlowKey  string `parquet:"quoted_flow"` // the quoted 5-tuple, unordered: one attempt however many errors
	Matched   bool   `parquet:"matched"`
	QuotedDir string `parquet:"quoted_dir,dict"` // orig or resp: which side of the matched flow sent the quoted packet
	Answered  bool   `parquet:"answered"`
	Failure   string `parquet:"failure,dict"` // unreachable class when it is a failed request (label)
	Signal    string `parquet:"signal,dict"`  // network signal otherwise (label)
}

// DHCP is one DHCP transaction (client hardware address and transaction id).
type DHCP struct {
	Client        string `parquet:"client"`
	XID           int64  `parquet:"xid"`
	Discovers     int32  `parquet:"discovers"`
	Offers        int32  `parquet:"offers"`
	Requests      int32  `parquet:"requests"` // Requests and Informs
	Informs       int32  `parquet:"informs"`
	Acks          int32  `parquet:"acks"`
	Naks          int32  `parquet:"naks"`
	FirstDiscover int64  `parquet:"first_discover_ns"`
	FirstOffer    int64  `parquet:"first_offer_ns"`
	FirstRequest  int64  `parquet:"first_request_ns"`
	FirstAck      int64  `parquet:"first_ack_ns"`
	Server        string `parquet:"server"`
	ServerKey     []byte `parquet:"server_key"`
}
