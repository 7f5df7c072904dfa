package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

// FastestOptions are the minimums a TCP connection must meet to be ranked
// by throughput. The zero value means the defaults.
type FastestOptions struct {
	MinPackets  uint64        // packets in both directions; default 10
	MinBytes    uint64        // payload bytes of the bulk direction; default 10 000
	MinDuration time.Duration // transfer time of the bulk direction; default 10 ms
}

// Default minimums for Flows.Fastest.
const (
	DefaultFastestMinPackets = 10
	DefaultFastestMinBytes   = 10000
	// DefaultFastestMinDuration is 10 ms: below it a few segments sent back
	// to back measure the sender's link more than the connection.
	DefaultFastestMinDuration = 10 * time.Millisecond
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
	Server    string        `table:"server_name"`
	Bulk      string        `table:"direction"`             // download: the responder sent more payload; upload otherwise
	Payload   uint64        `table:"payload_bytes"`         // payload bytes of the bulk direction
	Transfer  time.Duration `table:"transfer_s,3"`          // the bulk direction's transfer time
	KbitPerS  float64       `table:"kbit_per_s,1"`          // payload × 8 / transfer time
	Lifetime  time.Duration `table:"lifetime_s,3"`          // first to last packet
	LifetimeR float64       `table:"lifetime_kbit_per_s,1"` // the same payload × 8 / lifetime: never above KbitPerS
}

// Fastest is T3.6's answer: the ranked connections, the minimums used,
// and how many connections each minimum left out.
type Fastest struct {
	Rows    []FastRow
	Options FastestOptions
	Gap     time.Duration // pauses longer than this are not transfer time (Options.TransferGap)
	// Handshakes counts the TCP connections whose handshake was seen;
	// Ranked those that met every minimum; the others fell short of the
	// first minimum they missed, in this order.
	Handshakes, Ranked                  int
	FewPackets, FewBytes, ShortTransfer int
	// WholeFlow says the transfer time is each connection's lifetime: a
	// flow file has no packet times, so idle gaps cannot be left out.
	WholeFlow bool
	// NoHandshake counts the TCP connections that carried payload but whose
	// handshake was not seen (begun before the capture, or seen from one
	// side only): they are not ranked. NoHandshakeLargest is the largest
	// payload one of them carried in one direction.
	NoHandshake        int
	NoHandshakeLargest uint64
	// FileBytes names the flow file's bytes ("IP bytes") when they stand in
	// for payload, which the file does not count (nfdump); "" otherwise.
	FileBytes string
}

// bulk is a connection's bulk direction, the one that sent more payload:
// its payload and transfer time. From a flow file the transfer time is the
// lifetime, and without payload counts the file's bytes stand in.
func (x Fastest) bulk(f *flow.Flow) (dir string, payload uint64, transfer time.Duration) {
	o, r := f.OrigPayload, f.RespPayload
	if x.FileBytes != "" {
		o, r = f.OrigBytes, f.RespBytes
	}
	dir, payload, transfer = "download", r, f.RespTransfer
	if o > r {
		dir, payload, transfer = "upload", o, f.OrigTransfer
	}
	if x.WholeFlow {
		transfer = f.Duration()
	}
	return dir, payload, transfer
}

// Fastest answers T3.6: the n TCP connections with the highest transfer
// throughput — the payload bytes of the bulk direction (the one that sent
// more) × 8 over its transfer time, from its first to its last payload
// segment without the pauses longer than Options.TransferGap (1 s), so a
// download followed by a minute of keep-alive is rated by its download.
// Only connections whose handshake was seen (SYN and SYN-ACK) and that meet
// the minimums of opts (zero value: 10 packets, 10 000 payload bytes and
// 10 ms of transfer) are ranked. Ties: payload, then start time. The
// lifetime rate (the same payload over first to last packet) is given
// beside it.
func (v Flows) Fastest(n int, opts FastestOptions) Fastest {
	o := opts.WithDefaults()
	x := Fastest{Options: o, Gap: v.c.opt.TransferGap}
	if fi := v.c.Input().FlowFile; fi != nil {
		x.WholeFlow = true
		if !fi.Payload {
			x.FileBytes = string(fi.ByteKind) + " bytes"
			if fi.ByteKind == "ip" {
				x.FileBytes = "IP bytes"
			}
		}
	}
	var top []candidate // the n best so far, best first
	v.c.eachFlow(func(f *flow.Flow) {
		if f.Proto != flow.TCP {
			return
		}
		if f.OrigFlags&flow.SYN == 0 || f.RespFlags&(flow.SYN|flow.ACK) != flow.SYN|flow.ACK {
			if _, p, _ := x.bulk(f); p > 0 {
				x.NoHandshake++
				x.NoHandshakeLargest = max(x.NoHandshakeLargest, p)
			}
			return
		}
		x.Handshakes++
		_, payload, transfer := x.bulk(f)
		switch {
		case f.Packets() < o.MinPackets:
			x.FewPackets++
		case payload < o.MinBytes:
			x.FewBytes++
		case transfer < o.MinDuration:
			x.ShortTransfer++
		default:
			x.Ranked++
			top = keepTop(top, n, candidate{f: *f, rate: float64(payload) * 8 / transfer.Seconds(), payload: payload})
		}
	})
	for i := range top {
		x.Rows = append(x.Rows, x.row(i+1, &top[i].f, top[i].rate))
	}
	return x
}

