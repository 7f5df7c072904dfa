package report

import (
	"slices"
	"testing"

	"github.com/pcaplab/pcaplab/analysis"
)

// Each count of analysis.Dropped that is not zero is one note of the
// report, the count with its noun and verb agreeing; the captures of
// testdata/malformed with records set aside say so in their reports.
func TestDroppedNotes(t *testing.T) {
	for _, tc := range []struct {
		file string
		note string
	}{
		{"../testdata/malformed/time-jump.pcap",
			"1 record more than 7 days away from both the record before and the record after was set aside as garbled (counted nowhere else)."},
		{"../testdata/malformed/pcapng-time-past-2262.pcapng",
			"1 record with a timestamp outside 1970–2262, or none, was set aside (counted nowhere else)."},
		{"../testdata/malformed/flows-times-wrap.csv",
			"2 flows with a start or end outside 1970–2262, or an end before the start, were set aside (counted nowhere else)."},
	} {
		c, err := analysis.Open(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Build(c, Options{Now: fixedNow, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(r.Notes, tc.note) {
			t.Errorf("%s: notes %q\nwant %q", tc.file, r.Notes, tc.note)
		}
	}
	got := droppedNotes(analysis.Dropped{CutRecords: 2, DNS: 1, SpreadFlows: 3}, false)
	want := []string{
		"2 records longer than 262\u202f144 B were decoded up to that length only (counted in full in bytes).",
		"1 DNS message was not kept: 500\u202f000 DNS transactions were kept already, so DNS failures may be undercounted.",
		"3 flows over more than 100\u202f000 time bins were spread over that many equal parts of the span, not bin by bin.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes %q\nwant  %q", got, want)
	}
	if n := droppedNotes(analysis.Dropped{}, false); len(n) != 0 {
		t.Errorf("nothing dropped: notes %q", n)
	}
}
