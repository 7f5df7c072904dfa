package notebook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tour is the API tour in the README's notebook section: one line per
// question, as a student types it in a cell after
// c := notebook.Open(capturePath). TestTour runs every line.
var tour = []struct{ Question, Line string }{
	{"T2.0 every flow (the columns of `pcaplab flows`)", `notebook.Table(c.Flows().Table())`},
	{"T2.0 flows that started in the first 30 s", `notebook.Table(c.Flows().Frame().Filter(dataframe.F{Colname: "start_ns", Comparator: "<", Comparando: int(c.Start().Add(30 * time.Second).UnixNano())}))`},
	{"T2.1 flow count and sizes", `notebook.Table(c.Flows().Sizes().Rows())`},
	{"T2.2 volume over time", `p, err := c.Traffic().VolumePlot(0); notebook.Error(err); notebook.Plot(p)`},
	{"T2.2 flow-size distribution", `notebook.Plot(c.Flows().SizePlot())`},
	{"T2.3 applications (also Protocols, SourcePorts, DestinationPorts)", `notebook.Table(c.Services().Applications(10))`},
	{"T2.4 top host pairs by flows (and TopByBytes, Overlap)", `notebook.Table(c.Pairs().TopByFlows(10))`},
	{"T2.5 flows of the top-100 pairs, log y", `notebook.Plot(c.Pairs().Plot(100, true))`},
	{"T2.6 the 2^16-slot array", `notebook.Text(c.Pairs().SlotArray(nil, "").Sentence())`},
	{"T2.7 counting methods measured", `notebook.Table(c.Pairs().CountingMethods())`},
	{"T3.1 IPv4 and IPv6 hosts", `notebook.Table(c.Hosts().Kinds())`},
	{"T3.2 countries", `notebook.Table(c.Hosts().Countries(5))`},
	{"T3.3 top hosts by bytes (T3.4: TopByPackets)", `notebook.Table(c.Hosts().TopByBytes(15).Rows)`},
	{"T3.5 top TCP ports (and TopUDP)", `notebook.Table(c.Ports().TopTCP(10).Rows)`},
	{"T3.6 fastest TCP connections", `notebook.Table(c.Flows().Fastest(10, analysis.FastestOptions{}).Rows)`},
	{"T3.7 bit and packet rates", `r, err := c.Traffic().Rates(0); notebook.Error(err); notebook.Table(r.Rows())`},
	{"T3.8 failed communications", `notebook.Table(c.Failures().Classes())`},
	{"one host over time (1 s bins)", `b, err := c.Traffic().Series(analysis.HostFilter(netip.MustParseAddr("192.168.1.23")), time.Second); notebook.Error(err); notebook.Table(b)`},
	{"one port over time, as a figure", `p, err := c.Traffic().SeriesPlot(time.Second, false, analysis.PortFilter(flow.UDP, 443)); notebook.Error(err); notebook.Plot(p)`},
	{"one flow over time", `f := c.Flows().Slice()[0]; b, err := c.Traffic().Series(analysis.FlowFilter(&f), time.Second); notebook.Error(err); notebook.Table(b)`},
	{"the same filter for tshark or Wireshark", `notebook.Text(analysis.PortFilter(flow.UDP, 443).Tshark())`},
}

// TestTour builds a program of every line of the tour, as GoNB builds a
// cell (this repository replaced in, its go.sum, -mod=mod), and runs it on
// the sample: each line compiles and runs without an error.
func TestTour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n\t\"net/netip\"\n\t\"time\"\n\n\t\"github.com/go-gota/gota/dataframe\"\n" +
		"\t\"github.com/pcaplab/pcaplab/analysis\"\n\t\"github.com/pcaplab/pcaplab/flow\"\n\t\"github.com/pcaplab/pcaplab/notebook\"\n)\n\n" +
		"var _ = []any{netip.Addr{}, time.Second, dataframe.F{}, analysis.Filter{}, flow.TCP}\n\nfunc main() {\n")
	src.WriteString("\tc := notebook.Open(" + `"` + filepath.Join(repo, "testdata", "sample.pcapng") + `"` + ")\n")
	for _, s := range tour {
		src.WriteString("\t{\n\t\t" + strings.ReplaceAll(s.Line, "; ", "\n\t\t") + "\n\t}\n")
	}
	src.WriteString("}\n")
	gomod := "module tour\n\ngo 1.26\n\nrequire github.com/pcaplab/pcaplab v0.0.0\n\nreplace github.com/pcaplab/pcaplab => " + repo + "\n"
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"main.go": []byte(src.String()), "go.mod": []byte(gomod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "-mod=mod", ".")
	cmd.Dir = dir
	// The model cache goes to a temporary folder; the build cache stays
	// (it lives under the same user cache folder by default).
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir(), "GOCACHE="+strings.TrimSpace(string(gocache)))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || strings.Contains(stderr.String(), "error") {
		t.Fatalf("the tour: %v\n%s\n%s", err, stderr.String(), src.String())
	}
	for _, want := range []string{"192.168.1.23", "[figure: Bit rate over time", "tcp_no_answer", "udp.dstport#1 == 443"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the tour's output lacks %q", want)
		}
	}
}

// The README's notebook section shows the tour as it is tested.
func TestTourInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tour {
		if !strings.Contains(string(readme), "| "+x.Question+" | `"+x.Line+"` |") {
			t.Errorf("README lacks the tour line for %q", x.Question)
		}
	}
}
