package notebook

import (
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
