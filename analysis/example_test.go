package analysis_test

import (
	"fmt"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
)

// The examples run on the bundled sample capture (testdata/sample.pcapng).

func ExampleOpen() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	s := c.Summary()
	fmt.Println(s.Packets, "packets,", s.Bytes, "bytes,", s.Flows, "flows")
	fmt.Println(s.IPv4Hosts, "IPv4 and", s.IPv6Hosts, "IPv6 hosts")
	// Output:
	// 1659 packets, 1454372 bytes, 59 flows
	// 16 IPv4 and 5 IPv6 hosts
}

func ExampleFlows_Sizes() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	s := c.Flows().Sizes()
	fmt.Print(table.Of(s.Rows()).Text())
	fmt.Println(s.Sentence())
	// Output:
	// measure  flows  min  median      mean      max
	// bytes       59   62   186.0  24 648.3  181 935
	// packets     59    1     2.0      28.1      181
	// The capture holds 59 flows (20 TCP, 37 UDP, 2 ICMP). Flow sizes range from 62 to 181 935 bytes (median 186, mean 24 648.3 bytes) and from 1 to 181 packets (median 2, mean 28.1 packets).
}

func ExampleFlows_SizeDistribution() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Flows().SizeDistribution()[:4]).Text())
	// Output:
	// bytes  flows     cdf    ccdf
	//    62      1  0.0169  0.9831
	//    70      1  0.0339  0.9661
	//    81      1  0.0508  0.9492
	//   108      1  0.0678  0.9322
}

func ExampleServices_Protocols() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Services().Protocols(5)).Text())
	// Output:
	// protocol  flows  packets      bytes  flows_percent  usage
	// UDP          37      415    354 609           62.7  DNS 26, QUIC 6, NTP 2, …
	// TCP          20    1 239  1 099 385           33.9  HTTPS 18, tcp/445 (no answer) 1, tcp/8009 (refused) 1
	// ICMPv6        1        2        188            1.7  ICMPv6 1
	// ICMP          1        1         70            1.7  ICMP 1
}

func ExampleServices_Applications() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Services().Applications(5)).Text())
	// Output:
	// application  identified_by  flows  packets      bytes  flows_percent
	// DNS          payload           26       51      4 359           44.1
	// HTTPS        payload           18    1 234  1 099 115           30.5
	// QUIC         payload            6      347    348 334           10.2
	// NTP          payload            2        4        360            3.4
	// SSDP         payload            1        6      1 002            1.7
}

func ExampleServices_SourcePorts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Services().SourcePorts(5).Rows).Text())
	// Output:
	// port  transport  flows  packets    bytes  usage
	//   123  udp            2        4      360  NTP (time synchronisation)
	// 51004  tcp            1      181  181 935  dynamic range, no name here: usually a client's temporary port
	// 51010  udp            1      108  112 156  dynamic range, no name here: usually a client's temporary port
	// 51008  tcp            1      119  111 332  dynamic range, no name here: usually a client's temporary port
	// 51016  tcp            1      111   95 890  dynamic range, no name here: usually a client's temporary port
}

func ExampleServices_DestinationPorts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Services().DestinationPorts(5).Rows).Text())
	// Output:
	// port  transport  flows  packets      bytes  usage
	//   53  udp           26       51      4 359  DNS (name lookups)
	//  443  tcp           18    1 234  1 099 115  HTTPS (web over TLS)
	//  443  udp            6      347    348 334  QUIC (web over QUIC, HTTP/3)
	//  123  udp            2        4        360  NTP (time synchronisation)
	// 1900  udp            1        6      1 002  SSDP (UPnP device discovery)
}

