package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

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
	if len(paths) == 0 || *out == "" {
		if *out == "" && len(paths) > 0 {
			fmt.Fprintln(stderr, "pcaplab report: -o DIR is required")
		}
		fs.Usage()
		return errUsage
	}
	for _, p := range paths {
		if abs(p) == abs(*out) {
			return fmt.Errorf("-o %s is an input: choose another directory", *out)
		}
	}
	var tmpl report.Templates
	if *tmplHTML != "" {
		data, err := os.ReadFile(*tmplHTML)
		if err != nil {
			return fmt.Errorf("--template: %v", err)
		}
		if strings.HasSuffix(*tmplHTML, ".md") || strings.HasSuffix(*tmplHTML, ".md.tmpl") {
			tmpl.Markdown = string(data)
		} else {
			tmpl.HTML = string(data)
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
	if err := r.Write(*out, tmpl); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (report.html, report.md, %d figures, %d tables)\n", *out, len(r.Figures), len(r.Tables))
	if *pdf {
		if err := printPDF(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, "report.pdf"))
	}
	return nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// printPDF prints report.html to report.pdf with headless Chromium.
func printPDF(dir string) error {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		return errors.New("--pdf needs Chromium (Debian: apt-get install chromium); report.html and report.md were written")
	}
	html, _ := filepath.Abs(filepath.Join(dir, "report.html"))
	pdf, _ := filepath.Abs(filepath.Join(dir, "report.pdf"))
	prof, err := os.MkdirTemp("", "pcaplab-chromium-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(prof)
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+prof,
		"--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+html)
	done := make(chan error, 1)
	var outBuf strings.Builder
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--pdf: %v", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("--pdf: chromium failed: %v", err)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		return errors.New("--pdf: chromium did not finish within 2 minutes")
	}
	if st, err := os.Stat(pdf); err != nil || st.Size() == 0 {
		return errors.New("--pdf: chromium wrote no PDF")
	}
	return nil
}
