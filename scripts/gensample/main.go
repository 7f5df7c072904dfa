// Command gensample writes the bundled sample capture (see synth.Sample):
//
//	go run ./scripts/gensample testdata/sample.pcapng
package main

import (
	"fmt"
	"os"

	"github.com/pcaplab/pcaplab/internal/synth"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gensample OUTPUT.pcapng")
		os.Exit(2)
	}
	if err := synth.Sample().Save(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gensample:", err)
		os.Exit(1)
	}
}
