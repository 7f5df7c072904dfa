package analysis

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/pcaplab/pcaplab/analysis/internal/ingest"
)

// hostileCase is one file of scripts/genhostile: what the model must hold
// and what it must have dropped, exactly, and the most resident memory
// `pcaplab summary` and `pcaplab flows` may take on it.
type hostileCase struct {
	file    string
	args    []string // extra options of the command line
	opts    []Option // the same for Open
	packets uint64
	flows   int
	dropped ingest.Dropped
	check   func(t *testing.T, c *Capture)
	ceiling int64 // MiB of peak resident memory
	// flowsCeiling is the ceiling of flows when it differs
	flowsCeiling int64
	inProc       bool // also open it in this process for the exact counts
}

// The generator's counts at scale 1 (see scripts/genhostile).
var hostileCases = []hostileCase{
	{file: "huge-record.pcap.gz", packets: 3, flows: 1, dropped: ingest.Dropped{CutRecords: 1}, ceiling: 48, inProc: true,
		check: func(t *testing.T, c *Capture) {
			if c.Bytes() != 64+512<<20+64 {
				t.Errorf("%d bytes: the cut record counts in full", c.Bytes())
			}
		}},
	{file: "name-records.pcapng.gz", packets: 2, flows: 1, ceiling: 48, inProc: true},
	{file: "packet-comments.pcapng.gz", packets: 2, flows: 1, ceiling: 48, inProc: true},
	{file: "dns-unanswered.pcap", packets: 1_000_000, flows: 31, dropped: ingest.Dropped{DNS: 500_000}, ceiling: 400, inProc: true,
		check: func(t *testing.T, c *Capture) {
			if len(c.m.DNS) != ingest.MaxDNS {
				t.Errorf("%d DNS transactions kept", len(c.m.DNS))
			}
		}},
	// past the bound, a query is not kept, and then neither is its answer
	{file: "dns-answered.pcap", packets: 1_200_000, flows: 1, dropped: ingest.Dropped{DNS: 200_000}, ceiling: 280, inProc: true},
	{file: "icmp-errors.pcap", packets: 1_000_000, flows: 1, dropped: ingest.Dropped{ICMPErrors: 800_000}, ceiling: 320, inProc: true,
		check: func(t *testing.T, c *Capture) {
			if len(c.m.ICMPErrors) != ingest.MaxICMPErrors {
				t.Errorf("%d ICMP errors kept", len(c.m.ICMPErrors))
			}
		}},
	{file: "fragments.pcap", packets: 1_000_000, flows: 16, ceiling: 96, inProc: true,
		// the table of first fragments empties each time it is full
		dropped: ingest.Dropped{Fragments: ingest.MaxFragments * ((1_000_000 - 1) / ingest.MaxFragments)}},
	// flows holds every flow to sort them (the analysis package), hence
	// its own ceiling
	{file: "random-tuples.pcap", args: []string{"--max-flows", "100000"}, opts: []Option{MaxFlows(100000)}, packets: 600_000, flows: 600_000, ceiling: 480, flowsCeiling: 700,
		inProc: true, dropped: ingest.Dropped{HostPackets: 337_842}, check: func(t *testing.T, c *Capture) {
			if len(c.m.Hosts) != ingest.MaxHosts || c.m.Evicted != 500_000 {
				t.Errorf("%d hosts, %d flows evicted", len(c.m.Hosts), c.m.Evicted)
			}
		}},
	{file: "long-span.pcap", packets: 1_100_000, flows: 1, dropped: ingest.Dropped{BinPackets: 1_100_000 - ingest.MaxBins}, ceiling: 160, inProc: true},
	{file: "long-flows.csv", packets: 400_000, flows: 200, ceiling: 160, inProc: true,
		dropped: ingest.Dropped{SpreadFlows: 200, BinPackets: 380_000}, check: func(t *testing.T, c *Capture) {
			if len(c.m.Bins) != ingest.MaxBins {
				t.Errorf("%d bins", len(c.m.Bins))
			}
		}},
}

