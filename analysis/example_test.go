package analysis_test

import (
	"fmt"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
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

func ExampleCapture_FlowSizeStats() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.FlowSizeStats()))
	fmt.Println(c.FlowSizeSentence())
	// Output:
	//   measure  flows  min  median     mean     max
	//     bytes     59   62     186  24648.3  181935
	//   packets     59    1       2  28.0847     181
	// The capture holds 59 flows (20 TCP, 37 UDP, 2 ICMP, 0 other). Flow sizes range from 62 to 181935 bytes (median 186.0, mean 24648.3 bytes) and from 1 to 181 packets (median 2.0, mean 28.1 packets).
}

func ExampleCapture_FlowSizeDistribution() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.FlowSizeDistribution().Subset([]int{0, 1, 2, 3})))
	// Output:
	//   bytes  flows        cdf      ccdf
	//      62      1  0.0169492  0.983051
	//      70      1  0.0338983  0.966102
	//      81      1  0.0508475  0.949153
	//     108      1  0.0677966  0.932203
}

func ExampleCapture_TopProtocols() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopProtocols(5)))
	// Output:
	//   protocol  flows  packets    bytes  flows_percent
	//        UDP     37      415   354609        62.7119
	//        TCP     20     1239  1099385        33.8983
	//     ICMPv6      1        2      188        1.69492
	//       ICMP      1        1       70        1.69492
}

func ExampleCapture_TopApplications() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopApplications(5)))
	// Output:
	//   application  identified_by  flows  packets    bytes  flows_percent
	//           DNS        payload     26       51     4359        44.0678
	//         HTTPS        payload     18     1234  1099115        30.5085
	//          QUIC        payload      6      347   348334        10.1695
	//           NTP        payload      2        4      360        3.38983
	//          SSDP        payload      1        6     1002        1.69492
}

func ExampleCapture_TopSourcePorts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopSourcePorts(5)))
	// Output:
	//    port  transport  flows  packets   bytes                       usage
	//     123        udp      2        4     360  NTP (time synchronisation)
	//   51004        tcp      1      181  181935       dynamic (client side)
	//   51010        udp      1      108  112156       dynamic (client side)
	//   51008        tcp      1      119  111332       dynamic (client side)
	//   51016        tcp      1      111   95890       dynamic (client side)
}

func ExampleCapture_TopDestinationPorts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopDestinationPorts(5)))
	// Output:
	//   port  transport  flows  packets    bytes                           usage
	//     53        udp     26       51     4359              DNS (name lookups)
	//    443        tcp     18     1234  1099115            HTTPS (web over TLS)
	//    443        udp      6      347   348334   QUIC (web over QUIC (HTTP/3))
	//    123        udp      2        4      360      NTP (time synchronisation)
	//   1900        udp      1        6     1002  SSDP (device discovery (UPnP))
}

func ExampleCapture_TopHostPairsByFlows() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopHostPairsByFlows(5)))
	// Output:
	//   rank               host_a                    host_b  flows  packets   bytes
	//      1          192.168.1.1              192.168.1.23     26       51    4359
	//      2         192.168.1.23              192.168.1.50      3        4     240
	//      3        185.15.59.240              192.168.1.23      2      292  277825
	//      4        151.101.64.81              192.168.1.23      2      194  180389
	//      5  2001:db8:8108:1::23  2a00:1450:4001:82b::200e      2      176  175672
}

func ExampleCapture_TopHostPairsByBytes() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopHostPairsByBytes(5)))
	// Output:
	//   rank               host_a                    host_b  flows  packets   bytes
	//      1        185.15.59.240              192.168.1.23      2      292  277825
	//      2        151.101.64.81              192.168.1.23      2      194  180389
	//      3  2001:db8:8108:1::23  2a00:1450:4001:82b::200e      2      176  175672
	//      4         151.101.0.81              192.168.1.23      2      156  143392
	//      5        185.15.59.224              192.168.1.23      2      161  141724
}

