package capfile

import (
	"errors"
	"io"
	"os"
)

// bufSize is the read buffer of a source that reads (a pipe, gzip, a
// platform without mmap): 1 MiB, so a 1 GB capture takes about a thousand
// read calls and the largest record pcaplab keeps (MaxRecord plus a pcapng
// block's header) always fits.
const bufSize = 1 << 20

// source hands out the bytes of a capture stream in place: the bytes from
// buf[r] to buf[w] are read and not yet consumed. A record is parsed where
// it lies, never copied; what a caller holds stays valid until the next
// fill or skip.
//
// Bytes come from a reader into one reused buffer, or, for a regular file
// where the platform allows it, from a read-only window of the file mapped
// into memory (see mapping), which saves the copy out of the page cache.
type source struct {
	buf  []byte
	r, w int
	base int64 // stream offset of buf[0]
	rd   io.Reader
	err  error // why no more bytes come (io.EOF at the end), once known
	m    *mapping
	// onMap is told the stream offset a new window reaches (for Offset).
	onMap func(end int64)
}

func newReadSource(rd io.Reader) *source {
	return &source{buf: make([]byte, bufSize), rd: rd}
}

// offset is the stream offset of the next unconsumed byte.
func (s *source) offset() int64 { return s.base + int64(s.r) }

// avail is the number of bytes that can be consumed without a fill.
func (s *source) avail() int { return s.w - s.r }

// fill makes at least n (≤ bufSize) bytes available at buf[r:]; it
// reports false when the stream ends (or fails) first, with the error in
// s.err.
func (s *source) fill(n int) bool {
	if s.w-s.r >= n {
		return true
	}
	if s.m != nil {
		return s.m.fill(s, n)
	}
	if s.err != nil {
		return false
	}
	if s.r > 0 { // keep the unconsumed tail, at the front
		copy(s.buf, s.buf[s.r:s.w])
		s.base += int64(s.r)
		s.w -= s.r
		s.r = 0
	}
	for empty := 0; s.w < n; {
		k, err := s.rd.Read(s.buf[s.w:])
		s.w += k
		if k == 0 && err == nil {
			if empty++; empty == 100 { // as bufio: a reader that never progresses is broken
				err = io.ErrNoProgress
			}
		}
		if err != nil {
			s.err = err
			return s.w >= n
		}
	}
	return true
}

// take consumes n available bytes and returns them.
func (s *source) take(n int) []byte {
	b := s.buf[s.r : s.r+n]
	s.r += n
	return b
}

// skip consumes n bytes, reading past those not available.
func (s *source) skip(n int64) bool {
	if a := int64(s.w - s.r); n <= a {
		s.r += int(n)
		return true
	}
	n -= int64(s.w - s.r)
	s.base += int64(s.w)
	s.r, s.w = 0, 0
	if s.m != nil {
		return s.m.seek(s, n)
	}
	if s.err != nil {
		return false
	}
	for n > 0 {
		k, err := s.rd.Read(s.buf[:min(int64(len(s.buf)), n)])
		s.base += int64(k)
		n -= int64(k)
		if err != nil {
			s.err = err
			return n == 0
		}
	}
	return true
}

// atEOF reports whether the stream ended exactly here (no byte left).
func (s *source) atEOF() bool {
	return s.avail() == 0 && !s.fill(1) && errors.Is(s.err, io.EOF)
}

// unexpected is the error of a stream that ended (or failed) inside
// something: io.ErrUnexpectedEOF at the end, the read error otherwise.
func (s *source) unexpected() error {
	if s.err == nil || s.err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return s.err
}

func (s *source) close() error {
	if s.m != nil {
		return s.m.close()
	}
	return nil
}

// mappable reports whether f is a regular file that can be read through
// a mapping.
func mappable(f *os.File) (int64, bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return 0, false
	}
	return st.Size(), canMap
}
