package capfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func seeds(f *testing.F, globs ...string) {
	for _, g := range globs {
		paths, _ := filepath.Glob(g)
		for _, p := range paths {
			// small seeds: the fuzzer minimises every new input, and
			// minimising a large one stalls it for minutes
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b[:min(len(b), 4096)])
			}
		}
	}
}

// FuzzReader: any bytes give records whose sizes are consistent, then EOF
// or a *RecordError — never a panic, never an endless loop.
func FuzzReader(f *testing.F) {
	seeds(f, "../../../testdata/captures/*.pcap*", "../../../testdata/malformed/*")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader("fuzz", bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 1; i <= len(data); i++ { // every record takes at least one byte of the file
			d, rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *RecordError
				if !errors.As(err, &re) || re.Index != i || re.Kept != i-1 {
					t.Fatalf("record %d: error %v", i, err)
				}
				if _, _, err := r.Next(); err != io.EOF {
					t.Fatal("read past a broken record")
				}
				return
			}
			if rec.Index != i || rec.CapLen != len(d) || rec.WireLen < rec.CapLen {
				t.Fatalf("record %d: %+v with %d bytes", i, rec, len(d))
			}
		}
		t.Fatal("more records than bytes")
	})
}