func ExampleCapture_HostPairOverlap() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	o := c.HostPairOverlap(10)
	fmt.Println(len(o.Both), "of", o.N, "pairs in both lists")
	for _, p := range o.OnlyFlows {
		fmt.Println("only by flows:", p)
	}
	// Output:
	// 8 of 10 pairs in both lists
	// only by flows: 192.168.1.1 ↔ 192.168.1.23
	// only by flows: 192.168.1.23 ↔ 192.168.1.50
}

func ExampleCapture_PairFlowCounts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.PairFlowCounts(100).Subset([]int{0, 1, 2})))
	// Output:
	//   rank         host_a        host_b  flows
	//      1    192.168.1.1  192.168.1.23     26
	//      2   192.168.1.23  192.168.1.50      3
	//      3  185.15.59.240  192.168.1.23      2
}

func ExampleCapture_SlotArrayCounts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	s := c.SlotArrayCounts(nil, "")
	fmt.Println(s.Index)
	fmt.Println(s.Sentence())
	fmt.Print(analysis.FormatTable(s.TopSlots(3)))
	// Output:
	// FNV-1a 32-bit over both addresses, folded to 16 bits
	// 19 host pairs fill 19 of the 65536 slots (19.0 expected for random slots: m(1−(1−1/m)^n)); 0 slots hold more than one pair (0 pairs merged). None of the exact top-19 pairs shares its slot with a counted flow of another pair, so the array's counts equal the exact ones for them; with more pairs collisions would over-count (a slot never under-counts) and a slot cannot say which pairs it holds.
	//   rank   slot  flows  pairs
	//      1  39750     26      1
	//      2  50264      3      1
	//      3   4745      2      1
}

func ExampleCapture_CountingMethods() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	for _, r := range c.CountingMethods() {
		// memory and time are measured, so they vary from run to run
		fmt.Printf("%s (%s): precision %.2f, recall %.2f, mean relative error %.3f\n", r.Method, r.Parameters, r.Precision, r.Recall, r.MeanRelError)
	}
	// Output:
	// exact hash map (map[pair]uint64): precision 1.00, recall 1.00, mean relative error 0.000
	// 2^16 slot array (65 536 × uint32, FNV-1a): precision 1.00, recall 1.00, mean relative error 0.000
	// Count-Min sketch (depth 4 × width 16 384 × uint32): precision 1.00, recall 1.00, mean relative error 0.000
	// Space-Saving top-k (200 counters): precision 1.00, recall 1.00, mean relative error 0.000
}

func ExampleCapture_HostCounts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.HostCounts()))
	// Output:
	//   family       kind          scope  hosts  packets    bytes
	//     IPv4    unicast        private      4     1340  1118396
	//     IPv4    unicast         public     10     1212  1107380
	//     IPv4  multicast              -      2       12     1494
	//     IPv6    unicast  documentation      2      377   340805
	//     IPv6    unicast         public      3      373   340429
}

func ExampleCapture_TopCountries() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopCountries(5)))
	// Output:
	//   country_code            country  hosts  packets    bytes
	//             US      United States      6      637   567120
	//             DE            Germany      3      347   348334
	//             NL        Netherlands      2      453   419549
	//             SG          Singapore      1       89    70607
	//             IE            Ireland      1       59    42199
	//              -  (private network)      4     1340  1118396
	//              -    (documentation)      2      377   340805
	//              -        (multicast)      2       12     1494
}

func ExampleCapture_TopHostsByBytes() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopHostsByBytes(5).Select([]string{"rank", "host", "bytes", "packets", "role"})))
	// Output:
	//   rank                      host    bytes  packets            role
	//      1              192.168.1.23  1113635     1282  capturing host
	//      2       2001:db8:8108:1::23   340617      375  capturing host
	//      3             185.15.59.240   277825      292               -
	//      4             151.101.64.81   180389      194               -
	//      5  2a00:1450:4001:82b::200e   175672      176               -
}