func ExamplePairs_TopByFlows() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Pairs().TopByFlows(5)).Text())
	// Output:
	// rank  host_a               host_b                    flows  packets    bytes
	//    1  192.168.1.1          192.168.1.23                 26       51    4 359
	//    2  192.168.1.23         192.168.1.50                  3        4      240
	//    3  185.15.59.240        192.168.1.23                  2      292  277 825
	//    4  151.101.64.81        192.168.1.23                  2      194  180 389
	//    5  2001:db8:8108:1::23  2a00:1450:4001:82b::200e      2      176  175 672
}

func ExamplePairs_TopByBytes() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Pairs().TopByBytes(5)).Text())
	// Output:
	// rank  host_a               host_b                    flows  packets    bytes
	//    1  185.15.59.240        192.168.1.23                  2      292  277 825
	//    2  151.101.64.81        192.168.1.23                  2      194  180 389
	//    3  2001:db8:8108:1::23  2a00:1450:4001:82b::200e      2      176  175 672
	//    4  151.101.0.81         192.168.1.23                  2      156  143 392
	//    5  185.15.59.224        192.168.1.23                  2      161  141 724
}

func ExamplePairs_Overlap() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	o := c.Pairs().Overlap(10)
	fmt.Println(len(o.Both), "of", o.N, "pairs in both lists")
	for _, p := range o.OnlyFlows {
		fmt.Println("only by flows:", p)
	}
	// Output:
	// 8 of 10 pairs in both lists
	// only by flows: 192.168.1.1 ↔ 192.168.1.23
	// only by flows: 192.168.1.23 ↔ 192.168.1.50
}

func ExamplePairs_Ranking() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	r := c.Pairs().Ranking(100)
	fmt.Print(table.Of(r.Rows[:3]).Select("rank", "host_a", "host_b", "flows").Text())
	// Output:
	// rank  host_a         host_b        flows
	//    1  192.168.1.1    192.168.1.23     26
	//    2  192.168.1.23   192.168.1.50      3
	//    3  185.15.59.240  192.168.1.23      2
}

func ExamplePairs_SlotArray() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	s := c.Pairs().SlotArray(nil, "")
	fmt.Println(s.Index)
	fmt.Println(s.Sentence())
	fmt.Print(table.Of(s.TopSlots(3)).Text())
	// Output:
	// FNV-1a 32-bit over both addresses, folded to 16 bits
	// 19 host pairs fill 19 of the 65 536 slots (19.0 expected for random slots: m(1−(1−1/m)^n)); no slot holds more than one pair. No slot of the exact top 19 pairs holds a counted flow of another pair, so the array's counts equal the exact ones for them; with more pairs, collisions would over-count (a slot never under-counts) and a slot cannot say which pairs it holds.
	// rank   slot  flows  pairs
	//    1  39750     26      1
	//    2  50264      3      1
	//    3   4745      2      1
}

func ExamplePairs_CountingMethods() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	rs := c.Pairs().CountingMethods()
	// memory is measured, so the map's and Space-Saving's bytes vary a little from run to run
	fmt.Print(table.Of(rs).Select("method", "parameters", "precision", "recall", "mean_rel_error", "max_over_count").Text())
	fmt.Println(rs[1].MemoryBytes, rs[2].MemoryBytes)
	// Output:
	// method              parameters                        precision  recall  mean_rel_error  max_over_count
	// exact hash map      map[Pair]uint64 grown from empty       1.00    1.00           0.000               0
	// 2^16 slot array     65 536 × uint32, FNV-1a                1.00    1.00           0.000               0
	// Count-Min sketch    4 × 16 384 × uint32                    1.00    1.00           0.000               0
	// Space-Saving top-k  200 counters                           1.00    1.00           0.000               0
	// 262144 262144
}

