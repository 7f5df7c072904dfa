package notebook

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/units"
)

// needKernel skips the test where Jupyter or the GoNB kernel is missing;
// in CI (CI set) they must be there: .ci/run installs them with the
// README's command.
func needKernel(t *testing.T) {
	t.Helper()
	out, err := exec.Command("jupyter", "kernelspec", "list").Output()
	if err == nil && strings.Contains(string(out), "gonb") {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Jupyter or the GoNB kernel is missing; .ci/run installs them (scripts/notebook-kernel.sh)")
	}
	t.Skip("Jupyter with the GoNB kernel is not installed (scripts/notebook-kernel.sh)")
}

// runs is how many times each notebook is executed: a display that reached
// the notebook once but not every time is a failure.
const runs = 3

// executed runs a notebook headless (jupyter nbconvert --execute) with the
// GoNB kernel, runs times, checks that every run shows the same outputs,
// and returns the cells of the first run.
func executed(t *testing.T, name string) []cell {
	t.Helper()
	needKernel(t)
	var first []cell
	for run := 1; run <= runs; run++ {
		cells, stderr := execute(t, name)
		if msg := spuriousLines(stderr); msg != "" {
			t.Errorf("run %d: nbconvert printed lines a student would take for errors:\n%s", run, msg)
		}
		if first == nil {
			first = cells
			continue
		}
		for i := range first {
			a, b := first[i].comparable(), cells[i].comparable()
			if a != b {
				t.Errorf("run %d of %s: cell %d shows other outputs than run 1 (from byte %d):\nrun 1: %s\nrun %d: %s",
					run, name, i, firstDiff(a, b), around(a, firstDiff(a, b)), run, around(b, firstDiff(a, b)))
			}
		}
	}
	return first
}

// execute runs a notebook once and returns its cells and what nbconvert
// wrote to standard error.
func execute(t *testing.T, name string) ([]cell, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("jupyter", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
		filepath.Join("..", "notebooks", name), "--output", out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("nbconvert %s: %v\n%s", name, err, tail(stderr.String(), 3000))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct{ Cells []cell }
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	return nb.Cells, stderr.String()
}

// spuriousLines returns the lines of nbconvert's standard error other than
// its own progress lines: kernel log lines, warnings about the notebook
// file (MissingIDFieldWarning) and the like.
func spuriousLines(stderr string) string {
	var bad []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line != "" && !strings.HasPrefix(line, "[NbConvertApp] ") {
			bad = append(bad, line)
		}
	}
	return strings.Join(bad, "\n")
}

// measured are the columns whose values are measured as the notebook runs:
// T2.7's time of one update and the heap bytes a structure holds (read
// from runtime.MemStats: the exact map's 3 672 bytes were 3 688 in one run
// of three). They differ from run to run by design; the comparison of runs
// leaves their values out.
var measured = []string{"ns_per_update", "memory_bytes"}

var (
	tableRE = regexp.MustCompile(`(?s)<table.*?</table>`)
	thRE    = regexp.MustCompile(`<th[^>]*>([^<]*)</th>`)
	trRE    = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	tdRE    = regexp.MustCompile(`(?s)<td[^>]*>.*?</td>`)
)

// comparable is the cell's outputs with the values of measured columns
// replaced by a placeholder.
func (c cell) comparable() string {
	return tableRE.ReplaceAllStringFunc(c.outputText(), func(table string) string {
		var skip []int
		for i, th := range thRE.FindAllStringSubmatch(table, -1) {
			if slices.Contains(measured, th[1]) {
				skip = append(skip, i)
			}
		}
		if len(skip) == 0 {
			return table
		}
		return trRE.ReplaceAllStringFunc(table, func(tr string) string {
			i := -1
			return tdRE.ReplaceAllStringFunc(tr, func(td string) string {
				i++
				if slices.Contains(skip, i) {
					return "<td>(measured)</td>"
				}
				return td
			})
		})
	})
}

