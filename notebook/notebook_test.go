package notebook

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcaplab/pcaplab/analysis"
	"github.com/pcaplab/pcaplab/table"
)

func TestTableHTML(t *testing.T) {
	c, err := analysis.Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	rows := c.Ports().TopTCP(10).Rows
	tb, err := toTable(rows)
	if err != nil {
		t.Fatal(err)
	}
	h := TableHTML(tb, 3)
	for _, want := range []string{"<th", ">port<", ">443<", ">1\u202f099\u202f115<", "7 more rows"} {
		if !strings.Contains(h, want) {
			t.Errorf("table lacks %q:\n%s", want, h)
		}
	}
	if strings.Count(h, "<tr>") != 4 { // header + 3 rows
		t.Errorf("row limit not applied:\n%s", h)
	}
	if h := TableHTML(table.Of(rows[:0]), 3); !strings.Contains(h, "0 rows") {
		t.Errorf("an empty table does not say so:\n%s", h)
	}
}

// A capture that cannot be opened is one error naming the absolute path,
// then the cell stops (exit status 1); Open never hands out a nil capture.
func TestOpenStopsOnError(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code := -1
	exit = func(c int) {
		code = c
		panic("exit")
	}
	defer func() { exit = os.Exit }()
	stderr := captureStderr(t, func() {
		defer func() {
			if r := recover(); r != "exit" {
				t.Errorf("Open returned (or panicked with %v) instead of stopping", r)
			}
		}()
		Open("no-such-capture.pcapng")
	})
	abs, _ := filepath.Abs("no-such-capture.pcapng")
	want := "error: " + abs + ": no such file or directory\n"
	if code != 1 || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "is relative to") || strings.Count(stderr, "error:") != 1 {
		t.Errorf("exit %d, stderr:\n%s\nwant it to start with %q", code, stderr, want)
	}
	if c := Open("../testdata/sample.pcapng"); c == nil || c.Packets() != 1659 {
		t.Errorf("Open of the sample: %v", c)
	}
}

func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	fn()
	os.Stderr = old
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out)
}