func ExamplePairs_CountingAtScale() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	s := c.Pairs().CountingAtScale()
	// time and memory are measured, so they vary from run to run; the
	// streams, and so the accuracy, are the same on every run
	fmt.Printf("threshold %d flows, %d pair above, tail index %.2f fitted, %.2f drawn\n", s.Threshold, s.TailPairs, s.FittedIndex, s.TailIndex)
	fmt.Print(table.Of(s.Rows).Select("pairs", "updates", "method", "mean_rel_error", "max_over_count", "precision", "flows_at_100th", "pairs_at_100th").Text())
	// Output:
	// threshold 3 flows, 1 pair above, tail index 2.14 fitted, 0.90 drawn
	//   pairs  updates  method              mean_rel_error  max_over_count  precision  flows_at_100th  pairs_at_100th
	//   1 000    2 561  exact hash map               0.000               0       1.00               3              57
	//   1 000    2 561  2^16 slot array              0.000               0       0.89               3              57
	//   1 000    2 561  Count-Min sketch             0.000               0       1.00               3              57
	//   1 000    2 561  Space-Saving top-k           1.389               8       0.38               3              57
	//  10 000   31 689  exact hash map               0.000               0       1.00              16              13
	//  10 000   31 689  2^16 slot array              0.016               9       0.79              16              13
	//  10 000   31 689  Count-Min sketch           0.00048               1       0.99              16              13
	//  10 000   31 689  Space-Saving top-k           3.198             107       0.26              16              13
	// 100 000  277 979  exact hash map               0.000               0       1.00             101               2
	// 100 000  277 979  2^16 slot array              0.018              21       0.48             101               2
	// 100 000  277 979  Count-Min sketch             0.036              16       1.00             101               2
	// 100 000  277 979  Space-Saving top-k           5.861           1 204       0.19             101               2
}

func ExampleHosts_Kinds() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Hosts().Kinds()).Text())
	// Output:
	// family  kind       scope          hosts  packets      bytes
	// IPv4    unicast    private            4    1 340  1 118 396
	// IPv4    unicast    public            10    1 212  1 107 380
	// IPv4    multicast  -                  2       12      1 494
	// IPv6    unicast    documentation      2      377    340 805
	// IPv6    unicast    public             3      373    340 429
}

func ExampleHosts_Countries() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Hosts().Countries(5)).Text())
	// Output:
	// country_code  country            hosts  packets      bytes
	// US            United States          6      637    567 120
	// DE            Germany                3      347    348 334
	// NL            Netherlands            2      453    419 549
	// SG            Singapore              1       89     70 607
	// IE            Ireland                1       59     42 199
	// -             (private network)      4    1 340  1 118 396
	// -             (documentation)        2      377    340 805
	// -             (multicast)            2       12      1 494
}

func ExampleHosts_TopByBytes() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	rows := c.Hosts().TopByBytes(5).Rows
	fmt.Print(table.Of(rows).Select("rank", "host", "bytes", "packets", "role").Text())
	// Output:
	// rank  host                          bytes  packets  role
	//    1  192.168.1.23              1 113 635    1 282  capturing host
	//    2  2001:db8:8108:1::23         340 617      375  capturing host
	//    3  185.15.59.240               277 825      292  -
	//    4  151.101.64.81               180 389      194  -
	//    5  2a00:1450:4001:82b::200e    175 672      176  -
}

func ExampleHosts_TopByPackets() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	rows := c.Hosts().TopByPackets(5).Rows
	fmt.Print(table.Of(rows).Select("rank", "host", "packets", "bytes", "bytes_per_packet").Text())
	// Output:
	// rank  host                      packets      bytes  bytes_per_packet
	//    1  192.168.1.23                1 282  1 113 635             868.7
	//    2  2001:db8:8108:1::23           375    340 617             908.3
	//    3  185.15.59.240                 292    277 825             951.5
	//    4  151.101.64.81                 194    180 389             929.8
	//    5  2a00:1450:4001:82b::200e      176    175 672             998.1
}

func ExampleHosts_Compare() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Println(c.Hosts().Compare(15).Sentence())
	// Output:
	// The top-15 lists by bytes and by packets hold the same hosts, in a different order.
}