// TestHostileInputs: every file of the hostile corpus (made by
// scripts/genhostile into a temporary directory) gives its exact outcome,
// and `pcaplab summary` and `pcaplab flows` stay under its memory ceiling
// (peak resident memory), each run as a child process under an
// address-space limit so that a regression fails the test instead of the
// machine.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile corpus takes about a minute")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the ceilings are peak resident memory as Linux reports it")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pcaplab")
	for _, c := range [][]string{{"build", "-o", bin, "../cmd/pcaplab"}, {"run", "../scripts/genhostile", dir}} {
		if out, err := exec.Command("go", c...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", c[0], err, out)
		}
	}
	for _, hc := range hostileCases {
		t.Run(strings.Join(append([]string{hc.file}, hc.args...), " "), func(t *testing.T) {
			path := filepath.Join(dir, hc.file)
			for _, cmd := range []string{"summary", "flows"} {
				out := filepath.Join(dir, cmd+".out")
				args := append([]string{cmd, "--quiet", "-o", out}, hc.args...)
				if cmd == "summary" {
					args = append([]string{cmd, "--quiet", "--json"}, hc.args...)
				}
				peak := runLimited(t, bin, out, append(args, path)...)
				ceiling := hc.ceiling
				if cmd == "flows" && hc.flowsCeiling > 0 {
					ceiling = hc.flowsCeiling
				}
				if peak > ceiling<<20 {
					t.Errorf("%s: peak resident memory %d MiB, ceiling %d MiB", cmd, peak>>20, ceiling)
				} else {
					t.Logf("%s: peak resident memory %d MiB (ceiling %d MiB)", cmd, peak>>20, ceiling)
				}
				checkOutput(t, cmd, out, hc)
			}
			if !hc.inProc {
				return
			}
			c, err := Open(path, hc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if c.m.Dropped != hc.dropped {
				t.Errorf("dropped %+v\nwant    %+v", c.m.Dropped, hc.dropped)
			}
			if hc.check != nil {
				hc.check(t, c)
			}
		})
	}
}

// checkOutput checks the packets and flows summary reported, or the lines
// of the flow table flows wrote.
func checkOutput(t *testing.T, cmd, path string, hc hostileCase) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cmd == "summary" {
		var s struct {
			Packets uint64                     `json:"packets"`
			Flows   int                        `json:"flows"`
			Dropped map[string]json.RawMessage `json:"dropped"`
		}
		if err := json.NewDecoder(f).Decode(&s); err != nil || s.Packets != hc.packets || s.Flows != hc.flows {
			t.Errorf("summary: %d packets, %d flows (%v); want %d, %d", s.Packets, s.Flows, err, hc.packets, hc.flows)
		}
		want, _ := json.Marshal(Dropped(hc.dropped))
		got, _ := json.Marshal(s.Dropped) // keys sorted
		var w map[string]json.RawMessage
		json.Unmarshal(want, &w)
		if want, _ = json.Marshal(w); s.Dropped == nil || string(got) != string(want) {
			t.Errorf("summary: dropped %s, want %s (only the counts that are not zero)", got, want)
		}
		return
	}
	lines := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines++
	}
	if lines != hc.flows+1 {
		t.Errorf("flows: %d lines, want %d flows and a header", lines, hc.flows)
	}
}

// runLimited runs pcaplab (standard output to out) through
// TestHostileHelper, a fresh process of this test binary that sets the
// limit and reports the peak: a child forked from this process would count
// this process's memory as its own. It returns the peak resident memory in
// bytes.
func runLimited(t *testing.T, bin, out string, args ...string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileHelper$")
	env, _ := json.Marshal(append([]string{bin, out}, args...))
	cmd.Env = append(os.Environ(), "PCAPLAB_HELPER="+string(env))
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var r helperResult
	if err := json.Unmarshal(res[:strings.IndexByte(string(res), '\n')+1], &r); err != nil {
		t.Fatalf("helper: %v: %s", err, res)
	}
	if r.Exit != 0 || strings.Count(strings.TrimSpace(r.Stderr), "\n") > 0 {
		t.Fatalf("pcaplab %s: exit %d, standard error:\n%s", strings.Join(args, " "), r.Exit, r.Stderr)
	}
	return r.Peak
}

type helperResult struct {
	Exit   int
	Peak   int64
	Stderr string
}

// TestHostileHelper is runLimited's child: with $PCAPLAB_HELPER set (the
// binary, the output file and the arguments), it limits its address space
// to 4 GiB (Go reserves much that it never touches, so the limit is a
// safety net; the ceilings are checked on the peak resident memory), runs
// the binary and prints its exit status, peak resident memory and
// standard error as one JSON line.
func TestHostileHelper(t *testing.T) {
	env := os.Getenv("PCAPLAB_HELPER")
	if env == "" {
		t.Skip("run by TestHostileInputs")
	}
	var a []string
	if err := json.Unmarshal([]byte(env), &a); err != nil {
		t.Fatal(err)
	}
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: 4 << 30, Max: 4 << 30})
	out, err := os.Create(a[1])
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(a[0], a[2:]...)
	cmd.Stdout = out
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Run()
	r := helperResult{Exit: cmd.ProcessState.ExitCode(), Stderr: stderr.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.Peak = ru.Maxrss << 10 // KiB on Linux
	}
	b, _ := json.Marshal(r)
	os.Stdout.Write(append(b, '\n'))
}