// candidate is a connection that may rank: its rate and bulk payload.
type candidate struct {
	f       flow.Flow
	rate    float64
	payload uint64
}

// before says whether a ranks above b: higher rate, then more payload, then
// earlier start; a later candidate never goes before an equal one.
func (a *candidate) before(b *candidate) bool {
	switch {
	case a.rate != b.rate:
		return a.rate > b.rate
	case a.payload != b.payload:
		return a.payload > b.payload
	}
	return a.f.First < b.f.First
}

// keepTop puts c into the n best (top, best first) when it belongs there,
// so ranking holds n connections, not every one.
func keepTop(top []candidate, n int, c candidate) []candidate {
	i := sort.Search(len(top), func(i int) bool { return c.before(&top[i]) })
	if i >= n {
		return top
	}
	top = slices.Insert(top, i, c)
	if len(top) > n {
		top = top[:n]
	}
	return top
}
func (x Fastest) row(rank int, f *flow.Flow, rate float64) FastRow {
	dir, payload, transfer := x.bulk(f)
	r := FastRow{Rank: rank, Orig: f.Orig, OrigPort: f.OrigPort, Resp: f.Resp, RespPort: f.RespPort, Server: f.ServerName,
		Bulk: dir, Payload: payload, Transfer: transfer, KbitPerS: rate / 1e3, Lifetime: f.Duration()}
	if d := f.Duration().Seconds(); d > 0 {
		r.LifetimeR = float64(payload) * 8 / d / 1e3
	}
	return r
}

// Sentence names the fastest connection with both of its rates, and says
// how many connections the minimums left out and why.
func (x Fastest) Sentence() string {
	var out []string
	if len(x.Rows) > 0 {
		r := x.Rows[0]
		server := r.Server
		if server == "" {
			server = "no server name seen"
		}
		if x.WholeFlow {
			what := "of payload"
			if x.FileBytes != "" {
				what = "(" + x.FileBytes + ", headers included: the file does not count payload)"
			}
			out = append(out, fmt.Sprintf("The fastest transfer, %s:%d → %s:%d (%s), moved %s %s as a %s in its lifetime of %s: %s (a flow file has no packet times, so idle time is included).",
				r.Orig, r.OrigPort, r.Resp, r.RespPort, server, units.Bytes(r.Payload), what, r.Bulk, units.Duration(r.Transfer), units.BitRate(r.KbitPerS*1e3)))
		} else {
			out = append(out, fmt.Sprintf("The fastest transfer, %s:%d → %s:%d (%s), moved %s of payload as a %s in %s of transfer: %s; over its whole lifetime of %s, idle time included, that payload averaged %s.",
				r.Orig, r.OrigPort, r.Resp, r.RespPort, server, units.Bytes(r.Payload), r.Bulk, units.Duration(r.Transfer), units.BitRate(r.KbitPerS*1e3),
				units.Duration(r.Lifetime), units.BitRate(r.LifetimeR*1e3)))
		}
	}
	return strings.Join(append(out, x.coverage()), " ")
}

// coverage says how many connections were ranked and what left the others
// out.
func (x Fastest) coverage() string {
	if x.Handshakes == 0 {
		return "No TCP connection's handshake (SYN and SYN-ACK) was seen, so none can be ranked." + x.unseen()
	}
	o := x.Options
	var why []string
	for _, c := range []struct {
		n    int
		what string
	}{{x.FewPackets, fmt.Sprintf("fewer than %d packets", o.MinPackets)},
		{x.FewBytes, fmt.Sprintf("less than %s of payload in their bulk direction", units.Bytes(o.MinBytes))},
		{x.ShortTransfer, fmt.Sprintf("less than %s of transfer time", units.Setting(o.MinDuration))}} {
		if c.n > 0 {
			why = append(why, fmt.Sprintf("%s with %s", units.Count(c.n), c.what))
		}
	}
	s := fmt.Sprintf("%s of the %s with a handshake seen met the minimums", units.Count(x.Ranked), units.Plural(x.Handshakes, "TCP connection"))
	if x.Ranked == x.Handshakes {
		s = fmt.Sprintf("All %s with a handshake seen met the minimums", units.Plural(x.Handshakes, "TCP connection"))
		if x.Handshakes == 2 {
			s = "Both TCP connections with a handshake seen met the minimums"
		}
		if x.Handshakes == 1 {
			s = "The one TCP connection with a handshake seen met the minimums"
		}
	}
	if len(why) > 0 {
		s += "; left out: " + strings.Join(why, ", ")
	}
	return s + "."
}

// unseen says how many connections carried data without a handshake seen,
// so a large transfer left out is never silent.
func (x Fastest) unseen() string {
	switch x.NoHandshake {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(" 1 TCP connection carried data (%s in its larger direction) but its handshake was not seen (begun before the capture started, or seen from one side only), so it is not ranked.",
			units.Bytes(x.NoHandshakeLargest))
	}
	return fmt.Sprintf(" %s carried data but their handshake was not seen (begun before the capture started, or seen from one side only), so they are not ranked; the largest moved %s in one direction.",
		units.Plural(x.NoHandshake, "TCP connection"), units.Bytes(x.NoHandshakeLargest))
}
