package capfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// captures are the real captures of the repository and, where it exists,
// of ../shared (pcap and pcapng from many writers and platforms).
func captures(t testing.TB) []string {
	var paths []string
	for _, g := range []string{"../../../testdata/sample.pcapng", "../../../testdata/captures/*.pcap*", "../../../../shared/captures/*.pcap*"} {
		p, _ := filepath.Glob(g)
		paths = append(paths, p...)
	}
	if len(paths) == 0 {
		t.Fatal("no captures found")
	}
	return paths
}

type refRecord struct {
	data []byte
	rec  Record
}

// reference reads a capture with gopacket's pcapgo, as pcaplab did before
// it had its own reader.
func reference(t *testing.T, raw []byte) []refRecord {
	var r io.Reader = bytes.NewReader(raw)
	if raw[0] == 0x1f {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var next func() ([]byte, Record, error)
	head := make([]byte, 4)
	br := io.MultiReader(bytes.NewReader(nil), r)
	if _, err := io.ReadFull(br, head); err != nil {
		t.Fatal(err)
	}
	br = io.MultiReader(bytes.NewReader(head), br)
	if string(head) == "\x0a\x0d\x0d\x0a" {
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true, SkipUnknownVersion: true})
		if err != nil {
			t.Fatal(err)
		}
		next = func() ([]byte, Record, error) {
			d, c, err := ng.ReadPacketData()
			rec := Record{Time: c.Timestamp.UnixNano(), CapLen: c.CaptureLength, WireLen: c.Length}
			if len(c.AncillaryData) > 0 {
				rec.LinkType = c.AncillaryData[0].(layers.LinkType)
			}
			return d, rec, err
		}
	} else {
		p, err := pcapgo.NewReader(br)
		if err != nil {
			t.Fatal(err)
		}
		next = func() ([]byte, Record, error) {
			d, c, err := p.ReadPacketData()
			return d, Record{Time: c.Timestamp.UnixNano(), CapLen: c.CaptureLength, WireLen: c.Length, LinkType: p.LinkType()}, err
		}
	}
	var out []refRecord
	for {
		d, rec, err := next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("pcapgo: %v", err)
		}
		rec.Index = len(out) + 1
		rec.WireLen = max(rec.WireLen, rec.CapLen)
		out = append(out, refRecord{d, rec})
	}
}

// Every real capture reads the same, record for record, as with gopacket's
// readers, through a mapped file, through read calls, and gzip-compressed.
func TestReaderAgreesWithPcapgo(t *testing.T) {
	for _, path := range captures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, raw)
			open := map[string]func() (*Reader, error){
				"file": func() (*Reader, error) { return Open(path) },
				"read": func() (*Reader, error) { return NewReader(path, struct{ io.Reader }{bytes.NewReader(raw)}) },
			}
			if raw[0] != 0x1f {
				var gz bytes.Buffer
				zw := gzip.NewWriter(&gz)
				zw.Write(raw)
				zw.Close()
				open["gzip"] = func() (*Reader, error) { return NewReader(path, &gz) }
			}
			for how, f := range open {
				r, err := f()
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				for i := 0; ; i++ {
					d, rec, err := r.Next()
					if err == io.EOF {
						if i != len(want) {
							t.Errorf("%s: %d records, want %d", how, i, len(want))
						}
						break
					}
					if err != nil {
						t.Fatalf("%s: %v", how, err)
					}
					if i >= len(want) || rec != want[i].rec || !bytes.Equal(d, want[i].data) {
						t.Fatalf("%s: record %d: %+v, want %+v", how, i+1, rec, want[min(i, len(want)-1)].rec)
					}
				}
				if r.Offset() != int64(len(raw)) && how != "gzip" {
					t.Errorf("%s: offset %d at the end, want %d", how, r.Offset(), len(raw))
				}
				r.Close()
			}
		})
	}
}

// le builds little-endian pcapng blocks.
func ngBlock(typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	b := le32(nil, typ)
	b = le32(b, n)
	b = append(b, body...)
	return le32(b, n)
}

func le32(b []byte, v uint32) []byte { return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)) }

func le16(b []byte, v uint16) []byte { return append(b, byte(v), byte(v>>8)) }

