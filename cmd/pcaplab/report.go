package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/report"
)

// version is pcaplab's version, printed in reports.
var version = "0.1.0"

// reportFlags are the report command's options.
type reportFlags struct {
	out, answers, template, geoip, task2 string
	pdf                                  bool
	fastest                              analysis.FastestOptions
	rateBin                              optionalDuration
	capture                              captureFlags
}

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := command("report", "pcaplab report [options] CAPTURE... -o DIR", stderr)
	var f reportFlags
	fs.StringVar(&f.out, "o", "", "output directory (created if needed; only the report's own files in it are replaced)")
	fs.StringVar(&f.answers, "answers", "", "your answers file (pcaplab answers-template writes one): name, capture setup, Task 1 answers, remarks, conclusion")
	fs.StringVar(&f.template, "template", "", "your own template: a .html/.tmpl file replaces the HTML template, a .md file the Markdown one")
	fs.BoolVar(&f.pdf, "pdf", false, "also print report.pdf with Chromium (chromium --headless --print-to-pdf)")
	fs.StringVar(&f.geoip, "geoip", "", "a MaxMind DB country database (.mmdb) to use instead of the embedded IP2Location LITE data")
	fs.StringVar(&f.task2, "task2", "", "Task 2's input, when it is not your capture: the course's capture or a flow file made from it")
	fs.Uint64Var(&f.fastest.MinPackets, "fastest-min-packets", 0, fmt.Sprintf("T3.6: least packets of a ranked TCP connection (default %d)", analysis.DefaultFastestMinPackets))
	fs.Uint64Var(&f.fastest.MinBytes, "fastest-min-bytes", 0, fmt.Sprintf("T3.6: least payload bytes of its bulk direction (default %d)", analysis.DefaultFastestMinBytes))
	fs.DurationVar(&f.fastest.MinDuration, "fastest-min-duration", 0, fmt.Sprintf("T3.6: least transfer time (default %v)", analysis.DefaultFastestMinDuration))
	fs.Var(&f.rateBin, "rate-bin", "bin width of the rate figures (default 1s, coarser for long captures)")
	f.capture.register(fs)
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	output, geo, err := f.check(paths)
	if err != nil {
		return err
	}
	r, err := f.build(paths, geo, args, stderr)
	if err != nil {
		return err
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(stderr, "pcaplab: warning: %s\n", w)
	}
	if err := r.Write(f.out, output); err != nil {
		return err
	}
	also := ""
	if f.pdf {
		also = ", report.pdf"
	}
	fmt.Fprintf(stdout, "wrote %s (report.html, report.md%s, %d figures, %d tables)\n", f.out, also, len(r.Figures), len(r.Tables))
	return nil
}

// check looks at everything the report needs before the (long) reading of
// the captures: the output directory, the answers, the templates, the
// country database.
func (f *reportFlags) check(paths []string) (report.Output, *analysis.GeoIP, error) {
	out := report.Output{PDF: f.pdf}
	switch {
	case len(paths) == 0:
		return out, nil, usageError{"no capture given (pcaplab report -h for the options)"}
	case f.out == "":
		return out, nil, usageError{"-o DIR is required: the directory the report is written to"}
	}
	for _, p := range append(paths, f.task2) {
		if p != "" && abs(p) == abs(f.out) {
			return out, nil, fmt.Errorf("-o %s is an input: choose another directory", f.out)
		}
	}
	if err := writableDir(f.out); err != nil {
		return out, nil, err
	}
	if _, err := report.ReadAnswers(f.answers); err != nil {
		return out, nil, err
	}
	if f.template != "" {
		data, err := os.ReadFile(f.template)
		if err != nil {
			return out, nil, fmt.Errorf("--template: %v", unwrapPathError(err))
		}
		if strings.HasSuffix(f.template, ".md") || strings.HasSuffix(f.template, ".md.tmpl") {
			out.MarkdownTemplate = string(data)
		} else {
			out.HTMLTemplate = string(data)
		}
	}
	var geo *analysis.GeoIP
	if f.geoip != "" {
		var err error
		if geo, err = analysis.OpenGeoIP(f.geoip); err != nil {
			return out, nil, err
		}
	}
	return out, geo, nil
}

// build reads the inputs and computes the report.
func (f *reportFlags) build(paths []string, geo *analysis.GeoIP, args []string, stderr io.Writer) (*report.Report, error) {
	var task2 *analysis.Capture
	if f.task2 != "" {
		c2, err := openCaptures([]string{f.task2}, &f.capture, stderr)
		if err != nil {
			return nil, fmt.Errorf("--task2: %w", err)
		}
		task2 = c2
	}
	c, err := openCaptures(paths, &f.capture, stderr)
	if err != nil {
		return nil, err
	}
	for _, x := range []*analysis.Capture{c, task2} {
		if x != nil && geo != nil {
			x.UseGeoIP(geo)
		}
	}
	return report.Build(c, report.Options{
		Answers: f.answers,
		Bin:     f.rateBin.d,
		Fastest: f.fastest,
		Task2:   task2,
		Command: "pcaplab report " + strings.Join(args, " "),
		Version: version,
	})
}

// writableDir checks that dir is, or can be made, a directory pcaplab may
// write in: an existing directory, or a new one (with any missing parents)
// under an existing directory that is writable.
func writableDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("-o %s: not a directory", dir)
	case err == nil:
		return access(dir)
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("-o %s: %v", dir, unwrapPathError(err))
	}
	// The nearest existing ancestor must be a writable directory: the
	// missing ones are made.
	parent := filepath.Clean(dir)
	for {
		up := filepath.Dir(parent)
		st, err := os.Stat(up)
		switch {
		case err == nil && st.IsDir():
			return access(up)
		case err == nil:
			return fmt.Errorf("-o %s: %s is not a directory", dir, up)
		case !errors.Is(err, os.ErrNotExist) || up == parent:
			return fmt.Errorf("-o %s: %v", dir, unwrapPathError(err))
		}
		parent = up
	}
}

func access(dir string) error {
	if err := syscall.Access(dir, 0x2 /* W_OK */); err != nil {
		return fmt.Errorf("-o: %s: not writable: %v", dir, err)
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

// unwrapPathError drops the operation and path of an *os.PathError (the
// message names the file already).
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cmdAnswersTemplate writes the answers file a student fills in.
func cmdAnswersTemplate(args []string, stdout, stderr io.Writer) error {
	fs := command("answers-template", "pcaplab answers-template [-o answers.md]", stderr)
	out := fs.String("o", "", "write the template to this file (never over an existing one) instead of standard output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q (pcaplab answers-template -h for the options)", rest[0])}
	}
	if *out == "" {
		_, err := io.WriteString(stdout, report.AnswersTemplate())
		return err
	}
	file, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists: pcaplab never overwrites your answers; choose another name", *out)
		}
		return fmt.Errorf("%s: %v", *out, unwrapPathError(err))
	}
	if _, err := io.WriteString(file, report.AnswersTemplate()); err != nil {
		file.Close()
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: fill it in, then pcaplab report --answers %s CAPTURE -o DIR\n", *out, *out)
	return file.Close()
}