func ExamplePorts_TopTCP() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Ports().TopTCP(3).Rows).Text())
	// Output:
	// port  packets      bytes  usage
	//   443    1 234  1 099 115  HTTPS (web over TLS)
	// 51004      181    181 935  dynamic range, no name here: usually a client's temporary port
	// 51008      119    111 332  dynamic range, no name here: usually a client's temporary port
}

func ExamplePorts_TopUDP() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Ports().TopUDP(5).Rows).Text())
	// Output:
	// port  packets    bytes  usage
	//   443      347  348 334  QUIC (web over QUIC, HTTP/3)
	// 51010      108  112 156  dynamic range, no name here: usually a client's temporary port
	// 51022       68   63 516  dynamic range, no name here: usually a client's temporary port
	// 51001       66   68 792  dynamic range, no name here: usually a client's temporary port
	//    53       51    4 359  DNS (name lookups)
}

func ExampleFlows_Fastest() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	x := c.Flows().Fastest(3, analysis.FastestOptions{})
	fmt.Print(table.Of(x.Rows).Select("rank", "resp", "server_name", "payload_bytes", "transfer_s", "kbit_per_s", "lifetime_kbit_per_s").Text())
	fmt.Println(x.Sentence())
	// Output:
	// rank  resp           server_name           payload_bytes  transfer_s  kbit_per_s  lifetime_kbit_per_s
	//    1  185.15.59.240  upload.wikimedia.org        171 200       0.199     6 883.0              1 035.2
	//    2  185.15.59.240  upload.wikimedia.org         89 200       0.106     6 751.0                127.3
	//    3  185.15.59.224  www.wikipedia.org            49 200       0.061     6 488.8                241.7
	// The fastest transfer, 192.168.1.23:51004 → 185.15.59.240:443 (upload.wikimedia.org), moved 171.2 kB of payload as a download in 198.984 ms of transfer: 6.88 Mbit/s; over its whole lifetime of 1.323 s, idle time included, that payload averaged 1.04 Mbit/s. All 18 TCP connections with a handshake seen met the minimums.
}

func ExampleTraffic_Bins() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	bins, _ := c.Traffic().Bins(10 * time.Second)
	fmt.Print(table.Of(bins).Select("offset_s", "packets", "bytes", "bits_per_s", "packets_per_s").Text())
	// Output:
	// offset_s  packets    bytes  bits_per_s  packets_per_s
	//    0.000      113  106 004      84 803           11.3
	//   10.000      308  288 421     230 737           30.8
	//   20.000      172  153 702     122 962           17.2
	//   30.000      160  133 795     107 036           16.0
	//   40.000      229  212 379     169 903           22.9
	//   50.000       47   40 072      32 058            4.7
	//   60.000       96   81 833      65 466            9.6
	//   70.000      191  161 573     129 258           19.1
	//   80.000      149  126 239     100 991           14.9
	//   90.000      158  129 588     103 670           15.8
	//  100.000       36   20 766      25 882            5.6
}

func ExampleTraffic_Rates() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	r, _ := c.Traffic().Rates(0)
	fmt.Print(table.Of(r.Rows()).Text())
	// Output:
	// statistic          bits_per_s  packets_per_s
	// mean                  109 332           15.6
	// median (1 s bins)           0            0.0
	// peak (1 s bins)     1 456 888          183.0
}

func ExampleFailures_List() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(table.Of(c.Failures().List()).Select("class", "host", "name", "attempts", "detail").Text())
	// Output:
	// class                  host          name                   attempts  detail
	// tcp_no_answer          192.168.1.77                                1  tcp/445
	// tcp_rejected           192.168.1.50                                1  tcp/8009
	// icmp_port_unreachable  192.168.1.50                                1  udp/3478 (reported by 192.168.1.50)
	// dns_nxdomain           192.168.1.1   wikipedia.ogr                 1
	// dns_no_response        192.168.1.1   telemetry.example.net         1
}