func ngSHB() []byte {
	body := le32(nil, 0x1a2b3c4d)
	body = le16(body, 1)
	body = le16(body, 0)
	body = append(body, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	return ngBlock(blockSHB, body)
}

func ngIDB(opts ...[]byte) []byte {
	body := le16(nil, 1)
	body = le16(body, 0)
	body = le32(body, 0)
	for _, o := range opts {
		body = append(body, o...)
	}
	return ngBlock(blockIDB, body)
}

func ngOpt(code uint16, v []byte) []byte {
	b := le16(nil, code)
	b = le16(b, uint16(len(v)))
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func ngEPB(ts uint64, data []byte, opts ...[]byte) []byte {
	body := le32(nil, 0)
	body = le32(body, uint32(ts>>32))
	body = le32(body, uint32(ts))
	body = le32(body, uint32(len(data)))
	body = le32(body, uint32(len(data)))
	body = append(body, data...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	for _, o := range opts {
		body = append(body, o...)
	}
	return ngBlock(blockEPB, body)
}

func readAll(t *testing.T, raw []byte) ([]Record, error) {
	t.Helper()
	r, err := NewReader("x.pcapng", bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var out []Record
	for {
		_, rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

// What a pcapng file says is bounded: comments and name records are
// skipped, a record longer than MaxRecord is cut, a timestamp outside 1970
// to 2262 is flagged, and damage is reported with where it is.
func TestPcapngBounds(t *testing.T) {
	comment := bytes.Repeat([]byte("c"), 60000)
	var manyComments [][]byte
	for range 100 {
		manyComments = append(manyComments, ngOpt(1, comment))
	}
	big := make([]byte, MaxRecord+1000)
	second := len(ngSHB()) + len(ngIDB()) + len(ngEPB(0, []byte{1})) // offset of the second packet block
	cases := []struct {
		name  string
		file  []byte
		check func(t *testing.T, recs []Record, err error)
	}{
		{"comments on a packet", concat(ngSHB(), ngIDB(), ngEPB(1e15, []byte{1, 2, 3}, manyComments...), ngEPB(2e15, []byte{4})),
			func(t *testing.T, recs []Record, err error) {
				if err != nil || len(recs) != 2 || recs[0].CapLen != 3 || recs[1].Time != 2e18 {
					t.Errorf("%+v %v", recs, err)
				}
			}},
		{"name resolution block", concat(ngSHB(), ngIDB(), ngBlock(4, bytes.Repeat([]byte("n"), 400000)), ngEPB(1e15, []byte{1})),
			func(t *testing.T, recs []Record, err error) {
				if err != nil || len(recs) != 1 {
					t.Errorf("%+v %v", recs, err)
				}
			}},
		{"record over the maximum", concat(ngSHB(), ngIDB(), ngEPB(1e15, big), ngEPB(2e15, []byte{4})),
			func(t *testing.T, recs []Record, err error) {
				if err != nil || len(recs) != 2 || !recs[0].Cut || recs[0].CapLen != MaxRecord || recs[0].WireLen != len(big) || recs[1].Cut {
					t.Errorf("%+v %v", recs, err)
				}
			}},
		{"timestamps past 2262", concat(ngSHB(), ngIDB(ngOpt(9, []byte{9})), ngEPB(1<<63, []byte{1}), ngEPB(1<<64-1, []byte{1}), ngEPB(1e18, []byte{1})),
			func(t *testing.T, recs []Record, err error) {
				if err != nil || len(recs) != 3 || !recs[0].BadTime || !recs[1].BadTime || recs[2].BadTime || recs[2].Time != 1e18 {
					t.Errorf("%+v %v", recs, err)
				}
			}},
		{"offset before 1970", concat(ngSHB(), ngIDB(ngOpt(14, []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})), ngEPB(1e6*100, []byte{1})),
			func(t *testing.T, recs []Record, err error) {
				if err != nil || len(recs) != 1 || !recs[0].BadTime || recs[0].Time != 0 {
					t.Errorf("%+v %v", recs, err)
				}
			}},
		{"block length not a multiple of 4", func() []byte {
			f := concat(ngSHB(), ngIDB(), ngEPB(1e15, []byte{1}), ngEPB(1e15, []byte{1}))
			f[second+4] = 0x25 // the second packet's length
			return f
		}(), func(t *testing.T, recs []Record, err error) {
			at := second
			if len(recs) != 1 || err == nil || !strings.Contains(err.Error(), "x.pcapng: packet 2: damaged file at byte "+strconv.Itoa(at)+": block of type 0x6 has length 37") {
				t.Errorf("%+v %v", recs, err)
			}
		}},
		{"trailing length differs", func() []byte {
			f := concat(ngSHB(), ngIDB(), ngEPB(1e15, []byte{1}))
			f[len(f)-4] = 44
			return f
		}(), func(t *testing.T, recs []Record, err error) {
			if len(recs) != 0 || err == nil || !strings.Contains(err.Error(), "block length 36 differs from its trailing copy 44") {
				t.Errorf("%+v %v", recs, err)
			}
		}},
		{"length beyond the file", func() []byte {
			f := concat(ngSHB(), ngIDB(), ngEPB(1e15, []byte{1}), ngEPB(1e15, []byte{1}))
			copy(f[second+4:], []byte{0, 0, 0, 0x40})
			return f
		}(), func(t *testing.T, recs []Record, err error) {
			if len(recs) != 1 || err == nil || !strings.Contains(err.Error(), "damaged block length") {
				t.Errorf("%+v %v", recs, err)
			}
		}},
		{"cut in the last block", concat(ngSHB(), ngIDB(), ngEPB(1e15, []byte{1}), ngEPB(1e15, []byte{1})[:30]),
			func(t *testing.T, recs []Record, err error) {
				var re *RecordError
				if len(recs) != 1 || !errors.As(err, &re) || !re.Truncated() {
					t.Errorf("%+v %v", recs, err)
				}
			}},
		{"packet of an undeclared interface", concat(ngSHB(), ngEPB(1e15, []byte{1})),
			func(t *testing.T, recs []Record, err error) {
				if len(recs) != 0 || err == nil || !strings.Contains(err.Error(), "packet of interface 0, but the section declares 0") {
					t.Errorf("%+v %v", recs, err)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := readAll(t, c.file)
			c.check(t, recs, err)
		})
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func pcapFile(snaplen uint32, records ...[]byte) []byte {
	h := le32(nil, 0xa1b2c3d4)
	h = le16(h, 2)
	h = le16(h, 4)
	h = le32(h, 0)
	h = le32(h, 0)
	h = le32(h, snaplen)
	h = le32(h, 1)
	return concat(append([][]byte{h}, records...)...)
}

func pcapRecord(sec uint32, data []byte, capLen uint32) []byte {
	r := le32(nil, sec)
	r = le32(r, 0)
	r = le32(r, capLen)
	r = le32(r, uint32(len(data)))
	return append(r, data...)
}

// A pcap record longer than MaxRecord is cut when the file's snap length
// allows it, and refused as a damaged header when it does not; either way
// nothing of its size is allocated.
func TestPcapRecordLengths(t *testing.T) {
	big := make([]byte, MaxRecord+5000)
	big[MaxRecord-1] = 7
	ok := pcapFile(0xffffffff, pcapRecord(1, big, uint32(len(big))), pcapRecord(2, []byte{1, 2}, 2))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(ok)
	zw.Close()
	for name, raw := range map[string][]byte{"pcap": ok, "gzip": gz.Bytes()} {
		r, err := NewReader("x.pcap", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		d, rec, err := r.Next()
		if err != nil || !rec.Cut || rec.CapLen != MaxRecord || len(d) != MaxRecord || d[MaxRecord-1] != 7 || rec.WireLen != len(big) {
			t.Fatalf("%s: %+v %v", name, rec, err)
		}
		d, rec, err = r.Next()
		if err != nil || rec.Cut || rec.Index != 2 || rec.Time != 2e9 || string(d) != "\x01\x02" {
			t.Fatalf("%s: %+v %v", name, rec, err)
		}
		if _, _, err := r.Next(); err != io.EOF {
			t.Fatalf("%s: %v", name, err)
		}
	}
	bad := pcapFile(65535, pcapRecord(1, []byte{1}, 1), pcapRecord(2, nil, 0xfffffff0))
	_, err := readAll(t, bad)
	var re *RecordError
	if !errors.As(err, &re) || re.Truncated() || re.Offset != 24+17 ||
		err.Error() != "x.pcapng: packet 2: damaged file at byte 41: record length 4294967280 exceeds the file's snap length 65535 and the 262144-byte maximum (damaged record header) (kept 1 packets)" {
		t.Fatalf("%v", err)
	}
}

// NextInto describes each record wholly, whatever the Record held before:
// read into the Record of a cut record, the next one is not cut, and at the
// end the Record is zero.
func TestNextIntoReusesRecord(t *testing.T) {
	big := make([]byte, MaxRecord+10)
	raw := pcapFile(0xffffffff, pcapRecord(1, big, uint32(len(big))), pcapRecord(2, []byte{1, 2}, 2))
	want, err := NewReader("x.pcap", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader("x.pcap", bytes.NewReader(raw))
	var rec Record
	for i := 1; ; i++ {
		d, err := r.NextInto(&rec)
		wd, wrec, werr := want.Next()
		if err != werr || rec != wrec || !bytes.Equal(d, wd) {
			t.Fatalf("record %d: %+v %v, Next gives %+v %v", i, rec, err, wrec, werr)
		}
		if err != nil {
			break
		}
	}
	if rec != (Record{}) {
		t.Errorf("at the end: %+v", rec)
	}
}
