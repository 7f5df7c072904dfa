package analysis_test

import (
	"fmt"
	"os"

	"github.com/pcaplab/pcaplab/analysis"
)

// A store answers as the capture does: ingest, then open the store.
func ExampleOpenStore() {
	dir, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(dir)
	if _, err := analysis.Ingest(dir, []string{"../testdata/sample.pcapng"}); err != nil {
		fmt.Println(err)
		return
	}
	c, err := analysis.OpenStore(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	top := c.Pairs().TopByFlows(1)[0]
	fmt.Println(c.Flows().Count(), "flows; top pair", top.Pair(), "with", top.Flows)
	// Output: 59 flows; top pair 192.168.1.1 ↔ 192.168.1.23 with 26
}
