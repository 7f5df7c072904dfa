//go:build !linux

package ingest

// newChunk returns a chunk of n bytes for flow records (on Linux, outside
// Go's heap when it can be; see offheap_linux.go).
func newChunk(n int) (b []byte, mapped bool) { return make([]byte, 0, n), false }

func freeChunk(b []byte, mapped bool) {}
