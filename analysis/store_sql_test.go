package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// storeCaptures are the captures the store tests run on: the bundled
// sample and every capture of the shared set (where ../shared exists).
func storeCaptures(t *testing.T) []string {
	paths := []string{filepath.Join("..", "testdata", "sample.pcapng")}
	shared, _ := filepath.Glob(filepath.Join("..", "..", "shared", "captures", "*.pcap*"))
	if len(shared) == 0 {
		t.Log("../shared/captures not found: the sample only")
	}
	return append(paths, shared...)
}

// duckdb runs queries of ../sql on DuckDB (the npm package in
// sql/duckdb, run by node) over a store. Without node or the package the
// test is skipped, unless PCAPLAB_REQUIRE_DUCKDB is set (CI sets it).
func duckdb(t *testing.T, store string, names []string) map[string]sqlResult {
	t.Helper()
	dir := filepath.Join("..", "sql", "duckdb")
	_, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil || serr != nil {
		if os.Getenv("PCAPLAB_REQUIRE_DUCKDB") != "" {
			t.Fatalf("DuckDB is required: node %v, package %v (cd sql/duckdb && npm ci)", err, serr)
		}
		t.Skip("DuckDB not installed (cd sql/duckdb && npm ci): SQL not run")
	}
	// Read here what node reads, so that go test's cache knows them.
	for _, f := range append([]string{filepath.Join(dir, "run.mjs"), filepath.Join(dir, "views.sql")}, names...) {
		if filepath.Ext(f) == "" {
			f = filepath.Join("..", "sql", f+".sql")
		}
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{filepath.Join(dir, "run.mjs"), store, filepath.Join("..", "sql")}, names...)
	out, err := exec.Command("node", args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node run.mjs: %v: %s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var res map[string]sqlResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("DuckDB output: %v", err)
	}
	return res
}

type sqlResult struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	MS      float64  `json:"ms"`
}

// sameCell compares a DuckDB cell with a Go value: numbers exactly, or
// floats within a relative 1e-9 (sums of floats in another order), text
// as text.
func sameCell(got, want any) bool {
	var w float64
	switch v := want.(type) {
	case string:
		return fmt.Sprint(got) == v
	case int:
		w = float64(v)
	case uint64:
		return fmt.Sprint(got) == strconv.FormatUint(v, 10)
	case int64:
		return fmt.Sprint(got) == strconv.FormatInt(v, 10)
	case uint16:
		return fmt.Sprint(got) == strconv.Itoa(int(v))
	case float64:
		w = v
	default:
		return fmt.Sprint(got) == fmt.Sprint(v)
	}
	var g float64
	switch x := got.(type) {
	case float64:
		g = x
	case string:
		var err error
		if g, err = strconv.ParseFloat(x, 64); err != nil {
			return false
		}
	default:
		return false
	}
	return g == w || math.Abs(g-w) <= 1e-9*math.Max(math.Abs(g), math.Abs(w))
}

// compareRows checks a query's rows against Go's, row by row.
func compareRows(t *testing.T, name string, got sqlResult, want [][]any) {
	t.Helper()
	if len(got.Rows) != len(want) {
		t.Errorf("%s: %d rows from DuckDB, %d from Go\nDuckDB: %v\nGo:     %v", name, len(got.Rows), len(want), got.Rows, want)
		return
	}
	for i := range want {
		for j := range want[i] {
			if j >= len(got.Rows[i]) || !sameCell(got.Rows[i][j], want[i][j]) {
				t.Errorf("%s row %d: DuckDB %v, Go %v", name, i+1, got.Rows[i], want[i])
				break
			}
		}
	}
}

// goAnswers are the Go answers of each query of ../sql, as rows.
func goAnswers(c *Capture) map[string][][]any {
	out := map[string][][]any{}
	s := c.Flows().Sizes()
	out["flow_sizes"] = [][]any{{s.Flows, s.TCP, s.UDP, s.ICMP, s.Other, s.Bytes.Min, s.Bytes.Median, s.Bytes.Mean, s.Bytes.Max,
		s.Packets.Min, s.Packets.Median, s.Packets.Mean, s.Packets.Max}}
	for _, r := range c.Services().Protocols(5) {
		out["protocols"] = append(out["protocols"], []any{r.Protocol.String(), r.Flows, r.Packets, r.Bytes, r.Share})
	}
	for _, r := range c.Services().Applications(10) {
		out["applications"] = append(out["applications"], []any{r.Application, r.Flows, r.Packets, r.Bytes})
	}
	for name, fp := range map[string]FlowPorts{"source_ports": c.Services().SourcePorts(5), "destination_ports": c.Services().DestinationPorts(5)} {
		out[name] = [][]any{}
		for _, r := range fp.Rows {
			out[name] = append(out[name], []any{r.Port, r.Transport, r.Flows, r.Packets, r.Bytes})
		}
	}
	for name, rows := range map[string][]PairRow{"top_pairs_by_flows": c.Pairs().TopByFlows(10), "top_pairs_by_bytes": c.Pairs().TopByBytes(10),
		"pair_ranking": c.Pairs().Ranking(100).Rows} {
		out[name] = [][]any{}
		for _, r := range rows {
			out[name] = append(out[name], []any{r.A.String(), r.B.String(), r.Flows, r.Packets, r.Bytes})
		}
	}
	for name, top := range map[string]TopHosts{"top_hosts_by_bytes": c.Hosts().TopByBytes(15), "top_hosts_by_packets": c.Hosts().TopByPackets(15)} {
		out[name] = [][]any{}
		for _, r := range top.Rows {
			out[name] = append(out[name], []any{r.Host.String(), r.Bytes, r.Packets, r.SentBytes, r.ReceivedBytes})
		}
	}
	for _, r := range c.Hosts().Countries(5) {
		out["countries"] = append(out["countries"], []any{r.Code, r.Country, r.Hosts, r.Packets, r.Bytes})
	}
	for _, r := range c.Hosts().Kinds() {
		out["host_kinds"] = append(out["host_kinds"], []any{r.Family, r.Kind, r.Scope, r.Hosts, r.Packets, r.Bytes})
	}
	for name, tp := range map[string]TopPorts{"top_tcp_ports": c.Ports().TopTCP(10), "top_udp_ports": c.Ports().TopUDP(5)} {
		out[name] = [][]any{}
		for _, r := range tp.Rows {
			out[name] = append(out[name], []any{r.Port, r.Packets, r.Bytes})
		}
	}
	goRatesAndFailures(c, out)
	goSlots(c, out)
	return out
}

