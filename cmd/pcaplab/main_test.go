package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
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
	if d, ok := m["dropped"].(map[string]any); !ok || len(d) != 0 { // nothing dropped: no count
		t.Errorf("dropped: %v, want {}", m["dropped"])
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

// dropped is summary --json's dropped object for a capture with records
// set aside: the counts that are not zero, by name.
func TestSummaryJSONDropped(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"time-jump.pcap", `{"time_jumps":1}`},
		{"pcapng-time-past-2262.pcapng", `{"bad_time":1}`},
		{"flows-times-wrap.csv", `{"bad_time":2}`},
	} {
		code, out, errOut := runCLI("summary", "--json", filepath.Join("..", "..", "testdata", "malformed", tc.file))
		var s struct{ Dropped json.RawMessage }
		var got bytes.Buffer
		err := json.Unmarshal([]byte(out), &s)
		if err == nil {
			err = json.Compact(&got, s.Dropped)
		}
		if code != 0 || err != nil || got.String() != tc.want {
			t.Errorf("%s: exit %d (%s, %v), dropped %s, want %s", tc.file, code, errOut, err, got.String(), tc.want)
		}
	}
}

// panicWriter stands for a bug: it panics when written to.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("the writer broke\nbadly") }

// A panic is a bug of pcaplab: one line naming it and where it happened,
// exit status 1, no stack dump.
func TestPanicIsOneLine(t *testing.T) {
	var e bytes.Buffer
	code := run([]string{"summary", "--json", "../../testdata/sample.pcapng"}, panicWriter{}, &e)
	got := e.String()
	if code != 1 || strings.Count(got, "\n") != 1 ||
		!strings.HasPrefix(got, "pcaplab: internal error: the writer broke badly (in github.com/pcaplab/pcaplab/cmd/pcaplab.panicWriter.Write, main_test.go:") {
		t.Errorf("exit %d, standard error %q", code, got)
	}
}

// MemTotal is read in kB, as /proc/meminfo writes it.
func TestMemTotal(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int64
		ok   bool
	}{
		{"MemTotal:       24684084 kB\nMemFree:         1000 kB\n", 24684084 << 10, true},
		{"MemFree:         1000 kB\nMemTotal: 2048 kB\n", 2 << 20, true},
		{"MemTotal: 2048 MB\n", 0, false},
		{"MemTotal: lots kB\n", 0, false},
		{"", 0, false},
	} {
		got, ok := memTotal(strings.NewReader(tc.text))
		if got != tc.want && tc.ok || ok != tc.ok {
			t.Errorf("memTotal(%q) = %d, %v; want %d, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

// Without GOMEMLIMIT the limit is three quarters of MemTotal; with it,
// limitMemory leaves the limit Go took from it.
func TestLimitMemory(t *testing.T) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Skip("no /proc/meminfo")
	}
	total, ok := memTotal(f)
	f.Close()
	if !ok {
		t.Fatal("no MemTotal in /proc/meminfo")
	}
	if group, ok := cgroupLimit(); ok && group < total {
		total = group
	}
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "")
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != total/4*3 {
		t.Errorf("limit %d MiB, want %d MiB (3/4 of %d MiB)", got>>20, total/4*3>>20, total>>20)
	}
	debug.SetMemoryLimit(1 << 30)
	t.Setenv("GOMEMLIMIT", "1GiB")
	limitMemory()
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT: limit %d MiB, want 1024 MiB", got>>20)
	}
}

// A valid capture with no packets gives zeros, exit 0 and one warning
// line (capinfos reports it the same way), and a report that says so.
func TestEmptyCapture(t *testing.T) {
	p := "../../testdata/malformed/header-only.pcap"
	code, out, errOut := runCLI("summary", p)
	if code != 0 || !strings.Contains(out, "packets   0") || strings.TrimSpace(errOut) != "pcaplab: warning: "+p+": no packets in capture" {
		t.Errorf("summary: exit %d, stderr %q:\n%s", code, errOut, out)
	}
	dir := t.TempDir()
	if code, _, errOut := runCLI("report", "-quiet", "-o", dir, p); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if n := strings.Count(string(md), "The capture holds no packets, so there is nothing to measure."); n != 16 {
		t.Errorf("%d questions say the capture is empty, want 16 (T2.0–T3.8)", n)
	}
}

// The control group's limit files are found for cgroup v1 and v2, and
// "max" or v1's near-2^63 mean no limit.
func TestCgroupLimitFiles(t *testing.T) {
	got := cgroupFiles(strings.NewReader("12:pids:/x\n4:memory:/process_api/de0f\n3:cpu,cpuacct:/\n0::/user.slice/u.service\n"))
	want := []string{"/sys/fs/cgroup/memory/process_api/de0f/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
		"/sys/fs/cgroup/user.slice/u.service/memory.max", "/sys/fs/cgroup/memory.max"}
	if !slices.Equal(got, want) {
		t.Errorf("cgroupFiles = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		text string
		want int64
		ok   bool
	}{{"2147483648\n", 2 << 30, true}, {"max\n", 0, false}, {"9223372036854771712\n", 0, false}, {"0\n", 0, false}, {"", 0, false}} {
		if n, ok := parseLimit(tc.text); n != tc.want && tc.ok || ok != tc.ok {
			t.Errorf("parseLimit(%q) = %d, %v; want %d, %v", tc.text, n, ok, tc.want, tc.ok)
		}
	}
}
