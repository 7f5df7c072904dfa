//go:build !linux

package capfile

import "os"

// canMap: elsewhere, files are read with read calls into a buffer.
const canMap = false

type mapping struct{}

func newMapSource(f *os.File, size int64) *source { panic("capfile: no mapping on this platform") }

func (m *mapping) fill(s *source, n int) bool   { return false }
func (m *mapping) seek(s *source, n int64) bool { return false }
func (m *mapping) close() error                 { return nil }
