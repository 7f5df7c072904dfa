// Command genflowfiles makes the flow files of testdata/flowfiles with the
// real tools — tshark, nfpcapd and nfdump, argus and ra/racluster — from
// the bundled captures, and with -check verifies that the committed files
// are what the installed tools produce now. testdata/flowfiles/README.md
// lists the exact commands (genflowfiles -list prints them).
//
//	go run ./scripts/genflowfiles          # rewrite testdata/flowfiles
//	go run ./scripts/genflowfiles -check   # compare; exit 1 on a difference
//
// All tools run with TZ=UTC (nfdump, ra and tshark -t ad print local
// times) and argus with -X (its defaults, not /etc/argus.conf). Two fields
// carry the time of the run and are masked when comparing: nfdump's
// received time (the last CSV column, JSON "received") and Argus's
// management records (Proto "man").
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// output is one committed flow file and the command that makes it. In
// args, CAPTURE is the capture, NFDIR nfpcapd's output directory, ARGUS
// the argus file (argus -X) and ARGUSA the one with application bytes
// (argus -X -A).
type output struct {
	file    string
	capture string // key of captures
	tool    string
	args    []string
	gzip    bool
}

// full is the field list that gives pcaplab everything ra can print.
const full = "stime ltime proto saddr sport dir daddr dport spkts dpkts sbytes dbytes sappbytes dappbytes state"

var captures = map[string]string{
	"sample":    "testdata/sample.pcapng",
	"desktop":   "testdata/captures/desktop-http-2013.pcap.gz",
	"allprotos": "testdata/flowfiles/allprotos.pcap",
}

var outputs = []output{
	{"sample.tshark-conv.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-z", "conv,tcp", "-z", "conv,udp"}, false},
	{"sample.tshark-conv-epoch.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-t", "e", "-z", "conv,tcp", "-z", "conv,udp"}, false},
	{"sample.tshark-conv-ad.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-t", "ad", "-z", "conv,tcp", "-z", "conv,udp"}, false},
	{"sample.tshark-conv-names.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-N", "t", "-z", "conv,tcp", "-z", "conv,udp"}, false},
	{"sample.tshark-tcp.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-z", "conv,tcp"}, false},
	{"sample.tshark-udp.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-z", "conv,udp"}, false},
	{"sample.tshark-ipv6.txt", "sample", "tshark", []string{"-r", "CAPTURE", "-q", "-z", "conv,ipv6"}, false},
	{"sample.nfdump.csv", "sample", "nfdump", []string{"-R", "NFDIR", "-o", "csv"}, false},
	{"sample.nfdump-q.csv", "sample", "nfdump", []string{"-R", "NFDIR", "-q", "-o", "csv"}, false},
	{"sample.nfdump-b.csv", "sample", "nfdump", []string{"-R", "NFDIR", "-b", "-o", "csv"}, false},
	{"sample.nfdump.json", "sample", "nfdump", []string{"-R", "NFDIR", "-o", "json"}, false},
	{"sample.argus-default.csv", "sample", "ra", []string{"-r", "ARGUS", "-c", ","}, false},
	{"sample.argus-states.csv", "sample", "ra", append([]string{"-r", "ARGUS", "-u", "-n", "-c", ",", "-s"}, strings.Fields(full)...), false},
	{"sample.argus-semicolon.csv", "sample", "ra", append([]string{"-r", "ARGUS", "-u", "-n", "-c", ";", "-s"}, strings.Fields(full)...), false},
	{"sample.argus-tab.tsv", "sample", "ra", append([]string{"-r", "ARGUS", "-u", "-n", "-c", "\t", "-s"}, strings.Fields(full)...), false},
	{"sample.argus.csv", "sample", "ra", append([]string{"-r", "ARGUSA", "-u", "-nn", "-c", ",", "-Z", "b", "-s"}, strings.Fields(full)...), false},
	{"sample.racluster.csv", "sample", "racluster", append([]string{"-r", "ARGUSA", "-u", "-nn", "-c", ",", "-Z", "b", "-s"}, strings.Fields(full)...), false},
	{"sample.racluster-default.csv", "sample", "racluster", []string{"-r", "ARGUS", "-c", ","}, false},
	{"desktop-http-2013.tshark-conv-epoch.txt", "desktop", "tshark", []string{"-r", "CAPTURE", "-q", "-t", "e", "-z", "conv,tcp", "-z", "conv,udp"}, false},
	{"desktop-http-2013.nfdump.json.gz", "desktop", "nfdump", []string{"-R", "NFDIR", "-o", "json"}, true},
	{"desktop-http-2013.argus.csv", "desktop", "ra", append([]string{"-r", "ARGUSA", "-u", "-nn", "-c", ",", "-Z", "b", "-s"}, strings.Fields(full)...), false},
	{"allprotos.nfdump.csv", "allprotos", "nfdump", []string{"-R", "NFDIR", "-o", "csv"}, false},
	{"allprotos.argus-names.csv", "allprotos", "ra", []string{"-r", "ARGUS", "-u", "-n", "-c", ",", "-s", "stime", "ltime", "proto", "saddr", "daddr", "spkts", "dpkts", "sbytes", "dbytes", "state"}, false},
	{"allprotos.argus-numbers.csv", "allprotos", "ra", []string{"-r", "ARGUS", "-u", "-nn", "-c", ",", "-s", "stime", "ltime", "proto", "saddr", "daddr", "spkts", "dpkts", "sbytes", "dbytes", "state"}, false},
}