func ExampleCapture_TopHostsByPackets() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopHostsByPackets(5).Select([]string{"rank", "host", "packets", "bytes", "bytes_per_packet"})))
	// Output:
	//   rank                      host  packets    bytes  bytes_per_packet
	//      1              192.168.1.23     1282  1113635            868.67
	//      2       2001:db8:8108:1::23      375   340617           908.312
	//      3             185.15.59.240      292   277825           951.455
	//      4             151.101.64.81      194   180389            929.84
	//      5  2a00:1450:4001:82b::200e      176   175672           998.136
}

func ExampleCapture_CompareHostLists() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Println(c.CompareHostLists(15).Sentence())
	// Output:
	// The top-15 lists by bytes and by packets hold the same hosts, in a different order: hosts with larger packets rank higher by bytes.
}

func ExampleCapture_TopTCPPorts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopTCPPorts(3)))
	// Output:
	//    port  packets    bytes                  usage
	//     443     1234  1099115   HTTPS (web over TLS)
	//   51004      181   181935  dynamic (client side)
	//   51008      119   111332  dynamic (client side)
}

func ExampleCapture_TopUDPPorts() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.TopUDPPorts(5)))
	// Output:
	//    port  packets   bytes                          usage
	//     443      347  348334  QUIC (web over QUIC (HTTP/3))
	//   51010      108  112156          dynamic (client side)
	//   51022       68   63516          dynamic (client side)
	//   51001       66   68792          dynamic (client side)
	//      53       51    4359             DNS (name lookups)
}

func ExampleCapture_FastestTCPConnections() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	df := c.FastestTCPConnections(3, analysis.FastestOptions{})
	fmt.Print(analysis.FormatTable(df.Select([]string{"rank", "resp", "bytes", "duration_s", "mbit_per_s", "bulk_direction", "server_name"})))
	// Output:
	//   rank           resp   bytes  duration_s  mbit_per_s  bulk_direction           server_name
	//      1  185.15.59.240  181935     1.32297     1.10016        download  upload.wikimedia.org
	//      2   140.82.121.4   52229     1.47512    0.283253        download            github.com
	//      3  185.15.59.224   53312     1.62819    0.261945        download     www.wikipedia.org
}

func ExampleCapture_Rates() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	df, _ := c.Rates(10 * time.Second)
	fmt.Print(analysis.FormatTable(df.Select([]string{"offset_s", "packets", "bytes", "bits_per_s", "packets_per_s"})))
	// Output:
	//   offset_s  packets   bytes  bits_per_s  packets_per_s
	//          0      113  106004     84803.2           11.3
	//         10      308  288421      230737           30.8
	//         20      172  153702      122962           17.2
	//         30      160  133795      107036             16
	//         40      229  212379      169903           22.9
	//         50       47   40072     32057.6            4.7
	//         60       96   81833     65466.4            9.6
	//         70      191  161573      129258           19.1
	//         80      149  126239      100991           14.9
	//         90      158  129588      103670           15.8
	//        100       36   20766     16612.8            3.6
}

func ExampleCapture_RateStats() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	r, _ := c.RateStats(0)
	fmt.Print(analysis.FormatTable(r.Frame()))
	// Output:
	//       measure       unit     mean  median         peak  bin_s
	//      bit rate      bit/s   109332       0  1.45689e+06      1
	//   packet rate  packets/s  15.5894       0          183      1
}

func ExampleCapture_FailedCommunications() {
	c, _ := analysis.Open("../testdata/sample.pcapng")
	fmt.Print(analysis.FormatTable(c.FailedCommunications().Select([]string{"class", "host", "attempts", "detail"})))
	// Output:
	//                   class          host  attempts                               detail
	//           tcp_no_answer  192.168.1.77         1                              tcp/445
	//            tcp_rejected  192.168.1.50         1                             tcp/8009
	//   icmp_port_unreachable  192.168.1.50         1  udp/3478 (reported by 192.168.1.50)
	//            dns_nxdomain   192.168.1.1         1                        wikipedia.ogr
	//         dns_no_response   192.168.1.1         1                telemetry.example.net
}
