// Command pcaplab answers questions about a packet capture of your own
// traffic: flows, hosts, ports, rates and failed connections.
//
// Usage:
//
//	pcaplab report [options] CAPTURE... -o DIR
//	pcaplab summary [--json] [--idle-timeout D] [--bin D] CAPTURE...
//	pcaplab flows [-o FILE] [--idle-timeout D] CAPTURE...
//
// CAPTURE is a pcap or pcapng file, optionally gzip-compressed, or "-" for
// standard input. Several files are read as one input. The exit status is 0
// when something usable was read (warnings go to standard error), 1 when
// nothing was, and 2 for a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
)

const usage = `pcaplab — answers about a packet capture of your own traffic

Usage:
  pcaplab report [options] CAPTURE... -o DIR   (HTML + Markdown report of every assignment question)
  pcaplab summary [--json] [--idle-timeout D] [--bin D] CAPTURE...
  pcaplab flows [-o FILE.csv] [--idle-timeout D] CAPTURE...

CAPTURE is a pcap or pcapng file (gzip-compressed or not), - for standard input,
or one flow file (tshark conv, nfdump csv, Zeek conn.log, Argus, CICFlowMeter,
NFStream or pcaplab CSV). Run 'pcaplab COMMAND -h' for the options.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors that should print the usage text.
var errUsage = errors.New("usage")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var err error
	switch args[0] {
	case "summary":
		err = cmdSummary(args[1:], stdout, stderr)
	case "flows":
		err = cmdFlows(args[1:], stdout, stderr)
	case "report":
		err = cmdReport(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "pcaplab: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	fmt.Fprintf(stderr, "pcaplab: %v\n", err)
	return 1
}

// parseInterleaved parses flags that may stand before, between or after the
// positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// command is a subcommand's flag set, with its usage line.
func command(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: "+usage)
		fs.PrintDefaults()
	}
	return fs
}

// parsePaths parses flags and capture paths; no path is a usage error.
func parsePaths(fs *flag.FlagSet, args []string) ([]string, error) {
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		fs.Usage()
		return nil, errUsage
	}
	return paths, nil
}

// captureFlags are the options every command that reads captures takes.
type captureFlags struct {
	idle     string
	bin      time.Duration
	quiet    bool
	maxFlows int
	total    int64 // bytes of the input files, for progress (0: unknown)
}

func (c *captureFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.idle, "idle-timeout", "", "one idle timeout for all flows, e.g. 2m; 0 = never (reproduces Wireshark's tcp.stream/udp.stream); default: TCP 5m, UDP and others 1m, closed TCP 30s")
	fs.DurationVar(&c.bin, "bin", time.Second, "width of the time bins")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress messages")
	fs.IntVar(&c.maxFlows, "max-flows", 0, "most live flows held at once; past it the longest-idle tenth end early and are counted (default 1000000)")
}

func (c *captureFlags) options(stderr io.Writer) ([]analysis.Option, error) {
	var opts []analysis.Option
	if c.idle != "" {
		d, err := time.ParseDuration(c.idle)
		if c.idle == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			return nil, fmt.Errorf("--idle-timeout %q: want a duration such as 90s or 5m, or 0 for never", c.idle)
		}
		opts = append(opts, analysis.IdleTimeout(d))
	}
	if c.bin <= 0 {
		return nil, fmt.Errorf("--bin %v: want a positive duration", c.bin)
	}
	opts = append(opts, analysis.BinWidth(c.bin))
	if c.maxFlows < 0 {
		return nil, fmt.Errorf("--max-flows %d: want a positive number", c.maxFlows)
	}
	if c.maxFlows > 0 {
		opts = append(opts, analysis.MaxFlows(c.maxFlows))
	}
	if !c.quiet && isTerminal(stderr) {
		opts = append(opts, analysis.Progress(progress(stderr, c.total)))
	}
	return opts, nil
}

// progress prints "read 412 MB of 1.1 GB (37 %), 1.9 M packets/s, 4 s left"
// over itself; without a known total it prints what was read.
func progress(w io.Writer, total int64) func(uint64, int64) {
	start := time.Now()
	return func(packets uint64, read int64) {
		el := time.Since(start).Seconds()
		if el <= 0 {
			return
		}
		rate := float64(packets) / el
		if total > 0 && read > 0 {
			secsLeft := float64(total-read) / (float64(read) / el)
			left := time.Duration(secsLeft * float64(time.Second)).Round(time.Second)
			fmt.Fprintf(w, "\r\033[Kread %s of %s (%.0f %%), %.2f M packets/s, about %s left",
				sizeSI(read), sizeSI(total), 100*float64(read)/float64(total), rate/1e6, left)
			return
		}
		fmt.Fprintf(w, "\r\033[Kread %s, %d packets, %.2f M packets/s", sizeSI(read), packets, rate/1e6)
	}
}

func sizeSI(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.0f kB", float64(n)/1e3)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func openCaptures(paths []string, cf *captureFlags, stderr io.Writer) (*analysis.Capture, error) {
	cf.total = 0
	for _, p := range paths {
		st, err := os.Stat(p)
		if p == "-" || err != nil || !st.Mode().IsRegular() {
			cf.total = 0
			break
		}
		cf.total += st.Size()
	}
	opts, err := cf.options(stderr)
	if err != nil {
		return nil, err
	}
	c, err := analysis.OpenFiles(paths, opts...)
	if !cf.quiet && isTerminal(stderr) {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return nil, err
	}
	for _, f := range c.Files() {
		if f.Warning != "" {
			fmt.Fprintf(stderr, "pcaplab: warning: %s\n", f.Warning)
		}
	}
	return c, nil
}

func cmdSummary(args []string, stdout, stderr io.Writer) error {
	fs := command("summary", "pcaplab summary [--json] [--idle-timeout D] [--bin D] [--quiet] CAPTURE...", stderr)
	asJSON := fs.Bool("json", false, "print the JSON summary (the machine-readable contract)")
	var cf captureFlags
	cf.register(fs)
	paths, err := parsePaths(fs, args)
	if err != nil {
		return err
	}
	c, err := openCaptures(paths, &cf, stderr)
	if err != nil {
		return err
	}
	s := c.Summary()
	if *asJSON {
		return writeJSON(stdout, s)
	}
	return writeSummaryText(stdout, s)
}
