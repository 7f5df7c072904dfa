package analysis

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/pcaplab/pcaplab/internal/synth"
)

// ingestSynth saves each capture as a file and ingests them all into a new
// store, whose directory it returns.
func ingestSynth(t *testing.T, files []*synth.Capture) string {
	t.Helper()
	tmp := t.TempDir()
	var paths []string
	for i, c := range files {
		p := filepath.Join(tmp, fmt.Sprintf("part%d.pcap", i))
		if err := c.Save(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	dir := filepath.Join(tmp, "store")
	if _, err := Ingest(dir, paths); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The countries of sql/countries.sql equal Go's and the rows the test
// constructs: a country with two hosts first, then ties on hosts and
// bytes in code order, cut at 5; then the addresses without a country by
// hosts, ties in name order.
func TestStoreSQLCountriesCase(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c := &synth.Capture{}
	for i, p := range [][2]string{
		{"8.8.8.8", "1.1.1.1"},          // US, AU
		{"81.2.69.142", "133.242.0.3"},  // GB, JP
		{"200.160.2.3", "41.0.0.1"},     // BR, ZA
		{"194.109.6.66", "193.0.6.139"}, // NL, NL
		{"10.0.0.1", "192.168.1.1"},     // private network
		{"10.0.0.1", "224.0.0.251"},     // private network, multicast
		{"192.0.2.1", "100.64.0.1"},     // documentation, shared (CGNAT)
	} {
		src := netip.AddrPortFrom(netip.MustParseAddr(p[0]), 40000)
		dst := netip.AddrPortFrom(netip.MustParseAddr(p[1]), 5353)
		if n := c.UDP(t0.Add(time.Duration(i)*time.Second), src, dst, make([]byte, 58)); n != 100 {
			t.Fatalf("frame of %d bytes, want 100", n)
		}
	}
	want := [][]any{
		{"NL", "Netherlands", 2, 2, 200},
		{"AU", "Australia", 1, 1, 100},
		{"BR", "Brazil", 1, 1, 100},
		{"GB", "United Kingdom", 1, 1, 100},
		{"JP", "Japan", 1, 1, 100},
		{"-", "(private network)", 2, 3, 300},
		{"-", "(documentation)", 1, 1, 100},
		{"-", "(multicast)", 1, 1, 100},
		{"-", "(shared (CGNAT))", 1, 1, 100},
	}
	dir := ingestSynth(t, []*synth.Capture{c})
	sc, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	var goRows [][]any
	for _, r := range sc.Hosts().Countries(5) {
		goRows = append(goRows, []any{r.Code, r.Country, fmt.Sprint(r.Hosts), fmt.Sprint(r.Packets), fmt.Sprint(r.Bytes)})
	}
	compareRows(t, "countries (Go)", sqlResult{Rows: goRows}, want)
	compareRows(t, "countries", duckdb(t, dir, []string{"countries"})["countries"], want)
}
