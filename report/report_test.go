package report

import (
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
)

func TestZZWrite(t *testing.T) {
	c, err := analysis.Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(c, Options{Now: time.Date(2025, 10, 20, 12, 0, 0, 0, time.UTC), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Write("/tmp/rep", Templates{}); err != nil {
		t.Fatal(err)
	}
}
