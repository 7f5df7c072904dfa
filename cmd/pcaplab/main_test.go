package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// The JSON contract of DESIGN.md: these fields exist, with these types.
func TestSummaryJSONContract(t *testing.T) {
	code, out, errOut := runCLI("summary", "--json", "../../testdata/sample.pcapng")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"packets", "bytes", "duration_s", "ipv4_hosts", "ipv6_hosts", "tcp_flows", "udp_flows", "flows"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("%s missing or not a number: %v", k, m[k])
		}
	}
	for _, k := range []string{"flow_bytes", "flow_packets"} {
		st, _ := m[k].(map[string]any)
		for _, f := range []string{"min", "median", "mean", "max"} {
			if _, ok := st[f].(float64); !ok {
				t.Errorf("%s.%s missing", k, f)
			}
		}
	}
	lists := map[string]int{"top_hosts_by_bytes": 15, "top_hosts_by_packets": 15, "top_tcp_ports": 10, "top_udp_ports": 5}
	for k, n := range lists {
		l, ok := m[k].([]any)
		if !ok || len(l) != n {
			t.Errorf("%s: want a list of %d, got %v", k, n, m[k])
		}
	}
	fails, _ := m["failures"].([]any)
	classes := map[string]bool{}
	for _, f := range fails {
		row := f.(map[string]any)
		classes[row["class"].(string)] = true
		if _, ok := row["attempts"].(float64); !ok {
			t.Errorf("failure row without attempts: %v", row)
		}
		if _, ok := row["hosts"].(float64); !ok {
			t.Errorf("failure row without hosts: %v", row)
		}
	}
	// The sample was built with one failure of each of these kinds.
	for _, c := range []string{"tcp_no_answer", "tcp_rejected", "icmp_port_unreachable", "dns_nxdomain", "dns_no_response"} {
		if !classes[c] {
			t.Errorf("failure class %s missing from %v", c, classes)
		}
	}
	if _, ok := m["skipped"].(map[string]any); !ok {
		t.Errorf("skipped missing: %v", m["skipped"])
	}
	if m["packets"].(float64) != 1659 {
		t.Errorf("sample packets = %v, want 1659 (capinfos)", m["packets"])
	}
}

func TestSummaryTextHasUnits(t *testing.T) {
	code, out, _ := runCLI("summary", "../../testdata/sample.pcapng", "--idle-timeout", "0")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"packets              1\u202f659", "bytes                1\u202f454\u202f372 B (1.45 MB)", "duration             106.419 s", "bytes (B)", "tcp_no_answer"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestExitStatusAndOneLineErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pcap")
	os.WriteFile(junk, []byte("GIF89a not a capture at all"), 0o644)
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"summary", junk}, 1, "pcaplab: " + junk + ": not a pcap or pcapng file\n"},
		{[]string{"summary", filepath.Join(dir, "missing.pcap")}, 1, "no such file or directory\n"},
		{[]string{"summary"}, 2, "pcaplab summary: no capture given"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"summary", "--idle-timeout", "soon", "../../testdata/sample.pcapng"}, 2, `invalid value "soon" for -idle-timeout`},
		{[]string{"report", "../../testdata/sample.pcapng"}, 2, "pcaplab report: -o DIR is required"},
		{[]string{"summary", "--max-flows", "-3", "../../testdata/sample.pcapng"}, 1, "--max-flows -3"},
	}
	for _, tc := range cases {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.err)
		}
		if strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: error is not one line: %q", tc.args, errOut)
		}
	}
}

// A capture cut off mid-record still gives a summary, exit 0, and one
// warning line.
func TestTruncatedCaptureWarns(t *testing.T) {
	data, err := os.ReadFile("../../testdata/captures/nsec-bigendian.pcap")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "cut.pcap")
	os.WriteFile(p, data[:len(data)-20], 0o644)
	code, out, errOut := runCLI("summary", "--json", p)
	if code != 0 || !strings.Contains(errOut, "packet 10: record truncated at end of file (kept 9 packets)") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, `"packets": 9,`) {
		t.Errorf("want 9 packets: %s", out[:200])
	}
}

// The README's main command: the report of the bundled sample.
func TestReportCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := runCLI("report", "../../testdata/sample.pcapng", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote "+dir+" (report.html, report.md, 10 figures, ") {
		t.Errorf("stdout: %q", out)
	}
	for _, f := range []string{"report.html", "report.md", "figures/flow-size-cdf.png", "tables/flows.csv", "tables/failures.csv"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	code, _, errOut = runCLI("report", "../../testdata/sample.pcapng")
	if code != 2 || !strings.Contains(errOut, "-o DIR is required") {
		t.Errorf("without -o: exit %d, %q", code, errOut)
	}
}

// zcat x.pcap.gz | pcaplab summary -  and  … | pcaplab report - -o out
func TestStandardInput(t *testing.T) {
	for _, args := range [][]string{{"summary", "--json", "-"}, {"report", "-", "-o", filepath.Join(t.TempDir(), "r")}} {
		f, err := os.Open("../../testdata/captures/desktop-http-2013.pcap.gz") // gzip, read from a pipe
		if err != nil {
			t.Fatal(err)
		}
		old := os.Stdin
		os.Stdin = f
		code, out, errOut := runCLI(args...)
		os.Stdin = old
		f.Close()
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if args[0] == "summary" && !strings.Contains(out, `"packets": 4631,`) {
			t.Errorf("summary of stdin: %s", out[:300])
		}
		if args[0] == "report" && !strings.Contains(out, "report.html") {
			t.Errorf("report of stdin: %s", out)
		}
	}
}

func TestProgressLine(t *testing.T) {
	var b strings.Builder
	p := progress(&b, 1_000_000_000)
	time.Sleep(10 * time.Millisecond)
	p(65536, 250_000_000)
	if s := b.String(); !strings.Contains(s, "read 250.00 MB of 1.00 GB (25 %)") || !strings.Contains(s, "left") {
		t.Errorf("progress line %q", s)
	}
	b.Reset()
	progress(&b, 0)(65536, 5_000_000)
	if s := b.String(); !strings.Contains(s, "read 5.00 MB, 65\u202f536 packets") {
		t.Errorf("progress without a total %q", s)
	}
}

// -o makes missing parent directories, and refuses, in one line, a path
// under a file.
func TestReportOutputDirectories(t *testing.T) {
	dir := t.TempDir()
	nested := filepath.Join(dir, "a", "b", "report")
	if code, _, errOut := runCLI("report", "-quiet", "-o", nested, "../../testdata/sample.pcapng"); code != 0 {
		t.Fatalf("nested -o: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(nested, "report.html")); err != nil {
		t.Error(err)
	}
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("mine"), 0o644)
	code, _, errOut := runCLI("report", "-quiet", "-o", filepath.Join(file, "x"), "../../testdata/sample.pcapng")
	if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "not a directory") {
		t.Errorf("-o under a file: exit %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Error("the file under -o was changed")
	}
}