// firstDiff is the first byte where a and b differ.
func firstDiff(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// around is s from 300 bytes before i to 100 after.
func around(s string, i int) string {
	return s[max(0, i-300):min(len(s), i+100)]
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type cell struct {
	CellType string `json:"cell_type"`
	Source   any    `json:"source"`
	Outputs  []struct {
		OutputType string         `json:"output_type"`
		Name       string         `json:"name"`
		Text       any            `json:"text"`
		Data       map[string]any `json:"data"`
		EName      string         `json:"ename"`
		EValue     string         `json:"evalue"`
	} `json:"outputs"`
}

func joined(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, s := range x {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}

// outputText is everything a cell printed or displayed.
func (c cell) outputText() string {
	var b strings.Builder
	for _, o := range c.Outputs {
		b.WriteString(joined(o.Text))
		for _, v := range o.Data {
			b.WriteString(joined(v))
		}
		if o.OutputType == "error" {
			b.WriteString("ERROR " + o.EName + ": " + o.EValue)
		}
	}
	return b.String()
}

func checkNoErrors(t *testing.T, cells []cell) {
	t.Helper()
	for i, c := range cells {
		if c.CellType != "code" {
			continue
		}
		out := c.outputText()
		if strings.Contains(out, "ERROR ") || strings.Contains(out, "error: ") || strings.Contains(out, "panic:") {
			t.Errorf("cell %d failed: %s", i, tail(out, 500))
		}
		if i > 2 && strings.TrimSpace(out) == "" { // every cell after the set-up shows something
			t.Errorf("cell %d shows nothing:\n%s", i, joined(c.Source))
		}
	}
}

var rowRE = regexp.MustCompile(`<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([\d\x{202f}]+)</td>`)

// The whole-assignment notebook runs, shows a table or figure for every
// question, and its numbers are the analysis API's.
func TestUserTrafficNotebook(t *testing.T) {
	cells := executed(t, "user-traffic.ipynb")
	checkNoErrors(t, cells)
	c, err := analysis.Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, x := range cells {
		all.WriteString(x.outputText())
	}
	text := all.String()
	if n := strings.Count(text, "<svg"); n != 8 {
		t.Errorf("%d figures shown, want 8", n)
	}
	for _, id := range []string{"T2.1", "T2.2", "T2.3", "T2.4", "T2.5", "T2.6", "T2.7", "T3.1", "T3.2", "T3.3", "T3.5", "T3.6", "T3.7", "T3.8"} {
		if !strings.Contains(allSources(cells), "## "+id) {
			t.Errorf("no cell for %s", id)
		}
	}
	s := c.Summary()
	if !strings.Contains(text, "sample.pcapng: 1659 packets, 1454372 bytes, 106.4 s, 59 flows") || s.Packets != 1659 {
		t.Errorf("summary line missing or wrong")
	}
	// T2.5: the table behind the figure equals PairFlowCounts(100), and
	// the figure is drawn from it.
	want := c.Pairs().Ranking(100).Rows
	var t25 string
	for _, x := range cells {
		if strings.Contains(joined(x.Source), "Ranking(100)") {
			t25 = x.outputText()
		}
	}
	rows := rowRE.FindAllStringSubmatch(t25, -1)
	if len(rows) != len(want) {
		t.Fatalf("T2.5 table has %d rows, Ranking %d", len(rows), len(want))
	}
	for i, r := range rows {
		w := want[i]
		if r[2] != w.A.String() || r[3] != w.B.String() || r[4] != units.Count(w.Flows) {
			t.Errorf("T2.5 row %d = %v, API says %s %s %d", i, r[1:], w.A, w.B, w.Flows)
		}
	}
	if !strings.Contains(t25, "host pair rank") || strings.Count(t25, "<svg") != 2 {
		t.Error("T2.5's figures are missing")
	}
	sameOnStore(t, cells)
}

// sameOnStore runs the whole-assignment notebook once more, on a flow
// store made from the sample (pcaplab ingest), and finds every cell's
// output equal to the capture's (cells): notebooks answer from a store.
func sameOnStore(t *testing.T, cells []cell) {
	t.Helper()
	store, err := filepath.Abs(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := analysis.Ingest(store, []string{"../testdata/sample.pcapng"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "notebooks", "user-traffic.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	const sample = `var capturePath = \"../testdata/sample.pcapng\"`
	if !strings.Contains(string(data), sample) {
		t.Fatalf("the notebook does not set capturePath to the sample (%s)", sample)
	}
	// In the notebooks folder, where its first cell finds the module.
	name := ".store-test-user-traffic.ipynb"
	path := filepath.Join("..", "notebooks", name)
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), sample, `var capturePath = \"`+store+`\"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	got, _ := execute(t, name)
	checkNoErrors(t, got)
	if len(got) != len(cells) {
		t.Fatalf("on the store: %d cells, %d on the capture", len(got), len(cells))
	}
	for i := range cells {
		a, b := cells[i].comparable(), got[i].comparable()
		if a != b {
			t.Errorf("cell %d shows other outputs on the store (from byte %d):\ncapture: %s\nstore:   %s",
				i, firstDiff(a, b), around(a, firstDiff(a, b)), around(b, firstDiff(a, b)))
		}
	}
}

func allSources(cells []cell) string {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(joined(c.Source))
	}
	return b.String()
}

func TestExploreNotebook(t *testing.T) {
	cells := executed(t, "explore.ipynb")
	checkNoErrors(t, cells)
	c, err := analysis.Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	// The DNS cell's table has one row per transaction.
	last := cells[len(cells)-1].outputText()
	if got := strings.Count(last, "<tr>") - 1; got != len(c.DNS()) {
		t.Errorf("DNS table has %d rows, the capture has %d transactions", got, len(c.DNS()))
	}
	// The time-series cell: its table is Series of the busiest host in
	// 10 s bins, and it draws one figure.
	host := analysis.HostFilter(c.Hosts().TopByBytes(1).Rows[0].Host)
	want, err := c.Traffic().Series(host, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	for _, x := range cells {
		if strings.Contains(joined(x.Source), "c.Traffic().Series(host") {
			out = x.outputText()
		}
	}
	rows := trRE.FindAllStringSubmatch(out, -1)
	if len(rows) != len(want)+1 || strings.Count(out, "<svg") != 1 {
		t.Fatalf("time-series cell: %d table rows and %d figures, want %d rows and 1 figure", len(rows)-1, strings.Count(out, "<svg"), len(want))
	}
	for i, w := range want {
		tds := tdRE.FindAllString(rows[i+1][1], -1)
		if len(tds) < 5 || !strings.Contains(tds[3], ">"+units.Count(w.Packets)+"<") || !strings.Contains(tds[4], ">"+units.Count(w.Bytes)+"<") {
			t.Errorf("time-series row %d = %v, Series says %d packets, %d bytes", i, tds, w.Packets, w.Bytes)
		}
	}
}

// kernelClient runs notebook/testdata/kernel_client.py (jupyter_client,
// with the Python that runs Jupyter) and decodes its JSON.
func kernelClient(t *testing.T, out any, args ...string) {
	t.Helper()
	needKernel(t)
	python := "python3"
	if jupyter, err := exec.LookPath("jupyter"); err == nil {
		if data, err := os.ReadFile(jupyter); err == nil && strings.HasPrefix(string(data), "#!") {
			python = strings.Fields(strings.SplitN(string(data[2:]), "\n", 2)[0])[0]
		}
	}
	cmd := exec.Command(python, append([]string{filepath.Join("testdata", "kernel_client.py")}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("kernel_client.py %s: %v\n%s", args[0], err, tail(stderr.String(), 3000))
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("kernel_client.py %s: %v\n%s", args[0], err, data)
	}
}

// A wrong capture path, run as Jupyter's "Run All" runs a notebook: the
// capture's cell shows one error naming the absolute path and fails, so
// no later cell runs; nothing panics.
func TestWrongCapturePath(t *testing.T) {
	var cells []struct {
		Cell   int
		Status string
		Output string
	}
	kernelClient(t, &cells, "run", filepath.Join("..", "notebooks", "user-traffic.ipynb"), "no-such-capture.pcapng")
	abs, _ := filepath.Abs(filepath.Join("..", "notebooks", "no-such-capture.pcapng"))
	if len(cells) != 2 || cells[0].Status != "ok" || cells[1].Status != "error" {
		t.Fatalf("want the set-up cell to pass and the capture's cell to fail and stop the run, got %+v", cells)
	}
	out := cells[1].Output
	if !strings.Contains(out, "error: "+abs+": no such file or directory") || strings.Count(out, "error: ") != 1 || strings.Contains(out, "panic") {
		t.Errorf("the capture's cell shows:\n%s\nwant one error naming %s and no panic", out, abs)
	}
}

// Tab completion and Shift-Tab inspection, asked of the running kernel as
// Jupyter asks it (complete_request, inspect_request): gopls must be
// installed and answer with the analysis API.
func TestCompletionAndInspection(t *testing.T) {
	const open = "%%\nc := notebook.Open(capturePath)\n"
	var replies []struct {
		Code    string
		Matches []string
		Inspect string
	}
	kernelClient(t, &replies, "complete", filepath.Join("..", "notebooks", "explore.ipynb"),
		open+"c.Fl", open+"c.Traffic().S", open+"_ = c.Traffic().Series(analysis.HostF@@ilter(c.Start()), 0)", open+"c.Hosts().Top")
	want := [][]string{{"Flows"}, {"Series", "SeriesPlot"}, nil, {"TopByBytes", "TopByPackets"}}
	for i, r := range replies {
		for _, m := range want[i] {
			if !slices.Contains(r.Matches, m) {
				t.Errorf("completing %q offers %v, not %s", r.Code, r.Matches, m)
			}
		}
	}
	if !strings.Contains(replies[2].Inspect, "HostFilter selects the packets to or from an address") {
		t.Errorf("inspecting analysis.HostFilter shows %q", replies[2].Inspect)
	}
}
