package flowfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead: any bytes are a flow file of some format, or an error that
// names the file — never a panic; flows never end before they start.
func FuzzRead(f *testing.F) {
	paths, _ := filepath.Glob("../../../testdata/flowfiles/*")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			if len(b) > 8192 {
				b = b[:8192]
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			if !bytes.HasPrefix([]byte(err.Error()), []byte("fuzz.csv: ")) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, fl := range res.Flows {
			if fl.Last < fl.First {
				t.Fatalf("flow ends before it starts: %+v", fl)
			}
		}
	})
}
