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
// nothing was (or on an internal error, reported in one line), and 2 for a
// usage error. Go's memory limit is three quarters of the machine's memory,
// or what GOMEMLIMIT says: a capture whose model would pass it stops with
// one line.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/units"
)

const usage = `pcaplab — answers about a packet capture of your own traffic

Usage:
  pcaplab report [options] CAPTURE... -o DIR   (HTML + Markdown report of every assignment question)
  pcaplab answers-template [-o answers.md]     (the file for your name, capture setup, answers and conclusion)
  pcaplab summary [--json] [--idle-timeout D] [--bin D] CAPTURE...
  pcaplab flows [-o FILE.csv] [--idle-timeout D] CAPTURE...
  pcaplab ingest --store DIR [--idle-timeout D] CAPTURE...|DIRECTORY|STORE   (Parquet flow store for SQL)

CAPTURE is a pcap or pcapng file (gzip-compressed or not), - for standard input,
flow files of one exporter (tshark conv, nfdump csv/json, Argus ra, Zeek conn.log,
CICFlowMeter, NFStream or pcaplab CSV), or a store directory made by ingest.
Run 'pcaplab COMMAND -h' for the options.
`

func main() {
	limitMemory()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// limitMemory sets the memory limit the engine checks: a pass about to
// exhaust it stops with one line naming the file and packet, instead of
// slowing to a crawl and dying with a stack dump. The user's GOMEMLIMIT
// stands when set (Go applies it itself); otherwise the limit is three
// quarters of MemTotal in /proc/meminfo or of the control group's limit
// (see cgroupLimit) when that is lower, leaving a quarter to the system
// and to the page cache through which captures are read. Without
// /proc/meminfo (not Linux) there is none.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return
	}
	defer f.Close()
	total, ok := memTotal(f)
	if !ok {
		return
	}
	if group, ok := cgroupLimit(); ok && group < total {
		total = group
	}
	debug.SetMemoryLimit(total / 4 * 3)
}

// memTotal reads the machine's memory in bytes from /proc/meminfo's
// "MemTotal: 24684084 kB" line.
func memTotal(r io.Reader) (int64, bool) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err == nil && kb > 0 && kb < 1<<53
		}
	}
	return 0, false
}

// internalError turns a panic (a bug of pcaplab, never a problem of the
// input, which gives an error) into one line on stderr, exit status 1: the
// panic and the function it happened in, for a bug report, without a stack
// dump.
func internalError(p any, stderr io.Writer) int {
	where := ""
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)]) // above internalError and the deferred function
	for {
		fr, more := frames.Next()
		if fr.Function != "" && !strings.HasPrefix(fr.Function, "runtime.") {
			where = fmt.Sprintf(" (in %s, %s:%d)", fr.Function, filepath.Base(fr.File), fr.Line)
			break
		}
		if !more {
			break
		}
	}
	fmt.Fprintf(stderr, "pcaplab: internal error: %s%s\n", oneLine(fmt.Sprint(p)), where)
	return 1
}

// usageError is a mistake in the command line: one line on standard
// error, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errHelp is -h: the usage was printed, exit status 0.
var errHelp = errors.New("help")

func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			code = internalError(p, stderr)
		}
	}()
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
	case "answers-template":
		err = cmdAnswersTemplate(args[1:], stdout, stderr)
	case "ingest":
		err = cmdIngest(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "pcaplab: unknown command %q (commands: report, answers-template, summary, flows, ingest; pcaplab -h for help)\n", args[0])
		return 2
	}
	var ue usageError
	switch {
	case err == nil || errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "pcaplab %s: %s\n", args[0], ue.msg)
		return 2
	}
	fmt.Fprintf(stderr, "pcaplab: %v\n", oneLine(err.Error()))
	return 1
}

// oneLine keeps an error message on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseInterleaved parses flags that may stand before, between or after the
// positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(helpOut)
				fmt.Fprintln(helpOut, "Usage: "+usageLines[fs.Name()])
				fs.PrintDefaults()
				return nil, errHelp
			}
			return nil, usageError{strings.Replace(err.Error(), "flag -", "-", 1) + fmt.Sprintf(" (pcaplab %s -h for the options)", fs.Name())}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// command is a subcommand's flag set, with its usage line: -h prints the
// usage and the options; a mistake is one line (see usageError).
func command(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package would print it on every mistake
	usageLines[name], helpOut = usage, stderr
	return fs
}

// usageLines are the subcommands' usage lines, printed by -h to helpOut.
var (
	usageLines = map[string]string{}
	helpOut    io.Writer
)

// parsePaths parses flags and capture paths; no path is a usage error.
func parsePaths(fs *flag.FlagSet, args []string) ([]string, error) {
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, usageError{fmt.Sprintf("no capture given (pcaplab %s -h for the options)", fs.Name())}
	}
	return paths, nil
}

// captureFlags are the options every command that reads captures takes.
type captureFlags struct {
	idle     optionalDuration
	bin      time.Duration
	quiet    bool
	maxFlows int
	total    int64 // bytes of the input files, for progress (0: unknown)
}

// optionalDuration is a duration flag that knows whether it was given.
type optionalDuration struct {
	set bool
	d   time.Duration
}

func (o *optionalDuration) String() string {
	if !o.set {
		return ""
	}
	return o.d.String()
}

func (o *optionalDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 90s or 5m, or 0 for never")
	}
	o.set, o.d = true, d
	return nil
}

func (c *captureFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.idle, "idle-timeout", "one idle timeout for all flows, e.g. 2m; 0 = never (reproduces Wireshark's tcp.stream/udp.stream); default: TCP 5m, UDP and others 1m, closed TCP 30s")
	fs.DurationVar(&c.bin, "bin", analysis.DefaultBinWidth, "width of the time bins")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress messages")
	fs.IntVar(&c.maxFlows, "max-flows", analysis.DefaultMaxFlows, "most live flows held at once; past it the longest-idle tenth end early and are counted")
}

// options are analysis.Options from the flags: the defaults, changed once.
func (c *captureFlags) options(stderr io.Writer) (analysis.Options, error) {
	o := analysis.DefaultOptions()
	if c.idle.set {
		o.Timeouts = flow.AllTimeouts(c.idle.d)
	}
	if c.bin <= 0 {
		return o, fmt.Errorf("--bin %v: want a positive duration", c.bin)
	}
	o.BinWidth = c.bin
	if c.maxFlows <= 0 {
		return o, fmt.Errorf("--max-flows %d: want a positive number", c.maxFlows)
	}
	o.MaxFlows = c.maxFlows
	if !c.quiet && isTerminal(stderr) {
		o.Progress = progress(stderr, c.total)
	}
	return o, nil
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
				units.Bytes(read), units.Bytes(total), 100*float64(read)/float64(total), rate/1e6, units.Duration(left))
			return
		}
		fmt.Fprintf(w, "\r\033[Kread %s, %s packets, %.2f M packets/s", units.Bytes(read), units.Count(packets), rate/1e6)
	}
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
	c, err := analysis.OpenFiles(paths, analysis.WithOptions(opts))
	if !cf.quiet && isTerminal(stderr) {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return nil, err
	}
	in := c.Input()
	for _, w := range in.Warnings {
		fmt.Fprintf(stderr, "pcaplab: warning: %s\n", w)
	}
	for _, f := range in.Files {
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
