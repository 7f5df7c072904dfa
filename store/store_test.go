package store

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/pcaplab/pcaplab/flow"
)

func TestMicrosAndPartition(t *testing.T) {
	for _, c := range []struct{ ns, us int64 }{{1999, 1}, {2000, 2}, {0, 0}, {-1, -1}, {-1000, -1}, {-1001, -2}} {
		if got := Micros(c.ns); got != c.us {
			t.Errorf("Micros(%d) = %d, want %d", c.ns, got, c.us)
		}
	}
	ns := time.Date(2025, 10, 14, 9, 59, 59, 999999999, time.UTC).UnixNano()
	if p := Partition(ns); p != filepath.Join("flows", "date=2025-10-14", "hour=09") {
		t.Errorf("partition %s", p)
	}
}

// A flow written as a row reads back as the same flow and labels.
func TestFlowRoundTrip(t *testing.T) {
	f := flow.Flow{Proto: flow.TCP, Orig: netip.MustParseAddr("192.168.1.23"), Resp: netip.MustParseAddr("2001:db8::1"),
		OrigPort: 51004, RespPort: 443, First: 1760434204532998235, Last: 1760434206532998999, OrigPackets: 10, RespPackets: 12,
		OrigBytes: 1000, RespBytes: 18000, OrigPayload: 400, RespPayload: 17000, OrigFlags: flow.SYN | flow.ACK | flow.FIN,
		RespFlags: flow.SYN | flow.ACK, History: "ShADdFf", State: flow.SF, RTT: 25 * time.Millisecond, Ended: flow.EndIdle,
		ICMPError: flow.MakeICMPError(3, 3), App: "TLS", ServerName: "example.org", Opening: flow.MsgRequest,
		OrigTransfer: 1234567891 * time.Nanosecond, RespTransfer: 987654321 * time.Nanosecond}
	r := flow.Record{Flow: f, Labels: flow.Labels{Application: "HTTPS", IdentifiedBy: "payload", RespKind: "unicast"}}
	row := FlowOf(&r)
	if row.Start != 1760434204532998 || row.OrigPort != 51004 || row.Proto != "TCP" || row.ICMPError != "3/3" {
		t.Errorf("row %+v", row)
	}
	path := filepath.Join(t.TempDir(), "f.parquet")
	if err := WriteFile(path, []Flow{row}); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := ReadFile(path, func(got *Flow) error {
		n++
		back, err := got.Record()
		if err != nil || back != r {
			t.Errorf("read back %+v (%v), want %+v", back, err, r)
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Errorf("read %d rows: %v", n, err)
	}
}

// A FlowWriter puts each flow in its start's hour, and refuses a flow
// out of start order (EachFlow reads a partition's files one after the
// other).
func TestFlowWriter(t *testing.T) {
	dir := t.TempDir()
	w := NewFlowWriter(dir, "abc")
	base := time.Date(2025, 1, 1, 23, 0, 0, 0, time.UTC).UnixNano()
	for _, off := range []time.Duration{time.Minute, 5 * time.Minute, 61 * time.Minute, 70 * time.Minute} {
		if err := w.Write(Flow{StartNS: base + int64(off)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(Flow{StartNS: base}); err == nil || !strings.Contains(err.Error(), "flows go in start order") {
		t.Errorf("a flow out of order: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join("flows", "date=2025-01-01", "hour=23", "part-abc-1.parquet"),
		filepath.Join("flows", "date=2025-01-02", "hour=00", "part-abc-2.parquet")}
	if strings.Join(w.Files, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", w.Files, want)
	}
	var starts []int64
	for _, f := range w.Files {
		ReadFile(filepath.Join(dir, f), func(r *Flow) error { starts = append(starts, (r.StartNS-base)/int64(time.Minute)); return nil })
	}
	if len(starts) != 4 || starts[0] != 1 || starts[1] != 5 || starts[2] != 61 || starts[3] != 70 {
		t.Errorf("start minutes in file order %v, want [1 5 61 70]", starts)
	}
}

func TestManifestAndLock(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadManifest(dir); err == nil || !strings.Contains(err.Error(), "not a pcaplab store") {
		t.Errorf("empty dir: %v", err)
	}
	m := &Manifest{Format: FormatVersion, Model: "m1", Sources: []SourceEntry{{Path: "/a.pcap", SHA256: strings.Repeat("ab", 32),
		Files: []string{"flows/date=2025-01-01/hour=00/part-abababababab-1.parquet", "bins/part-abababababab.parquet"}}},
		EdgeFiles: []string{"flows/date=2025-01-01/hour=00/part-edge-1.parquet"}}
	if err := m.Write(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadManifest(dir)
	if err != nil || back.Sources[0].Tag() != "abababababab" {
		t.Fatalf("%+v %v", back, err)
	}
	if f := back.Files("flows"); len(f) != 2 || !strings.HasSuffix(f[1], "part-edge-1.parquet") {
		t.Errorf("flow files %v", f)
	}
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); err == nil || !strings.Contains(err.Error(), "another ingest") {
		t.Errorf("second lock: %v", err)
	}
	unlock()
	if u, err := Lock(dir); err != nil {
		t.Errorf("lock after unlock: %v", err)
	} else {
		u()
	}
}

// A store of another format (format 2 had no packet logs) is refused in
// one line that says what to do.
func TestManifestOldFormat(t *testing.T) {
	dir := t.TempDir()
	m := &Manifest{Format: 2, Model: "m1"}
	if err := m.Write(dir); err != nil {
		t.Fatal(err)
	}
	_, err := ReadManifest(dir)
	want := dir + ": store format 2, this pcaplab reads format 3: ingest its captures into a new store"
	if err == nil || err.Error() != want {
		t.Errorf("format 2: %v, want %q", err, want)
	}
}

// The flows table has flow.Schema's columns, in its order, with the types
// engines agree on.
func TestFlowColumns(t *testing.T) {
	s := parquet.SchemaOf(Flow{})
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name())
	}
	if got, want := strings.Join(names, ","), strings.Join(flow.Header(), ","); got != want {
		t.Fatalf("columns\n%s\nwant flow.Schema's\n%s", got, want)
	}
	for _, f := range s.Fields() {
		lt := f.Type().LogicalType()
		kind := f.Type().Kind()
		switch name := f.Name(); {
		case name == "start" || name == "end":
			if lt.String() != "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)" || kind != parquet.Int64 {
				t.Errorf("%s: %v %v, want INT64 TIMESTAMP(MICROS, UTC)", name, kind, lt)
			}
		case strings.HasSuffix(name, "_port") || strings.HasSuffix(name, "_flags"):
			if kind != parquet.Int32 {
				t.Errorf("%s: %v, want INT32", name, kind)
			}
		case strings.HasSuffix(name, "_packets") || strings.HasSuffix(name, "_bytes") || strings.HasSuffix(name, "_ns"):
			if kind != parquet.Int64 || strings.Contains(lt.String(), "isSigned=false") {
				t.Errorf("%s: %v %v, want signed INT64", name, kind, lt)
			}
		}
	}
}
