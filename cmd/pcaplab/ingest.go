package main

import (
	"fmt"
	"io"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/units"
)

// cmdIngest adds captures, or the files of other stores, to a Parquet
// flow store (see analysis.Ingest).
func cmdIngest(args []string, stdout, stderr io.Writer) error {
	fs := command("ingest", "pcaplab ingest --store DIR [--idle-timeout D] [--bin D] [--max-flows N] [--quiet] CAPTURE...|DIRECTORY|STORE", stderr)
	dir := fs.String("store", "", "the store directory (made if needed)")
	var cf captureFlags
	cf.register(fs)
	paths, err := parsePaths(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" {
		return usageError{"--store DIR is required: the directory of the flow store"}
	}
	for _, p := range paths {
		if p == "-" {
			return usageError{"standard input cannot be ingested: a store names and hashes each file"}
		}
	}
	cf.total = 0 // unknown: files already in the store are skipped, later ones may be read again
	opts, err := cf.options(stderr)
	if err != nil {
		return err
	}
	r, err := analysis.Ingest(*dir, paths, analysis.WithOptions(opts))
	if opts.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	for _, why := range r.Ignored {
		fmt.Fprintf(stderr, "pcaplab: ignored %s\n", why)
	}
	for _, why := range r.Warnings {
		fmt.Fprintf(stderr, "pcaplab: warning: %s\n", why)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s added, %s already there, %s earlier replayed; %s read from captures, %s replayed from packet logs; %s in %s s\n",
		*dir, units.Plural(len(r.Added), "file"), units.Count(len(r.Skipped)), units.Count(len(r.Reread)),
		units.Plural(r.Packets, "packet"), units.Count(r.Replayed), units.Plural(r.Flows, "flow row"), units.Fixed(r.Elapsed.Seconds(), 2))
	return nil
}
