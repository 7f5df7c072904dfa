package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/report"
)

// version is pcaplab's version, printed in reports.
var version = "0.1.0"

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := command("report", "pcaplab report [options] CAPTURE... -o DIR", stderr)
	out := fs.String("o", "", "output directory (created if needed; an existing report there is replaced once the new one is complete)")
	answers := fs.String("answers", "", "your Markdown answers to Task 1, one \"## T1.1\" heading per answer")
	tmplHTML := fs.String("template", "", "your own template: a .html/.tmpl file replaces the HTML template, a .md file the Markdown one")
	pdf := fs.Bool("pdf", false, "also print report.pdf with Chromium (chromium --headless --print-to-pdf)")
	geoip := fs.String("geoip", "", "a MaxMind DB country database (.mmdb) to use instead of the embedded IP2Location LITE data")
	minPkts := fs.Uint64("fastest-min-packets", 0, fmt.Sprintf("T3.6: least packets of a ranked TCP connection (default %d)", analysis.DefaultFastestMinPackets))
	minBytes := fs.Uint64("fastest-min-bytes", 0, fmt.Sprintf("T3.6: least bytes (default %d)", analysis.DefaultFastestMinBytes))
	minDur := fs.Duration("fastest-min-duration", 0, fmt.Sprintf("T3.6: least duration (default %v)", analysis.DefaultFastestMinDuration))
	rateBin := fs.Duration("rate-bin", 0, "bin width of the rate figures (default 1s, coarser for long captures)")
	var cf captureFlags
	cf.register(fs)
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(paths) == 0:
		return usageError{"no capture given (pcaplab report -h for the options)"}
	case *out == "":
		return usageError{"-o DIR is required: the directory the report is written to"}
	}
	for _, p := range paths {
		if abs(p) == abs(*out) {
			return fmt.Errorf("-o %s is an input: choose another directory", *out)
		}
	}
	output := report.Output{PDF: *pdf}
	if *tmplHTML != "" {
		data, err := os.ReadFile(*tmplHTML)
		if err != nil {
			return fmt.Errorf("--template: %v", err)
		}
		if strings.HasSuffix(*tmplHTML, ".md") || strings.HasSuffix(*tmplHTML, ".md.tmpl") {
			output.MarkdownTemplate = string(data)
		} else {
			output.HTMLTemplate = string(data)
		}
	}
	c, err := openCaptures(paths, &cf, stderr)
	if err != nil {
		return err
	}
	if *geoip != "" {
		if err := c.UseGeoIPDatabase(*geoip); err != nil {
			return err
		}
	}
	r, err := report.Build(c, report.Options{
		Answers: *answers,
		Bin:     *rateBin,
		Fastest: analysis.FastestOptions{MinPackets: *minPkts, MinBytes: *minBytes, MinDuration: *minDur},
		Command: "pcaplab report " + strings.Join(args, " "),
		Version: version,
	})
	if err != nil {
		return err
	}
	if err := r.Write(*out, output); err != nil {
		return err
	}
	also := ""
	if *pdf {
		also = ", report.pdf"
	}
	fmt.Fprintf(stdout, "wrote %s (report.html, report.md%s, %d figures, %d tables)\n", *out, also, len(r.Figures), len(r.Tables))
	return nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
