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

// udpAt makes a capture of one 100-byte frame (800 bits) at each time, in
// seconds after t0, in the order given.
func udpAt(t *testing.T, secs ...float64) *synth.Capture {
	t.Helper()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c := &synth.Capture{}
	src, dst := netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("10.0.0.2:9999")
	for _, s := range secs {
		if n := c.UDP(t0.Add(time.Duration(s*1e9)), src, dst, make([]byte, 58)); n != 100 {
			t.Fatalf("frame of %d bytes, want 100", n)
		}
	}
	return c
}

// The median and peak rates of sql/rates.sql equal Go's and the rates the
// test works out by hand, where bins are empty, joined at the ends, spread
// over files, or too many to list (1 s bins, 800 bits a packet).
func TestStoreSQLRatesCases(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files [][]float64
		// median and peak bit and packet rates, by hand
		medBits, medPkts, peakBits, peakPkts float64
	}{
		// bins 0 (2 packets), 1, 2 empty; bin 3 covers 0.2 s and joins bin 2:
		// rates 1600, 0, 800/1.2 → median 800/1.2
		{"last sliver joins an empty bin", [][]float64{{0, 0.3, 3.2}}, 800 / 1.2, 1 / 1.2, 1600, 2},
		// bins 0 (1), 1, 2 empty, 3 (2 packets over 0.8 s): 0, 0, 800, 2000
		{"even count, middle across the empties", [][]float64{{0, 3, 3.8}}, 400, 0.5, 2000, 2.5},
		// 9.9 s is before the first record (10 s): bin -1 covers 0.1 s and
		// joins bin 0 (3 packets over 1.1 s); bin 1 empty; bin 2 0.7 s
		{"first sliver joins bin 0", [][]float64{{10, 9.9, 10.5, 12.7}}, 800 / 0.7, 1 / 0.7, 2400 / 1.1, 3 / 1.1},
		// bins -1 (0.2 s) and 1 (0.3 s) both join bin 0: one bin, 1.5 s
		{"both ends join one bin", [][]float64{{10, 9.8, 11.3}}, 1600, 2, 1600, 2},
		{"one instant", [][]float64{{0}}, 0, 0, 0, 0},
		// the files share bin 0 (3 packets); bin 2 covers 0.4 s and joins
		// the empty bin 1: 2400 and 800/1.4
		{"two files in one bin", [][]float64{{0, 0.5}, {0.7, 2.4}}, (2400 + 800/1.4) / 2, (3 + 1/1.4) / 2, 2400, 3},
		// 1 000 101 bins from first to last: the empty ones are not listed,
		// so the last (0.3 s) joins bin 0: 4 packets over 1.3 s
		{"past a million bins", [][]float64{{0, 0.5, 1_000_100, 1_000_100.3}}, 3200 / 1.3, 4 / 1.3, 3200 / 1.3, 4 / 1.3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var files []*synth.Capture
			for _, secs := range tc.files {
				files = append(files, udpAt(t, secs...))
			}
			dir := ingestSynth(t, files)
			sc, err := OpenStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			r, err := sc.Traffic().Rates(0)
			if err != nil {
				t.Fatal(err)
			}
			want := []any{tc.medBits, tc.medPkts, tc.peakBits, tc.peakPkts}
			for i, g := range []float64{r.MedianBitsPerS, r.MedianPacketsPerS, r.PeakBitsPerS, r.PeakPacketsPerS} {
				if !sameCell(g, want[i]) {
					t.Errorf("Go %v, want (by hand) %v", []float64{r.MedianBitsPerS, r.MedianPacketsPerS, r.PeakBitsPerS, r.PeakPacketsPerS}, want)
					break
				}
			}
			got := duckdb(t, dir, []string{"rates"})["rates"]
			goRows := map[string][][]any{}
			goRatesAndFailures(sc, goRows)
			compareRows(t, "rates", got, goRows["rates"])
			if len(got.Rows) == 1 {
				compareRows(t, "rates (median and peak)", sqlResult{Rows: [][]any{got.Rows[0][6:]}}, [][]any{want})
			}
		})
	}
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

// Every query of ../sql over a store of several files equals the Go
// answer of one pass over the files in time order: each capture cut in
// three (an address has a row in each file, a bin may be split between
// two), and all the captures in one store (spanning years: past a million
// bins the empty ones are not listed).
func TestStoreSQLSeveralFilesEqualsGo(t *testing.T) {
	captures := storeCaptures(t)
	for _, path := range captures {
		t.Run(filepath.Base(path), func(t *testing.T) {
			one, err := Open(path)
			must(t, err)
			n := int(one.Packets())
			pieces := splitCapture(t, path, t.TempDir(), []int{max(n/3, 1), max(2*n/3, 2)})
			sqlEqualsGo(t, pieces)
		})
	}
	if len(captures) > 1 {
		t.Run("all in one store", func(t *testing.T) { sqlEqualsGo(t, captures) })
	}
}

// sqlEqualsGo ingests files into a store and checks every query against
// one pass over them in time order.
func sqlEqualsGo(t *testing.T, files []string) {
	t.Helper()
	ref, err := OpenFiles(piecesInTimeOrder(t, files))
	must(t, err)
	dir := t.TempDir()
	_, err = Ingest(dir, files)
	must(t, err)
	want := goAnswers(ref)
	var names []string
	for name := range want {
		names = append(names, name)
	}
	got := duckdb(t, dir, names)
	for _, name := range names {
		compareRows(t, name, got[name], want[name])
	}
}

// T2.6's queries on a capture with enough host pairs (4 000, IPv4 and
// IPv6, one to three flows each) that dozens of slots hold two or more:
// SQL over the stored pair_slot equals Go's array, row by row.
func TestStoreSQLSlotsCase(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c := &synth.Capture{}
	for i := range 4000 {
		a := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
		b := netip.AddrFrom4([4]byte{172, 16, byte(i * 7 >> 8), byte(i * 7)})
		if i%5 == 0 {
			a = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)})
			b = netip.MustParseAddr("2001:db8::ffff")
		}
		for f := range 1 + i%3 {
			src, dst := netip.AddrPortFrom(a, uint16(40000+f)), netip.AddrPortFrom(b, 53)
			c.UDP(t0.Add(time.Duration(i)*time.Millisecond), src, dst, make([]byte, 10+i%50))
		}
	}
	path := filepath.Join(t.TempDir(), "pairs.pcap")
	must(t, c.Save(path))
	dir := t.TempDir()
	_, err := Ingest(dir, []string{path})
	must(t, err)
	one, err := Open(path)
	must(t, err)
	want := map[string][][]any{}
	goSlots(one, want)
	if n := len(want["merged_pairs"]); n < 100 {
		t.Fatalf("%d merged pairs: too few collisions for the test", n)
	}
	got := duckdb(t, dir, []string{"top_slots", "slot_summary", "merged_pairs"})
	for name, rows := range want {
		compareRows(t, name, got[name], rows)
	}
}
