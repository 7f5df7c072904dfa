package capfile

import (
	"io"
	"os"
	"syscall"
)

// canMap: regular files are read through a mapping on Linux.
const canMap = true

// window is how much of a file is mapped at once: 2 MiB, so a file's pages
// leave the process (and its resident memory) as reading moves on, and a
// 1 GB capture takes about 500 map calls. The largest record pcaplab keeps
// is far smaller, so a record always fits in one window.
const window = 2 << 20

// mapping reads a regular file through a moving read-only window mapped
// with MAP_POPULATE: one system call maps and faults in 2 MiB, no byte is
// copied out of the page cache, and the previous window is unmapped.
type mapping struct {
	f    *os.File
	size int64
	win  []byte
}

func newMapSource(f *os.File, size int64) *source {
	return &source{m: &mapping{f: f, size: size}}
}

// fill maps the window that starts at the page holding the next byte.
func (m *mapping) fill(s *source, n int) bool {
	pos := s.base + int64(s.r)
	if pos+int64(n) > m.size {
		m.restat() // the file may have grown since it was opened
	}
	if err := m.unmap(); err != nil {
		s.err = err
		return false
	}
	s.buf, s.r, s.w = nil, 0, 0
	s.base = pos
	if pos >= m.size {
		s.err = io.EOF
		return false
	}
	page := int64(os.Getpagesize())
	start := pos - pos%page
	length := min(window, m.size-start)
	b, err := syscall.Mmap(int(m.f.Fd()), start, int(length), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		// no address space for a window (a tight ulimit -v): read the
		// rest of the file with read calls instead
		if _, err := m.f.Seek(pos, io.SeekStart); err != nil {
			s.err = &os.PathError{Op: "mmap", Path: m.f.Name(), Err: err}
			return false
		}
		s.m, s.rd, s.buf = nil, m.f, make([]byte, bufSize)
		return s.fill(n)
	}
	m.win = b
	s.buf, s.base, s.r, s.w = b, start, int(pos-start), len(b)
	if s.onMap != nil {
		s.onMap(start + length)
	}
	if s.w-s.r < n {
		s.err = io.EOF
		return false
	}
	return true
}

// seek moves n bytes past the end of the current window.
func (m *mapping) seek(s *source, n int64) bool {
	if err := m.unmap(); err != nil {
		s.err = err
		return false
	}
	s.buf = nil
	s.base += n
	if s.base > m.size {
		m.restat()
	}
	if s.base > m.size {
		s.base = m.size
		s.err = io.EOF
		return false
	}
	return true
}

func (m *mapping) restat() {
	if st, err := m.f.Stat(); err == nil && st.Size() > m.size {
		m.size = st.Size()
	}
}

func (m *mapping) unmap() error {
	if m.win == nil {
		return nil
	}
	b := m.win
	m.win = nil
	return syscall.Munmap(b)
}

func (m *mapping) close() error { return m.unmap() }
