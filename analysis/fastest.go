package analysis

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/pcaplab/pcaplab/flow"
)

// FastestOptions are the minimums a TCP connection must meet to be ranked
// by throughput. The zero value means the defaults.
type FastestOptions struct {
	MinPackets  uint64        // default 10 packets
	MinBytes    uint64        // default 10 000 bytes
	MinDuration time.Duration // default 100 ms
}

// Default minimums for Flows.Fastest.
const (
	DefaultFastestMinPackets  = 10
	DefaultFastestMinBytes    = 10000
	DefaultFastestMinDuration = 100 * time.Millisecond
)

// WithDefaults fills the zero fields with the defaults.
func (o FastestOptions) WithDefaults() FastestOptions {
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

// FastRow is one ranked TCP connection of T3.6.
type FastRow struct {
	Rank      int           `table:"rank,id"`
	Orig      netip.Addr    `table:"orig"`
	OrigPort  uint16        `table:"orig_port,id"`
	Resp      netip.Addr    `table:"resp"`
	RespPort  uint16        `table:"resp_port,id"`
	Bytes     uint64        `table:"bytes"`
	Packets   uint64        `table:"packets"`
	Duration  time.Duration `table:"duration_s,3"`
	MbitPerS  float64       `table:"mbit_per_s,3"`
	Bulk      string        `table:"bulk_direction"` // download: the responder sent most bytes; upload otherwise
	BulkShare float64       `table:"bulk_share,3"`   // that direction's share of the bytes
	Server    string        `table:"server_name"`
}

// Fastest is T3.6's answer: the ranked connections and the minimums used.
type Fastest struct {
	Rows    []FastRow
	Options FastestOptions
}

// Fastest answers T3.6: the n TCP connections with the highest throughput.
// Throughput is the connection's wire bytes in both directions × 8 / its
// duration (first to last packet). Only connections whose handshake was
// seen (SYN and SYN-ACK) and that meet the minimums of opts (zero value:
// 10 packets, 10 000 bytes, 100 ms) are ranked, so that one-packet
// connections with a near-zero duration cannot top the list. Ties: bytes,
// then start time.
func (v Flows) Fastest(n int, opts FastestOptions) Fastest {
	o := opts.WithDefaults()
	type cand struct {
		f    flow.Flow
		rate float64
	}
	var l []cand
	v.c.eachFlow(func(f *flow.Flow) {
		if f.Proto != flow.TCP || f.OrigFlags&flow.SYN == 0 || f.RespFlags&(flow.SYN|flow.ACK) != flow.SYN|flow.ACK {
			return
		}
		d := f.Duration()
		if f.Packets() < o.MinPackets || f.Bytes() < o.MinBytes || d < o.MinDuration {
			return
		}
		l = append(l, cand{*f, float64(f.Bytes()) * 8 / d.Seconds()})
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
	out := Fastest{Options: o}
	for i, x := range l {
		if i == n {
			break
		}
		f := &x.f
		dir, share := "download", float64(f.RespBytes)/float64(f.Bytes())
		if f.OrigBytes > f.RespBytes {
			dir, share = "upload", float64(f.OrigBytes)/float64(f.Bytes())
		}
		out.Rows = append(out.Rows, FastRow{Rank: i + 1, Orig: f.Orig, OrigPort: f.OrigPort, Resp: f.Resp, RespPort: f.RespPort,
			Bytes: f.Bytes(), Packets: f.Packets(), Duration: f.Duration(), MbitPerS: x.rate / 1e6, Bulk: dir, BulkShare: share, Server: f.ServerName})
	}
	return out
}

// Sentence names the fastest connection, or says why none is ranked.
func (x Fastest) Sentence() string {
	if len(x.Rows) == 0 {
		return "No TCP connection met the minimums (handshake seen, enough packets, bytes and duration), so none is ranked: the capture holds only short or partial connections."
	}
	r := x.Rows[0]
	server := r.Server
	if server == "" {
		server = "no server name seen"
	}
	return fmt.Sprintf("The fastest connection, %s:%d → %s:%d (%s), moved %d bytes in %.3f s: %.2f Mbit/s, mostly as a %s. Connections below the minimums are left out so that one-packet connections with near-zero durations cannot top the list.",
		r.Orig, r.OrigPort, r.Resp, r.RespPort, server, r.Bytes, r.Duration.Seconds(), r.MbitPerS, r.Bulk)
}