func main() {
	check := flag.Bool("check", false, "compare the committed files with what the tools produce; change nothing")
	list := flag.Bool("list", false, "print the commands and exit")
	dir := flag.String("dir", "testdata/flowfiles", "the flow files' directory")
	flag.Parse()
	if *list {
		printCommands()
		return
	}
	if err := run(*dir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "genflowfiles:", err)
		os.Exit(1)
	}
}

func run(dir string, check bool) error {
	tmp, err := os.MkdirTemp("", "genflowfiles")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if !check {
		if err := os.WriteFile(filepath.Join(dir, "allprotos.pcap"), allProtocols(), 0o644); err != nil {
			return err
		}
	}
	prepared := map[string]map[string]string{}
	bad := 0
	for _, o := range outputs {
		vars, ok := prepared[o.capture]
		if !ok {
			if vars, err = prepare(tmp, o.capture); err != nil {
				return err
			}
			prepared[o.capture] = vars
		}
		got, err := runTool(o.tool, o.args, vars)
		if err != nil {
			return fmt.Errorf("%s: %v", o.file, err)
		}
		path := filepath.Join(dir, o.file)
		if check {
			if !same(path, got, o.gzip) {
				fmt.Fprintf(os.Stderr, "%s differs from what %s produces now (regenerate: go run ./scripts/genflowfiles)\n", path, o.tool)
				bad++
			}
			continue
		}
		if err := write(path, got, o.gzip); err != nil {
			return err
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d flow files differ", bad)
	}
	return nil
}

// prepare makes a capture's inputs: the plain capture, nfpcapd's
// directory and the argus files.
func prepare(tmp, key string) (map[string]string, error) {
	src, err := os.ReadFile(captures[key])
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(src, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, err
		}
		if src, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	d := filepath.Join(tmp, key)
	vars := map[string]string{"CAPTURE": filepath.Join(d, "capture"), "NFDIR": filepath.Join(d, "nfcapd"),
		"ARGUS": filepath.Join(d, "flows.argus"), "ARGUSA": filepath.Join(d, "flows-A.argus")}
	if err := os.MkdirAll(vars["NFDIR"], 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(vars["CAPTURE"], src, 0o644); err != nil {
		return nil, err
	}
	for _, c := range [][]string{
		{"nfpcapd", "-r", vars["CAPTURE"], "-w", vars["NFDIR"]},
		{"argus", "-X", "-r", vars["CAPTURE"], "-w", vars["ARGUS"]},
		{"argus", "-X", "-A", "-r", vars["CAPTURE"], "-w", vars["ARGUSA"]},
	} {
		if _, err := runTool(c[0], c[1:], nil); err != nil {
			return nil, err
		}
	}
	return vars, nil
}

func runTool(tool string, args []string, vars map[string]string) ([]byte, error) {
	a := make([]string, len(args))
	for i, s := range args {
		if v, ok := vars[s]; ok {
			s = v
		}
		a[i] = s
	}
	cmd := exec.Command(tool, a...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", tool, strings.Join(a, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// volatile matches what carries the time of the run.
var volatile = []*regexp.Regexp{
	regexp.MustCompile(`(?m),\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$`), // nfdump CSV: received (tr), the last column
	regexp.MustCompile(`"received" : "[^"]*"`),                        // nfdump JSON
	regexp.MustCompile(`(?m)^[^\n]*(,|;|\t)man(,|;|\t)[^\n]*$`),       // Argus management records
	regexp.MustCompile(`(?m)^[^\n]*(,|;|\t)\s*man(,|;|\t)[^\n]*$`),    // the same, with ra's default padding
}

func mask(b []byte) []byte {
	for _, re := range volatile {
		b = re.ReplaceAll(b, []byte("<run time>"))
	}
	return b
}

func same(path string, got []byte, gz bool) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if gz {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return false
		}
		if b, err = io.ReadAll(zr); err != nil {
			return false
		}
	}
	return bytes.Equal(mask(b), mask(got))
}

func write(path string, b []byte, gz bool) error {
	if gz {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		b = buf.Bytes()
	}
	return os.WriteFile(path, b, 0o644)
}

func printCommands() {
	fmt.Println("# inputs, per capture: nfpcapd -r CAPTURE -w NFDIR; argus -X -r CAPTURE -w ARGUS; argus -X -A -r CAPTURE -w ARGUSA")
	for _, o := range outputs {
		args := make([]string, len(o.args))
		for i, a := range o.args {
			if strings.ContainsAny(a, " \t;") {
				a = fmt.Sprintf("%q", a)
			}
			args[i] = a
		}
		gz := ""
		if o.gzip {
			gz = " | gzip -9"
		}
		fmt.Printf("%-42s %-9s TZ=UTC %s %s%s\n", o.file, o.capture, o.tool, strings.Join(args, " "), gz)
	}
}
