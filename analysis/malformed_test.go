package analysis

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMalformedCorpus: every file of testdata/malformed (made by
// scripts/genmalformed) has its exact outcome: an error naming the file, or
// the packets kept, the warning and the skipped packets by reason.
func TestMalformedCorpus(t *testing.T) {
	const ipv4 = "malformed or truncated IPv4 header"
	cases := []struct {
		file    string
		err     string // error when nothing usable was read
		packets uint64
		warning string
		skipped map[string]uint64
		check   func(*testing.T, *Capture)
	}{
		{file: "empty.pcap", err: "empty.pcap: empty file"},
		{file: "header-only.pcap", packets: 0, warning: "header-only.pcap: no packets in capture", check: func(t *testing.T, c *Capture) {
			if c.Flows().Count() != 0 || c.Bytes() != 0 || c.Duration() != 0 { // zeros, as capinfos gives them
				t.Errorf("%d flows, %d bytes over %v", c.Flows().Count(), c.Bytes(), c.Duration())
			}
		}},
		{file: "wrong-magic.pcap", err: "wrong-magic.pcap: not a pcap or pcapng file"},
		{file: "truncated-last-record.pcap", packets: 2, warning: "packet 3: record truncated at end of file (kept 2 packets)"},
		{file: "gzip-cut.pcap.gz", packets: 1, warning: "packet 2: record truncated at end of file (kept 1 packets)"},
		{file: "record-claims-4gb.pcap", packets: 1, warning: "packet 2: damaged file at byte 109: record length 4294967280 exceeds the file's snap length 65535 and the 262144-byte maximum (damaged record header) (kept 1 packets)"},
		{file: "snaplen-0.pcap", packets: 3},
		{file: "snaplen-2g.pcap", packets: 3},
		{file: "time-backwards.pcap", packets: 4, check: func(t *testing.T, c *Capture) {
			if c.Duration().Seconds() != 4 { // latest (5 s) minus earliest (1 s), not last minus first record
				t.Errorf("duration %v, want 4 s", c.Duration())
			}
		}},
		{file: "duplicate-packets.pcap", packets: 2, check: func(t *testing.T, c *Capture) {
			if f := c.Flows().Slice(); len(f) != 1 || f[0].Packets() != 2 { // duplicates are not removed: both count
				t.Errorf("flows %+v", f)
			}
		}},
		{file: "short-ethernet.pcap", packets: 1, skipped: map[string]uint64{"malformed or truncated link-layer header": 1}},
		{file: "ipv4-ihl-below-5.pcap", packets: 1, skipped: map[string]uint64{ipv4: 1}},
		{file: "tcp-offset-beyond-packet.pcap", packets: 1, skipped: map[string]uint64{"malformed or truncated TCP header": 1}, check: func(t *testing.T, c *Capture) {
			if c.Flows().Count() != 0 || len(c.Flows().Slice()) != 0 || len(c.Hosts().Addrs()) != 2 { // the IP header still names its hosts
				t.Errorf("%d flows, %d hosts", c.Flows().Count(), len(c.Hosts().Addrs()))
			}
		}},
		{file: "ipv6-extension-loop.pcap", packets: 1, check: func(t *testing.T, c *Capture) {
			if c.Traffic().IPProtocol(60).Packets != 1 { // the chain ends with the data: counted under its last header
				t.Errorf("IP protocol 60: %+v", c.Traffic().IPProtocol(60))
			}
		}},
		{file: "unknown-link-type.pcap", packets: 1, skipped: map[string]uint64{"unsupported link type 147": 1}},
		{file: "wifi-beacons-only.pcap", packets: 2, skipped: map[string]uint64{"no network layer (802.11 management or control frame, or an empty frame)": 2}},
		{file: "pcapng-unknown-block.pcapng", packets: 2},
		{file: "pcapng-time-past-2262.pcapng", packets: 1, check: func(t *testing.T, c *Capture) {
			if c.m.Dropped.BadTime != 1 || c.Duration() != 0 || c.Input().Files[0].Packets != 1 { // set aside, not wrapped
				t.Errorf("dropped %+v, duration %v", c.m.Dropped, c.Duration())
			}
			seriesCounts(t, c, 1)
		}},
		{file: "pcapng-block-length-damaged.pcapng", packets: 1,
			warning: "packet 2: damaged file at byte 152: block claims 1073741824 bytes, 1073741616 more than the file holds (damaged block length) (kept 1 packets)"},
		{file: "time-jump.pcap", packets: 4, check: func(t *testing.T, c *Capture) {
			if c.m.Dropped.TimeJumps != 1 || c.Duration().Seconds() != 3 { // ten years away from both neighbours: set aside
				t.Errorf("dropped %+v, duration %v", c.m.Dropped, c.Duration())
			}
			seriesCounts(t, c, 4)
		}},
		{file: "flows-times-wrap.csv", packets: 2, check: func(t *testing.T, c *Capture) {
			if c.m.Dropped.BadTime != 2 || c.Flows().Count() != 1 || c.Duration() != time.Millisecond {
				t.Errorf("dropped %+v, %d flows, duration %v", c.m.Dropped, c.Flows().Count(), c.Duration())
			}
		}},
		{file: "pcapng-two-byte-orders.pcapng", packets: 2, check: func(t *testing.T, c *Capture) {
			if c.Flows().Count() != 1 || len(c.Flows().Slice()) != 1 || c.Duration().Seconds() != 1 {
				t.Errorf("%d flows over %v", c.Flows().Count(), c.Duration())
			}
		}},
	}
	files, _ := filepath.Glob("../testdata/malformed/*")
	if len(files) != len(cases) {
		t.Errorf("%d files in testdata/malformed, %d cases: every file needs its outcome", len(files), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c, err := Open(filepath.Join("../testdata/malformed", tc.file))
			if tc.err != "" {
				if err == nil || !strings.HasSuffix(err.Error(), tc.err) {
					t.Fatalf("error %v, want …%q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := c.Input().Files[0].Warning
			if c.Packets() != tc.packets || (tc.warning == "") != (w == "") || !strings.HasSuffix(w, tc.warning) {
				t.Errorf("%d packets, warning %q; want %d, …%q", c.Packets(), w, tc.packets, tc.warning)
			}
			want := tc.skipped
			if want == nil {
				want = map[string]uint64{}
			}
			if !reflect.DeepEqual(c.Input().Skipped, want) {
				t.Errorf("skipped %v, want %v", c.Input().Skipped, want)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// seriesCounts checks that a second pass over the capture (Traffic.Series)
// sets aside the records the model set aside: it counts the model's
// packets, not the file's records.
func seriesCounts(t *testing.T, c *Capture, packets uint64) {
	t.Helper()
	s, err := c.Traffic().Series(Filter{}, time.Second)
	if err != nil {
		t.Fatalf("series: %v", err)
	}
	var n uint64
	for _, b := range s {
		n += b.Packets
	}
	if n != packets || c.Packets() != packets || c.Input().Dropped != Dropped(c.m.Dropped) {
		t.Errorf("series: %d packets in %d bins, model %d; input's dropped %+v", n, len(s), c.Packets(), c.Input().Dropped)
	}
}
