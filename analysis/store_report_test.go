package analysis_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/report"
)

// The report built from a store holds the same tables as the report
// built from the capture.
func TestReportFromStore(t *testing.T) {
	capture := filepath.Join("..", "testdata", "sample.pcapng")
	dir := t.TempDir()
	if _, err := analysis.Ingest(dir, []string{capture}); err != nil {
		t.Fatal(err)
	}
	fromStore, err := analysis.OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	fromCapture, err := analysis.Open(capture)
	if err != nil {
		t.Fatal(err)
	}
	outs := [2]string{t.TempDir(), t.TempDir()}
	for i, c := range []*analysis.Capture{fromCapture, fromStore} {
		r, err := report.Build(c, report.Options{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Write(outs[i], report.Output{}); err != nil {
			t.Fatal(err)
		}
	}
	tables, _ := filepath.Glob(filepath.Join(outs[0], "tables", "*.csv"))
	if len(tables) < 10 {
		t.Fatalf("only %d tables", len(tables))
	}
	for _, p := range tables {
		name := filepath.Base(p)
		if name == "counting-methods.csv" || name == "counting-at-scale.csv" {
			continue // T2.7 measures time and memory: another run, other numbers
		}
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(outs[1], "tables", name))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s differs from the store (%v)", name, err)
		}
	}
}
