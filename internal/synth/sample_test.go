package synth

import (
	"bytes"
	"os"
	"testing"
)

// The committed sample is exactly what Sample builds, so it can be made
// again (go run ./scripts/gensample testdata/sample.pcapng).
func TestSampleIsReproducible(t *testing.T) {
	var buf bytes.Buffer
	if err := Sample().WritePcapng(&buf); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Fatal("testdata/sample.pcapng differs from synth.Sample(); regenerate it with go run ./scripts/gensample testdata/sample.pcapng")
	}
}
