// Package capfile reads packet records from capture files: pcap (micro- and
// nanosecond, either byte order), pcapng (several sections and interfaces with
// their own link types and timestamp resolutions), and either of them gzip
// compressed. The format is recognised from the first bytes, never from the
// file name.
package capfile

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Format names the container of a capture file.
type Format string

// The formats a Reader understands.
const (
	FormatPcap   Format = "pcap"
	FormatPcapNs Format = "pcap (nanosecond)"
	FormatPcapng Format = "pcapng"
)

// Record is the metadata of one packet record. Data returned alongside it is
// only valid until the next call to Next.
type Record struct {
	// Index is the 1-based number of the record in its file.
	Index int
	// Time is the capture time in nanoseconds since the Unix epoch.
	Time int64
	// CapLen is the number of bytes stored in the file, WireLen the length
	// of the packet on the wire.
	CapLen, WireLen int
	// LinkType is the link-layer header type of the record's interface.
	LinkType layers.LinkType
}

// Reader reads the records of one capture file.
type Reader struct {
	raw     *countingReader // the file's bytes, before gzip
	name    string
	format  Format
	gzipped bool
	file    io.Closer
	pcap    *pcapgo.Reader
	ng      *pcapgo.NgReader
	n       int
	done    bool
}

// ErrNotCapture is wrapped by the error Open returns for a file that is
// neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng file")

// Open opens the named capture file; "-" is standard input.
func Open(name string) (*Reader, error) {
	var f io.ReadCloser
	if name == "-" {
		f = io.NopCloser(os.Stdin)
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
		if st, err := fh.Stat(); err == nil && st.IsDir() {
			fh.Close()
			return nil, fmt.Errorf("%s: is a directory, not a capture file", name)
		}
		f = fh
	}
	r, err := NewReader(name, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// NewReader reads a capture from r; name is used in messages only.
func NewReader(name string, r io.Reader) (*Reader, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	rd := &Reader{name: name, raw: cr}
	magic, err := br.Peek(4)
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, zerr := gzip.NewReader(br)
		if zerr != nil {
			return nil, fmt.Errorf("%s: broken gzip stream: %v", name, zerr)
		}
		rd.gzipped = true
		br = bufio.NewReaderSize(zr, 256<<10)
		magic, err = br.Peek(4)
	}
	if len(magic) == 0 && (err == io.EOF || err == nil) {
		return nil, fmt.Errorf("%s: empty file", name)
	}
	if len(magic) < 4 {
		return nil, fmt.Errorf("%s: %w (only %d bytes)", name, ErrNotCapture, len(magic))
	}
	switch {
	case isPcapMagic(magic):
		rd.format = FormatPcap
		if magic[0] == 0x4d || magic[3] == 0x4d {
			rd.format = FormatPcapNs
		}
		p, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: bad pcap file header: %v", name, describe(err))
		}
		rd.pcap = p
	case magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a:
		rd.format = FormatPcapng
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			return nil, fmt.Errorf("%s: bad pcapng section header: %v", name, describe(err))
		}
		rd.ng = ng
	default:
		return nil, fmt.Errorf("%s: %w", name, ErrNotCapture)
	}
	return rd, nil
}

func isPcapMagic(m []byte) bool {
	switch string(m) {
	case "\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4", "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d":
		return true
	}
	return false
}

func describe(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "file ends inside the header"
	}
	return err.Error()
}

// countingReader counts the bytes read from the file.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Offset is how many bytes of the file (compressed, for gzip) have been
// read so far; it may run ahead of the records returned by up to a buffer.
func (r *Reader) Offset() int64 { return r.raw.n.Load() }

// Name is the file name given to Open.
func (r *Reader) Name() string { return r.name }

// Format is the container format, with " + gzip" when compressed.
func (r *Reader) Format() string {
	if r.gzipped {
		return string(r.format) + " + gzip"
	}
	return string(r.format)
}

// LinkTypes lists the link types declared by the file so far (for pcap, the
// one of its header).
func (r *Reader) LinkTypes() []layers.LinkType {
	if r.pcap != nil {
		return []layers.LinkType{r.pcap.LinkType()}
	}
	var out []layers.LinkType
	seen := map[layers.LinkType]bool{}
	for i := 0; i < r.ng.NInterfaces(); i++ {
		if iface, err := r.ng.Interface(i); err == nil && !seen[iface.LinkType] {
			seen[iface.LinkType] = true
			out = append(out, iface.LinkType)
		}
	}
	return out
}

// Next returns the next record. At the end of the file it returns io.EOF. A
// damaged or truncated record gives a *RecordError; the file cannot be read
// past it, and further calls return io.EOF.
func (r *Reader) Next() ([]byte, Record, error) {
	if r.done {
		return nil, Record{}, io.EOF
	}
	var (
		data []byte
		err  error
		rec  Record
	)
	if r.pcap != nil {
		d, c, e := r.pcap.ZeroCopyReadPacketData()
		data, err = d, e
		rec.Time, rec.CapLen, rec.WireLen = c.Timestamp.UnixNano(), c.CaptureLength, c.Length
		rec.LinkType = r.pcap.LinkType()
	} else {
		d, c, e := r.ng.ZeroCopyReadPacketData()
		data, err = d, e
		rec.Time, rec.CapLen, rec.WireLen = c.Timestamp.UnixNano(), c.CaptureLength, c.Length
		if len(c.AncillaryData) > 0 {
			if lt, ok := c.AncillaryData[0].(layers.LinkType); ok {
				rec.LinkType = lt
			}
		}
	}
	if err == nil && rec.WireLen < rec.CapLen {
		// pcapng does not forbid it; the wire length cannot be smaller than
		// what was captured.
		rec.WireLen = rec.CapLen
	}
	if err != nil {
		r.done = true
		if err == io.EOF {
			return nil, Record{}, io.EOF
		}
		return nil, Record{}, &RecordError{File: r.name, Index: r.n + 1, Kept: r.n, Err: err}
	}
	r.n++
	rec.Index = r.n
	return data, rec, nil
}

// Close closes the underlying file.
func (r *Reader) Close() error {
	if r.file != nil {
		return r.file.Close()
	}
	return nil
}

// RecordError says that a file could not be read past a record.
type RecordError struct {
	File  string
	Index int // 1-based number of the record that could not be read
	Kept  int // records read before it
	Err   error
}

// Truncated reports whether the file simply ends inside the record, as when
// a capture was cut off; that is a warning, not a failure.
func (e *RecordError) Truncated() bool {
	return errors.Is(e.Err, io.ErrUnexpectedEOF) || errors.Is(e.Err, io.EOF)
}

// Error is one line naming the file, the record and how many were kept.
func (e *RecordError) Error() string {
	if e.Truncated() {
		return fmt.Sprintf("%s: packet %d: record truncated at end of file (kept %d packets)", e.File, e.Index, e.Kept)
	}
	msg := e.Err.Error()
	if errors.Is(e.Err, gzip.ErrChecksum) || errors.Is(e.Err, gzip.ErrHeader) {
		msg = "broken gzip stream: " + msg
	}
	return fmt.Sprintf("%s: packet %d: unreadable record: %s (kept %d packets)", e.File, e.Index, msg, e.Kept)
}

// Unwrap returns the underlying read error.
func (e *RecordError) Unwrap() error { return e.Err }
