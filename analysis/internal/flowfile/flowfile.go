// Package flowfile reads flow records exported by common tools — tshark's
// conversation tables, nfdump CSV, Zeek conn.log (TSV and JSON), Argus
// `ra -c ,`, CICFlowMeter and NFStream CSV — and pcaplab's own CSV export,
// recognising the format from the content. Every record becomes a
// bidirectional flow; what each format can and cannot say (which bytes it
// counts, rounding, pairing of one-way records) is reported in Notes.
package flowfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
)

// Format names a flow-file format.
type Format string

// The formats Read recognises.
const (
	TsharkConv   Format = "tshark -z conv (text)"
	Nfdump       Format = "nfdump -o csv"
	ZeekTSV      Format = "Zeek conn.log (TSV)"
	ZeekJSON     Format = "Zeek conn.log (JSON)"
	Argus        Format = "Argus ra -c ,"
	CICFlowMeter Format = "CICFlowMeter CSV"
	NFStream     Format = "NFStream CSV"
	Pcaplab      Format = "pcaplab flows CSV"
)

// Bytes says what a format's byte counts measure.
type Bytes string

// What byte counts can mean.
const (
	WireBytes    Bytes = "frame (wire) bytes, as pcaplab counts"
	IPBytes      Bytes = "IP bytes (from the IP header; no link-layer header)"
	PayloadBytes Bytes = "transport payload bytes (no headers)"
)

// Result is what a flow file holds.
type Result struct {
	Format Format
	Bytes  Bytes
	Flows  []flow.Flow
	// HasState is true when the format says how TCP connections went
	// (conn_state or flags), so failures can be classified.
	HasState bool
	Notes    []string
}

// ErrUnknown is wrapped by Read's error for content it does not recognise.
var ErrUnknown = errors.New("not a flow file pcaplab knows (tshark conv, nfdump csv, Zeek conn.log, Argus, CICFlowMeter, NFStream, pcaplab CSV)")

// Open reads a flow file by name.
func Open(name string) (*Result, error) {
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	return Read(name, f)
}

// Detect reports whether the first bytes of a file look like a flow file.
func Detect(head []byte) bool {
	_, ok := detect(head)
	return ok
}

func detect(head []byte) (Format, bool) {
	first := firstLine(head)
	switch {
	case bytes.Contains(head, []byte("TCP Conversations")) || bytes.Contains(head, []byte("UDP Conversations")) ||
		bytes.Contains(head, []byte("IPv4 Conversations")):
		return TsharkConv, true
	case bytes.HasPrefix(head, []byte("#separator")):
		return ZeekTSV, true
	case bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) && bytes.Contains(first, []byte(`"id.orig_h"`)):
		return ZeekJSON, true
	case bytes.HasPrefix(first, []byte("ts,te,td,sa,da,sp,dp,pr")):
		return Nfdump, true
	case flow.IsCSVHeader(string(first)):
		return Pcaplab, true
	case bytes.Contains(first, []byte("bidirectional_packets")) && bytes.Contains(first, []byte("src_ip")):
		return NFStream, true
	case bytes.Contains(first, []byte("Src IP")) && bytes.Contains(first, []byte("Flow Duration")):
		return CICFlowMeter, true
	case bytes.Contains(first, []byte("SrcAddr")) && bytes.Contains(first, []byte("DstAddr")) && bytes.Contains(first, []byte("Proto")):
		return Argus, true
	}
	return "", false
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return bytes.TrimRight(b[:i], "\r")
	}
	return b
}

// Read reads a flow file; name is used in messages.
func Read(name string, r io.Reader) (*Result, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(4096)
	f, ok := detect(head)
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, ErrUnknown)
	}
	var res *Result
	var err error
	switch f {
	case TsharkConv:
		res, err = readTsharkConv(br)
	case Nfdump:
		res, err = readNfdump(br)
	case ZeekTSV:
		res, err = readZeekTSV(br)
	case ZeekJSON:
		res, err = readZeekJSON(br)
	case Argus:
		res, err = readArgus(br)
	case CICFlowMeter:
		res, err = readCIC(br)
	case NFStream:
		res, err = readNFStream(br)
	case Pcaplab:
		res, err = readPcaplab(br)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, f, err)
	}
	res.Format = f
	if len(res.Flows) == 0 {
		return nil, fmt.Errorf("%s: %s with no flow records", name, f)
	}
	sort.SliceStable(res.Flows, func(i, j int) bool { return res.Flows[i].First < res.Flows[j].First })
	return res, nil
}

// lineError is an error at a line of the file.
func lineError(line int, format string, a ...any) error {
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, a...))
}

func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(s), "[]"))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("bad address %q", s)
	}
	return a.Unmap(), nil
}

func protoNumber(s string) (flow.Proto, bool) { return flow.ParseProto(s) }
