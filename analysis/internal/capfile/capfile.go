// Package capfile reads packet records from capture files: pcap (micro- and
// nanosecond, either byte order), pcapng (several sections and interfaces with
// their own link types and timestamp resolutions), and either of them gzip
// compressed. The format is recognised from the first bytes, never from the
// file name.
//
// Records are parsed where they lie in a reused buffer, or in a window of
// the file mapped into memory (regular files on Linux), so reading copies
// nothing and costs about one system call per 2 MiB. What the reader holds
// is bounded whatever the file says: a record keeps at most MaxRecord bytes
// (the rest is skipped and the record marked Cut), pcapng options, comments
// and name resolution blocks are skipped, never kept, and a timestamp that
// is not a time between 1970 and 2262 is flagged (BadTime), never wrapped.
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
)

// Format names the container of a capture file.
type Format string

// The formats a Reader understands.
const (
	FormatPcap   Format = "pcap"
	FormatPcapNs Format = "pcap (nanosecond)"
	FormatPcapng Format = "pcapng"
)

// MaxRecord is the most bytes of one record a Reader returns: 262 144,
// libpcap's largest snap length. A longer record keeps its first
// MaxRecord bytes (Record.Cut); the rest is skipped.
const MaxRecord = 262144

// Record is the metadata of one packet record. Data returned alongside it is
// only valid until the next call to Next.
type Record struct {
	// Index is the 1-based number of the record in its file.
	Index int
	// Time is the capture time in nanoseconds since the Unix epoch; 0 when
	// BadTime.
	Time int64
	// CapLen is the number of bytes returned (at most MaxRecord), WireLen
	// the length of the packet on the wire (never less than CapLen).
	CapLen, WireLen int
	// LinkType is the link-layer header type of the record's interface.
	LinkType layers.LinkType
	// Cut says the record held more than MaxRecord bytes; the rest was
	// skipped.
	Cut bool
	// BadTime says the record has no usable timestamp: one outside 1970-01-01
	// to 2262-04-11 (what int64 nanoseconds hold), or none at all (a pcapng
	// simple packet block).
	BadTime bool
}

// Reader reads the records of one capture file.
type Reader struct {
	src     *source
	raw     *countingReader // the file's bytes when read by read calls
	mapped  atomic.Int64    // bytes of a mapped file passed so far
	name    string
	format  Format
	gzipped bool
	file    io.Closer
	n       int
	done    bool
	cut     []byte // a cut record's kept bytes, copied before the rest is skipped
	links   []layers.LinkType

	// pcap
	pcapBig bool
	fracNs  int64 // nanoseconds per unit of the fraction field
	snaplen uint32
	ng      ngState
}

// ErrNotCapture is wrapped by the error Open returns for a file that is
// neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng file")

// Open opens the named capture file; "-" is standard input.
func Open(name string) (*Reader, error) {
	if name == "-" {
		return NewReader(name, os.Stdin)
	}
	fh, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
	}
	st, err := fh.Stat()
	if err == nil && st.IsDir() {
		fh.Close()
		return nil, fmt.Errorf("%s: is a directory, not a capture file", name)
	}
	var r *Reader
	if size, ok := mappable(fh); ok && !isGzip(fh) {
		r, err = newReader(name, newMapSource(fh, size), nil)
	} else {
		r, err = NewReader(name, fh)
	}
	if err != nil {
		fh.Close()
		return nil, err
	}
	r.file = fh
	return r, nil
}

// isGzip peeks at the first two bytes of a file.
func isGzip(f *os.File) bool {
	var m [2]byte
	n, _ := f.ReadAt(m[:], 0)
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b
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
	br := bufio.NewReaderSize(cr, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: broken gzip stream: %v", name, err)
		}
		rd, err := newReader(name, newReadSource(zr), cr)
		if rd != nil {
			rd.gzipped = true
		}
		return rd, err
	}
	return newReader(name, newReadSource(br), cr)
}

