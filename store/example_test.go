package store_test

import (
	"fmt"
	"os"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/store"
)

// Reading the flows of a store made by pcaplab ingest (here by
// analysis.Ingest) row by row.
func Example() {
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	if _, err := analysis.Ingest(dir, []string{"../testdata/sample.pcapng"}); err != nil {
		fmt.Println(err)
		return
	}
	m, _ := store.ReadManifest(dir)
	var https, bytes int64
	store.Each(dir, m, "flows", func(f *store.Flow) error {
		if f.Application == "HTTPS" {
			https++
			bytes += f.OrigBytes + f.RespBytes
		}
		return nil
	})
	fmt.Println(len(m.Sources), "source,", https, "HTTPS flows,", bytes, "bytes")
	// Output: 1 source, 18 HTTPS flows, 1099115 bytes
}
