package notebook

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/units"
)

// executed runs a notebook headless (jupyter nbconvert --execute) with the
// GoNB kernel and returns its cells. In CI (CI set) Jupyter and the kernel
// must be there: .ci/run installs them with the README's command.
func executed(t *testing.T, name string) []cell {
	t.Helper()
	ok := exec.Command("jupyter", "kernelspec", "list").Run() == nil
	if ok {
		out, _ := exec.Command("jupyter", "kernelspec", "list").Output()
		ok = strings.Contains(string(out), "gonb")
	}
	if !ok {
		if os.Getenv("CI") != "" {
			t.Fatal("Jupyter or the GoNB kernel is missing; .ci/run installs them (scripts/notebook-kernel.sh)")
		}
		t.Skip("Jupyter with the GoNB kernel is not installed (scripts/notebook-kernel.sh)")
	}
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("jupyter", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
		filepath.Join("..", "notebooks", name), "--output", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert %s: %v\n%s", name, err, tail(string(msg), 3000))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct{ Cells []cell }
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	return nb.Cells
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
	last := cells[len(cells)-1].outputText()
	if got := strings.Count(strings.TrimSpace(last), "\n") + 1; got != len(c.DNS()) {
		t.Errorf("DNS cell printed %d lines, the capture has %d transactions", got, len(c.DNS()))
	}
}
