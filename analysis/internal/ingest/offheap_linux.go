package ingest

import "syscall"

// newChunk returns a chunk of n bytes for flow records, mapped outside Go's
// heap when it can be: records hold no pointers, and outside the heap they
// count once in the process's memory instead of twice (the collector lets
// the heap grow to twice what it holds before it runs). mapped says which
// it is; freeChunk gives a mapped one back.
func newChunk(n int) (b []byte, mapped bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]byte, 0, n), false // no address space: the heap will do
	}
	return b[:0], true
}

func freeChunk(b []byte, mapped bool) {
	if mapped {
		syscall.Munmap(b[:cap(b)])
	}
}
