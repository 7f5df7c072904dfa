package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/klauspost/compress/zstd"
	"github.com/pcaplab/pcaplab/flow"
	"github.com/pcaplab/pcaplab/internal/synth"
)

// modelDiff names the fields in which two segments' models differ (the
// flows compared as text, in order).
func modelDiff(got, want *Model) []string {
	var out []string
	if g, w := flowTexts(got), flowTexts(want); !reflect.DeepEqual(g, w) {
		out = append(out, fmt.Sprintf("flows: %d, want %d", len(g), len(w)))
	}
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		f := gv.Type().Field(i)
		if !f.IsExported() || f.Name == "Flows" || f.Name == "Records" {
			continue
		}
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			out = append(out, f.Name)
		}
	}
	return out
}

// logCaptures are the captures the log tests replay: every capture, the
// malformed ones (read with warnings, records set aside) and one with a
// DHCP message whose time jumped (set aside, payload and all).
func logCaptures(t *testing.T) []string {
	paths := everyCapture()
	if len(paths) < 5 {
		t.Fatalf("%d captures", len(paths))
	}
	bad, _ := filepath.Glob("../../../testdata/malformed/*.pcap*")
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	c := &synth.Capture{}
	client, server := netip.MustParseAddrPort("0.0.0.0:68"), netip.MustParseAddrPort("255.255.255.255:67")
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	c.UDP(t0, client, server, synth.DHCP(1, 7, mac))
	c.UDP(t0.Add(time.Second), client, server, synth.DHCP(3, 7, mac))
	c.UDP(t0.Add(30*24*time.Hour), client, server, synth.DHCP(3, 8, mac)) // 30 days away from both neighbours
	c.UDP(t0.Add(2*time.Second), client, server, synth.DHCP(1, 9, mac))
	jump := filepath.Join(t.TempDir(), "dhcp-time-jump.pcap")
	if err := c.Save(jump); err != nil {
		t.Fatal(err)
	}
	return append(append(paths, bad...), jump, bigDHCP(t))
}

// bigDHCP writes frames whose IPv4 total length is 0 (TSO's "unknown"),
// so that their UDP payload, DHCP's ports, runs to the end of a 70 kB
// frame: more than a packet log keeps of a payload.
func bigDHCP(t *testing.T) string {
	udp := binary.BigEndian.AppendUint16(nil, 68)
	udp = binary.BigEndian.AppendUint16(udp, 67)
	udp = append(append(udp, 0, 0, 0, 0, 1), make([]byte, 69999)...)
	ip := append([]byte{0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255}, udp...)
	frame := append([]byte{255, 255, 255, 255, 255, 255, 2, 0, 0, 0, 0, 1, 8, 0}, ip...)
	path := filepath.Join(t.TempDir(), "dhcp-70kB.pcap")
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000+int64(i), 0), CaptureLength: len(frame), Length: len(frame)}
		if err := w.WritePacket(ci, frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A log holds as many link types as a file has (up to 1 024), and the
// writer refuses more rather than write a log that cannot be read.
func TestLogLinkTypes(t *testing.T) {
	cfg := Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1}
	for _, n := range []int{maxLogLinks, maxLogLinks + 1} {
		var log bytes.Buffer
		l, err := newLogWriter(&log)
		if err != nil {
			t.Fatal(err)
		}
		fi := FileInfo{Name: "many.pcapng", Format: "pcapng"}
		for i := range n {
			fi.LinkTypes = append(fi.LinkTypes, fmt.Sprint("link type ", i))
		}
		l.end(&fi)
		werr := l.close()
		if n > maxLogLinks {
			if werr == nil || !strings.Contains(werr.Error(), "1025 link types, more than a packet log keeps (1024)") {
				t.Errorf("%d link types written: %v", n, werr)
			}
			continue
		}
		m, _, err := ReplaySegment("many.log", &log, cfg, nil)
		if werr != nil || err != nil || len(m.Files) != 1 || len(m.Files[0].LinkTypes) != n {
			t.Errorf("%d link types: write %v, replay %v", n, werr, err)
		}
	}
}

// Replaying a packet log gives exactly the model and the Edge that
// reading the capture gives, on every capture, from the start and from
// the Edge of an earlier capture (flows carried across), and for several
// files in one log; and the log is far smaller than the capture.
func TestLogReplay(t *testing.T) {
	paths := logCaptures(t)
	cfg := Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1}
	var prev *Edge
	var files []string // captures read without an error, for the log of several files
	for _, path := range paths {
		for _, in := range []*Edge{nil, prev} {
			var log bytes.Buffer
			want, wantEdge, err := BuildSegment([]string{path}, cfg, in, nil, &log)
			if err != nil {
				if _, rerr := Build([]string{path}, cfg); rerr == nil {
					t.Errorf("%s: read without a log, but with one: %v", filepath.Base(path), err)
				}
				break // a malformed capture that cannot be read at all
			}
			replayEquals(t, filepath.Base(path), log.Bytes(), cfg, in, want, wantEdge)
			if in == nil {
				prev = wantEdge
				files = append(files, path)
				t.Logf("%s: %d packets, log %d bytes (%.1f a packet)", filepath.Base(path), want.Packets, log.Len(),
					float64(log.Len())/float64(max(want.Packets, 1)))
			}
		}
	}
	if len(files) < len(paths)-5 {
		t.Fatalf("only %d of %d captures read", len(files), len(paths))
	}
	var log bytes.Buffer
	want, wantEdge, err := BuildSegment(files, cfg, nil, nil, &log)
	if err != nil {
		t.Fatal(err)
	}
	replayEquals(t, fmt.Sprintf("%d files in one log", len(files)), log.Bytes(), cfg, nil, want, wantEdge)
}

