package analysis

import (
	"sort"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// FastestOptions are the minimums a TCP connection must meet to be ranked
// by throughput. The zero value means the defaults.
type FastestOptions struct {
	MinPackets  uint64        // default 10 packets
	MinBytes    uint64        // default 10 000 bytes
	MinDuration time.Duration // default 100 ms
}

// Default minimums for FastestTCPConnections.
const (
	DefaultFastestMinPackets  = 10
	DefaultFastestMinBytes    = 10000
	DefaultFastestMinDuration = 100 * time.Millisecond
)

func (o FastestOptions) withDefaults() FastestOptions {
	if o.MinPackets == 0 {
		o.MinPackets = DefaultFastestMinPackets
	}
	if o.MinBytes == 0 {
		o.MinBytes = DefaultFastestMinBytes
	}
	if o.MinDuration == 0 {
		o.MinDuration = DefaultFastestMinDuration
	}
	return o
}

// FastestTCPConnections answers T3.6: the n TCP connections with the
// highest throughput. Throughput is the connection's wire bytes in both
// directions × 8 / its duration (first to last packet). Only connections
// whose handshake was seen (SYN and SYN-ACK) and that meet the minimums of
// opts (zero value: 10 packets, 10 000 bytes, 100 ms) are ranked, so that
// one-packet connections with a near-zero duration cannot top the list.
// Ties: bytes, then start time. Columns: rank, orig, orig_port, resp,
// resp_port, bytes, packets, duration_s, mbit_per_s, bulk_direction
// ("download" when the responder sent most bytes, else "upload"),
// bulk_share (that direction's share of the bytes), server_name.
func (c *Capture) FastestTCPConnections(n int, opts FastestOptions) dataframe.DataFrame {
	o := opts.withDefaults()
	type cand struct {
		f    *Flow
		rate float64
	}
	var l []cand
	c.eachFlow(func(f *Flow) {
		if f.Proto != ingest.ProtoTCP || f.OrigFlags&0x02 == 0 || f.RespFlags&0x12 != 0x12 {
			return
		}
		d := time.Duration(f.Duration())
		if f.Packets() < o.MinPackets || f.Bytes() < o.MinBytes || d < o.MinDuration {
			return
		}
		l = append(l, cand{f, float64(f.Bytes()) * 8 / d.Seconds()})
	})
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].rate != l[j].rate {
			return l[i].rate > l[j].rate
		}
		if l[i].f.Bytes() != l[j].f.Bytes() {
			return l[i].f.Bytes() > l[j].f.Bytes()
		}
		return l[i].f.First < l[j].f.First
	})
	t := newTable(intCol("rank"), strCol("orig"), intCol("orig_port"), strCol("resp"), intCol("resp_port"), intCol("bytes"),
		intCol("packets"), floatCol("duration_s"), floatCol("mbit_per_s"), strCol("bulk_direction"), floatCol("bulk_share"), strCol("server_name"))
	for i, x := range l {
		if i == n {
			break
		}
		f := x.f
		dir, share := "download", float64(f.RespBytes)/float64(f.Bytes())
		if f.OrigBytes > f.RespBytes {
			dir, share = "upload", float64(f.OrigBytes)/float64(f.Bytes())
		}
		t.row(i+1, f.Orig.String(), f.OrigPort, f.Resp.String(), f.RespPort, f.Bytes(), f.Packets(),
			time.Duration(f.Duration()).Seconds(), x.rate/1e6, dir, share, f.ServerName)
	}
	return t.frame()
}
