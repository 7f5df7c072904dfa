package capfile

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

// FirstTime is the time of a capture file's first record (ns since 1970),
// by which several files are put in order.
func FirstTime(path string) (int64, error) {
	r, err := Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	_, rec, err := r.Next()
	if err == io.EOF {
		return 0, fmt.Errorf("%s: no packets in the capture, nothing to add", path)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: no packet could be read: %v", path, err)
	}
	return rec.Time, nil
}

// Hash is a file's size and SHA-256, by which a file given twice, or
// already in a store, is known.
func Hash(path string) (int64, [32]byte, error) {
	var sum [32]byte
	f, err := os.Open(path)
	if err != nil {
		return 0, sum, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, sum, fmt.Errorf("%s: %v", path, err)
	}
	h.Sum(sum[:0])
	return n, sum, nil
}