func goSlots(c *Capture, out map[string][][]any) {
	s := c.Pairs().SlotArray(nil, "")
	out["slot_summary"] = [][]any{{s.Pairs, s.Occupied, s.Shared, s.PairsInShared}}
	out["top_slots"] = [][]any{}
	for _, r := range s.TopSlots(100) {
		out["top_slots"] = append(out["top_slots"], []any{r.Slot, r.Flows, r.Pairs})
	}
	out["merged_pairs"] = [][]any{}
	for r := range s.Merged() {
		out["merged_pairs"] = append(out["merged_pairs"], []any{r.Slot, r.SlotFlows, r.SlotPairs, r.A.String(), r.B.String(), r.ExactFlows, r.OverCount})
	}
}

func goRatesAndFailures(c *Capture, out map[string][][]any) {
	keys := make([]int64, 0, len(c.m.Bins))
	for k := range c.m.Bins {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		b := c.m.Bins[k]
		out["volume_bins"] = append(out["volume_bins"], []any{c.m.BinOrigin + k*c.m.BinWidth, b.Packets, b.Bytes})
	}
	r, _ := c.Traffic().Rates(0)
	out["rates"] = [][]any{{c.Packets(), c.Bytes(), c.m.First, c.m.Last, r.MeanBitsPerS, r.MeanPacketsPerS,
		r.MedianBitsPerS, r.MedianPacketsPerS, r.PeakBitsPerS, r.PeakPacketsPerS}}
	out["fastest"] = [][]any{}
	for _, r := range c.Flows().Fastest(10, FastestOptions{}).Rows {
		out["fastest"] = append(out["fastest"], []any{r.Orig.String(), r.OrigPort, r.Resp.String(), r.RespPort, r.Server, r.Bulk,
			r.Payload, r.Transfer.Seconds(), r.KbitPerS})
	}
	out["failures"] = [][]any{}
	for _, r := range c.Failures().Classes() {
		out["failures"] = append(out["failures"], []any{r.Class, r.Attempts, r.Hosts})
	}
}

// The metrics as SQL on DuckDB over the store of each capture equal the
// Go answers on the capture, row by row.
func TestStoreSQLEqualsGo(t *testing.T) {
	for _, path := range storeCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Ingest(dir, []string{path}); err != nil {
				t.Fatal(err)
			}
			c, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			want := goAnswers(c)
			names := make([]string, 0, len(want))
			for n := range want {
				names = append(names, n)
			}
			sort.Strings(names)
			sameAnswers(t, dir, c)
			got := duckdb(t, dir, names)
			for _, n := range names {
				compareRows(t, n, got[n], want[n])
			}
		})
	}
}

// sameAnswers checks that OpenStore answers as the capture does: every
// query of goAnswers and the whole summary (but the file names).
func sameAnswers(t *testing.T, dir string, c *Capture) {
	t.Helper()
	sc, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, want := goAnswers(sc), goAnswers(c)
	for name, rows := range want {
		if fmt.Sprint(got[name]) != fmt.Sprint(rows) {
			t.Errorf("OpenStore %s:\n got %v\nwant %v", name, got[name], rows)
		}
	}
	gs, ws := sc.Summary(), c.Summary()
	gs.Files, ws.Files = nil, nil
	g, _ := json.Marshal(gs)
	w, _ := json.Marshal(ws)
	if string(g) != string(w) {
		t.Errorf("OpenStore summary:\n got %s\nwant %s", g, w)
	}
	if sc.Flows().Count() != c.Flows().Count() || len(sc.Flows().Slice()) != c.Flows().Count() {
		t.Errorf("OpenStore: %d flows (%d read), want %d", sc.Flows().Count(), len(sc.Flows().Slice()), c.Flows().Count())
	}
}
