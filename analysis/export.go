package analysis

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/pcaplab/pcaplab/analysis/internal/flowfile"
)

// WriteFlowsCSV writes every flow as CSV with a header, one row per flow:
//
//	start_ns, end_ns   first and last packet, ns since the Unix epoch
//	protocol           IP protocol number
//	orig, orig_port    originator address and port (ICMP: see the package doc)
//	resp, resp_port    responder
//	orig_packets, resp_packets, orig_bytes, resp_bytes   per direction; bytes are wire bytes
//	orig_payload, resp_payload   transport payload bytes
//	state, history     Zeek conn_state and history
//	rtt_ns             handshake RTT (-1: not seen)
//	end_reason         eof, idle or reused
//	icmp_error         1 + type<<8 | code of an ICMP error about the flow (0: none)
//	application, server_name   recognised from the payload
//	orig_flags, resp_flags     TCP flags each side sent, ORed (FIN 1, SYN 2, RST 4, PSH 8, ACK 16)
//
// OpenFlows reads the file back. The same columns suit SQL engines (DuckDB,
// ClickHouse) for the metrics over many captures.
func (c *Capture) WriteFlowsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(flowfile.CSVHeader); err != nil {
		return err
	}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	var werr error
	fl := c.Flows()
	for i := range fl {
		f := &fl[i]
		if werr != nil {
			break
		}
		rec := []string{strconv.FormatInt(f.First, 10), strconv.FormatInt(f.Last, 10), strconv.Itoa(int(f.Proto)),
			f.Orig.String(), strconv.Itoa(int(f.OrigPort)), f.Resp.String(), strconv.Itoa(int(f.RespPort)),
			u(f.OrigPackets), u(f.RespPackets), u(f.OrigBytes), u(f.RespBytes), u(f.OrigPayload), u(f.RespPayload),
			f.State, f.History, strconv.FormatInt(f.RTT, 10), f.End.String(), strconv.Itoa(int(f.ICMPError)), f.App, f.ServerName,
			strconv.Itoa(int(f.OrigFlags)), strconv.Itoa(int(f.RespFlags))}
		werr = cw.Write(rec)
	}
	if werr != nil {
		return werr
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return c.err
}