func newReader(name string, src *source, raw *countingReader) (*Reader, error) {
	rd := &Reader{name: name, src: src, raw: raw}
	src.onMap = func(end int64) { rd.mapped.Store(end) }
	if !src.fill(4) {
		if src.avail() == 0 && errors.Is(src.err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file", name)
		}
		if src.err != nil && !errors.Is(src.err, io.EOF) {
			return nil, fmt.Errorf("%s: %v", name, src.err)
		}
		return nil, fmt.Errorf("%s: %w (only %d bytes)", name, ErrNotCapture, src.avail())
	}
	magic := src.buf[src.r : src.r+4]
	switch {
	case isPcapMagic(magic):
		if err := rd.pcapHeader(); err != nil {
			return nil, fmt.Errorf("%s: bad pcap file header: %v", name, err)
		}
	case string(magic) == "\x0a\x0d\x0d\x0a":
		rd.format = FormatPcapng
		if err := rd.ngStart(); err != nil {
			return nil, fmt.Errorf("%s: bad pcapng section header: %v", name, err)
		}
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
// It may be called from another goroutine than Next's.
func (r *Reader) Offset() int64 {
	if r.raw != nil {
		return r.raw.n.Load()
	}
	return r.mapped.Load()
}

// Name is the file name given to Open.
func (r *Reader) Name() string { return r.name }

// Format is the container format, with " + gzip" when compressed.
func (r *Reader) Format() string {
	if r.gzipped {
		return string(r.format) + " + gzip"
	}
	return string(r.format)
}

// LinkTypes lists the link types the file declared so far, each once, in
// the order first declared (for pcap, the one of its header).
func (r *Reader) LinkTypes() []layers.LinkType { return append([]layers.LinkType(nil), r.links...) }

func (r *Reader) declare(lt layers.LinkType) {
	for _, l := range r.links {
		if l == lt {
			return
		}
	}
	r.links = append(r.links, lt)
}

// Next returns the next record. At the end of the file it returns io.EOF. A
// damaged or truncated record gives a *RecordError; the file cannot be read
// past it, and further calls return io.EOF.
func (r *Reader) Next() ([]byte, Record, error) {
	var rec Record
	data, err := r.NextInto(&rec)
	return data, rec, err
}

// NextInto is Next describing the record in *rec (zeroed on an error),
// for a caller that keeps records in a slice of its own: returning the
// 40-byte Record and copying it on cost pcaplab's reading goroutine 0.01 s
// of its 0.175 s on a capture of 1.3 M packets.
func (r *Reader) NextInto(rec *Record) ([]byte, error) {
	*rec = Record{}
	if r.done {
		return nil, io.EOF
	}
	var (
		data []byte
		err  error
	)
	if r.format == FormatPcapng {
		data, err = r.ngNext(rec)
	} else {
		data, err = r.pcapNext(rec)
	}
	if err != nil {
		r.done = true
		*rec = Record{}
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, r.recordError(err)
	}
	r.n++
	rec.Index = r.n
	if rec.WireLen < rec.CapLen {
		// pcapng does not forbid it; the wire length cannot be smaller than
		// what was captured.
		rec.WireLen = rec.CapLen
	}
	return data, nil
}

// Close closes the underlying file.
func (r *Reader) Close() error {
	err := r.src.close()
	if r.file != nil {
		if e := r.file.Close(); err == nil {
			err = e
		}
	}
	return err
}

// damage is a record or block whose own fields contradict each other or
// the format; At is its offset in the (decompressed) stream.
type damage struct {
	At  int64
	Msg string
}

func (d *damage) Error() string { return d.Msg }

func damaged(at int64, format string, args ...any) error {
	return &damage{At: at, Msg: fmt.Sprintf(format, args...)}
}

func (r *Reader) recordError(err error) *RecordError {
	e := &RecordError{File: r.name, Index: r.n + 1, Kept: r.n, Err: err, Decompressed: r.gzipped}
	var d *damage
	if errors.As(err, &d) {
		e.Offset = d.At
	}
	return e
}

// RecordError says that a file could not be read past a record.
type RecordError struct {
	File  string
	Index int // 1-based number of the record that could not be read
	Kept  int // records read before it
	// Offset is where the damaged record or block starts, in bytes from
	// the start of the file (of the decompressed stream, when
	// Decompressed); 0 when the file simply ended or failed to read.
	Offset       int64
	Decompressed bool
	Err          error
}

// Truncated reports whether the file simply ends inside the record, as when
// a capture was cut off; that is a warning, not a failure.
func (e *RecordError) Truncated() bool {
	return errors.Is(e.Err, io.ErrUnexpectedEOF) || errors.Is(e.Err, io.EOF)
}

// Error is one line naming the file, the record, where it starts when the
// file is damaged, what is wrong and how many records were kept.
func (e *RecordError) Error() string {
	if e.Truncated() {
		return fmt.Sprintf("%s: packet %d: record truncated at end of file (kept %d packets)", e.File, e.Index, e.Kept)
	}
	var d *damage
	if errors.As(e.Err, &d) {
		where := fmt.Sprintf("byte %d", d.At)
		if e.Decompressed {
			where += " of the decompressed data"
		}
		return fmt.Sprintf("%s: packet %d: damaged file at %s: %s (kept %d packets)", e.File, e.Index, where, d.Msg, e.Kept)
	}
	msg := e.Err.Error()
	if errors.Is(e.Err, gzip.ErrChecksum) || errors.Is(e.Err, gzip.ErrHeader) {
		msg = "broken gzip stream: " + msg
	}
	return fmt.Sprintf("%s: packet %d: unreadable record: %s (kept %d packets)", e.File, e.Index, msg, e.Kept)
}

// Unwrap returns the underlying read error.
func (e *RecordError) Unwrap() error { return e.Err }
