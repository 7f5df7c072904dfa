package flowfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are layouts no committed file has: nfdump's later CSV layouts
// (which 1.7.1 cannot print), tshark's time-of-day starts, a BOM, Argus
// with a | separator and dates.
var fuzzSeeds = []string{
	"firstSeen,lastSeen,duration,srcAddr,dstAddr,srcPort,dstPort,proto,flags,inPackets,inBytes,outPackets,outBytes\n" +
		"2025-10-14 09:30:04.532,2025-10-14 09:30:04.532,0.000,192.168.1.23,192.168.1.1,40961,53,17,........,1,60,0,0\n" +
		"2025-10-14 09:30:57.100,2025-10-14 09:30:57.100,0.000,93.71.110.205,192.168.1.6,0,3.3,1,........,1,56,0,0\n",
	"cnt,af,firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,srcAS,dstAS,input,output,flags,srcTos,packets,bytes\n" +
		"1,2,1760434204532,1760434204532,17,192.168.1.23,40961,192.168.1.1,53,0,0,0,0,........,0,1,60\n",
	"================================================================================\nTCP Conversations\nFilter:<No Filter>\n" +
		"    |       <-      | |       ->      | |     Total     | Absolute Time  |   Duration   |\n" +
		"192.168.1.23:51004         <-> 185.15.59.240:443              125 177 kB         56 3985 bytes     181 181 kB     09:30:16         1.3230\n",
	"\ufeffStartTime|LastTime|Proto|SrcAddr|Sport|Dir|DstAddr|Dport|SrcPkts|DstPkts|SrcBytes|DstBytes|State\n" +
		"2025/10/14 23:59:59.5|2025/10/15 00:00:01.25|tcp|10.0.0.1|5000|?>|10.0.0.2|http|3|2|180|120|S_RA\n",
}

// FuzzRead: any bytes are a flow file of some format, or an error that
// names the file — never a panic; flows never end before they start and
// never count bytes without packets.
func FuzzRead(f *testing.F) {
	paths, _ := filepath.Glob("../../../testdata/flowfiles/*")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			if len(b) > 8192 {
				b = b[:8192]
			}
			f.Add(b)
		}
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv: ") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line naming the file: %q", err)
			}
			return
		}
		for _, fl := range res.Flows {
			if fl.Last < fl.First {
				t.Fatalf("flow ends before it starts: %+v", fl)
			}
		}
	})
}
