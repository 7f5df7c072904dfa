package analysis

import (
	"os"
	"testing"
)

func TestProfBig(t *testing.T) {
	p := os.Getenv("PCAPLAB_PROF")
	if p == "" {
		t.Skip()
	}
	c, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Summary()
}
