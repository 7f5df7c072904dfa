package flowfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/pcaplab/pcaplab/flow"
)

// headSize is how much of a file detection looks at: enough for the
// tables' titles and a header line.
const headSize = 64 << 10

// part is what one file held, before files are combined: its result, and
// for one-way nfdump records the records still to be paired.
type part struct {
	res    *Result
	oneWay []nfRecord
}

// Open reads flow files as one input, in the order given ("-" is standard
// input). All must be of one format.
func Open(names ...string) (*Result, error) {
	if len(names) == 0 {
		return nil, errors.New("no flow file given")
	}
	parts := make([]*part, 0, len(names))
	for _, name := range names {
		p, err := openPart(name)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	return combine(parts)
}

// Read reads one flow file from r; name is used in messages.
func Read(name string, r io.Reader) (*Result, error) {
	p, err := readPart(name, r)
	if err != nil {
		return nil, err
	}
	return combine([]*part{p})
}

func openPart(name string) (*part, error) {
	if name == "-" {
		return readPart(name, os.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	return readPart(name, f)
}

// displayName is how messages name a file.
func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}

// readPart decompresses, drops a byte order mark, recognises the format
// and reads the file.
func readPart(name string, r io.Reader) (*part, error) {
	shown := displayName(name)
	br, err := plain(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", shown, err)
	}
	head, _ := br.Peek(headSize)
	f, err := detect(head)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	p, err := readers[f](br)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	if p.res.Format == "" {
		p.res.Format = f
	}
	p.res.Files = []FileStat{fileStat(name, p)}
	return p, nil
}

// readers read one file of each format family.
var readers = map[Format]func(*bufio.Reader) (*part, error){
	TsharkConv: readTshark, Nfdump: readNfdumpCSV, NfdumpJSON: readNfdumpJSON, Argus: readArgus,
	ZeekTSV: readZeekTSV, ZeekJSON: readZeekJSON, CICFlowMeter: readCIC, NFStream: readNFStream, Pcaplab: readPcaplab,
}

// plain returns a reader of the file's text: gunzipped when it is gzip,
// without a UTF-8 byte order mark.
func plain(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, headSize)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("broken gzip stream: %v", err)
		}
		br = bufio.NewReaderSize(zr, headSize)
	}
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	return br, nil
}

// Detect reports whether the first bytes of a file (gzip-compressed or
// not) look like a flow file, or like a binary flow file (nfcapd, argus)
// that Read refuses with advice.
func Detect(head []byte) bool {
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		head, _ = io.ReadAll(io.LimitReader(zr, headSize)) // a cut stream gives what it could
	}
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	if isCapture(head) {
		return false
	}
	_, err := detect(head)
	return err == nil || !errors.Is(err, ErrUnknown)
}

var nfdumpRow = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?,\s*\d+\.\d+,`)

// detect names the format family of a file from its first bytes.
func detect(head []byte) (Format, error) {
	first := strings.TrimRight(string(firstLine(head)), "\r")
	lower := strings.ToLower(first)
	trimmed := bytes.TrimSpace(head)
	switch {
	case len(head) >= 4 && head[0] == 0x0c && head[1] == 0xa5:
		return "", errors.New("an nfdump binary file (nfcapd): export it as text with nfdump -r FILE -o json")
	case len(head) >= 4 && head[0] == 0x83 && head[1] == 0x10:
		return "", errors.New("an Argus binary file: export it as text with " + argusAdvice)
	case bytes.Contains(head, []byte(" Conversations")) && bytes.Contains(head, []byte("<->")):
		return TsharkConv, nil
	case bytes.HasPrefix(head, []byte("#separator")):
		return ZeekTSV, nil
	case bytes.HasPrefix(trimmed, []byte("{")) && strings.Contains(first, `"id.orig_h"`):
		return ZeekJSON, nil
	case bytes.HasPrefix(trimmed, []byte("[")) && bytes.Contains(head, []byte(`"type"`)) && bytes.Contains(head, []byte(`"in_packets"`)):
		return NfdumpJSON, nil
	case isNfdumpHeader(lower) || nfdumpRow.MatchString(first):
		return Nfdump, nil
	case flow.IsCSVHeader(first):
		return Pcaplab, nil
	case strings.Contains(lower, "bidirectional_packets") && strings.Contains(lower, "src_ip"):
		return NFStream, nil
	case strings.Contains(lower, "src ip") && strings.Contains(lower, "flow duration"):
		return CICFlowMeter, nil
	case strings.Contains(first, "SrcAddr") && strings.Contains(first, "DstAddr") || strings.HasPrefix(first, "StartTime"):
		return Argus, nil
	}
	return "", ErrUnknown
}

func isNfdumpHeader(lower string) bool {
	return strings.HasPrefix(lower, "ts,te,td,sa,da,sp,dp,pr") || strings.HasPrefix(lower, "cnt,af,firstseen,lastseen") ||
		strings.Contains(lower, "firstseen") && strings.Contains(lower, "lastseen") && strings.Contains(lower, "srcaddr")
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

func fileStat(name string, p *part) FileStat {
	fs := FileStat{Name: name, Records: p.res.Records, Totals: p.res.Totals}
	for i := range p.res.Flows {
		fs.Packets += p.res.Flows[i].Packets()
		fs.Bytes += p.res.Flows[i].Bytes()
	}
	for i := range p.oneWay {
		fs.Packets += p.oneWay[i].pkts + p.oneWay[i].opkts
		fs.Bytes += p.oneWay[i].bytes + p.oneWay[i].obytes
	}
	return fs
}

// isCapture reports whether head starts like a pcap or pcapng file.
func isCapture(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	switch string(head[:4]) {
	case "\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d", "\x0a\x0d\x0d\x0a":
		return true
	}
	return false
}