func replayEquals(t *testing.T, what string, log []byte, cfg Config, in *Edge, want *Model, wantEdge *Edge) {
	t.Helper()
	got, gotEdge, err := ReplaySegment("test.log", bytes.NewReader(log), cfg, in)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if d := modelDiff(got, want); len(d) > 0 || !reflect.DeepEqual(gotEdge, wantEdge) {
		t.Errorf("%s: replay differs from reading in %v (edges equal: %v)", what, d, reflect.DeepEqual(gotEdge, wantEdge))
	}
}

// rawLog compresses a log's magic and the given bytes as the writer
// does: hostile logs made by hand.
func rawLog(t testing.TB, parts ...[]byte) []byte {
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithWindowSize(logWindowBytes))
	if err != nil {
		t.Fatal(err)
	}
	zw.Write([]byte(logMagic))
	for _, p := range parts {
		zw.Write(p)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// record builds a record's bytes from field values (index: value).
func recordBytes(fields map[int]uint64, payload []byte) []byte {
	var mask uint64
	for f := range fields {
		mask |= 1 << f
	}
	b := binary.AppendUvarint([]byte{tagRecord}, mask)
	for f := range nFields {
		if v, ok := fields[f]; ok {
			b = binary.AppendUvarint(b, v)
		}
	}
	return append(b, payload...)
}

// A log cut short, not a log, or made to exhaust memory (zstd turns a few
// kB into gigabytes of table entries) is one clear line, not a crash, an
// "internal error" or a model; and the hostile ones cost little memory.
func TestLogDamaged(t *testing.T) {
	var log bytes.Buffer
	cfg := Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1}
	if _, _, err := BuildSegment([]string{"../../../testdata/sample.pcapng"}, cfg, nil, nil, &log); err != nil {
		t.Fatal(err)
	}
	literal := binary.AppendUvarint([]byte{tagString}, maxLogString)
	literal = append(literal, bytes.Repeat([]byte{'a'}, maxLogString)...)
	bomb := bytes.Repeat(literal, 1<<19) // 134 MB of table entries in a few kB
	long := append(binary.AppendUvarint([]byte{tagString}, 1<<20), make([]byte, 1<<20)...)
	mismatch := recordBytes(map[int]uint64{fTime: 2, fNet: 1, fProto: 17, fPayloadLen: 5, fPayload: 11}, make([]byte, 10))
	links := []byte{tagEnd}
	for range 3 + maxLogLinks + 1 {
		links = append(binary.AppendUvarint(links, 3), "Eth"...)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut", log.Bytes()[:log.Len()/2], "sample.log: damaged packet log"},
		{"empty", nil, "not a pcaplab packet log"},
		{"other", []byte("hello, world"), "not a pcaplab packet log"},
		{"table bomb", rawLog(t, bomb), "table entries for 0 records"},
		{"long literal", rawLog(t, long), "a field of 1048576 bytes"},
		{"payload length", rawLog(t, mismatch), "a payload of 10 bytes for a payload length of 5"},
		{"link types", rawLog(t, recordBytes(map[int]uint64{fTime: 2}, nil), links), "link types"},
		{"bad tag", rawLog(t, []byte{9}), "record tag 9"},
		{"time wraps", rawLog(t, recordBytes(map[int]uint64{fTime: zigzag(4e18)}, nil), recordBytes(map[int]uint64{fTime: zigzag(6e18)}, nil)),
			"record 2: a time before 1970"},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := ReplaySegment("sample.log", bytes.NewReader(c.data), cfg, nil)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "internal error") {
			t.Errorf("%s: %v, want one line with %q", c.name, err, c.want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s: %d MB allocated", c.name, alloc>>20)
		}
	}
}

// FuzzReplay: whatever the bytes, replaying them returns a model or one
// line of error, never a panic or an internal error.
func FuzzReplay(f *testing.F) {
	var log bytes.Buffer
	cfg := Config{Timeouts: flow.DefaultTimeouts, SpillAfter: -1}
	if _, _, err := BuildSegment([]string{"../../../testdata/captures/linux-sll.pcap"}, cfg, nil, nil, &log); err != nil {
		f.Fatal(err)
	}
	f.Add(log.Bytes())
	f.Add(rawLog(f, recordBytes(map[int]uint64{fTime: 2, fNet: 1, fSrc: 1, fPayloadLen: 1, fPayload: 2}, []byte{7})))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := ReplaySegment("fuzz.log", bytes.NewReader(data), cfg, nil)
		if err != nil && (strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "internal error")) {
			t.Errorf("%v", err)
		}
	})
}
