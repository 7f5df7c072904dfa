package notebook

import (
	"strings"
	"testing"

	"github.com/pcaplab/pcaplab/analysis"
)

func TestTableHTML(t *testing.T) {
	c, err := analysis.Open("../testdata/sample.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	h := TableHTML(c.TopTCPPorts(10), 3)
	for _, want := range []string{"<th", ">port<", ">443<", ">1,099,115<", "7 more rows"} {
		if !strings.Contains(h, want) {
			t.Errorf("table lacks %q:\n%s", want, h)
		}
	}
	if strings.Count(h, "<tr>") != 4 { // header + 3 rows
		t.Errorf("row limit not applied:\n%s", h)
	}
	if thousands(-1234567) != "-1,234,567" || thousands(999) != "999" {
		t.Error("thousands")
	}
}
